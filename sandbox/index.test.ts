import { describe, expect, it } from 'vitest';
import { assertIsolated, createSandbox, isSandboxError, probeBubblewrap, SandboxError } from './index.ts';

describe('assertIsolated', () => {
  it('lets an isolating backend through', () => {
    expect(() => assertIsolated({ name: 'e2b', isolation: { isolated: true, how: 'E2B' } }, 'the Slack bot')).not.toThrow();
  });

  it('refuses an unisolated one and says how to fix it', () => {
    const attempt = (): void => assertIsolated({ name: 'pyodide', isolation: { isolated: false, how: 'no bubblewrap here' } }, 'the Slack bot');
    expect(attempt).toThrow(SandboxError);
    try {
      attempt();
    } catch (error) {
      expect(isSandboxError(error) && error.code).toBe('not_isolated');
      expect((error as SandboxError).userMessage).toMatch(/the Slack bot.*no bubblewrap here.*install bubblewrap.*E2B_API_KEY/);
    }
  });
});

describe('createSandbox', () => {
  it('builds the named backend, isolated exactly when bubblewrap works here', async () => {
    const sandbox = createSandbox({ backend: 'process' });
    expect(sandbox.name).toBe('process');
    expect(sandbox.isolation.isolated).toBe(probeBubblewrap().ok);
    await sandbox.close();
  });

  it('refuses e2b without an API key outside debug mode', () => {
    expect(() => createSandbox({ backend: 'e2b' })).toThrow(/E2B_API_KEY/);
  });
});
