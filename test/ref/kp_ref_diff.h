/*
 * kp_ref_diff.h -- comparison of two traces, for the differential tests
 * (test/unit/test_compiled.c, test/fuzz/fuzz_compiled.c).
 *
 * Header-only (static functions): every field of every entry, the decision,
 * the summary and the incompleteness flag must be equal.
 */
#ifndef KP_REF_DIFF_H
#define KP_REF_DIFF_H

#include <stdio.h>
#include <string.h>

#include "kp_eval.h"

static inline bool
kp_ref_str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * NULL when traces a and b are identical, else a description of the first
 * difference (in buf).
 */
static inline const char *
kp_ref_trace_diff(const kp_trace *a, const kp_trace *b, char *buf, size_t size)
{
	size_t		i;

	if (a->decision != b->decision)
		return snprintf(buf, size, "decision %d vs %d", (int) a->decision,
						(int) b->decision), buf;
	if (!kp_ref_str_eq(a->summary, b->summary))
		return snprintf(buf, size, "summary \"%s\" vs \"%s\"",
						a->summary ? a->summary : "(null)",
						b->summary ? b->summary : "(null)"), buf;
	if (a->incomplete != b->incomplete)
		return snprintf(buf, size, "incomplete %d vs %d", a->incomplete,
						b->incomplete), buf;
	if (a->n_entries != b->n_entries)
		return snprintf(buf, size, "%zu entries vs %zu", a->n_entries,
						b->n_entries), buf;
	for (i = 0; i < a->n_entries; i++)
	{
		const kp_trace_entry *x = &a->entries[i];
		const kp_trace_entry *y = &b->entries[i];

		if (strcmp(x->label, y->label) != 0 || x->policy_index != y->policy_index ||
			x->statement != y->statement || !kp_ref_str_eq(x->sid, y->sid) ||
			x->allow != y->allow || x->outcome != y->outcome || x->via != y->via ||
			x->identity_granted != y->identity_granted ||
			!kp_ref_str_eq(x->detail, y->detail))
			return snprintf(buf, size, "entry %zu: %s %zu %s/%d/%d/%d \"%s\" vs "
							"%s %zu %s/%d/%d/%d \"%s\"", i,
							x->label, x->statement, x->sid ? x->sid : "-",
							(int) x->outcome, (int) x->via, x->identity_granted,
							x->detail ? x->detail : "(null)",
							y->label, y->statement, y->sid ? y->sid : "-",
							(int) y->outcome, (int) y->via, y->identity_granted,
							y->detail ? y->detail : "(null)"), buf;
	}
	return NULL;
}

#endif							/* KP_REF_DIFF_H */
