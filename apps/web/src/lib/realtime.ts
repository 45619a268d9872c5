// The realtime service's HTTP API outside a realtime client (sign-in, the session, health),
// bound to the service URL from env. Calls resolve with parsed values and reject with the
// SDK's ProtocolError or ConnectionError; `failureText` gives the words to show.
import { createServiceApi } from "@repo/client";
import { env } from "@/env";

export const serviceApi = createServiceApi({ baseUrl: env.NEXT_PUBLIC_REALTIME_URL, timeoutMs: 8000 });
