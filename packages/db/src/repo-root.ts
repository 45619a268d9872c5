// Finds the repository root from this module's location by what it holds, not by a fixed
// depth: the same code runs from the TypeScript sources (packages/db/src) and from the
// realtime service's bundle that inlines it (apps/realtime/dist).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The nearest folder at or above `start` that holds `relative`, if any. */
export function findUp(start: string, relative: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, relative))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The folder holding prisma/migrations: the repo root in a checkout and in the Docker images. */
export const REPO_ROOT = findUp(HERE, "prisma/migrations") ?? path.resolve(HERE, "../../..");
