import { expect, test, type Page } from "@playwright/test";

const REALTIME = "http://localhost:4000";
const WEB_ORIGIN = "http://localhost:3000";
const CORS = { "access-control-allow-origin": WEB_ORIGIN, "access-control-allow-credentials": "true" };

async function signIn(page: Page, name: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Display name").fill(name);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${WEB_ORIGIN}/`);
}

test("a person signs in, stays signed in across a reload, and signs out", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(`${WEB_ORIGIN}/sign-in`);
  await expect(page.getByRole("heading", { name: "Sign in to Switchboard" })).toBeVisible();

  const nameField = page.getByLabel("Display name");
  const submit = page.getByRole("button", { name: "Sign in" });

  // Empty: the shared schema's message is shown next to the field.
  await submit.click();
  await expect(nameField).toHaveAttribute("aria-invalid", "true");
  await expect(nameField).toHaveAccessibleDescription(/Display name must not be empty/);
  await expect(nameField).toBeFocused();

  // Whitespace only and too long: rejected, and the typed text stays.
  await nameField.fill("   ");
  await submit.click();
  await expect(nameField).toHaveAccessibleDescription(/Display name must not be empty/);
  await expect(nameField).toHaveValue("   ");

  const tooLong = "x".repeat(33);
  await nameField.fill(tooLong);
  await submit.click();
  await expect(nameField).toHaveAccessibleDescription(/at most 32 characters/);
  await expect(nameField).toHaveValue(tooLong);
  await expect(page).toHaveURL(`${WEB_ORIGIN}/sign-in`);

  // Valid: lands in the shell with the name in the header and the service healthy.
  await nameField.fill("Ada Lovelace");
  await expect(nameField).not.toHaveAttribute("aria-invalid");
  await submit.click();
  await expect(page).toHaveURL(`${WEB_ORIGIN}/`);

  const header = page.getByRole("banner");
  await expect(header.getByText("Switchboard", { exact: true })).toBeVisible();
  await expect(header.getByText("Ada Lovelace", { exact: true })).toBeVisible();
  await expect(header.getByRole("status", { name: "Realtime service: ok" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: "Welcome, Ada Lovelace" })).toBeVisible();

  // The session cookie survives a reload.
  await page.reload();
  await expect(page).toHaveURL(`${WEB_ORIGIN}/`);
  await expect(header.getByText("Ada Lovelace", { exact: true })).toBeVisible();

  // Sign out returns to sign-in, and the session is gone.
  await header.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(`${WEB_ORIGIN}/sign-in`);
  await expect(page.getByLabel("Display name")).toBeVisible();
  await page.goto("/");
  await expect(page).toHaveURL(`${WEB_ORIGIN}/sign-in`);
});

for (const name of ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">']) {
  test(`a name with markup is shown as literal text: ${name}`, async ({ page }) => {
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    await signIn(page, name);
    const header = page.getByRole("banner");
    await expect(header.getByText(name, { exact: true })).toBeVisible();
    await expect(page.getByRole("heading", { level: 1, name: `Welcome, ${name}` })).toBeVisible();

    await page.reload();
    await expect(header.getByText(name, { exact: true })).toBeVisible();
    await expect(page.locator("header script, header img, main script, main img")).toHaveCount(0);
    expect(dialogs).toEqual([]);

    await header.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(`${WEB_ORIGIN}/sign-in`);
  });
}

test("a typed error from the service is shown next to the field and the text is kept", async ({ page }) => {
  await page.route(`${REALTIME}/v1/session`, async (route) => {
    if (route.request().method() !== "POST") return route.fallback();
    await route.fulfill({
      status: 400,
      headers: CORS,
      contentType: "application/json",
      json: {
        error: {
          code: "validation",
          message: "Invalid session request",
          issues: [{ path: ["name"], message: "That name is reserved" }],
        },
      },
    });
  });

  await page.goto("/sign-in");
  const nameField = page.getByLabel("Display name");
  await nameField.fill("admin");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(nameField).toHaveAccessibleDescription(/That name is reserved/);
  await expect(nameField).toHaveAttribute("aria-invalid", "true");
  await expect(nameField).toHaveValue("admin");
  await expect(page).toHaveURL(`${WEB_ORIGIN}/sign-in`);
});

test("service health reads degraded when not ready and down when unreachable", async ({ page }) => {
  await page.route(`${REALTIME}/readyz`, (route) =>
    route.fulfill({ status: 503, headers: CORS, json: { status: "unavailable", database: "down" } }),
  );
  await page.goto("/sign-in");
  await expect(page.getByRole("status", { name: "Realtime service: degraded" })).toBeVisible();

  await page.unroute(`${REALTIME}/readyz`);
  await page.route(`${REALTIME}/healthz`, (route) => route.abort("connectionrefused"));
  await page.route(`${REALTIME}/readyz`, (route) => route.abort("connectionrefused"));
  await page.reload();
  await expect(page.getByRole("status", { name: "Realtime service: down" })).toBeVisible();
});
