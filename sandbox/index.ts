/**
 * The sandbox's public face: one factory over the three backends, and the isolation gate that keeps
 * other people's code off a backend that cannot contain it. Settings come in as a plain object; the
 * composition root maps src/config onto it (sandbox/ never imports src/).
 *
 * Importing this file is cheap: each backend module is loaded by `createSandbox` when it is chosen,
 * never before (the e2b SDK alone costs a CLI start seconds). Keep backend modules out of this
 * file's value imports and re-exports; their option types are erased and cost nothing.
 */
import { SandboxError } from './collect.ts';
import type { E2BSandboxOptions } from './e2b/index.ts';
import type { JsSandboxOptions } from './js/index.ts';
import { LanguageRouter } from './js/router.ts';
import type { ProcessSandboxOptions } from './process/index.ts';
import type { PyodideSandboxOptions } from './pyodide/index.ts';
import type { Sandbox, SandboxName } from './types.ts';

export { LanguageRouter, isJavaScriptRequest } from './js/router.ts';
export { SandboxError, isSandboxError, type SandboxErrorCode } from './collect.ts';
export { probeBubblewrap, useToolSearchPath } from './process/jail.ts';
export { defaultSnapshotCacheDir } from './pyodide/snapshot-cache.ts';
export type { PyodideSandboxOptions, ProcessSandboxOptions, E2BSandboxOptions, JsSandboxOptions };
export type * from './types.ts';
export * from './protocol.ts';

export type CreateSandboxOptions =
  | ({ backend: 'pyodide' } & PyodideSandboxOptions)
  | ({ backend: 'process' } & ProcessSandboxOptions)
  | ({ backend: 'e2b' } & E2BSandboxOptions);

/**
 * The backend the options name for Python, behind a router that sends JavaScript and TypeScript
 * requests (`language`) to the QuickJS runner, which is loaded and started on the first such request.
 * Rejects (SandboxError) when the backend cannot be built here: no python3, no E2B key.
 */
export async function createSandbox(options: CreateSandboxOptions): Promise<Sandbox> {
  return new LanguageRouter(await createPythonSandbox(options), async () => {
    const { JsSandbox } = await import('./js/index.ts');
    return new JsSandbox();
  });
}

async function createPythonSandbox(options: CreateSandboxOptions): Promise<Sandbox> {
  switch (options.backend) {
    case 'pyodide': {
      const { PyodideSandbox } = await import('./pyodide/index.ts');
      return new PyodideSandbox(options);
    }
    case 'process': {
      const { ProcessSandbox } = await import('./process/index.ts');
      return new ProcessSandbox(options);
    }
    case 'e2b': {
      const { E2BSandbox } = await import('./e2b/index.ts');
      return new E2BSandbox(options);
    }
  }
}

/**
 * Refuses a backend that does not isolate, for front ends that run other people's code (the Slack
 * and Discord bots, the web chat beyond 127.0.0.1). The message says how to fix it.
 */
export function assertIsolated(sandbox: Pick<Sandbox, 'name' | 'isolation'>, purpose: string): void {
  if (sandbox.isolation.isolated) return;
  const fixes: Record<SandboxName, string> = {
    pyodide: 'install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`) so the Pyodide runners run inside it, or set TRACEFIX_SANDBOX=e2b with an E2B_API_KEY',
    process: 'install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`), or set TRACEFIX_SANDBOX=e2b with an E2B_API_KEY',
    e2b: 'check the E2B settings',
  };
  throw new SandboxError(
    'not_isolated',
    `Refusing to run code from other people for ${purpose}: the ${sandbox.name} sandbox does not isolate it here (${sandbox.isolation.how}). To fix: ${fixes[sandbox.name]}.`,
  );
}
