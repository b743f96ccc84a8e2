/**
 * The unbiased pass@k estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on
 * Code", eq. 1): from n samples of which c are correct, 1 - C(n-c, k) / C(n, k), computed as a product
 * so that large n does not overflow.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k) || n < 1 || k < 1 || c < 0 || c > n) {
    throw new RangeError(`pass@k needs integers n >= 1, 0 <= c <= n, k >= 1 (got n=${n}, c=${c}, k=${k})`);
  }
  if (k > n) throw new RangeError(`pass@${k} needs at least ${k} samples per task (got ${n})`);
  if (n - c < k) return 1;
  let miss = 1;
  for (let i = n - c + 1; i <= n; i++) miss *= 1 - k / i;
  return 1 - miss;
}

/** Mean of pass@k over tasks, each given as [n, c]. */
export function meanPassAtK(tasks: readonly (readonly [number, number])[], k: number): number {
  if (tasks.length === 0) return 0;
  return tasks.reduce((sum, [n, c]) => sum + passAtK(n, c, k), 0) / tasks.length;
}
