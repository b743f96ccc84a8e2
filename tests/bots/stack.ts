/**
 * The real back end the bot tests run against: the repair engine with the program search (no model) on
 * the machine's python3 behind the `process` sandbox, and the feedback store on a SQLite file in a
 * temporary folder. Nothing here is a mock: only Slack and Discord are stand-ins.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox } from '../../sandbox/index.ts';
import { createFeedbackStore, type KeyvFeedbackStore } from '../../src/feedback/store.ts';
import { createRepairEngine } from '../../src/repair/index.ts';
import type { RepairService } from '../../src/repair/types.ts';

export interface RepairStack {
  service: RepairService;
  store: KeyvFeedbackStore;
  dir: string;
  close(): Promise<void>;
}

/** Why the real stack cannot run here (no python3 for the process sandbox), or undefined. */
export function repairStackUnavailable(): string | undefined {
  const probe = spawnSync('python3', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.status === 0) return undefined;
  return 'python3 is not installed, and the process sandbox the bot tests run the engine on needs it';
}

/** Skips a test file's suites, saying why, when the real stack cannot run. */
export function skipReason(file: string): string | undefined {
  const reason = repairStackUnavailable();
  if (reason !== undefined) console.warn(`${file}: skipped — ${reason}`);
  return reason;
}

export async function startRepairStack(): Promise<RepairStack> {
  const dir = await mkdtemp(join(tmpdir(), 'tracefix-bots-'));
  const store = await createFeedbackStore({
    url: `sqlite://${join(dir, 'feedback.sqlite')}`,
    retentionDays: 30,
    dataDir: dir,
    pseudonymSecret: 'bots-test-secret',
  });
  const sandbox = await createSandbox({ backend: 'process' });
  const service = createRepairEngine({ sandbox });
  return {
    service,
    store,
    dir,
    async close() {
      await store.close();
      await sandbox.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
