-- xinyong store, SQLite schema: 信易贷 (PRODUCT.md C12, migration 11).
--
-- The monthly recommendation lists sent to banks and the loan outcomes the
-- banks report. Both tables are append-only: a recommendation is inserted
-- once per (month, bank, enterprise) with the features the bank received,
-- a loan outcome once per report; nothing is changed or deleted. (The
-- enterprise's application is its `financing_need` record; its
-- authorisations are `bank_authorisations` of migration 2.)
CREATE TABLE xinyidai_recommendations (
    id        INTEGER PRIMARY KEY,
    month     TEXT NOT NULL,           -- YYYY-MM
    bank      TEXT NOT NULL,           -- the bank's code
    uscc      TEXT NOT NULL,
    name      TEXT NOT NULL,           -- the enterprise's name when listed
    listed_on TEXT NOT NULL,           -- YYYY-MM-DD, China Standard Time
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    features  TEXT NOT NULL,           -- JSON: what the bank may see
    UNIQUE (month, bank, uscc)
);
CREATE INDEX xinyidai_recommendations_bank ON xinyidai_recommendations (bank, month);

CREATE TABLE xinyidai_loans (
    id           INTEGER PRIMARY KEY,
    bank         TEXT NOT NULL,
    uscc         TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('granted', 'refused')),
    amount_cents INTEGER,              -- granted: the loan amount in fen
    rate_bp      INTEGER,              -- granted: annual rate in 0.01 %
    reason       TEXT,                 -- refused: why (optional note when granted)
    decided_on   TEXT NOT NULL,        -- YYYY-MM-DD
    reported_at  TEXT NOT NULL,
    reported_by  TEXT NOT NULL
);
CREATE INDEX xinyidai_loans_bank ON xinyidai_loans (bank, decided_on);
CREATE INDEX xinyidai_loans_uscc ON xinyidai_loans (uscc);
