// The service's package folder (apps/realtime), found from this module by its package.json
// rather than a fixed depth: the same code runs from src/ (tsx, tests) and from the bundle
// in dist/ (`pnpm build`, `node dist/index.js`).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function nearestPackageDir(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

export const PACKAGE_ROOT = nearestPackageDir(path.dirname(fileURLToPath(import.meta.url)));
