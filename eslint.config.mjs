// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'jest.config.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@eventstore/db-client', '@eventstore/db-client/*'],
              message:
                'Only src/infrastructure/eventstoredb and its test stand-in may use the EventStoreDB client.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: [
      'src/infrastructure/eventstoredb/**',
      'test/support/esdb-standin/**',
      'test/contract/eventstoredb-*.ts',
    ],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/ledger/wallet/**/*.ts', 'src/catalog/offer/**/*.ts', 'src/shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'better-sqlite3', '@eventstore/*', '**/infrastructure/**'],
              message: 'The domain is pure: no framework, no I/O.',
            },
          ],
        },
      ],
    },
  },
);
