import { expect, test } from "@playwright/test";
import { LABELS, closeAll, connection, person, seesOnce, send, uid } from "./support/chat-people";
import { E2E_OPERATOR_TOKEN } from "./support/operator";
import { REALTIME } from "./support/realtime-api";

// An operator turns WebSocket off (its kill switch flag) through the admin API while a person
// chats on it: the service moves the tab to SSE, the header's switcher follows, and the chat goes
// on. The flag is put back afterwards (undo), since every test shares one service.

const BEARER = { authorization: `Bearer ${E2E_OPERATOR_TOKEN}` };

async function flags(): Promise<{ definitions: { flags: Record<string, unknown> }; etag: string }> {
  const response = await fetch(`${REALTIME}/v1/admin/flags`, { headers: BEARER });
  expect(response.status).toBe(200);
  return (await response.json()) as { definitions: { flags: Record<string, unknown> }; etag: string };
}

test("a kill switch moves an open tab off WebSocket live: the switcher follows and the chat goes on", async ({ browser }) => {
  const run = uid();
  const ada = await person(browser, `Ada ${run}`, "/chat?transport=websocket");
  await expect(connection(ada.page)).toHaveAccessibleName("Connection: open");
  await send(ada.page, `before the switch ${run}`);
  await seesOnce(ada.page, `before the switch ${run}`);

  const { definitions, etag } = await flags();
  const off = {
    ...definitions,
    flags: { ...definitions.flags, "transport.websocket.enabled": { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "off" } },
  };
  const saved = await fetch(`${REALTIME}/v1/admin/flags`, {
    method: "PUT",
    headers: { ...BEARER, "content-type": "application/json", "if-match": `"${etag}"` },
    body: JSON.stringify({ definitions: off, reason: `e2e ${run}: WebSocket off` }),
  });
  expect(saved.status).toBe(200);
  try {
    await expect(ada.page).toHaveURL(/[?&]transport=sse(&|$)/, { timeout: 5000 });
    await expect(ada.page.getByRole("banner").getByRole("radio", { name: LABELS.sse })).toBeChecked();
    await expect(connection(ada.page)).toHaveAccessibleName("Connection: open");
    await send(ada.page, `after the switch ${run}`);
    await seesOnce(ada.page, `after the switch ${run}`);
    await seesOnce(ada.page, `before the switch ${run}`);
  } finally {
    const { etag: now } = await flags();
    const undone = await fetch(`${REALTIME}/v1/admin/flags/undo`, {
      method: "POST",
      headers: { ...BEARER, "content-type": "application/json", "if-match": `"${now}"` },
      body: JSON.stringify({ reason: `e2e ${run}: put back` }),
    });
    expect(undone.status).toBe(200);
    await closeAll(ada);
  }
});
