import { defineConfig, devices } from "@playwright/test";
import { E2E_OPERATOR_TOKEN } from "./e2e/support/operator";

// Browser tests drive Debian's Chromium: Playwright's own browser downloads are not
// reachable from these machines (never run `playwright install`).
const CI = Boolean(process.env.CI);
const WEB_URL = "http://localhost:3000";
const REALTIME_PORT = "4000";
/** The realtime supervisor's control port (restarts the service for e2e/chat.spec.ts). */
const REALTIME_CONTROL_PORT = "4001";

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  forbidOnly: CI,
  retries: 0,
  workers: 1,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    // localhost (not 127.0.0.1): the realtime service allows the origin http://localhost:3000,
    // and its session cookie (set on localhost:4000) is shared with localhost:3000.
    baseURL: WEB_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
          ],
        },
      },
    },
  ],
  webServer: [
    {
      // The realtime service under a small supervisor that can restart it mid-test, with its
      // PGlite data in a temporary folder that survives the restart (see the script).
      name: "realtime",
      command: "node e2e/support/realtime-supervisor.mjs",
      url: `http://127.0.0.1:${REALTIME_PORT}/healthz`,
      env: {
        PORT: REALTIME_PORT,
        REALTIME_CONTROL_PORT,
        ALLOWED_ORIGINS: WEB_URL,
        LOG_LEVEL: "warn",
        SHUTDOWN_GRACE_MS: "3000",
        CHECKPOINT_DISABLE: "1",
        OPERATOR_TOKEN: E2E_OPERATOR_TOKEN,
      },
      reuseExistingServer: !CI,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    },
    {
      // The /lab pains' real nginx proxies (tooling/nginx lab-proxies.ts) in front of that service,
      // on their fixed ports 4101–4104 (the web app's NEXT_PUBLIC_LAB_PROXY_* defaults).
      name: "lab-proxies",
      command: "pnpm --filter @repo/nginx exec tsx scripts/lab-dev.ts",
      url: "http://127.0.0.1:4103/__nginx/config",
      env: { LAB_PROXY_UPSTREAM: `http://127.0.0.1:${REALTIME_PORT}` },
      reuseExistingServer: !CI,
      timeout: 30_000,
      stdout: "pipe",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
    {
      name: "web",
      command: "pnpm exec next build && pnpm exec next start --port 3000",
      url: `${WEB_URL}/sign-in`,
      env: {
        NEXT_TELEMETRY_DISABLED: "1",
        NEXT_PUBLIC_REALTIME_URL: `http://localhost:${REALTIME_PORT}`,
      },
      reuseExistingServer: !CI,
      timeout: 180_000,
      stdout: "ignore",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
  ],
});
