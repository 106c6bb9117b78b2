-- Several instances: which instance downloads a pending media (a dead one's are claimed by another).
ALTER TABLE "Media" ADD COLUMN "claimedBy" TEXT;
