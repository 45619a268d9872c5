-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "game_id" TEXT;

-- CreateTable
CREATE TABLE "games" (
    "id" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "input_log" JSONB NOT NULL,
    "scores" JSONB NOT NULL,
    "winner_seat" INTEGER,
    "ticks" INTEGER NOT NULL,
    "state_hash" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "games_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "game_players" (
    "game_id" TEXT NOT NULL,
    "seat" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "user_id" TEXT,
    "score" INTEGER NOT NULL,
    "won" BOOLEAN NOT NULL,

    CONSTRAINT "game_players_pkey" PRIMARY KEY ("game_id","seat")
);

-- CreateIndex
CREATE INDEX "games_finished_at_idx" ON "games"("finished_at");

-- CreateIndex
CREATE INDEX "game_players_user_id_won_idx" ON "game_players"("user_id", "won");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_user_id_game_id_key" ON "notifications"("user_id", "game_id");

-- AddForeignKey
ALTER TABLE "game_players" ADD CONSTRAINT "game_players_game_id_fkey" FOREIGN KEY ("game_id") REFERENCES "games"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "game_players" ADD CONSTRAINT "game_players_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

