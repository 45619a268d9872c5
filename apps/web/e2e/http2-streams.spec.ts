import { expect, test, type BrowserContext } from "@playwright/test";
import { WEB_ORIGIN } from "./support/chat-people";
import { REALTIME, command } from "./support/realtime-api";

// Seven SSE streams from seven pages of one browser: over HTTP/1.1 (straight to the service)
// Chromium opens at most six connections per host, so the seventh stream waits and gets
// nothing while six are open; over HTTP/2 (the lab's TLS nginx, one multiplexed connection)
// all seven receive. Each page is the web app's, so the service sees its allowed Origin; the
// stream is authorized by a ticket in the URL (no cookie needed). next.config.ts's CSP lets the
// pages connect to the lab proxies.

/** The lab proxies' HTTP/2 TLS nginx (tooling/nginx lab-proxies.ts), started by the e2e webServer. */
const H2 = "https://localhost:4104";
const STREAMS = 7;

async function session(name: string): Promise<{ token: string; userId: string }> {
  const answer = await fetch(`${REALTIME}/v1/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
  const body = (await answer.json()) as { token: string; user: { id: string } };
  return { token: body.token, userId: body.user.id };
}

async function ticket(token: string): Promise<string> {
  const answer = await fetch(`${REALTIME}/v1/sse/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  return ((await answer.json()) as { ticket: string }).ticket;
}

/** Opens the seven streams on `base`, publishes one echo, and returns the events each page got. */
async function sevenStreams(context: BrowserContext, base: string, name: string): Promise<number[]> {
  const { token, userId } = await session(name);
  const pages = [];
  for (let n = 0; n < STREAMS; n++) {
    const page = await context.newPage();
    await page.goto(`${WEB_ORIGIN}/sign-in`);
    const url = `${base}/v1/sse?cursor=${encodeURIComponent(`echo:${userId}@`)}&ticket=${encodeURIComponent(await ticket(token))}`;
    await page.evaluate((src) => {
      const box = window as unknown as { received: number };
      box.received = 0;
      const source = new EventSource(src);
      source.addEventListener("message", () => box.received++);
    }, url);
    pages.push(page);
  }
  // Let every stream that can open do so, then give them something to receive.
  await pages[0]!.waitForTimeout(1_500);
  await command(token, "echo", { text: "to all seven" });
  await pages[0]!.waitForTimeout(2_000);
  const received = await Promise.all(pages.map((page) => page.evaluate(() => (window as unknown as { received: number }).received)));
  await Promise.all(pages.map((page) => page.close()));
  return received;
}

test("seven SSE streams: the seventh receives over HTTP/2, and not over HTTP/1.1 while six are open", async ({ browser }) => {
  test.setTimeout(60_000);
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const overH1 = await sevenStreams(context, REALTIME, "Seven on h1");
    expect(overH1.slice(0, 6)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(overH1[6]).toBe(0);
    const overH2 = await sevenStreams(context, H2, "Seven on h2");
    expect(overH2).toEqual([1, 1, 1, 1, 1, 1, 1]);
  } finally {
    await context.close();
  }
});
