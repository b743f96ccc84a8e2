/**
 * A jailed runner process that reads its one request from stdin, answers in protocol lines on stdout
 * and exits: how the process backend (python3) and the JavaScript backend (Node + QuickJS) serve a
 * request. Spawning (what goes in the jail) is each backend's own; serving the request is shared.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { LineSplitter, type Attempt, type AttemptEnd, type KillReason } from '../collect.ts';
import type { RunnerRequest } from '../protocol.ts';
import { killTree } from './jail.ts';

export interface Spare {
  child: ChildProcessWithoutNullStreams;
  exited: boolean;
  stderrTail: string;
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpareEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It wrote something on stdout: it started. */
  spoke: boolean;
  /** We stopped it (a limit, a cancel). */
  killed: boolean;
}

/**
 * Hands `request` to the spare and reads its answer, capped at `maxOutputBytes`. `onEnd` sees how the
 * process ended before the verdict is made (the process backend counts runners that never started).
 */
export function serveRequest(
  spare: Spare,
  request: RunnerRequest,
  onLine: (line: string) => void,
  options: { maxOutputBytes: number; onEnd?: (end: SpareEnd) => void },
): Attempt {
  const child = spare.child;
  let killedFor: KillReason | undefined;
  const kill = (reason: KillReason): void => {
    killedFor ??= reason;
    killTree(child);
  };
  const splitter = new LineSplitter(onLine, () => kill('output'), 16 * 1024 * 1024, options.maxOutputBytes);
  child.stdout.on('data', (chunk: string) => splitter.push(chunk));
  child.stdin.end(JSON.stringify(request));
  let spoke = false;
  child.stdout.once('data', () => (spoke = true));
  const end = spare.ended.then(({ code, signal }): AttemptEnd => {
    splitter.flush();
    options.onEnd?.({ code, signal, spoke, killed: killedFor !== undefined });
    const detail = (signal ? `signal ${signal}` : `exit code ${code}`) + (spare.stderrTail && code !== 0 ? `: ${spare.stderrTail.trim()}` : '');
    if (killedFor) return { killed: killedFor, detail };
    // bubblewrap reports a child killed by a signal as 128 + the signal number.
    if (signal === 'SIGXCPU' || code === 128 + 24) return { killed: 'cpu', detail };
    if (code !== 0) return { killed: 'exit', detail };
    return {};
  });
  return { end, kill };
}
