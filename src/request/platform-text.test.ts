import { describe, expect, it } from 'vitest';
import { straightenQuotes } from './platform-text.ts';

describe('straightenQuotes', () => {
  it('leaves text without curly quotes untouched', () => {
    expect(straightenQuotes("s = 'a' # b")).toBe("s = 'a' # b");
  });

  it('straightens the quotes of a string a curly quote opened, and only those', () => {
    expect(straightenQuotes('print(“hi”, ‘there’)')).toBe('print("hi", \'there\')');
    // Closed by a straight quote of the same kind: the opener is straightened, the rest kept.
    expect(straightenQuotes('x = “it’s"')).toBe('x = "it’s"');
  });

  it('keeps curly quotes inside triple-quoted strings, f-strings and comments', () => {
    const source = 'def f():\n    """Say “hi” # not a comment\n    ‘twice’."""\n    return f"{“x”}" + ‘y’  # “z”';
    expect(straightenQuotes(source)).toBe('def f():\n    """Say “hi” # not a comment\n    ‘twice’."""\n    return f"{“x”}" + \'y\'  # “z”');
  });

  it('ends a string a curly quote opened at the line break when nothing closes it', () => {
    expect(straightenQuotes('a = “open\nb = ‘x’')).toBe('a = "open\nb = \'x\'');
  });
});
