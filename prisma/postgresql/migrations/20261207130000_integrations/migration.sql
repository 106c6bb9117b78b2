-- Issue 17: the municipality's other systems (src/integrations/).
-- A back-office key belongs to one department, whose tickets it may change.
ALTER TABLE "ApiKey" ADD COLUMN "department" TEXT;

-- Webhook calls and e-mails to departments, delivered by the outbox's rules and kept across restarts.
CREATE TABLE "IntegrationDelivery" (
    "id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "department" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "ticketNumber" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "lastError" TEXT,
    "eventAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),
    CONSTRAINT "IntegrationDelivery_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "IntegrationDelivery_channel_department_eventId_key" ON "IntegrationDelivery"("channel", "department", "eventId");
CREATE INDEX "IntegrationDelivery_status_createdAt_idx" ON "IntegrationDelivery"("status", "createdAt");
CREATE INDEX "IntegrationDelivery_eventAt_idx" ON "IntegrationDelivery"("eventAt");

-- Open311's public list (GET /open311/v2/requests): public types, newest first, without a scan.
CREATE INDEX "Ticket_type_createdAt_idx" ON "Ticket"("type", "createdAt");

-- The integrations' feed reads the ticket events of the last minute every few seconds.
CREATE INDEX "TicketEvent_createdAt_idx" ON "TicketEvent"("createdAt");
