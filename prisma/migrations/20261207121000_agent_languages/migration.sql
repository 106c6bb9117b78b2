-- The languages an agent answers citizens in (issue 15): comma-separated, Turkish by default.
ALTER TABLE "Agent" ADD COLUMN "languages" TEXT NOT NULL DEFAULT 'tr';
