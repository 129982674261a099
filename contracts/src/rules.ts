import { z } from 'zod';

/**
 * Rules between the fields of a request ("one of", "not both", "this one when that one is"), checked by the schema
 * and stated in its JSON Schema (`oneOf`, `anyOf`, `not`, `if`/`then`), so the generated OpenAPI/AsyncAPI documents
 * and the clients made from them know what the server refuses. A refinement alone has no JSON Schema form: zod
 * leaves it out of the documents. Each rule is written once here and yields both.
 */

type Key<T extends z.ZodObject> = keyof T['shape'] & string;
/** Fields that must all be given for one way of satisfying a rule to hold. */
type Alternative<T extends z.ZodObject> = readonly Key<T>[];

const unwrap = (schema: z.core.$ZodType): z.core.$ZodType => {
  const def = schema._zod.def as { innerType?: z.core.$ZodType };
  return def.innerType ? unwrap(def.innerType) : schema;
};

/** A flag (boolean field) counts as given only when true: `cityWide: false` names no area. */
const isFlag = (schema: z.ZodObject, key: string) => unwrap(schema.shape[key] as z.core.$ZodType) instanceof z.ZodBoolean;

const given = (schema: z.ZodObject, value: Record<string, unknown>, key: string) => value[key] !== undefined && !(isFlag(schema, key) && value[key] === false);

const holds = <T extends z.ZodObject>(schema: T, value: Record<string, unknown>, alternative: Alternative<T>) => alternative.every((key) => given(schema, value, key));

/** An alternative as JSON Schema: its fields required (and a flag not false). */
const asJsonSchema = <T extends z.ZodObject>(schema: T, alternative: Alternative<T>) => {
  const flags = alternative.filter((key) => isFlag(schema, key));
  return flags.length ? { required: [...alternative], properties: Object.fromEntries(flags.map((key) => [key, { not: { const: false } }])) } : { required: [...alternative] };
};

interface RuleMessage {
  message: string;
  /** Where the refusal points (default: the object itself). */
  path?: string[];
}

/** Exactly one of the alternatives holds (`oneOf`): neither and both are refused. */
export function exactlyOne<T extends z.ZodObject>(schema: T, alternatives: readonly Alternative<T>[], refusal: RuleMessage): T {
  return schema
    .refine((value) => alternatives.filter((a) => holds(schema, value as Record<string, unknown>, a)).length === 1, refusal)
    .meta({ oneOf: alternatives.map((a) => asJsonSchema(schema, a)) });
}

/** At least one of the alternatives holds (`anyOf`). */
export function atLeastOne<T extends z.ZodObject>(schema: T, alternatives: readonly Alternative<T>[], refusal: RuleMessage): T {
  return schema
    .refine((value) => alternatives.some((a) => holds(schema, value as Record<string, unknown>, a)), refusal)
    .meta({ anyOf: alternatives.map((a) => asJsonSchema(schema, a)) });
}

/** When `field` equals `value`, the `required` fields must be given (`if`/`then`). */
export function requiredWhen<T extends z.ZodObject>(schema: T, when: { field: Key<T>; equals: string | number | boolean }, required: Alternative<T>, refusal: RuleMessage): T {
  return schema
    .refine((value) => (value as Record<string, unknown>)[when.field] !== when.equals || holds(schema, value as Record<string, unknown>, required), refusal)
    .meta({ if: { properties: { [when.field]: { const: when.equals } }, required: [when.field] }, then: asJsonSchema(schema, required) });
}
