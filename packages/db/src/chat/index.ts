export { createRoom, ensureRoom, findRoom, findRoomSummary, listRooms, type ChatRoomSummary } from "./rooms";
export { isMember, joinRoom, leaveRoom } from "./memberships";
export {
  createMessage,
  deleteMessage,
  editMessage,
  findMessage,
  listMessages,
  type ChatMessageWithAuthor,
  type NewChatMessage,
} from "./messages";
