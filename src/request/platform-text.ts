/**
 * Undo what each chat platform does to a message before a bot sees it, so that the code we run is the
 * code the user typed.
 */
import type { Platform } from '../repair/types.ts';
import { CURLY_QUOTES, lexPython } from '../trace/python-lexer.ts';

/**
 * Slack's message text escapes `&`, `<` and `>` as entities, everywhere including code blocks, and uses
 * `<...>` for its own markup: links (`<http://x.py|x.py>`: Slack auto-links `name.py`, `.py` being a
 * country domain), user, channel and group mentions, `<!here>`. Markup is resolved first, while `<` still
 * only means markup; entities last, `&amp;` after the others so `&amp;lt;` stays a literal `&lt;`.
 */
export function unescapeSlack(text: string): string {
  return text
    .replace(/<((?:https?|mailto|ftp):[^|>\s]*)\|([^>]*)>/g, '$2')
    .replace(/<((?:https?|mailto|ftp):[^|>\s]*)>/g, '$1')
    .replace(/<@[UW][A-Z0-9]+\|([^>]*)>/g, '@$1')
    .replace(/<@[UW][A-Z0-9]+>/g, '')
    .replace(/<#C[A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<#C[A-Z0-9]+>/g, '')
    .replace(/<!subteam\^[A-Z0-9]+\|([^>]*)>/g, '$1')
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Discord sends message content raw (no entities), but mentions arrive as `<@123>`, `<@!123>`, roles as
 * `<@&123>`, channels as `<#123>`, custom emoji as `<:name:123>`.
 */
export function unescapeDiscord(text: string): string {
  return text
    .replace(/<@[!&]?\d+>/g, '')
    .replace(/<#\d+>/g, '')
    .replace(/<a?:(\w+):\d+>/g, ':$1:');
}

export function platformText(text: string, platform: Platform): string {
  const unified = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  switch (platform) {
    case 'slack':
      return unescapeSlack(unified);
    case 'discord':
      return unescapeDiscord(unified);
    case 'web':
    case 'cli':
    case 'eval':
      return unified;
  }
}

/** The command word a user may type before the paste (`/fix` in a mention, or in the web chat). */
export function stripCommand(text: string): string {
  return text.replace(/^\s*\/(?:fix|tracefix)\b[ \t]*/i, '');
}

/**
 * Characters chat clients and web pages slip into copied code that Python rejects outside strings:
 * zero-width spaces (Discord inserts them), BOMs, and non-breaking spaces (web pages, rich-text editors).
 */
export function cleanCodeCharacters(code: string): string {
  return code.replace(/\u200B|\u200C|\u200D|\u2060|\uFEFF/g, '').replace(/\u00A0/g, ' ');
}

/**
 * Rich-text editors (macOS, Slack's composer with smart punctuation) turn quotes curly. Outside a
 * string or comment a curly quote can only be that accident (Python rejects it), so straighten those
 * and leave curly quotes inside real strings and comments alone. A string a curly quote opened closes
 * on the next quote of its kind, curly or straight (“hi”).
 */
export function straightenQuotes(code: string): string {
  if (!/[\u2018\u2019\u201C\u201D]/.test(code)) return code;
  const straight = (ch: string) => CURLY_QUOTES[ch] ?? ch;
  let out = '';
  let cursor = 0;
  for (const span of lexPython(code, { curlyQuotes: true }).spans) {
    if (span.kind !== 'string' || span.quoteStart === undefined) continue;
    out += code.slice(cursor, span.quoteStart) + straight(code[span.quoteStart] ?? '');
    cursor = span.quoteStart + 1;
    if (span.closeStart !== undefined) {
      out += code.slice(cursor, span.closeStart) + straight(code[span.closeStart] ?? '');
      cursor = span.closeStart + 1;
    }
  }
  return out + code.slice(cursor);
}
