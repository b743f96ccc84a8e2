/**
 * The real engine with one answer scripted in front of it: requests whose tests are exactly `tests`
 * get `result` (a not-pinned result the engine cannot produce yet); every other request — the re-run
 * with the chosen test appended — goes to the real engine and is really verified. Every request is
 * recorded so tests can check what the front end sent.
 */
import type { RepairRequest, RepairResult, RepairService } from '../../src/repair/types.ts';

export interface ScriptedService extends RepairService {
  requests: RepairRequest[];
}

export function scriptedFirst(engine: RepairService, tests: string, result: (request: RepairRequest) => RepairResult): ScriptedService {
  const requests: RepairRequest[] = [];
  return {
    requests,
    async run(request, options) {
      requests.push(request);
      if ((request.tests ?? '').trim() === tests.trim()) return { ...result(request), requestId: request.id };
      return engine.run(request, options);
    },
  };
}
