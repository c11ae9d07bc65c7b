# Logical replication: the subscriber's triggers are ENABLE ALWAYS, so its
# apply worker (session_replication_role = replica) holds every replicated
# row to the subscriber's own rules.  A row the subscriber refuses stops
# replication with the trigger's error in the subscriber's log, until the
# subscriber has what the row needs (here: the principal a policy names) or
# the transaction is skipped.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $pub = PostgreSQL::Test::Cluster->new('publisher');
$pub->init(allows_streaming => 'logical');
$pub->start;
my $sub = PostgreSQL::Test::Cluster->new('subscriber');
$sub->init;
# Restart a failed apply worker quickly.
$sub->append_conf('postgresql.conf', 'wal_retrieve_retry_interval = 100ms');
$sub->start;

$pub->safe_psql('postgres', q{
  CREATE EXTENSION kms_policy;
  CREATE PUBLICATION kp FOR TABLE kms_policy.keys, kms_policy.key_policies;
});
$sub->safe_psql('postgres', 'CREATE EXTENSION kms_policy');
my $pub_connstr = $pub->connstr . ' dbname=postgres';
$sub->safe_psql('postgres', "CREATE SUBSCRIPTION kp CONNECTION '$pub_connstr' PUBLICATION kp");
$sub->wait_for_subscription_sync($pub, 'kp');

my $policies = q{SELECT string_agg(key_id || '=' || policy, '|' ORDER BY key_id) FROM kms_policy.key_policies};

# A key with the default policy (naming the account root, known everywhere)
# replicates.
my $key = $pub->safe_psql('postgres', 'SELECT key_id FROM kms_create_key()');
$pub->wait_for_catchup('kp');
is($sub->safe_psql('postgres', $policies), $pub->safe_psql('postgres', $policies),
   'a key and its default policy replicate');
my $default_policy = $sub->safe_psql('postgres', $policies);

# Wait until the subscriber's log, from $offset, shows the error; return the
# LSN at which the refused remote transaction finished.
sub refused
{
	my ($regexp, $offset) = @_;
	$sub->wait_for_log(qr/$regexp/, $offset);
	my $log = slurp_file($sub->logfile, $offset);
	$log =~ m/$regexp.*?finished at ([0-9A-F]+\/[0-9A-F]+)/s
	  or die "no finish LSN after $regexp";
	return $1;
}

# 1. A policy naming a principal the subscriber never registered: refused by
# the subscriber's key_policies trigger, until the subscriber registers it.
my $alice = 'arn:aws:iam::111122223333:user/Alice';
my $alice_policy = qq{{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"$alice"},"Action":"kms:Decrypt","Resource":"*"}]}};
my $offset = -s $sub->logfile;
$pub->safe_psql('postgres', qq{
  SELECT kms_register_principal('$alice');
  SELECT kms_put_key_policy('$key', '$alice_policy');
});
refused('MalformedPolicyDocumentException: Policy contains a statement with one or more invalid principals', $offset);
pass('the subscriber refuses a policy naming a principal it does not know');
is($sub->safe_psql('postgres', $policies), $default_policy,
   'the subscriber keeps the policy it had');
$sub->safe_psql('postgres', qq{SELECT kms_register_principal('$alice')});
$pub->wait_for_catchup('kp');
is($sub->safe_psql('postgres', $policies), $pub->safe_psql('postgres', $policies),
   'once the subscriber registers the principal, the policy arrives');
is($sub->safe_psql('postgres', 'SELECT principal FROM kms_policy.key_policy_principals'), $alice,
   'the subscriber holds its own reference to the principal');
my $good = $sub->safe_psql('postgres', $policies);

# 2. An invalid document stored on the publisher by a superuser who disabled
# the publisher's trigger: the subscriber's trigger refuses it.  The
# transaction is then skipped on the subscriber.
$offset = -s $sub->logfile;
$pub->safe_psql('postgres', q{
  BEGIN;
  ALTER TABLE kms_policy.key_policies DISABLE TRIGGER key_policies_validate,
      DISABLE TRIGGER key_policies_principals;
  UPDATE kms_policy.key_policies SET policy = '{"Statement":{"Effect":"Allow"}}';
  ALTER TABLE kms_policy.key_policies ENABLE ALWAYS TRIGGER key_policies_validate,
      ENABLE ALWAYS TRIGGER key_policies_principals;
  COMMIT;
});
my $lsn = refused('MalformedPolicyDocumentException', $offset);
pass('the subscriber refuses an invalid document');
is($sub->safe_psql('postgres', $policies), $good, 'the subscriber keeps the valid policy');
$sub->safe_psql('postgres', "ALTER SUBSCRIPTION kp SKIP (lsn = '$lsn')");

# 3. Deleting the key's policy row (the key stays) on the publisher, behind
# its disabled trigger: refused by the subscriber.
$offset = -s $sub->logfile;
$pub->safe_psql('postgres', q{
  BEGIN;
  ALTER TABLE kms_policy.key_policies DISABLE TRIGGER key_policies_validate;
  DELETE FROM kms_policy.key_policies;
  ALTER TABLE kms_policy.key_policies ENABLE ALWAYS TRIGGER key_policies_validate;
  COMMIT;
});
$lsn = refused('UnsupportedOperationException: a key policy cannot be deleted', $offset);
pass('the subscriber refuses to delete the policy of a key that exists');
is($sub->safe_psql('postgres', $policies), $good, 'the subscriber keeps the policy');
$sub->safe_psql('postgres', "ALTER SUBSCRIPTION kp SKIP (lsn = '$lsn')");

# 4. A replicated TRUNCATE is refused by the subscriber: the apply worker
# truncates without CASCADE, so PostgreSQL's own check refuses it first
# (key_policy_principals references key_policies and is not replicated);
# the TRUNCATE guard, which fires in replica mode too, stands behind it
# (sql/direct_writes.sql).
$offset = -s $sub->logfile;
$pub->safe_psql('postgres', q{
  BEGIN;
  ALTER TABLE kms_policy.key_policies DISABLE TRIGGER key_policies_refuse_truncate;
  ALTER TABLE kms_policy.key_policy_principals DISABLE TRIGGER key_policy_principals_refuse_truncate;
  TRUNCATE kms_policy.key_policies CASCADE;
  ALTER TABLE kms_policy.key_policies ENABLE ALWAYS TRIGGER key_policies_refuse_truncate;
  ALTER TABLE kms_policy.key_policy_principals ENABLE ALWAYS TRIGGER key_policy_principals_refuse_truncate;
  COMMIT;
});
$lsn = refused('cannot truncate (?:table kms_policy\.key_policies|a table referenced in a foreign key constraint)', $offset);
pass('the subscriber refuses a replicated TRUNCATE');
is($sub->safe_psql('postgres', $policies), $good, 'the subscriber keeps the policy');
$sub->safe_psql('postgres', "ALTER SUBSCRIPTION kp SKIP (lsn = '$lsn')");

# The skips left the subscriber with a policy row the publisher no longer
# has.  Deleting the key on the publisher (which has no policy row left to
# cascade to) deletes it on the subscriber with its policy: the subscriber's
# keys_deleted trigger does what the foreign keys' cascades do not do in
# replica mode (the policy names Alice: its reference goes too).
$pub->safe_psql('postgres', "DELETE FROM kms_policy.keys WHERE key_id = '$key'");
$pub->wait_for_catchup('kp');
is($sub->safe_psql('postgres', 'SELECT count(*) FROM kms_policy.keys') . '/'
   . $sub->safe_psql('postgres', 'SELECT count(*) FROM kms_policy.key_policies') . '/'
   . $sub->safe_psql('postgres', 'SELECT count(*) FROM kms_policy.key_policy_principals'),
   '0/0/0', 'deleting a key on the publisher deletes it, its policy and the policy\'s principal references on the subscriber');

# Valid changes replicate again.
$pub->safe_psql('postgres', qq{SELECT kms_create_key('$alice_policy')});
$pub->wait_for_catchup('kp');
is($sub->safe_psql('postgres', $policies), $pub->safe_psql('postgres', $policies),
   'valid changes replicate after the skipped transactions');

# The subscriber's trigger computed the compiled forms of the replicated
# documents itself: the same bytes as the publisher's.
my $forms = q{SELECT string_agg(key_id || '=' || md5(compiled), ',' ORDER BY key_id)
  FROM kms_policy.key_policies};
is($sub->safe_psql('postgres', $forms), $pub->safe_psql('postgres', $forms),
   'the subscriber computed the same compiled forms');
$sub->stop;
$pub->stop;
done_testing();
