import { expect, test } from "@playwright/test";

const WEB_ORIGIN = "http://localhost:3000";

// Being signed out is expected, not an error: a first visit must not ask the service for a
// session it does not have (a 401, which Chromium logs as a console error by itself).
test("a fresh signed-out visit to / goes to sign-in with no console error and no failed request", async ({ page }) => {
  const consoleErrors: string[] = [];
  const badRequests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  page.on("requestfailed", (request) => {
    // A fetch the page cancels itself (the health check of the page it redirects away from, aborted
    // on unmount) is not a failure; a refused, reset or timed-out request is.
    const reason = request.failure()?.errorText;
    if (reason !== "net::ERR_ABORTED") badRequests.push(`${request.method()} ${request.url()}: ${reason}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) badRequests.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });

  await page.goto("/");
  await expect(page).toHaveURL(`${WEB_ORIGIN}/sign-in`);
  await expect(page.getByLabel("Display name")).toBeVisible();
  await expect(page.getByRole("status", { name: "Realtime service: ok" })).toBeVisible();
  await page.waitForLoadState("networkidle");

  expect(consoleErrors).toEqual([]);
  expect(badRequests).toEqual([]);
});
