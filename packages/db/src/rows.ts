// Prisma's model types, exported as rows: the protocol owns the wire names (User,
// ChatMessage, ChatRoom…), and a row is not what crosses the wire.
export type {
  Broadcast as BroadcastRow,
  Game as GameRow,
  GamePlayer as GamePlayerRow,
  Notification as NotificationRow,
  ChatMembership as ChatMembershipRow,
  ChatMessage as ChatMessageRow,
  ChatRoom as ChatRoomRow,
  CommandReceipt as CommandReceiptRow,
  Session as SessionRow,
  User as UserRow,
} from "./generated/prisma/client";
