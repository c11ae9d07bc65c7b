# A role mapping never passes to another role that gets the same OID.  A
# mapped role is dropped (the mapping stays, an orphan, holding the OID and
# the role's name); pg_dump writes the OID as a number; the dump is restored
# into a cluster where another role has that OID.  The restore refuses the
# orphan (the trigger checks the OID still names the mapped role), and the
# other role acts as nobody.  With the orphan removed first
# (kms_unmap_role(oid)), the restore brings back every mapping.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src = PostgreSQL::Test::Cluster->new('src');
$src->init;
$src->start;
# Created first, so that its OID is one a fresh cluster soon hands out.
$src->safe_psql('postgres', 'CREATE ROLE regress_old_admin');
my $oid = $src->safe_psql('postgres',
	q{SELECT oid FROM pg_roles WHERE rolname = 'regress_old_admin'});
$src->safe_psql('postgres', q{
  CREATE EXTENSION kms_policy;
  CREATE ROLE regress_kept;
  SELECT kms_register_principal('arn:aws:iam::111122223333:role/App');
  SELECT kms_map_role('regress_old_admin', 'arn:aws:iam::111122223333:root');
  SELECT kms_map_role('regress_kept', 'arn:aws:iam::111122223333:role/App');
  DROP ROLE regress_old_admin;
});
is($src->safe_psql('postgres',
	"SELECT role_name FROM kms_policy.role_principals WHERE role = ${oid}::oid::regrole"),
	'regress_old_admin', 'the mapping of the dropped role is left behind');

my $dump = $src->basedir . '/orphan.sql';
$src->command_ok(['pg_dump', '-f', $dump, '-d', $src->connstr('postgres')], 'pg_dump');
like(slurp_file($dump), qr/^$oid\tregress_old_admin\tarn:aws:iam::111122223333:root\t/m,
	'the dump holds the orphan by OID');

# The destination: a role that is not the old administrator gets its OID.
my $dst = PostgreSQL::Test::Cluster->new('dst');
$dst->init;
$dst->start;
$dst->safe_psql('postgres', qq{
  DO \$\$
  DECLARE
    o oid;
  BEGIN
    LOOP
      CREATE ROLE regress_heir;
      SELECT oid INTO o FROM pg_roles WHERE rolname = 'regress_heir';
      EXIT WHEN o >= $oid;
      DROP ROLE regress_heir;
    END LOOP;
  END
  \$\$;
  CREATE ROLE regress_kept;
  CREATE DATABASE restored;
  CREATE DATABASE restored_clean;
});
is($dst->safe_psql('postgres', q{SELECT oid FROM pg_roles WHERE rolname = 'regress_heir'}),
	$oid, 'regress_heir has the dropped role\'s OID');

my ($ret, $out, $err);
{
	local $ENV{PGOPTIONS} = '-c kms_policy.check_principals=off -c kms_policy.record_history=off';
	($ret, $out, $err) = $dst->psql('restored', slurp_file($dump), on_error_stop => 0);
}
like($err, qr/ERROR:  mapped role "regress_old_admin" does not exist/,
	'the restore refuses the orphan mapping');
is($dst->safe_psql('restored',
	q{SELECT count(*) FROM kms_policy.role_principals WHERE role = 'regress_heir'::regrole}),
	'0', 'regress_heir has no mapping');
$dst->safe_psql('restored', q{
  GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO regress_heir;
  SELECT kms_create_key(description => 'restored');
});
($ret, $out, $err) = $dst->psql('restored',
	q{SET ROLE regress_heir; SELECT count(*) FROM kms_list_keys()});
like($err, qr/PostgreSQL role "regress_heir" is not authorized to perform: kms:ListKeys .* because the role is not mapped to a principal/,
	'regress_heir does not act as the old administrator\'s root');

# Remove the orphan, dump again: every mapping comes back.
$src->safe_psql('postgres', "SELECT kms_unmap_role(${oid}::oid::regrole)");
$src->command_ok(['pg_dump', '-f', $dump, '-d', $src->connstr('postgres')], 'pg_dump without orphans');
{
	local $ENV{PGOPTIONS} = '-c kms_policy.check_principals=off -c kms_policy.record_history=off';
	($ret, $out, $err) = $dst->psql('restored_clean', slurp_file($dump), on_error_stop => 1);
}
is($ret, 0, 'the restore without orphans succeeds');
is($dst->safe_psql('restored_clean',
	q{SELECT string_agg(role::text || '=' || principal, ',') FROM kms_policy.role_principals}),
	'regress_kept=arn:aws:iam::111122223333:role/App', 'the live role\'s mapping is restored, by name');

$src->stop;
$dst->stop;
done_testing();
