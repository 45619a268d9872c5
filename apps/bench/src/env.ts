// The bench's one setting from the environment, read here only.
import { z } from "zod";

/**
 * Where the command was typed: `pnpm bench:lab` runs in apps/bench (pnpm --filter), and pnpm
 * passes the caller's folder as INIT_CWD, so relative --from / --out / --docs-dir paths mean
 * what they say at the repository root.
 */
export const benchEnv = z.object({ INIT_CWD: z.string().min(1).optional() }).parse({ INIT_CWD: process.env.INIT_CWD || undefined });
