import { nodeProject } from "@repo/vitest-config";

export default nodeProject("game");
