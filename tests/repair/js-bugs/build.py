"""Writes js-bugs.jsonl: JavaScript/TypeScript repair tasks in ../shared/data's format (shown
`given_tests`, hidden `test`), plus `language`. Written by hand for tracefix; each bug is one a
help channel sees. Run: python3 tests/repair/js-bugs/build.py (then check.ts verifies every task)."""
import json, os

T = []

def task(name, lang, bug_type, entry, buggy, fixed, given, hidden):
    T.append({
        "task_id": f"JS/{len(T)}-{name}",
        "language": lang,
        "prompt": "",
        "buggy_solution": buggy.strip("\n") + "\n",
        "canonical_solution": fixed.strip("\n") + "\n",
        "given_tests": given,
        "test": "\n".join(hidden) + "\n",
        "entry_point": entry,
        "bug_type": bug_type,
    })

JS, TS = "javascript", "typescript"

task("largest", JS, "off-by-one", "largest", """
function largest(xs) {
  let best = xs[0];
  for (let i = 1; i < xs.length - 1; i++) {
    if (xs[i] > best) best = xs[i];
  }
  return best;
}""", """
function largest(xs) {
  let best = xs[0];
  for (let i = 1; i < xs.length; i++) {
    if (xs[i] > best) best = xs[i];
  }
  return best;
}""", ["console.assert(largest([2, 9]) === 9);"], ["console.assert(largest([2, 9]) === 9);", "console.assert(largest([9, 2]) === 9);", "console.assert(largest([1, 4, 2, 8]) === 8);", "console.assert(largest([-3, -1]) === -1);"])

task("sum-range", JS, "off-by-one", "sumRange", """
function sumRange(a, b) {
  let s = 0;
  for (let i = a; i < b; i++) s += i;
  return s;
}""", """
function sumRange(a, b) {
  let s = 0;
  for (let i = a; i <= b; i++) s += i;
  return s;
}""", ["assert.strictEqual(sumRange(1, 3), 6);"], ["assert.strictEqual(sumRange(1, 3), 6);", "assert.strictEqual(sumRange(5, 5), 5);", "assert.strictEqual(sumRange(0, 10), 55);"])

task("is-even", JS, "operator", "isEven", """
function isEven(n) {
  return n % 2 === 1;
}""", """
function isEven(n) {
  return n % 2 === 0;
}""", ["expect(isEven(4)).toBe(true);"], ["expect(isEven(4)).toBe(true);", "expect(isEven(7)).toBe(false);", "expect(isEven(0)).toBe(true);"])

task("count-vowels", JS, "method", "countVowels", """
function countVowels(s) {
  let n = 0;
  for (const ch of s.toUpperCase()) {
    if ('aeiou'.includes(ch)) n++;
  }
  return n;
}""", """
function countVowels(s) {
  let n = 0;
  for (const ch of s.toLowerCase()) {
    if ('aeiou'.includes(ch)) n++;
  }
  return n;
}""", ["console.assert(countVowels('Hello') === 2);"], ["console.assert(countVowels('Hello') === 2);", "console.assert(countVowels('AEIOU') === 5);", "console.assert(countVowels('xyz') === 0);"])

task("doubled", JS, "missing return", "doubled", """
function doubled(xs) {
  xs.map((x) => x * 2);
}""", """
function doubled(xs) {
  return xs.map((x) => x * 2);
}""", ["assert.deepStrictEqual(doubled([1, 2]), [2, 4]);"], ["assert.deepStrictEqual(doubled([1, 2]), [2, 4]);", "assert.deepStrictEqual(doubled([]), []);", "assert.deepStrictEqual(doubled([-1]), [-2]);"])

task("squares", JS, "forEach vs map", "squares", """
function squares(xs) {
  return xs.forEach((x) => x * x);
}""", """
function squares(xs) {
  return xs.map((x) => x * x);
}""", ["expect(squares([1, 2, 3])).toEqual([1, 4, 9]);"], ["expect(squares([1, 2, 3])).toEqual([1, 4, 9]);", "expect(squares([])).toEqual([]);", "expect(squares([10])).toEqual([100]);"])

task("sort-numbers", JS, "sort comparator", "sortNumbers", """
function sortNumbers(xs) {
  return xs.slice().sort();
}""", """
function sortNumbers(xs) {
  return xs.slice().sort((a, b) => a - b);
}""", ["assert.deepStrictEqual(sortNumbers([10, 9, 1]), [1, 9, 10]);"], ["assert.deepStrictEqual(sortNumbers([10, 9, 1]), [1, 9, 10]);", "assert.deepStrictEqual(sortNumbers([3, 25, 100, 4]), [3, 4, 25, 100]);", "assert.deepStrictEqual(sortNumbers([]), []);"])

task("parse-octal", JS, "parseInt radix", "parseAll", """
function parseAll(strings) {
  return strings.map((s) => parseInt(s));
}""", """
function parseAll(strings) {
  return strings.map((s) => parseInt(s, 10));
}""", ["expect(parseAll(['1', '2'])).toEqual([1, 2]);"], ["expect(parseAll(['1', '2'])).toEqual([1, 2]);", "expect(parseAll(['0x10'])).toEqual([0]);", "expect(parseAll(['42px'])).toEqual([42]);"])

task("strict-equal", JS, "== vs ===", "countZeros", """
function countZeros(xs) {
  return xs.filter((x) => x == 0).length;
}""", """
function countZeros(xs) {
  return xs.filter((x) => x === 0).length;
}""", ["console.assert(countZeros([0, '', 1, '0']) === 1);"], ["console.assert(countZeros([0, '', 1, '0']) === 1);", "console.assert(countZeros([0, 0]) === 2);", "console.assert(countZeros([false, null]) === 0);"])

task("last-item", JS, "off-by-one", "last", """
function last(xs) {
  return xs[xs.length];
}""", """
function last(xs) {
  return xs[xs.length - 1];
}""", ["assert.strictEqual(last([1, 2, 3]), 3);"], ["assert.strictEqual(last([1, 2, 3]), 3);", "assert.strictEqual(last(['a']), 'a');", "assert.strictEqual(last([]), undefined);"])

task("append-all", JS, "push vs concat", "appendAll", """
function appendAll(target, more) {
  target.concat(more);
  return target;
}""", """
function appendAll(target, more) {
  target.push(...more);
  return target;
}""", ["expect(appendAll([1], [2, 3])).toEqual([1, 2, 3]);"], ["expect(appendAll([1], [2, 3])).toEqual([1, 2, 3]);", "const t = [0]; appendAll(t, [5]); expect(t).toEqual([0, 5]);", "expect(appendAll([], [])).toEqual([]);"])

task("first-two", JS, "slice vs splice", "firstTwo", """
function firstTwo(xs) {
  const head = xs.splice(0, 2);
  return [head, xs.length];
}""", """
function firstTwo(xs) {
  const head = xs.slice(0, 2);
  return [head, xs.length];
}""", ["assert.deepStrictEqual(firstTwo([1, 2, 3]), [[1, 2], 3]);"], ["assert.deepStrictEqual(firstTwo([1, 2, 3]), [[1, 2], 3]);", "assert.deepStrictEqual(firstTwo([7]), [[7], 1]);"])

task("average", JS, "operator", "average", """
function average(xs) {
  let total = 0;
  for (const x of xs) total += x;
  return total * xs.length;
}""", """
function average(xs) {
  let total = 0;
  for (const x of xs) total += x;
  return total / xs.length;
}""", ["expect(average([2, 4])).toBe(3);"], ["expect(average([2, 4])).toBe(3);", "expect(average([5])).toBe(5);", "expect(average([1, 2, 3, 4])).toBeCloseTo(2.5);"])

task("max-key", JS, "variable misuse", "maxBy", """
function maxBy(items, key) {
  let best = null;
  for (const item of items) {
    if (best === null || item[key] > best[key]) best = items;
  }
  return best;
}""", """
function maxBy(items, key) {
  let best = null;
  for (const item of items) {
    if (best === null || item[key] > best[key]) best = item;
  }
  return best;
}""", ["assert.deepStrictEqual(maxBy([{ a: 1 }, { a: 3 }], 'a'), { a: 3 });"], ["assert.deepStrictEqual(maxBy([{ a: 1 }, { a: 3 }], 'a'), { a: 3 });", "assert.deepStrictEqual(maxBy([{ a: 5 }, { a: 3 }], 'a'), { a: 5 });", "assert.strictEqual(maxBy([], 'a'), null);"])

task("clamp", JS, "operator", "clamp", """
function clamp(x, lo, hi) {
  return Math.max(lo, Math.max(x, hi));
}""", """
function clamp(x, lo, hi) {
  return Math.max(lo, Math.min(x, hi));
}""", ["console.assert(clamp(5, 0, 3) === 3);"], ["console.assert(clamp(5, 0, 3) === 3);", "console.assert(clamp(-1, 0, 3) === 0);", "console.assert(clamp(2, 0, 3) === 2);"])

task("capitalize", JS, "method", "capitalize", """
function capitalize(word) {
  return word[0].toUpperCase() + word.substring(0);
}""", """
function capitalize(word) {
  return word[0].toUpperCase() + word.substring(1);
}""", ["expect(capitalize('hello')).toBe('Hello');"], ["expect(capitalize('hello')).toBe('Hello');", "expect(capitalize('a')).toBe('A');", "expect(capitalize('jS')).toBe('JS');"])

task("fetch-total", JS, "missing await", "total", """
async function price(id) {
  return id * 10;
}
async function total(ids) {
  let sum = 0;
  for (const id of ids) sum += price(id);
  return sum;
}""", """
async function price(id) {
  return id * 10;
}
async function total(ids) {
  let sum = 0;
  for (const id of ids) sum += await price(id);
  return sum;
}""", ["test('total', async () => { expect(await total([1, 2])).toBe(30); });"], ["test('total', async () => { expect(await total([1, 2])).toBe(30); });", "test('empty', async () => { expect(await total([])).toBe(0); });", "test('one', async () => { expect(await total([7])).toBe(70); });"])

task("counter-closures", JS, "let/var scope", "makeGetters", """
function makeGetters(n) {
  const out = [];
  for (var i = 0; i < n; i++) out.push(() => i);
  return out;
}""", """
function makeGetters(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(() => i);
  return out;
}""", ["expect(makeGetters(3).map((f) => f())).toEqual([0, 1, 2]);"], ["expect(makeGetters(3).map((f) => f())).toEqual([0, 1, 2]);", "expect(makeGetters(1).map((f) => f())).toEqual([0]);"])

task("fizzbuzz", JS, "operator", "fizz", """
function fizz(n) {
  if (n % 15 === 0) return 'FizzBuzz';
  if (n % 3 === 0) return 'Fizz';
  if (n % 5 !== 0) return 'Buzz';
  return String(n);
}""", """
function fizz(n) {
  if (n % 15 === 0) return 'FizzBuzz';
  if (n % 3 === 0) return 'Fizz';
  if (n % 5 === 0) return 'Buzz';
  return String(n);
}""", ["assert.strictEqual(fizz(5), 'Buzz');", "assert.strictEqual(fizz(7), '7');"], ["assert.strictEqual(fizz(5), 'Buzz');", "assert.strictEqual(fizz(7), '7');", "assert.strictEqual(fizz(9), 'Fizz');", "assert.strictEqual(fizz(30), 'FizzBuzz');"])

task("word-count", JS, "missing logic", "wordCount", """
function wordCount(text) {
  const counts = {};
  for (const w of text.split(' ')) {
    counts[w] = counts[w] + 1;
  }
  return counts;
}""", """
function wordCount(text) {
  const counts = {};
  for (const w of text.split(' ')) {
    counts[w] = (counts[w] || 0) + 1;
  }
  return counts;
}""", ["expect(wordCount('a b a')).toEqual({ a: 2, b: 1 });"], ["expect(wordCount('a b a')).toEqual({ a: 2, b: 1 });", "expect(wordCount('x')).toEqual({ x: 1 });"])

task("range", JS, "off-by-one", "range", """
function range(n) {
  const out = [];
  for (let i = 1; i < n; i++) out.push(i);
  return out;
}""", """
function range(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(i);
  return out;
}""", ["assert.deepStrictEqual(range(3), [0, 1, 2]);"], ["assert.deepStrictEqual(range(3), [0, 1, 2]);", "assert.deepStrictEqual(range(0), []);", "assert.deepStrictEqual(range(1), [0]);"])

task("reverse-string", JS, "method", "reverse", """
function reverse(s) {
  return s.split('').reverse().join(',');
}""", """
function reverse(s) {
  return s.split('').reverse().join('');
}""", ["expect(reverse('abc')).toBe('cba');"], ["expect(reverse('abc')).toBe('cba');", "expect(reverse('')).toBe('');", "expect(reverse('ab')).toBe('ba');"])

task("all-positive", JS, "method", "allPositive", """
function allPositive(xs) {
  return xs.some((x) => x > 0);
}""", """
function allPositive(xs) {
  return xs.every((x) => x > 0);
}""", ["console.assert(allPositive([1, -2]) === false);"], ["console.assert(allPositive([1, -2]) === false);", "console.assert(allPositive([1, 2]) === true);", "console.assert(allPositive([]) === true);"])

task("round-price", JS, "method", "toCents", """
function toCents(dollars) {
  return Math.floor(dollars * 100);
}""", """
function toCents(dollars) {
  return Math.round(dollars * 100);
}""", ["expect(toCents(1.15)).toBe(115);"], ["expect(toCents(1.15)).toBe(115);", "expect(toCents(0.29)).toBe(29);", "expect(toCents(2)).toBe(200);"])

task("index-of", JS, "operator", "contains", """
function contains(xs, x) {
  return xs.indexOf(x) > 0;
}""", """
function contains(xs, x) {
  return xs.indexOf(x) >= 0;
}""", ["console.assert(contains([5, 6], 5) === true);"], ["console.assert(contains([5, 6], 5) === true);", "console.assert(contains([5, 6], 6) === true);", "console.assert(contains([5, 6], 7) === false);"])

task("binary-search", JS, "off-by-one", "search", """
function search(xs, target) {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (xs[mid] === target) return mid;
    if (xs[mid] < target) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}""", """
function search(xs, target) {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (xs[mid] === target) return mid;
    if (xs[mid] < target) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}""", ["assert.strictEqual(search([1, 3, 5], 5), 2);"], ["assert.strictEqual(search([1, 3, 5], 5), 2);", "assert.strictEqual(search([1, 3, 5], 1), 0);", "assert.strictEqual(search([1, 3, 5], 4), -1);", "assert.strictEqual(search([2], 2), 0);"])

task("factorial", JS, "value misuse", "factorial", """
function factorial(n) {
  if (n <= 1) return 0;
  return n * factorial(n - 1);
}""", """
function factorial(n) {
  if (n <= 1) return 1;
  return n * factorial(n - 1);
}""", ["expect(factorial(4)).toBe(24);"], ["expect(factorial(4)).toBe(24);", "expect(factorial(0)).toBe(1);", "expect(factorial(1)).toBe(1);"])

task("starts", JS, "method", "withPrefix", """
function withPrefix(words, p) {
  return words.filter((w) => w.endsWith(p));
}""", """
function withPrefix(words, p) {
  return words.filter((w) => w.startsWith(p));
}""", ["expect(withPrefix(['ab', 'ba'], 'a')).toEqual(['ab']);"], ["expect(withPrefix(['ab', 'ba'], 'a')).toEqual(['ab']);", "expect(withPrefix(['xa', 'xb', 'y'], 'x')).toEqual(['xa', 'xb']);"])

task("is-empty", JS, "logic", "isBlank", """
function isBlank(s) {
  return s === null && s.trim() === '';
}""", """
function isBlank(s) {
  return s === null || s.trim() === '';
}""", ["console.assert(isBlank('  ') === true);"], ["console.assert(isBlank('  ') === true);", "console.assert(isBlank(null) === true);", "console.assert(isBlank('x') === false);"])

task("object-values", JS, "method", "totalStock", """
function totalStock(stock) {
  return Object.keys(stock).reduce((a, b) => a + b, 0);
}""", """
function totalStock(stock) {
  return Object.values(stock).reduce((a, b) => a + b, 0);
}""", ["expect(totalStock({ apples: 2, pears: 3 })).toBe(5);"], ["expect(totalStock({ apples: 2, pears: 3 })).toBe(5);", "expect(totalStock({})).toBe(0);"])

task("countdown", JS, "operator", "countdown", """
function countdown(n) {
  const out = [];
  for (let i = n; i > 0; i++) {
    out.push(i);
    if (out.length > 100) break;
  }
  return out;
}""", """
function countdown(n) {
  const out = [];
  for (let i = n; i > 0; i--) {
    out.push(i);
    if (out.length > 100) break;
  }
  return out;
}""", ["assert.deepStrictEqual(countdown(3), [3, 2, 1]);"], ["assert.deepStrictEqual(countdown(3), [3, 2, 1]);", "assert.deepStrictEqual(countdown(0), []);"])

task("dedupe", JS, "missing return", "dedupe", """
function dedupe(xs) {
  const seen = new Set();
  const out = [];
  for (const x of xs) {
    if (!seen.has(x)) {
      seen.add(x);
      out.push(x);
    }
  }
}""", """
function dedupe(xs) {
  const seen = new Set();
  const out = [];
  for (const x of xs) {
    if (!seen.has(x)) {
      seen.add(x);
      out.push(x);
    }
  }
  return out;
}""", ["expect(dedupe([1, 1, 2])).toEqual([1, 2]);"], ["expect(dedupe([1, 1, 2])).toEqual([1, 2]);", "expect(dedupe([])).toEqual([]);", "expect(dedupe(['a', 'b', 'a'])).toEqual(['a', 'b']);"])

task("percent", JS, "operator", "percent", """
function percent(part, whole) {
  return Math.round((part / whole) / 100);
}""", """
function percent(part, whole) {
  return Math.round((part / whole) * 100);
}""", ["test('half', () => expect(percent(1, 2)).toBe(50));"], ["test('half', () => expect(percent(1, 2)).toBe(50));", "test('third', () => expect(percent(1, 3)).toBe(33));", "test('all', () => expect(percent(4, 4)).toBe(100));"])

task("nth-fib", JS, "off-by-one", "fib", """
function fib(n) {
  let a = 0;
  let b = 1;
  for (let i = 0; i < n - 1; i++) {
    [a, b] = [b, a + b];
  }
  return a;
}""", """
function fib(n) {
  let a = 0;
  let b = 1;
  for (let i = 0; i < n; i++) {
    [a, b] = [b, a + b];
  }
  return a;
}""", ["assert.strictEqual(fib(5), 5);"], ["assert.strictEqual(fib(5), 5);", "assert.strictEqual(fib(1), 1);", "assert.strictEqual(fib(10), 55);", "assert.strictEqual(fib(0), 0);"])

# ---------------- TypeScript
task("ts-sum", TS, "off-by-one", "sum", """
export function sum(xs: number[]): number {
  let total: number = 0;
  for (let i = 1; i < xs.length; i++) total += xs[i];
  return total;
}""", """
export function sum(xs: number[]): number {
  let total: number = 0;
  for (let i = 0; i < xs.length; i++) total += xs[i];
  return total;
}""", ["expect(sum([1, 2, 3])).toBe(6);"], ["expect(sum([1, 2, 3])).toBe(6);", "expect(sum([])).toBe(0);", "expect(sum([4])).toBe(4);"])

task("ts-best", TS, "operator", "best", """
type Row = { name: string; score: number };

export function best(rows: Row[]): string {
  let top: Row | undefined;
  for (const r of rows) {
    if (!top || r.score < top.score) top = r;
  }
  return top?.name ?? 'none';
}""", """
type Row = { name: string; score: number };

export function best(rows: Row[]): string {
  let top: Row | undefined;
  for (const r of rows) {
    if (!top || r.score > top.score) top = r;
  }
  return top?.name ?? 'none';
}""", ["expect(best([{ name: 'a', score: 1 }, { name: 'b', score: 3 }])).toBe('b');"], ["expect(best([{ name: 'a', score: 1 }, { name: 'b', score: 3 }])).toBe('b');", "expect(best([{ name: 'c', score: 9 }, { name: 'd', score: 2 }])).toBe('c');", "expect(best([])).toBe('none');"])

task("ts-initials", TS, "method", "initials", """
interface Person {
  first: string;
  last: string;
}

export function initials(p: Person): string {
  return (p.first[0] + p.last[0]).toLowerCase();
}""", """
interface Person {
  first: string;
  last: string;
}

export function initials(p: Person): string {
  return (p.first[0] + p.last[0]).toUpperCase();
}""", ["expect(initials({ first: 'ada', last: 'lovelace' })).toBe('AL');"], ["expect(initials({ first: 'ada', last: 'lovelace' })).toBe('AL');", "expect(initials({ first: 'Grace', last: 'Hopper' })).toBe('GH');"])

task("ts-group", TS, "missing logic", "groupBy", """
export function groupBy<T>(items: T[], key: (t: T) => string): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const item of items) {
    const k = key(item);
    out[k] = [item];
  }
  return out;
}""", """
export function groupBy<T>(items: T[], key: (t: T) => string): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const item of items) {
    const k = key(item);
    (out[k] ??= []).push(item);
  }
  return out;
}""", ["expect(groupBy([1, 2, 3], (n) => (n % 2 ? 'odd' : 'even'))).toEqual({ odd: [1, 3], even: [2] });"], ["expect(groupBy([1, 2, 3], (n) => (n % 2 ? 'odd' : 'even'))).toEqual({ odd: [1, 3], even: [2] });", "expect(groupBy([], (n: number) => String(n))).toEqual({});", "expect(groupBy(['a', 'b', 'a'], (s) => s)).toEqual({ a: ['a', 'a'], b: ['b'] });"])

task("ts-median", TS, "off-by-one", "median", """
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid] + s[mid + 1]) / 2;
}""", """
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}""", ["expect(median([1, 2, 3, 4])).toBe(2.5);"], ["expect(median([1, 2, 3, 4])).toBe(2.5);", "expect(median([3, 1, 2])).toBe(2);", "expect(median([10, 20])).toBe(15);"])

task("ts-retry", TS, "operator", "attempts", """
export function attempts(max: number, failUntil: number): number {
  let tries = 0;
  while (tries < max) {
    tries++;
    if (tries > failUntil) return tries;
  }
  return -1;
}""", """
export function attempts(max: number, failUntil: number): number {
  let tries = 0;
  while (tries < max) {
    tries++;
    if (tries >= failUntil) return tries;
  }
  return -1;
}""", ["assert.strictEqual(attempts(5, 3), 3);"], ["assert.strictEqual(attempts(5, 3), 3);", "assert.strictEqual(attempts(2, 3), -1);", "assert.strictEqual(attempts(3, 1), 1);"])

task("ts-discount", TS, "operator", "discounted", """
export const discounted = (price: number, pct: number): number => price - price * pct * 100;
""", """
export const discounted = (price: number, pct: number): number => price - (price * pct) / 100;
""", ["expect(discounted(200, 10)).toBe(180);"], ["expect(discounted(200, 10)).toBe(180);", "expect(discounted(50, 0)).toBe(50);", "expect(discounted(80, 50)).toBe(40);"])

task("ts-chunks", TS, "off-by-one", "chunks", """
export function chunks<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size - 1));
  return out;
}""", """
export function chunks<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}""", ["expect(chunks([1, 2, 3, 4], 2)).toEqual([[1, 2], [3, 4]]);"], ["expect(chunks([1, 2, 3, 4], 2)).toEqual([[1, 2], [3, 4]]);", "expect(chunks([1, 2, 3], 2)).toEqual([[1, 2], [3]]);", "expect(chunks([], 3)).toEqual([]);"])

task("ts-title", TS, "method", "titleCase", """
export function titleCase(s: string): string {
  return s
    .split(' ')
    .map((w: string) => w.charAt(0).toUpperCase() + w.slice(0).toLowerCase())
    .join(' ');
}""", """
export function titleCase(s: string): string {
  return s
    .split(' ')
    .map((w: string) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
    .join(' ');
}""", ["expect(titleCase('hello world')).toBe('Hello World');"], ["expect(titleCase('hello world')).toBe('Hello World');", "expect(titleCase('JS')).toBe('Js');"])

task("ts-async-sum", TS, "missing await", "sumAll", """
async function fetchValue(n: number): Promise<number> {
  return n + 1;
}

export async function sumAll(ns: number[]): Promise<number> {
  const values = ns.map((n) => fetchValue(n));
  let total = 0;
  for (const v of values) total += await v;
  return total + ns.length * 0;
}

export async function firstValue(ns: number[]): Promise<number> {
  return fetchValue(ns[0]) as unknown as number;
}""", """
async function fetchValue(n: number): Promise<number> {
  return n + 1;
}

export async function sumAll(ns: number[]): Promise<number> {
  const values = ns.map((n) => fetchValue(n));
  let total = 0;
  for (const v of values) total += await v;
  return total + ns.length * 0;
}

export async function firstValue(ns: number[]): Promise<number> {
  return fetchValue(ns[0]) as unknown as number;
}""", ["test('sum', async () => expect(await sumAll([1, 2])).toBe(6));"], ["test('sum', async () => expect(await sumAll([1, 2])).toBe(5));"])

task("ts-leap", TS, "logic", "isLeap", """
export function isLeap(y: number): boolean {
  return y % 4 === 0 && y % 100 !== 0 && y % 400 === 0;
}""", """
export function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}""", ["expect(isLeap(2024)).toBe(true);"], ["expect(isLeap(2024)).toBe(true);", "expect(isLeap(1900)).toBe(false);", "expect(isLeap(2000)).toBe(true);", "expect(isLeap(2023)).toBe(false);"])

# The async-sum task above has no bug by design of its shown test; replace it by a real one.
T = [t for t in T if not t["task_id"].endswith("ts-async-sum")]

task("ts-wait-all", TS, "missing await", "loadAll", """
const store: Record<string, number> = { a: 1, b: 2 };

async function load(key: string): Promise<number> {
  return store[key] ?? 0;
}

export async function loadAll(keys: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const k of keys) {
    const v = load(k);
    out.push(v as unknown as number);
  }
  return out;
}""", """
const store: Record<string, number> = { a: 1, b: 2 };

async function load(key: string): Promise<number> {
  return store[key] ?? 0;
}

export async function loadAll(keys: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const k of keys) {
    const v = await load(k);
    out.push(v as unknown as number);
  }
  return out;
}""", ["test('load', async () => expect(await loadAll(['a', 'b'])).toEqual([1, 2]));"], ["test('load', async () => expect(await loadAll(['a', 'b'])).toEqual([1, 2]));", "test('missing', async () => expect(await loadAll(['z'])).toEqual([0]));"])

task("ts-min-index", TS, "variable misuse", "minIndex", """
export function minIndex(xs: number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) {
    if (xs[i] < xs[best]) best = xs[i];
  }
  return best;
}""", """
export function minIndex(xs: number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) {
    if (xs[i] < xs[best]) best = i;
  }
  return best;
}""", ["assert.strictEqual(minIndex([5, 1, 3]), 1);"], ["assert.strictEqual(minIndex([5, 1, 3]), 1);", "assert.strictEqual(minIndex([2, 3]), 0);", "assert.strictEqual(minIndex([9, 8, 7]), 2);"])

task("script-total", JS, "value misuse", None, """
const cart = [{ price: 4, qty: 2 }, { price: 5, qty: 1 }];
let total = 0;
for (const item of cart) total += item.price + item.qty;
console.assert(total === 13, 'total should be 13');
""", """
const cart = [{ price: 4, qty: 2 }, { price: 5, qty: 1 }];
let total = 0;
for (const item of cart) total += item.price * item.qty;
console.assert(total === 13, 'total should be 13');
""", [], ["console.assert(total === 13);"])

for i, t in enumerate(T):
    t["task_id"] = f"JS/{i}-" + t["task_id"].split("-", 1)[1]

out = os.path.join(os.path.dirname(__file__), "js-bugs.jsonl")
with open(out, "w") as f:
    for t in T:
        if t["entry_point"] is None:
            del t["entry_point"]
        if not t["given_tests"]:
            del t["given_tests"]
        f.write(json.dumps(t) + "\n")
print(len(T), "tasks ->", out)
