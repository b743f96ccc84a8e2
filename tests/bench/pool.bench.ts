/**
 * Pyodide pool under back-to-back requests (`npm run bench pool`): a repair makes several sandbox
 * calls in a row (tests, trace, search, verify, probe), each on a fresh runner. A fresh runner costs
 * about a second of CPU even from the snapshot; this compares starting a taken runner's replacement
 * at once (`taken`, while its request runs) with starting it once the request is over (`released`).
 * Each round: a new sandbox of 2 runners, both ready, then SEQUENCE small requests, each sent the
 * moment the previous one answered. The policies alternate round by round, so a load change on
 * the machine hits both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type RunnerRequest } from '../../sandbox/protocol.ts';
import { PyodideSandbox } from '../../sandbox/pyodide/index.ts';
import { median, type Print } from './stats.ts';

const ROUNDS = 6;
const SEQUENCE = 5;
const POLICIES = ['taken', 'released'] as const;
type Policy = (typeof POLICIES)[number];

const SMALL: RunnerRequest = {
  mode: 'test',
  programs: [{ id: 'p', source: 'def add(a, b):\n    return a + b\n' }],
  tests: 'assert add(1, 2) == 3\nassert add(-1, 1) == 0\n',
  limits: { ...DEFAULT_LIMITS, totalTimeoutMs: 120_000 },
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function round(policy: Policy, cacheDir: string): Promise<number[]> {
  const sandbox = new PyodideSandbox({ poolSize: 2, replaceWhen: policy, snapshotCacheDir: cacheDir });
  try {
    await sandbox.ready(2);
    await sleep(300);
    const times: number[] = [];
    for (let i = 0; i < SEQUENCE; i++) {
      const started = performance.now();
      const response = await sandbox.execute(SMALL);
      times.push(performance.now() - started);
      if (response.programs[0]?.results.some((r) => r.status !== 'passed')) throw new Error('the small request did not pass');
    }
    return times;
  } finally {
    await sandbox.close();
  }
}

const ms = (value: number): string => `${value.toFixed(0)} ms`;

export async function bench(print: Print): Promise<void> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'tracefix-bench-pool-'));
  try {
    // Makes the cached snapshot once, outside the measurement.
    const first = new PyodideSandbox({ poolSize: 1, snapshotCacheDir: cacheDir });
    await first.ready();
    await first.close();
    const runs: Record<Policy, number[][]> = { taken: [], released: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const policy of r % 2 === 0 ? POLICIES : [...POLICIES].reverse()) runs[policy].push(await round(policy, cacheDir));
    }
    for (const policy of POLICIES) {
      const byPosition = Array.from({ length: SEQUENCE }, (_, i) => median(runs[policy].map((times) => times[i] ?? NaN)));
      const warm = runs[policy].flatMap((times) => times.slice(0, 2));
      const total = median(runs[policy].map((times) => times.reduce((a, b) => a + b, 0)));
      print(
        `replace when ${policy.padEnd(8)}: requests 1-2 (ready runners) median ${ms(median(warm))}; by position ${byPosition.map(ms).join(', ')}; ${SEQUENCE} in a row ${ms(total)} (median of ${ROUNDS})`,
      );
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
