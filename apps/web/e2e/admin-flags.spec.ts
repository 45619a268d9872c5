import { expect, test, type Page } from "@playwright/test";
import { closeAll, connection, person, uid, type Person } from "./support/chat-people";
import { E2E_OPERATOR_TOKEN } from "./support/operator";
import { REALTIME } from "./support/realtime-api";

// /admin/flags in Chromium against the real service: a guest gets "operators only"; the operator
// signs in with the secret, sees every flag, rolls chat out to SSE while signed-in tabs are
// connected and sees the preview count, saves with a reason, sees the audit entry and undoes it.
// The flags are put back whatever happens (every test shares one service).

const BEARER = { authorization: `Bearer ${E2E_OPERATOR_TOKEN}` };
const TABS = 3;

async function flagsInForce(): Promise<{ definitions: Record<string, unknown>; etag: string }> {
  const response = await fetch(`${REALTIME}/v1/admin/flags`, { headers: BEARER });
  expect(response.status).toBe(200);
  return (await response.json()) as { definitions: Record<string, unknown>; etag: string };
}

/** Puts `definitions` back if something else is in force (a failed run must not leave chat on SSE). */
async function restore(definitions: Record<string, unknown>, run: string) {
  const now = await flagsInForce();
  if (JSON.stringify(now.definitions) === JSON.stringify(definitions)) return;
  const response = await fetch(`${REALTIME}/v1/admin/flags`, {
    method: "PUT",
    headers: { ...BEARER, "content-type": "application/json", "if-match": `"${now.etag}"` },
    body: JSON.stringify({ definitions, reason: `e2e ${run}: restore after admin-flags.spec` }),
  });
  expect(response.status).toBe(200);
}

const card = (page: Page, key: string) => page.getByRole("article", { name: key, exact: true });

test("a guest gets operators-only; the operator signs in, previews a rollout over the connected tabs, saves it with a reason, sees the audit entry and undoes it", async ({ browser }) => {
  // Four people sign in through the page first (about 5 s each on a busy 2-core machine).
  test.setTimeout(120_000);
  const run = uid();
  const start = await flagsInForce();
  const tabs: Person[] = [];
  try {
    // Signed-in people with chat open: the users the preview counts.
    for (let i = 0; i < TABS; i++) {
      const tab = await person(browser, `Tab ${i} ${run}`, "/chat");
      await expect(connection(tab.page)).toHaveAccessibleName("Connection: open");
      tabs.push(tab);
    }

    // A guest (signed in, no operator credential): the service's 403, shown as such.
    const guest = await person(browser, `Guest ${run}`, "/chat");
    tabs.push(guest);
    const page = guest.page;
    await page.goto("/admin/flags");
    await expect(page.getByRole("heading", { name: "Operators only (403)" })).toBeVisible();
    await expect(card(page, "transport.chat")).toHaveCount(0);

    // The operator's secret: a wrong one is refused by the field, the right one opens the console.
    const secret = page.getByLabel("Operator secret");
    await secret.fill("not-the-secret");
    await page.getByRole("button", { name: "Sign in as operator" }).click();
    await expect(page.getByText("That is not the operator secret.")).toBeVisible();
    await expect(secret).toHaveValue("");
    await secret.fill(E2E_OPERATOR_TOKEN);
    await secret.press("Enter");
    await expect(page.getByRole("button", { name: "Sign out operator" })).toBeVisible();
    // Never in the URL, never kept by the page.
    expect(page.url()).not.toContain(E2E_OPERATOR_TOKEN);
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie)).not.toContain(E2E_OPERATOR_TOKEN);

    // Every flag, its variants, targeting and rollout in words.
    for (const key of ["transport.default", "transport.chat", "transport.notifications", "transport.game", "transport.websocket.enabled", "polling.interval-ms", "game.tick-hz"]) {
      await expect(card(page, key)).toBeVisible();
    }
    const chat = card(page, "transport.chat");
    await expect(chat.getByTestId("rollout")).toHaveText("everyone: default");
    await expect(chat.getByRole("rowheader", { name: "sse" })).toBeVisible();

    // A percentage rollout, edited with the keyboard: everyone's chat to SSE.
    await chat.getByRole("button", { name: "Roll out by percentage" }).click();
    await expect(chat.getByTestId("rollout")).toHaveText("default 100%");
    await chat.getByRole("spinbutton", { name: "sse %" }).fill("100");
    await chat.getByRole("spinbutton", { name: "default %" }).fill("0");
    await expect(chat.getByTestId("rollout")).toHaveText("sse 100%");

    // The live preview counts the connected users (the tabs above, at least) that would move.
    const preview = chat.getByRole("status").filter({ hasText: "Preview:" });
    await expect(preview).toHaveText(/Preview: 100% of the \d+ connected users would change: default → sse/);
    const connected = Number(/of the (\d+) connected/.exec((await preview.textContent()) ?? "")?.[1]);
    expect(connected).toBeGreaterThanOrEqual(TABS);
    await expect(page.getByTestId("preview-summary")).toContainText("1 flag would change (transport.chat)");

    // No reason, no save; with one, saved (If-Match) and in force.
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByText("Say why (reason): it goes in the audit log.")).toBeVisible();
    await page.getByLabel("Reason (required, goes in the audit log)").fill(`e2e ${run}: chat on SSE`);
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByTestId("preview-summary")).toContainText("Saved: transport.chat");
    await expect(chat.getByTestId("rollout")).toHaveText("sse 100%");
    expect(JSON.stringify((await flagsInForce()).definitions)).toContain('"sse",100');

    // The audit entry: who, why, which flag, before and after.
    const audit = page.getByRole("region", { name: "Audit log" });
    const entry = audit.getByRole("listitem").first();
    await expect(entry.getByTestId("audit-reason")).toHaveText(`e2e ${run}: chat on SSE`);
    await expect(entry).toContainText("operator (session)");
    await entry.getByText("transport.chat: before / after").click();
    await expect(entry.getByRole("figure").filter({ hasText: "After" })).toContainText('"sse"');

    // Undo the last change (itself audited): chat follows the default again.
    await page.getByLabel("Why undo it? (required)").fill(`e2e ${run}: put back`);
    await page.getByRole("button", { name: "Undo last change" }).click();
    await expect(audit.getByRole("listitem").first().getByTestId("audit-reason")).toHaveText(`Undo: e2e ${run}: put back`);
    await expect(card(page, "transport.chat").getByTestId("rollout")).toHaveText("everyone: default");
    expect((await flagsInForce()).etag).not.toBe("");

    // Sign-out ends the operator session: back to "operators only" for this guest.
    await page.getByRole("button", { name: "Sign out operator" }).click();
    await expect(page.getByRole("heading", { name: "Operators only (403)" })).toBeVisible();
  } finally {
    await restore(start.definitions, run);
    await closeAll(...tabs);
  }
});

test("a visitor who is not signed in gets the secret form, not an error", async ({ page }) => {
  await page.goto("/admin/flags");
  await expect(page.getByLabel("Operator secret")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Operators only (403)" })).toHaveCount(0);
});
