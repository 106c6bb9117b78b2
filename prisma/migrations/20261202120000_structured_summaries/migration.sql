-- KVKK: a ticket's summary outlives the erasure of the citizen's data, so it is built from
-- structured answers only (src/privacy/inventory.ts). Summaries written before kept the citizen's
-- own words after the first " · ": a handoff's last message, an appointment's subject. Only what
-- came before (the reason, the person asked for) stays.
UPDATE "Ticket" SET "summary" = substr("summary", 1, instr("summary", ' · ') - 1)
WHERE "type" IN ('handoff', 'appointment') AND instr("summary", ' · ') > 0;
