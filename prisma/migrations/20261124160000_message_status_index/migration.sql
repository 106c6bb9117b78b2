-- "Message_status_nextAttemptAt_idx" serves every query by status alone as well (it starts with
-- status), and each index is kept up to date on every message stored and every status change:
-- two per message on the hot path.
DROP INDEX "Message_status_idx";
