/**
 * `tracefix dataset build [--since DATE] [--out FILE] [--held-out FRACTION]`: the fine-tuning dataset
 * from the feedback store (net 👍 and every test passed), secrets scrubbed, with a summary of what was
 * kept and why the rest was dropped.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TracefixError } from '../../errors.ts';
import { buildDataset, summariseBuild, writeDataset } from '../../training/dataset.ts';
import { EXIT, type CliCommand } from '../context.ts';

export const command: CliCommand = {
  summary: 'Build the self-training dataset from upvoted, verified answers',
  usage: 'tracefix dataset build [--since 2026-01-31] [--out FILE.jsonl] [--held-out 0.1]',
  async run(argv, context) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { since: { type: 'string' }, out: { type: 'string' }, 'held-out': { type: 'string' } },
    });
    if (positionals[0] !== 'build' || positionals.length > 1) {
      throw new TracefixError('bad_input', `Usage: ${command.usage}`);
    }
    let since: number | undefined;
    if (values.since !== undefined) {
      since = Date.parse(values.since);
      if (Number.isNaN(since)) throw new TracefixError('bad_input', `--since "${values.since}" is not a date (use e.g. 2026-01-31).`);
    }
    const heldOut = values['held-out'] === undefined ? 0.1 : Number(values['held-out']);
    if (!(heldOut >= 0 && heldOut < 1)) throw new TracefixError('bad_input', '--held-out must be a fraction from 0 to below 1.');
    const out = values.out ?? path.join(context.config.dataDir, 'training', `dataset-${new Date().toISOString().slice(0, 10)}.jsonl`);
    const store = await context.services().store();
    const build = await buildDataset(store, { heldOutFraction: heldOut, ...(since !== undefined ? { since } : {}) });
    const written = await writeDataset(build, out);
    context.out.write(`${summariseBuild(build)}\nWrote ${written.trainPath}\n  and ${written.heldOutPath}\n`);
    return EXIT.ok;
  },
};
