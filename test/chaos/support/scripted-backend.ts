/**
 * A real HTTP backend whose health answers follow a script, for the chaos matrix: each `/health`
 * request takes the next scripted reply (then the default one) and is recorded with what it was
 * served, so a test can compare the controller's decisions with the ground truth it was shown.
 * A `before` hook runs before the answer: a test's way to act at an exact moment of a flip (the
 * flip function's re-verification probe sits between its Route 53 read and its change).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `ok` 200, `fail` 503, `{ slowMs }` 200 after a delay, `hang` never answers. */
export type HealthReply = 'ok' | 'fail' | { readonly slowMs: number } | 'hang';

export interface ScriptedBackend {
  readonly url: string;
  /** Every health request, in order, with the reply it was served. */
  readonly served: HealthReply[];
  /** Replace the script: these replies next, in order, then `then` for good. */
  script(replies: readonly HealthReply[], then?: HealthReply): void;
  /** Set the reply for every request from now on (clears the script). */
  set(reply: HealthReply): void;
  /** Run `hook` before answering the next health request (once). */
  before(hook: () => Promise<void>): void;
  close(): Promise<void>;
}

export async function startScriptedBackend(initial: HealthReply = 'ok'): Promise<ScriptedBackend> {
  let queue: HealthReply[] = [];
  let fallback: HealthReply = initial;
  let hook: (() => Promise<void>) | null = null;
  const served: HealthReply[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const answer = (res: ServerResponse, reply: HealthReply) => {
    if (reply === 'hang') return;
    if (reply === 'ok' || reply === 'fail') {
      const ok = reply === 'ok';
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'failing');
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    }, reply.slowMs);
    timers.add(timer);
  };

  const server = createServer((req, res) => {
    if (req.url !== '/health') {
      res.writeHead(404).end();
      return;
    }
    const reply = queue.shift() ?? fallback;
    served.push(reply);
    const run = hook;
    hook = null;
    if (run === null) {
      answer(res, reply);
      return;
    }
    run().then(
      () => answer(res, reply),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    script(replies, then) {
      queue = [...replies];
      if (then !== undefined) fallback = then;
    },
    set(reply) {
      queue = [];
      fallback = reply;
    },
    before(next) {
      hook = next;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The ground truth of a served sequence: the index of the request that completed the first run of
 * `threshold` failures in a row (`fail` or `hang`), or null when there is none.
 */
export function firstRunOfFailures(served: readonly HealthReply[], threshold: number): number | null {
  let run = 0;
  for (const [i, reply] of served.entries()) {
    run = reply === 'fail' || reply === 'hang' ? run + 1 : 0;
    if (run >= threshold) return i;
  }
  return null;
}
