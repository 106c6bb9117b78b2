-- A pin becomes coordinates on the ticket (issue 16): the console, the CSV export and Open311 read
-- them from the row instead of digging in the form's data.
ALTER TABLE "Ticket" ADD COLUMN "latitude" DOUBLE PRECISION;
ALTER TABLE "Ticket" ADD COLUMN "longitude" DOUBLE PRECISION;
-- Where a photo was taken, read from its original's EXIF GPS before the metadata is dropped.
ALTER TABLE "Media" ADD COLUMN "latitude" DOUBLE PRECISION;
ALTER TABLE "Media" ADD COLUMN "longitude" DOUBLE PRECISION;
