/** A small buggy program and its tests: the program search fixes it by turning `-` into `+`. */
export const BUGGY_CODE = ['def add(a, b):', '    return a - b'].join('\n');
export const TESTS = ['assert add(2, 3) == 5', 'assert add(0, 0) == 0', 'assert add(-1, 1) == 0'].join('\n');
export const FIXED_LINE = 'return a + b';

/** The paste as a user would write it in chat. */
export function paste(code = BUGGY_CODE, tests = TESTS): string {
  return `add should return the sum\n\`\`\`python\n${code}\n\`\`\`\n\`\`\`python\n${tests}\n\`\`\``;
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
