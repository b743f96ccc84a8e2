/**
 * `npm run bench`: runs every tests/bench/<name>.bench.ts (or only those named on the command line)
 * and prints medians and ratios. Each module exports `bench(print)`; benchmarks measure speed and
 * memory here, never in unit tests.
 */
import { readdir } from 'node:fs/promises';

import type { Print } from './stats.ts';

export interface BenchModule {
  bench(print: Print): Promise<void>;
}

async function runAll(only: string[]): Promise<void> {
  const dir = new URL('./', import.meta.url);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts')).sort();
  const selected = only.length ? files.filter((f) => only.some((o) => f.startsWith(o))) : files;
  for (const file of selected) {
    console.log(`\n== ${file.replace('.bench.ts', '')}`);
    const mod = (await import(new URL(file, dir).href)) as BenchModule;
    const started = performance.now();
    await mod.bench((line) => console.log(`  ${line}`));
    console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runAll(process.argv.slice(2));
}
