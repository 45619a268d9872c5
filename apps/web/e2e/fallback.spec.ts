import { expect, test } from "@playwright/test";
import { WEB_ORIGIN, composer, connection, seesOnce, send, uid } from "./support/chat-people";

// The automatic fallback chain in the browser: WebSocket connections refused (as by a proxy that
// drops the upgrade; here Playwright refuses every socket to /v1/ws) → the chat's client falls
// back to SSE on its own, the header says so, and chat works; after a reload the browser
// remembers and starts on SSE without trying WebSocket again.

test("WebSocket refused: the chat falls back to SSE, says so, and remembers it after a reload", async ({ browser }) => {
  test.setTimeout(90_000);
  const run = uid();
  const context = await browser.newContext({ baseURL: WEB_ORIGIN });
  let sockets = 0;
  await context.routeWebSocket(/\/v1\/ws\//, (ws) => {
    sockets++;
    void ws.close({ code: 1006, reason: "blocked by the test" });
  });
  const page = await context.newPage();
  try {
    await page.goto("/sign-in");
    await page.getByLabel("Display name").fill(`Fallback ${run}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(`${WEB_ORIGIN}/`);
    await page.goto("/chat");

    const chat = page.getByRole("banner").getByRole("list", { name: "Transport per feature" }).getByRole("listitem").filter({ hasText: "Chat" });
    // Two refused opens (with their backoff), a health check that answers: then SSE.
    await expect(chat).toContainText("SSE", { timeout: 20_000 });
    await expect(composer(page)).toBeEnabled();
    await expect(chat).toContainText("fell back");
    await expect(page.getByRole("banner").getByRole("log", { name: "Transport changes" })).toContainText("Chat: WebSocket → SSE, fell back");
    await expect(connection(page)).toHaveAccessibleName("Connection: open");
    expect(sockets).toBeGreaterThan(0);
    await send(page, `over the fallback ${run}`);
    await seesOnce(page, `over the fallback ${run}`);

    // Remembered per browser: a reload starts the chat on SSE without trying WebSocket first.
    const before = sockets;
    await page.reload();
    await expect(composer(page)).toBeEnabled();
    await expect(chat).toContainText("SSE");
    await expect(connection(page)).toHaveAccessibleName("Connection: open");
    await seesOnce(page, `over the fallback ${run}`);
    expect(sockets).toBe(before);
  } finally {
    await context.close();
  }
});
