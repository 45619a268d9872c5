import { expect, test, type Page } from "@playwright/test";
import { closeAll, connection, createRoom, person, seesOnce, send, texts, uid, type Person } from "./support/chat-people";
import { E2E_OPERATOR_TOKEN } from "./support/operator";
import { REALTIME } from "./support/realtime-api";

// The browser scenario: an operator flips chat's transport in /admin/flags while two
// people chat. Both tabs switch live (their chat clients follow transport.chat), and their
// message lists stay identical: every message, once, in the same order. The definitions are put
// back afterwards (every test shares one service).

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

async function saveFlags(definitions: Flags["definitions"], reason: string) {
  const { etag } = await readFlags();
  const response = await fetch(`${REALTIME}/v1/admin/flags`, {
    method: "PUT",
    headers: { ...BEARER, "content-type": "application/json", "if-match": `"${etag}"` },
    body: JSON.stringify({ definitions, reason }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

const chatTransport = (page: Page) =>
  page.getByRole("banner").getByRole("list", { name: "Transport per feature" }).getByRole("listitem").filter({ hasText: "Chat" });

const card = (page: Page, key: string) => page.getByRole("article", { name: key, exact: true });

test("an operator flips chat's transport in /admin/flags while two people chat: both switch live, their message lists identical", async ({ browser }) => {
  test.setTimeout(120_000);
  const run = uid();
  const original = await readFlags();
  // Start from a known place: chat on WebSocket for everyone.
  const chatFlag = { state: "ENABLED", variants: { default: "default", websocket: "websocket", sse: "sse", "long-polling": "long-polling", polling: "polling" }, defaultVariant: "websocket" };
  await saveFlags({ ...original.definitions, flags: { ...original.definitions.flags, "transport.chat": chatFlag } }, `e2e ${run}: chat on WebSocket`);
  const people: Person[] = [];
  try {
    const ada = await person(browser, `Ada ${run}`, "/chat");
    people.push(ada);
    const room = await createRoom(ada.page, `Flip ${run}`);
    const bob = await person(browser, `Bob ${run}`, `/chat?room=${room}`);
    people.push(bob);
    for (const tab of [ada, bob]) {
      await expect(chatTransport(tab.page)).toContainText("WebSocket · flag transport.chat");
      await expect(connection(tab.page)).toHaveAccessibleName("Connection: open");
    }
    await send(ada.page, `Ada 1 ${run}`);
    await send(bob.page, `Bob 1 ${run}`);
    await seesOnce(ada.page, `Bob 1 ${run}`);
    await seesOnce(bob.page, `Ada 1 ${run}`);

    // The operator, in a tab of their own: signs in with the secret and sets chat's default variant to SSE.
    const operator = await person(browser, `Operator ${run}`, "/chat");
    people.push(operator);
    const admin = operator.page;
    await admin.goto("/admin/flags");
    await admin.getByLabel("Operator secret").fill(E2E_OPERATOR_TOKEN);
    await admin.getByRole("button", { name: "Sign in as operator" }).click();
    const chat = card(admin, "transport.chat");
    await expect(chat).toBeVisible();
    await chat.getByLabel("Default variant").selectOption("sse");
    await expect(chat.getByRole("status").filter({ hasText: "Preview:" })).toContainText("websocket → sse");
    await admin.getByLabel("Reason (required, goes in the audit log)").fill(`e2e ${run}: chat to SSE while two people chat`);

    // They keep chatting while the operator saves.
    const chatting = (async () => {
      for (let i = 2; i <= 4; i++) {
        await send(ada.page, `Ada ${i} ${run}`);
        await send(bob.page, `Bob ${i} ${run}`);
      }
    })();
    await admin.getByRole("button", { name: "Save changes" }).click();
    await expect(admin.getByTestId("preview-summary")).toContainText("Saved: transport.chat");
    const savedAt = Date.now();
    await chatting;

    for (const tab of [ada, bob]) {
      await expect(chatTransport(tab.page)).toContainText("SSE · flag transport.chat", { timeout: 5000 });
      await expect(connection(tab.page)).toHaveAccessibleName("Connection: open");
    }
    console.log(`both tabs on SSE ${Date.now() - savedAt} ms after the save (upper bound)`);
    await send(ada.page, `Ada 5 ${run}`);
    await send(bob.page, `Bob 5 ${run}`);

    const all = [1, 2, 3, 4, 5].flatMap((i) => [`Ada ${i} ${run}`, `Bob ${i} ${run}`]);
    for (const tab of [ada, bob]) for (const text of all) await seesOnce(tab.page, text);
    await expect(texts(ada.page)).toHaveCount(all.length);
    // The same list, in the same order, on both sides.
    expect(await texts(ada.page).allTextContents()).toEqual(await texts(bob.page).allTextContents());
  } finally {
    await saveFlags(original.definitions, `e2e ${run}: put back`);
    await closeAll(...people);
  }
});
