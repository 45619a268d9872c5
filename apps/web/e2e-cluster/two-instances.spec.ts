import { expect, test, type Browser } from "@playwright/test";
import { LABELS, closeAll, composer, connection, seesOnce, send, texts, uid, type Person } from "../e2e/support/chat-people";
import { createGame, endHash, expectBoardMoving, gameOver, steerByKeyboard } from "../e2e/support/game-players";
import { expectUnread, toasts } from "../e2e/support/notifications";
import { CLUSTER_ORIGIN, INSTANCES, startCluster, type Cluster } from "./support/cluster";
import { logInstances, streamOffInstance, tryStreamOffInstance, type InstanceLog } from "./support/instances";

// `pnpm cluster` as users run it: two compiled instances on PostgreSQL and Redis, the built web
// app and Debian's nginx with deploy/nginx, all on one origin. Two people, each in a browser of
// their own, whose streams nginx put on different instances (its X-Served-By says which): chat
// and notifications cross from one instance to the other through Redis.
//
// On SSE, where a stream's response names its instance. A tab holds one stream per feature
// client, each balanced on its own, so "Ada's instance" is her chat stream's.

let cluster: Cluster;
test.beforeAll(async () => {
  test.setTimeout(300_000);
  cluster = await startCluster();
});
test.afterAll(async () => {
  await cluster?.stop();
});
test.beforeEach(() => {
  test.skip(cluster?.missing !== undefined, `pnpm cluster cannot run here: ${cluster?.missing}`);
});

interface Tab extends Person {
  instances: InstanceLog;
}

/** Signs `name` in on the cluster's origin (own browser context: own cookie, own realtime clients). */
async function signIn(browser: Browser, name: string): Promise<Tab> {
  const context = await browser.newContext({ baseURL: CLUSTER_ORIGIN });
  const page = await context.newPage();
  const instances = logInstances(page);
  await page.goto("/sign-in");
  await page.getByLabel("Display name").fill(name);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${CLUSTER_ORIGIN}/`);
  return { page, context, name, instances };
}

const transport = "sse";

test("two browsers on different instances behind nginx: chat and notifications cross between them", async ({ browser }) => {
  test.setTimeout(120_000);
  const run = uid();
  const ada = await signIn(browser, `Ada ${run}`);
  const bob = await signIn(browser, `Bob ${run}`);

  const adaOn = await ada.instances.nextStream("chat", () => ada.page.goto(`/chat?transport=${transport}`));
  expect(INSTANCES).toContain(adaOn);
  await expect(ada.page.getByRole("radio", { name: LABELS[transport] })).toBeChecked();
  await expect(composer(ada.page)).toBeEnabled();

  // Chat: Bob's lobby stream on the other instance; messages both ways, once each.
  const bobOn = await streamOffInstance(bob.page, bob.instances, "chat", adaOn, `/chat?transport=${transport}`);
  expect(INSTANCES).toContain(bobOn);
  await expect(composer(bob.page)).toBeEnabled();
  await expect(connection(bob.page)).toHaveAccessibleName("Connection: open");
  const hello = `Hello across instances (${run})`;
  await send(ada.page, hello);
  await seesOnce(bob.page, hello);
  const reply = `Reply from the other instance (${run})`;
  await send(bob.page, reply);
  await seesOnce(ada.page, reply);
  for (const p of [ada, bob]) await expect(texts(p.page).filter({ hasText: `(${run})` })).toHaveText([hello, reply]);
  // Neither stream moved during the exchange.
  expect([ada.instances.stream("chat"), bob.instances.stream("chat")]).toEqual([adaOn, bobOn]);

  // Notifications: Bob on the home page, his notify:<Bob> stream on some instance; Ada mentions
  // him until one mention's command ran on the other instance. nginx balances each POST on its
  // own by least connections, so a retry first tries to move Bob's stream off the instance that ran
  // the last mention: a plain reload tends to put it on the less busy instance, where her POSTs go
  // too. Connection counts can pin the stream there for a while (CI saw 8 reloads in a row), so
  // after 3 reloads the next mention is the other lever: it may run on the other instance instead.
  let bobNotifyOn = await bob.instances.nextStream("notifications", () => bob.page.goto(`/?transport=${transport}`));
  await expect(connection(bob.page)).toHaveAccessibleName("Connection: open");
  await expectUnread(bob.page, 0);
  const lastSendOn = () => ada.instances.commands.findLast((command) => command.type === "chat.send")?.instance;
  let mentions = 0;
  for (;;) {
    mentions++;
    await send(ada.page, `@${bob.name} mention ${mentions}`);
    await expectUnread(bob.page, mentions);
    if (lastSendOn() !== bobNotifyOn) break;
    expect(mentions, "a mention run on the instance without Bob's stream within 12").toBeLessThan(12);
    bobNotifyOn = await tryStreamOffInstance(bob.page, bob.instances, "notifications", lastSendOn()!, `/?transport=${transport}`, 3);
    await expect(connection(bob.page)).toHaveAccessibleName("Connection: open");
  }
  expect(INSTANCES).toContain(lastSendOn());
  expect(INSTANCES).toContain(bobNotifyOn);
  await expect(toasts(bob.page).first()).toContainText(`${ada.name} mentioned you`);
  expect(bob.instances.stream("notifications")).toBe(bobNotifyOn);
  await closeAll(ada, bob);
});

// The game across instances: one owner instance runs the game's tick loop (a lease in Redis);
// the other forwards the commands it receives there and serves its own readers from the shared
// topic. Two players whose game streams sit on different instances play one round to the same end.
test("two browsers on different instances play one game to the same final state", async ({ browser }) => {
  test.setTimeout(120_000);
  const run = uid();
  const ada = await signIn(browser, `Ada ${run}`);
  const bob = await signIn(browser, `Bob ${run}`);

  await ada.instances.nextStream("game", () => ada.page.goto(`/game?transport=${transport}`));
  const gameId = await createGame(ada.page, { seats: 2, tickHz: 15, rounds: 1 });
  // Her stream now follows the game's topic too; where it landed is "Ada's instance".
  await expect.poll(() => ada.instances.stream("game")).toBeDefined();
  const adaOn = ada.instances.stream("game")!;
  expect(INSTANCES).toContain(adaOn);

  // Bob follows the invite link on the other instance: it seats him.
  const bobOn = await streamOffInstance(bob.page, bob.instances, "game", adaOn, `/game?join=${gameId}&transport=${transport}`);
  expect(INSTANCES).toContain(bobOn);
  await expect(bob.page).toHaveURL(new RegExp(`[?&]game=${gameId}(&|$)`));
  const seats = ada.page.getByRole("list", { name: "Seats" }).getByTestId("seat");
  await expect(seats.nth(1)).toContainText(bob.name);
  await bob.page.getByRole("button", { name: "Ready", exact: true }).click();
  await expect(seats.nth(1)).not.toContainText("not ready");
  await ada.page.getByRole("button", { name: "Start" }).click();

  for (const p of [ada, bob]) await expectBoardMoving(p.page);
  await Promise.all([steerByKeyboard(ada.page), steerByKeyboard(bob.page)]);
  for (const p of [ada, bob]) await expect(gameOver(p.page)).toBeVisible({ timeout: 60_000 });
  const [adaHash, bobHash] = await Promise.all([endHash(ada.page), endHash(bob.page)]);
  expect(bobHash).toBe(adaHash);
  // They were seated from different instances. (A page's stream reopens when its topics change,
  // e.g. the lobby left at the start, and nginx may then place it on either instance.)
  expect(adaOn).not.toBe(bobOn);
  await closeAll(ada, bob);
});
