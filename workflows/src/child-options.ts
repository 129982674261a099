import type { SearchAttributePair } from '@temporalio/common';
import type { PhaseContext } from './domain/state';
import { searchAttributes } from './messages';

/** Search attributes on every district and community run, so the Temporal UI can filter children like incidents. */
export function childSearchAttributes(context: PhaseContext, districtId: string): SearchAttributePair[] {
  return [
    { key: searchAttributes.incidentId, value: context.incidentId },
    { key: searchAttributes.planId, value: context.planId },
    { key: searchAttributes.severity, value: context.severity },
    { key: searchAttributes.phase, value: context.phase },
    { key: searchAttributes.districts, value: [districtId] },
    { key: searchAttributes.drill, value: context.drill },
  ];
}
