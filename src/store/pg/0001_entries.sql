-- Every tree in one table: a tree added to the program needs no migration. Keys and values are
-- bytes exactly as the program wrote them (bytea, not jsonb: the cache hashes these bytes).
CREATE TABLE newsdesk_entries (
    tree text NOT NULL,
    key bytea NOT NULL,
    value bytea NOT NULL,
    PRIMARY KEY (tree, key)
);
