/**
 * Secrets and obvious personal data are removed from everything that leaves the machine (training
 * files, exported datasets). Pattern-based by necessity: it catches the common credential formats and
 * contact details, not every secret a paste could hold, which is why the dataset is also limited to
 * answers users chose to upvote. Replacements are deterministic placeholders so that the program in
 * the prompt and the fixed program in the answer stay consistent with each other.
 */

export type ScrubKind =
  | 'private_key'
  | 'openai_key'
  | 'slack_token'
  | 'github_token'
  | 'aws_key'
  | 'google_key'
  | 'jwt'
  | 'url_credentials'
  | 'url_token'
  | 'assigned_secret'
  | 'email'
  | 'phone';

interface Rule {
  kind: ScrubKind;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

const SECRET_NAMES = String.raw`(?:password|passwd|pwd|secret|client_secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|private[_-]?key)`;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.]*(?:\(\))?$/;

const RULES: Rule[] = [
  {
    kind: 'private_key',
    pattern: /-----BEGIN ((?:[A-Z]+ )*PRIVATE KEY)-----[\s\S]*?-----END \1-----/g,
    replace: () => '[REDACTED_PRIVATE_KEY]',
  },
  { kind: 'openai_key', pattern: /\bsk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_-]{16,}/g, replace: () => '[REDACTED_API_KEY]' },
  { kind: 'slack_token', pattern: /\bx(?:ox[abposre]|app)-[A-Za-z0-9-]{8,}/g, replace: () => '[REDACTED_SLACK_TOKEN]' },
  { kind: 'github_token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, replace: () => '[REDACTED_GITHUB_TOKEN]' },
  { kind: 'aws_key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replace: () => '[REDACTED_AWS_KEY]' },
  { kind: 'google_key', pattern: /\bAIza[0-9A-Za-z_-]{35}/g, replace: () => '[REDACTED_API_KEY]' },
  {
    kind: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    replace: () => '[REDACTED_JWT]',
  },
  {
    kind: 'url_credentials',
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:'"]+:[^\s/@'"]+@/gi,
    replace: (_m, scheme) => `${scheme}[REDACTED]@`,
  },
  {
    kind: 'url_token',
    pattern: new RegExp(String.raw`([?&]${SECRET_NAMES}=)[^&#\s'"]+`, 'gi'),
    replace: (_m, name) => `${name}[REDACTED]`,
  },
  {
    // password = "hunter2", "api_key": "…", PASSWORD=hunter2 on its own line (.env style).
    kind: 'assigned_secret',
    pattern: new RegExp(String.raw`\b(\w*${SECRET_NAMES})\b(["']?\s*[:=]\s*)(["'])([^"'\n]{1,200})\3`, 'gi'),
    replace: (match, name, sep, quote, value) => (value?.startsWith('[REDACTED') ? match : `${name}${sep}${quote}[REDACTED]${quote}`),
  },
  {
    kind: 'assigned_secret',
    pattern: new RegExp(String.raw`^(\s*(?:export\s+)?\w*${SECRET_NAMES}=)([^\s'"]+)\s*$`, 'gim'),
    replace: (match, name, value) => (value?.startsWith('[REDACTED') || (IDENTIFIER.test(value ?? '') && /[a-z]/.test(value) && /[_.(]/.test(value ?? '')) ? match : `${name}[REDACTED]`),
  },
  {
    kind: 'email',
    pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|net|edu|gov|io|dev|co|uk|de|fr|jp|cn|in|ru|info|biz|me|ai|app|eu|ca|au|us|nl|se|ch|it|es|pl|br)\b/g,
    replace: () => '[REDACTED_EMAIL]',
  },
  {
    kind: 'phone',
    pattern: /(?<![\w.])(?:\+\d{1,3}[\s.-]?\(?\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4}|\(\d{3}\)\s?\d{3}[.-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w.])/g,
    replace: () => '[REDACTED_PHONE]',
  },
];

export type ScrubCounts = Partial<Record<ScrubKind, number>>;

export function scrubText(text: string, counts: ScrubCounts = {}): string {
  let out = text;
  for (const rule of RULES) {
    out = out.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
      const groups = rest.filter((g): g is string => typeof g === 'string');
      const replaced = rule.replace(match, ...groups);
      if (replaced !== match) counts[rule.kind] = (counts[rule.kind] ?? 0) + 1;
      return replaced;
    });
  }
  return out;
}

/** Scrubs every string inside a JSON-like value. */
export function scrubDeep<T>(value: T, counts: ScrubCounts = {}): T {
  if (typeof value === 'string') return scrubText(value, counts) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => scrubDeep(v, counts)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v as unknown, counts)])) as T;
  }
  return value;
}
