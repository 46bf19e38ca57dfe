-- xinyong store: the government dishonesty ledger read without a scan of
-- every record version (migration 14).
--
-- The briefing's government table reads the current `gov_ledger` records
-- (PRODUCT.md C13); without an index on the kind that read scanned every
-- record version (seconds on a city of ten million records). The index is
-- partial: it holds the ledger's versions only, so an import of any other
-- kind does not pay for it.
CREATE INDEX record_versions_gov_ledger ON record_versions (subject, source, id)
    WHERE kind = 'gov_ledger';
