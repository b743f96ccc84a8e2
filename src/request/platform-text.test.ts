import { describe, expect, it } from 'vitest';
import { platformText, straightenQuotes, stripCommand, unescapeDiscord, unescapeSlack } from './platform-text.ts';

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

describe('unescapeSlack', () => {
  it('resolves links, mentions, channels, groups, dates and specials, then entities', () => {
    expect(unescapeSlack('<http://x.py|x.py> <https://a.b/c> <mailto:a@b.c> <ftp://f>')).toBe('x.py https://a.b/c mailto:a@b.c ftp://f');
    expect(unescapeSlack('hi <@U0ABC12|jane> <@W0XYZ> <#C0HELP9|help> <#C0QUIET1>!')).toBe('hi @jane  #help !');
    expect(unescapeSlack('<!subteam^S0TEAM1|@devs> <!date^1392734382^{date}|Feb 18> <!here> <!channel|channel> <!everyone>')).toBe('@devs Feb 18 @here @channel @everyone');
    expect(unescapeSlack('a &lt; b &gt; c &amp;&amp; d &amp;lt;')).toBe('a < b > c && d &lt;');
    // Not markup: a lone < or a mention with lower-case letters stays.
    expect(unescapeSlack('x <y and <@u1>')).toBe('x <y and <@u1>');
  });
});

describe('unescapeDiscord', () => {
  it('drops user, role and channel mentions and keeps custom emoji by name', () => {
    expect(unescapeDiscord('<@123> <@!456> <@&789> <#1011> <:party:1213> <a:spin:1415> <@abc>')).toBe('    :party: :spin: <@abc>');
  });
});

describe('platformText and stripCommand', () => {
  it('drops a BOM at the start, unifies line breaks, then undoes the platform', () => {
    expect(platformText('\uFEFFa\r\nb\rc &lt;', 'slack')).toBe('a\nb\nc <');
    expect(platformText('a\r\n<@1>b', 'discord')).toBe('a\nb');
    for (const platform of ['web', 'cli', 'eval'] as const) expect(platformText('\uFEFFa &lt;\r\n<@1>', platform)).toBe('a &lt;\n<@1>');
    expect(platformText('a\uFEFF', 'web')).toBe('a\uFEFF');
  });

  it('strips a leading /fix or /tracefix (any case) and the blanks after it, nothing else', () => {
    expect(stripCommand('  /FIX   def f(): pass')).toBe('def f(): pass');
    expect(stripCommand('/tracefix\tcode')).toBe('code');
    expect(stripCommand('/fixed it')).toBe('/fixed it');
    expect(stripCommand('please /fix this')).toBe('please /fix this');
    expect(stripCommand('/fix\ncode')).toBe('\ncode');
  });
});
