-- A pin becomes coordinates on the ticket (issue 16): the console, the CSV export and Open311 read
-- them from the row instead of digging in the form's data.
ALTER TABLE "Ticket" ADD COLUMN "latitude" REAL;
ALTER TABLE "Ticket" ADD COLUMN "longitude" REAL;
