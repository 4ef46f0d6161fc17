/** Errors of the DynamoDB state store. Every one names the table, and the service where there is one. */

interface StateStoreErrorContext {
  readonly table: string;
  readonly service?: string;
}

/** A state-store call failed (after the SDK's own retries); `cause` holds the SDK error. */
export class StateStoreError extends Error {
  override name = 'StateStoreError';
  readonly table: string;
  readonly service: string | undefined;

  constructor(message: string, context: StateStoreErrorContext, options?: ErrorOptions) {
    super(message, options);
    this.table = context.table;
    this.service = context.service;
  }
}

/** The table does not exist (or is not ACTIVE yet) in the account and region the client uses. */
export class StateTableMissingError extends StateStoreError {
  override name = 'StateTableMissingError';

  constructor(context: StateStoreErrorContext & { operation: string }, options?: ErrorOptions) {
    super(
      `${context.operation}: DynamoDB table "${context.table}" does not exist or is not ACTIVE in this account ` +
        'and region; deploy the stack that creates it, or point STATE_TABLE at the right table.',
      context,
      options,
    );
  }
}

/** A stored item cannot be read back as a service state or audit event (hand edit, bad migration). */
export class CorruptStateError extends StateStoreError {
  override name = 'CorruptStateError';
  /** The item's sort key (`STATE` or `EVENT#...`). */
  readonly sortKey: string;
  /** What is wrong, one entry per problem, e.g. `state.epoch: expected number, received string`. */
  readonly problems: readonly string[];

  constructor(context: { table: string; service: string; sortKey: string; problems: readonly string[] }) {
    super(
      `Service "${context.service}": item (pk=SERVICE#${context.service}, sk=${context.sortKey}) in table ` +
        `"${context.table}" is corrupt: ${context.problems.join('; ')}. Fix or delete the item.`,
      context,
    );
    this.sortKey = context.sortKey;
    this.problems = context.problems;
  }
}

/** The caller handed the store a value it must not write (it could not be read back). Nothing was written. */
export class InvalidStoreInputError extends StateStoreError {
  override name = 'InvalidStoreInputError';
}

/** `STATE_TABLE` is not set: the function cannot know where its state lives. */
export class StateTableNotConfiguredError extends StateStoreError {
  override name = 'StateTableNotConfiguredError';

  constructor() {
    super(
      'Environment variable STATE_TABLE is not set: set it to the name of the DynamoDB state table ' +
        '(serverless.yml sets it from the table resource).',
      { table: '' },
    );
  }
}
