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

// The JavaScript bridge must hold without bubblewrap too: the runner process closes it itself.
describeSandboxContract('pyodide without bubblewrap', {
  isolated: false,
  reason: 'bubblewrap turned off on purpose: this run checks the containment that does not rest on it',
  wasm: true,
  create: async () => {
    const sandbox = new PyodideSandbox({ poolSize: 2, bubblewrap: false });
    await sandbox.ready();
    return { sandbox };
  },
});
