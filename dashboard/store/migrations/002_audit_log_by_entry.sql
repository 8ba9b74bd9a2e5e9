-- The history checks of an import and the version page look audit rows up by entry version.
create index if not exists audit_log_by_entry on audit_log (entry_id, version);
