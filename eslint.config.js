// typescript-eslint with type information (the project's tsconfig.json), run by `npm run lint` and .ci/run.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', '**/dist/**', 'node_modules/**', 'core/control/gen/**', 'bench/results/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        // tsyringe's decorators: keep consistent-type-imports away from decorated constructors (style §4.2).
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
      },
    },
    rules: {
      // Connector methods implement Promise-returning interfaces; an async method without await is fine.
      '@typescript-eslint/require-await': 'off',
      // JSON escaping and wire formats match control characters on purpose.
      'no-control-regex': 'off',
      // Deferreds, clocks and deadlines pass on whatever reason they were given (AbortSignal.reason is `any`).
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true, allowThrowingAny: true }],
      // `_name`: a value deliberately left unused (a destructured-away field, an ignored argument).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { varsIgnorePattern: '^_', argsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // node:test's describe/it/test return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
    },
  },
  {
    // The emulator's byte-level JSON reader bails out of its fast path with sentinel values; test
    // doubles throw whatever the test configured.
    files: ['packages/starrocks-emulator/**/*.ts', 'core/testing/**/*.ts'],
    rules: { '@typescript-eslint/only-throw-error': 'off' },
  },
  {
    // The emulator's stored values are typed by their column (DECIMAL and dates as text, keys of a MAP
    // as scalars): String() on a StoredValue is deliberate there.
    files: ['packages/starrocks-emulator/src/**/*.ts'],
    rules: { '@typescript-eslint/no-base-to-string': 'off' },
  },
  {
    // Tests and test doubles: fakes implement Promise-returning interfaces without awaiting, and
    // assertion messages stringify whatever they got.
    files: ['test/**/*.ts', 'packages/*/test/**/*.ts', 'core/testing/**/*.ts'],
    rules: {
      // JSON.parse(...).field and checks that a method is absent are what tests do.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
);
