-- Console sessions also end after a time without activity. Sessions opened before this release
-- have no activity time: they end here, and agents log in once more.
DELETE FROM "AgentSession";
ALTER TABLE "AgentSession" ADD COLUMN "lastActiveAt" DATETIME NOT NULL DEFAULT 0;
