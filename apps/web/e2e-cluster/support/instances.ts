// Which realtime instance serves what: nginx names the instance that answered in X-Served-By
// (deploy/nginx). A tab holds one SSE stream per feature client (chat, notifications, game), told
// apart by the topics in its cursor; commands are POSTs, each answered by some instance.
import { expect, type Page } from "@playwright/test";

export type Feature = "chat" | "notifications" | "game";

export interface InstanceLog {
  /** The instance holding the feature's current stream in this tab, once there is one. */
  stream(feature: Feature): string | undefined;
  /** Each POST /v1/commands of this tab, in order: its command type and the instance that answered. */
  commands: Array<{ type: string; instance: string }>;
  /** Waits for a (new) stream of `feature` and returns its instance. */
  nextStream(feature: Feature, action: () => Promise<unknown>): Promise<string>;
}

function featureOf(cursor: string): Feature | undefined {
  const topics = cursor.split(",").map((entry) => entry.split("@")[0] ?? "");
  if (topics.some((topic) => topic.startsWith("notify:"))) return "notifications";
  if (topics.some((topic) => topic.startsWith("chat:"))) return "chat";
  if (topics.some((topic) => topic.startsWith("game:"))) return "game";
  return undefined;
}

export function logInstances(page: Page): InstanceLog {
  const streams: Partial<Record<Feature, string>> = {};
  const commands: InstanceLog["commands"] = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    const servedBy = response.headers()["x-served-by"];
    if (!servedBy) return;
    if (url.pathname === "/v1/sse") {
      const feature = featureOf(url.searchParams.get("cursor") ?? "");
      if (feature) streams[feature] = servedBy;
    } else if (url.pathname === "/v1/commands" && response.request().method() === "POST") {
      const body = JSON.parse(response.request().postData() ?? "{}") as { type?: string };
      commands.push({ type: body.type ?? "", instance: servedBy });
    }
  });
  return {
    stream: (feature) => streams[feature],
    commands,
    async nextStream(feature, action) {
      const opened = page.waitForResponse((response) => {
        const url = new URL(response.url());
        return url.pathname === "/v1/sse" && featureOf(url.searchParams.get("cursor") ?? "") === feature;
      });
      await action();
      return (await opened).headers()["x-served-by"] ?? "";
    },
  };
}

/**
 * Opens `path` (reloading while nginx puts the feature's stream on `avoid`: it balances by least
 * connections, so a second try is rare) and returns the instance that holds it.
 */
export async function streamOffInstance(page: Page, log: InstanceLog, feature: Feature, avoid: string, path: string): Promise<string> {
  const instance = await tryStreamOffInstance(page, log, feature, avoid, path, 8);
  expect(instance, `a ${feature} stream off ${avoid} within 8 reloads`).not.toBe(avoid);
  return instance;
}

/**
 * The same, giving up after `reloads`: returns wherever the stream is then (perhaps still on
 * `avoid`), for callers with another way to reach the other instance.
 */
export async function tryStreamOffInstance(page: Page, log: InstanceLog, feature: Feature, avoid: string, path: string, reloads: number): Promise<string> {
  let instance = await log.nextStream(feature, () => page.goto(path));
  for (let attempt = 0; instance === avoid && attempt < reloads; attempt++) {
    instance = await log.nextStream(feature, () => page.reload());
  }
  return instance;
}
