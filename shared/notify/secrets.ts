/**
 * Resolves `SecretValue`s: literal strings as they are, `{ kind: 'ssm', path }` with SSM
 * `GetParameter` (decrypted). Each path is fetched once per resolver, i.e. once per cold start
 * when the notifier is built at module scope; concurrent callers share the one request. A failed
 * fetch is not cached, so the next notification tries again.
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { SecretValue } from '../domain/config.ts';
import { SecretResolutionError } from './errors.ts';

export interface SecretResolver {
  /** The secret's value; rejects with `SecretResolutionError` (path named, value never). */
  resolve(value: SecretValue): Promise<string>;
}

export interface SecretResolverOptions {
  /** The SSM client; built on first use when absent (honours `AWS_ENDPOINT_URL_SSM`). */
  readonly ssm: () => SSMClient;
  /** Bound of one GetParameter call (with the SDK's own retries). */
  readonly timeoutMs: number;
}

/**
 * @example
 * const secrets = createSecretResolver({ ssm: () => ssmClient, timeoutMs: 3000 });
 * const url = await secrets.resolve({ kind: 'ssm', path: '/failover/slack-webhook' });
 */
export function createSecretResolver(options: SecretResolverOptions): SecretResolver {
  const cache = new Map<string, Promise<string>>();
  return {
    resolve(value) {
      if (typeof value === 'string') return Promise.resolve(value);
      const cached = cache.get(value.path);
      if (cached !== undefined) return cached;
      const fetching = fetchParameter(options, value.path);
      cache.set(value.path, fetching);
      fetching.catch(() => cache.delete(value.path));
      return fetching;
    },
  };
}

async function fetchParameter(options: SecretResolverOptions, path: string): Promise<string> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  try {
    const output = await options
      .ssm()
      .send(new GetParameterCommand({ Name: path, WithDecryption: true }), { abortSignal: abort.signal });
    const secret = output.Parameter?.Value;
    if (secret === undefined || secret === '')
      throw new SecretResolutionError(path, 'the parameter has no value');
    return secret;
  } catch (error) {
    if (error instanceof SecretResolutionError) throw error;
    if (abort.signal.aborted) {
      throw new SecretResolutionError(path, `no answer from SSM within ${options.timeoutMs} ms`, {
        cause: error,
      });
    }
    throw new SecretResolutionError(path, describeSsmError(error), { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** By error name, with what to do: SSM messages are long and quote role ARNs. */
function describeSsmError(error: unknown): string {
  const name = error instanceof Error ? error.name : 'unknown error';
  switch (name) {
    case 'ParameterNotFound':
      return 'ParameterNotFound (create it, or fix the path in the notifier config)';
    case 'AccessDeniedException':
      return 'AccessDeniedException (allow ssm:GetParameter on it, and kms:Decrypt for a SecureString)';
    case 'ParameterVersionNotFound':
      return 'ParameterVersionNotFound (the version in the path does not exist)';
    default:
      return name;
  }
}
