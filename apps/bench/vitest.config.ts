import { nodeProject } from "@repo/vitest-config";

// The smoke test runs real server and load-generator processes end to end.
export default nodeProject("bench", { testTimeout: 180_000 });
