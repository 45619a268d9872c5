import { nodeProject } from "@repo/vitest-config";

export default nodeProject("client");
