-- The supervisor's figures a day and a month at a time (issue 19, tickets/daily-figures.ts). WITHOUT
-- ROWID: the rows are stored in the order of their primary key, so a period's months and the days
-- of its first month are two ranges of it.
CREATE TABLE "TicketDailyFigure" (
    "span" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "dimension" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "resolvedLate" INTEGER NOT NULL DEFAULT 0,
    "resolvedOnTime" INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY ("span", "period", "dimension", "key")
) WITHOUT ROWID;

CREATE TABLE "TicketDailyDuration" (
    "span" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "measure" TEXT NOT NULL,
    "bucket" INTEGER NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "minutes" REAL NOT NULL DEFAULT 0,
    PRIMARY KEY ("span", "period", "measure", "bucket")
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
