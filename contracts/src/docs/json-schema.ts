import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

export interface ComponentOptions {
  /** `input` for request bodies (defaults are optional), `output` for answers (defaults are filled in). */
  io: 'input' | 'output';
  /** JSON Schema dialect: OpenAPI 3.1 speaks 2020-12, AsyncAPI 3.0's default schema format is draft-07. */
  target: 'draft-2020-12' | 'draft-7';
  /** Where the components live, e.g. `#/components/schemas/`. */
  refPrefix: string;
}

/**
 * Named zod schemas as JSON Schema components. Schemas named here refer to each other by `$ref`; everything else
 * is inlined. Refinements (`.refine`, `.superRefine`) have no JSON Schema form and are left out by zod; anything
 * else that cannot be represented throws, so a contract change that breaks the documents fails loudly.
 */
export function toComponents(named: ReadonlyArray<readonly [string, z.ZodType, string?]>, options: ComponentOptions): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  const seen = new Map<z.ZodType, string>();
  for (const [id, schema] of named) {
    const already = seen.get(schema);
    if (already) throw new Error(`schema ${id} is the same zod schema as ${already}; name it once`);
    seen.set(schema, id);
    registry.add(schema, { id });
  }
  const { schemas } = z.toJSONSchema(registry, { io: options.io, target: options.target, uri: (id) => `${options.refPrefix}${id}` });
  const out: Record<string, JsonSchema> = {};
  for (const [id, , description] of named) {
    const { $schema: _schema, $id: _id, ...rest } = schemas[id] as JsonSchema;
    out[id] = description === undefined ? rest : { description, ...rest };
  }
  return out;
}

/** Merge component maps; the same name must mean the same schema. */
export function mergeComponents(...maps: Record<string, JsonSchema>[]): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const map of maps) {
    for (const [id, schema] of Object.entries(map)) {
      if (id in out && JSON.stringify(out[id]) !== JSON.stringify(schema)) throw new Error(`component ${id} is defined twice, differently`);
      out[id] = schema;
    }
  }
  return sortKeys(out);
}

/** A copy with object keys sorted (top level only), so generated documents do not depend on insertion order. */
export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `notification`, `broadcast-started` → `NotificationBroadcastStarted`. */
export const pascal = (...parts: string[]) =>
  parts
    .flatMap((p) => p.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
