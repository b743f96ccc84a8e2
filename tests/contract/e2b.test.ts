/**
 * The real `e2b` SDK in debug mode against tests/standins/envd.ts on localhost:49983. Debug mode's
 * port is fixed, so nothing else may use it while this file runs (keep every e2b debug test here).
 */
import { E2BSandbox } from '../../sandbox/e2b/index.ts';
import { EnvdStandIn } from '../standins/envd.ts';
import { describeSandboxContract } from './sandbox-contract.ts';

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
