# On a streaming standby, reads and decisions work, the key policy history
# is readable; writes fail with PostgreSQL's own read-only error.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION kms_policy');
my $key = $primary->safe_psql('postgres', 'SELECT key_id FROM kms_create_key()');
$primary->safe_psql('postgres', qq{SELECT kms_register_principal('arn:aws:iam::111122223333:user/Alice')});
$primary->safe_psql('postgres', qq{SELECT kms_put_key_policy('$key',
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:Decrypt","Resource":"*"}]}')});

$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

is($standby->safe_psql('postgres', qq{SELECT kms_get_key_policy('$key')}),
   $primary->safe_psql('postgres', qq{SELECT kms_get_key_policy('$key')}),
   'get on the standby returns the primary policy');
my $form = qq{SELECT md5(compiled) FROM kms_policy.key_policies WHERE key_id = '$key'};
is($standby->safe_psql('postgres', $form), $primary->safe_psql('postgres', $form),
   'the standby has the compiled form the primary stored');
is($standby->safe_psql('postgres', qq{SELECT policy_names FROM kms_list_key_policies('$key')}),
   '{default}', 'list works on the standby');
is($standby->safe_psql('postgres',
     qq{SELECT kms_authorize('$key', 'arn:aws:iam::111122223333:user/Alice', 'kms:Decrypt')}),
   'Allow', 'kms_authorize works on the standby');
my ($ret, $out, $err) = $standby->psql('postgres',
  qq{SELECT kms_put_key_policy('$key', '{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}')});
like($err, qr/read-only transaction/, 'put fails on the standby with the read-only error');

# A change on the primary is seen by the standby's next decision.
$primary->safe_psql('postgres', qq{SELECT kms_put_key_policy('$key',
  '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}')});
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres',
     qq{SELECT kms_authorize('$key', 'arn:aws:iam::111122223333:user/Alice', 'kms:Decrypt')}),
   'ImplicitDeny', 'the standby decides with the replicated policy');

# The key policy history is readable on the standby and equals the
# primary's: create, the two puts, and a direct write by the superuser.
$primary->safe_psql('postgres', qq{UPDATE kms_policy.key_policies
  SET policy = '{"Version":"2012-10-17","Id":"direct","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}'
  WHERE key_id = '$key'});
$primary->wait_for_catchup($standby);
my $history = qq{SELECT h::text FROM kms_key_policy_history('$key') h};
my $primary_history = $primary->safe_psql('postgres', $history);
is($standby->safe_psql('postgres', $history), $primary_history,
   'kms_key_policy_history on the standby returns the primary rows');
is($standby->safe_psql('postgres', qq{SELECT string_agg(version || ':' || operation, ',')
  FROM kms_key_policy_history('$key')}),
   '4:direct write,3:put,2:put,1:create', 'standby history: newest first, every change');
is($standby->safe_psql('postgres', qq{SELECT kms_key_policy_version('$key')}), '4',
   'kms_key_policy_version works on the standby');
is($standby->safe_psql('postgres', qq{SELECT policy = kms_get_key_policy('$key')
  FROM kms_key_policy_history('$key') LIMIT 1}),
   't', 'the newest history row on the standby is the replicated policy');

# The identity cache of a standby session follows replicated identity
# changes: the writer's lock on kms_policy.identity_changes is WAL-logged and
# its invalidation replayed with its commit, so a session that read the old
# answers (its cache warm) sees the change in its next call.
$primary->safe_psql('postgres', q{
  CREATE ROLE regress_app;
  GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO regress_app;
  SELECT kms_map_role('regress_app', 'arn:aws:iam::111122223333:user/Alice');
  SELECT kms_put_identity_policy('arn:aws:iam::111122223333:user/Alice', 'describe',
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*"}}');
});
$primary->wait_for_catchup($standby);
my $app = $standby->background_psql('postgres', on_error_stop => 0);
$app->query_safe('SET ROLE regress_app');
my $describe = qq{SELECT key_state FROM kms_describe_key('$key')};
is($app->query_safe($describe), 'Enabled', 'the standby session reads (its cache warm)');
$app->query_safe($describe);
$primary->safe_psql('postgres', q{SELECT kms_put_identity_policy('arn:aws:iam::111122223333:user/Alice', 'deny',
  '{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"kms:DescribeKey","Resource":"*"}}')});
$primary->wait_for_catchup($standby);
$app->query($describe);
like($app->{stderr}, qr/explicit deny in an identity-based policy/,
   'the standby session follows a replicated identity policy');
$primary->safe_psql('postgres', q{
  SELECT kms_delete_identity_policy('arn:aws:iam::111122223333:user/Alice', 'deny');
  SELECT kms_unmap_role('regress_app');
});
$primary->wait_for_catchup($standby);
$app->query($describe);
like($app->{stderr}, qr/because the role is not mapped to a principal/,
   'the standby session follows a replicated unmapping');
$app->quit;

$standby->stop;
$primary->stop;
done_testing();
