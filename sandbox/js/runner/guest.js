// The prelude that runs INSIDE the QuickJS context, before the user's program: the test helpers a
// pasted snippet expects (node:assert, jest/vitest `test`/`expect`, console.assert), a console that
// writes through the one host function `__host_write`, virtual timers driven by the runner, value
// rendering the way a JavaScript developer reads it, and the trace recorder that instrumented code
// calls. It is written as a real function so the linter reads it; run.js injects `guestPrelude.toString()`.
//
// Nothing in here is trusted: the user's code runs in the same realm and can overwrite any of it. It
// can only lie about its own results, which the runner reports as such (like the Python runner).

/* global __host_write */
export function guestPrelude(config) {
  const g = globalThis;
  const valueChars = config.valueChars;
  const hostWrite = __host_write;
  delete g.__host_write;

  // ---------- values as a JavaScript developer reads them ----------
  function quote(s) {
    return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + "'";
  }
  function keyText(k) {
    return /^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k);
  }
  function repr(value, cap) {
    const limit = cap === undefined ? valueChars : cap;
    const seen = [];
    let budget = limit * 4;
    function go(v, depth) {
      if (budget <= 0) return '…';
      const t = typeof v;
      let s;
      if (v === null) s = 'null';
      else if (t === 'undefined') s = 'undefined';
      else if (t === 'string') s = depth === 0 ? quote(v.length > limit * 2 ? v.slice(0, limit * 2) : v) : quote(v.length > limit ? v.slice(0, limit) : v);
      else if (t === 'number') s = Object.is(v, -0) ? '-0' : String(v);
      else if (t === 'bigint') s = String(v) + 'n';
      else if (t === 'boolean') s = String(v);
      else if (t === 'symbol') s = String(v);
      else if (t === 'function') s = v.name ? '[Function: ' + v.name + ']' : '[Function (anonymous)]';
      else s = object(v, depth);
      budget -= s.length;
      return s;
    }
    function object(v, depth) {
      if (seen.indexOf(v) !== -1) return '[Circular]';
      if (v instanceof Error) return (v.name || 'Error') + ': ' + v.message;
      if (v instanceof Date) return isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
      if (v instanceof RegExp) return String(v);
      if (typeof Promise !== 'undefined' && v instanceof Promise) return 'Promise { … }';
      if (depth > 3) return Array.isArray(v) ? '[Array]' : '[Object]';
      seen.push(v);
      try {
        if (Array.isArray(v)) {
          const parts = [];
          for (let i = 0; i < v.length && budget > 0; i++) parts.push(i in v ? go(v[i], depth + 1) : '<empty>');
          if (parts.length < v.length) parts.push('… ' + (v.length - parts.length) + ' more');
          return '[' + parts.join(', ') + ']';
        }
        if (v instanceof Map) {
          const parts = [];
          for (const [k, x] of v) {
            if (budget <= 0) {
              parts.push('…');
              break;
            }
            parts.push(go(k, depth + 1) + ' => ' + go(x, depth + 1));
          }
          return 'Map(' + v.size + ') {' + (parts.length ? ' ' + parts.join(', ') + ' ' : '') + '}';
        }
        if (v instanceof Set) {
          const parts = [];
          for (const x of v) {
            if (budget <= 0) {
              parts.push('…');
              break;
            }
            parts.push(go(x, depth + 1));
          }
          return 'Set(' + v.size + ') {' + (parts.length ? ' ' + parts.join(', ') + ' ' : '') + '}';
        }
        if (ArrayBuffer.isView(v)) return v.constructor.name + '(' + v.length + ') [' + Array.prototype.slice.call(v, 0, 20).join(', ') + ']';
        const keys = Object.keys(v);
        const parts = [];
        for (const k of keys) {
          if (budget <= 0) {
            parts.push('…');
            break;
          }
          parts.push(keyText(k) + ': ' + go(v[k], depth + 1));
        }
        const proto = Object.getPrototypeOf(v);
        const ctor = proto && proto !== Object.prototype && proto.constructor && proto.constructor.name ? proto.constructor.name + ' ' : proto === null ? '[Object: null prototype] ' : '';
        return ctor + (parts.length ? '{ ' + parts.join(', ') + ' }' : '{}');
      } finally {
        seen.pop();
      }
    }
    let text;
    try {
      text = go(value, 0);
    } catch {
      text = '<unrenderable>';
    }
    return text.length > limit ? text.slice(0, limit - 1) + '…' : text;
  }

  // ---------- output ----------
  function write(stream, args) {
    const text = args.map((a) => (typeof a === 'string' ? a : repr(a, 2000))).join(' ') + '\n';
    hostWrite(stream, text);
  }

  // ---------- assertions ----------
  class AssertionError extends Error {
    constructor(message, details) {
      super(message);
      this.name = 'AssertionError';
      if (details) {
        if ('actual' in details) this.actualRepr = repr(details.actual);
        if ('expected' in details) this.expectedRepr = repr(details.expected);
      }
    }
  }
  // strict: jest's toStrictEqual / node's deepStrictEqual (types, undefined properties, prototypes);
  // loose: jest's toEqual (undefined properties ignored; classes compared by fields).
  function deepEqual(a, b, strict, seen) {
    if (Object.is(a, b)) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    seen = seen || [];
    for (const [x, y] of seen) if (x === a && y === b) return true;
    seen.push([a, b]);
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
    if (a instanceof RegExp || b instanceof RegExp) return String(a) === String(b);
    if (a instanceof Map || b instanceof Map) {
      if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
      for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k), strict, seen)) return false;
      return true;
    }
    if (a instanceof Set || b instanceof Set) {
      if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
      for (const v of a) {
        if (b.has(v)) continue;
        let found = false;
        for (const w of b) if (deepEqual(v, w, strict, seen)) found = true;
        if (!found) return false;
      }
      return true;
    }
    if (a instanceof Error && b instanceof Error && (a.message !== b.message || a.name !== b.name)) return false;
    const keysOf = (o) => Object.keys(o).filter((k) => strict || o[k] !== undefined);
    const ka = keysOf(a);
    const kb = keysOf(b);
    if (Array.isArray(a) && a.length !== b.length) return false;
    if (ka.length !== kb.length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k) && !(!strict && b[k] === undefined)) return false;
      if (!deepEqual(a[k], b[k], strict, seen)) return false;
    }
    return true;
  }
  function looseEq(a, b) {
    return a == b;
  }
  function fail(message, actual, expected, hasExpected) {
    const details = hasExpected ? { actual, expected } : { actual };
    throw new AssertionError(message, details);
  }
  function messageOr(m, fallback) {
    if (m instanceof Error) throw m;
    return m === undefined ? fallback : String(m);
  }
  function assert(value, message) {
    if (!value) fail(messageOr(message, 'The expression evaluated to a falsy value: ' + repr(value)), value);
  }
  assert.ok = assert;
  assert.equal = (a, b, m) => looseEq(a, b) || fail(messageOr(m, `${repr(a)} == ${repr(b)}`), a, b, true);
  assert.notEqual = (a, b, m) => !looseEq(a, b) || fail(messageOr(m, `${repr(a)} != ${repr(b)}`), a, b, true);
  assert.strictEqual = (a, b, m) => Object.is(a, b) || fail(messageOr(m, `Expected values to be strictly equal: ${repr(a)} !== ${repr(b)}`), a, b, true);
  assert.notStrictEqual = (a, b, m) => !Object.is(a, b) || fail(messageOr(m, `Expected "actual" to be strictly unequal to: ${repr(b)}`), a, b, true);
  assert.deepEqual = (a, b, m) => deepEqual(a, b, false) || fail(messageOr(m, 'Expected values to be loosely deep-equal'), a, b, true);
  assert.deepStrictEqual = (a, b, m) => deepEqual(a, b, true) || fail(messageOr(m, 'Expected values to be strictly deep-equal'), a, b, true);
  assert.notDeepStrictEqual = (a, b, m) => !deepEqual(a, b, true) || fail(messageOr(m, 'Expected "actual" not to be strictly deep-equal to "expected"'), a, b, true);
  assert.notDeepEqual = (a, b, m) => !deepEqual(a, b, false) || fail(messageOr(m, 'Expected "actual" not to be loosely deep-equal to "expected"'), a, b, true);
  assert.fail = (m) => fail(messageOr(m, 'Failed'));
  assert.match = (s, re, m) => re.test(s) || fail(messageOr(m, `The input did not match ${String(re)}`), s, re, true);
  function thrown(fn) {
    try {
      fn();
    } catch (e) {
      return { threw: true, error: e };
    }
    return { threw: false };
  }
  function errorMatches(error, expected) {
    if (expected === undefined) return true;
    if (typeof expected === 'function') return error instanceof expected || (expected.prototype === undefined && expected(error) === true);
    const message = error && error.message !== undefined ? String(error.message) : String(error);
    if (expected instanceof RegExp) return expected.test(message);
    if (typeof expected === 'string') return message.includes(expected);
    if (typeof expected === 'object') return Object.keys(expected).every((k) => (expected[k] instanceof RegExp ? expected[k].test(error[k]) : deepEqual(error[k], expected[k], false)));
    return false;
  }
  assert.throws = (fn, expected, m) => {
    const r = thrown(fn);
    if (!r.threw) fail(messageOr(typeof expected === 'string' ? expected : m, 'Missing expected exception.'));
    if (typeof expected !== 'string' && !errorMatches(r.error, expected)) throw r.error;
  };
  assert.doesNotThrow = (fn, m) => {
    const r = thrown(fn);
    if (r.threw) fail(messageOr(m, 'Got unwanted exception: ' + repr(r.error)), r.error);
  };
  // The helpers that return promises hand them to `track` (below), as a user's own async function would be.
  assert.rejects = (p, expected, m) =>
    track(
      (async () => {
        try {
          await (typeof p === 'function' ? p() : p);
        } catch (e) {
          if (!errorMatches(e, expected)) throw e;
          return;
        }
        fail(messageOr(m, 'Missing expected rejection.'));
      })(),
    );
  assert.strict = assert;
  assert.AssertionError = AssertionError;

  function expect(actual) {
    function make(negated) {
      const check = (pass, message, expected, hasExpected) => {
        if (pass === negated) fail((negated ? 'expect(received).not.' : 'expect(received).') + message, actual, expected, hasExpected);
      };
      const m = {
        toBe: (e) => check(Object.is(actual, e), `toBe(${repr(e)}): received ${repr(actual)}`, e, true),
        toEqual: (e) => check(deepEqual(actual, e, false), `toEqual(${repr(e)}): received ${repr(actual)}`, e, true),
        toStrictEqual: (e) => check(deepEqual(actual, e, true), `toStrictEqual(${repr(e)}): received ${repr(actual)}`, e, true),
        toBeTruthy: () => check(!!actual, `toBeTruthy(): received ${repr(actual)}`),
        toBeFalsy: () => check(!actual, `toBeFalsy(): received ${repr(actual)}`),
        toBeNull: () => check(actual === null, `toBeNull(): received ${repr(actual)}`, null, true),
        toBeUndefined: () => check(actual === undefined, `toBeUndefined(): received ${repr(actual)}`, undefined, true),
        toBeDefined: () => check(actual !== undefined, `toBeDefined(): received ${repr(actual)}`),
        toBeNaN: () => check(Number.isNaN(actual), `toBeNaN(): received ${repr(actual)}`),
        toContain: (e) => check(actual != null && (typeof actual === 'string' ? actual.includes(e) : Array.from(actual).includes(e)), `toContain(${repr(e)}): received ${repr(actual)}`, e, true),
        toContainEqual: (e) => check(actual != null && Array.from(actual).some((x) => deepEqual(x, e, false)), `toContainEqual(${repr(e)}): received ${repr(actual)}`, e, true),
        toHaveLength: (n) => check(actual != null && actual.length === n, `toHaveLength(${n}): received length ${actual == null ? repr(actual) : actual.length}`, n, true),
        toBeCloseTo: (e, digits) => {
          const d = digits === undefined ? 2 : digits;
          check(Math.abs(e - actual) < Math.pow(10, -d) / 2, `toBeCloseTo(${repr(e)}, ${d}): received ${repr(actual)}`, e, true);
        },
        toBeGreaterThan: (e) => check(actual > e, `toBeGreaterThan(${repr(e)}): received ${repr(actual)}`, e, true),
        toBeGreaterThanOrEqual: (e) => check(actual >= e, `toBeGreaterThanOrEqual(${repr(e)}): received ${repr(actual)}`, e, true),
        toBeLessThan: (e) => check(actual < e, `toBeLessThan(${repr(e)}): received ${repr(actual)}`, e, true),
        toBeLessThanOrEqual: (e) => check(actual <= e, `toBeLessThanOrEqual(${repr(e)}): received ${repr(actual)}`, e, true),
        toMatch: (e) => check(typeof actual === 'string' && (e instanceof RegExp ? e.test(actual) : actual.includes(e)), `toMatch(${repr(e)}): received ${repr(actual)}`, e, true),
        toBeInstanceOf: (c) => check(actual instanceof c, `toBeInstanceOf(${c && c.name}): received ${repr(actual)}`),
        toHaveProperty: (k, v) => {
          const has = actual != null && Object.prototype.hasOwnProperty.call(Object(actual), k);
          check(has && (v === undefined || deepEqual(actual[k], v, false)), `toHaveProperty(${repr(k)}): received ${repr(actual)}`);
        },
        toThrow: (e) => {
          if (typeof actual !== 'function') fail('expect(received).toThrow(): received value must be a function');
          const r = thrown(actual);
          const pass = r.threw && errorMatches(r.error, e);
          check(pass, r.threw ? `toThrow(${e === undefined ? '' : repr(e)}): threw ${repr(r.error)}` : `toThrow(${e === undefined ? '' : repr(e)}): did not throw`);
        },
      };
      m.toThrowError = m.toThrow;
      return m;
    }
    const matchers = make(false);
    matchers.not = make(true);
    matchers.resolves = new Proxy({}, { get: (_, k) => (...a) => track((async () => expect(await actual)[k](...a))()) });
    matchers.rejects = new Proxy({}, {
      get: (_, k) => (...a) =>
        track(
          (async () => {
            try {
              await actual;
            } catch (e) {
              return expect(() => {
                throw e;
              })[k](...a);
            }
            fail('expect(received).rejects: the promise resolved');
          })(),
        ),
    });
    return matchers;
  }

  // ---------- unhandled rejections (see rejections.js for why this lives in the guest) ----------
  // Every promise the guest can see is watched until it settles or something handles it: `new
  // Promise`, the statics (through the constructor below), each `.then`/`.catch`/`.finally`, and the
  // promise of every user `async` function (rejections.js hands those to `track`). "Handled" is the
  // same moment the engine marks it: a handler is attached, which `await`, `.then` and the
  // combinators all do by reading the promise's `constructor` first. The runner asks `unhandled()`
  // each time the job queue drains, as Node does after each macrotask.
  const RealPromise = Promise;
  const realThen = RealPromise.prototype.then;
  const watched = new Map();
  let rejectedSince = [];
  let internal = 0;
  let promiseCtor = RealPromise;
  function track(p) {
    if (!(p instanceof RealPromise) || watched.has(p)) return p;
    const record = { reason: undefined };
    watched.set(p, record);
    internal++;
    try {
      realThen.call(
        p,
        () => watched.delete(p),
        (reason) => {
          if (!watched.has(p)) return;
          record.reason = reason;
          rejectedSince.push(p);
        },
      );
    } finally {
      internal--;
    }
    return p;
  }
  Object.defineProperty(RealPromise.prototype, 'constructor', {
    configurable: true,
    enumerable: false,
    get() {
      if (internal === 0) watched.delete(this);
      return promiseCtor;
    },
    set(v) {
      if (this === RealPromise.prototype) promiseCtor = v;
      else Object.defineProperty(this, 'constructor', { value: v, writable: true, enumerable: true, configurable: true });
    },
  });
  Object.defineProperty(RealPromise.prototype, 'then', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: {
      then(onFulfilled, onRejected) {
        return track(realThen.call(this, onFulfilled, onRejected));
      },
    }.then,
  });
  // `Promise` as user code sees it: the real one, except that what it makes is watched. Statics are
  // inherited and run with `this` = this function, so `Promise.reject(e)` and `Promise.all(...)` are too.
  const TrackedPromise = function Promise(executor) {
    if (new.target === undefined) throw new TypeError("Promise constructor cannot be invoked without 'new'");
    return track(Reflect.construct(RealPromise, [executor], new.target === TrackedPromise ? RealPromise : new.target));
  };
  Object.setPrototypeOf(TrackedPromise, RealPromise);
  Object.defineProperty(TrackedPromise, 'prototype', { value: RealPromise.prototype, writable: false });
  // `Promise.resolve(p)` is `p` itself for a plain promise, as in Node (its constructor is the engine's
  // own, not this function); reading it here attaches no handler, so it does not count as handling.
  const realResolve = RealPromise.resolve;
  Object.defineProperty(TrackedPromise, 'resolve', {
    configurable: true,
    writable: true,
    value: {
      resolve(value) {
        if (this === TrackedPromise && value instanceof RealPromise && Object.getPrototypeOf(value) === RealPromise.prototype && !Object.prototype.hasOwnProperty.call(value, 'constructor')) return value;
        return realResolve.call(this, value);
      },
    }.resolve,
  });
  g.Promise = TrackedPromise;
  function unhandledInfo(reason) {
    const suffix = ' (an unhandled promise rejection: nothing awaited this promise or called .catch() on it)';
    if (reason instanceof Error) {
      const info = internals.errorInfo(reason);
      info.message += suffix;
      return info;
    }
    const text = typeof reason === 'string' ? reason : repr(reason);
    return {
      type: 'UnhandledPromiseRejection',
      message: `This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "${text}".`,
      stack: '',
      assertion: false,
    };
  }

  // ---------- test registration (jest / vitest / node:test style) ----------
  const registered = [];
  function test(name, fn) {
    if (typeof name === 'function') {
      fn = name;
      name = fn.name || 'test';
    }
    registered.push({ name: String(name), fn });
  }
  test.skip = () => undefined;
  test.only = test;
  test.each = (rows) => (name, fn) => rows.forEach((row) => test(name, () => (Array.isArray(row) ? fn(...row) : fn(row))));
  const hooks = { beforeEach: [], afterEach: [] };
  function describe(_name, fn) {
    fn();
  }
  describe.skip = () => undefined;
  describe.only = describe;

  // ---------- virtual timers: time advances only when nothing else can run ----------
  let now = 0;
  let timerSeq = 0;
  const timers = [];
  function addTimer(fn, ms, args, repeat) {
    const id = ++timerSeq;
    const delay = Math.max(0, Number(ms) || 0);
    timers.push({ id, at: now + delay, fn, args, repeat: repeat ? Math.max(1, delay) : 0 });
    return id;
  }
  function clearTimer(id) {
    const i = timers.findIndex((t) => t.id === id);
    if (i !== -1) timers.splice(i, 1);
  }

  // ---------- trace recorder ----------
  const trace = { on: false, events: [], total: 0, cap: config.traceEvents, depth: 0 };
  function emit(kind, line, frame, vars, value) {
    trace.total++;
    if (trace.events.length >= trace.cap) return;
    const e = { step: trace.total - 1, kind, line, func: frame.name, depth: frame.depth };
    if (vars) e.vars = vars;
    if (value !== undefined) e.value = value;
    trace.events.push(e);
  }
  function snapshot(names, getter) {
    let values;
    try {
      values = getter();
    } catch {
      return null; // a binding still in its temporal dead zone: skip this observation
    }
    const out = {};
    for (let i = 0; i < names.length; i++) {
      const v = values[i];
      if (typeof v === 'function') continue;
      out[names[i]] = repr(v);
    }
    return out;
  }
  function diff(frame, now) {
    if (!now) return null;
    const changed = {};
    let any = false;
    for (const k in now) {
      if (frame.last[k] !== now[k]) {
        changed[k] = now[k];
        any = true;
      }
    }
    frame.last = now;
    return any ? changed : null;
  }
  function flush(frame, names, getter, skip) {
    if (frame.line === 0) return;
    const now = snapshot(names, getter);
    const changed = diff(frame, now);
    if (changed && skip) for (const k of skip) delete changed[k];
    emit('line', frame.line, frame, changed && Object.keys(changed).length ? changed : null);
  }
  const tf = {
    enter(name, line, names, getter) {
      const frame = { name, depth: trace.depth++, line: 0, last: {}, names, getter, returned: false, threw: false };
      if (!trace.on) return frame;
      const args = snapshot(names, getter) || {};
      frame.last = args;
      emit('call', line, frame, args);
      return frame;
    },
    l(frame, line, names, getter) {
      if (trace.on) flush(frame, names, getter);
      frame.line = line;
      frame.names = names;
      frame.getter = getter;
    },
    // A loop's head: changes of the head's own variables belong to the loop's line, the rest to
    // the statement that ran last.
    loop(frame, line, names, getter, head) {
      if (trace.on && frame.line !== 0) {
        const now = snapshot(names, getter);
        const changed = diff(frame, now) || {};
        const mine = {};
        let mineAny = false;
        for (const k of head) {
          if (k in changed) {
            mine[k] = changed[k];
            mineAny = true;
            delete changed[k];
          }
        }
        emit('line', frame.line, frame, Object.keys(changed).length ? changed : null);
        if (mineAny) emit('line', line, frame, mine);
      } else if (trace.on) {
        frame.last = snapshot(names, getter) || frame.last;
      }
      frame.line = line;
      frame.names = names;
      frame.getter = getter;
    },
    // The return event waits for `leave`: a `finally` block may still run after the return statement,
    // and its changes belong before the frame's return (a later `return` in it replaces the value).
    ret(frame, line, value) {
      if (trace.on) {
        flush(frame, frame.names, frame.getter);
        frame.line = 0;
        frame.pending = { line, value: repr(value) };
      }
      frame.returned = true;
      return value;
    },
    thr(frame, error) {
      if (trace.on && !frame.threw) {
        flush(frame, frame.names, frame.getter);
        const at = frame.line;
        frame.line = 0;
        emit('exception', at, frame, null, error instanceof Error ? (error.name || 'Error') + ': ' + error.message : 'Uncaught ' + repr(error));
      }
      frame.threw = true;
    },
    leave(frame, endLine) {
      trace.depth = frame.depth;
      if (!trace.on || frame.threw) return;
      if (frame.returned) {
        flush(frame, frame.names, frame.getter);
        frame.line = 0;
        if (frame.pending) emit('return', frame.pending.line, frame, null, frame.pending.value);
        return;
      }
      flush(frame, frame.names, frame.getter);
      frame.line = 0;
      if (endLine) emit('return', endLine, frame, null, 'undefined');
    },
  };

  const nodeAssert = assert;
  const testApi = { test, it: test, describe, expect, beforeEach: (fn) => hooks.beforeEach.push(fn), afterEach: (fn) => hooks.afterEach.push(fn) };
  testApi.default = test;
  const modules = {
    vitest: testApi,
    '@jest/globals': testApi,
    'node:test': Object.assign(test, testApi),
    assert: nodeAssert,
    'node:assert': nodeAssert,
    'assert/strict': nodeAssert,
    'node:assert/strict': nodeAssert,
  };
  const internals = {
    repr,
    registered,
    hooks,
    timers,
    trace,
    AssertionError,
    track,
    // The first promise that rejected since the last call and is still unhandled, as errorInfo; else null.
    unhandled() {
      const since = rejectedSince;
      rejectedSince = [];
      for (const p of since) {
        const record = watched.get(p);
        if (record) {
          watched.delete(p);
          return unhandledInfo(record.reason);
        }
      }
      return null;
    },
    // Runs the earliest timer, advancing virtual time; false when none is left.
    fireNext() {
      if (timers.length === 0) return false;
      let i = 0;
      for (let j = 1; j < timers.length; j++) if (timers[j].at < timers[i].at) i = j;
      const t = timers[i];
      now = Math.max(now, t.at);
      if (t.repeat) t.at = now + t.repeat;
      else timers.splice(i, 1);
      if (typeof t.fn === 'function') t.fn(...t.args);
      return true;
    },
    async runRegistered(index) {
      const t = registered[index];
      if (!t) throw new Error('test ' + index + ' was not registered when the tests ran (a test() call inside a condition or loop?)');
      for (const h of hooks.beforeEach) await h();
      try {
        await t.fn();
      } finally {
        for (const h of hooks.afterEach) await h();
      }
    },
    example(actual, expected) {
      if (!deepEqual(actual, expected, false)) fail(`${repr(actual)}, expected ${repr(expected)}`, actual, expected, true);
    },
    cmp(left, op, right, message) {
      const ok = op === '===' ? left === right : op === '!==' ? left !== right : op === '==' ? looseEq(left, right) : !looseEq(left, right);
      if (!ok) fail(message === undefined ? `${repr(left)} ${op} ${repr(right)}` : String(message), left, right, true);
    },
    errorInfo(e) {
      if (e instanceof Error) {
        return {
          type: e.name || 'Error',
          message: String(e.message),
          stack: String(e.stack || ''),
          actual: e.actualRepr,
          expected: e.expectedRepr,
          assertion: e instanceof AssertionError,
        };
      }
      return { type: 'Uncaught', message: repr(e), stack: '', assertion: false };
    },
  };

  g.console = {
    log: (...a) => write('stdout', a),
    info: (...a) => write('stdout', a),
    debug: (...a) => write('stdout', a),
    table: (...a) => write('stdout', a),
    dir: (...a) => write('stdout', a),
    error: (...a) => write('stderr', a),
    warn: (...a) => write('stderr', a),
    trace: (...a) => write('stderr', a),
    assert: (cond, ...a) => {
      if (!cond) fail(a.length ? a.map((x) => (typeof x === 'string' ? x : repr(x))).join(' ') : 'Assertion failed', cond);
    },
  };
  g.assert = assert;
  g.expect = expect;
  g.test = test;
  g.it = test;
  g.describe = describe;
  g.beforeEach = testApi.beforeEach;
  g.afterEach = testApi.afterEach;
  g.setTimeout = (fn, ms, ...args) => addTimer(fn, ms, args, false);
  g.setInterval = (fn, ms, ...args) => addTimer(fn, ms, args, true);
  g.setImmediate = (fn, ...args) => addTimer(fn, 0, args, false);
  g.clearTimeout = clearTimer;
  g.clearInterval = clearTimer;
  g.clearImmediate = clearTimer;
  g.queueMicrotask = (fn) => Promise.resolve().then(fn);
  g.structuredClone = (v) => JSON.parse(JSON.stringify(v));
  g.require = (name) => {
    if (Object.prototype.hasOwnProperty.call(modules, name)) return modules[name];
    const e = new Error(`Cannot find module '${name}': only node:assert is available in the sandbox`);
    e.name = 'ModuleNotFoundError';
    throw e;
  };
  Object.defineProperty(g, '__tf', { value: tf, writable: false, enumerable: false, configurable: false });
  Object.defineProperty(g, '__tfi', { value: internals, writable: false, enumerable: false, configurable: false });
  // Date.now follows the virtual clock so timer-driven code sees time pass consistently.
  const RealDate = Date;
  Date.now = () => RealDate.UTC(2024, 0, 1) + now;
}
