-- The event log of every traceable record other than dossiers (a
-- province's settings first): streams (kind, id) of chained events, each
-- with its per-stream sequence and its place in the whole log. Append
-- only: the trigger refuses any change or removal of a stored event (the
-- hash chain detects what goes around it).
CREATE TABLE event_log (
    position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream_kind TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    seq BIGINT NOT NULL CHECK (seq >= 1),
    event_type TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    canonical TEXT NOT NULL,
    hash TEXT NOT NULL,
    CONSTRAINT event_log_stream_seq UNIQUE (stream_kind, stream_id, seq)
);
CREATE FUNCTION event_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'event_log is append-only';
END;
$$;
CREATE TRIGGER event_log_append_only BEFORE UPDATE OR DELETE ON event_log
    FOR EACH ROW EXECUTE FUNCTION event_log_append_only();
