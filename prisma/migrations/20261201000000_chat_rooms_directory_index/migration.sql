-- CreateIndex
CREATE INDEX "chat_rooms_created_at_id_idx" ON "chat_rooms"("created_at", "id");
