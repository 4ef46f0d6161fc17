export {
  DYNAMO_INJECTABLE_ERRORS,
  DYNAMO_OPERATIONS,
  DynamoFaultRequestError,
  type DynamoFaults,
  type DynamoInjectableError,
  type DynamoOperation,
} from './faults.ts';
export { type LocalDynamo, type LocalDynamoOptions, startLocalDynamo } from './server.ts';
export { createStateTable, StateTableSetupError } from './table.ts';
