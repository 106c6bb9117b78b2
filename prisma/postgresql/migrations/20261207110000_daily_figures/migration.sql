-- The supervisor's figures a day and a month at a time (issue 19, tickets/daily-figures.ts).
CREATE TABLE "TicketDailyFigure" (
    "span" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "dimension" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "resolvedLate" INTEGER NOT NULL DEFAULT 0,
    "resolvedOnTime" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "TicketDailyFigure_pkey" PRIMARY KEY ("span", "period", "dimension", "key")
);

CREATE TABLE "TicketDailyDuration" (
    "span" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "measure" TEXT NOT NULL,
    "bucket" INTEGER NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "minutes" DOUBLE PRECISION NOT NULL DEFAULT 0,
    CONSTRAINT "TicketDailyDuration_pkey" PRIMARY KEY ("span", "period", "measure", "bucket")
);

CREATE TABLE "TicketFigureState" (
    "id" INTEGER NOT NULL,
    "complete" BOOLEAN NOT NULL DEFAULT false,
    "rebuiltCreatedAt" TIMESTAMP(3),
    "rebuiltId" TEXT,
    CONSTRAINT "TicketFigureState_pkey" PRIMARY KEY ("id")
);

-- A database without tickets has complete figures already; one with tickets is rebuilt in batches
-- after start-up (main.ts), and the figures are counted from the tickets until then.
INSERT INTO "TicketFigureState" ("id", "complete") SELECT 1, NOT EXISTS (SELECT 1 FROM "Ticket");
