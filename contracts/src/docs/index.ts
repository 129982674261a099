/** API documents generated from the contracts: OpenAPI 3.1 (command-center HTTP) and AsyncAPI 3.0 (NATS). */
export { buildOpenApi, OPENAPI_VERSION } from './openapi';
export { buildAsyncApi, ASYNCAPI_VERSION } from './asyncapi';

/** A document as committed under docs/api/: pretty JSON with a trailing newline. */
export const renderDocument = (doc: unknown): string => `${JSON.stringify(doc, null, 2)}\n`;

/** Where the generated documents are committed, relative to the repository root. */
export const API_DOC_FILES = { openapi: 'docs/api/openapi.json', asyncapi: 'docs/api/asyncapi.json' } as const;
