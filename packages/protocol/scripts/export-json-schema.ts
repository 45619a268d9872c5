// Writes docs/protocol.schema.json from the zod schemas, so the protocol can be
// read (and validated against) without TypeScript.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import * as protocol from "../src/index";

const here = dirname(fileURLToPath(import.meta.url));
const target = resolve(here, "../../../docs/protocol.schema.json");

const exported = {
  Command: protocol.Command,
  CommandResult: protocol.CommandResult,
  EventEnvelope: protocol.EventEnvelope,
  ResetSignal: protocol.ResetSignal,
  PollResponse: protocol.PollResponse,
  StreamReady: protocol.StreamReady,
  ClosingNotice: protocol.ClosingNotice,
  RevokedNotice: protocol.RevokedNotice,
  Signal: protocol.Signal,
  ErrorResponse: protocol.ErrorResponse,
  CreateSessionRequest: protocol.CreateSessionRequest,
  SessionResponse: protocol.SessionResponse,
  CurrentSessionResponse: protocol.CurrentSessionResponse,
  TicketResponse: protocol.TicketResponse,
  HealthResponse: protocol.HealthResponse,
  ReadyResponse: protocol.ReadyResponse,
  TransportName: protocol.TransportName,
  ChatRoom: protocol.ChatRoom,
  ChatMessage: protocol.ChatMessage,
  ChatEvent: protocol.ChatEvent,
  TypingSignal: protocol.TypingSignal,
  ChatRoomsResponse: protocol.ChatRoomsResponse,
  ChatHistoryQuery: protocol.ChatHistoryQuery,
  ChatHistoryResponse: protocol.ChatHistoryResponse,
  ChatPresenceResponse: protocol.ChatPresenceResponse,
  Notification: protocol.Notification,
  NotifyEvent: protocol.NotifyEvent,
  NotificationPreferences: protocol.NotificationPreferences,
  NotificationsQuery: protocol.NotificationsQuery,
  NotificationsResponse: protocol.NotificationsResponse,
  NotificationPreferencesResponse: protocol.NotificationPreferencesResponse,
  BroadcastRequest: protocol.BroadcastRequest,
  BroadcastResponse: protocol.BroadcastResponse,
  FlagsEvent: protocol.FlagsEvent,
  LabSettings: protocol.LabSettings,
  LabEvent: protocol.LabEvent,
  LabStreamsResponse: protocol.LabStreamsResponse,
  OfrepRequest: protocol.OfrepRequest,
  OfrepBulkResponse: protocol.OfrepBulkResponse,
  OfrepEvaluation: protocol.OfrepEvaluation,
  OfrepRequestError: protocol.OfrepRequestError,
  OfrepStreamMessage: protocol.OfrepStreamMessage,
  GameSummary: protocol.GameSummary,
  GameEvent: protocol.GameEvent,
  GameSnapshot: protocol.GameSnapshot,
  GameResult: protocol.GameResult,
  GameLobbyResponse: protocol.GameLobbyResponse,
  GameResponse: protocol.GameResponse,
  LeaderboardQuery: protocol.LeaderboardQuery,
  LeaderboardResponse: protocol.LeaderboardResponse,
  GameReplayResponse: protocol.GameReplayResponse,
};

const registry = z.registry<{ id: string }>();
for (const [id, schema] of Object.entries(exported)) registry.add(schema as z.ZodType, { id });

const schema = z.toJSONSchema(registry, { io: "input", unrepresentable: "any" });
const document = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "Switchboard protocol",
  version: protocol.PROTOCOL_VERSION,
  ...schema,
};
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
console.log(`protocol v${protocol.PROTOCOL_VERSION}: wrote ${Object.keys(exported).length} schemas to docs/protocol.schema.json`);
