import { afterAll, describe, expect, it } from 'vitest';
import { ProcessSandbox } from '../../sandbox/process/index.ts';
import { probeBubblewrap } from '../../sandbox/process/jail.ts';
import { describeSandboxContract } from './sandbox-contract.ts';

const probe = probeBubblewrap();

describeSandboxContract('process', {
  isolated: probe.ok,
  reason: probe.reason,
  create: () => Promise.resolve({ sandbox: new ProcessSandbox() }),
});

if (!probe.ok) console.warn(`[skip] process sandbox: stray processes (needs bubblewrap's pid namespace): ${probe.reason}`);

describe.skipIf(!probe.ok)('process sandbox: what a test leaves running', () => {
  const sandbox = new ProcessSandbox();
  afterAll(() => sandbox.close());

  it('is gone when the next test starts: a forked child does not outlive its test', async () => {
    // Test 1 forks a child that spins forever and keeps its pid; test 2, in the same module (bare asserts
    // run in order), looks for it. Without the runner's clean-up after each test the child would still be
    // spinning, sharing the CPU with every later test (a fork bomb's copies did that to the next program).
    const program = [
      'import os, time',
      'kept = []',
      'def start():',
      '    pid = os.fork()',
      '    if pid == 0:',
      '        while True:',
      '            pass',
      '    kept.append(pid)',
      '    return True',
      'def alive(pid):',
      '    try:',
      '        os.kill(pid, 0)',
      '    except ProcessLookupError:',
      '        return False',
      '    with open(f"/proc/{pid}/stat") as f:',
      '        return f.read().split(")")[-1].split()[0] != "Z"',
      '',
    ].join('\n');
    const response = await sandbox.execute({
      mode: 'test',
      programs: [{ id: 'p', source: program }],
      tests: 'assert start()\nassert not alive(kept[0])\n',
      limits: { testTimeoutMs: 5_000, stepBudget: 2_000_000, outputBytes: 16_384, traceEvents: 4_000, valueChars: 120, memoryMb: 512, totalTimeoutMs: 60_000 },
    });
    const results = response.programs.find((p) => p.id === 'p')?.results ?? [];
    expect(results.map((r) => r.status), JSON.stringify(results)).toEqual(['passed', 'passed']);
  }, 60_000);
});
