export { findGameResult, saveGameResult, type NewGameResult, type StoredGame } from "./results";
export { leaderboard, type LeaderboardRow } from "./leaderboard";
