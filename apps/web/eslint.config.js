import nextjs from "@repo/eslint-config/nextjs";

export default [{ ignores: [".next-cluster/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] }, ...nextjs];
