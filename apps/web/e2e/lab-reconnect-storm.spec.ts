import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { WEB_ORIGIN, uid } from "./support/chat-people";

// The reconnect-storm panel on /lab shows the last bench run's curves (the figures file the
// bench writes with --docs), cause and fix side by side, each drawn by uPlot.
const figures = JSON.parse(readFileSync(new URL("../../../docs/transports/reconnect-storm.json", import.meta.url), "utf8")) as {
  rows: Array<{ transport: string; jitter: boolean; peakRequests: number; opened: number }>;
};

test("/lab: the reconnect storm shows the bench's curve without jitter beside the one with full jitter", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByLabel("Display name").fill(`Storm ${uid()}`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${WEB_ORIGIN}/`);
  await page.goto("/lab#reconnect-storm");

  const section = page.getByRole("region", { name: "Reconnect storm" });
  await expect(section.getByRole("heading", { name: "Cause: every client retries at the same instant" })).toBeVisible();
  await expect(section.getByRole("heading", { name: /^Fix: full-jitter backoff/ })).toBeVisible();
  for (const jitter of [false, true]) {
    const row = figures.rows.find((entry) => entry.transport === "websocket" && entry.jitter === jitter)!;
    const name = `Reconnect storm, ${jitter ? "full jitter" : "no jitter"}: requests per 100 ms`;
    await expect(section.getByRole("img", { name }).locator("canvas")).toHaveCount(1);
    await expect(section.getByTestId(jitter ? "storm-jitter" : "storm-no-jitter")).toContainText(`${row.peakRequests} requests in 100 ms`);
  }
  await expect(section.getByText("pnpm bench:lab --scenarios storm", { exact: true })).toBeVisible();
});
