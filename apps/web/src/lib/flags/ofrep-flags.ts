// The browser's OpenFeature setup: the OFREP web provider against the realtime service, which
// implements OFREP (bulk evaluation with ETag/304, a single flag, the change stream).
import { OFREPWebProvider } from "@openfeature/ofrep-web-provider";
import { OpenFeature, type EvaluationContext } from "@openfeature/web-sdk";
import type { User } from "@repo/protocol";

/**
 * The OpenFeature domain the app's provider is bound to, so nothing else on the page that
 * uses the (process-global) OpenFeature API shares or replaces it.
 */
export const FLAGS_DOMAIN = "switchboard";

/** The evaluation context is always the signed-in user (the service also insists on it). */
export function userContext(user: User): EvaluationContext {
  return { targetingKey: user.id, name: user.name };
}

// The session is a cookie of the service's origin (another origin than the page's), so the
// evaluation requests must carry credentials; the provider's own fetch would not send it.
const fetchWithSession: typeof fetch = (input, init) => fetch(input, { ...init, credentials: "include" });

/**
 * `cacheMode: "disabled"`: no localStorage. The flags choose which transport a client connects
 * on, so a value cached from an earlier visit (or another user of this browser) would open the
 * wrong connection and then switch; starting on the network's answer costs one request. The
 * change stream needs no session (it carries only etags), so its credential-less EventSource works
 * across origins.
 */
export function createFlagsProvider(serviceUrl: string): OFREPWebProvider {
  return new OFREPWebProvider({
    baseUrl: serviceUrl.replace(/\/+$/, ""),
    cacheMode: "disabled",
    fetchImplementation: fetchWithSession,
    timeoutMs: 8000,
  });
}

/**
 * Makes the provider evaluate again now. A context change is the provider's public way in
 * (`onContextChange` refetches the bulk evaluation): the same user, so the request still
 * carries `If-None-Match` and costs a 304 when nothing changed for them, and the SDK then has
 * every hook read its flag again (`ContextChanged`).
 */
export function refetchFlags(): Promise<void> {
  return OpenFeature.setContext(FLAGS_DOMAIN, { ...OpenFeature.getContext(FLAGS_DOMAIN) });
}
