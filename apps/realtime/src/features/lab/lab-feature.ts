import { LAB_LIMITS } from "@repo/protocol";
import { defineFeature } from "../feature";
import { createLabMetrics } from "./lab-metrics";
import { registerLabRoutes } from "./lab-routes";
import { createLabStreams, type LabLimits, type LabStreams } from "./lab-streams";

export interface LabConfig extends LabLimits {
  /** lab.start per user per window (each start is a stream: a loop of timers). */
  startLimit: { points: number; windowSeconds: number };
  /** lab.configure per user per window (a page debounces its sliders). */
  configureLimit: { points: number; windowSeconds: number };
}

/**
 * The transport lab: per-user synthetic streams on `lab:<streamId>` (owner
 * only) at a chosen rate, payload size and burstiness, read by /lab over all
 * four transports at once. Bounded per user, per instance, in bytes/s and in
 * lifetime; a stream ends when its page goes away (presence).
 */
export function labFeature(options: Partial<LabConfig> = {}) {
  return defineFeature<LabConfig>({
    name: "lab",
    config: {
      streamsPerUser: LAB_LIMITS.streamsPerUser,
      streamsTotal: LAB_LIMITS.streamsTotal,
      bytesPerSecondMax: LAB_LIMITS.bytesPerSecondMax,
      maxLifetimeMs: LAB_LIMITS.maxLifetimeMs,
      awayGraceMs: LAB_LIMITS.awayGraceMs,
      startGraceMs: LAB_LIMITS.startGraceMs,
      stoppedLingerMs: 30_000,
      startLimit: { points: 10, windowSeconds: 60 },
      configureLimit: { points: 30, windowSeconds: 10 },
      ...options,
    },
    create(context) {
      const { config } = context;
      // The gauges read the streams when scraped; both exist before the first scrape.
      let streams: LabStreams | null = null;
      const metrics = createLabMetrics(context.metrics, () => streams?.stats() ?? { streams: 0, timers: 0 });
      const lab = (streams = createLabStreams({ hub: context.hub, presence: context.presence, log: context.log, limits: config, metrics }));
      return {
        topics: { lab: (user, id) => lab.canRead(user, id) },
        commands: {
          "lab.start": { limit: config.startLimit, run: async ({ user }, command) => lab.start(user, command.payload) },
          // Setting the same values twice, or stopping twice, has one effect: no receipt needed.
          "lab.configure": { receipts: false, limit: config.configureLimit, run: async ({ user }, command) => lab.configure(user, command.payload) },
          "lab.stop": { receipts: false, run: async ({ user }, command) => lab.stop(user, command.payload.streamId) },
        },
        routes: (app) => registerLabRoutes(app, context.auth, lab),
        jobs: [
          {
            name: "lab presence and streams",
            start() {
              const stopPresence = lab.trackPresence();
              return () => {
                stopPresence();
                lab.close();
              };
            },
          },
        ],
      };
    },
  });
}
