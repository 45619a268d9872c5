// Shared ESLint flat config for every TypeScript package in the repo.
// Type-aware: rules such as no-floating-promises need the type checker, so each
// package is linted against its own tsconfig (projectService).
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/.next/**", "**/node_modules/**", "**/generated/**", "**/*.d.ts", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // An async handler whose rejection nobody observes ends the process (Node exits on unhandled rejections).
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/only-throw-error": "error",
      "@typescript-eslint/prefer-promise-reject-errors": "error",
      "@typescript-eslint/return-await": ["error", "in-try-catch"],
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
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
