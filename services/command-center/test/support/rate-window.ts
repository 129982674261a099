import { WINDOW_MS } from '../../src/rate-limit';

/**
 * The limit on changes counts per clock minute (the same window on every replica): a test that uses up a caller's
 * limit starts with at least `needMs` of the minute left, so its requests all fall into one window.
 */
export async function startOfAWindow(needMs: number): Promise<void> {
  const left = WINDOW_MS - (Date.now() % WINDOW_MS);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
