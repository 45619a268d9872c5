import type { ServerConfig } from "../config";
import { chatFeature } from "./chat/chat-feature";
import { echoFeature } from "./echo/echo-feature";
import type { Feature } from "./feature";
import { flagsFeature } from "./flags/flags-feature";
import { gameFeature } from "./game/game-feature";
import { labFeature } from "./lab/lab-feature";
import { notificationsFeature } from "./notifications/notifications-feature";
import { tickerFeature } from "./ticker/ticker-feature";
import { transportReportsFeature } from "./transport-reports/transport-reports-feature";

/** The features a server runs unless told otherwise: one line per feature. */
export function defaultFeatures(config: Partial<Pick<ServerConfig, "operatorToken" | "cookieSecure">> = {}): Feature[] {
  return [
    echoFeature(),
    tickerFeature(),
    chatFeature(),
    notificationsFeature({ operatorToken: config.operatorToken }),
    gameFeature(),
    flagsFeature({ operatorToken: config.operatorToken, cookieSecure: config.cookieSecure ?? false }),
    transportReportsFeature(),
    labFeature(),
  ];
}

export { chatFeature, echoFeature, flagsFeature, gameFeature, labFeature, notificationsFeature, tickerFeature, transportReportsFeature };
export { defineFeature, type Feature, type FeatureContext, type FeatureParts } from "./feature";
