-- An admin may give an agent a temporary password from the console; until the agent chooses their
-- own, the console lets them do nothing else.
ALTER TABLE "Agent" ADD COLUMN "mustChangePassword" BOOLEAN NOT NULL DEFAULT false;
