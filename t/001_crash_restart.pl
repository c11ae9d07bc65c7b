# Policies survive an immediate shutdown (crash) and restart.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION kms_policy');
my $key = $node->safe_psql('postgres', 'SELECT key_id FROM kms_create_key()');
like($key, qr/^[0-9a-f-]{36}$/, 'key created');
$node->safe_psql('postgres', qq{SELECT kms_put_key_policy('$key',
  '{"Id":"after-crash","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}')});

$node->stop('immediate');
$node->start;

is($node->safe_psql('postgres', qq{SELECT kms_get_key_policy('$key')}),
   '{"Id":"after-crash","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}',
   'policy survives a crash');
my ($ret, $out, $err) = $node->psql('postgres',
  qq{SELECT kms_put_key_policy('$key', '{"Statement":[]}')});
like($err, qr/MalformedPolicyDocumentException/, 'validation still enforced after restart');
$node->stop;
done_testing();
