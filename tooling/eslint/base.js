// Shared ESLint flat config for every TypeScript package in the repo.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/.next/**", "**/node_modules/**", "**/generated/**", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["warn", { allow: ["warn", "error"] }],
      eqeqeq: ["error", "smart"],
    },
  },
  {
    // Command-line scripts, benchmarks and tests talk to a terminal.
    files: ["**/scripts/**", "**/bench/**", "**/src/cli/**", "**/test/**", "**/e2e/**"],
    rules: { "no-console": "off" },
  },
  {
    // Restrict direct env access: env is read only in a package's zod env.ts.
    files: ["**/*.ts", "**/*.tsx"],
    ignores: ["**/env.ts", "**/*.config.ts", "**/test/**", "**/e2e/**", "**/bench/**", "**/scripts/**"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read env through the package's env.ts." },
      ],
    },
  },
);
