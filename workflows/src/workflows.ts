/** Every workflow the worker registers (the bundle entry: `workflowsPath: require.resolve('./workflows')`). */
export { incidentWorkflow } from './incident-workflow';
export { districtPhaseWorkflow } from './district-workflow';
export { communityPhaseWorkflow } from './community-workflow';
