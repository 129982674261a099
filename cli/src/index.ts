/**
 * @lifeline/cli — the `lifeline` command (bin/lifeline.js runs src/main.ts). What scripts and benches may reuse:
 * the command-center client with development tokens, and the CLI's structured failure.
 */
export { api, bearer } from './api';
export { signToken } from './auth';
export { apiBase, fail, parseFlags, tokenSecret } from './context';
