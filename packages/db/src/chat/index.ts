export { createRoom, ensureRoom, findRoom, findRoomSummary, listRooms, type ChatRoomSummary, type RoomKey } from "./rooms";
export { isMember, joinRoom, leaveRoom, membershipOf } from "./memberships";
export {
  createMessage,
  deleteMessage,
  editMessage,
  findMessage,
  listMessages,
  type ChatMessageWithAuthor,
  type NewChatMessage,
} from "./messages";
