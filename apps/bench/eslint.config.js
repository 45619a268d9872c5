import base from "@repo/eslint-config/base";

export default [
  ...base,
  {
    // The whole package is a benchmark: its CLI and child processes talk to a terminal and read flags/env directly.
    files: ["src/**", "test/**"],
    rules: { "no-console": "off", "no-restricted-properties": "off" },
  },
];
