import type { UserWorkspaceConfig, ViteUserConfig } from "vitest/config";

export declare function nodeProject(name: string, overrides?: ViteUserConfig["test"]): UserWorkspaceConfig;
