-- CreateTable
CREATE TABLE "Agent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'agent',
    "department" TEXT,
    "failedLogins" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" DATETIME,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AgentSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agentId" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AgentSession_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable
ALTER TABLE "Contact" ADD COLUMN "anonymizedAt" DATETIME;

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN "agentId" TEXT REFERENCES "Agent" ("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Conversation" ADD COLUMN "handoffTicketId" TEXT;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN "authorName" TEXT;
ALTER TABLE "Message" ADD COLUMN "replyToId" TEXT;
ALTER TABLE "Message" ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Message" ADD COLUMN "nextAttemptAt" DATETIME;
ALTER TABLE "Message" ADD COLUMN "lastError" TEXT;

-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN "neighbourhood" TEXT;
ALTER TABLE "Ticket" ADD COLUMN "assignedAgentId" TEXT REFERENCES "Agent" ("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Ticket" ADD COLUMN "firstResponseAt" DATETIME;
ALTER TABLE "Ticket" ADD COLUMN "resolvedAt" DATETIME;
ALTER TABLE "Ticket" ADD COLUMN "rating" INTEGER;
ALTER TABLE "Ticket" ADD COLUMN "ratingComment" TEXT;

-- AlterTable
ALTER TABLE "TicketEvent" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'status';

-- CreateIndex
CREATE UNIQUE INDEX "Agent_username_key" ON "Agent"("username");

-- CreateIndex
CREATE INDEX "AgentSession_agentId_idx" ON "AgentSession"("agentId");

-- CreateIndex
CREATE INDEX "Message_status_nextAttemptAt_idx" ON "Message"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Message_replyToId_idx" ON "Message"("replyToId");
