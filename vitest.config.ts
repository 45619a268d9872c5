// One workspace-wide vitest run over every package and app that has tests.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts"],
    // Spawned servers and databases are heavy on a 2-core machine.
    maxWorkers: 2,
  },
});
