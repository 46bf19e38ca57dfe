-- xinyong store, PostgreSQL schema: migration 12. Enterprises report items a
-- government agency owes them (政务诚信, PRODUCT.md C13): workflow cases of
-- kind 'gov_claim' (docs/WORKFLOWS.md).

ALTER TABLE workflow_cases DROP CONSTRAINT workflow_cases_kind_check;
ALTER TABLE workflow_cases ADD CONSTRAINT workflow_cases_kind_check
    CHECK (kind IN ('objection', 'repair', 'commitment', 'gov_claim'));
