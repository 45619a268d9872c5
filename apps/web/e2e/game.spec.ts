import { expect, test } from "@playwright/test";
import { LABELS, closeAll, connection, uid } from "./support/chat-people";
import {
  board,
  createGame,
  endHash,
  expectBoardMoving,
  gameOver,
  gamer,
  matchStatus,
  readout,
  steerByKeyboard,
} from "./support/game-players";

// Light Cycles in the browser: people in their own contexts (own cookie, own realtime client) play
// and watch one game, each on a transport of their own, and must all end in the server's exact
// state (the hash of the last tick, checked on every page). Games are one round at a fast tick,
// so each test takes seconds: a cycle that is not steered away meets a wall.

const PAIRS = [
  { transport: "websocket", spectatorOn: "polling" },
  { transport: "sse", spectatorOn: "long-polling" },
] as const;

for (const { transport, spectatorOn } of PAIRS) {
  test(`two players play a round over ${transport}, a spectator on ${spectatorOn} sees the same game; leaderboard and rematch`, async ({ browser }) => {
    test.setTimeout(90_000);
    const run = uid();
    const ada = await gamer(browser, `Ada ${run}`, `/game?transport=${transport}`);
    await expect(ada.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Game" })).toHaveAttribute("aria-current", "page");
    const gameId = await createGame(ada.page, { seats: 2, tickHz: 15, rounds: 1 });

    // Bob follows the invite link: it seats him, then becomes the game's own address.
    const bob = await gamer(browser, `Bob ${run}`, `/game?join=${gameId}&transport=${transport}`);
    await expect(bob.page).toHaveURL(new RegExp(`[?&]game=${gameId}(&|$)`));
    const seats = ada.page.getByRole("list", { name: "Seats" }).getByTestId("seat");
    await expect(seats).toHaveCount(2);
    await expect(seats.nth(1)).toContainText(bob.name);
    await bob.page.getByRole("button", { name: "Ready", exact: true }).click();
    await expect(seats.nth(1)).not.toContainText("not ready");

    // Cy waits in the lobby, where the game shows live.
    const cy = await gamer(browser, `Cy ${run}`, `/game?transport=${spectatorOn}`);
    const listed = cy.page.locator(`[data-game-id="${gameId}"]`);
    await expect(listed).toContainText("waiting");

    await ada.page.getByRole("button", { name: "Start" }).click();
    await expect(listed).toContainText("playing");
    await listed.getByRole("link", { name: "Watch" }).click();
    await expect(matchStatus(cy.page)).toContainText("you are watching");

    for (const p of [ada, bob, cy]) await expectBoardMoving(p.page);
    await Promise.all([steerByKeyboard(ada.page), steerByKeyboard(bob.page)]);

    // The round ends (a wall or a trail): one round wins the game. A draw plays another round.
    for (const p of [ada, bob, cy]) await expect(gameOver(p.page)).toBeVisible({ timeout: 60_000 });
    const [adaHash, bobHash, cyHash] = await Promise.all([ada, bob, cy].map((p) => endHash(p.page)));
    expect(bobHash).toBe(adaHash);
    expect(cyHash).toBe(adaHash);
    const result = (await ada.page.getByTestId("game-result").textContent()) ?? "";
    expect(result).toMatch(/wins$/);
    for (const p of [bob, cy]) await expect(p.page.getByTestId("game-result")).toHaveText(result);

    // The readout measured the players' own turns, input sent to effect drawn.
    for (const p of [ada, bob]) {
      await expect(readout(p.page).getByRole("heading")).toHaveText(`What ${LABELS[transport]} costs in play`);
      await expect(readout(p.page).getByTestId("input-latency")).toContainText(/p50 \d+ ms/);
    }
    await expect(readout(cy.page).getByTestId("tick-rates")).toContainText("server 15/s");

    // The winner is on the leaderboard (Cy's lobby), and a rematch seats both players again.
    const winner = result.replace(/ wins$/, "");
    await cy.page.getByRole("link", { name: "Lobby" }).click();
    await expect(cy.page.getByRole("region", { name: "Leaderboard" }).getByRole("row", { name: new RegExp(winner) })).toBeVisible();
    await ada.page.getByRole("button", { name: "Rematch" }).click();
    await expect(ada.page).not.toHaveURL(new RegExp(`[?&]game=${gameId}(&|$)`));
    await bob.page.getByRole("button", { name: "Join the rematch" }).click();
    await expect(bob.page).toHaveURL(ada.page.url());
    await expect(bob.page.getByRole("list", { name: "Seats" }).getByTestId("seat")).toHaveText([
      new RegExp(`^${ada.name}`),
      new RegExp(`^${bob.name}`),
    ]);
    await closeAll(ada, bob, cy);
  });
}

test("switching transport mid-game loses nothing: the game ends in the server's state, nothing refetched", async ({ browser }) => {
  test.setTimeout(60_000);
  const ada = await gamer(browser, `Ada ${uid()}`, "/game?transport=websocket");
  await createGame(ada.page, { seats: 2, tickHz: 5, rounds: 1 });
  await ada.page.getByRole("button", { name: "Add a bot" }).click();
  await expect(ada.page.getByRole("list", { name: "Seats" }).getByTestId("seat")).toHaveCount(2);
  await ada.page.getByRole("button", { name: "Start" }).click();
  await expectBoardMoving(ada.page);

  // Through the other three while the match runs (the countdown alone is 3 s; at 5 ticks/s an unsteered cycle lasts 3 s more at least).
  for (const transport of ["polling", "sse", "long-polling"] as const) {
    await ada.page.getByRole("banner").getByRole("radio", { name: LABELS[transport] }).check();
    await expect(connection(ada.page)).toHaveAccessibleName("Connection: open");
    await expect(readout(ada.page).getByRole("heading")).toHaveText(`What ${LABELS[transport]} costs in play`);
  }
  await expect(gameOver(ada.page)).toHaveCount(0);
  await expectBoardMoving(ada.page);

  await expect(gameOver(ada.page)).toBeVisible({ timeout: 30_000 });
  await endHash(ada.page);
  await expect(readout(ada.page).getByTestId("desyncs")).toHaveText("0 corrected by a snapshot · 0 refetched");
  await closeAll(ada);
});

test("a replay re-runs the finished game in the browser and ends in the stored result", async ({ browser }) => {
  test.setTimeout(60_000);
  const ada = await gamer(browser, `Ada ${uid()}`, "/game?transport=websocket");
  const gameId = await createGame(ada.page, { seats: 2, tickHz: 30, rounds: 1 });
  await ada.page.getByRole("button", { name: "Add a bot" }).click();
  await expect(ada.page.getByRole("list", { name: "Seats" }).getByTestId("seat")).toHaveCount(2);
  await ada.page.getByRole("button", { name: "Start" }).click();
  await expect(gameOver(ada.page)).toBeVisible({ timeout: 30_000 });
  const hash = await endHash(ada.page);

  await ada.page.getByRole("link", { name: "Watch the replay" }).click();
  await expect(ada.page).toHaveURL(new RegExp(`/game/replay/${gameId}\\?transport=websocket$`));
  await expect(board(ada.page)).toBeVisible();
  await ada.page.getByRole("radio", { name: "16×" }).check();
  const verdict = ada.page.getByTestId("replay-verdict");
  await expect(verdict).toContainText("The replay ended in the stored result.");
  await expect(verdict).toContainText(`replayed ${hash}, stored ${hash}`);
  const last = await ada.page.getByTestId("replay-tick").textContent();
  await expect(ada.page.getByText(`Tick ${last} of ${last}`)).toBeVisible();

  // Again from the start: it plays (the tick moves), then ends in the same place.
  await ada.page.getByRole("button", { name: "Restart" }).click();
  await expect(ada.page.getByRole("button", { name: "Pause" })).toBeVisible();
  await expect(verdict).toHaveCount(0);
  await expect(verdict).toContainText("The replay ended in the stored result.");
  await closeAll(ada);
});
