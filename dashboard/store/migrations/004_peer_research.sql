-- Lived experience voices (dashboard.peer_research): consents, accounts, the codebook, codings,
-- quotes and second-coding assignments, as versioned records. `body` holds the record's
-- validated, de-identified fields as JSON; a withdrawal empties it in every version of every
-- record of that account (`account_ref`), so nothing said survives in the store.
create table if not exists peer_records (
    record_id varchar not null,
    version integer not null,
    kind varchar not null,
    account_ref varchar,
    body varchar,
    recorded_by varchar not null,
    recorded_at timestamp not null,
    withdrawn boolean not null,
    primary key (record_id, version)
);
create index if not exists peer_records_by_account on peer_records (account_ref);
