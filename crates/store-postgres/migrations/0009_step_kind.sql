-- The kind of each dossier's current workflow step (receive, assign,
-- appraise, approve…) in the projection, beside its role: a work queue
-- shows and filters by it without reading every dossier's state. NULL once
-- the dossier is final. Rows written before this migration are filled from
-- their stored state when the database is next opened.
ALTER TABLE dossiers ADD COLUMN step_kind TEXT;
