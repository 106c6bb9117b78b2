-- Several instances on one PostgreSQL database (issue 14): instances' heartbeats, leases of
-- conversations and singleton jobs, and the claim of a department's delivery. SQLite runs one
-- process and never writes them; the tables exist so that one schema serves both.
CREATE TABLE "Instance" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "startedAt" BIGINT NOT NULL,
    "expiresAt" BIGINT NOT NULL
);
CREATE TABLE "Lease" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "token" BIGINT NOT NULL
);
CREATE INDEX "Lease_holder_idx" ON "Lease"("holder");
ALTER TABLE "IntegrationDelivery" ADD COLUMN "claimedBy" TEXT;
