import { FLAGS_EVENTS, FLAGS_TOPIC } from "@repo/protocol";
import { defineFeature } from "../feature";
import { ChangeStreams, type ChangeStreamLimits } from "./change-stream";
import { registerOfrepRoutes } from "./ofrep-routes";

export interface FlagsFeatureConfig {
  changeStreams: ChangeStreamLimits;
}

export const FLAGS_FEATURE_DEFAULTS: FlagsFeatureConfig = {
  changeStreams: { perIp: 8, total: 10_000, heartbeatMs: 15_000 },
};

/**
 * Feature flags for clients: OFREP over HTTP (bulk, single flag, change
 * stream) and `flags:changes`, the topic that tells every signed-in client on
 * its own transport that the definitions changed (a client whose SSE is
 * switched off or blocked still hears it). The flags themselves are the
 * service's (context.flags), shared with every feature that reads one.
 */
export function flagsFeature(config: Partial<FlagsFeatureConfig> = {}) {
  return defineFeature({
    name: "flags",
    config: { ...FLAGS_FEATURE_DEFAULTS, ...config },
    create({ hub, auth, flags, config: settings, log }) {
      const streams = new ChangeStreams(settings.changeStreams);
      return {
        topics: { flags: (_user, id) => `flags:${id}` === FLAGS_TOPIC },
        routes: (app) => registerOfrepRoutes(app, { auth, flags, streams }),
        jobs: [
          {
            name: "flag changes",
            start() {
              const stop = flags.store.onChange((change) => {
                streams.broadcast(change);
                hub.publish(FLAGS_TOPIC, FLAGS_EVENTS.changed, { etag: change.etag, flagsChanged: change.flagsChanged }).catch((err: unknown) => {
                  log.error({ err }, "could not publish a flags change");
                });
              });
              return () => {
                stop();
                streams.close();
              };
            },
          },
        ],
      };
    },
  });
}
