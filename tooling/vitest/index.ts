// Shared vitest project preset: Node environment, generous timeouts for tests
// that start real servers, databases and sockets.
import { defineProject, type ViteUserConfig } from "vitest/config";

export function nodeProject(name: string, overrides: ViteUserConfig["test"] = {}) {
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
