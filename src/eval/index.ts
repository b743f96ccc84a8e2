export { passAtK, meanPassAtK } from './pass-at-k.ts';
export { loadDataset, requestFor, judgedProgram, TaskSchema, type Task } from './dataset.ts';
export { runEval, judge, summarise, median, type EvalOptions, type EvalReport, type TaskEntry } from './harness.ts';
