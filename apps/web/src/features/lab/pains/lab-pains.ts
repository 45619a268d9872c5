// The classic pains on /lab: each is one component in this folder with its cause and its fix
// side by side, registered by one line here. The page renders them in this order.
import type { ComponentType } from "react";
import { IdleTimeouts } from "./idle-timeouts";
import { ProxyBuffering } from "./proxy-buffering";
import { ReconnectStorm } from "./reconnect-storm";
import { SixConnections } from "./six-connections";

export type LabPain = {
  /** Stable id: the section's anchor (`/lab#<id>`) and its test hook. */
  id: string;
  title: string;
  Component: ComponentType;
};

export const LAB_PAINS: readonly LabPain[] = [
  { id: "proxy-buffering", title: "Proxy buffering", Component: ProxyBuffering },
  { id: "idle-timeouts", title: "Idle timeouts", Component: IdleTimeouts },
  { id: "six-connections", title: "Six connections per host", Component: SixConnections },
  { id: "reconnect-storm", title: "Reconnect storm", Component: ReconnectStorm },
];
