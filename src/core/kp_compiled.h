/*
 * kp_compiled.h -- public header of the policy core (libkp): compiled policies.
 *
 * A compiled policy is a compact, versioned, position-independent byte
 * string built from a validated kp_policy (kp.h) and evaluated in place,
 * like PostgreSQL's jsonb: no tree is built and nothing is allocated per
 * evaluation (a trace, and a policy variable expanding to more than 1 kB,
 * may allocate).  The layout is documented at the top of kp_compiled.c.
 *
 * Properties the glue relies on:
 *	- Position independent: offsets, never pointers; little-endian integers
 *	  read byte-wise, so the bytes may start at any address (also odd, as
 *	  inside a varlena with a 1-byte header) and be copied, stored and read
 *	  back as they are.
 *	- Deterministic: the same tree always compiles to the same bytes.
 *	- Versioned twice: KP_COMPILED_FORMAT (this layout) and KP_RULES_VERSION
 *	  (kp.h: the grammar and evaluation rules the bytes were compiled under).
 *	  A blob of another format or rules version is STALE: recompile it from
 *	  the document text, never evaluate it.
 *	- Checked: kp_compiled_check verifies the header, the length, a 64-bit
 *	  checksum over the rest and every offset and count (O(size), once per
 *	  read).  Anything else is CORRUPT: an error, never an Allow.
 *
 * The evaluator (kp_evaluate_compiled) requires checked blobs: it reads
 * offsets without checking them again.  kp_compiled_open checks and fills a
 * kp_compiled in one step; a kp_compiled should only ever be made that way
 * (or from the output of kp_policy_compile).
 *
 * kp_authorize / kp_evaluate (kp_eval.h) compile their trees and call the
 * same evaluator, so both entry points decide, and explain, identically.
 */
#ifndef KP_COMPILED_H
#define KP_COMPILED_H

#include <stddef.h>

#include "kp.h"
#include "kp_eval.h"

/* The layout version of compiled policies (kp_compiled.c). */
#define KP_COMPILED_FORMAT 1

/* A checked compiled policy: data[0..len) (any alignment). */
typedef struct kp_compiled
{
	const unsigned char *data;
	size_t		len;
} kp_compiled;

/*
 * Compile a policy tree (from kp_policy_parse) into *out, a malloc'd byte
 * string of *out_len bytes the caller releases with free().  Returns KP_OK,
 * KP_ERR_NOMEM, KP_ERR_LIMIT (a tree whose compiled form would exceed
 * 4 GB) or KP_ERR_MALFORMED (a tree with a NULL action, resource, condition
 * key or value, which kp_policy_parse never builds).  err may be NULL.
 */
extern kp_status kp_policy_compile(const kp_policy *policy,
								   unsigned char **out, size_t *out_len,
								   kp_error *err);

/*
 * Check data[0..len) (any alignment).  Returns KP_OK; KP_ERR_STALE when the
 * bytes are a compiled policy of another KP_COMPILED_FORMAT or
 * KP_RULES_VERSION (recompile from the document); KP_ERR_CORRUPT when they
 * are not a sound compiled policy (truncated, wrong length, bad magic, bad
 * checksum, an offset, count or value out of range).  err may be NULL; its
 * detail then says what is wrong.
 */
extern kp_status kp_compiled_check(const void *data, size_t len,
								   kp_error *err);

/* kp_compiled_check, then *out = {data, len} on success. */
extern kp_status kp_compiled_open(const void *data, size_t len,
								  kp_compiled *out, kp_error *err);

/* Accessors of a checked blob. */
extern kp_dialect kp_compiled_dialect(const kp_compiled *policy);
extern kp_doc_kind kp_compiled_kind(const kp_compiled *policy);
extern kp_version kp_compiled_version(const kp_compiled *policy);
extern size_t kp_compiled_statement_count(const kp_compiled *policy);

/*
 * kp_evaluate (kp_eval.h) on compiled policies: key_policy NULL means none;
 * identity (n_identity entries, may be NULL when n_identity is 0; a NULL
 * entry is skipped) are the caller's identity policies.  Every blob must
 * have been checked (kp_compiled_open).  Returns KP_OK with *decision set,
 * or KP_ERR_INTERRUPTED with *decision KP_DECISION_IMPLICIT_DENY and the
 * trace freed.  Nothing is allocated unless trace is not NULL (or a policy
 * variable expands to more than 1 kB).
 */
extern kp_status kp_evaluate_compiled(const kp_compiled *key_policy,
									  const kp_compiled *const *identity,
									  size_t n_identity,
									  const kp_request *req,
									  kp_trace *trace,
									  kp_decision *decision);

/* kp_evaluate_compiled that fails closed (implicit deny) when interrupted. */
extern kp_decision kp_authorize_compiled(const kp_compiled *key_policy,
										 const kp_compiled *const *identity,
										 size_t n_identity,
										 const kp_request *req,
										 kp_trace *trace);

#endif							/* KP_COMPILED_H */
