import nextjs from "@repo/eslint-config/nextjs";

export default [{ ignores: ["test-results/**", "playwright-report/**", "next-env.d.ts"] }, ...nextjs];
