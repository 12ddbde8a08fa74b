-- Whether the dossier's appointment was moved by an apology (Mẫu 04): a new
-- date may be set only once, so a rescheduled dossier owes no further
-- apology. The work queue and the leader's list of apologies due read it
-- beside `due` without reading every dossier's state. Existing rows are
-- filled from their stored state.
ALTER TABLE dossiers ADD COLUMN rescheduled INTEGER NOT NULL DEFAULT 0
    CHECK (rescheduled IN (0, 1));
UPDATE dossiers SET rescheduled = 1
    WHERE json_extract(state, '$.dossier.new_appointment') IS NOT NULL;
CREATE INDEX dossiers_apology_idx ON dossiers (competent_unit, rescheduled, due);
