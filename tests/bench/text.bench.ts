/**
 * Text benchmarks (`npm run bench text`): the pure-TypeScript passes over a user's paste that must stay
 * linear, timed on a megabyte (median of 5 runs, after one warm-up). Targets: token estimate < 500 ms,
 * the Python lexer < 500 ms, parsePaste < 2 s, the NExT rendering's line split < 500 ms. These were
 * wall-time assertions in the unit tests, where a loaded machine made them flake.
 */
import { parsePaste } from '../../src/request/parse-paste.ts';
import { estimateTokens } from '../../src/trace/estimate-tokens.ts';
import { splitSource } from '../../src/trace/python-lines.ts';
import { lexPython } from '../../src/trace/python-lexer.ts';
import { median, type Print } from './stats.ts';

const F = '```';

function timeMs(run: () => unknown): number {
  run();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  return median(times);
}

export function bench(print: Print): Promise<void> {
  const traced = 'def f(x):\n    return [i * x for i in range(10)]  # (3) x=12;\n'.repeat(16_000);
  const body = Array.from({ length: 30_000 }, (_, i) => `def f${i}(x):\n    """Doc # ${i} (\n    """\n    return x + ${i}  # f'{x}'`).join('\n');
  const paste = `big one\n${F}python\n${body}\n${F}\n${F}python\nassert f7(1) == 8\n${F}`;
  const cases: [string, number, () => unknown, number][] = [
    ['estimateTokens', traced.length, () => estimateTokens(traced), 500],
    ['lexPython', body.length, () => lexPython(body), 500],
    ['splitSource', body.length, () => splitSource(body), 500],
    ['parsePaste', paste.length, () => parsePaste({ text: paste, platform: 'slack' }, { maxBytes: 4 * 1024 * 1024 }), 2000],
  ];
  for (const [name, chars, run, targetMs] of cases) {
    const ms = timeMs(run);
    print(`${name.padEnd(15)} ${(chars / 1e6).toFixed(2)} M chars  ${ms.toFixed(1).padStart(7)} ms  (target < ${targetMs} ms${ms < targetMs ? '' : ', OVER'})`);
  }
  return Promise.resolve();
}
