/**
 * One Sandbox over two runners: requests whose `language` is javascript or typescript go to the
 * JavaScript backend, everything else (Python, and requests without a language) to the Python one.
 * Front ends and the engine keep one `Sandbox`; only the request says which language arrived.
 */
import type { RunnerRequest, RunnerResponse } from '../protocol.ts';
import type { ExecuteOptions, Isolation, Sandbox, SandboxStats } from '../types.ts';
import type { LanguageSandbox } from './index.ts';

export function isJavaScriptRequest(request: Pick<RunnerRequest, 'language'>): boolean {
  return request.language === 'javascript' || request.language === 'typescript';
}

export class LanguageRouter implements Sandbox {
  private js: LanguageSandbox | undefined;

  constructor(
    private readonly python: Sandbox,
    /** Built on the first JavaScript request, so a Python-only deployment starts no JS runner. */
    private readonly makeJavaScript: () => LanguageSandbox,
  ) {}

  /** The Python backend's name and isolation: both runners use the same jail (bubblewrap where it works). */
  get name(): Sandbox['name'] {
    return this.python.name;
  }

  get isolation(): Isolation {
    return this.python.isolation;
  }

  execute(request: RunnerRequest, options?: ExecuteOptions): Promise<RunnerResponse> {
    if (!isJavaScriptRequest(request)) return this.python.execute(request, options);
    this.js ??= this.makeJavaScript();
    return this.js.execute(request, options);
  }

  stats(): SandboxStats {
    const a = this.python.stats();
    const b = this.js?.stats() ?? { warm: 0, busy: 0, executed: 0, killed: 0 };
    return { warm: a.warm + b.warm, busy: a.busy + b.busy, executed: a.executed + b.executed, killed: a.killed + b.killed };
  }

  async close(): Promise<void> {
    await Promise.all([this.python.close(), this.js?.close()]);
  }
}
