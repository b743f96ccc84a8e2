export { createRepairEngine, DEFAULT_BUDGET, type RepairBudget, type RepairEngineDeps } from './engine.ts';
export { unifiedDiff, type DiffOptions } from './diff.ts';
export { compareCandidates, editSize, rankCandidates, type Ranked } from './rank.ts';
export { editableLines, runProgramSearch, SearchResponseSchema, type SearchRequest, type SearchResponse } from './search.ts';
export type * from './types.ts';
