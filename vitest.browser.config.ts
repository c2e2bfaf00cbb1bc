import { defineConfig } from "vitest/config";

/** `npm run test:browser`: suites that drive headless Chromium. Their files end in `.spec.ts`, so `npm test` (`*.test.ts`) never starts a browser. */
export default defineConfig({
  test: {
    include: ["test/browser/**/*.spec.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
