/** What the model tests (src/model/*.test.ts) do around a stand-in: build a real model, catch its typed error. */
import { TracefixError } from '../../src/errors.ts';
import { createRepairModel, type LangChainRepairModel, type ModelConfig, type RepairModelDeps } from '../../src/model/index.ts';
import { FAST_RETRY, modelConfig } from './fixtures.ts';

/** createRepairModel on `modelConfig(config)` with fast retries; throws where the provider gives no model. */
export function repairModel(config: Partial<ModelConfig>, deps: RepairModelDeps = {}): LangChainRepairModel {
  const model = createRepairModel(modelConfig(config), { retry: FAST_RETRY, ...deps });
  if (!model) throw new Error('expected a model');
  return model;
}

/** The TracefixError `promise` rejects with; any other outcome fails the test. */
export async function rejection(promise: Promise<unknown>): Promise<TracefixError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TracefixError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
