/**
 * Builders shared by the composition root (src/main.ts) and the CLI commands: the one place where
 * settings become backends. Nothing here starts listening; src/main.ts decides what runs.
 */
import { createSandbox, DEFAULT_LIMITS, type CreateSandboxOptions, type Limits, type Sandbox, type SandboxName } from '../sandbox/index.ts';
import type { Config } from './config/index.ts';

export function sandboxOptions(config: Config, backend: SandboxName = config.sandbox.backend): CreateSandboxOptions {
  const s = config.sandbox;
  switch (backend) {
    case 'pyodide':
      return { backend, poolSize: s.poolSize };
    case 'process':
      return { backend, python: s.python };
    case 'e2b':
      return {
        backend,
        poolSize: s.poolSize,
        debug: s.e2b.debug,
        ...(s.e2b.apiKey === undefined ? {} : { apiKey: s.e2b.apiKey }),
        ...(s.e2b.template === undefined ? {} : { template: s.e2b.template }),
        ...(s.e2b.domain === undefined ? {} : { domain: s.e2b.domain }),
      };
  }
}

export function sandboxFromConfig(config: Config, backend?: SandboxName): Sandbox {
  return createSandbox(sandboxOptions(config, backend));
}

/** The runner limits every request of this deployment starts from. */
export function limitsFromConfig(config: Config): Limits {
  return {
    ...DEFAULT_LIMITS,
    testTimeoutMs: config.sandbox.testTimeoutMs,
    totalTimeoutMs: config.sandbox.totalTimeoutMs,
    memoryMb: config.sandbox.memoryMb,
  };
}
