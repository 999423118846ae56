import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    // Tests start real processes, servers and databases on the real registry; on a busy two-core
    // machine vitest's 5-second default times out on load, not on behaviour. Slow tests set more.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
