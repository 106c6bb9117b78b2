-- The language a citizen writes in, remembered across messages (issue 15).
ALTER TABLE "Contact" ADD COLUMN "language" TEXT;
