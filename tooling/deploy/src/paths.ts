import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is tooling/deploy/src/paths.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const DEPLOY_NGINX_DIR = path.join(REPO_ROOT, "deploy/nginx");
export const REALTIME_DIR = path.join(REPO_ROOT, "apps/realtime");
export const WEB_DIR = path.join(REPO_ROOT, "apps/web");
