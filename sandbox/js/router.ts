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
  private js: Promise<LanguageSandbox> | undefined;
  /** The JavaScript backend once built, for the synchronous stats(). */
  private jsBuilt: LanguageSandbox | undefined;

  constructor(
    private readonly python: Sandbox,
    /**
     * Built (its module loaded too) on the first JavaScript request, so a Python-only deployment
     * neither loads nor starts a JS runner. A failed build is tried again on the next request.
     */
    private readonly makeJavaScript: () => LanguageSandbox | Promise<LanguageSandbox>,
  ) {}

  /** The Python backend's name and isolation: both runners use the same jail (bubblewrap where it works). */
  get name(): Sandbox['name'] {
    return this.python.name;
  }

  get isolation(): Isolation {
    return this.python.isolation;
  }

  async execute(request: RunnerRequest, options?: ExecuteOptions): Promise<RunnerResponse> {
    if (!isJavaScriptRequest(request)) return this.python.execute(request, options);
    return (await this.javaScript()).execute(request, options);
  }

  private javaScript(): Promise<LanguageSandbox> {
    this.js ??= Promise.resolve()
      .then(() => this.makeJavaScript())
      .then(
        (built) => (this.jsBuilt = built),
        (error: unknown) => {
          this.js = undefined;
          throw error;
        },
      );
    return this.js;
  }

  stats(): SandboxStats {
    const a = this.python.stats();
    const b = this.jsBuilt?.stats() ?? { warm: 0, busy: 0, executed: 0, killed: 0 };
    // The Python backend's pool state (starting, health) is what /healthz and /metrics report.
    return { ...a, warm: a.warm + b.warm, busy: a.busy + b.busy, executed: a.executed + b.executed, killed: a.killed + b.killed };
  }

  async close(): Promise<void> {
    await Promise.all([this.python.close(), this.js?.then((js) => js.close(), () => undefined)]);
  }
}
