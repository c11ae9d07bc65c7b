-- The extension's objects: labels, pinned search_path, privileges, dump
-- registration.
SELECT p.proname, p.provolatile, p.proparallel, p.proisstrict, p.prosecdef,
       p.proconfig
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'kms_policy') AND d.deptype = 'e'
 ORDER BY 1;
-- Every function pins search_path.
SELECT count(*) AS functions_without_pinned_search_path
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'kms_policy') AND d.deptype = 'e'
   AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false);
-- Nothing is executable by PUBLIC.
SELECT count(*) AS public_functions
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'kms_policy') AND d.deptype = 'e'
   AND has_function_privilege('public', p.oid, 'EXECUTE');
-- The tables: no PUBLIC privileges; all registered for pg_dump.
SELECT c.relname, c.relacl IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM aclexplode(c.relacl) a WHERE a.grantee = 0) AS no_public_grants,
       c.oid IN (SELECT unnest(extconfig) FROM pg_extension WHERE extname = 'kms_policy') AS dumped
  FROM pg_class c WHERE c.relnamespace = 'kms_policy'::regnamespace AND c.relkind = 'r'
 ORDER BY 1;
-- The settings exist, are superuser-only, and the prefix is reserved.
LOAD 'kms_policy';
SELECT name, setting, context FROM pg_settings WHERE name LIKE 'kms_policy.%' ORDER BY 1;
SET kms_policy.no_such_setting = 1;
SET kms_policy.region = 'mars-north-1';
SET kms_policy.account_id = '12345';
SET kms_policy.alibaba_account_id = '12345';
-- The C symbols the scripts bind to are versioned.
SELECT count(*) AS unversioned_symbols FROM pg_proc
 WHERE probin = '$libdir/kms_policy' AND prosrc !~ '_v[0-9]+$';
-- Every function, table and type of the extension explains itself (COMMENT).
SELECT pg_describe_object(d.classid, d.objid, 0) AS undocumented
  FROM pg_depend d
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'kms_policy') AND d.deptype = 'e'
   AND d.classid IN ('pg_proc'::regclass, 'pg_class'::regclass, 'pg_type'::regclass)
   AND obj_description(d.objid, d.classid::regclass::name) IS NULL
 ORDER BY 1;
-- And so does every setting.
SELECT name FROM pg_settings WHERE name LIKE 'kms_policy.%' AND coalesce(short_desc, '') = '' ORDER BY 1;
