/**
 * `tracefix eval --dataset FILE [--k 1,5,10] [--samples n] [--no-trace] [--model NAME|offline]
 * [--limit N] [--json FILE] [--resume] [--sandbox ...]`: the repair loop over a JSONL data set, each
 * returned fix judged on the task's full hidden test; prints fixed, wrong-but-fixed (said fixed, fails the
 * hidden test), not pinned, pass@k (Chen et al. 2021), candidates and median time per task, and the
 * per-bug-type breakdown. The JSON report carries every returned program (`fixed_code`).
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { SandboxName } from '../../../sandbox/index.ts';
import { TracefixError } from '../../errors.ts';
import { loadDataset, runEval, type EvalReport } from '../../eval/index.ts';
import type { RepairModel } from '../../model/types.ts';
import { EXIT, type CliCommand } from '../context.ts';

const SANDBOXES: readonly SandboxName[] = ['pyodide', 'process', 'e2b'];

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

export function formatReport(report: EvalReport, label: string): string {
  const lines = [
    `${label}`,
    `tasks                 ${report.tasks}`,
    `fixed                 ${report.fixed} (${pct(report.fixed_rate)})`,
    `wrong but "fixed"     ${report.wrongButFixed} (${pct(report.tasks ? report.wrongButFixed / report.tasks : 0)})  said fixed, fail the hidden tests`,
    `not pinned            ${report.notPinned} (${pct(report.tasks ? report.notPinned / report.tasks : 0)})  the tests do not pin the fix down`,
    `  right among options ${report.rightAmongOptions}  of those, a right fix is one of the options offered`,
    ...Object.entries(report.pass_at_k).map(([k, v]) => `${`pass@${k}`.padEnd(22)}${pct(v)}`),
    `candidates per task   ${report.candidates_per_task.toFixed(1)}`,
    `median time per task  ${report.median_seconds.toFixed(2)} s`,
    `median time per fix   ${report.median_seconds_fixed === null ? '-' : `${report.median_seconds_fixed.toFixed(2)} s`}`,
  ];
  if (report.by_bug_type) {
    lines.push('', 'bug type              fixed / tasks          wrong-but-fixed  not-pinned');
    for (const [type, v] of Object.entries(report.by_bug_type).sort()) {
      lines.push(
        `${type.padEnd(22)}${String(v.fixed).padStart(5)} / ${String(v.tasks).padEnd(4)} ${pct(v.fixed / v.tasks).padEnd(8)}   ${String(v.wrongButFixed).padStart(8)}  ${String(v.notPinned).padStart(10)}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

export const command: CliCommand = {
  summary: 'Evaluate the repair loop on a data set (fixed, pass@k, per bug type)',
  usage:
    'tracefix eval --dataset FILE [--k 1,5,10] [--samples N] [--no-trace] [--model NAME|offline] [--limit N] [--json FILE] [--resume] [--sandbox process|pyodide|e2b] [--search-ms MS] [--deadline-ms MS]',
  async run(argv, context) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        options: {
          dataset: { type: 'string' },
          k: { type: 'string', default: '1' },
          samples: { type: 'string' },
          'no-trace': { type: 'boolean', default: false },
          model: { type: 'string' },
          limit: { type: 'string' },
          json: { type: 'string' },
          resume: { type: 'boolean', default: false },
          sandbox: { type: 'string' },
          'search-ms': { type: 'string', default: '10000' },
          'deadline-ms': { type: 'string', default: '60000' },
          state: { type: 'string' },
        },
      });
    } catch (error) {
      throw new TracefixError('bad_input', `${(error as Error).message}. Usage: ${command.usage}`);
    }
    const { values } = parsed;
    if (!values.dataset) throw new TracefixError('bad_input', `--dataset is required. Usage: ${command.usage}`);
    const ks = values.k.split(',').map((s) => Number(s.trim()));
    if (ks.some((k) => !Number.isInteger(k) || k < 1)) throw new TracefixError('bad_input', '--k takes positive integers, e.g. 1,5,10.');
    const int = (name: string, v: string | undefined, fallback: number) => {
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new TracefixError('bad_input', `--${name} must be a positive integer.`);
      return n;
    };
    const samples = int('samples', values.samples, 1);
    const limit = values.limit === undefined ? undefined : int('limit', values.limit, 1);
    const searchMs = int('search-ms', values['search-ms'], 10_000);
    const deadlineMs = int('deadline-ms', values['deadline-ms'], 60_000);
    const backend = (values.sandbox ?? context.config.sandbox.backend) as SandboxName;
    if (!SANDBOXES.includes(backend)) throw new TracefixError('bad_input', `--sandbox must be one of ${SANDBOXES.join(', ')}.`);

    const services = context.services({ sandbox: backend });
    if (values.model && values.model !== 'offline' && context.config.model.provider === 'offline') {
      throw new TracefixError('bad_input', '--model names a model, but MODEL_PROVIDER is offline: set MODEL_PROVIDER (openai, anthropic, ollama) too.');
    }
    // --model pins one version (evaluating a candidate); without it, the live model as the bots use it.
    const model: RepairModel | undefined =
      values.model === 'offline' ? undefined : values.model ? (await services.modelFactory())(values.model) : await services.model();
    let tasks = await loadDataset(values.dataset);
    if (limit !== undefined) tasks = tasks.slice(0, limit);
    const statePath = values.state ?? (values.json ? `${values.json}.state.jsonl` : `${values.dataset.replace(/\.jsonl$/, '')}.eval-state.jsonl`);

    const sandbox = await services.sandbox();
    const limits = services.limits;
    const engine = await services.createEngine({ model: model ?? null, budget: { searchMs, promptTrace: !values['no-trace'] } });
    const started = Date.now();
    let fixedSoFar = 0;
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      const report = await runEval({
        engine,
        sandbox,
        limits,
        tasks,
        samples,
        ks,
        taskDeadlineMs: deadlineMs,
        statePath,
        resume: values.resume,
        signal: controller.signal,
        onTask: (entry, done, total) => {
          if (entry.fixed) fixedSoFar++;
          const elapsed = (Date.now() - started) / 1000;
          const bar = '#'.repeat(Math.round((done / total) * 30)).padEnd(30, '.');
          const line = `[${bar}] ${done}/${total} fixed ${fixedSoFar} (${((fixedSoFar / done) * 100).toFixed(0)}%) ${elapsed.toFixed(0)} s`;
          if (context.interactive) context.err.write(`\r\x1b[2K${line}${done === total ? '\n' : ''}`);
          else if (done % 10 === 0 || done === total) context.err.write(`${line}\n`);
        },
      });
      const label = `${values.dataset} — ${model ? `model ${model.id}${values['no-trace'] ? ' (no trace)' : ''} + program search` : 'program search, no model'}`;
      context.out.write(formatReport(report, label));
      if (values.json) {
        await writeFile(values.json, JSON.stringify({ dataset: values.dataset, model: model?.id ?? 'offline-search', trace: !values['no-trace'], ...report }, null, 2) + '\n');
        context.out.write(`Report written to ${values.json}\n`);
      }
      return EXIT.ok;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
