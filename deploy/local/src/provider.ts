import type { ComponentOutcome } from './components';
import type { StackEndpoints } from './endpoints';

/** Options of {@link StackProvider.start}. */
export interface StartOptions {
  /** Also start the Lifeline processes (services, worker, bridge, command-center). */
  apps: boolean;
  log?: (line: string) => void;
}

/** A started stack. `stop()` stops only what this start started; anything reused keeps running. */
export interface RunningStack {
  provider: 'local' | 'containers';
  endpoints: StackEndpoints;
  components: ComponentOutcome[];
  stop(): Promise<void>;
}

/** The one test-stack harness interface; `chooseProvider` (stack.ts) picks one. */
export interface StackProvider {
  name: 'local' | 'containers';
  start(opts: StartOptions): Promise<RunningStack>;
}
