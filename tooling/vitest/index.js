// Shared vitest project preset: Node environment, generous timeouts for tests
// that start real servers, databases and sockets. Plain JS: vitest loads config
// dependencies from node_modules without transpiling them.
import { defineProject } from "vitest/config";

/**
 * @param {string} name
 * @param {import("vitest/config").ViteUserConfig["test"]} [overrides]
 */
export function nodeProject(name, overrides = {}) {
  return defineProject({
    test: {
      name,
      environment: "node",
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
