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
      // Files in one worker share loaded modules (Prisma, PGlite's WebAssembly, fastify,
      // socket.io) instead of importing them again each: about 40% less CPU on a 2-core
      // CI machine. Tests must not lean on module state another file left (each starts its own servers).
      isolate: false,
      ...overrides,
    },
  });
}
