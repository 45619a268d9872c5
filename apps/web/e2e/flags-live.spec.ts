import { expect, test, type Browser, type Page } from "@playwright/test";
import { decodeCursor } from "@repo/protocol";
import { WEB_ORIGIN, closeAll, composer, connection, createRoom, person, seesOnce, send, texts, uid, type Person } from "./support/chat-people";
import { E2E_OPERATOR_TOKEN } from "./support/operator";
import { REALTIME, apiMember } from "./support/realtime-api";

// Transport flags, live, in the browser: the tab reads its flags with the OpenFeature React SDK
// (OFREP provider against the service) and keeps one realtime client per feature on the
// transport its flag says. An operator's change (through the admin API, put back afterwards,
// since every test shares one service) reaches the tab within 2 s, also when the provider's own
// change stream is blocked: `flags:changes` on the clients' own transports tells it to refetch.

/** The bound for a flag change to reach a browser. */
const REACH_BOUND_MS = 2_000;

const BEARER = { authorization: `Bearer ${E2E_OPERATOR_TOKEN}` };

interface Flags {
  definitions: { flags: Record<string, unknown> };
  etag: string;
}

async function readFlags(): Promise<Flags> {
  const response = await fetch(`${REALTIME}/v1/admin/flags`, { headers: BEARER });
  expect(response.status).toBe(200);
  return (await response.json()) as Flags;
}

async function saveFlags(definitions: Flags["definitions"], reason: string): Promise<void> {
  const { etag } = await readFlags();
  const response = await fetch(`${REALTIME}/v1/admin/flags`, {
    method: "PUT",
    headers: { ...BEARER, "content-type": "application/json", "if-match": `"${etag}"` },
    body: JSON.stringify({ definitions, reason }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** A feature transport flag that gives everyone `variant`. */
function transportFlag(variant: string) {
  const variants = { default: "default", websocket: "websocket", sse: "sse", "long-polling": "long-polling", polling: "polling" };
  return { state: "ENABLED", variants, defaultVariant: variant };
}

/** Sets the given flags (the rest as they are), runs `body`, and puts the definitions back. */
async function withFlags(run: string, flags: Record<string, unknown>, body: (change: (flags: Record<string, unknown>) => Promise<void>) => Promise<void>) {
  const original = await readFlags();
  const change = (patch: Record<string, unknown>) =>
    saveFlags({ ...original.definitions, flags: { ...original.definitions.flags, ...patch } }, `e2e ${run}: ${Object.keys(patch).join(", ")}`);
  await change(flags);
  try {
    await body(change);
  } finally {
    await saveFlags(original.definitions, `e2e ${run}: put back`);
  }
}

const featureTransport = (page: Page, feature: "Chat" | "Notifications" | "Game") =>
  page.getByRole("banner").getByRole("list", { name: "Transport per feature" }).getByRole("listitem").filter({ hasText: feature });

/** A person signed in with the provider's change stream (`/ofrep/v1/events`) refused by the network. */
async function personWithoutChangeStream(browser: Browser, name: string, path: string): Promise<Person & { blocked: () => number }> {
  const context = await browser.newContext({ baseURL: WEB_ORIGIN });
  let blocked = 0;
  await context.route("**/ofrep/v1/events*", (route) => {
    blocked++;
    return route.abort("connectionrefused");
  });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Display name").fill(name);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${WEB_ORIGIN}/`);
  await page.goto(path);
  await expect(composer(page)).toBeEnabled();
  return { page, context, name, blocked: () => blocked };
}

/**
 * Ada chats on WebSocket (her chat flag's value); an operator sets the flag to SSE while someone
 * else posts: within 2 s her chat client is on SSE, open, every message there exactly once.
 */
async function movesLiveFromWebSocketToSse(ada: Person, run: string, change: (flags: Record<string, unknown>) => Promise<void>) {
  const room = await createRoom(ada.page, `Flags ${run}`);
  const cy = await apiMember(`Cy ${run}`, room);
  await expect(featureTransport(ada.page, "Chat")).toContainText("WebSocket · flag transport.chat");
  await expect(connection(ada.page)).toHaveAccessibleName("Connection: open");
  await send(ada.page, `Ada before ${run}`);
  await cy(`Cy before ${run}`);
  await seesOnce(ada.page, `Cy before ${run}`);

  const changeSentAt = Date.now();
  const changing = change({ "transport.chat": transportFlag("sse") });
  // Posted while the flag changes and the tab moves.
  const during = Promise.all([0, 1, 2].map((i) => cy(`Cy during ${run} ${i}`)));
  await changing;
  const changedAt = Date.now();
  await expect(featureTransport(ada.page, "Chat")).toContainText("SSE · flag transport.chat", { timeout: REACH_BOUND_MS });
  const reachedMs = Date.now() - changedAt;
  await expect(connection(ada.page)).toHaveAccessibleName("Connection: open");
  await expect(ada.page.getByRole("banner").getByRole("log", { name: "Transport changes" })).toContainText(
    "Chat: WebSocket → SSE, flag transport.chat",
  );
  await during;
  await send(ada.page, `Ada after ${run}`);
  await cy(`Cy after ${run}`);
  for (const text of [`Ada before ${run}`, `Cy before ${run}`, `Cy during ${run} 0`, `Cy during ${run} 1`, `Cy during ${run} 2`, `Ada after ${run}`, `Cy after ${run}`]) {
    await seesOnce(ada.page, text);
  }
  await expect(texts(ada.page)).toHaveCount(7);
  return { reachedMs, changeSentAt };
}

test("a flag change moves a chat tab live from WebSocket to SSE: nothing lost or doubled", async ({ browser }) => {
  const run = uid();
  await withFlags(run, { "transport.chat": transportFlag("websocket") }, async (change) => {
    const ada = await person(browser, `Ada ${run}`, "/chat");
    try {
      const { reachedMs } = await movesLiveFromWebSocketToSse(ada, run, change);
      test.info().annotations.push({ type: "flag change → switched (ms)", description: String(reachedMs) });
      console.log(`switched ${reachedMs} ms after the change`);
    } finally {
      await closeAll(ada);
    }
  });
});

test("with the provider's change stream blocked, the change still arrives within 2 s (flags:changes on the chat's own transport)", async ({ browser }) => {
  const run = uid();
  await withFlags(run, { "transport.chat": transportFlag("websocket") }, async (change) => {
    const ada = await personWithoutChangeStream(browser, `Ada ${run}`, "/chat");
    const bulkAt: number[] = [];
    ada.page.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/ofrep/v1/evaluate/flags") bulkAt.push(Date.now());
    });
    try {
      // The provider tried its stream and was refused, every time.
      await expect.poll(() => ada.blocked()).toBeGreaterThan(0);
      const { reachedMs, changeSentAt } = await movesLiveFromWebSocketToSse(ada, run, change);
      test.info().annotations.push({ type: "flag change → switched, stream blocked (ms)", description: String(reachedMs) });
      const after = bulkAt.map((at) => at - changeSentAt).filter((ms) => ms >= 0);
      console.log(`stream blocked: switched ${reachedMs} ms after the change; evaluations ${after.join(", ")} ms after it; ${ada.blocked()} stream attempts refused`);
      // The provider did refetch for the change, within the bound, with no change stream of its own.
      expect(after.some((ms) => ms < REACH_BOUND_MS)).toBe(true);
    } finally {
      await closeAll(ada);
    }
  });
});

test("each feature on its own transport at once: chat on SSE, notifications on long polling, the game on short polling", async ({ browser }) => {
  const run = uid();
  const flags = {
    "transport.chat": transportFlag("sse"),
    "transport.notifications": transportFlag("long-polling"),
    "transport.game": transportFlag("polling"),
  };
  await withFlags(run, flags, async () => {
    const ada = await person(browser, `Ada ${run}`, "/chat");
    // Which topics went over which transport, read from the requests' cursors, from a reload on.
    const requests: Array<{ path: string; topics: string[] }> = [];
    ada.page.on("request", (request) => {
      const url = new URL(request.url());
      requests.push({ path: url.pathname, topics: Object.keys(decodeCursor(url.searchParams.get("cursor") ?? "") ?? {}) });
    });
    const over = (path: string, topic: string) => requests.some((request) => request.path === path && request.topics.some((name) => name.startsWith(topic)));
    const sockets = () => requests.filter((request) => request.path.startsWith("/v1/ws"));
    await ada.page.reload();
    await expect(composer(ada.page)).toBeEnabled();
    try {
      await expect(featureTransport(ada.page, "Chat")).toContainText("SSE · flag transport.chat");
      await expect(featureTransport(ada.page, "Notifications")).toContainText("Long polling · flag transport.notifications");
      // Not asked for on this page: made when the game is opened.
      await expect(featureTransport(ada.page, "Game")).toContainText("Short polling · flag transport.game (not connected)");
      await expect(connection(ada.page)).toHaveAccessibleName("Connection: open");
      await send(ada.page, `Ada on SSE ${run}`);
      await seesOnce(ada.page, `Ada on SSE ${run}`);
      await expect.poll(() => over("/v1/sse", "chat:")).toBe(true);
      await expect.poll(() => over("/v1/long-poll", "notify:")).toBe(true);
      expect(over("/v1/sse", "notify:")).toBe(false);
      expect(sockets()).toEqual([]);

      await ada.page.getByRole("navigation").getByRole("link", { name: "Game" }).click();
      await expect(ada.page).toHaveURL(/\/game/);
      await expect(featureTransport(ada.page, "Game")).toContainText("Short polling · flag transport.game");
      await expect(featureTransport(ada.page, "Game")).not.toContainText("not connected");
      await expect(connection(ada.page)).toHaveAccessibleName("Connection: open");
      await expect.poll(() => over("/v1/poll", "game:lobby")).toBe(true);
      await expect(featureTransport(ada.page, "Chat")).toContainText("SSE");
      await expect(featureTransport(ada.page, "Notifications")).toContainText("Long polling");
      expect(sockets()).toEqual([]);
    } finally {
      await closeAll(ada);
    }
  });
});
