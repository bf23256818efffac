import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // the package's own name, as a plugin imports it (tsconfig.json's paths say the same to the compiler)
          alias: [
            { find: /^synadm$/, replacement: new URL('./index.ts', import.meta.url).pathname },
            { find: /^synadm\/testing$/, replacement: new URL('./testing.ts', import.meta.url).pathname },
          ],
          include: ['core/**/*.test.ts', 'plugins/**/*.test.ts', 'test/unit/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
          testTimeout: 15_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
