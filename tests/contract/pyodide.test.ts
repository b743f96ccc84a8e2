import { PyodideSandbox } from '../../sandbox/pyodide/index.ts';
import { probeBubblewrap } from '../../sandbox/process/jail.ts';
import { describeSandboxContract } from './sandbox-contract.ts';

const probe = probeBubblewrap();

describeSandboxContract('pyodide', {
  isolated: probe.ok,
  reason: probe.reason,
  wasm: true,
  create: async () => {
    const sandbox = new PyodideSandbox({ poolSize: 2 });
    await sandbox.ready();
    return { sandbox };
  },
});
