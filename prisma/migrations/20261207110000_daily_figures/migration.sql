-- The supervisor's figures a day at a time (issue 19, tickets/daily-figures.ts). WITHOUT ROWID: the
-- rows are stored in the order of their primary key, so a period's figures read one range of it.
CREATE TABLE "TicketDailyFigure" (
    "day" TEXT NOT NULL,
    "dimension" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "resolvedLate" INTEGER NOT NULL DEFAULT 0,
    "resolvedOnTime" INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY ("day", "dimension", "key")
) WITHOUT ROWID;

CREATE TABLE "TicketDailyDuration" (
    "day" TEXT NOT NULL,
    "measure" TEXT NOT NULL,
    "bucket" INTEGER NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "minutes" REAL NOT NULL DEFAULT 0,
    PRIMARY KEY ("day", "measure", "bucket")
) WITHOUT ROWID;

CREATE TABLE "TicketFigureState" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "complete" BOOLEAN NOT NULL DEFAULT false,
    "rebuiltCreatedAt" DATETIME,
    "rebuiltId" TEXT
);

-- A database without tickets has complete figures already; one with tickets is rebuilt in batches
-- after start-up (main.ts), and the figures are counted from the tickets until then.
INSERT INTO "TicketFigureState" ("id", "complete") SELECT 1, NOT EXISTS (SELECT 1 FROM "Ticket");
