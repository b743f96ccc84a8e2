/**
 * A cheap, BPE-free token estimate for code and traces, used to fit a rendering into a prompt budget.
 *
 * Why not chars/3.5: traces are dense with punctuation (`(12) a=[1, 2];`), where BPE tokenizers spend
 * about one token per symbol, while long identifiers and indentation cost far less than their length.
 * Counting by character class tracks both. The rules (one pass, no tables):
 *   - a run of letters/underscores: one token per 6 characters, rounded up;
 *   - a run of digits: one token per 3 digits (cl100k/o200k split numbers in groups of three);
 *   - every other visible ASCII character: one token (merges like `==` or `):` make this an overestimate);
 *   - a run of two or more spaces/tabs (indentation): one token; a single space joins the next word: zero;
 *   - a newline: one token;
 *   - any non-ASCII character: one token.
 * Checked against cl100k_base and o200k_base (estimate-tokens.test.ts, on the renderer's golden files):
 * never below the real count; NExT renderings at most 40% above (measured 0–39%, the small ones
 * highest), plain programs at most 55% above (measured 8–52%). chars/3.5 would be half the real count
 * on traces. Erring high keeps the "fits the budget" promise for any of those tokenizers.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isWord(c)) {
      let j = i + 1;
      while (j < n && isWord(text.charCodeAt(j))) j++;
      tokens += Math.ceil((j - i) / 6);
      i = j;
    } else if (isDigit(c)) {
      let j = i + 1;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      tokens += Math.ceil((j - i) / 3);
      i = j;
    } else if (c === 32 || c === 9) {
      let j = i + 1;
      while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
      if (j - i >= 2) tokens += 1;
      i = j;
    } else if (c === 13) {
      i++;
    } else {
      // Newlines, symbols, and non-ASCII (surrogate pairs count twice: harmless, still an overestimate).
      tokens += 1;
      i++;
    }
  }
  return tokens;
}

function isWord(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
