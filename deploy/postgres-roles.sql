-- PostgreSQL roles for a production portal: run once as a superuser, after
-- `portal db migrate` has created the tables (as the owner role below).
--
-- portal_owner   owns the schema; used only by `portal db migrate`.
-- portal_app     what every app process connects as (PORTAL_DATABASE_URL): it may
--                read and write the portal's tables, but on the audit log and its
--                checkpoints it may only SELECT and INSERT. The append-only triggers
--                (migration 2026-11-30T11:20) refuse UPDATE, DELETE and TRUNCATE for
--                every role; these grants are the second, independent line: even with
--                the triggers dropped, the application role cannot rewrite history.
--
-- Replace the passwords (or use certificate authentication) before running.

CREATE ROLE portal_owner LOGIN PASSWORD 'change-me-owner';
CREATE ROLE portal_app LOGIN PASSWORD 'change-me-app';

GRANT CONNECT ON DATABASE portal TO portal_app;
GRANT USAGE ON SCHEMA public TO portal_app;

-- Everything but the audit tables: ordinary read and write.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portal_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO portal_app;

-- The audit log and its signed checkpoints: append and read, nothing else.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_event, audit_checkpoint FROM portal_app;
GRANT SELECT, INSERT ON audit_event, audit_checkpoint TO portal_app;

-- Only the owner may drop the triggers; the app role owns nothing.
ALTER TABLE audit_event OWNER TO portal_owner;
ALTER TABLE audit_checkpoint OWNER TO portal_owner;
