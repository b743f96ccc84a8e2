/** `tracefix models [--json]`: self-training history — every version, its scores, the decision, and which model is live. */
import { parseArgs } from 'node:util';
import type { ModelVersion } from '../../training/registry.ts';
import { EXIT, type CliCommand } from '../context.ts';

function line(v: ModelVersion, live: string | undefined): string {
  const when = new Date(v.decidedAt ?? v.createdAt).toISOString().replace('T', ' ').slice(0, 16);
  const scores = v.scores ? `  candidate ${v.scores.candidate.toFixed(3)} vs ${v.scores.live.toFixed(3)} (${v.scores.tasks} tasks × ${v.scores.samples})` : '';
  const mark = v.modelId !== undefined && v.modelId === live ? ' ← live' : '';
  return [
    `${when}  ${v.status.padEnd(10)} ${v.modelId ?? '(no model)'}${mark}`,
    `    run ${v.id}, base ${v.baseModel}, ${v.provider}${v.job ? ` job ${v.job.id}` : ''}, ${v.examples} examples + ${v.heldOut} held out${scores}`,
    ...(v.reason ? [`    ${v.reason}`] : []),
  ].join('\n');
}

export const command: CliCommand = {
  summary: 'Show self-trained model versions, scores and which one is live',
  usage: 'tracefix models [--json]',
  async run(argv, context) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } } });
    const registry = await context.services().registry();
    const [history, live, state] = await Promise.all([registry.history(), registry.liveModelId(), registry.state()]);
    if (values.json) {
      context.out.write(JSON.stringify({ live: live ?? context.config.model.name ?? null, history, state }, null, 2) + '\n');
      return EXIT.ok;
    }
    context.out.write(`Live model: ${live ?? `${context.config.model.name ?? 'offline search'} (configured; nothing promoted yet)`}\n`);
    if (state.lastRunAt) context.out.write(`Last training run: ${new Date(state.lastRunAt).toISOString()} — ${state.lastOutcome ?? ''}\n`);
    if (history.length === 0) context.out.write('No self-training runs yet.\n');
    else context.out.write('\n' + [...history].reverse().map((v) => line(v, live)).join('\n\n') + '\n');
    return EXIT.ok;
  },
};
