-- Several instances on one PostgreSQL database (issue 14): instances' heartbeats, leases of
-- conversations and singleton jobs, and the claim of a department's delivery.
CREATE TABLE "Instance" (
    "id" TEXT NOT NULL,
    "startedAt" BIGINT NOT NULL,
    "expiresAt" BIGINT NOT NULL,

    CONSTRAINT "Instance_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "Lease" (
    "key" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "token" BIGINT NOT NULL,

    CONSTRAINT "Lease_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "Lease_holder_idx" ON "Lease"("holder");
ALTER TABLE "IntegrationDelivery" ADD COLUMN "claimedBy" TEXT;
