-- The app store as first released: entry versions and the audit log. One text for DuckDB and
-- PostgreSQL. "if not exists": a store made before schema versions already holds these.
create table if not exists entries (
    entry_id varchar not null,
    version integer not null,
    kind varchar not null,
    recommendation_id varchar not null,
    scope varchar not null,
    reported_on date,
    status varchar,
    rag varchar,
    milestone varchar,
    next_step varchar,
    owner varchar,
    evidence varchar,
    reviewed_on date,
    panel varchar,
    rating integer,
    comment varchar,
    recorded_by varchar not null,
    recorded_at timestamp not null,
    withdrawn boolean not null,
    primary key (entry_id, version)
);
create sequence if not exists audit_ids;
create table if not exists audit_log (
    audit_id bigint primary key default nextval('audit_ids'),
    action varchar not null,
    entry_id varchar not null,
    version integer not null,
    who varchar not null,
    happened_at timestamp not null,
    details varchar
);
