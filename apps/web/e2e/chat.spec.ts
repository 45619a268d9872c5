import { expect, test } from "@playwright/test";
import {
  LABELS,
  TRANSPORTS,
  closeAll,
  composer,
  connection,
  createRoom,
  log,
  person,
  presence,
  seesOnce,
  send,
  texts,
  typingLine,
  uid,
  type Person,
} from "./support/chat-people";
import { apiMember, numbered, seedRoom } from "./support/realtime-api";

// Two people, each in their own browser context (own cookie, own realtime client), chat.
// Every test but the first works in a room of its own, so exact-list assertions are not
// disturbed by what other tests posted in the lobby.

/** The realtime supervisor's control endpoint (see e2e/support/realtime-supervisor.mjs). */
const CONTROL = "http://127.0.0.1:4001";

for (const transport of TRANSPORTS) {
  test(`two people chat over ${transport}: messages once, typing and presence`, async ({ browser }) => {
    const run = uid();
    const ada = await person(browser, `Ada ${run}`, `/chat?transport=${transport}`);
    const bob = await person(browser, `Bob ${run}`, `/chat?transport=${transport}`);

    for (const p of [ada, bob]) {
      // The lobby, on the transport from the URL, connected.
      await expect(p.page.getByRole("heading", { level: 1 })).toHaveText("#Lobby");
      await expect(p.page.getByRole("radio", { name: LABELS[transport] })).toBeChecked();
      await expect(connection(p.page)).toHaveAccessibleName("Connection: open");
    }

    // Presence: each sees both.
    for (const p of [ada, bob]) {
      await expect(presence(p.page).filter({ hasText: ada.name })).toHaveCount(1);
      await expect(presence(p.page).filter({ hasText: bob.name })).toHaveCount(1);
    }

    // Typing shows for the other, not for oneself.
    await composer(ada.page).fill("Hel");
    await expect(typingLine(bob.page)).toHaveText(`${ada.name} is typing…`);
    await expect(typingLine(ada.page)).toHaveText("");

    const hello = `Hello from Ada (${run})`;
    await send(ada.page, hello);
    await seesOnce(bob.page, hello);
    await seesOnce(ada.page, hello);

    const reply = `Hi Ada, Bob here (${run})`;
    await composer(bob.page).fill("Hi");
    await expect(typingLine(ada.page)).toHaveText(`${bob.name} is typing…`);
    await send(bob.page, reply);
    await seesOnce(ada.page, reply);
    await seesOnce(bob.page, reply);

    // The typing line goes once the message is in (and would expire on its own).
    await expect(typingLine(ada.page)).toHaveText("");

    // In order, nothing doubled, on both sides.
    for (const p of [ada, bob]) await expect(texts(p.page).filter({ hasText: run })).toHaveText([hello, reply]);
    await closeAll(ada, bob);
  });
}

test("people on different transports chat together (short polling and WebSocket)", async ({ browser }) => {
  const run = uid();
  const ada = await person(browser, `Ada ${run}`, "/chat?transport=polling");
  const room = await createRoom(ada.page, `Mixed ${run}`);
  const bob = await person(browser, `Bob ${run}`, `/chat?room=${room}&transport=websocket`);
  await expect(presence(ada.page).filter({ hasText: bob.name })).toHaveCount(1);

  const sent: string[] = [];
  for (let i = 1; i <= 3; i++) {
    const fromAda = `Ada ${i} over polling`;
    await send(ada.page, fromAda);
    sent.push(fromAda);
    await seesOnce(bob.page, fromAda);
    const fromBob = `Bob ${i} over websocket`;
    await send(bob.page, fromBob);
    sent.push(fromBob);
    await seesOnce(ada.page, fromBob);
  }
  for (const p of [ada, bob]) await expect(texts(p.page)).toHaveText(sent);
  await closeAll(ada, bob);
});

test("switching transport mid-conversation loses and repeats nothing", async ({ browser }) => {
  test.setTimeout(60_000);
  const run = uid();
  const ada = await person(browser, `Ada ${run}`, "/chat?transport=websocket");
  const room = await createRoom(ada.page, `Switch ${run}`);
  const bob = await person(browser, `Bob ${run}`, `/chat?room=${room}&transport=sse`);

  const sent: string[] = [];
  const post = async (who: Person, text: string) => {
    await send(who.page, text);
    sent.push(text);
  };
  await post(ada, "before any switch");
  await post(bob, "Bob before any switch");
  await seesOnce(ada.page, "Bob before any switch");

  for (const transport of ["polling", "long-polling", "sse", "websocket"] as const) {
    await ada.page.getByRole("banner").getByRole("radio", { name: LABELS[transport] }).check();
    await expect(ada.page).toHaveURL(new RegExp(`[?&]transport=${transport}(&|$)`));
    // Bob posts while Ada's transport is being replaced; Ada posts on the new one.
    await post(bob, `Bob while Ada moves to ${transport}`);
    await expect(connection(ada.page)).toHaveAccessibleName("Connection: open");
    await post(ada, `Ada on ${transport}`);
    await seesOnce(ada.page, `Bob while Ada moves to ${transport}`);
    await seesOnce(bob.page, `Ada on ${transport}`);
  }

  for (const p of [ada, bob]) await expect(texts(p.page)).toHaveText(sent);
  // The room is still the same one, and the URL keeps both choices.
  expect(new URL(ada.page.url()).searchParams.get("room")).toBe(room);
  await closeAll(ada, bob);
});

test("a reload restores the history and the transport from the URL", async ({ browser }) => {
  const run = uid();
  const ada = await person(browser, `Ada ${run}`, "/chat?transport=long-polling");
  const room = await createRoom(ada.page, `Reload ${run}`);
  const bob = await person(browser, `Bob ${run}`, `/chat?room=${room}`);

  const sent = ["first", "second", "third\nwith a second line"];
  await send(ada.page, "first");
  await send(bob.page, "second");
  // Shift+Enter adds a line; Enter sends.
  await composer(ada.page).fill("third");
  await composer(ada.page).press("Shift+Enter");
  await composer(ada.page).pressSequentially("with a second line");
  await composer(ada.page).press("Enter");
  for (const p of [ada, bob]) await expect(texts(p.page)).toHaveText(sent);

  await ada.page.reload();
  await expect(composer(ada.page)).toBeEnabled();
  await expect(ada.page.getByRole("radio", { name: LABELS["long-polling"] })).toBeChecked();
  await expect(ada.page.getByRole("heading", { level: 1 })).toHaveText(`#Reload ${run}`);
  await expect(texts(ada.page)).toHaveText(sent);
  await expect(connection(ada.page)).toHaveAccessibleName("Connection: open");

  // And the conversation goes on after the reload.
  await send(bob.page, "after the reload");
  sent.push("after the reload");
  for (const p of [ada, bob]) await expect(texts(p.page)).toHaveText(sent);
  await closeAll(ada, bob);
});

test("a message sent while the service restarts arrives once when it is back", async ({ browser, request }) => {
  test.setTimeout(90_000);
  const status = await request.get(`${CONTROL}/status`).catch(() => null);
  test.skip(
    !status?.ok(),
    "The realtime service was not started by e2e/support/realtime-supervisor.mjs (an existing server on :4000 was reused), so it cannot be restarted",
  );

  const run = uid();
  const ada = await person(browser, `Ada ${run}`, "/chat?transport=websocket");
  const room = await createRoom(ada.page, `Restart ${run}`);
  const bob = await person(browser, `Bob ${run}`, `/chat?room=${room}&transport=long-polling`);

  await send(ada.page, "before the restart");
  await seesOnce(bob.page, "before the restart");

  let running = true;
  try {
    expect((await request.post(`${CONTROL}/stop`, { timeout: 30_000 })).ok()).toBe(true);
    running = false;
    await expect(connection(ada.page)).not.toHaveAccessibleName("Connection: open");

    // Typed while the service is down: shown at once, pending.
    await send(ada.page, "during the restart");
    await expect(texts(ada.page).filter({ hasText: "during the restart" })).toHaveCount(1);
    await expect(log(ada.page).getByText(/Sending…|Not sent/)).toHaveCount(1);

    expect((await request.post(`${CONTROL}/start`, { timeout: 60_000 })).ok()).toBe(true);
    running = true;
  } finally {
    if (!running) await request.post(`${CONTROL}/start`, { timeout: 60_000 });
  }

  await expect(connection(ada.page)).toHaveAccessibleName("Connection: open", { timeout: 20_000 });
  await expect(connection(bob.page)).toHaveAccessibleName("Connection: open", { timeout: 20_000 });
  await seesOnce(ada.page, "during the restart");
  await seesOnce(bob.page, "during the restart");

  await send(bob.page, "after the restart");
  const sent = ["before the restart", "during the restart", "after the restart"];
  for (const p of [ada, bob]) await expect(texts(p.page)).toHaveText(sent);
  await closeAll(ada, bob);
});

test("text and names are rendered escaped; only http(s) URLs become safe links", async ({ browser }) => {
  const dialogs: string[] = [];
  const run = uid();
  const ada = await person(browser, "<img src=x onerror=alert(1)>", "/chat?transport=sse", { dialogs });
  const roomName = `<b>Room</b> ${run}`;
  const room = await createRoom(ada.page, roomName);
  const bob = await person(browser, `<script>alert(2)</script>`, `/chat?room=${room}&transport=websocket`, { dialogs });

  const markup = [
    "<img src=x onerror=alert(3)>",
    "<script>alert(4)</script>",
    '<a href="javascript:alert(5)">click</a>',
    "javascript:alert(6)",
  ];
  const withLinks = "docs at https://example.com/a?b=1&c=2. (see https://en.wikipedia.org/wiki/Foo_(bar)) or http://localhost:3000/x";
  for (const text of [...markup, withLinks]) await send(ada.page, text);

  for (const p of [ada, bob]) {
    await expect(texts(p.page)).toHaveText([...markup, withLinks]);
    await expect(p.page.getByRole("heading", { level: 1 })).toHaveText(`#${roomName}`);
    await expect(presence(p.page).filter({ hasText: "<img src=x onerror=alert(1)>" })).toHaveCount(1);
    await expect(presence(p.page).filter({ hasText: "<script>alert(2)</script>" })).toHaveCount(1);
    await expect(p.page.locator("main img, main script, main b, main iframe")).toHaveCount(0);

    // Exactly the http(s) URLs are links (sentence punctuation left out), opened safely in a new tab.
    const links = log(p.page).getByRole("link");
    await expect(links).toHaveText([
      "https://example.com/a?b=1&c=2",
      "https://en.wikipedia.org/wiki/Foo_(bar)",
      "http://localhost:3000/x",
    ]);
    await expect(links.nth(0)).toHaveAttribute("href", "https://example.com/a?b=1&c=2");
    await expect(links.nth(1)).toHaveAttribute("href", "https://en.wikipedia.org/wiki/Foo_(bar)");
    await expect(links.nth(2)).toHaveAttribute("href", "http://localhost:3000/x");
    for (const link of await links.all()) {
      await expect(link).toHaveAttribute("target", "_blank");
      await expect(link).toHaveAttribute("rel", "noopener noreferrer nofollow");
    }
  }
  expect(dialogs).toEqual([]);
  await closeAll(ada, bob);
});

test("own messages can be edited and deleted, and the other side sees it live", async ({ browser }) => {
  const run = uid();
  const ada = await person(browser, `Ada ${run}`, "/chat?transport=long-polling");
  const room = await createRoom(ada.page, `Edit ${run}`);
  const bob = await person(browser, `Bob ${run}`, `/chat?room=${room}&transport=polling`);

  await send(ada.page, "helo");
  await send(ada.page, "a message to delete");
  await send(bob.page, "Bob's message");
  for (const p of [ada, bob]) await expect(texts(p.page)).toHaveText(["helo", "a message to delete", "Bob's message"]);

  // Nobody can change someone else's message: no buttons on Bob's message for Ada.
  const bobsRow = log(ada.page).getByRole("listitem").filter({ hasText: "Bob's message" });
  await expect(bobsRow.getByRole("button")).toHaveCount(0);

  const row = log(ada.page).getByRole("listitem").filter({ hasText: "helo" });
  await row.getByRole("button", { name: "Edit" }).click();
  const editor = ada.page.getByRole("textbox", { name: "Edit message" });
  await expect(editor).toBeFocused();
  await editor.fill("hello");
  await editor.press("Enter");

  const doomed = log(ada.page).getByRole("listitem").filter({ hasText: "a message to delete" });
  await doomed.getByRole("button", { name: "Delete" }).click();
  await doomed.getByRole("button", { name: "Yes, delete" }).click();

  for (const p of [ada, bob]) {
    await expect(texts(p.page)).toHaveText(["hello", "Bob's message"]);
    await expect(log(p.page).getByText("(edited)")).toHaveCount(1);
    await expect(log(p.page).getByText("This message was deleted.")).toHaveCount(1);
  }
  await closeAll(ada, bob);
});

test("sending too fast shows the rate limit, and Retry sends the message once", async ({ browser }) => {
  test.setTimeout(60_000);
  const run = uid();
  const ada = await person(browser, `Ada ${run}`, "/chat?transport=websocket");
  const room = await createRoom(ada.page, `Rate ${run}`);
  const bob = await person(browser, `Bob ${run}`, `/chat?room=${room}&transport=sse`);

  const sent = Array.from({ length: 11 }, (_, i) => `quick ${i + 1}`);
  for (const text of sent) {
    await composer(ada.page).fill(text);
    await composer(ada.page).press("Enter");
  }

  const slowDown = ada.page.getByRole("alert").filter({ hasText: "Slow down: you are sending messages too fast." });
  await expect(slowDown).toHaveCount(1);
  const failed = log(ada.page).getByRole("listitem").filter({ hasText: "Not sent" });
  await expect(failed).toHaveCount(1);
  await expect(failed).toContainText(/Slow down: you can send again in \d+ s\./);
  await expect(texts(ada.page)).toHaveText(sent);
  await expect(texts(bob.page)).toHaveCount(10);

  // Once the window has passed, Retry sends it (same command id): it arrives once.
  await expect(slowDown).toHaveCount(0, { timeout: 15_000 });
  await failed.getByRole("button", { name: "Retry" }).click();
  for (const p of [ada, bob]) {
    await expect(texts(p.page)).toHaveCount(11);
    await expect(log(p.page).getByText(/Sending…|Not sent/)).toHaveCount(0);
  }
  // Which one failed depends on timing; each text is there exactly once.
  for (const text of sent) await expect(texts(bob.page).filter({ hasText: new RegExp(`^${text}$`) })).toHaveCount(1);
  await closeAll(ada, bob);
});

test("a long history opens at the newest message, loads older pages on scroll, and stays virtualized", async ({ browser }) => {
  const run = uid();
  const total = 130; // three pages of 50
  const expected = Array.from({ length: total }, (_, i) => numbered(i + 1));
  const room = await seedRoom(`History ${run}`, total);
  const ada = await person(browser, `Ada ${run}`, `/chat?room=${room}&transport=sse`);

  // Opens at the newest message, with only the rows near the viewport in the DOM.
  await expect(texts(ada.page).last()).toHaveText(expected.at(-1)!);
  await expect(log(ada.page).getByText(expected.at(-1)!, { exact: true })).toBeInViewport();
  expect(await log(ada.page).getByRole("listitem").count()).toBeLessThan(40);

  // Scrolling to the top loads the older pages, until the beginning of the room.
  // (Each page prepended keeps the reader's place, so it takes a scroll per page.)
  await expect(async () => {
    await log(ada.page).evaluate((element) => element.scrollTo({ top: 0 }));
    await expect(ada.page.getByText("The beginning of the room.")).toBeInViewport({ timeout: 1000 });
    await expect(texts(ada.page).first()).toHaveText(expected[0]!, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });

  // Sweeping down the whole list shows every message once, in order.
  const seen = await log(ada.page).evaluate(async (element) => {
    const byIndex = new Map<number, string>();
    const frames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    for (let top = 0; ; top += element.clientHeight / 2) {
      element.scrollTop = top;
      await frames();
      for (const row of element.querySelectorAll("[data-index]")) {
        const text = row.querySelector('[data-testid="message-text"]')?.textContent ?? "";
        byIndex.set(Number(row.getAttribute("data-index")), text);
      }
      if (element.scrollTop + element.clientHeight >= element.scrollHeight - 1) break;
    }
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, text]) => text);
  });
  expect(seen).toEqual(expected);

  // At the bottom again, a new message is followed.
  await send(ada.page, "a new one at the end");
  await expect(log(ada.page).getByText("a new one at the end", { exact: true })).toBeInViewport();
  await closeAll(ada);
});

// Wide (1280 px), the chat fills the window beside the room list. Narrow (below the lg
// breakpoint), it is stacked under the room list: the reader scrolls the page down to it, and
// it is still a list of its own height that opens at its end (it once grew to the full history,
// loaded every page and showed the beginning of the room, with the newest messages below the fold).
const LAYOUTS = { wide: { width: 1280, height: 720 }, narrow: { width: 800, height: 600 } } as const;
for (const [layout, viewport] of Object.entries(LAYOUTS)) {
  test(`${layout}: a second person opens a full room at the newest message, and new ones follow only at the bottom`, async ({ browser }) => {
    test.setTimeout(60_000);
    const run = uid();
    const total = 60; // more than a screen, and more than a page of 50
    const room = await seedRoom(`Full ${run}`, total);
    const carol = await apiMember(`Carol ${run}`, room);
    const bob = await person(browser, `Bob ${run}`, `/chat?room=${room}&transport=websocket`, { viewport });
    const row = (text: string) => log(bob.page).getByText(text, { exact: true });
    await log(bob.page).scrollIntoViewIfNeeded();

    // Opens at the newest message, not at the top of the room.
    await expect(row(numbered(total))).toBeInViewport();
    await expect(bob.page.getByText("The beginning of the room.")).not.toBeInViewport();
    await expect(log(bob.page).getByRole("button", { name: "Load older messages" })).not.toBeInViewport();

    // At the bottom: a new message is followed.
    await carol(numbered(total + 1));
    await expect(row(numbered(total + 1))).toBeInViewport();

    // Scrolled up to read (not near the top, so no older page loads): a new message arrives
    // below without pulling the reader down.
    await log(bob.page).evaluate((element) => element.scrollBy({ top: -300 }));
    // Rows scrolled into view are measured over the next frames (their real height replaces the
    // estimate, and the list keeps the reader's place): read the position once it has settled.
    const settledScrollTop = () =>
      log(bob.page).evaluate(
        (element) =>
          new Promise<number>((resolve) => {
            let last = element.scrollTop;
            let still = 0;
            const check = () => {
              if (element.scrollTop === last && ++still >= 5) return resolve(last);
              if (element.scrollTop !== last) still = 0;
              last = element.scrollTop;
              requestAnimationFrame(check);
            };
            requestAnimationFrame(check);
          }),
      );
    const readingAt = await settledScrollTop();
    await carol(numbered(total + 2));
    await expect(row(numbered(total + 2))).toBeAttached();
    await log(bob.page).evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)));
    await expect(row(numbered(total + 2))).not.toBeInViewport();
    expect(await log(bob.page).evaluate((element) => element.scrollTop)).toBeCloseTo(readingAt, -1);
    await closeAll(bob);
  });
}
