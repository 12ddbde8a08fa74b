-- The event log of every traceable record other than dossiers (a
-- province's settings first): streams (kind, id) of chained events, each
-- with its per-stream sequence and its place in the whole log. Append
-- only: the triggers refuse any change or removal of a stored event (the
-- hash chain detects what goes around them).
CREATE TABLE event_log (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_kind TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    event_type TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    canonical TEXT NOT NULL,
    hash TEXT NOT NULL,
    CONSTRAINT event_log_stream_seq UNIQUE (stream_kind, stream_id, seq)
);
CREATE TRIGGER event_log_no_update BEFORE UPDATE ON event_log
BEGIN
    SELECT RAISE(ABORT, 'event_log is append-only');
END;
CREATE TRIGGER event_log_no_delete BEFORE DELETE ON event_log
BEGIN
    SELECT RAISE(ABORT, 'event_log is append-only');
END;
