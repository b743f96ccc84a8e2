/**
 * The layers of DESIGN.md §2 are lint rules: a file that breaks one makes `npm run lint` fail. Each
 * case writes a small file into the real folder (so paths and imports resolve as in the product),
 * lints it with the project's own eslint.config.js, and removes it. Type information is not needed
 * by these rules, so the probes are parsed without it (fast, and they are not in any tsconfig program).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const made: string[] = [];

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` (name → text) into a fresh folder under `parent` and returns the rule ids reported. */
async function lintProbe(parent: string, files: Record<string, string>): Promise<string[]> {
  const dir = join(ROOT, parent, `lint-probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  made.push(dir);
  const paths = Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
  const eslint = new ESLint({ cwd: ROOT, overrideConfig: [tseslint.configs.disableTypeChecked] });
  const results = await eslint.lintFiles(paths);
  return results.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => m.ruleId ?? m.message));
}

describe('lint enforces the layers', () => {
  it('sandbox/ may not import src/ or bots/', async () => {
    expect(await lintProbe('sandbox', { 'x.ts': "import { loadConfig } from '../../src/config/index.ts';\nexport const c = loadConfig;\n" })).toContain('no-restricted-imports');
    expect(await lintProbe('sandbox', { 'x.ts': "import { createWebChat } from '../../bots/web/index.ts';\nexport const c = createWebChat;\n" })).toContain('no-restricted-imports');
  });

  it('src/ may not import bots/ (only src/main.ts adds the front ends)', async () => {
    expect(await lintProbe('src', { 'x.ts': "import { createWebChat } from '../../bots/web/index.ts';\nexport const c = createWebChat;\n" })).toContain('no-restricted-imports');
  });

  it("bots/ import src/ through a folder's index, not its inner modules", async () => {
    expect(await lintProbe('bots', { 'x.ts': "import { createRepairEngine } from '../../src/repair/engine.ts';\nexport const e = createRepairEngine;\n" })).toContain('no-restricted-imports');
    expect(await lintProbe('bots', { 'x.ts': "import { createRepairEngine } from '../../src/repair/index.ts';\nexport const e = createRepairEngine;\n" })).toEqual([]);
  });

  it('only src/config reads process.env', async () => {
    expect(await lintProbe('src', { 'x.ts': "export const key = process.env['OPENAI_API_KEY'];\n" })).toContain('no-restricted-properties');
    expect(await lintProbe('sandbox', { 'x.ts': "export const path = process.env['PATH'];\n" })).toContain('no-restricted-properties');
  });

  it('an import cycle fails', async () => {
    const rules = await lintProbe('src', {
      'a.ts': "import { b } from './b.ts';\nexport const a = (): number => b() + 1;\n",
      'b.ts': "import { a } from './a.ts';\nexport const b = (): number => (a.length ? 1 : 0);\n",
    });
    expect(rules).toContain('import-x/no-cycle');
  });
});
