# Policies and their history survive an immediate shutdown (crash) and
# restart: every acknowledged put has its history row, versions have no gap,
# and the newest history row is the stored policy.
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

# A stream of puts on a second key, each its own transaction and each with a
# distinct document: put-1 .. put-$fg from the foreground (each safe_psql that
# returns is acknowledged), then put-($fg+1) .. put-($fg+$bg) from a
# background psql (\gexec runs each generated statement on its own, in
# autocommit), which prints ack-N once put-N has committed.  The node is
# stopped with 'immediate' once the background stream is seen running (its
# put-($fg+100) acknowledged).
my $stream = $node->safe_psql('postgres', 'SELECT key_id FROM kms_create_key()');
my $doc = '{"Version":"2012-10-17","Id":"put-NNN","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}';
sub doc_for { my $d = $doc; $d =~ s/NNN/$_[0]/; return $d; }
my ($fg, $bg) = (200, 20000);
for my $i (1 .. $fg)
{
	$node->safe_psql('postgres',
		"SELECT kms_put_key_policy('$stream', '" . doc_for($i) . "')");
}
is($node->safe_psql('postgres', qq{SELECT kms_key_policy_version('$stream')}),
   $fg + 1, "$fg acknowledged foreground puts: version " . ($fg + 1));

my $s = $node->background_psql('postgres', on_error_stop => 0);
my $running = $fg + 100;
my $seen = $s->query_until(qr/^ack-$running\n/m, qq{
  SELECT format('SELECT %L FROM (SELECT kms_put_key_policy(%L, %L)) p',
                'ack-' || i, '$stream', replace('$doc', 'NNN', i::text))
  FROM generate_series($fg + 1, $fg + $bg) i
\\gexec
});
$node->stop('immediate');
# psql loses its connection and exits; collect everything it printed.
eval { $s->{run}->finish; };
note "background psql: $@" if $@;
note "background psql stderr: $s->{stderr}";
my @acks = ($seen . $s->{stdout}) =~ /^ack-(\d+)$/mg;
my $last_ack = @acks ? $acks[-1] : 0;
note 'background acknowledged up to put-' . $last_ack . ' of ' . ($fg + $bg);
is_deeply(\@acks, [ $fg + 1 .. $last_ack ], 'background acknowledgements in order');
cmp_ok($last_ack, '>=', $running, 'background stream was running');
cmp_ok($last_ack, '<', $fg + $bg, 'the crash interrupted the background stream');

$node->start;

is($node->safe_psql('postgres', qq{SELECT kms_get_key_policy('$key')}),
   '{"Id":"after-crash","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}',
   'policy survives a crash');
is($node->safe_psql('postgres', qq{SELECT string_agg(version || ':' || operation, ',' ORDER BY version)
  FROM kms_key_policy_history('$key')}),
   '1:create,2:put', 'history of the first key survives a crash');

# History of the stream key after recovery.
my $n = $node->safe_psql('postgres', qq{SELECT kms_key_policy_version('$stream')});
note "stream key at version $n after the crash";
cmp_ok($n, '>=', $last_ack + 1, 'every acknowledged put has its history row');
cmp_ok($n, '<=', $last_ack + 2, 'at most the one unacknowledged put in flight committed');
is($node->safe_psql('postgres', qq{SELECT count(*) || ':' || min(version) || ':' || max(version)
  || ':' || count(DISTINCT version) FROM kms_key_policy_history('$stream')}),
   "$n:1:$n:$n", "versions are gapless 1..$n");
my $q_doc = $doc;
is($node->safe_psql('postgres', qq{SELECT count(*) FROM kms_key_policy_history('$stream')
  WHERE version > 1 AND (operation <> 'put'
     OR policy <> replace('$q_doc', 'NNN', (version - 1)::text))}),
   '0', 'version v holds put-(v-1), in commit order');
is($node->safe_psql('postgres', qq{SELECT operation FROM kms_key_policy_history('$stream')
  WHERE version = 1}), 'create', 'version 1 is the create');
is($node->safe_psql('postgres', qq{SELECT count(*) FROM kms_key_policy_history('$stream')
  WHERE sha256 <> encode(sha256(convert_to(policy, 'UTF8')), 'hex')}),
   '0', 'every history row has the SHA-256 of its document');
is($node->safe_psql('postgres', qq{SELECT (policy = kms_get_key_policy('$stream'))
  || ':' || (sha256 = encode(sha256(convert_to(kms_get_key_policy('$stream'), 'UTF8')), 'hex'))
  FROM kms_key_policy_history('$stream') ORDER BY version DESC LIMIT 1}),
   'true:true', 'the newest history row is the stored policy, with its SHA-256');
is($node->safe_psql('postgres', qq{SELECT kms_get_key_policy('$stream')}),
   doc_for($n - 1), "the stored policy is put-" . ($n - 1));

# Writing continues with the next version.
$node->safe_psql('postgres', qq{SELECT kms_put_key_policy('$stream', '}
	. doc_for('after-restart') . qq{', expected_version => $n)});
is($node->safe_psql('postgres', qq{SELECT kms_key_policy_version('$stream')}),
   $n + 1, 'a put after the restart makes the next version');

my ($ret, $out, $err) = $node->psql('postgres',
  qq{SELECT kms_put_key_policy('$key', '{"Statement":[]}')});
like($err, qr/MalformedPolicyDocumentException/, 'validation still enforced after restart');
$node->stop;
done_testing();
