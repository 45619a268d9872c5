import { chatFeature } from "./chat/chat-feature";
import { echoFeature } from "./echo/echo-feature";
import type { Feature } from "./feature";
import { tickerFeature } from "./ticker/ticker-feature";

/** The features a server runs unless told otherwise: one line per feature. */
export function defaultFeatures(): Feature[] {
  return [echoFeature(), tickerFeature(), chatFeature()];
}

export { chatFeature, echoFeature, tickerFeature };
export { defineFeature, type Feature, type FeatureContext, type FeatureParts } from "./feature";
