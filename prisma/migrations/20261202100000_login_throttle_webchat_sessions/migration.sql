-- Login throttling moves from the Agent row (a count read before, written after the password
-- check) to rate-limiter-flexible's counters, incremented before the check.
CREATE TABLE "RateLimit" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "points" INTEGER NOT NULL,
    "expire" DATETIME
);
CREATE INDEX "RateLimit_expire_idx" ON "RateLimit"("expire");
ALTER TABLE "Agent" DROP COLUMN "failedLogins";
ALTER TABLE "Agent" DROP COLUMN "lockedUntil";

-- Web chat sessions are issued by the server. Browsers that already talk with the assistant keep
-- their conversation: their token's hash is their contact's platformUserId.
CREATE TABLE "WebchatSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "WebchatSession" ("id", "createdAt") SELECT "platformUserId", "createdAt" FROM "Contact" WHERE "channel" = 'webchat';
