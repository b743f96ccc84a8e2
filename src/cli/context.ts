import type { SandboxName } from '../../sandbox/index.ts';
import type { Services } from '../compose.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../log.ts';

/** What every CLI command receives. */
export interface CliContext {
  config: Config;
  logger: Logger;
  /**
   * The deployment's services (src/compose.ts), built lazily: a command pays only for the parts it
   * asks for. `sandbox` is the command's --sandbox choice. The CLI closes them after the command.
   */
  services(options?: { sandbox?: SandboxName }): Services;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** True when stderr is a terminal: progress bars and colours are welcome there. */
  interactive: boolean;
}

/** A command module in src/cli/commands/<name>.ts exports these. */
export interface CliCommand {
  summary: string;
  usage: string;
  /** Resolves to the exit status: 0 success, 1 the user's code fails / not fixed, 2 bad input or our error. */
  run(argv: string[], context: CliContext): Promise<number>;
}

export const EXIT = { ok: 0, failing: 1, error: 2 } as const;
