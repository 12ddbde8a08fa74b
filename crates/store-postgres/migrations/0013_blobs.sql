-- Attachments held in the database, so that every server of the database
-- serves every document (issue 10, item 12). A blob is addressed by the
-- lowercase hex SHA-256 of its bytes and stored in pieces of 1 MiB
-- (`blob_chunks.n` = 0, 1, …), written in the transaction of the event that
-- references it. Rows are never updated. Content-addressed rows are shared
-- by every province, so the natural distribution key here is the hash.
CREATE TABLE blobs (
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    chunks INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT blobs_pk PRIMARY KEY (sha256),
    CONSTRAINT blobs_sha256_hex CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT blobs_size_nonnegative CHECK (size >= 0 AND chunks >= 0)
);

CREATE TABLE blob_chunks (
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    n INTEGER NOT NULL,
    bytes BYTEA NOT NULL,
    CONSTRAINT blob_chunks_pk PRIMARY KEY (sha256, n)
);

-- Scans, PDFs and images are compressed already: store the pieces out of
-- line without trying to compress them again.
ALTER TABLE blob_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
