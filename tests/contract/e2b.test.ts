/**
 * The real `e2b` SDK in debug mode against tests/standins/envd.ts on localhost:49983. Debug mode's
 * port is fixed, so nothing else may use it while this file runs (keep every e2b debug test here).
 */
import { E2BSandbox } from '../../sandbox/e2b/index.ts';
import { EnvdStandIn } from '../standins/envd.ts';
import { describe, expect, it } from 'vitest';
import { describeSandboxContract, limits } from './sandbox-contract.ts';

const envd = new EnvdStandIn();

describeSandboxContract('e2b', {
  isolated: envd.isolated,
  reason: 'the envd stand-in runs commands on this machine, and bubblewrap does not work here',
  create: async () => {
    await envd.start();
    const sandbox = new E2BSandbox({ debug: true, poolSize: 2 });
    return {
      sandbox,
      cleanup: async () => {
        await envd.stop();
      },
    };
  },
});

// Debug mode gives every sandbox the same id, so the stand-in cannot tell sandboxes apart by id;
// every fresh sandbox gets the runner uploaded, which it can count.
describe('e2b: one sandbox per request', () => {
  it('uploads the runner into a new sandbox for every request', async () => {
    const standIn = new EnvdStandIn();
    await standIn.start();
    const sandbox = new E2BSandbox({ debug: true, poolSize: 1 });
    try {
      for (let i = 0; i < 4; i++) {
        const response = await sandbox.execute({ mode: 'test', programs: [{ id: 'p', source: 'def f():\n    return 1\n' }], tests: 'assert f() == 1\n', limits: limits() });
        expect(response.programs[0]?.results[0]?.status).toBe('passed');
      }
      const starts = standIn.requests.filter((r) => r.path === '/process.Process/Start').length;
      const uploads = standIn.requests.filter((r) => r.path === '/files' && r.method === 'POST').length;
      expect(starts).toBe(4);
      // One runner upload per sandbox plus one request file per request.
      expect(uploads).toBeGreaterThanOrEqual(2 * starts);
    } finally {
      await sandbox.close();
      await standIn.stop();
    }
  }, 120_000);
});
