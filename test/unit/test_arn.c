/*
 * test_arn.c -- unit tests of the identifier and ARN helpers (src/core/kp_arn.c).
 *
 * Built without PostgreSQL and run under ASan/LSan/UBSan:
 *	make test/unit/test_arn_test && ./test/unit/test_arn_test
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kp.h"

static void
test_arn_split_aws(void **state)
{
	kp_arn		a;

	assert_true(kp_arn_split("arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", &a));
	assert_string_equal(a.prefix, "arn");
	assert_string_equal(a.partition, "aws");
	assert_string_equal(a.service, "kms");
	assert_string_equal(a.region, "us-west-2");
	assert_string_equal(a.account, "111122223333");
	assert_string_equal(a.resource, "key/1234abcd-12ab-34cd-56ef-1234567890ab");

	/* empty region and account parts */
	assert_true(kp_arn_split("arn:aws:iam::111122223333:root", &a));
	assert_string_equal(a.region, "");
	assert_string_equal(a.resource, "root");
	assert_true(kp_arn_split("arn:aws:s3:::bucket/key", &a));
	assert_string_equal(a.account, "");
	assert_string_equal(a.resource, "bucket/key");

	/* the resource may contain ':' */
	assert_true(kp_arn_split("arn:aws-cn:logs:cn-north-1:111122223333:log-group:/a/b:*", &a));
	assert_string_equal(a.partition, "aws-cn");
	assert_string_equal(a.resource, "log-group:/a/b:*");

	/* empty resource is still six parts */
	assert_true(kp_arn_split("arn:aws:kms:us-east-1:111122223333:", &a));
	assert_string_equal(a.resource, "");
}

static void
test_arn_split_acs(void **state)
{
	kp_arn		a;

	assert_true(kp_arn_split("acs:kms:cn-hangzhou:1234567890123456:key/key-hzz630494463ejqjx1234", &a));
	assert_string_equal(a.prefix, "acs");
	assert_string_equal(a.partition, "");
	assert_string_equal(a.service, "kms");
	assert_string_equal(a.region, "cn-hangzhou");
	assert_string_equal(a.account, "1234567890123456");
	assert_string_equal(a.resource, "key/key-hzz630494463ejqjx1234");

	assert_true(kp_arn_split("acs:ram::1903253031261234:*", &a));
	assert_string_equal(a.service, "ram");
	assert_string_equal(a.region, "");
	assert_string_equal(a.resource, "*");

	assert_false(kp_arn_split("acs:ram::123", &a));
}

static void
test_arn_split_refused(void **state)
{
	kp_arn		a;
	char		big[4096];

	assert_false(kp_arn_split(NULL, &a));
	assert_false(kp_arn_split("", &a));
	assert_false(kp_arn_split("arn", &a));
	assert_false(kp_arn_split("arn:aws:kms:us-east-1:111122223333", &a));
	assert_false(kp_arn_split("arn:aws:kms", &a));
	assert_false(kp_arn_split("ARN:aws:kms:us-east-1:111122223333:key/x", &a));
	assert_false(kp_arn_split("urn:aws:kms:us-east-1:111122223333:key/x", &a));
	assert_false(kp_arn_split("1234abcd-12ab-34cd-56ef-1234567890ab", &a));

	/* parts that do not fit the struct */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "arn:aws:kms:us-east-1:111122223333:", 35);
	assert_false(kp_arn_split(big, &a));	/* resource > 2047 */
	memset(big, 'x', 200);
	memcpy(big, "arn:aws:", 8);
	memcpy(big + 100, ":r:a:x", 7);
	assert_false(kp_arn_split(big, &a));	/* service > 63 */
}

static void
test_aws_key_ids(void **state)
{
	assert_true(kp_is_aws_key_id("1234abcd-12ab-34cd-56ef-1234567890ab"));
	assert_true(kp_is_aws_key_id("1234ABCD-12AB-34CD-56EF-1234567890AB"));
	assert_false(kp_is_aws_key_id("1234abcd-12ab-34cd-56ef-1234567890a"));
	assert_false(kp_is_aws_key_id("1234abcd-12ab-34cd-56ef-1234567890abc"));
	assert_false(kp_is_aws_key_id("1234abcd12ab34cd56ef1234567890ab"));
	assert_false(kp_is_aws_key_id("134f2428cec14b25a1ae9048164dba47"));
	assert_false(kp_is_aws_key_id("1234abcd-12ab-34cd-56ef_1234567890ab"));
	assert_false(kp_is_aws_key_id("g234abcd-12ab-34cd-56ef-1234567890ab"));
	assert_false(kp_is_aws_key_id("fake-key-id"));
	assert_false(kp_is_aws_key_id("mrk-1234abcd12ab34cd56ef1234567890ab"));
	assert_false(kp_is_aws_key_id(""));
	assert_false(kp_is_aws_key_id(NULL));

	assert_true(kp_is_aws_mrk_id("mrk-1234abcd12ab34cd56ef1234567890ab"));
	assert_true(kp_is_aws_mrk_id("mrk-1234ABCD12AB34CD56EF1234567890AB"));
	/* the 33-digit typo of the botocore example */
	assert_false(kp_is_aws_mrk_id("mrk-1234abcd12ab34cd56ef12345678990ab"));
	assert_false(kp_is_aws_mrk_id("mrk-1234abcd12ab34cd56ef1234567890a"));
	assert_false(kp_is_aws_mrk_id("MRK-1234abcd12ab34cd56ef1234567890ab"));
	assert_false(kp_is_aws_mrk_id("mrk-fake-key-id"));
	assert_false(kp_is_aws_mrk_id("mrk-1234abcd-12ab-34cd-56ef-1234567890ab"));
	assert_false(kp_is_aws_mrk_id("1234abcd-12ab-34cd-56ef-1234567890ab"));
	assert_false(kp_is_aws_mrk_id(NULL));
}

static void
test_alibaba_key_ids(void **state)
{
	assert_true(kp_is_alibaba_key_id("key-hzz630494463ejqjx1234"));
	assert_true(kp_is_alibaba_key_id("key-12345678"));
	assert_true(kp_is_alibaba_key_id("key-1234567890123456789012345678901234567890123456789012345678901234"));
	assert_false(kp_is_alibaba_key_id("key-12345678901234567890123456789012345678901234567890123456789012345"));
	assert_false(kp_is_alibaba_key_id("key-1234567"));
	assert_false(kp_is_alibaba_key_id("key-hzz630494463ejqjx****"));
	assert_false(kp_is_alibaba_key_id("key-HZZ630494463ejqjx1234"));
	assert_false(kp_is_alibaba_key_id("Key-hzz630494463ejqjx1234"));
	assert_false(kp_is_alibaba_key_id("key-"));
	assert_false(kp_is_alibaba_key_id("hzz630494463ejqjx1234"));
	assert_false(kp_is_alibaba_key_id(NULL));
}

static void
test_account_ids(void **state)
{
	assert_true(kp_is_aws_account_id("111122223333"));
	assert_true(kp_is_aws_account_id("000000000000"));
	assert_false(kp_is_aws_account_id("11112222333"));
	assert_false(kp_is_aws_account_id("1111222233334"));
	assert_false(kp_is_aws_account_id("11112222333a"));
	assert_false(kp_is_aws_account_id(" 111122223333"));
	assert_false(kp_is_aws_account_id(""));
	assert_false(kp_is_aws_account_id(NULL));

	assert_true(kp_is_alibaba_account_id("1903253031261234"));
	assert_false(kp_is_alibaba_account_id("190325303126****"));
	assert_false(kp_is_alibaba_account_id("190325303126123"));
	assert_false(kp_is_alibaba_account_id("19032530312612345"));
	assert_false(kp_is_alibaba_account_id("111122223333"));
	assert_false(kp_is_alibaba_account_id(NULL));
}

static void
test_partition_for_region(void **state)
{
	assert_string_equal(kp_partition_for_region("us-east-1"), "aws");
	assert_string_equal(kp_partition_for_region("us-west-2"), "aws");
	assert_string_equal(kp_partition_for_region("eu-central-1"), "aws");
	assert_string_equal(kp_partition_for_region("ap-southeast-4"), "aws");
	assert_string_equal(kp_partition_for_region("sa-east-1"), "aws");
	assert_string_equal(kp_partition_for_region("ca-west-1"), "aws");
	assert_string_equal(kp_partition_for_region("me-central-1"), "aws");
	assert_string_equal(kp_partition_for_region("af-south-1"), "aws");
	assert_string_equal(kp_partition_for_region("il-central-1"), "aws");
	assert_string_equal(kp_partition_for_region("mx-central-1"), "aws");
	assert_string_equal(kp_partition_for_region("cn-north-1"), "aws-cn");
	assert_string_equal(kp_partition_for_region("cn-northwest-1"), "aws-cn");
	assert_string_equal(kp_partition_for_region("us-gov-west-1"), "aws-us-gov");
	assert_string_equal(kp_partition_for_region("us-gov-east-1"), "aws-us-gov");
	assert_string_equal(kp_partition_for_region("us-iso-east-1"), "aws-iso");
	assert_string_equal(kp_partition_for_region("us-isob-east-1"), "aws-iso-b");
	assert_string_equal(kp_partition_for_region("eu-isoe-west-1"), "aws-iso-e");
	assert_string_equal(kp_partition_for_region("us-isof-south-1"), "aws-iso-f");
	assert_string_equal(kp_partition_for_region("eusc-de-east-1"), "aws-eusc");
	/* \w includes digits and '_' */
	assert_string_equal(kp_partition_for_region("us-east_2-10"), "aws");

	assert_null(kp_partition_for_region("us-east"));
	assert_null(kp_partition_for_region("us-east-"));
	assert_null(kp_partition_for_region("us--1"));
	assert_null(kp_partition_for_region("us-east-1a"));
	assert_null(kp_partition_for_region("US-EAST-1"));
	assert_null(kp_partition_for_region("xx-east-1"));
	assert_null(kp_partition_for_region("eusc-fr-east-1"));
	assert_null(kp_partition_for_region("us-gov-1"));
	assert_null(kp_partition_for_region("us-iso-1"));
	assert_null(kp_partition_for_region("us-isob-1"));
	assert_null(kp_partition_for_region("eu-isoe-1"));
	assert_null(kp_partition_for_region("cn-hangzhou"));
	assert_null(kp_partition_for_region(""));
	assert_null(kp_partition_for_region(NULL));
}

static void
test_is_partition(void **state)
{
	assert_true(kp_is_partition("aws"));
	assert_true(kp_is_partition("aws-cn"));
	assert_true(kp_is_partition("aws-us-gov"));
	assert_true(kp_is_partition("aws-iso"));
	assert_true(kp_is_partition("aws-iso-b"));
	assert_true(kp_is_partition("aws-iso-e"));
	assert_true(kp_is_partition("aws-iso-f"));
	assert_true(kp_is_partition("aws-eusc"));
	assert_false(kp_is_partition("AWS"));
	assert_false(kp_is_partition("aws-"));
	assert_false(kp_is_partition("aws-isob"));
	assert_false(kp_is_partition("acs"));
	assert_false(kp_is_partition(""));
	assert_false(kp_is_partition(NULL));
}

static void
test_alibaba_region(void **state)
{
	assert_true(kp_is_alibaba_region("cn-hangzhou"));
	assert_true(kp_is_alibaba_region("cn-shanghai-finance-1"));
	assert_true(kp_is_alibaba_region("ap-southeast-1"));
	assert_true(kp_is_alibaba_region("us-west-1"));
	assert_true(kp_is_alibaba_region("eu-central-1"));
	assert_false(kp_is_alibaba_region("hangzhou"));
	assert_false(kp_is_alibaba_region("cn-"));
	assert_false(kp_is_alibaba_region("-cn-hangzhou"));
	assert_false(kp_is_alibaba_region("cn--hangzhou"));
	assert_false(kp_is_alibaba_region("1cn-hangzhou"));
	assert_false(kp_is_alibaba_region("CN-Hangzhou"));
	assert_false(kp_is_alibaba_region("cn_hangzhou"));
	assert_false(kp_is_alibaba_region("cn-hangzhou "));
	assert_false(kp_is_alibaba_region(""));
	assert_false(kp_is_alibaba_region(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arn_split_aws),
		cmocka_unit_test(test_arn_split_acs),
		cmocka_unit_test(test_arn_split_refused),
		cmocka_unit_test(test_aws_key_ids),
		cmocka_unit_test(test_alibaba_key_ids),
		cmocka_unit_test(test_account_ids),
		cmocka_unit_test(test_partition_for_region),
		cmocka_unit_test(test_is_partition),
		cmocka_unit_test(test_alibaba_region),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
