import { expect, test, type Page } from "@playwright/test";
import { LABELS, TRANSPORTS, WEB_ORIGIN, uid } from "./support/chat-people";
import { REALTIME } from "./support/realtime-api";

// /lab reads one stream over all four transports at once, each on its own client: every panel's
// count rises and shows a latency, every inspector shows that transport's own wire, and leaving
// the page stops the stream (asked of the service, with the page's own session cookie).

/** What each transport's inspector must show: its own requests or frames. */
const WIRE_TEXT = {
  polling: "GET /v1/poll",
  "long-polling": "GET /v1/long-poll",
  sse: "SSE message",
  websocket: "in message EVENT",
} as const;

const panel = (page: Page, label: string) => page.getByRole("region", { name: label, exact: true });

async function messages(page: Page, label: string): Promise<number> {
  return Number(await panel(page, label).getByTestId("messages").textContent());
}

async function runningStreams(page: Page): Promise<number> {
  const response = await page.request.get(`${REALTIME}/v1/lab/streams`);
  expect(response.status()).toBe(200);
  return ((await response.json()) as { streams: unknown[] }).streams.length;
}

test("/lab: all four transports receive the stream, each inspector shows its wire, leaving the page stops the stream", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByLabel("Display name").fill(`Lab ${uid()}`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${WEB_ORIGIN}/`);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Lab" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Transport lab");

  await page.getByRole("button", { name: "Start stream" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Streaming/ })).toBeVisible();
  expect(await runningStreams(page)).toBe(1);

  for (const transport of TRANSPORTS) {
    const label = LABELS[transport];
    await expect.poll(() => messages(page, label), { message: `${label} receives`, timeout: 15_000 }).toBeGreaterThan(5);
    await expect(panel(page, label).getByTestId("latency")).toHaveText(/^\d+ ms \/ \d+ ms$/);
    const inspector = panel(page, label).getByRole("table", { name: `${label} wire inspector` });
    await expect(inspector.getByTestId("wire-row").first()).toBeVisible();
    await expect(inspector.getByText(WIRE_TEXT[transport]).first()).toBeVisible();
    // The four charts are uPlot canvases.
    await expect(panel(page, label).getByRole("img", { name: `${label}: latency over time` }).locator("canvas")).toHaveCount(1);
  }
  // Still rising on every transport.
  const before = await Promise.all(TRANSPORTS.map((transport) => messages(page, LABELS[transport])));
  for (const [i, transport] of TRANSPORTS.entries()) {
    await expect.poll(() => messages(page, LABELS[transport]), { timeout: 10_000 }).toBeGreaterThan(before[i]!);
  }

  // Leaving the page (a client-side navigation) ends the stream at the service.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }).click();
  await expect(page).toHaveURL(/\/chat/);
  await expect.poll(() => runningStreams(page), { message: "the stream to stop", timeout: 10_000 }).toBe(0);
});
