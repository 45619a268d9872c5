// Who is looking at /admin/flags: an operator (session or token), a signed-in guest (the service
// says 403: operators only), nobody (the secret form), or a service without administration.
import { ProtocolError } from "@repo/client";
import { probeSession } from "@/components/session";
import { serviceApi } from "@/lib/realtime";

export type Access =
  | { kind: "operator"; expiresAt: string | null }
  | { kind: "guest"; message: string }
  | { kind: "signed-out" }
  | { kind: "off"; message: string };

/**
 * Asks the service. `GET /v1/admin/session` answers 200 whoever asks (a 401 would show in the
 * console as an error); only a guest goes on to `GET /v1/admin/flags`, whose 403 is the answer.
 */
export async function detectAccess(): Promise<Access> {
  try {
    const me = await serviceApi.flagsAdmin.session();
    if (me.operator) return { kind: "operator", expiresAt: me.expiresAt };
  } catch (error) {
    if (error instanceof ProtocolError && error.code === "forbidden") return { kind: "off", message: error.message };
    throw error;
  }
  const guest = await probeSession().catch(() => null);
  if (!guest) return { kind: "signed-out" };
  try {
    await serviceApi.flagsAdmin.flags();
    return { kind: "operator", expiresAt: null };
  } catch (error) {
    if (error instanceof ProtocolError && error.code === "forbidden") return { kind: "guest", message: error.message };
    if (error instanceof ProtocolError && error.code === "unauthorized") return { kind: "signed-out" };
    throw error;
  }
}
