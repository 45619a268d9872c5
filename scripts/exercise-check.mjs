#!/usr/bin/env node
// `pnpm exercise:check <name>`: runs the check of one onboarding exercise (docs/onboarding.md).
// `add-command` fails until the exercise is done; the other two pass on main and are there to be
// broken and fixed. Not part of CI: CI runs the same test files without EXERCISE set.
import { spawnSync } from "node:child_process";

const EXERCISES = {
  "flag-switch": ["apps/realtime/test/flags/flag-driven-switch.test.ts"],
  "add-command": ["apps/realtime/test/onboarding/add-command.test.ts"],
  "proxy-buffering": ["apps/realtime/test/onboarding/proxy-buffering.test.ts"],
};

const name = process.argv[2];
const files = EXERCISES[name];
if (!files) {
  console.error(`usage: pnpm exercise:check <${Object.keys(EXERCISES).join(" | ")}>`);
  process.exit(2);
}
const run = spawnSync("pnpm", ["vitest", "run", ...files], { stdio: "inherit", env: { ...process.env, EXERCISE: name } });
process.exit(run.status ?? 1);
