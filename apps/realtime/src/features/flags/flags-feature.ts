import { FLAGS_EVENTS, FLAGS_TOPIC } from "@repo/protocol";
import { defineFeature } from "../feature";
import { ChangeStreams, type ChangeStreamLimits } from "./change-stream";
import { parseRateSpec } from "../../limits/rate-spec";
import type { RateWindow } from "../../limits/rate-limiter";
import { createOperatorSessions } from "./admin-operator-sessions";
import { registerFlagsAdminRoutes } from "./admin-routes";
import { registerOperatorSessionRoutes } from "./admin-session-routes";
import { changeSpreadMs } from "./change-spread";
import { announceSaved, followSavedDefinitions } from "./definitions-sync";
import { registerOfrepRoutes } from "./ofrep-routes";

export interface FlagsFeatureConfig {
  changeStreams: ChangeStreamLimits;
  /** The operator's bearer secret for /v1/admin/flags (OPERATOR_TOKEN); undefined turns administration off. */
  operatorToken: string | undefined;
  /** Secure operator cookies (the service's COOKIE_SECURE: https). */
  cookieSecure: boolean;
  /** How long an operator session lasts (seconds): short, since the cookie is a whole operator's power. */
  operatorSessionTtlSeconds: number;
  /** Operator sign-in attempts per client address (right or wrong); [] is no limit. */
  operatorSignInLimits: RateWindow[];
  /** How often an instance checks the saved definitions' etag (ms): a change saved elsewhere is in force here within this. */
  syncIntervalMs: number;
  /**
   * The same with a shared cluster bus (Redis): a saving instance announces the change there and
   * the others reload at once, so this poll is only the safety net for a missed announcement.
   */
  clusterSyncIntervalMs: number;
}

export const FLAGS_FEATURE_DEFAULTS: FlagsFeatureConfig = {
  changeStreams: { perIp: 8, total: 10_000, heartbeatMs: 15_000 },
  operatorToken: undefined,
  cookieSecure: false,
  operatorSessionTtlSeconds: 30 * 60,
  operatorSignInLimits: parseRateSpec("5/1m,30/1h"),
  syncIntervalMs: 1000,
  clusterSyncIntervalMs: 15_000,
};

/**
 * Feature flags for clients: OFREP over HTTP (bulk, single flag, change
 * stream) and `flags:changes`, the topic that tells every signed-in client on
 * its own transport that the definitions changed (a client whose SSE is
 * switched off or blocked still hears it). Operators edit the definitions at
 * /v1/admin/flags (saved with an audit entry; every instance follows the saved
 * row, at once when the change is announced on the Redis cluster bus), with the bearer secret or an operator session (/v1/admin/session), and
 * preview who a change would move among the users connected now. The flags themselves are the service's (context.flags), shared with
 * every feature that reads one.
 */
export function flagsFeature(config: Partial<FlagsFeatureConfig> = {}) {
  return defineFeature({
    name: "flags",
    config: { ...FLAGS_FEATURE_DEFAULTS, ...config },
    create(context) {
      const { hub, auth, db, flags, bus, config: settings, log } = context;
      const streams = new ChangeStreams(settings.changeStreams);
      const { operatorToken } = settings;
      const sessions = operatorToken === undefined ? undefined : createOperatorSessions({ operatorToken, ttlSeconds: settings.operatorSessionTtlSeconds, shared: context.shared });
      return {
        topics: { flags: (_user, id) => `flags:${id}` === FLAGS_TOPIC },
        routes: (app) => {
          registerOfrepRoutes(app, { auth, flags, streams });
          registerOperatorSessionRoutes(app, { operatorToken, sessions, auth, cookieSecure: settings.cookieSecure, signInLimits: settings.operatorSignInLimits });
          registerFlagsAdminRoutes(app, {
            flags,
            db,
            operatorToken,
            sessions,
            auth,
            connectedUsers: () => context.clusterUsers(),
            onSaved: (etag) => announceSaved(bus, etag),
          });
        },
        jobs: [
          {
            name: "flag changes",
            start() {
              const stop = flags.store.onChange((change) => {
                streams.broadcast(change);
                hub.publish(FLAGS_TOPIC, FLAGS_EVENTS.changed, { etag: change.etag, flagsChanged: change.flagsChanged, spreadMs: changeSpreadMs(context.connectedUsers().length) }).catch((err: unknown) => {
                  log.error({ err }, "could not publish a flags change");
                });
              });
              const intervalMs = bus.shared ? settings.clusterSyncIntervalMs : settings.syncIntervalMs;
              const stopFollowing = followSavedDefinitions({ db, flags, log, intervalMs, bus });
              return () => {
                stop();
                stopFollowing();
                streams.close();
              };
            },
          },
        ],
      };
    },
  });
}
