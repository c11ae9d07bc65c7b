/*
 * fuzz_analyze.c -- libFuzzer target over the access analysis (kp_analyze.h).
 *
 * Input: the first byte picks the question, the rest seeds two policies.
 *   mode 0-3  two policies of the oracle's pool (test/ref/analysis_oracle.c)
 *             from the two halves of the input: kpa_compare new vs old, as
 *             CheckNoNewAccess (0, 1), CheckAccessNotGranted for some
 *             actions (2), CheckNoPublicAccess (3);
 *   mode 4    the rest of the input as a policy document, when the grammar
 *             accepts it (any patterns, any operands), against the empty
 *             policy and against itself, and kpa_key_access of it.
 * Checks, besides ASan/LSan/UBSan: no error but out of memory; every FAIL
 * witness is allowed by the new policy and not by the old one (replayed by
 * kp_authorize); a PASS is never contradicted by random requests from the
 * oracle's value pool; a policy against itself is PASS.
 * Build and run: make fuzz.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp.h"
#include "kp_analyze.h"
#include "analysis_oracle.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const kp_policy *gain, const kp_policy *base, const kpa_opts *o,
	  uint64_t seed, int samples)
{
	kpa_report	r;
	kp_error	err;
	char		why[800];

	if (kpa_compare(gain, base, o, &r, &err) != KP_OK)
	{
		if (err.status == KP_ERR_NOMEM)
			return;
		fprintf(stderr, "kpa_compare failed: %s\n", err.detail);
		abort();
	}
	if (!aor_check(gain, base, o, &r, seed, samples, why, sizeof(why)))
	{
		fprintf(stderr, "%s\n", why);
		abort();
	}
	for (size_t i = 0; i < r.n_rows; i++)
		if (r.rows[i].result == KPA_FAIL &&
			(!aor_allowed(gain, r.rows[i].principal, r.rows[i].principal_is_service,
						  r.rows[i].action, r.rows[i].context) ||
			 aor_allowed(base, r.rows[i].principal, r.rows[i].principal_is_service,
						 r.rows[i].action, r.rows[i].context)))
		{
			fprintf(stderr, "witness not confirmed\n");
			abort();
		}
	kpa_report_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kpa_opts	o;
	unsigned	mode;
	uint64_t	seed = 1469598103934665603ULL;

	if (size < 1)
		return 0;
	for (size_t i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 1099511628211ULL;
	mode = data[0] % 5;
	aor_opts(&o);
	o.budget = 200000;			/* bounded work per input; beyond: UNKNOWN */
	if (mode < 4)
	{
		char		da[8192];
		char		db[8192];
		size_t		half = (size - 1) / 2;
		kp_policy  *pa;
		kp_policy  *pb;
		static const char *const acts[] = {"kms:Decrypt", "kms:Put*"};

		aor_policy_doc(data + 1, half, da, sizeof(da));
		aor_policy_doc(data + 1 + half, size - 1 - half, db, sizeof(db));
		pa = aor_parse(da);
		pb = aor_parse(db);
		if (pa == NULL || pb == NULL)
		{
			fprintf(stderr, "pool policy refused: %s / %s\n", da, db);
			abort();
		}
		if (mode == 2)
		{
			o.actions = acts;
			o.n_actions = 2;
			check(pa, NULL, &o, seed, 60);
		}
		else if (mode == 3)
		{
			o.outsiders_only = true;
			check(pa, NULL, &o, seed, 60);
		}
		else
		{
			check(pa, pb, &o, seed, 60);
			check(pa, pa, &o, seed, 0);
		}
		kp_policy_free(pa);
		kp_policy_free(pb);
	}
	else
	{
		char	   *doc = malloc(size);
		kp_policy  *p;

		if (doc == NULL)
			return 0;
		memcpy(doc, data + 1, size - 1);
		doc[size - 1] = '\0';
		p = aor_parse(doc);
		free(doc);
		if (p != NULL)
		{
			kpa_access_row *rows;
			size_t		n;
			kp_error	err;
			kpa_report	r;

			check(p, NULL, &o, seed, 30);
			if (kpa_compare(p, p, &o, &r, &err) == KP_OK)
			{
				if (r.result == KPA_FAIL)
				{
					fprintf(stderr, "a policy against itself is FAIL\n");
					abort();
				}
				kpa_report_free(&r);
			}
			if (kpa_key_access(p, &o, &rows, &n, &err) == KP_OK)
				kpa_access_rows_free(rows, n);
			kp_policy_free(p);
		}
	}
	return 0;
}
