import { describe, expect, it } from 'vitest';
import { scrubText, type ScrubCounts } from './scrub.ts';

describe('scrubText', () => {
  const cases: [string, string, string][] = [
    ['openai key', 'client = OpenAI(api_key_value="sk-proj-abcDEF1234567890abcdef")', 'sk-proj-abc'],
    ['slack bot token', 'TOKEN = xoxb-123456789012-1234567890123-abcdefABCDEF', 'xoxb-1234'],
    ['slack app token', 'xapp-1-A0123456-1234567890-abcdef', 'xapp-1-A01'],
    ['github token', 'gh = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"', 'ghp_aBcD'],
    ['aws key', 'key_id = "AKIAIOSFODNN7EXAMPLE"', 'AKIAIOSFODNN7EXAMPLE'],
    ['jwt', 'h = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"', 'eyJhbGciOiJIUzI1NiJ9'],
    ['private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEA'],
    ['password literal', 'password = "hunter2"', 'hunter2'],
    ['password in dict', '{"password": "hunter2"}', 'hunter2'],
    ['env line', 'DB_PASSWORD=hunter2', 'hunter2'],
    ['url credentials', 'postgres://admin:hunter2@db.internal:5432/app', 'hunter2'],
    ['url token', 'https://api.example.com/v1?token=abc123secret&x=1', 'abc123secret'],
    ['email', 'contact = "jane.doe@example.com"', 'jane.doe@example.com'],
    ['phone', 'call("+1 415 555 2671")', '555 2671'],
    ['us phone', 'call("(415) 555-2671")', '555-2671'],
  ];
  for (const [name, input, secret] of cases) {
    it(`removes a ${name}`, () => {
      const counts: ScrubCounts = {};
      const out = scrubText(input, counts);
      expect(out).not.toContain(secret);
      expect(out).toContain('[REDACTED');
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    });
  }

  it('leaves ordinary Python alone', () => {
    const code = [
      'def login(user, password):',
      '    token = make_token(user)',
      '    password = password.strip()',
      '    return check(password=password, when="2024-01-15", n=1000, xs=[1, 2, 3])',
      'tokens = "a b c".split()',
      'compass = "north"',
      '@property',
      'def area(self): return self.w * self.h',
    ].join('\n');
    expect(scrubText(code)).toBe(code);
  });
});
