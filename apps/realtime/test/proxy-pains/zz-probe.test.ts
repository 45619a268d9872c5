import { startNginx } from "@repo/nginx";
import { test } from "vitest";
import { execSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { startTestServer } from "../sdk/support/server";
test("probe", async () => {
  const s = await startTestServer({ trustProxy: ["127.0.0.1"] });
  const n = await startNginx({ upstream: s.baseUrl, config: "plain" });
  writeFileSync("/tmp/pp-probe.txt", execSync(`curl -si -H 'Origin: http://localhost:3000' ${n.url}/healthz; echo; curl -si -H 'Origin: http://localhost:3000' ${s.baseUrl}/healthz`).toString());
  await n.stop(); await s.stop();
});
