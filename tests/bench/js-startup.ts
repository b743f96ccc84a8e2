/**
 * `npx tsx tests/bench/js-startup.ts`: the figures behind sandbox/js/README.md's choice — start-up of
 * Node inside the jail, of the QuickJS runner inside the jail, and throughput of QuickJS against Node
 * on a tight loop. Medians of a few runs; re-measure on a quiet machine.
 */
import { performance } from 'node:perf_hooks';
import { JsSandbox } from '../../sandbox/js/index.ts';
import { onceEnded, probeBubblewrap, real, spawnJailed } from '../../sandbox/process/jail.ts';
import { DEFAULT_LIMITS } from '../../sandbox/protocol.ts';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function jailedNode(code: string): Promise<number> {
  const t0 = performance.now();
  const child = spawnJailed(
    {
      command: [real(process.execPath), '-e', code],
      mounts: [],
      limits: { cpuSeconds: 30, fileSizeBytes: 1 << 20, openFiles: 256, processes: 64 },
      cwd: '/tmp',
      bubblewrap: probeBubblewrap().ok,
    },
    '/',
  );
  child.stdout.resume();
  child.stderr.resume();
  await new Promise<void>((resolve) => onceEnded(child, () => resolve()));
  return performance.now() - t0;
}

const LOOP = 'let s = 0; for (let i = 0; i < 1e6; i++) s += i % 7;';
const runs = Number(process.argv[2] ?? 5);
const nodeStart: number[] = [];
const nodeLoop: number[] = [];
for (let i = 0; i < runs; i++) {
  nodeStart.push(await jailedNode('0'));
  nodeLoop.push((await jailedNode(LOOP)) - (nodeStart.at(-1) ?? 0));
}
const sandbox = new JsSandbox({ prespawn: 0 });
const request = (tests: string) => ({ mode: 'test' as const, language: 'javascript' as const, programs: [{ id: 'p', source: 'function f(){ return 1; }' }], tests, limits: DEFAULT_LIMITS });
const runnerOne: number[] = [];
const perTest: number[] = [];
const qjsLoop: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  await sandbox.execute(request('console.assert(f() === 1);'));
  runnerOne.push(performance.now() - t0);
  const r = await sandbox.execute(request(Array.from({ length: 20 }, () => 'console.assert(f() === 1);').join('\n')));
  perTest.push(median((r.programs[0]?.results ?? []).map((x) => x.durationMs)));
  const loop = await sandbox.execute(request(`${LOOP}\nconsole.assert(s > 0);`));
  qjsLoop.push(loop.programs[0]?.results[0]?.durationMs ?? NaN);
}
await sandbox.close();
const row = (name: string, ms: number) => console.log(`${name.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms`);
console.log(`median of ${runs} runs; bubblewrap: ${probeBubblewrap().ok}`);
row('Node in the jail: start and exit (`node -e 0`)', median(nodeStart));
row('QuickJS runner in the jail: one request, one test', median(runnerOne));
row('QuickJS: one test (fresh runtime + prelude + test)', median(perTest));
row('Node: 1e6-iteration loop', median(nodeLoop));
row('QuickJS: 1e6-iteration loop (inside one test)', median(qjsLoop));
