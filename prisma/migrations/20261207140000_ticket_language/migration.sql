-- The citizen's language on each ticket (issue 15): the queue orders a department's open cases by
-- the agent's languages from the queue index alone, so the language joins that index.
ALTER TABLE "Ticket" ADD COLUMN "language" TEXT NOT NULL DEFAULT 'tr';
UPDATE "Ticket" SET "language" = COALESCE((SELECT c."language" FROM "Contact" c WHERE c."id" = "Ticket"."contactId"), 'tr');
DROP INDEX "Ticket_status_department_urgent_createdAt_dueAt_id_idx";
CREATE INDEX "Ticket_status_department_urgent_createdAt_dueAt_id_language_idx" ON "Ticket"("status", "department", "urgent", "createdAt", "dueAt", "id", "language");
