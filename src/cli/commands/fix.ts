/**
 * `tracefix fix FILE [--tests FILE] [--description TEXT] [--sandbox ...] [--json]`: the repair loop on
 * a file: the rationale, the diff and the per-test table. Exit 0 fixed or nothing to fix, 1 not (or
 * only partly) fixed, 2 bad input or our fault. With no model configured the program search works alone.
 */
import { parseArgs } from 'node:util';
import type { Sandbox, SandboxName } from '../../../sandbox/index.ts';
import { createSandbox } from '../../../sandbox/index.ts';
import { limitsFromConfig, sandboxOptions } from '../../compose.ts';
import { TracefixError } from '../../errors.ts';
import { createRepairModel } from '../../model/index.ts';
import { createRepairEngine } from '../../repair/index.ts';
import type { Progress, RepairResult } from '../../repair/types.ts';
import { EXIT, type CliCommand, type CliContext } from '../context.ts';
import { readSourceFile } from './run.ts';
import { languageOf } from '../../request/language.ts';

const SANDBOXES: readonly SandboxName[] = ['pyodide', 'process', 'e2b'];

export function progressPrinter(context: CliContext): (p: Progress) => void {
  if (!context.interactive) return () => undefined;
  return (p) => {
    const bar =
      p.total && p.done !== undefined ? ` [${'#'.repeat(Math.round((p.done / p.total) * 20)).padEnd(20, '.')}] ${p.done}/${p.total}` : '';
    context.err.write(`\r\x1b[2K${p.message.slice(0, 70)}${bar}${p.stage === 'done' ? '\n' : ''}`);
  };
}

const MARK: Record<string, string> = { passed: 'pass', failed: 'FAIL', error: 'ERROR', timeout: 'TIMEOUT' };

export function formatResult(result: RepairResult): string {
  const lines: string[] = [result.summary, ''];
  if (result.rationale) lines.push('Why:', result.rationale, '');
  if (result.diff) lines.push(result.diff.trimEnd(), '');
  if (result.tests.length) {
    const width = Math.min(60, Math.max(...result.tests.map((t) => t.name.length), 4));
    lines.push(`${'test'.padEnd(width)}  before   after`);
    for (const t of result.tests) {
      const name = t.name.length > width ? t.name.slice(0, width - 1) + '…' : t.name.padEnd(width);
      lines.push(`${name}  ${(MARK[t.before] ?? t.before).padEnd(7)}  ${t.after ? (MARK[t.after] ?? t.after) : ''}`.trimEnd());
    }
    lines.push('');
  }
  if (result.trace && (result.status === 'nothing_to_fix' || !result.diff)) {
    lines.push(`Trace of ${result.trace.testName}:`, result.trace.excerpt || result.trace.rendered, '');
  }
  lines.push(`${result.candidates.tried} candidate${result.candidates.tried === 1 ? '' : 's'} tried, ${result.candidates.passed} passed all tests; ${result.model.id}; ${(result.timings.totalMs / 1000).toFixed(1)} s`);
  return lines.join('\n') + '\n';
}

export const command: CliCommand = {
  summary: 'Find a fix for a failing Python file, verified against its tests',
  usage: 'tracefix fix FILE [--tests FILE] [--description TEXT] [--entry NAME] [--sandbox pyodide|process|e2b] [--json]',
  async run(argv, context) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          tests: { type: 'string' },
          description: { type: 'string' },
          entry: { type: 'string' },
          sandbox: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      });
    } catch (error) {
      throw new TracefixError('bad_input', `${(error as Error).message}. Usage: ${command.usage}`);
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new TracefixError('bad_input', `Usage: ${command.usage}`);
    const backend = (values.sandbox ?? context.config.sandbox.backend) as SandboxName;
    if (!SANDBOXES.includes(backend)) throw new TracefixError('bad_input', `--sandbox must be one of ${SANDBOXES.join(', ')}.`);
    const code = await readSourceFile(positionals[0]!, 'The file');
    const tests = values.tests ? await readSourceFile(values.tests, 'The tests file') : undefined;

    const sandbox: Sandbox = createSandbox(sandboxOptions(context.config, backend));
    try {
      const model = createRepairModel(context.config.model, { logger: context.logger });
      const engine = createRepairEngine({
        sandbox,
        logger: context.logger,
        limits: limitsFromConfig(context.config),
        // REPAIR_MAX_CANDIDATES caps the fixes verified through the runner; the search screens far more
        // variants in process (each costs well under a millisecond), so it gets ten per slot.
        budget: { searchCandidates: context.config.repair.maxCandidates * 10, modelSamples: context.config.model.samples, traceTokens: context.config.repair.traceTokens },
        ...(model ? { model } : {}),
      });
      const result = await engine.run(
        {
          id: `cli-${Date.now().toString(36)}`,
          code,
          ...(tests ? { tests } : {}),
          ...(values.description ? { description: values.description } : {}),
          ...(values.entry ? { entryPoint: values.entry } : {}),
          language: languageOf(code, { file: positionals[0]! }),
          origin: { platform: 'cli' },
        },
        { onProgress: progressPrinter(context), deadline: Date.now() + context.config.repair.deadlineMs },
      );
      context.out.write(values.json ? JSON.stringify(result, null, 2) + '\n' : formatResult(result));
      return result.status === 'fixed' || result.status === 'nothing_to_fix' ? EXIT.ok : result.status === 'needs_tests' ? EXIT.error : EXIT.failing;
    } finally {
      await sandbox.close();
    }
  },
};
