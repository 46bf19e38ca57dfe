-- xinyong store, PostgreSQL schema: the credit office's briefings (migration 13).
--
-- Every 工作简报 (PRODUCT.md C14) generated: its number (年 + 期, a re-issue
-- is a new number), period, issue day, who generated it and when, the
-- sections written by hand, the data it was typeset from, and each file
-- (PDF, XLSX, DOCX) byte for byte with its SHA-256. Append-only: nothing is
-- updated or deleted.
CREATE TABLE briefings (
    id           BIGSERIAL PRIMARY KEY,
    year         BIGINT NOT NULL,
    issue        BIGINT NOT NULL,          -- 第 issue 期 of the year
    number       text NOT NULL UNIQUE,     -- 2026年第11期
    period       text NOT NULL,            -- YYYY-MM or YYYY-Qn
    issued_on    date NOT NULL,            -- China Standard Time
    generated_by text NOT NULL,
    generated_at timestamptz NOT NULL,
    manual       text NOT NULL,            -- JSON of the hand-written sections
    data         text NOT NULL,            -- JSON of the briefing as typeset
    UNIQUE (year, issue)
);

CREATE TABLE briefing_files (
    briefing BIGINT NOT NULL REFERENCES briefings (id),
    format   text NOT NULL,                -- pdf | xlsx | docx
    sha256   text NOT NULL,                -- hex SHA-256 of body
    body     bytea NOT NULL,
    PRIMARY KEY (briefing, format)
);
