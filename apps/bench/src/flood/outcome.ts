/** What the attacker got: what the server let through and how it refused or cut the rest. */
export interface AttackOutcome {
  kind: string;
  /** The attacker's source address (one for the whole attack). */
  address: string;
  /** The attacker's own guest sign-ins, before the flood (subscribe and poll floods). */
  signIns: { attempted: number; created: number; byStatus: Record<string, number> };
  /** Session and poll floods: requests sent in the window, answers by status. */
  requests?: { sent: number; byStatus: Record<string, number>; errors: number; retryAfterS: number[]; achievedPerS: number };
  /** Subscribe flood: the attacker's sockets. */
  sockets?: {
    opened: number;
    /** Connections (or the preparatory subscribes) refused, by error. */
    refusedAtConnect: Record<string, number>;
    packetsSent: number;
    /** Flood subscribes acknowledged ok, or refused by error code, as read after the window (a socket cut early reads none). */
    acksOk: number;
    acksRefused: Record<string, number>;
    /** Backlog events and resets read after the window, for `drainMs`. */
    events: number;
    resets: number;
    bytesRead: number;
    /** `closing` notices read, by reason. */
    closing: Record<string, number>;
    closedByServer: number;
    closeCodes: Record<string, number>;
    stillOpen: number;
  };
  /** Sessions and users the server actually created during the window (database rows). */
  created?: { sessions: number; users: number };
}
