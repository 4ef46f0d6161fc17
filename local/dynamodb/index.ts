export { type LocalDynamo, type LocalDynamoOptions, startLocalDynamo } from './server.ts';
export { createStateTable, StateTableSetupError } from './table.ts';
