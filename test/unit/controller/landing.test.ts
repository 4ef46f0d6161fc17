/**
 * Landing a move (issue #12): with `dataPlane: fallback`, the compare-and-swap is tried until the
 * deadline — never a data-plane landing before the API has failed that long — and a Route 53 that
 * answers again within it takes the move by compare-and-swap.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/index.ts';
import { landMoves } from '../../../shared/controller/landing.ts';
import type { Prepared } from '../../../shared/controller/move-execution.ts';
import type { ServiceConfig } from '../../../shared/domain/config.ts';
import { ManualClock, MemoryTraffic } from '../../support/in-memory-ports.ts';

const service = (deadline: number): ServiceConfig => {
  const [parsed] = parseConfig(
    `
services:
  - name: api
    hostedZoneId: Z123
    recordName: api.example.com
    recordType: CNAME
    dataPlane: fallback
    dataPlaneDeadlineSeconds: ${deadline}
    primary: { setIdentifier: primary, checks: [{ tcp: { host: p.example.com, port: 443 } }] }
    secondary: { setIdentifier: secondary, checks: [{ tcp: { host: s.example.com, port: 443 } }] }
`,
    'test.yml',
    {},
  ).services;
  if (parsed === undefined) throw new Error('no service');
  return parsed;
};

/** A Route 53 that cannot be read until `readsUntilUp` reads have failed. */
class FlakyTraffic extends MemoryTraffic {
  reads = 0;
  readsUntilUp = Number.POSITIVE_INFINITY;
  override async readAll(services: readonly ServiceConfig[]) {
    this.reads++;
    if (this.reads <= this.readsUntilUp) throw new Error('ServiceUnavailable (HTTP 503)');
    return super.readAll(services);
  }
}

/** A claimed move of `svc` to the secondary, Route 53 unread (the first read failed). */
function unread(svc: ServiceConfig): Prepared {
  return { service: svc, move: { to: 'secondary' }, reading: null } as unknown as Prepared;
}

describe('landMoves with dataPlane: fallback', () => {
  let clock: ManualClock;

  beforeEach(() => {
    clock = new ManualClock();
  });

  it('keeps trying Route 53 until the deadline, even one shorter than the pause between tries', async () => {
    const svc = service(1);
    const traffic = new FlakyTraffic([svc]);
    const started = clock.now();

    const results = await landMoves({ traffic, clock }, [unread(svc)]);

    expect(results.get('api')).toMatchObject({ outcome: 'data-plane' });
    expect(clock.now() - started).toBe(1_000);
    expect(traffic.reads).toBe(1);
  });

  it('lands through the data plane only after the API has failed for the whole deadline', async () => {
    const svc = service(30);
    const traffic = new FlakyTraffic([svc]);
    const started = clock.now();

    const results = await landMoves({ traffic, clock }, [unread(svc)]);

    expect(results.get('api')).toMatchObject({
      outcome: 'data-plane',
      cause: expect.stringContaining('failed for 30 s'),
    });
    expect(clock.now() - started).toBe(30_000);
    expect(traffic.reads).toBe(15);
  });

  it('flips by compare-and-swap when Route 53 answers again within the deadline', async () => {
    const svc = service(30);
    const traffic = new FlakyTraffic([svc]);
    traffic.readsUntilUp = 2;

    const results = await landMoves({ traffic, clock }, [unread(svc)]);

    expect(results.get('api')).toMatchObject({ outcome: 'flipped' });
    expect(traffic.changes).toBe(1);
  });
});

describe('landMoves with dataPlane: fallback, Route 53 answering again with other records', () => {
  it('never overrides records someone changed while the API was failing', async () => {
    const clock = new ManualClock();
    const svc = service(30);
    const traffic = new MemoryTraffic([svc]);
    const reading = traffic.reading(svc);
    traffic.failing = 'no';
    const landing = landMoves({ traffic, clock }, [
      { service: svc, move: { to: 'secondary' }, reading } as unknown as Prepared,
    ]);
    // An operator's hand edit lands between the first failed attempt and the next read.
    traffic.weights.set('api', { primary: 50, secondary: 50 });
    traffic.failing = null;

    const results = await landing;

    expect(results.get('api')).toMatchObject({ outcome: 'changed-underneath' });
    expect(traffic.weights.get('api')).toEqual({ primary: 50, secondary: 50 });
  });
});
