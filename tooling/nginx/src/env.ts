// The lab proxies' one setting, read here only: which service they front (the dev service by default).
import { z } from "zod";

export const labEnv = z
  .object({ LAB_PROXY_UPSTREAM: z.url({ protocol: /^http$/ }).default("http://127.0.0.1:4000") })
  .parse({ LAB_PROXY_UPSTREAM: process.env.LAB_PROXY_UPSTREAM || undefined });
