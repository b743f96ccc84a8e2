import { ProcessSandbox } from '../../sandbox/process/index.ts';
import { probeBubblewrap } from '../../sandbox/process/jail.ts';
import { describeSandboxContract } from './sandbox-contract.ts';

const probe = probeBubblewrap();

describeSandboxContract('process', {
  isolated: probe.ok,
  reason: probe.reason,
  create: () => Promise.resolve({ sandbox: new ProcessSandbox() }),
});
