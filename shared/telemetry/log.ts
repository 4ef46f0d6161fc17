/**
 * Structured JSON log lines (one object per line, as CloudWatch Logs Insights likes them).
 * Never pass secrets: notifier URLs and keys stay inside `shared/notify`.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  /** Lowest level written; default from env `LOG_LEVEL`, else `info`. */
  readonly level?: LogLevel;
  /** Where lines go; default stdout. */
  readonly write?: (line: string) => void;
  readonly now?: () => number;
}

/**
 * @example
 * const log = createLogger({ fn: 'watchdog' });
 * log.info('round done', { service: 'payments-api', durationMs: 42 });
 */
export function createLogger(base: Record<string, unknown> = {}, options: LoggerOptions = {}): Logger {
  const envLevel = process.env.LOG_LEVEL;
  const level: LogLevel =
    options.level ??
    (envLevel === 'debug' || envLevel === 'warn' || envLevel === 'error' ? envLevel : 'info');
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const emit = (lvl: LogLevel, message: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lvl] < ORDER[level]) return;
    // A field named like a line's own key must not overwrite it: a `message` field becomes `detail`.
    const { level: _level, time: _time, message: detail, ...rest } = { ...base, ...fields };
    const line = { level: lvl, time: new Date(now()).toISOString(), message, ...rest };
    write(JSON.stringify(detail === undefined ? line : { ...line, detail }, errorsAsText));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, { level, write, now }),
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

function errorsAsText(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
