/**
 * Cold CLI start (`npm run bench cli-start`): `tracefix run` of a one-line passing snippet, a fresh
 * process each time, against a bare `python3` run of the same file, on the pyodide and process
 * backends. On pyodide a cold process starts its runner from the per-user snapshot cache; the very
 * first run, which makes that cache, is shown on its own. Target (issue 8): at most 15× the bare run, in wall time (what the user waits). CPU time
 * is not shown: the Pyodide runner processes are killed at exit, not waited for, so no rusage figure
 * would count them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type Print } from './stats.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = 5;

/** Wall time of one run, from spawn to exit; a failing run is an error, not a figure. */
function measure(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const [program, ...args] = command;
    const started = performance.now();
    const child = spawn(program!, args, { cwd: ROOT, env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${command.join(' ')} exited ${code}`));
      else resolve(performance.now() - started);
    });
  });
}

async function medianWall(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const walls: number[] = [];
  for (let i = 0; i < RUNS; i++) walls.push(await measure(command, env));
  return median(walls);
}

const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;

export async function bench(print: Print): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tracefix-bench-cli-'));
  try {
    const file = join(dir, 'one.py');
    writeFileSync(file, 'assert 1 + 1 == 2\n');
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, DATA_DIR: dir, LOG_LEVEL: 'silent' };
    const bare = await medianWall(['python3', file], env);
    print(`bare python3 run: ${fmt(bare)} (median of ${RUNS})`);
    for (const backend of ['process', 'pyodide'] as const) {
      const command = [process.execPath, 'bin/tracefix.js', 'run', file];
      if (backend === 'pyodide') {
        // HOME is the empty scratch folder: the first run makes the snapshot cache, later runs start from it.
        const first = await measure(command, { ...env, TRACEFIX_SANDBOX: backend });
        print(`first \`tracefix run\` (pyodide), making the snapshot cache: ${fmt(first)}, ${(first / bare).toFixed(1)}× the bare run`);
      }
      const cold = await medianWall(command, { ...env, TRACEFIX_SANDBOX: backend });
      print(`cold \`tracefix run\` (${backend}): ${fmt(cold)}, ${(cold / bare).toFixed(1)}× the bare run (target ≤ 15×)`);
    }
    const help = await medianWall([process.execPath, 'bin/tracefix.js', '--help'], env);
    print(`\`tracefix --help\`: ${fmt(help)}, ${(help / bare).toFixed(1)}× the bare run`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
