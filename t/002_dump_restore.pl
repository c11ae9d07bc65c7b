# pg_dump / pg_restore round trip: keys, policies, registry, mappings and
# identity policies come back identical, and the restored database enforces
# the same rules (the triggers fire during the restore).
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

my $snapshot = q{
  SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
    SELECT k::text AS x FROM kms_policy.keys k
    UNION ALL SELECT p::text FROM kms_policy.key_policies p
    UNION ALL SELECT (arn, dialect, kind, account_id)::text FROM kms_policy.principals
    UNION ALL SELECT (role::text, role_name, principal, principal_ref)::text FROM kms_policy.role_principals
    UNION ALL SELECT i::text FROM kms_policy.identity_policies i
    UNION ALL SELECT r::text FROM kms_policy.key_policy_principals r) s};
my $before = $node->safe_psql('src', $snapshot);

my $dump = $node->basedir . '/src.dump';
$node->command_ok(['pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('src')], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE dst');
# pg_restore loads kms_policy.key_policies before kms_policy.principals (the
# tables have no foreign key between them), so the principal check is turned
# off for the restore, as the README says.  The references of the key
# policies (kms_policy.key_policy_principals) are dumped and loaded after
# both, in foreign-key order, as are role mappings and identity policies.
{
	local $ENV{PGOPTIONS} = '-c kms_policy.check_principals=off';
	$node->command_ok(['pg_restore', '-d', $node->connstr('dst'), $dump], 'pg_restore');
}

is($node->safe_psql('dst', $snapshot), $before, 'restored tables are identical');
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
