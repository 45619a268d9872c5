import { expect, test, type Page } from "@playwright/test";
import { WEB_ORIGIN, uid } from "./support/chat-people";

// The /lab proxy pains through real nginx (the lab-proxies webServer): each panel's cause is
// visibly broken and its fix is not, in the same browser, with the page's own session cookie
// (set for localhost, so sent to the proxies' localhost ports too) and the web app's Origin.

async function openLab(page: Page) {
  await page.goto("/sign-in");
  await page.getByLabel("Display name").fill(`Pains ${uid()}`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${WEB_ORIGIN}/`);
  await page.goto("/lab");
}

const count = async (page: Page, testId: string) => Number(await page.getByTestId(testId).textContent());

test("/lab proxy buffering: frames flow through the fixed proxy while the buffering one holds them", async ({ page }) => {
  await openLab(page);
  await page.getByTestId("proxy-buffering-toggle").click();
  await expect.poll(() => count(page, "proxy-buffering-fix-events"), { timeout: 10_000 }).toBeGreaterThan(40);
  // Over two seconds at 20/s the buffering proxy let through (next to) nothing.
  expect(await count(page, "proxy-buffering-cause-events")).toBeLessThan(10);
  await page.getByTestId("proxy-buffering-toggle").click();
});

test("/lab idle timeouts: the 5 s proxy cuts the 25 s hold and 15 s heartbeat, not the 3 s ones; all four still deliver", async ({ page }) => {
  test.setTimeout(45_000);
  await openLab(page);
  await page.getByTestId("idle-timeouts-toggle").click();
  await expect.poll(() => count(page, "idle-lp-cause-reconnects"), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
  await expect.poll(() => count(page, "idle-sse-cause-reconnects"), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId("idle-lp-cause-error")).toBeVisible();
  expect(await count(page, "idle-lp-fix-reconnects")).toBe(0);
  expect(await count(page, "idle-sse-fix-reconnects")).toBe(0);
  await page.getByTestId("idle-timeouts-echo").click();
  for (const key of ["lp-cause", "lp-fix", "sse-cause", "sse-fix"]) {
    await expect.poll(() => count(page, `idle-${key}-events`), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
  }
});
