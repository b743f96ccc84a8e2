import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { FineTuneProvider } from './types.ts';

/**
 * The default: no trainer. The dataset is copied to <exportDir>/<job>.jsonl for the operator to take
 * elsewhere, and the job "succeeds" with no model — nothing is evaluated or promoted.
 */
export function createExportProvider(options: { exportDir: string; now?: () => number }): FineTuneProvider {
  const now = options.now ?? Date.now;
  return {
    name: 'export',
    async submit(datasetPath, { baseModel, suffix }) {
      const id = `export-${suffix}-${now().toString(36)}`;
      await mkdir(options.exportDir, { recursive: true });
      const target = path.join(options.exportDir, `${id}.jsonl`);
      await copyFile(datasetPath, target);
      return { id, provider: 'export', baseModel, submittedAt: now(), dir: target };
    },
    status() {
      return Promise.resolve({ state: 'succeeded' as const });
    },
    cancel() {
      return Promise.resolve();
    },
  };
}
