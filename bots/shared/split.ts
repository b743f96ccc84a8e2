/**
 * Splitting long replies for chat platforms that cap a message (Discord 2,000 characters, a Slack
 * section 3,000). Cuts fall on line boundaries; a code fence that is open at a cut is closed at the end
 * of the part and re-opened, with the same opener (language included), at the start of the next one, so
 * every part renders as the reader expects.
 */

const FENCE = /^\s*```/;
const CLOSE = '```';

/** True when the line opens or closes a ``` fence. */
function isFence(line: string): boolean {
  return FENCE.test(line);
}

/**
 * Splits `text` into parts of at most `limit` characters each.
 * A line longer than a part can hold is cut inside the line, as a last resort.
 */
export function splitMessage(text: string, limit: number): string[] {
  if (limit < 16) throw new RangeError('splitMessage: limit too small to hold a fence');
  if (text.length <= limit) return [text];
  const parts: string[] = [];
  let lines: string[] = [];
  let length = 0;
  /** The opener of the fence that is open at the end of `lines`, if any. */
  let open: string | undefined;

  const flush = (): void => {
    const body = lines.join('\n');
    parts.push(open === undefined ? body : `${body}\n${CLOSE}`);
    lines = open === undefined ? [] : [open];
    length = open === undefined ? 0 : open.length;
  };

  const append = (line: string): void => {
    length += (lines.length > 0 ? 1 : 0) + line.length;
    lines.push(line);
  };

  for (const line of text.split('\n')) {
    const opensOrCloses = isFence(line);
    const openAfter = opensOrCloses ? (open === undefined ? line.trim() : undefined) : open;
    const reserve = openAfter === undefined ? 0 : CLOSE.length + 1;
    const added = (lines.length > 0 ? 1 : 0) + line.length;
    const onlyReopened = open !== undefined && lines.length === 1;
    if (length + added + reserve > limit && lines.length > 0 && !onlyReopened) flush();

    const room = (): number => limit - length - (lines.length > 0 ? 1 : 0) - (open === undefined ? 0 : CLOSE.length + 1);
    let rest = line;
    // A line that cannot fit even in a fresh part: cut it into pieces that do.
    while (rest.length > room() && !opensOrCloses) {
      const take = Math.max(1, room());
      append(rest.slice(0, take));
      rest = rest.slice(take);
      flush();
    }
    append(rest);
    open = openAfter;
  }
  if (lines.length > 0 && !(open !== undefined && lines.length === 1 && lines[0] === open)) {
    parts.push(lines.join('\n') + (open === undefined ? '' : `\n${CLOSE}`));
  }
  return parts.filter((part) => part.trim() !== '');
}

/**
 * A diff for reading in chat: git's "\ No newline at end of file" markers are true but, to a reader of a
 * pasted snippet, only noise.
 */
export function displayDiff(diff: string): string {
  return diff
    .split('\n')
    .filter((line) => !line.startsWith('\\ No newline at end of file'))
    .join('\n')
    .trimEnd();
}

/** Shortens text to at most `limit` characters, ending with a marker that says so. */
export function truncate(text: string, limit: number, marker = '…'): string {
  if (text.length <= limit) return text;
  return text.slice(0, Math.max(0, limit - marker.length)) + marker;
}

/**
 * Keeps whole lines up to `limit` characters and says how many were left out; for excerpts where a
 * half line would mislead (a diff hunk, a trace).
 */
export function truncateLines(text: string, limit: number): { text: string; omitted: number } {
  if (text.length <= limit) return { text, omitted: 0 };
  const lines = text.split('\n');
  const kept: string[] = [];
  let length = 0;
  const note = (n: number): string => `… ${n} more line${n === 1 ? '' : 's'}`;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const remaining = lines.length - i;
    if (length + line.length + 1 + note(remaining).length + 1 > limit) {
      if (kept.length === 0) kept.push(truncate(line, Math.max(1, limit - note(remaining - 1).length - 2)));
      const omitted = lines.length - kept.length;
      return { text: `${kept.join('\n')}\n${note(omitted)}`, omitted };
    }
    kept.push(line);
    length += line.length + 1;
  }
  return { text, omitted: 0 };
}
