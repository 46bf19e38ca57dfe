-- xinyong store, SQLite schema: the credit office's briefings (migration 13).
--
-- Every 工作简报 (PRODUCT.md C14) generated: its number (年 + 期, a re-issue
-- is a new number), period, issue day, who generated it and when, the
-- sections written by hand, the data it was typeset from, and each file
-- (PDF, XLSX, DOCX) byte for byte with its SHA-256. Append-only: nothing is
-- updated or deleted.
CREATE TABLE briefings (
    id           INTEGER PRIMARY KEY,
    year         INTEGER NOT NULL,
    issue        INTEGER NOT NULL,         -- 第 issue 期 of the year
    number       TEXT NOT NULL UNIQUE,     -- 2026年第11期
    period       TEXT NOT NULL,            -- YYYY-MM or YYYY-Qn
    issued_on    TEXT NOT NULL,            -- YYYY-MM-DD, China Standard Time
    generated_by TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    manual       TEXT NOT NULL,            -- JSON of the hand-written sections
    data         TEXT NOT NULL,            -- JSON of the briefing as typeset
    UNIQUE (year, issue)
);

CREATE TABLE briefing_files (
    briefing INTEGER NOT NULL REFERENCES briefings (id),
    format   TEXT NOT NULL,                -- pdf | xlsx | docx
    sha256   TEXT NOT NULL,                -- hex SHA-256 of body
    body     BLOB NOT NULL,
    PRIMARY KEY (briefing, format)
);
