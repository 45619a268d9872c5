-- CreateTable
CREATE TABLE "flag_definitions" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "definitions" TEXT NOT NULL,
    "etag" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT NOT NULL,

    CONSTRAINT "flag_definitions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "flag_changes" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "before" TEXT NOT NULL,
    "after" TEXT NOT NULL,
    "flags_changed" JSONB NOT NULL,

    CONSTRAINT "flag_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "flag_changes_at_idx" ON "flag_changes"("at");
