-- Emergencies reach the agents' queue marked urgent, and the queue shows them first.
ALTER TABLE "Ticket" ADD COLUMN "urgent" BOOLEAN NOT NULL DEFAULT false;
