// People in the chat, each in a browser context of their own (own cookie, own realtime
// client), and the page parts the chat tests read.
import { expect, type Browser, type BrowserContext, type Page, type ViewportSize } from "@playwright/test";

export const WEB_ORIGIN = "http://localhost:3000";
export const TRANSPORTS = ["polling", "long-polling", "sse", "websocket"] as const;
export type Transport = (typeof TRANSPORTS)[number];
export const LABELS: Record<Transport, string> = {
  polling: "Short polling",
  "long-polling": "Long polling",
  sse: "SSE",
  websocket: "WebSocket",
};

/** A short id that keeps names, rooms and texts of one test apart from every other run. */
export function uid(): string {
  return Math.random().toString(36).slice(2, 8);
}

export interface Person {
  page: Page;
  context: BrowserContext;
  name: string;
}

/**
 * Signs `name` in through the sign-in page and opens `path` (a chat page: its composer is ready).
 * `dialogs` collects (and dismisses) any dialog the page opens; `viewport` overrides the window size.
 */
export async function person(
  browser: Browser,
  name: string,
  path: string,
  { dialogs, viewport }: { dialogs?: string[]; viewport?: ViewportSize } = {},
): Promise<Person> {
  const context = await browser.newContext({ baseURL: WEB_ORIGIN, ...(viewport && { viewport }) });
  const page = await context.newPage();
  if (dialogs) {
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }
  await page.goto("/sign-in");
  await page.getByLabel("Display name").fill(name);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${WEB_ORIGIN}/`);
  await page.goto(path);
  await expect(composer(page)).toBeEnabled();
  return { page, context, name };
}

export const log = (page: Page) => page.getByRole("log", { name: "Messages" });
export const texts = (page: Page) => log(page).getByTestId("message-text");
export const composer = (page: Page) => page.getByRole("textbox", { name: "Message", exact: true });
export const presence = (page: Page) => page.getByRole("list", { name: "People in the room" }).getByRole("listitem");
export const typingLine = (page: Page) => page.getByRole("status", { name: "Typing" });
export const connection = (page: Page) => page.getByRole("banner").getByRole("status", { name: /^Connection:/ });

export async function send(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press("Enter");
  await expect(composer(page)).toHaveValue("");
}

/** The message appears exactly once, confirmed (not pending). */
export async function seesOnce(page: Page, text: string) {
  await expect(texts(page).filter({ hasText: text })).toHaveCount(1);
  await expect(log(page).getByText(/Sending…|Not sent/)).toHaveCount(0);
}

/** Creates a room from the room list and returns its id (from the URL it opens). */
export async function createRoom(page: Page, name: string): Promise<string> {
  await page.getByLabel("New room").fill(name);
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`#${name}`);
  await expect(composer(page)).toBeEnabled();
  const room = new URL(page.url()).searchParams.get("room");
  expect(room).toBeTruthy();
  return room!;
}

export async function closeAll(...people: Person[]) {
  await Promise.all(people.map((p) => p.context.close()));
}
