import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// The browser tests against `pnpm cluster` (e2e-cluster/): the specs start the cluster
// themselves (nginx on http://localhost:4000, instances on 4002 and 4003, web on 3000), so
// there are no webServers here. Run after `playwright test`, whose `.next` they reuse.
export default defineConfig({
  ...base,
  testDir: "e2e-cluster",
  timeout: 60_000,
  webServer: undefined,
  use: { ...base.use, baseURL: "http://localhost:4000" },
});
