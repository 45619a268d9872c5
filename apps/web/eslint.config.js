import nextjs from "@repo/eslint-config/nextjs";

export default [
  { ignores: [".next-cluster/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  ...nextjs,
  // The cluster's browser tests configure the processes they start, as e2e/ does.
  { files: ["e2e-cluster/**"], rules: { "no-restricted-properties": "off" } },
];
