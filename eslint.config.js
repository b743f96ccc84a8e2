import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';

/**
 * The layers of DESIGN.md §2, as lint rules (CI fails on a violation: `npm run lint` in .ci/run).
 * tests/ may import anything; the rules below hold for the product's folders.
 */
const upTo = (folder) => `^(\\.\\./)+${folder}/`;
const layers = [
  {
    // sandbox/ runs untrusted code and ships on its own: it knows nothing of the product.
    files: ['sandbox/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: upTo('(src|bots)'), message: 'sandbox/ imports nothing from src/ or bots/ (DESIGN.md §2): take settings as plain options.' },
          ],
        },
      ],
    },
  },
  {
    // src/ never reaches into a front end; the composition root (src/main.ts) is the one that adds them.
    files: ['src/**/*.ts'],
    ignores: ['src/main.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: upTo('bots'), message: 'src/ never imports bots/ (DESIGN.md §2); only src/main.ts adds the front ends.' }] },
      ],
    },
  },
  {
    // A front end sees src/ through each folder's public face: its index (and its types, which are erased).
    files: ['bots/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `${upTo('src')}[^/]+/(?!(index|types)\\.ts$).+`,
              message: "bots/ import src/ only through a folder's index.ts (or its types.ts): export what you need there.",
            },
          ],
        },
      ],
    },
  },
  {
    // Settings reach code as arguments: one reader of the environment keeps them validated and documented.
    files: ['src/**/*.ts', 'bots/**/*.ts', 'sandbox/**/*.ts'],
    ignores: ['src/config/**', '**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/config reads process.env: take the setting from the Config (or as an option).' },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', '.venv-trainer/', '**/.venv*/', 'data/', 'coverage/', 'runs/', 'reports/', '.stryker-tmp/', '**/*.py', 'bots/web/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    files: ['src/**/*.ts', 'bots/**/*.ts', 'sandbox/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js'] })],
    },
    // A cycle makes load order matter (a top-level await in the loop hangs the process) and hides layers.
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  ...layers,
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { ...globals.node },
    },
  },
);
