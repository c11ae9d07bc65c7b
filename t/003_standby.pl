# On a streaming standby, reads and decisions work; writes fail with
# PostgreSQL's own read-only error.
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
$standby->stop;
$primary->stop;
done_testing();
