/**
 * Tracer benchmarks (`npm run bench trace`), on both interpreters the backends use: the machine's
 * python3 (process, e2b) and Pyodide's (in this process; the scripts and programs are our own):
 * - tracer speed with every event kept, against a naive tracer that snapshots every local (target ≤ 1.5×);
 * - tracing overhead on loop-heavy code, the runner's durationMs traced vs untraced, measured the same
 *   way on both (the untraced run counts loop iterations from its start, as Pyodide always does;
 *   CPython's uncounted run is printed too) — target < 10×;
 * - trace fidelity: per-line states of our tracer against an independent settrace recorder on 41
 *   programs (trace-fidelity.py), identical/total and the differences.
 * Timings are CPU time where Python has it (python3), wall time in Pyodide: on a loaded machine re-run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Print } from './stats.ts';

const RUNNER_DIR = fileURLToPath(new URL('../../sandbox/runner/', import.meta.url));
const SPEED = fileURLToPath(new URL('./trace-speed.py', import.meta.url));
const FIDELITY = fileURLToPath(new URL('./trace-fidelity.py', import.meta.url));

const SpeedSchema = z.object({
  python: z.string(),
  loopy: z.object({
    plainMs: z.number(),
    tracedMs: z.number(),
    overhead: z.number(),
    events: z.number(),
    nativePlainMs: z.number().nullable(),
    overheadVsNative: z.number().nullable(),
  }),
  events: z.number(),
  oursPerS: z.number(),
  naivePerS: z.number(),
  slowdown: z.number(),
});

const FidelitySchema = z.object({
  python: z.string(),
  identical: z.number(),
  total: z.number(),
  differences: z.record(
    z.string(),
    z.array(z.object({ at: z.number(), ours: z.string().nullable(), reference: z.string().nullable() })),
  ),
});

type Runner = (script: string, args: string[]) => Promise<string>;

const python3: Runner = (script, args) => {
  const run = spawnSync('python3', [script, ...args], {
    cwd: RUNNER_DIR,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONPATH: RUNNER_DIR },
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (run.status !== 0) throw new Error(`${script} failed: ${run.stderr}`);
  return Promise.resolve(run.stdout);
};

async function pyodideRunner(): Promise<Runner> {
  const { loadPyodide } = await import('pyodide');
  const py = await loadPyodide({ stdout: () => undefined, stderr: () => undefined });
  // Pyodide's FS is typed through emscripten types it does not ship; only these two calls are used.
  const fs = py.FS as unknown as {
    mkdirTree(path: string): void;
    writeFile(path: string, data: Uint8Array | string): void;
  };
  fs.mkdirTree('/runner/tracefix_runner');
  const dir = `${RUNNER_DIR}tracefix_runner`;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.py'))) {
    fs.writeFile(`/runner/tracefix_runner/${name}`, readFileSync(`${dir}/${name}`));
  }
  py.runPython("import sys; sys.path.insert(0, '/runner')");
  return (script, args) => {
    fs.writeFile('/runner/bench_script.py', readFileSync(script));
    const globals = py.toPy({ argv: ['bench_script.py', ...args] }) as unknown;
    const out = py.runPython(
      [
        'import contextlib, io, sys',
        'sys.argv = argv',
        'buf = io.StringIO()',
        'with contextlib.redirect_stdout(buf):',
        "    exec(compile(open('/runner/bench_script.py').read(), 'bench_script.py', 'exec'), {'__name__': '__main__'})",
        'buf.getvalue()',
      ].join('\n'),
      { globals: globals as never },
    ) as string;
    return Promise.resolve(out);
  };
}

function lastJson(stdout: string): unknown {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line);
}

async function measure(name: string, run: Runner, print: Print): Promise<void> {
  const speed = SpeedSchema.parse(lastJson(await run(SPEED, ['7'])));
  const label = `${name.padEnd(8)} (Python ${speed.python})`;
  print(
    `${label} tracer speed, every event kept: ${speed.oursPerS.toFixed(0)} events/s vs naive all-locals tracer ${speed.naivePerS.toFixed(0)} events/s → ${speed.slowdown.toFixed(2)}× the naive cost per event (target ≤ 1.5×; ${speed.events} events)`,
  );
  const loopy = speed.loopy;
  const native =
    loopy.nativePlainMs === null || loopy.overheadVsNative === null
      ? ''
      : `; vs the untraced run without step counting (${loopy.nativePlainMs.toFixed(1)} ms): ${loopy.overheadVsNative.toFixed(1)}×`;
  print(
    `${label} tracing overhead, loop-heavy code: untraced ${loopy.plainMs.toFixed(1)} ms (counting steps from the start), traced ${loopy.tracedMs.toFixed(1)} ms → ${loopy.overhead.toFixed(1)}× (target < 10×; ${loopy.events} events, 4000 kept)${native}`,
  );
  const fidelity = FidelitySchema.parse(lastJson(await run(FIDELITY, [])));
  print(
    `${label} trace fidelity vs an independent settrace recorder: ${fidelity.identical}/${fidelity.total} programs identical`,
  );
  for (const [program, diffs] of Object.entries(fidelity.differences)) {
    for (const d of diffs)
      print(
        `    ${program} @${d.at}: ours ${d.ours ?? '(nothing)'} | reference ${d.reference ?? '(nothing)'}`,
      );
  }
}

export async function bench(print: Print): Promise<void> {
  await measure('python3', python3, print);
  await measure('pyodide', await pyodideRunner(), print);
}
