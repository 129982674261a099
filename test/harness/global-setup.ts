import { chooseProvider, type RunningStack } from '@lifeline/local-stack';
import { stackEnv } from '@lifeline/testkit';

/** Handed from global setup to global teardown (jest runs both in the same process). */
export const STACK_KEY = '__lifelineTestStack';

/**
 * Starts the stack for the integration project through the provider `LIFELINE_STACK` chooses, reusing anything
 * already running, and exports its endpoints through process.env (inherited by jest's test workers).
 * `LIFELINE_STACK_APPS=0` starts infrastructure only.
 */
export default async function globalSetup(): Promise<void> {
  const apps = process.env.LIFELINE_STACK_APPS !== '0';
  const started = Date.now();
  const stack: RunningStack = await chooseProvider().start({ apps, log: (line) => process.stderr.write(`[stack] ${line}\n`) });
  (globalThis as Record<string, unknown>)[STACK_KEY] = stack;
  Object.assign(process.env, stackEnv(stack.endpoints));
  process.stderr.write(`[stack] ${stack.provider} stack ready in ${Date.now() - started} ms${apps ? '' : ' (infrastructure only)'}\n`);
}
