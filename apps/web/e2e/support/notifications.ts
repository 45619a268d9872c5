// The header's bell and the toasts, as the notifications tests read them.
import { expect, type Page } from "@playwright/test";

export const bell = (page: Page) => page.getByRole("banner").getByRole("button", { name: /^Notifications/ });
export const badge = (page: Page) => bell(page).getByTestId("unread-badge");
export const toasts = (page: Page) => page.getByRole("region", { name: "New notifications" }).getByTestId("notification-toast");
export const dropDown = (page: Page) => page.getByRole("region", { name: "Latest notifications" });

/** The bell says `count` unread (its name, and the badge; no badge at 0). */
export async function expectUnread(page: Page, count: number) {
  if (count === 0) {
    await expect(bell(page)).toHaveAccessibleName("Notifications");
    await expect(badge(page)).toHaveCount(0);
  } else {
    await expect(bell(page)).toHaveAccessibleName(`Notifications, ${count} unread`);
    await expect(badge(page)).toHaveText(String(count));
  }
}

/** Counts the page's calls of Notification.requestPermission (installed before any script runs). */
export async function countPermissionRequests(page: Page) {
  await page.addInitScript(() => {
    const counted = window as unknown as { permissionRequests: number };
    counted.permissionRequests = 0;
    if (!("Notification" in window)) return;
    const original = window.Notification.requestPermission.bind(window.Notification);
    window.Notification.requestPermission = () => {
      counted.permissionRequests++;
      return original();
    };
  });
  return () => page.evaluate(() => (window as unknown as { permissionRequests: number }).permissionRequests);
}
