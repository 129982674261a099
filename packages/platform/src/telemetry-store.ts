import { SpanKind } from '@opentelemetry/api';
import mongoose from 'mongoose';
import { context, inSpan } from './telemetry';

let instrumented = false;

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

function wrap(target: Record<string, unknown>, method: string, describe: (self: unknown) => { op: string; collection?: string; db?: string }): void {
  const original = target[method] as AnyFn;
  target[method] = function traced(this: unknown, ...args: unknown[]) {
    const { op, collection, db } = describe(this);
    return inSpan(`mongo ${op}${collection ? ` ${collection}` : ''}`, SpanKind.CLIENT, context.active(), async (span) => {
      span.setAttributes({ 'db.system': 'mongodb', 'db.operation.name': op, ...(collection ? { 'db.collection.name': collection } : {}), ...(db ? { 'db.namespace': db } : {}) });
      return (await original.apply(this, args)) as unknown;
    });
  };
}

interface ModelLike {
  collection?: { collectionName?: string };
  db?: { name?: string };
  modelName?: string;
}

/**
 * One CLIENT span per store operation (queries, aggregations, saves, inserts, bulk writes), as a child of whatever
 * span is active (a NATS handler, an HTTP route), so traces reach the store calls. Idempotent; called by
 * `connectMongo`. Spans carry the operation and collection, never filters or documents (they may hold personal data).
 */
export function instrumentMongoose(m: typeof mongoose = mongoose): void {
  if (instrumented) return;
  instrumented = true;
  const fromModel = (model: ModelLike | undefined) => ({ collection: model?.collection?.collectionName, db: model?.db?.name });
  wrap(m.Query.prototype as unknown as Record<string, unknown>, 'exec', (q) => {
    const query = q as { op?: string; model?: ModelLike };
    return { op: query.op ?? 'query', ...fromModel(query.model) };
  });
  wrap(m.Aggregate.prototype as unknown as Record<string, unknown>, 'exec', (a) => ({ op: 'aggregate', ...fromModel((a as { _model?: ModelLike })._model) }));
  wrap(m.Model.prototype as unknown as Record<string, unknown>, 'save', (d) => ({ op: 'save', ...fromModel((d as { constructor: ModelLike }).constructor) }));
  wrap(m.Model as unknown as Record<string, unknown>, 'insertMany', (model) => ({ op: 'insertMany', ...fromModel(model as ModelLike) }));
  wrap(m.Model as unknown as Record<string, unknown>, 'bulkWrite', (model) => ({ op: 'bulkWrite', ...fromModel(model as ModelLike) }));
}
