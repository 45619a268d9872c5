// `pnpm dev`'s lab proxies: started when nginx is here, a one-line hint when it is not (never fails dev).
import { nginxAvailable } from "../src/nginx";
import { labEnv } from "../src/env";
import { startLabProxies } from "../src/lab-proxies";

if (!nginxAvailable()) {
  console.log("lab proxies: off (no nginx); for the /lab proxy pains run: bash scripts/ensure-nginx.sh");
  // Stays up like the other dev tasks, doing nothing.
  setInterval(() => undefined, 1 << 30);
} else {
  try {
    const lab = await startLabProxies(labEnv.LAB_PROXY_UPSTREAM);
    const where = Object.entries(lab.proxies).map(([name, proxy]) => `${name} ${proxy.url.replace("127.0.0.1", "localhost")}`);
    console.log(`lab proxies (nginx → ${labEnv.LAB_PROXY_UPSTREAM}): ${where.join(", ")}`);
    const shutdown = () => void lab.stop().finally(() => process.exit(0));
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  } catch (error) {
    console.log(`lab proxies: off (${error instanceof Error ? error.message : String(error)})`);
    setInterval(() => undefined, 1 << 30);
  }
}
