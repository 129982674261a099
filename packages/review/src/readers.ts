import type { CommandName } from '@lifeline/contracts';

/** Why the review reads nothing from a command's record. */
export type NotRead =
  /** The report takes the figures from the service's own summary and the communities' figures in the final view. */
  | 'from-service-figures'
  /** A stand-down's undo of something another command's record already tells (the outcome says it was stood down). */
  | 'compensation';

/**
 * What the review does with each command's record (`COMMAND_RECORDS`): `read` by a facts function in history.ts
 * (`recordOf(call, '<name>')`), or the reason it is not. The type names every command, so a new one does not build
 * until it is listed here, and test/readers.unit.test.ts fails unless exactly the `read` ones are read.
 */
export const COMMAND_READERS: { readonly [K in CommandName]: 'read' | NotRead } = {
  broadcast: 'read',
  awaitBroadcast: 'read',
  awaitBroadcasts: 'read',
  reserveSupplies: 'read',
  issueSupplies: 'read',
  returnSupplies: 'read',
  releaseSupplies: 'compensation',
  openSites: 'read',
  closeSites: 'read',
  dispatchResponder: 'read',
  fallbackResponder: 'read',
  awardPoints: 'from-service-figures',
};
