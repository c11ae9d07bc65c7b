/* kms_policy--0.1.0.sql */

\echo Use "CREATE EXTENSION kms_policy" to load this file. \quit

-- The extension's tables live in their own schema; the API functions live in
-- the schema the extension is created in (public by default), so that
-- applications call kms_get_key_policy(...) without qualification.
CREATE SCHEMA kms_policy;
REVOKE ALL ON SCHEMA kms_policy FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Key registry
-- ---------------------------------------------------------------------------
CREATE TABLE kms_policy.keys (
    key_id        text NOT NULL PRIMARY KEY,
    dialect       text NOT NULL DEFAULT 'aws',
    partition     text NOT NULL,
    region        text NOT NULL,
    account_id    text NOT NULL,
    key_state     text NOT NULL DEFAULT 'Enabled',
    description   text NOT NULL DEFAULT '',
    multi_region  boolean NOT NULL DEFAULT false,
    creation_date timestamptz NOT NULL DEFAULT pg_catalog.now(),
    deletion_date timestamptz,
    arn           text NOT NULL GENERATED ALWAYS AS (
        CASE WHEN dialect OPERATOR(pg_catalog.=) 'alibaba'
             THEN 'acs:kms:' OPERATOR(pg_catalog.||) region OPERATOR(pg_catalog.||) ':'
                  OPERATOR(pg_catalog.||) account_id OPERATOR(pg_catalog.||) ':key/'
                  OPERATOR(pg_catalog.||) key_id
             ELSE 'arn:' OPERATOR(pg_catalog.||) partition OPERATOR(pg_catalog.||) ':kms:'
                  OPERATOR(pg_catalog.||) region OPERATOR(pg_catalog.||) ':'
                  OPERATOR(pg_catalog.||) account_id OPERATOR(pg_catalog.||) ':key/'
                  OPERATOR(pg_catalog.||) key_id
        END) STORED,
    CONSTRAINT keys_dialect_check
        CHECK (dialect OPERATOR(pg_catalog.=) ANY (ARRAY['aws', 'alibaba'])),
    CONSTRAINT keys_key_state_check
        CHECK (key_state OPERATOR(pg_catalog.=) ANY (ARRAY['Creating', 'Enabled', 'Disabled',
               'PendingDeletion', 'PendingImport', 'PendingReplicaDeletion',
               'Unavailable', 'Updating'])),
    CONSTRAINT keys_deletion_date_check
        CHECK ((key_state OPERATOR(pg_catalog.=) 'PendingDeletion')
               OPERATOR(pg_catalog.=) (deletion_date IS NOT NULL))
);
CREATE UNIQUE INDEX keys_arn_idx ON kms_policy.keys (arn);
COMMENT ON TABLE kms_policy.keys IS 'KMS keys of this endpoint (one row per key)';

-- ---------------------------------------------------------------------------
-- Key policies: one row per (key, policy name); the only name is 'default'.
-- ---------------------------------------------------------------------------
CREATE TABLE kms_policy.key_policies (
    key_id      text NOT NULL REFERENCES kms_policy.keys (key_id) ON DELETE CASCADE,
    policy_name text NOT NULL DEFAULT 'default',
    policy      text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    -- The validated policy in the core's binary form, always recomputed from
    -- policy by the validation trigger (whatever a write puts here).
    compiled    bytea NOT NULL,
    PRIMARY KEY (key_id, policy_name)
)
-- A 2 KB policy with its compiled form stays in the row, uncompressed: a read
-- takes both from the heap page (no TOAST fetch, no decompression).
WITH (toast_tuple_target = 8160);
COMMENT ON TABLE kms_policy.key_policies IS 'key policy documents, stored byte for byte';

-- Validation triggers: every write, by any role, superusers included, is held
-- to the rules the API applies.
CREATE FUNCTION kms_policy.keys_validate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'kms_keys_validate_v1'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION kms_policy.key_policies_validate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'kms_key_policies_validate_v1'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER keys_validate
    BEFORE INSERT OR UPDATE ON kms_policy.keys
    FOR EACH ROW EXECUTE FUNCTION kms_policy.keys_validate();

-- A key's policy is never deleted or moved while the key exists.
CREATE TRIGGER key_policies_validate
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.key_policies
    FOR EACH ROW EXECUTE FUNCTION kms_policy.key_policies_validate();

-- Deleting a key deletes its policy, also where the foreign key's cascade
-- does not run (session_replication_role = replica).
CREATE FUNCTION kms_policy.keys_deleted()
RETURNS trigger
AS 'MODULE_PATHNAME', 'kms_keys_deleted_v1'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER keys_deleted
    AFTER DELETE ON kms_policy.keys
    FOR EACH ROW EXECUTE FUNCTION kms_policy.keys_deleted();

SELECT pg_catalog.pg_extension_config_dump('kms_policy.keys', '');
SELECT pg_catalog.pg_extension_config_dump('kms_policy.key_policies', '');

REVOKE ALL ON kms_policy.keys, kms_policy.key_policies FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Principal registry: the principals a key policy may name.  The endpoint's
-- own account (its root) is always known, and well-formed service principals
-- need no registration.
-- ---------------------------------------------------------------------------
CREATE TABLE kms_policy.principals (
    arn           text NOT NULL PRIMARY KEY,
    dialect       text NOT NULL,
    kind          text NOT NULL,
    account_id    text NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT principals_dialect_check
        CHECK (dialect OPERATOR(pg_catalog.=) ANY (ARRAY['aws', 'alibaba']))
);
COMMENT ON TABLE kms_policy.principals IS 'principals (accounts, users, roles, sessions) that key policies may name';

CREATE FUNCTION kms_policy.principals_validate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'kms_principals_validate_v1'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

-- Rows are checked on the way in, only identity administrators write them, and
-- a principal still referenced (key_policy_principals, role_principals,
-- identity_policies: real foreign keys) cannot be deleted or renamed.
CREATE TRIGGER principals_validate
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.principals
    FOR EACH ROW EXECUTE FUNCTION kms_policy.principals_validate();

SELECT pg_catalog.pg_extension_config_dump('kms_policy.principals', '');
REVOKE ALL ON kms_policy.principals FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Callers: PostgreSQL roles mapped to principals, and identity policies.
-- ---------------------------------------------------------------------------
-- role is the role's OID and role_name its name when it was mapped: a mapping
-- applies only while that OID still names a role of that name, so a role that
-- later gets the OID of a dropped one (in this cluster or after a restore)
-- never inherits its principal.  principal_ref is the principal as the
-- registry holds it (NULL for the endpoint's own account root, which needs no
-- registration), set by the trigger.
CREATE TABLE kms_policy.role_principals (
    role          regrole NOT NULL PRIMARY KEY,
    role_name     text NOT NULL,
    principal     text NOT NULL,
    principal_ref text REFERENCES kms_policy.principals (arn)
                      ON DELETE RESTRICT ON UPDATE RESTRICT
);
COMMENT ON TABLE kms_policy.role_principals IS 'which principal each PostgreSQL role acts as';

CREATE TABLE kms_policy.identity_policies (
    principal   text NOT NULL REFERENCES kms_policy.principals (arn)
                    ON DELETE RESTRICT ON UPDATE RESTRICT,
    policy_name text NOT NULL,
    policy      text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (principal, policy_name)
);
COMMENT ON TABLE kms_policy.identity_policies IS 'IAM / RAM identity policies of principals';

-- The registered principals each stored key policy names: maintained by the
-- key_policies_principals trigger, and held like a foreign key, so a
-- principal a key policy names cannot be deregistered.  Dumped, so that a
-- restore brings the references back after the principals they point to.
CREATE TABLE kms_policy.key_policy_principals (
    key_id      text NOT NULL,
    policy_name text NOT NULL,
    principal   text NOT NULL REFERENCES kms_policy.principals (arn)
                    ON DELETE RESTRICT ON UPDATE RESTRICT,
    PRIMARY KEY (key_id, policy_name, principal),
    FOREIGN KEY (key_id, policy_name) REFERENCES kms_policy.key_policies (key_id, policy_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX key_policy_principals_principal_idx
    ON kms_policy.key_policy_principals (principal);
COMMENT ON TABLE kms_policy.key_policy_principals IS 'registered principals named by stored key policies';

CREATE FUNCTION kms_policy.role_principals_validate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'kms_role_principals_validate_v1'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION kms_policy.identity_policies_validate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'kms_identity_policies_validate_v1'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION kms_policy.key_policy_principals_validate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'kms_key_policy_principals_validate_v1'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION kms_policy.key_policies_principals()
RETURNS trigger
AS 'MODULE_PATHNAME', 'kms_key_policies_principals_v1'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

-- Only identity administrators write these tables (deletes included); the
-- API functions check their caller first and write as the extension owner.
CREATE TRIGGER role_principals_validate
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.role_principals
    FOR EACH ROW EXECUTE FUNCTION kms_policy.role_principals_validate();

CREATE TRIGGER identity_policies_validate
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.identity_policies
    FOR EACH ROW EXECUTE FUNCTION kms_policy.identity_policies_validate();

CREATE TRIGGER key_policy_principals_validate
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.key_policy_principals
    FOR EACH ROW EXECUTE FUNCTION kms_policy.key_policy_principals_validate();

CREATE TRIGGER key_policies_principals
    AFTER INSERT OR UPDATE ON kms_policy.key_policies
    FOR EACH ROW EXECUTE FUNCTION kms_policy.key_policies_principals();

-- ---------------------------------------------------------------------------
-- The history of key policies: one row per change, versions 1, 2, 3 ... per
-- key in commit order (every writer of a key's policy locks the key row
-- first), appended in the changing transaction by an AFTER trigger on
-- key_policies.  No foreign key: a deleted key's history stays.  Append-only
-- for everyone (its guard trigger); dumped, and a restore loads it with
-- kms_policy.record_history = off, so no row is added or changed.
-- ---------------------------------------------------------------------------
CREATE TABLE kms_policy.key_policy_history (
    key_id      text NOT NULL,
    policy_name text NOT NULL,
    version     bigint NOT NULL CHECK (version > 0),
    policy      text NOT NULL,
    sha256      text NOT NULL,
    changed_at  timestamptz NOT NULL,
    principal   text,
    role        name NOT NULL,
    operation   text NOT NULL
        CHECK (operation OPERATOR(pg_catalog.=) ANY (ARRAY['create', 'put', 'direct write'])),
    bypass_policy_lockout_safety_check boolean NOT NULL,
    PRIMARY KEY (key_id, policy_name, version)
);
COMMENT ON TABLE kms_policy.key_policy_history IS 'every change of every key policy, append-only';

CREATE FUNCTION kms_policy.key_policies_history()
RETURNS trigger
AS 'MODULE_PATHNAME', 'kms_key_policies_history_v1'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION kms_policy.key_policy_history_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'kms_key_policy_history_guard_v1'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER key_policies_history
    AFTER INSERT OR UPDATE ON kms_policy.key_policies
    FOR EACH ROW EXECUTE FUNCTION kms_policy.key_policies_history();

CREATE TRIGGER key_policy_history_guard
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.key_policy_history
    FOR EACH ROW EXECUTE FUNCTION kms_policy.key_policy_history_guard();

SELECT pg_catalog.pg_extension_config_dump('kms_policy.key_policy_history', '');
REVOKE ALL ON kms_policy.key_policy_history FROM PUBLIC;

-- The identity cache's lock and invalidation target (src/pg/kms_identity_store.c):
-- every identity write takes ACCESS EXCLUSIVE on it until it commits and
-- queues its relcache invalidation, which drops every backend's cache of role
-- mappings and identity policies; a read call takes ACCESS SHARE on it for
-- the moment it reads the cache.  It holds no data.
CREATE SEQUENCE kms_policy.identity_changes;
COMMENT ON SEQUENCE kms_policy.identity_changes IS 'lock and invalidation target of the identity caches (holds no data)';
REVOKE ALL ON SEQUENCE kms_policy.identity_changes FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('kms_policy.role_principals', '');
SELECT pg_catalog.pg_extension_config_dump('kms_policy.identity_policies', '');
SELECT pg_catalog.pg_extension_config_dump('kms_policy.key_policy_principals', '');
REVOKE ALL ON kms_policy.role_principals, kms_policy.identity_policies,
    kms_policy.key_policy_principals FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- The KMS endpoint's access keys: each bound to a role (by OID and by its name
-- when the key was created, as role_principals), so a role that later gets a
-- dropped role's OID never inherits its keys.  The secret is read only by
-- kms_endpoint_authenticate, inside the database, and returned only once, by
-- kms_create_access_key.
-- ---------------------------------------------------------------------------
CREATE TABLE kms_policy.access_keys (
    access_key_id text NOT NULL PRIMARY KEY,
    secret        text NOT NULL,
    role          regrole NOT NULL,
    role_name     text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE kms_policy.access_keys IS 'access keys of the KMS endpoint, each bound to a PostgreSQL role';

CREATE FUNCTION kms_policy.access_keys_validate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'kms_access_keys_validate_v1'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

-- Only identity administrators (or the API) write access keys, deletes included.
CREATE TRIGGER access_keys_validate
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.access_keys
    FOR EACH ROW EXECUTE FUNCTION kms_policy.access_keys_validate();

SELECT pg_catalog.pg_extension_config_dump('kms_policy.access_keys', '');
REVOKE ALL ON kms_policy.access_keys FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Every write path, on every table of the schema kms_policy
-- ---------------------------------------------------------------------------
-- Only the table owner (its members) and superusers write the tables directly:
-- the API writes as the owner after its own decision.  A GRANT of a table, or
-- pg_write_all_data, is refused by this statement trigger.
CREATE FUNCTION kms_policy.guard_direct_write()
RETURNS trigger
AS 'MODULE_PATHNAME', 'kms_guard_direct_write_v1'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

-- TRUNCATE skips the row triggers: refused.
CREATE FUNCTION kms_policy.refuse_truncate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'kms_refuse_truncate_v1'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER keys_guard_direct_write
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.keys
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.guard_direct_write();
CREATE TRIGGER keys_refuse_truncate
    BEFORE TRUNCATE ON kms_policy.keys
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.refuse_truncate();
CREATE TRIGGER key_policies_guard_direct_write
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.key_policies
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.guard_direct_write();
CREATE TRIGGER key_policies_refuse_truncate
    BEFORE TRUNCATE ON kms_policy.key_policies
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.refuse_truncate();
CREATE TRIGGER principals_guard_direct_write
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.principals
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.guard_direct_write();
CREATE TRIGGER principals_refuse_truncate
    BEFORE TRUNCATE ON kms_policy.principals
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.refuse_truncate();
CREATE TRIGGER role_principals_guard_direct_write
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.role_principals
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.guard_direct_write();
CREATE TRIGGER role_principals_refuse_truncate
    BEFORE TRUNCATE ON kms_policy.role_principals
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.refuse_truncate();
CREATE TRIGGER identity_policies_guard_direct_write
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.identity_policies
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.guard_direct_write();
CREATE TRIGGER identity_policies_refuse_truncate
    BEFORE TRUNCATE ON kms_policy.identity_policies
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.refuse_truncate();
CREATE TRIGGER key_policy_history_guard_direct_write
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.key_policy_history
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.guard_direct_write();
CREATE TRIGGER key_policy_history_refuse_truncate
    BEFORE TRUNCATE ON kms_policy.key_policy_history
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.refuse_truncate();
CREATE TRIGGER key_policy_principals_guard_direct_write
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.key_policy_principals
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.guard_direct_write();
CREATE TRIGGER key_policy_principals_refuse_truncate
    BEFORE TRUNCATE ON kms_policy.key_policy_principals
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.refuse_truncate();
CREATE TRIGGER access_keys_guard_direct_write
    BEFORE INSERT OR UPDATE OR DELETE ON kms_policy.access_keys
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.guard_direct_write();
CREATE TRIGGER access_keys_refuse_truncate
    BEFORE TRUNCATE ON kms_policy.access_keys
    FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.refuse_truncate();

-- Row-level security on, with no policy: roles that bypass privileges but
-- not row security (pg_read_all_data, pg_write_all_data, any grantee) see
-- no row.  The owner (the API, which reads as the owner) and superusers are
-- not subject to it; foreign-key checks neither.
ALTER TABLE kms_policy.keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE kms_policy.key_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE kms_policy.principals ENABLE ROW LEVEL SECURITY;
ALTER TABLE kms_policy.role_principals ENABLE ROW LEVEL SECURITY;
ALTER TABLE kms_policy.identity_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE kms_policy.key_policy_principals ENABLE ROW LEVEL SECURITY;
ALTER TABLE kms_policy.key_policy_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE kms_policy.access_keys ENABLE ROW LEVEL SECURITY;

-- EVERY trigger on EVERY table of the schema is ENABLE ALWAYS, so that
-- session_replication_role = replica and logical-replication apply workers
-- fire them too (sql/direct_writes.sql checks that none is left out).
ALTER TABLE kms_policy.keys
    ENABLE ALWAYS TRIGGER keys_validate,
    ENABLE ALWAYS TRIGGER keys_deleted,
    ENABLE ALWAYS TRIGGER keys_guard_direct_write,
    ENABLE ALWAYS TRIGGER keys_refuse_truncate;
ALTER TABLE kms_policy.key_policies
    ENABLE ALWAYS TRIGGER key_policies_validate,
    ENABLE ALWAYS TRIGGER key_policies_principals,
    ENABLE ALWAYS TRIGGER key_policies_history,
    ENABLE ALWAYS TRIGGER key_policies_guard_direct_write,
    ENABLE ALWAYS TRIGGER key_policies_refuse_truncate;
ALTER TABLE kms_policy.principals
    ENABLE ALWAYS TRIGGER principals_validate,
    ENABLE ALWAYS TRIGGER principals_guard_direct_write,
    ENABLE ALWAYS TRIGGER principals_refuse_truncate;
ALTER TABLE kms_policy.role_principals
    ENABLE ALWAYS TRIGGER role_principals_validate,
    ENABLE ALWAYS TRIGGER role_principals_guard_direct_write,
    ENABLE ALWAYS TRIGGER role_principals_refuse_truncate;
ALTER TABLE kms_policy.identity_policies
    ENABLE ALWAYS TRIGGER identity_policies_validate,
    ENABLE ALWAYS TRIGGER identity_policies_guard_direct_write,
    ENABLE ALWAYS TRIGGER identity_policies_refuse_truncate;
ALTER TABLE kms_policy.key_policy_history
    ENABLE ALWAYS TRIGGER key_policy_history_guard,
    ENABLE ALWAYS TRIGGER key_policy_history_guard_direct_write,
    ENABLE ALWAYS TRIGGER key_policy_history_refuse_truncate;
ALTER TABLE kms_policy.key_policy_principals
    ENABLE ALWAYS TRIGGER key_policy_principals_validate,
    ENABLE ALWAYS TRIGGER key_policy_principals_guard_direct_write,
    ENABLE ALWAYS TRIGGER key_policy_principals_refuse_truncate;
ALTER TABLE kms_policy.access_keys
    ENABLE ALWAYS TRIGGER access_keys_validate,
    ENABLE ALWAYS TRIGGER access_keys_guard_direct_write,
    ENABLE ALWAYS TRIGGER access_keys_refuse_truncate;

-- ---------------------------------------------------------------------------
-- The API
-- ---------------------------------------------------------------------------
-- What kms_create_key, kms_describe_key and kms_list_keys return (DescribeKey's
-- KeyMetadata, the members that apply here).
CREATE TYPE @extschema@.kms_key_metadata AS (
    key_id        text,
    arn           text,
    key_state     text,
    description   text,
    creation_date timestamptz,
    deletion_date timestamptz,
    multi_region  boolean,
    dialect       text,
    account_id    text,
    region        text
);

CREATE FUNCTION @extschema@.kms_create_key(
    policy text DEFAULT NULL,
    description text DEFAULT '',
    bypass_policy_lockout_safety_check boolean DEFAULT false,
    multi_region boolean DEFAULT false,
    dialect text DEFAULT 'aws')
RETURNS @extschema@.kms_key_metadata
AS 'MODULE_PATHNAME', 'kms_create_key_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- The read functions are VOLATILE and PARALLEL UNSAFE too: they decide on the
-- latest committed state (a snapshot of their own, not the statement's), so
-- two calls in one statement may differ, and they cannot run in parallel mode.
CREATE FUNCTION @extschema@.kms_get_key_policy(key_id text, policy_name text DEFAULT 'default')
RETURNS text
AS 'MODULE_PATHNAME', 'kms_get_key_policy_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_put_key_policy(
    key_id text,
    policy text,
    policy_name text DEFAULT 'default',
    bypass_policy_lockout_safety_check boolean DEFAULT false,
    expected_version bigint DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'kms_put_key_policy_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_key_policy_history(key_id text)
RETURNS TABLE (version bigint, policy text, sha256 text, changed_at timestamptz,
               principal text, role name, operation text,
               bypass_policy_lockout_safety_check boolean)
AS 'MODULE_PATHNAME', 'kms_key_policy_history_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_key_policy_version(key_id text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'kms_key_policy_version_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_list_key_policies(
    key_id text,
    "limit" integer DEFAULT 100,
    marker text DEFAULT NULL,
    OUT policy_names text[], OUT next_marker text, OUT truncated boolean)
RETURNS record
AS 'MODULE_PATHNAME', 'kms_list_key_policies_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_describe_key(
    key_id text)
RETURNS @extschema@.kms_key_metadata
AS 'MODULE_PATHNAME', 'kms_describe_key_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_list_keys()
RETURNS SETOF @extschema@.kms_key_metadata
AS 'MODULE_PATHNAME', 'kms_list_keys_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_disable_key(key_id text)
RETURNS void
AS 'MODULE_PATHNAME', 'kms_disable_key_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_enable_key(key_id text)
RETURNS void
AS 'MODULE_PATHNAME', 'kms_enable_key_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_schedule_key_deletion(key_id text, pending_window_in_days integer DEFAULT 30)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'kms_schedule_key_deletion_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_cancel_key_deletion(key_id text)
RETURNS void
AS 'MODULE_PATHNAME', 'kms_cancel_key_deletion_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- Principal registry
CREATE FUNCTION @extschema@.kms_register_principal(arn text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'kms_register_principal_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_deregister_principal(arn text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'kms_deregister_principal_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- Callers and identity policies
CREATE FUNCTION @extschema@.kms_map_role(role regrole, principal text)
RETURNS void
AS 'MODULE_PATHNAME', 'kms_map_role_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_unmap_role(role regrole)
RETURNS boolean
AS 'MODULE_PATHNAME', 'kms_unmap_role_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_put_identity_policy(principal text, policy_name text, policy text)
RETURNS void
AS 'MODULE_PATHNAME', 'kms_put_identity_policy_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_delete_identity_policy(principal text, policy_name text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'kms_delete_identity_policy_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- The KMS endpoint: access keys and request authentication
CREATE FUNCTION @extschema@.kms_create_access_key(role regrole)
RETURNS TABLE (access_key_id text, secret_access_key text)
AS 'MODULE_PATHNAME', 'kms_create_access_key_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_list_access_keys()
RETURNS TABLE (access_key_id text, role name, created_at timestamptz)
AS 'MODULE_PATHNAME', 'kms_list_access_keys_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_delete_access_key(access_key_id text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'kms_delete_access_key_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_endpoint_authenticate(access_key_id text, request_date text,
                                                      region text, string_to_sign text,
                                                      signature text)
RETURNS name
AS 'MODULE_PATHNAME', 'kms_endpoint_authenticate_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- Decisions
CREATE FUNCTION @extschema@.kms_authorize(key_id text, principal text, action text,
                                          context jsonb DEFAULT '{}')
RETURNS text
AS 'MODULE_PATHNAME', 'kms_authorize_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_explain_authorization(key_id text, principal text, action text,
                                                      context jsonb DEFAULT '{}',
    OUT decision text, OUT policy text, OUT statement integer, OUT sid text,
    OUT effect text, OUT outcome text, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'kms_explain_authorization_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- Policy validation: findings about the text given, nothing stored is read
CREATE FUNCTION @extschema@.kms_validate_policy(policy text, dialect text DEFAULT 'aws',
                                                kind text DEFAULT 'key')
RETURNS TABLE (finding_type text, issue_code text, message text, path text)
AS 'MODULE_PATHNAME', 'kms_validate_policy_v1'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;


-- Access analysis (README, Access analysis): exact answers from the evaluator.
-- The checks analyse the documents given and read nothing stored; the key
-- functions show what the key's policy says and need kms:GetKeyPolicy.
CREATE FUNCTION @extschema@.kms_check_no_new_access(new_policy text, existing_policy text)
RETURNS TABLE (result text, principal text, action text, context jsonb, reason text)
AS 'MODULE_PATHNAME', 'kms_check_no_new_access_v1'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_check_access_not_granted(policy text, actions text[],
                                                         principals text[] DEFAULT NULL)
RETURNS TABLE (result text, principal text, action text, context jsonb, reason text)
AS 'MODULE_PATHNAME', 'kms_check_access_not_granted_v1'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_check_no_public_access(policy text)
RETURNS TABLE (result text, principal text, action text, context jsonb, reason text)
AS 'MODULE_PATHNAME', 'kms_check_no_public_access_v1'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_key_access(key_id text)
RETURNS TABLE (principal text, action text, access text, conditions jsonb, statement text)
AS 'MODULE_PATHNAME', 'kms_key_access_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.kms_key_policy_diff(key_id text, from_version bigint, to_version bigint)
RETURNS TABLE (result text, principal text, action text, context jsonb, reason text)
AS 'MODULE_PATHNAME', 'kms_key_policy_diff_v1'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION @extschema@.kms_check_no_new_access(text, text) IS 'CheckNoNewAccess: PASS, or FAIL rows with a request the new policy allows and the existing one does not, or UNKNOWN with the reason';
COMMENT ON FUNCTION @extschema@.kms_check_access_not_granted(text, text[], text[]) IS 'CheckAccessNotGranted: PASS, or FAIL rows with a request in which the policy allows one of the actions (to one of the principals)';
COMMENT ON FUNCTION @extschema@.kms_check_no_public_access(text) IS 'CheckNoPublicAccess: PASS, or FAIL rows with a request of an account nobody names that the policy allows';
COMMENT ON FUNCTION @extschema@.kms_key_access(text) IS 'Who may do what with the key under its current policy: allowed, allowed_if (with the conditions) or delegated; needs kms:GetKeyPolicy or an administrator';
COMMENT ON FUNCTION @extschema@.kms_key_policy_diff(text, bigint, bigint) IS 'The access GAINED and LOST between two versions of the key policy history, each with a witness request; needs kms:GetKeyPolicy or an administrator';

REVOKE ALL ON FUNCTION
    @extschema@.kms_check_no_new_access(text, text),
    @extschema@.kms_check_access_not_granted(text, text[], text[]),
    @extschema@.kms_check_no_public_access(text),
    @extschema@.kms_key_access(text),
    @extschema@.kms_key_policy_diff(text, bigint, bigint)
FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- What each object is, for \dx+ kms_policy, \df+ kms_* and \d+ kms_policy.*
-- ---------------------------------------------------------------------------
COMMENT ON TYPE @extschema@.kms_key_metadata IS 'KeyMetadata of a KMS key, as DescribeKey returns it';
COMMENT ON FUNCTION @extschema@.kms_create_key(text, text, boolean, boolean, text) IS 'CreateKey: a new key with the given key policy, or the default key policy; authorized by the caller''s identity policies';
COMMENT ON FUNCTION @extschema@.kms_get_key_policy(text, text) IS 'GetKeyPolicy: the key policy as stored; needs kms:GetKeyPolicy';
COMMENT ON FUNCTION @extschema@.kms_put_key_policy(text, text, text, boolean, bigint) IS 'PutKeyPolicy: validate and store a key policy, with the policy lockout safety check and, when expected_version is given, the version precondition; needs kms:PutKeyPolicy';
COMMENT ON FUNCTION @extschema@.kms_key_policy_history(text) IS 'every version of the key policy, newest first; needs kms:GetKeyPolicy (a deleted key''s: an administrator)';
COMMENT ON FUNCTION @extschema@.kms_key_policy_version(text) IS 'the current version of the key policy (0: no history); needs kms:GetKeyPolicy';
COMMENT ON FUNCTION kms_policy.key_policies_history() IS 'trigger: appends every change of a key policy to kms_policy.key_policy_history';
COMMENT ON FUNCTION kms_policy.key_policy_history_guard() IS 'trigger: the key policy history is append-only, for everyone';
COMMENT ON FUNCTION @extschema@.kms_list_key_policies(text, integer, text) IS 'ListKeyPolicies: the names of the key''s policies ("default"), paginated; needs kms:ListKeyPolicies';
COMMENT ON FUNCTION @extschema@.kms_describe_key(text) IS 'DescribeKey: the key''s metadata; needs kms:DescribeKey';
COMMENT ON FUNCTION @extschema@.kms_list_keys() IS 'ListKeys: the keys of this endpoint''s accounts and regions; authorized by identity policies';
COMMENT ON FUNCTION @extschema@.kms_disable_key(text) IS 'DisableKey: key state Enabled to Disabled; needs kms:DisableKey';
COMMENT ON FUNCTION @extschema@.kms_enable_key(text) IS 'EnableKey: key state Disabled to Enabled; needs kms:EnableKey';
COMMENT ON FUNCTION @extschema@.kms_schedule_key_deletion(text, integer) IS 'ScheduleKeyDeletion: key state PendingDeletion after 7 to 30 days; returns the deletion date; needs kms:ScheduleKeyDeletion';
COMMENT ON FUNCTION @extschema@.kms_cancel_key_deletion(text) IS 'CancelKeyDeletion: key state PendingDeletion to Disabled; needs kms:CancelKeyDeletion';
COMMENT ON FUNCTION @extschema@.kms_register_principal(text) IS 'Register a principal that key policies may name (identity administrators only); false if already registered';
COMMENT ON FUNCTION @extschema@.kms_deregister_principal(text) IS 'Deregister a principal no policy or mapping references (identity administrators only); false if not registered';
COMMENT ON FUNCTION @extschema@.kms_map_role(regrole, text) IS 'Make an existing role act as a principal in every call (identity administrators only)';
COMMENT ON FUNCTION @extschema@.kms_unmap_role(regrole) IS 'Remove a role''s principal mapping, also of a dropped role by OID (identity administrators only)';
COMMENT ON FUNCTION @extschema@.kms_put_identity_policy(text, text, text) IS 'Validate and store an IAM or RAM identity policy of a registered principal (identity administrators only)';
COMMENT ON FUNCTION @extschema@.kms_delete_identity_policy(text, text) IS 'Delete an identity policy of a principal (identity administrators only); false if there was none';
COMMENT ON FUNCTION @extschema@.kms_authorize(text, text, text, jsonb) IS 'What the key policy and identity policies decide for a principal, an action and a request context: Allow, ExplicitDeny or ImplicitDeny; needs kms:GetKeyPolicy or an administrator';
COMMENT ON FUNCTION @extschema@.kms_explain_authorization(text, text, text, jsonb) IS 'The decision of kms_authorize, statement by statement; needs kms:GetKeyPolicy or an administrator';
COMMENT ON FUNCTION @extschema@.kms_validate_policy(text, text, text) IS 'Validate a key or identity policy document as IAM Access Analyzer''s ValidatePolicy does: ERROR rows for what kms_put_key_policy refuses, and security warnings, warnings and suggestions; reads no stored policy, needs no KMS permission';
COMMENT ON FUNCTION @extschema@.kms_create_access_key(regrole) IS 'A new access key of the KMS endpoint bound to an existing role; the only time its secret is returned (identity administrators only)';
COMMENT ON FUNCTION @extschema@.kms_list_access_keys() IS 'The KMS endpoint''s access keys and their roles, never the secrets (identity administrators only)';
COMMENT ON FUNCTION @extschema@.kms_delete_access_key(text) IS 'Delete an access key of the KMS endpoint (identity administrators only); false if there was none';
COMMENT ON FUNCTION @extschema@.kms_endpoint_authenticate(text, text, text, text, text) IS 'The KMS endpoint''s check of a request''s Signature Version 4 (service kms): the role its access key is bound to, or UnrecognizedClientException / InvalidSignatureException';
COMMENT ON FUNCTION kms_policy.access_keys_validate() IS 'trigger: checks access keys (well formed, existing role under its name); identity administrators only';
COMMENT ON FUNCTION kms_policy.keys_validate() IS 'trigger: checks every row of kms_policy.keys (identifiers, ARN, dialect, state)';
COMMENT ON FUNCTION kms_policy.keys_deleted() IS 'trigger: deletes a deleted key''s policy and references, also where foreign keys do not fire (replica mode)';
COMMENT ON FUNCTION kms_policy.key_policies_validate() IS 'trigger: validates every stored key policy as kms_put_key_policy does; a key keeps its policy';
COMMENT ON FUNCTION kms_policy.key_policies_principals() IS 'trigger: records the registered principals a stored key policy names in kms_policy.key_policy_principals';
COMMENT ON FUNCTION kms_policy.key_policy_principals_validate() IS 'trigger: only identity administrators or the API write key_policy_principals';
COMMENT ON FUNCTION kms_policy.principals_validate() IS 'trigger: checks registered principals; a referenced principal cannot be deleted';
COMMENT ON FUNCTION kms_policy.role_principals_validate() IS 'trigger: checks role mappings (existing role, known principal); identity administrators only';
COMMENT ON FUNCTION kms_policy.identity_policies_validate() IS 'trigger: validates identity policies in their principal''s dialect; identity administrators only';
COMMENT ON FUNCTION kms_policy.guard_direct_write() IS 'trigger: only the tables'' owner and superusers write kms_policy''s tables directly';
COMMENT ON FUNCTION kms_policy.refuse_truncate() IS 'trigger: TRUNCATE skips the row triggers, so it is refused';

-- No role may call the API until an administrator grants it (see README,
-- Security).
REVOKE ALL ON FUNCTION
    @extschema@.kms_create_key(text, text, boolean, boolean, text),
    @extschema@.kms_get_key_policy(text, text),
    @extschema@.kms_put_key_policy(text, text, text, boolean, bigint),
    @extschema@.kms_key_policy_history(text),
    @extschema@.kms_key_policy_version(text),
    @extschema@.kms_list_key_policies(text, integer, text),
    @extschema@.kms_describe_key(text),
    @extschema@.kms_list_keys(),
    @extschema@.kms_disable_key(text),
    @extschema@.kms_enable_key(text),
    @extschema@.kms_schedule_key_deletion(text, integer),
    @extschema@.kms_cancel_key_deletion(text),
    @extschema@.kms_register_principal(text),
    @extschema@.kms_deregister_principal(text),
    @extschema@.kms_map_role(regrole, text),
    @extschema@.kms_unmap_role(regrole),
    @extschema@.kms_put_identity_policy(text, text, text),
    @extschema@.kms_delete_identity_policy(text, text),
    @extschema@.kms_create_access_key(regrole),
    @extschema@.kms_list_access_keys(),
    @extschema@.kms_delete_access_key(text),
    @extschema@.kms_endpoint_authenticate(text, text, text, text, text),
    @extschema@.kms_authorize(text, text, text, jsonb),
    @extschema@.kms_explain_authorization(text, text, text, jsonb),
    @extschema@.kms_validate_policy(text, text, text)
FROM PUBLIC;
REVOKE ALL ON FUNCTION kms_policy.keys_validate(), kms_policy.keys_deleted(),
    kms_policy.key_policies_validate(),
    kms_policy.principals_validate(), kms_policy.role_principals_validate(),
    kms_policy.identity_policies_validate(), kms_policy.key_policy_principals_validate(),
    kms_policy.key_policies_principals(), kms_policy.access_keys_validate(),
    kms_policy.key_policies_history(), kms_policy.key_policy_history_guard(),
    kms_policy.guard_direct_write(), kms_policy.refuse_truncate() FROM PUBLIC;
