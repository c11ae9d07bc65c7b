# Warm read calls run no SQL statement: with auto_explain logging every
# statement the executor runs, nested ones (SPI's) included, a warm get,
# list and kms_authorize log only the top-level statement that called them.
# Calls that write still run statements (the control: the counting sees
# nested statements).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION kms_policy;
CREATE ROLE regress_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO regress_app;
SELECT kms_register_principal('arn:aws:iam::111122223333:user/Alice');
SELECT kms_map_role('regress_app', 'arn:aws:iam::111122223333:user/Alice');
SELECT kms_put_identity_policy('arn:aws:iam::111122223333:user/Alice', 'reads',
  '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:List*","Resource":"*"}}');
});
my $key = $node->safe_psql('postgres', q{SELECT key_id FROM kms_create_key(
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},
   {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":["kms:GetKeyPolicy","kms:ListKeyPolicies","kms:PutKeyPolicy","kms:Decrypt"],"Resource":"*",
    "Condition":{"StringEqualsIfExists":{"kms:EncryptionContext:tenant":"t1"}}}]}')});
like($key, qr/^[0-9a-f-]{36}$/, 'a key with a policy naming the role\'s principal');

my @calls = (
	[ get => qq{SELECT length(kms_get_key_policy('$key')) > 0} ],
	[ list => qq{SELECT policy_names FROM kms_list_key_policies('$key')} ],
	[ authorize => qq{SELECT kms_authorize('$key', 'arn:aws:iam::111122223333:user/Alice', 'kms:Decrypt', '{"kms:EncryptionContext:tenant": "t1"}')} ],
);
my $put = qq{SELECT kms_put_key_policy('$key', kms_get_key_policy('$key'))};

# One session: warm it with each call once, then log every statement.
my $script = "SET ROLE regress_app;\n";
$script .= "$_->[1];\n" for @calls;
$script .= "RESET ROLE; LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0;\n"
  . "SET auto_explain.log_nested_statements = on; SET auto_explain.log_level = notice;\n"
  . "SET ROLE regress_app;\n";
$script .= "SELECT '==$_->[0]';\n$_->[1];\n" for @calls;
$script .= "SELECT '==put';\n$put;\nSELECT '==end';\n";
my ($ret, $out, $err) = $node->psql('postgres', $script, on_error_stop => 1);
is($ret, 0, 'the calls ran') or diag($err);

# The notices between two markers belong to the call between them.
my %logged;
my $current = '';
for my $line (split /\n/, $err)
{
	if ($line =~ /Query Text: SELECT '==(\w+)'/) { $current = $1; next; }
	push @{ $logged{$current} }, $1 if $current && $line =~ /Query Text: (.*)/;
}
for my $c (@calls)
{
	is_deeply($logged{ $c->[0] }, [ "$c->[1];" ],
		"a warm $c->[0] runs no statement besides its own")
	  or diag(join("\n", @{ $logged{ $c->[0] } || [] }));
}
cmp_ok(scalar @{ $logged{put} || [] }, '>', 1,
	'a put runs nested statements, and the log shows them');
$node->stop;
done_testing();
