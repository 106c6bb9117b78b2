-- Issue 16: photos, voice notes and files citizens send, downloaded from their channel and kept
-- (src/media/). One row per attachment, recorded before the download; the bytes once per content.
CREATE TABLE "Media" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "conversationId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "reason" TEXT,
    "contentHash" TEXT,
    "mimeType" TEXT,
    "size" INTEGER,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "storedAt" DATETIME,
    CONSTRAINT "Media_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "Media_messageId_position_key" ON "Media"("messageId", "position");
CREATE INDEX "Media_conversationId_createdAt_idx" ON "Media"("conversationId", "createdAt");
CREATE INDEX "Media_status_nextAttemptAt_idx" ON "Media"("status", "nextAttemptAt");
CREATE INDEX "Media_contentHash_idx" ON "Media"("contentHash");

CREATE TABLE "MediaContent" (
    "hash" TEXT NOT NULL PRIMARY KEY,
    "mimeType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "bytes" BLOB,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
