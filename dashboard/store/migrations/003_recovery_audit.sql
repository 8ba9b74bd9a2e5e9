-- The Recovery Audit (R7) and EbE training (R8): framework questions, rounds, ratings and
-- training sessions are entries of their own kinds, so they share the one write path, the
-- versions and the audit log. One text for DuckDB and PostgreSQL.
alter table entries add column round_id varchar;
alter table entries add column service_id varchar;
alter table entries add column audit_view varchar;
alter table entries add column question_id varchar;
alter table entries add column domain_id varchar;
alter table entries add column domain_title varchar;
alter table entries add column question varchar;
alter table entries add column good_practice varchar;
alter table entries add column kpi_ids varchar;
alter table entries add column topic varchar;
alter table entries add column framework_version integer;
alter table entries add column attendees integer;
alter table entries add column required boolean;
-- Each page reads one kind's latest versions.
create index if not exists entries_by_kind on entries (kind, entry_id, version)
