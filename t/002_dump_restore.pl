# pg_dump / pg_restore round trip: keys, policies, registry, mappings,
# identity policies and the key policy history come back identical, and the
# restored database enforces the same rules (the triggers fire during the
# restore).  The history is reproduced row for row, not re-recorded, and a
# put after the restore continues with the next version.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
  CREATE EXTENSION kms_policy;
  CREATE ROLE regress_dump_app;
  SELECT kms_register_principal('arn:aws:iam::111122223333:user/Alice');
  SELECT kms_register_principal('444455556666');
  SELECT kms_map_role('regress_dump_app', 'arn:aws:iam::111122223333:user/Alice');
  SELECT kms_put_identity_policy('arn:aws:iam::111122223333:user/Alice', 'use',
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}');
  SELECT kms_create_key(description => 'one');
  SELECT kms_create_key(policy => '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Sid":"Alice","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/Alice","444455556666"]},"Action":"kms:Decrypt","Resource":"*"}]}');
  SELECT kms_create_key(dialect => 'alibaba');
});

# Several versions in the history of the first key: create, two puts and a
# direct write of kms_policy.key_policies by the superuser, each its own
# transaction.
my $key1 = $node->safe_psql('src',
  q{SELECT key_id FROM kms_policy.keys WHERE description = 'one'});
like($key1, qr/^[0-9a-f-]{36}$/, 'key one found');
for my $i (1, 2)
{
	$node->safe_psql('src', qq{SELECT kms_put_key_policy('$key1',
  '{"Version":"2012-10-17","Id":"put-$i","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}')});
}
$node->safe_psql('src', qq{UPDATE kms_policy.key_policies
  SET policy = '{"Version":"2012-10-17","Id":"direct","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}'
  WHERE key_id = '$key1' AND policy_name = 'default'});
is($node->safe_psql('src', qq{SELECT string_agg(version || ':' || operation, ',' ORDER BY version)
  FROM kms_key_policy_history('$key1')}),
   '1:create,2:put,3:put,4:direct write', 'source history: create, put, put, direct write');
is($node->safe_psql('src', qq{SELECT kms_key_policy_version('$key1')}), '4',
   'source version is 4');
is($node->safe_psql('src', 'SELECT count(*) FROM kms_policy.key_policy_history'), '6',
   'source history has six rows (four for key one, one for each other key)');

my $snapshot = q{
  SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
    SELECT k::text AS x FROM kms_policy.keys k
    UNION ALL SELECT p::text FROM kms_policy.key_policies p
    UNION ALL SELECT (arn, dialect, kind, account_id)::text FROM kms_policy.principals
    UNION ALL SELECT (role::text, role_name, principal, principal_ref)::text FROM kms_policy.role_principals
    UNION ALL SELECT i::text FROM kms_policy.identity_policies i
    UNION ALL SELECT r::text FROM kms_policy.key_policy_principals r
    UNION ALL SELECT h::text FROM kms_policy.key_policy_history h) s};
my $before = $node->safe_psql('src', $snapshot);
# The history row by row, every column as text (changed_at with its
# microseconds), for a readable comparison.
my $history = q{SELECT h::text FROM kms_policy.key_policy_history h
  ORDER BY key_id, policy_name, version};
my $history_before = $node->safe_psql('src', $history);

my $dump = $node->basedir . '/src.dump';
$node->command_ok(['pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('src')], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE dst');
# pg_restore loads kms_policy.key_policies before kms_policy.principals (the
# tables have no foreign key between them), so the principal check is turned
# off for the restore, as the README says.  The references of the key
# policies (kms_policy.key_policy_principals) are dumped and loaded after
# both, in foreign-key order, as are role mappings and identity policies.
# The history is dumped too: recording is turned off for the restore, so
# loading kms_policy.key_policies appends no rows and the dumped history is
# loaded as it was.
{
	local $ENV{PGOPTIONS} =
	  '-c kms_policy.check_principals=off -c kms_policy.record_history=off';
	$node->command_ok(['pg_restore', '-d', $node->connstr('dst'), $dump], 'pg_restore');
}

is($node->safe_psql('dst', $snapshot), $before, 'restored tables are identical');
is($node->safe_psql('dst', $history), $history_before,
   'restored history is identical: same rows, versions, sha256 and changed_at');
is($node->safe_psql('dst', qq{SELECT kms_key_policy_version('$key1')}), '4',
   'restored version is 4');
# The compiled forms were recomputed by the validation trigger as the rows
# were loaded (the snapshot above compares them too): byte for byte the dumped
# ones, and the form of each document whatever a write puts in the column.
my $forms = q{SELECT string_agg(key_id || '=' || md5(compiled), ',' ORDER BY key_id)
  FROM kms_policy.key_policies};
is($node->safe_psql('dst', $forms), $node->safe_psql('src', $forms),
   'restored compiled forms are the dumped ones');
$node->safe_psql('dst', q{UPDATE kms_policy.key_policies SET compiled = '\x00'});
is($node->safe_psql('dst', $forms), $node->safe_psql('src', $forms),
   'a direct write of the compiled column is recomputed from the document');
is($node->safe_psql('dst', qq{SELECT kms_authorize('$key1', '111122223333', 'kms:Decrypt')}),
   $node->safe_psql('src', qq{SELECT kms_authorize('$key1', '111122223333', 'kms:Decrypt')}),
   'the restored compiled form decides as the original');
is($node->safe_psql('dst', qq{SELECT kms_key_policy_history('$key1')::text}),
   $node->safe_psql('src', qq{SELECT kms_key_policy_history('$key1')::text}),
   'kms_key_policy_history reads the same on both databases');

# A put after the restore continues the history with version 5.
my $after_restore = '{"Version":"2012-10-17","Id":"after-restore","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}';
$node->safe_psql('dst', qq{SELECT kms_put_key_policy('$key1', '$after_restore', expected_version => 4)});
is($node->safe_psql('dst', qq{SELECT kms_key_policy_version('$key1')}), '5',
   'a put after the restore makes version 5');
is($node->safe_psql('dst', qq{SELECT version || ':' || operation || ':' || (policy = '$after_restore')
  || ':' || (sha256 = encode(sha256(convert_to(policy, 'UTF8')), 'hex'))
  FROM kms_key_policy_history('$key1') LIMIT 1}),
   '5:put:true:true', 'the newest history row is the put after the restore');
is($node->safe_psql('dst', qq{SELECT string_agg(version::text, ',' ORDER BY version)
  FROM kms_key_policy_history('$key1')}),
   '1,2,3,4,5', 'restored history continues without a gap');
is($node->safe_psql('dst', 'SELECT count(*) FROM kms_list_keys()'), '3', 'three keys listed');
my ($ret, $out, $err) = $node->psql('dst',
  q{UPDATE kms_policy.key_policies SET policy = '{"Statement":{}}'});
like($err, qr/MalformedPolicyDocumentException/, 'restored database still validates');
($ret, $out, $err) = $node->psql('dst',
  q{SELECT kms_deregister_principal('444455556666')});
like($err, qr/still referenced.*\n.*the key policy of arn:aws:kms:us-east-1:111122223333:key\//,
  'registry protection survives the restore');
is($node->safe_psql('dst', 'SELECT count(*) FROM kms_policy.key_policy_principals'), '2',
  'key policy references restored (Alice and 444455556666)');
($ret, $out, $err) = $node->psql('dst',
  q{SELECT kms_deregister_principal('arn:aws:iam::111122223333:user/Alice')});
like($err, qr/the key policy of .*the mapping of role "regress_dump_app".*identity policy "use"/,
  'mapping and identity policy references survive the restore');
$node->stop;
done_testing();
