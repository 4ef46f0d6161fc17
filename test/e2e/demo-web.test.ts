/**
 * The demo's web view in a real browser (headless Chromium, Debian's package): the page shows the
 * service, its phase, each target's health, the DNS answer and the last events, follows a failover
 * without a reload, and only ever reads. Screenshots are checked by size and by the colours the
 * page uses for each state, not against a golden image. Skipped, saying why, where no Chromium is
 * installed (`.ci/run` installs it in CI).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { type LocalDemo, startLocalDemo } from '../../local/demo/run.ts';
import { decodePng, type Pixels } from '../support/png.ts';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
  (path): path is string => path !== undefined && path !== '',
);
const executablePath = CANDIDATES.find((path) => existsSync(path));
const NO_BROWSER = `no Chromium installed (looked at ${CANDIDATES.join(', ')}; apt-get install chromium, or set CHROMIUM_PATH)`;
if (executablePath === undefined) console.warn(`demo web view tests skipped: ${NO_BROWSER}`);

const VIEWPORT = { width: 1024, height: 700 } as const;
/** The page's colours (local/demo/web-page.ts) for a down target, an up target and a failed-over service. */
const DOWN_RED = [0xc6, 0x28, 0x28] as const;
const UP_GREEN = [0x2e, 0x7d, 0x32] as const;
const FAILED_OVER_ORANGE = [0xef, 0x6c, 0x00] as const;

/** GET with a Host header of our choosing (fetch does not let one set it). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function countColor(png: Pixels, color: readonly [number, number, number]): number {
  let count = 0;
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const [r, g, b] = png.at(x, y);
      if (Math.abs(r - color[0]) <= 4 && Math.abs(g - color[1]) <= 4 && Math.abs(b - color[2]) <= 4) count++;
    }
  }
  return count;
}

describe('the demo web view in a browser', () => {
  let demo: LocalDemo | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let shots: string;
  const methods: string[] = [];
  const card = '[data-service="payments-api"]';
  const text = (selector: string) => page.locator(selector).first().textContent();

  const ready = (ctx: TestContext): LocalDemo => {
    if (executablePath === undefined || demo === undefined) return ctx.skip(NO_BROWSER);
    return demo;
  };

  beforeAll(async () => {
    if (executablePath === undefined) return;
    shots = await mkdtemp(join(tmpdir(), 'failover-web-view-'));
    demo = await startLocalDemo({
      out: new Writable({ write: (_chunk, _encoding, done) => done() }),
      timing: { runSeconds: 4, recoveryThreshold: 2, minDwellSeconds: 0, viewIntervalMs: 200 },
    });
    browser = await chromium.launch({
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    page.on('request', (request) => methods.push(`${request.method()} ${new URL(request.url()).pathname}`));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    if (shots) await rm(shots, { recursive: true, force: true });
  });

  it('is served on 127.0.0.1 and shows the service, its phase, target health and DNS answer', async (ctx) => {
    const running = ready(ctx);

    await page.goto(running.webUrl);

    expect(new URL(running.webUrl).hostname).toBe('127.0.0.1');
    await expect.poll(() => text(`${card} .phase`), { timeout: 20_000 }).toBe('primary-active');
    await expect.poll(() => text(`${card} .dns .answer`), { timeout: 5_000 }).toBe('primary.demo.internal');
    expect(await text(`${card} [data-target="primary"] .health`)).toBe('up');
    expect(await text(`${card} [data-target="secondary"] .health`)).toBe('up');
    expect(await text(`${card} .dns code`)).toContain(
      `dig @127.0.0.1 -p ${running.dnsPort} api.demo.internal CNAME`,
    );
    expect(await text('#events')).toContain('payments-api: phase primary-active, primary up, secondary up');
    const shot = decodePng(await page.screenshot({ path: join(shots, 'healthy.png') }));
    expect([shot.width, shot.height]).toEqual([VIEWPORT.width, VIEWPORT.height]);
    expect(countColor(shot, UP_GREEN)).toBeGreaterThan(500); // phase badge and both health badges
    expect(countColor(shot, DOWN_RED)).toBe(0);
  });

  it('follows a failover without a reload: phase, health, DNS answer and events change', async (ctx) => {
    const running = ready(ctx);
    const primary = running.backends.primary;
    if (primary === undefined) throw new Error('the embedded demo starts a primary backend');

    expect((await fetch(`${primary.url}/fail`, { method: 'POST' })).status).toBe(200);

    await expect.poll(() => text(`${card} .phase`), { timeout: 30_000 }).toBe('secondary-active');
    await expect.poll(() => text(`${card} .dns .answer`), { timeout: 5_000 }).toBe('standby.demo.internal');
    expect(await text(`${card} [data-target="primary"] .health`)).toBe('down');
    expect(await text(`${card} [data-target="primary"] .reason`)).toBe('status 503 not in [2xx]');
    expect(await text(`${card} tr.active th`)).toBe('secondary');
    expect(await text('#events')).toContain('epoch 0 -> 1: failover, traffic on the secondary');
    expect(methods.filter((m) => m.startsWith('GET /state.json')).length).toBeGreaterThan(1);
    const shot = decodePng(await page.screenshot({ path: join(shots, 'failed-over.png') }));
    expect([shot.width, shot.height]).toEqual([VIEWPORT.width, VIEWPORT.height]);
    expect(countColor(shot, DOWN_RED)).toBeGreaterThan(200); // the primary's health badge
    expect(countColor(shot, FAILED_OVER_ORANGE)).toBeGreaterThan(200); // the phase badge
  });

  it('only reads: the page sends GETs, and the server refuses anything else or another Host', async (ctx) => {
    const running = ready(ctx);

    const post = await fetch(running.webUrl, { method: 'POST', body: '{}' });
    const put = await fetch(new URL('state.json', running.webUrl), { method: 'PUT', body: '{}' });
    const rebound = await getWithHost(running.webUrl, 'attacker.example');

    expect([post.status, put.status]).toEqual([405, 405]);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(rebound).toBe(421);
    expect(methods.length).toBeGreaterThan(0);
    expect(methods.filter((m) => !m.startsWith('GET '))).toEqual([]);
  });
});
