-- The queue's "mine" from the index alone (issue 19): on PostgreSQL the agent's open tickets were
-- found through (assignedAgentId, status) and then read from the table, 1,000 rows for one agent
-- at 350,000 tickets (95–280 ms); the new index holds what the queue orders and counts by, and
-- its first two columns are the old index's, which it replaces.
DROP INDEX "Ticket_assignedAgentId_status_idx";
CREATE INDEX "Ticket_mine_idx" ON "Ticket"("assignedAgentId", "status", "department", "urgent", "createdAt", "dueAt", "id", "language");
