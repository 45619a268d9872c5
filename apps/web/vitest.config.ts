import { fileURLToPath } from "node:url";
import { nodeProject } from "@repo/vitest-config";

// Unit tests of the web app's framework-free parts (chat state, link safety). The browser
// tests are Playwright's (e2e/, `pnpm test:e2e`).
const project = nodeProject("web", { include: ["test/**/*.test.ts"] });

export default {
  ...project,
  resolve: { alias: { "@/": fileURLToPath(new URL("./src/", import.meta.url)) } },
};
