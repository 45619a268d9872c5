import { expect, test } from "@playwright/test";
import { LABELS, TRANSPORTS, closeAll, composer, connection, createRoom, log, person, send, texts, uid } from "./support/chat-people";
import { badge, bell, countPermissionRequests, dropDown, expectUnread, toasts } from "./support/notifications";
import { operatorBroadcast } from "./support/operator";
import { apiSession, command } from "./support/realtime-api";

// Ada mentions Bob in the lobby (both members: each opened it) while Bob is elsewhere in the
// app, each in a browser context of their own. Bob's tab follows notify:<Bob> on the transport
// from the URL (the header's switcher drives chat and notifications alike: one client per tab).

for (const transport of TRANSPORTS) {
  test(`a mention reaches the other person's badge and a toast live over ${transport}; mark all read clears it`, async ({ browser }) => {
    const run = uid();
    const ada = await person(browser, `Ada ${run}`, `/chat?transport=${transport}`);
    const bob = await person(browser, `Bob ${run}`, `/chat?transport=${transport}`);

    // Bob leaves the chat for the home page: a fresh tab, following his notifications only.
    await bob.page.goto(`/?transport=${transport}`);
    await expect(bob.page.getByRole("radio", { name: LABELS[transport] })).toBeChecked();
    await expect(connection(bob.page)).toHaveAccessibleName("Connection: open");
    await expectUnread(bob.page, 0);

    await send(ada.page, `@${bob.name} look at this (${transport})`);
    await expectUnread(bob.page, 1);
    await expect(toasts(bob.page)).toHaveCount(1);
    await expect(toasts(bob.page).first()).toContainText(`${ada.name} mentioned you`);
    await expect(toasts(bob.page).first()).toContainText(`look at this (${transport})`);

    await send(ada.page, `And again, @${bob.name.toUpperCase()}!`);
    await expectUnread(bob.page, 2);

    // The drop-down lists them, newest first; Ada's own tab got nothing.
    await bell(bob.page).click();
    const items = dropDown(bob.page).getByTestId("notification");
    await expect(items).toHaveCount(2);
    await expect(items.first()).toContainText(`And again, @${bob.name.toUpperCase()}!`);
    await expectUnread(ada.page, 0);

    await dropDown(bob.page).getByRole("button", { name: "Mark all read" }).click();
    await expectUnread(bob.page, 0);
    await expect(items.and(bob.page.locator('[data-read="true"]'))).toHaveCount(2);
    await closeAll(ada, bob);
  });
}

test("/notifications: the list live, escaped, a mention links to its room, read state follows on another tab, alerts asked for only on a click", async ({
  browser,
}) => {
  const run = uid();
  const ada = await person(browser, `Ada ${run}`, "/chat?transport=sse");
  const bob = await person(browser, `Bob ${run}`, "/chat?transport=long-polling");
  const permissionRequests = await countPermissionRequests(bob.page);
  await bob.page.goto("/notifications?transport=long-polling");
  await expect(bob.page.getByRole("heading", { level: 1 })).toHaveText("Notifications");
  await expect(bob.page.getByText(/^Nothing yet/)).toBeVisible();
  // A second tab of Bob's, on another transport.
  const bobTab = await bob.context.newPage();
  await bobTab.goto("/?transport=websocket");
  await expect(connection(bobTab)).toHaveAccessibleName("Connection: open");

  const markup = `<img src=x onerror="alert(1)"> @${bob.name} <b>bold</b>`;
  await send(ada.page, markup);
  const list = bob.page.getByRole("list", { name: "All notifications" }).getByTestId("notification");
  await expect(list).toHaveCount(1);
  await expect(list.first()).toContainText(`${markup}`); // as text, not HTML
  await expect(list.first().locator("img, b")).toHaveCount(0);
  await expect(bob.page.getByRole("status", { name: "Unread" })).toHaveText("1 unread");
  await expectUnread(bobTab, 1);

  // What it cost: at least the one event, on long polling.
  await expect(bob.page.getByRole("heading", { name: "What notifications cost on Long polling" })).toBeVisible();
  await expect(bob.page.getByTestId("notification-cost")).toContainText(/^[1-9]\d* notification events? /);

  // Marked read here; the other tab follows live.
  await list.first().getByRole("button", { name: "Mark read" }).click();
  await expect(bob.page.getByRole("status", { name: "Unread" })).toHaveText("0 unread");
  await expectUnread(bobTab, 0);

  // The mention links to the lobby, keeping the transport.
  const link = list.first().getByRole("link");
  await expect(link).toHaveAttribute("href", /^\/chat\?transport=long-polling#message-[0-9a-f-]{36}$/);

  // The header's switcher moves the notifications too (one client per tab): nothing lost or doubled.
  await bob.page.getByRole("banner").getByRole("radio", { name: LABELS.polling }).check();
  await expect(bob.page).toHaveURL(/[?&]transport=polling(&|$)/);
  await send(ada.page, `@${bob.name} while you switch`);
  await expect(bob.page.getByRole("heading", { name: "What notifications cost on Short polling" })).toBeVisible();
  await expect(list).toHaveCount(2);
  await expect(list.first()).toContainText("while you switch");
  await list.first().getByRole("button", { name: "Mark read" }).click();
  await expectUnread(bobTab, 0);

  // Never asked on load; asked once the person clicks.
  expect(await permissionRequests()).toBe(0);
  await bob.page.getByRole("button", { name: "Alert me when this tab is hidden" }).click();
  await expect.poll(permissionRequests).toBe(1);
  await expect(badge(bob.page)).toHaveCount(0);
  await closeAll(ada, bob);
});

test("an operator's broadcast reaches every open tab live, on all four transports at once", async ({ browser }) => {
  const run = uid();
  const people = [];
  for (const transport of TRANSPORTS) {
    const who = await person(browser, `Reader ${transport} ${run}`, `/chat?transport=${transport}`);
    await who.page.goto(`/?transport=${transport}`);
    await expect(connection(who.page)).toHaveAccessibleName("Connection: open");
    await expectUnread(who.page, 0);
    people.push(who);
  }
  await operatorBroadcast(`Maintenance ${run}`, "<b>Back</b> in five minutes");
  for (const { page } of people) {
    await expectUnread(page, 1);
    await expect(toasts(page).first()).toContainText(`Maintenance ${run}`);
    await expect(toasts(page).first()).toContainText("<b>Back</b> in five minutes"); // as text
    await expect(toasts(page).first().locator("b")).toHaveCount(0);
  }
  await closeAll(...people);
});

test("a mention's link opens its room at the message, even when newer messages pushed it out of view", async ({ browser }) => {
  const run = uid();
  const ada = await apiSession(`Ada ${run}`);
  const { room } = (await command(ada, "chat.createRoom", { name: `jump ${run}` })) as { room: { id: string } };
  // A short window: a few messages fill the log.
  const bob = await person(browser, `Bob ${run}`, `/chat?room=${room.id}&transport=sse`, { viewport: { width: 1280, height: 560 } });
  await bob.page.goto("/notifications?transport=sse");
  const mention = `@${bob.name} the one to find`;
  await command(ada, "chat.send", { roomId: room.id, text: mention });
  for (let i = 1; i <= 9; i++) await command(ada, "chat.send", { roomId: room.id, text: `newer ${i}` });

  // (Broadcasts from before Bob joined are listed too, as read: pick the mention.)
  const item = bob.page.getByRole("list", { name: "All notifications" }).getByTestId("notification").filter({ hasText: mention });
  await expect(item).toHaveCount(1);
  await item.getByRole("link").click();
  await expect(bob.page).toHaveURL(new RegExp(`/chat\\?room=${room.id}&transport=sse#message-[0-9a-f-]{36}$`));
  await expect(texts(bob.page).filter({ hasText: mention })).toBeInViewport();
  const target = log(bob.page).locator('[aria-current="location"]');
  await expect(target).toHaveCount(1);
  await expect(target).toContainText(mention);
  // Opening the room without the link starts at the newest message instead.
  await bob.page.goto(`/chat?room=${room.id}&transport=sse`);
  await expect(texts(bob.page).filter({ hasText: "newer 9" })).toBeInViewport();
  await expect(texts(bob.page).filter({ hasText: mention })).not.toBeInViewport();
  await closeAll(bob);
});

test("muting a room is stored by the service: its mentions make no notification, another room's do", async ({ browser }) => {
  const run = uid();
  const ada = await person(browser, `Ada ${run}`, "/chat");
  const room = await createRoom(ada.page, `Quiet ${run}`);
  // Bob opens the lobby (joining it), then Ada's room (joining that too).
  const bob = await person(browser, `Bob ${run}`, "/chat");
  await bob.page.goto(`/chat?room=${room}`);
  await expect(bob.page.getByRole("heading", { level: 1 })).toHaveText(`#Quiet ${run}`);
  await expect(composer(bob.page)).toBeEnabled();
  await bob.page.goto("/notifications");
  const lobby = bob.page.getByRole("group", { name: "Mute mentions in" }).getByRole("checkbox", { name: "#Lobby" });
  await lobby.check();
  await expect(lobby).toBeEnabled(); // the service answered
  // Stored, not filtered here: still muted after a reload.
  await bob.page.reload();
  await expect(lobby).toBeChecked();

  await ada.page.goto("/chat");
  await expect(ada.page.getByRole("heading", { level: 1 })).toHaveText("#Lobby");
  await send(ada.page, `@${bob.name} in the muted lobby`);
  await ada.page.goto(`/chat?room=${room}`);
  await expect(ada.page.getByRole("heading", { level: 1 })).toHaveText(`#Quiet ${run}`);
  await send(ada.page, `@${bob.name} in ${room}`);

  // The second mention arrives; the first (made before it, by the same command path) never does.
  // (Broadcasts from before Bob joined are listed too, as read: count the mentions.)
  const list = bob.page.getByRole("list", { name: "All notifications" }).getByTestId("notification").filter({ hasText: `@${bob.name}` });
  await expect(list).toHaveCount(1);
  await expect(list.first()).toContainText(`in ${room}`);
  await expectUnread(bob.page, 1);
  await closeAll(ada, bob);
});
