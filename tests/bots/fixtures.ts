/** A small buggy program and its tests: the program search fixes it by turning `-` into `+`. */
export const BUGGY_CODE = ['def add(a, b):', '    return a - b'].join('\n');
export const TESTS = ['assert add(2, 3) == 5', 'assert add(0, 0) == 0', 'assert add(-1, 1) == 0'].join('\n');
export const FIXED_LINE = 'return a + b';

/** The paste as a user would write it in chat. */
export function paste(code = BUGGY_CODE, tests = TESTS): string {
  return `add should return the sum\n\`\`\`python\n${code}\n\`\`\`\n\`\`\`python\n${tests}\n\`\`\``;
}

/** A JavaScript bug (an off-by-one loop bound) and its asserts, pasted the way a JS team would: ```js fences. */
export const JS_CODE = ['function largest(xs) {', '  let best = xs[0];', '  for (let i = 1; i < xs.length - 1; i++) {', '    if (xs[i] > best) best = xs[i];', '  }', '  return best;', '}'].join('\n');
export const JS_TESTS = ['console.assert(largest([2, 9]) === 9);', 'console.assert(largest([4, 7, 1, 8]) === 8);', 'console.assert(largest([5, 1, 3]) === 5);'].join('\n');
/** The loop bound fixed, either way it can be written. */
export const JS_FIXED_LINE = /i <= xs\.length - 1|i < xs\.length\)/;

/** The JS paste as a user would write it in chat; `lang` is the fence's info string (js, ts, typescript...). */
export function jsPaste(lang = 'js', code = JS_CODE, tests = JS_TESTS): string {
  return `largest should return the biggest number\n\`\`\`${lang}\n${code}\n\`\`\`\n\`\`\`${lang}\n${tests}\n\`\`\``;
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
