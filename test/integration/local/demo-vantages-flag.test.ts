/**
 * `npm start -- --vantages <n>` (issue #11): the flag as a person types it — refused with exit 2
 * when out of range, and otherwise the demo says at start which vantages it runs.
 */

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

describe('npm start --vantages', () => {
  it.each(['1', '6', 'three'])('refuses --vantages %s with exit 2, saying what is allowed', (count) => {
    const run = spawnSync(process.execPath, ['local/demo/start.ts', '--vantages', count], {
      encoding: 'utf8',
    });

    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `--vantages must be 2 to 5 (the watchdogs, one per region: us-east-1, us-east-2, eu-west-1, us-west-2, ap-southeast-1), got '${count}'`,
    );
    expect(run.stderr).toContain('Usage: npm start -- [options]');
  });

  it('says at start which vantages watch, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['local/demo/start.ts', '--vantages', '3'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let said = '';
      for await (const line of createInterface({ input: child.stdout })) {
        if (line.includes('watchdogs')) {
          said = line;
          break;
        }
      }
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');

      expect(said).toMatch(
        /^ {2}watchdogs {6}functions\/watchdog\.ts as 3 vantages \(us-east-1, us-east-2, eu-west-1\).*quorum 2$/,
      );
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
