import { BROADCAST_TOPIC, notifyTopic } from "@repo/protocol";
import { expect, test } from "vitest";
import { TRANSPORTS, subscribeAt } from "../chat/support/wire";
import { describeOnNotifyEngines } from "./support/notify-harness";

await describeOnNotifyEngines("notify topics are private on $name", (suite) => {
  test.each(TRANSPORTS)("another user's topic is refused over %s (403; a refused subscribe on the socket); one's own and the broadcast topic are not", async (transport) => {
    const { bob, carol, service } = suite;
    const refusals = [
      `${notifyTopic(bob.user.id)}@`,
      `${notifyTopic(carol.user.id)}@,${notifyTopic(bob.user.id)}@`,
      `${notifyTopic("someone-else")}@`,
      `${notifyTopic(bob.user.id.toUpperCase())}@`,
    ];
    for (const cursor of refusals) {
      const outcome = await subscribeAt(transport, service.baseUrl, carol.token, cursor);
      if (outcome.ok) await outcome.sub.close();
      expect([cursor, outcome.ok ? "subscribed" : outcome.status]).toEqual([cursor, 403]);
    }
    const own = await subscribeAt(transport, service.baseUrl, carol.token, `${notifyTopic(carol.user.id)}@,${BROADCAST_TOPIC}@`);
    expect(own.ok).toBe(true);
    if (own.ok) await own.sub.close();
  });
});
