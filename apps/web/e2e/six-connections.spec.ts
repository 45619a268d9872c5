import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { WEB_ORIGIN, uid } from "./support/chat-people";
import { REALTIME } from "./support/realtime-api";

// The six-connection limit of HTTP/1.1, in Chromium, straight to the service (localhost:4000, no
// proxy, HTTP/1.1). Seven pages of one context (one profile: one connection pool) each read the
// ticker over SSE from /lab-tab, a page outside the app shell, so the streams are the only
// connections to localhost:4000 (the sign-in goes through the context's API client, which is
// not the browser's pool). The service's gauge of open SSE streams says what reached it.
const TABS = 7;

async function openSseStreams(): Promise<number> {
  const text = await (await fetch(`${REALTIME}/metrics`)).text();
  const line = text.split("\n").find((candidate) => candidate.startsWith('switchboard_open{transport="sse"} '));
  return line ? Number(line.split(" ")[1]) : 0;
}

const number = async (page: Page, testId: string) => Number(await page.getByTestId(testId).textContent());

async function signIn(context: BrowserContext) {
  const response = await context.request.post(`${REALTIME}/v1/session`, { data: { name: `Tabs ${uid()}` } });
  expect(response.status()).toBe(201);
}

async function openTab(context: BrowserContext, mode: "plain" | "shared"): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`/lab-tab?mode=${mode}`);
  return page;
}

/** What a page received: contiguous offsets, none twice. */
async function expectGapless(page: Page) {
  const [count, first, last, gaps, repeats] = await Promise.all(["count", "first", "last", "gaps", "repeats"].map((id) => number(page, id)));
  expect({ gaps, repeats }).toEqual({ gaps: 0, repeats: 0 });
  expect(count).toBe(last! - first! + 1);
}

test.beforeEach(async () => {
  // Streams of an earlier test must be gone, or the counts below mean nothing.
  await expect.poll(openSseStreams, { timeout: 15_000 }).toBe(0);
});

test("seven SSE tabs over HTTP/1.1: six flow, the seventh starves until one of them closes", async ({ context }) => {
  test.setTimeout(90_000);
  await signIn(context);
  const pages: Page[] = [];
  for (let i = 0; i < TABS - 1; i++) {
    const page = await openTab(context, "plain");
    await expect.poll(() => number(page, "count"), { message: `tab ${i + 1} receives`, timeout: 15_000 }).toBeGreaterThan(0);
    pages.push(page);
  }
  const seventh = await openTab(context, "plain");
  const firstBefore = await number(pages[0]!, "count");
  // Three ticks go by: the six keep receiving, the seventh's stream never reaches the service.
  await seventh.waitForTimeout(3_500);
  expect(await number(seventh, "count")).toBe(0);
  await expect(seventh.getByTestId("status")).not.toHaveText("open");
  expect(await number(pages[0]!, "count")).toBeGreaterThanOrEqual(firstBefore + 2);
  expect(await openSseStreams()).toBe(TABS - 1);

  // One tab closes: its connection is free, and the seventh's stream goes through.
  await pages[0]!.close();
  await expect.poll(() => number(seventh, "count"), { message: "the seventh receives", timeout: 15_000 }).toBeGreaterThan(0);
  await expect(seventh.getByTestId("status")).toHaveText("open");
  for (const page of [...pages.slice(1), seventh]) await expectGapless(page);
});

test("seven tabs in shared mode: one connection, every tick in every tab, and the leader's tab closing hands over with nothing lost or doubled", async ({ context }) => {
  test.setTimeout(90_000);
  await signIn(context);
  const pages: Page[] = [];
  for (let i = 0; i < TABS; i++) pages.push(await openTab(context, "shared"));
  for (const [i, page] of pages.entries()) {
    await expect.poll(() => number(page, "count"), { message: `tab ${i + 1} receives`, timeout: 15_000 }).toBeGreaterThan(1);
  }
  expect(await openSseStreams()).toBe(1);
  const roles = await Promise.all(pages.map((page) => page.getByTestId("role").textContent()));
  expect(roles.filter((role) => role === "leader")).toHaveLength(1);
  expect(roles.filter((role) => role === "follower")).toHaveLength(TABS - 1);

  // The leader's tab closes: another takes the lock and the stream.
  const leader = pages[roles.indexOf("leader")]!;
  const rest = pages.filter((page) => page !== leader);
  const lastBefore = await Promise.all(rest.map((page) => number(page, "last")));
  await leader.close();
  await expect
    .poll(async () => (await Promise.all(rest.map((page) => page.getByTestId("role").textContent()))).filter((role) => role === "leader").length, {
      message: "one new leader",
      timeout: 15_000,
    })
    .toBe(1);
  for (const [i, page] of rest.entries()) {
    await expect.poll(() => number(page, "last"), { message: `tab ${i + 1} carries on`, timeout: 15_000 }).toBeGreaterThanOrEqual(lastBefore[i]! + 3);
  }
  await expect.poll(openSseStreams, { message: "one stream again", timeout: 15_000 }).toBe(1);
  // Every tab ends at the same offset, each having had every tick since it opened, once.
  await expect
    .poll(async () => new Set(await Promise.all(rest.map((page) => number(page, "last")))).size, { message: "the tabs agree", timeout: 5_000 })
    .toBe(1);
  for (const page of rest) await expectGapless(page);
});

test("/lab's panel opens seven shared tabs with one click, and closes them", async ({ context, page }) => {
  test.setTimeout(60_000);
  // The app shell wants its own sign-in (it remembers the session in the page's storage).
  await page.goto("/sign-in");
  await page.getByLabel("Display name").fill(`Lab ${uid()}`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${WEB_ORIGIN}/`);
  await page.goto("/lab");
  const panel = page.getByRole("region", { name: "Six connections per host" });
  const popups: Page[] = [];
  context.on("page", (popup) => popups.push(popup));
  await panel.getByRole("button", { name: `Open ${TABS} tabs, one shared connection` }).click();
  await expect.poll(() => popups.length, { message: "seven tabs" }).toBe(TABS);
  for (const [i, popup] of popups.entries()) {
    await expect.poll(() => number(popup, "count"), { message: `tab ${i + 1} receives`, timeout: 15_000 }).toBeGreaterThan(0);
  }
  const roles = await Promise.all(popups.map((popup) => popup.getByTestId("role").textContent()));
  expect(roles.filter((role) => role === "leader")).toHaveLength(1);
  await panel.getByRole("button", { name: "Close the tabs opened here" }).click();
  await expect.poll(() => popups.filter((popup) => popup.isClosed()).length, { message: "the tabs closed" }).toBe(TABS);
});
