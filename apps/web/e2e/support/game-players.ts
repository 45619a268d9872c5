// Players and spectators of the game, each in a browser context of their own (own cookie, own
// realtime client), and the page parts the game tests read.
import { expect, type Browser, type Page } from "@playwright/test";
import { WEB_ORIGIN, type Person } from "./chat-people";

/** Signs `name` in through the sign-in page and opens `path` (a /game page). */
export async function gamer(browser: Browser, name: string, path: string): Promise<Person> {
  const context = await browser.newContext({ baseURL: WEB_ORIGIN });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Display name").fill(name);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${WEB_ORIGIN}/`);
  await page.goto(path);
  return { page, context, name };
}

export const board = (page: Page) => page.getByRole("img", { name: /^(Game|Replay) board/ });
export const matchStatus = (page: Page) => page.getByRole("status", { name: "Match" });
export const gameOver = (page: Page) => page.getByRole("region", { name: "Game over" });
export const syncCheck = (page: Page) => page.getByTestId("sync-check");
export const readout = (page: Page) => page.getByRole("region", { name: /costs in play$/ });

/** From the lobby: a new game with these settings; returns its id (from the URL it opens). */
export async function createGame(page: Page, settings: { seats: number; tickHz: number; rounds: number }): Promise<string> {
  await expect(page.getByRole("heading", { name: "Light Cycles" })).toBeVisible();
  await page.getByLabel("Seats").selectOption(String(settings.seats));
  await page.getByLabel("Ticks per second").selectOption(String(settings.tickHz));
  await page.getByLabel("Rounds to win").selectOption(String(settings.rounds));
  await page.getByRole("button", { name: "Create game" }).click();
  await expect(page.getByRole("list", { name: "Seats" })).toBeVisible();
  const id = new URL(page.url()).searchParams.get("game");
  expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
  return id!;
}

/** The whole tick the board shows now. */
export async function drawnTick(page: Page): Promise<number> {
  return Number((await board(page).getAttribute("data-tick")) ?? "-1");
}

/** The board is drawing a match that moves on (two readings, the later one further). */
export async function expectBoardMoving(page: Page) {
  await expect(board(page)).toHaveAttribute("data-tick", /\d+/);
  const first = await drawnTick(page);
  await expect.poll(() => drawnTick(page)).toBeGreaterThan(first);
}

/** Once the round has started (the countdown over): a few turns by keyboard, some of them legal whichever way the cycle heads. */
export async function steerByKeyboard(page: Page) {
  await expect(matchStatus(page)).toContainText(/cycles moving|over|takes|draw/);
  for (const key of ["ArrowLeft", "ArrowUp", "KeyD"]) {
    await page.keyboard.press(key);
    await page.waitForTimeout(120);
  }
}

/** The state hash this tab ended in, from the sync check ("… (hash <hex>)."). */
export async function endHash(page: Page): Promise<string> {
  await expect(syncCheck(page)).toContainText("In sync");
  const text = (await syncCheck(page).textContent()) ?? "";
  const hash = /hash ([0-9a-f]{16})/.exec(text)?.[1];
  expect(hash).toBeTruthy();
  return hash!;
}
