import type { RunningStack } from '@lifeline/local-stack';
import { STACK_KEY } from './global-setup';

/** Stops what global setup started; anything it reused keeps running. */
export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as Record<string, unknown>)[STACK_KEY] as RunningStack | undefined;
  await stack?.stop();
}
