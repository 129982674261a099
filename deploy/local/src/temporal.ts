import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '@lifeline/contracts';

/** Lifeline's Temporal search attributes are defined once, in contracts (DESIGN.md §4). */
export { SEARCH_ATTRIBUTES };

/** `--search-attribute KEY=TYPE` flags for `temporal server start-dev`. */
export const searchAttributeFlags = (): string[] => Object.entries(SEARCH_ATTRIBUTES).flatMap(([k, t]) => ['--search-attribute', `${k}=${t}`]);

/** Temporal's IndexedValueType enum values. */
const INDEXED_VALUE_TYPE = { Text: 1, Keyword: 2, Int: 3, Double: 4, Bool: 5, Datetime: 6, KeywordList: 7 } as const;

/**
 * Registers any missing Lifeline search attribute in `namespace` (idempotent). Needed when reusing a Temporal the
 * stack did not start, and for the container image.
 */
export async function ensureSearchAttributes(address: string, namespace = 'default'): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !(customAttributes && name in customAttributes));
    if (missing.length === 0) return;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, INDEXED_VALUE_TYPE[type]])),
    });
  } finally {
    await connection.close();
  }
}
