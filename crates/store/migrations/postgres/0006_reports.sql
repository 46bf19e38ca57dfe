-- xinyong store, PostgreSQL schema: issued credit reports (migration 6).
--
-- Every credit report (信用体检报告, PRODUCT.md C6) the platform issued: its
-- number (unguessable), the subject, date and grade the verification page
-- confirms, the PDF byte for byte with its SHA-256, who issued it and when,
-- and the data it was typeset from. Append-only: a report is inserted once
-- and never changed or deleted.
CREATE TABLE reports (
    number    text PRIMARY KEY,        -- 'XY' + YYYYMMDD + 16 random base32 characters
    uscc      text NOT NULL,
    name      text NOT NULL,           -- the subject's name on the report
    issued_on date NOT NULL,           -- China Standard Time
    grade     text,                    -- the comprehensive grade on the report, if any
    sha256    text NOT NULL,           -- hex SHA-256 of pdf
    pdf       bytea NOT NULL,
    issued_by text NOT NULL,           -- the account's user name
    issued_at timestamptz NOT NULL,
    data      text NOT NULL            -- JSON of the report's data (ReportData)
);

CREATE INDEX reports_uscc ON reports (uscc, issued_at);
