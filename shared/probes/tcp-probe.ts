import { connect, isIP, type Socket } from 'node:net';
import type { TcpCheck } from '../domain/config.ts';
import type { CheckResult } from '../domain/state.ts';
import { checkLabel } from './check-label.ts';
import { describeConnectionError } from './connection-errors.ts';

/**
 * Opens a TCP connection to `host:port` within `timeoutMs` (DNS included), then closes it. Never throws.
 *
 * @example
 * await probeTcp({ kind: 'tcp', host: 'db.internal', port: 5432, timeoutMs: 3000 });
 * // { check: 'tcp db.internal:5432', ok: true, latencyMs: 3, reason: 'connected' }
 */
export function probeTcp(check: TcpCheck): Promise<CheckResult> {
  const label = checkLabel(check);
  const started = performance.now();
  return new Promise<CheckResult>((resolve) => {
    let settled = false;
    let phase = isIP(check.host) ? 'connecting' : 'resolving host';
    let socket: Socket | undefined;
    const finish = (ok: boolean, reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket?.destroy();
      resolve({ check: label, ok, latencyMs: Math.round(performance.now() - started), reason });
    };
    const deadline = setTimeout(
      () => finish(false, `timeout after ${check.timeoutMs} ms (${phase})`),
      check.timeoutMs,
    );
    try {
      socket = connect({ host: check.host, port: check.port });
    } catch (error) {
      // An out-of-range port is rejected synchronously.
      finish(false, describeConnectionError(error, check.host));
      return;
    }
    socket.once('lookup', () => {
      phase = 'connecting';
    });
    socket.once('connect', () => finish(true, 'connected'));
    socket.on('error', (error) => finish(false, describeConnectionError(error, check.host)));
  });
}
