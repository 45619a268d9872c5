// The operator's secret the e2e service runs with (playwright.config.ts passes it as
// OPERATOR_TOKEN), so a test can send a system broadcast as an operator would.
import { REALTIME } from "./realtime-api";

export const E2E_OPERATOR_TOKEN = "e2e-operator-token-0123456789abcdef0123";

/** POST /v1/notifications/broadcast as the operator; throws unless it is stored (201). */
export async function operatorBroadcast(title: string, body: string): Promise<void> {
  const response = await fetch(`${REALTIME}/v1/notifications/broadcast`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${E2E_OPERATOR_TOKEN}` },
    body: JSON.stringify({ title, body }),
  });
  if (response.status !== 201) throw new Error(`broadcast failed: ${response.status} ${await response.text()}`);
}
