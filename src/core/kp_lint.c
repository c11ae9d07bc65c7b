/*
 * kp_lint.c -- policy validation findings (policy core), in the manner of
 * IAM Access Analyzer's ValidatePolicy.
 *
 * One rule in one place: whether a document is valid is what
 * kp_policy_parse says, and nothing here checks the grammar again.  A refused
 * document gives one ERROR finding, its kp_error.  An accepted one is linted
 * on its compiled tree (kp.h): every finding is about something the grammar
 * accepts but that likely does not mean what its author wanted:
 *
 *	UNKNOWN_ACTION                     WARNING           the parse's notes, with
 *	                                                     the nearest KMS action
 *	NOT_ACTION_WITH_ALLOW              SECURITY_WARNING
 *	PUBLIC_ACCESS                      SECURITY_WARNING  "*" in an Allow without
 *	                                                     a restricting condition
 *	REDUNDANT_ACTION                   SUGGESTION
 *	REDUNDANT_STATEMENT                SUGGESTION
 *	TYPE_MISMATCH                      WARNING           operator vs key type
 *	SET_OPERATOR_ON_SINGLE_VALUED_KEY  WARNING           ForAnyValue on a
 *	                                                     single-valued key
 *	IMPOSSIBLE_RANGE                   WARNING
 *	MISSING_VERSION                    WARNING
 *	OUTDATED_VERSION                   SUGGESTION
 *	DUPLICATE_SID                      WARNING
 *
 * The only JSON read here is the scanner's tree of a document the parse has
 * accepted (internal/kp_jdom.h), for one fact the compiled tree does not
 * keep: whether Statement is an array, which the paths need.  Plain C, no
 * PostgreSQL header, no global state.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kp.h"
#include "kp_eval.h"
#include "kp_lint.h"
#include "internal/kp_iam.h"
#include "internal/kp_jdom.h"
#include "internal/kp_operand.h"

#define MSG_NOMEM "Out of memory while validating the policy."
#define MSG_INTERRUPTED "Policy validation was interrupted."

/* How much of a user-supplied value a message quotes. */
#define QUOTE_MAX 120
/* Longest action a suggestion is computed for (edit distance is O(n*m)). */
#define SUGGEST_MAX_LEN 128
/* Largest edit distance a suggestion may have. */
#define SUGGEST_MAX_DIST 3

typedef struct lctx
{
	const kp_policy *pol;
	bool		stmt_array;		/* the document's Statement is an array */
	kp_finding *f;
	size_t		n;
	size_t		cap;
	bool		oom;
	kp_poll		poll;
	/* per statement: the KMS actions each action pattern matches */
	uint64_t  **masks;
} lctx;

const char *
kp_finding_type_name(kp_finding_type type)
{
	switch (type)
	{
		case KP_FINDING_ERROR:
			return "ERROR";
		case KP_FINDING_SECURITY_WARNING:
			return "SECURITY_WARNING";
		case KP_FINDING_WARNING:
			return "WARNING";
		case KP_FINDING_SUGGESTION:
			return "SUGGESTION";
	}
	return "ERROR";
}

const char *
kp_error_issue_code(kp_status status)
{
	switch (status)
	{
		case KP_ERR_VALIDATION:
			return "VALIDATION";
		case KP_ERR_LIMIT:
			return "LIMIT_EXCEEDED";
		case KP_ERR_INVALID_ARN:
			return "INVALID_ARN";
		default:
			return "MALFORMED_POLICY_DOCUMENT";
	}
}

void
kp_findings_free(kp_finding *findings, size_t n)
{
	if (findings == NULL)
		return;
	for (size_t i = 0; i < n; i++)
	{
		free(findings[i].message);
		free(findings[i].path);
	}
	free(findings);
}

static void
add(lctx *c, kp_finding_type type, const char *code, const char *path,
	const char *fmt,...)
	__attribute__((format(printf, 5, 6)));

static void
add(lctx *c, kp_finding_type type, const char *code, const char *path,
	const char *fmt,...)
{
	char		msg[1024];
	va_list		ap;
	kp_finding *fd;

	if (c->oom)
		return;
	if (c->n == c->cap)
	{
		size_t		cap = c->cap ? c->cap * 2 : 8;
		kp_finding *nf = realloc(c->f, cap * sizeof(kp_finding));

		if (nf == NULL)
		{
			c->oom = true;
			return;
		}
		c->f = nf;
		c->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fd = &c->f[c->n];
	fd->type = type;
	fd->code = code;
	fd->message = strdup(msg);
	fd->path = strdup(path ? path : "");
	c->n++;
	if (fd->message == NULL || fd->path == NULL)
		c->oom = true;
}

static void
stmt_path(const lctx *c, size_t i, char *buf, size_t buflen)
{
	if (c->stmt_array)
		snprintf(buf, buflen, "Statement[%zu]", i);
	else
		snprintf(buf, buflen, "Statement");
}

static bool
has_wildcard(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

static char
ascii_lower(char ch)
{
	return (ch >= 'A' && ch <= 'Z') ? (char) (ch - 'A' + 'a') : ch;
}

/* ------------------------------------------------------------------------
 * Actions
 * ------------------------------------------------------------------------ */

/* Case-insensitive Levenshtein distance of two short strings. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t		la = strlen(a);
	size_t		lb = strlen(b);
	size_t		row[SUGGEST_MAX_LEN + 1];

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++)
	{
		size_t		diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++)
		{
			size_t		up = row[j];
			size_t		best = diag + (ascii_lower(a[i - 1]) != ascii_lower(b[j - 1]));

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/*
 * The KMS action nearest to value by edit distance ("kms:GetKeyPolcy" ->
 * "GetKeyPolicy"), or NULL when none is near enough or value is a pattern.
 */
static const char *
nearest_action(const char *value)
{
	char		full[SUGGEST_MAX_LEN + 8];
	size_t		best = SIZE_MAX;
	const char *name = NULL;
	size_t		len = strlen(value);

	if (has_wildcard(value) || len == 0 || len > SUGGEST_MAX_LEN)
		return NULL;
	for (size_t i = 0; i < kp_kms_action_count; i++)
	{
		size_t		d;

		snprintf(full, sizeof(full), "kms:%s", kp_kms_action_names[i]);
		d = edit_distance(value, full);
		/* "GetKeyPolicy" without its prefix */
		if (strchr(value, ':') == NULL)
		{
			size_t		d2 = edit_distance(value, kp_kms_action_names[i]);

			if (d2 < d)
				d = d2;
		}
		if (d < best)
		{
			best = d;
			name = kp_kms_action_names[i];
		}
	}
	if (name == NULL || best > SUGGEST_MAX_DIST || best * 2 >= len)
		return NULL;
	return name;
}

/* The KMS actions (bits in kp_kms_action_names order) a pattern matches. */
static uint64_t
kms_mask(const char *pattern)
{
	char		full[160];
	uint64_t	m = 0;

	for (size_t i = 0; i < kp_kms_action_count && i < 64; i++)
	{
		snprintf(full, sizeof(full), "kms:%s", kp_kms_action_names[i]);
		if (kp_action_matches(pattern, full))
			m |= UINT64_C(1) << i;
	}
	return m;
}

/* "kms:*", "s3:Get*", "*": one '*', at the end, no '?'. */
static bool
is_prefix_pattern(const char *p)
{
	const char *w = strpbrk(p, "*?");

	return w != NULL && *w == '*' && w[1] == '\0';
}

/*
 * Does every action pattern a allows also match pattern b's actions?  In a
 * key policy (use_set) only the KMS actions count, so two patterns compare
 * by the KMS actions they match; otherwise (other services, actions that
 * match no KMS action) a literal is covered by any pattern matching it, and
 * a pattern by an equal one or a prefix pattern matching its text.
 */
static bool
action_covers(const char *a, uint64_t ma, const char *b, uint64_t mb,
			  bool use_set)
{
	if (use_set && mb != 0)
		return (mb & ~ma) == 0;
	if (!has_wildcard(b))
		return kp_action_matches(a, b);
	if (kp_ascii_casecmp(a, b) == 0)
		return true;
	return is_prefix_pattern(a) && kp_action_matches(a, b);
}

static bool
use_kms_sets(const lctx *c)
{
	return c->pol->dialect == KP_DIALECT_AWS && c->pol->kind == KP_DOC_KEY_POLICY &&
		kp_kms_action_count <= 64;
}

static void
lint_redundant_actions(lctx *c, size_t si, const char *sp)
{
	const kp_statement *st = &c->pol->statements[si];
	const uint64_t *m = c->masks[si];
	bool		use_set = use_kms_sets(c);
	const char *elem = st->not_action ? "NotAction" : "Action";

	for (size_t i = 0; i < st->n_actions; i++)
	{
		for (size_t j = 0; j < st->n_actions; j++)
		{
			char		path[KP_PATH_LEN];

			if (j == i || kp_poll_tick(&c->poll, 1))
				continue;
			if (!action_covers(st->actions[j], m[j], st->actions[i], m[i], use_set))
				continue;
			/* equivalent patterns: only the later one is redundant */
			if (j > i && action_covers(st->actions[i], m[i], st->actions[j], m[j], use_set))
				continue;
			/* more than one action means a list */
			snprintf(path, sizeof(path), "%s.%s[%zu]", sp, elem, i);
			add(c, KP_FINDING_SUGGESTION, "REDUNDANT_ACTION", path,
				"The action \"%.*s\" at %s is already covered by \"%.*s\" (%s.%s[%zu]) in the same statement; remove it.",
				QUOTE_MAX, st->actions[i], path, QUOTE_MAX, st->actions[j],
				sp, elem, j);
			break;
		}
	}
}

/* ------------------------------------------------------------------------
 * Statements
 * ------------------------------------------------------------------------ */

static bool
principal_in(const kp_principal *p, const kp_statement *st)
{
	for (size_t i = 0; i < st->n_principals; i++)
	{
		if (st->principals[i].kind == p->kind &&
			strcmp(st->principals[i].arn, p->arn) == 0)
			return true;
	}
	return false;
}

static bool
same_values(const kp_condition *a, const kp_condition *b)
{
	if (a->n_values != b->n_values)
		return false;
	for (size_t i = 0; i < a->n_values; i++)
	{
		bool		found = false;

		for (size_t j = 0; j < b->n_values && !found; j++)
			found = strcmp(a->values[i], b->values[j]) == 0;
		if (!found)
			return false;
	}
	for (size_t j = 0; j < b->n_values; j++)
	{
		bool		found = false;

		for (size_t i = 0; i < a->n_values && !found; i++)
			found = strcmp(a->values[i], b->values[j]) == 0;
		if (!found)
			return false;
	}
	return true;
}

static bool
condition_in(const kp_condition *cd, const kp_statement *st)
{
	for (size_t i = 0; i < st->n_conditions; i++)
	{
		const kp_condition *o = &st->conditions[i];

		if (strcmp(o->op_text, cd->op_text) == 0 &&
			kp_ascii_casecmp(o->key, cd->key) == 0 && same_values(o, cd))
			return true;
	}
	return false;
}

static bool
resource_covers(const char *a, const char *b)
{
	if (strcmp(a, "*") == 0 || strcmp(a, b) == 0)
		return true;
	return !has_wildcard(b) && kp_glob_match(a, b, false);
}

/*
 * Does statement a (index ai) make statement b redundant: the same effect,
 * every principal, action and resource of b also in a, and every condition
 * of a also in b (so a applies at least wherever b does)?
 */
static bool
statement_covers(lctx *c, size_t ai, size_t bi)
{
	const kp_statement *a = &c->pol->statements[ai];
	const kp_statement *b = &c->pol->statements[bi];
	bool		use_set = use_kms_sets(c);

	if (a->allow != b->allow || a->not_action != b->not_action ||
		a->not_resource != b->not_resource)
		return false;
	for (size_t i = 0; i < b->n_principals; i++)
	{
		if (!principal_in(&b->principals[i], a))
			return false;
	}
	if (b->n_principals == 0 && a->n_principals != 0)
		return false;
	for (size_t i = 0; i < b->n_actions; i++)
	{
		bool		found = false;

		for (size_t j = 0; j < a->n_actions && !found; j++)
		{
			kp_poll_tick(&c->poll, 1);
			/* NotAction lists: only the same actions (a larger exclusion
			 * allows less) */
			if (a->not_action)
				found = kp_ascii_casecmp(a->actions[j], b->actions[i]) == 0;
			else
				found = action_covers(a->actions[j], c->masks[ai][j],
									  b->actions[i], c->masks[bi][i], use_set);
		}
		if (!found)
			return false;
	}
	if (a->not_action)
	{
		/* and the same number of distinct exclusions the other way */
		for (size_t j = 0; j < a->n_actions; j++)
		{
			bool		found = false;

			for (size_t i = 0; i < b->n_actions && !found; i++)
				found = kp_ascii_casecmp(a->actions[j], b->actions[i]) == 0;
			if (!found)
				return false;
		}
	}
	for (size_t i = 0; i < b->n_resources; i++)
	{
		bool		found = false;

		for (size_t j = 0; j < a->n_resources && !found; j++)
			found = a->not_resource ? strcmp(a->resources[j], b->resources[i]) == 0
				: resource_covers(a->resources[j], b->resources[i]);
		if (!found)
			return false;
	}
	if (a->not_resource && a->n_resources != b->n_resources)
		return false;
	for (size_t i = 0; i < a->n_conditions; i++)
	{
		if (!condition_in(&a->conditions[i], b))
			return false;
	}
	return true;
}

static void
lint_redundant_statement(lctx *c, size_t si, const char *sp)
{
	for (size_t j = 0; j < c->pol->n_statements; j++)
	{
		char		op[32];

		if (j == si || c->poll.stop)
			continue;
		if (!statement_covers(c, j, si))
			continue;
		if (j > si && statement_covers(c, si, j))
			continue;
		stmt_path(c, j, op, sizeof(op));
		add(c, KP_FINDING_SUGGESTION, "REDUNDANT_STATEMENT", sp,
			"%s is covered by %s: it has the same effect, no principal, action or resource that %s lacks, and every condition of %s; remove it.",
			sp, op, op, op);
		return;
	}
}

static void
lint_duplicate_sid(lctx *c, size_t si, const char *sp)
{
	const kp_statement *st = &c->pol->statements[si];

	if (st->sid == NULL)
		return;
	for (size_t j = 0; j < si; j++)
	{
		const kp_statement *o = &c->pol->statements[j];
		char		path[KP_PATH_LEN];
		char		op[32];

		if (o->sid == NULL || strcmp(o->sid, st->sid) != 0)
			continue;
		snprintf(path, sizeof(path), "%s.Sid", sp);
		stmt_path(c, j, op, sizeof(op));
		add(c, KP_FINDING_WARNING, "DUPLICATE_SID", path,
			"%s has the Sid \"%.*s\" of %s; give each statement its own Sid so that it can be told apart.",
			sp, QUOTE_MAX, st->sid, op);
		return;
	}
}

/* Condition keys that restrict who may use a statement with Principal "*". */
static const char *const restricting_keys[] = {
	"aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount",
	"aws:PrincipalArn", "aws:SourceAccount", "aws:SourceArn",
	"aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpce",
	"aws:SourceIp", "kms:CallerAccount", "kms:ViaService",
	"acs:SourceIp", "acs:SourceVpc",
};

/*
 * A condition that limits a statement to some callers: a restricting key,
 * compared with a positive operator, present in the request (no IfExists,
 * no ForAllValues, which both match a request without the key), and no
 * value that is only wildcards.
 */
static bool
is_restricting(const kp_condition *cd)
{
	bool		known = false;

	for (size_t i = 0; i < sizeof(restricting_keys) / sizeof(restricting_keys[0]); i++)
		known = known || kp_ascii_casecmp(cd->key, restricting_keys[i]) == 0;
	if (!known || cd->if_exists || cd->set_op == KP_SET_FOR_ALL_VALUES)
		return false;
	switch (cd->op)
	{
		case KP_OP_STRING_EQUALS:
		case KP_OP_STRING_EQUALS_IGNORE_CASE:
		case KP_OP_STRING_LIKE:
		case KP_OP_ARN_EQUALS:
		case KP_OP_ARN_LIKE:
		case KP_OP_IP_ADDRESS:
			break;
		default:
			return false;
	}
	for (size_t i = 0; i < cd->n_values; i++)
	{
		const char *v = cd->values[i];

		if (v[strspn(v, "*")] == '\0')
			return false;
		/* 0.0.0.0/0 and ::/0 let everyone in */
		if (cd->op == KP_OP_IP_ADDRESS &&
			(strcmp(v, "0.0.0.0/0") == 0 || strcmp(v, "::/0") == 0))
			return false;
	}
	return true;
}

static void
lint_public_access(lctx *c, size_t si, const char *sp)
{
	const kp_statement *st = &c->pol->statements[si];

	if (!st->allow)
		return;
	for (size_t i = 0; i < st->n_conditions; i++)
	{
		if (is_restricting(&st->conditions[i]))
			return;
	}
	for (size_t i = 0; i < st->n_principals; i++)
	{
		if (st->principals[i].kind != KP_PRIN_ANY)
			continue;
		add(c, KP_FINDING_SECURITY_WARNING, "PUBLIC_ACCESS", st->principals[i].path,
			"%s allows every principal of every account (Principal \"*\") without a condition that restricts the caller (such as aws:PrincipalOrgID, aws:PrincipalAccount, kms:CallerAccount, aws:SourceAccount, aws:SourceArn, aws:SourceVpce or kms:ViaService); anyone may use the key.",
			sp);
		return;
	}
}

static void
lint_not_action(lctx *c, size_t si, const char *sp)
{
	const kp_statement *st = &c->pol->statements[si];
	char		path[KP_PATH_LEN];

	if (!st->allow || !st->not_action)
		return;
	snprintf(path, sizeof(path), "%s.NotAction", sp);
	add(c, KP_FINDING_SECURITY_WARNING, "NOT_ACTION_WITH_ALLOW", path,
		"%s combines \"Effect\": \"Allow\" with NotAction: it allows every action except those listed, also actions added to the service later; list the allowed actions in Action instead.",
		sp);
}

static void
lint_notes(lctx *c, const char *sp, bool *used)
{
	size_t		splen = strlen(sp);

	for (size_t i = 0; i < c->pol->n_notes; i++)
	{
		const kp_note *nt = &c->pol->notes[i];
		const char *near;

		if (used[i] || strncmp(nt->path, sp, splen) != 0 ||
			(nt->path[splen] != '.' && nt->path[splen] != '\0'))
			continue;
		used[i] = true;
		near = nearest_action(nt->value);
		if (near != NULL)
			add(c, KP_FINDING_WARNING, "UNKNOWN_ACTION", nt->path,
				"%s Did you mean \"kms:%s\"?", nt->detail, near);
		else
			add(c, KP_FINDING_WARNING, "UNKNOWN_ACTION", nt->path, "%s", nt->detail);
	}
}

/* ------------------------------------------------------------------------
 * Conditions
 * ------------------------------------------------------------------------ */

typedef enum fam
{
	F_STRING,
	F_NUMERIC,
	F_DATE,
	F_BOOL,
	F_BINARY,
	F_IP,
	F_ARN,
	F_NULL
} fam;

static fam
family(kp_cond_op op)
{
	switch (op)
	{
		case KP_OP_NUMERIC_EQUALS:
		case KP_OP_NUMERIC_NOT_EQUALS:
		case KP_OP_NUMERIC_LESS_THAN:
		case KP_OP_NUMERIC_LESS_THAN_EQUALS:
		case KP_OP_NUMERIC_GREATER_THAN:
		case KP_OP_NUMERIC_GREATER_THAN_EQUALS:
			return F_NUMERIC;
		case KP_OP_DATE_EQUALS:
		case KP_OP_DATE_NOT_EQUALS:
		case KP_OP_DATE_LESS_THAN:
		case KP_OP_DATE_LESS_THAN_EQUALS:
		case KP_OP_DATE_GREATER_THAN:
		case KP_OP_DATE_GREATER_THAN_EQUALS:
			return F_DATE;
		case KP_OP_BOOL:
			return F_BOOL;
		case KP_OP_BINARY_EQUALS:
			return F_BINARY;
		case KP_OP_IP_ADDRESS:
		case KP_OP_NOT_IP_ADDRESS:
			return F_IP;
		case KP_OP_ARN_EQUALS:
		case KP_OP_ARN_LIKE:
		case KP_OP_ARN_NOT_EQUALS:
		case KP_OP_ARN_NOT_LIKE:
			return F_ARN;
		case KP_OP_NULL:
			return F_NULL;
		default:
			return F_STRING;
	}
}

static const char *
key_type_name(kp_cond_key_type t)
{
	switch (t)
	{
		case KP_KEY_STRING:
			return "String";
		case KP_KEY_ARRAY_OF_STRING:
			return "ArrayOfString";
		case KP_KEY_BOOL:
			return "Bool";
		case KP_KEY_NUMERIC:
			return "Numeric";
		case KP_KEY_DATE:
			return "Date";
		case KP_KEY_IP_ADDRESS:
			return "IPAddress";
		case KP_KEY_ARN:
			return "ARN";
	}
	return "String";
}

/* The key's definition, for AWS's aws: and kms: keys only. */
static const kp_cond_key_def *
key_def(const lctx *c, const kp_condition *cd)
{
	if (c->pol->dialect != KP_DIALECT_AWS)
		return NULL;
	if (kp_ascii_ncasecmp(cd->key, "aws:", 4) != 0 &&
		kp_ascii_ncasecmp(cd->key, "kms:", 4) != 0)
		return NULL;
	return kp_lookup_condition_key(cd->key);
}

/*
 * An operator that compares numbers, dates, booleans or addresses on a key
 * of another type: the key's values never parse as the operator's operands
 * (String operators work on every key and are not reported).
 */
static bool
type_mismatch(fam f, kp_cond_key_type t)
{
	switch (f)
	{
		case F_NUMERIC:
			return t != KP_KEY_NUMERIC;
		case F_DATE:
			return t != KP_KEY_DATE;
		case F_BOOL:
			return t != KP_KEY_BOOL;
		case F_IP:
			return t != KP_KEY_IP_ADDRESS;
		case F_ARN:
			return t != KP_KEY_ARN && t != KP_KEY_STRING && t != KP_KEY_ARRAY_OF_STRING;
		default:
			return false;
	}
}

static void
lint_condition_types(lctx *c, size_t si)
{
	const kp_statement *st = &c->pol->statements[si];

	for (size_t i = 0; i < st->n_conditions; i++)
	{
		const kp_condition *cd = &st->conditions[i];
		const kp_cond_key_def *def = key_def(c, cd);

		if (def == NULL)
			continue;
		if (type_mismatch(family(cd->op), def->type))
			add(c, KP_FINDING_WARNING, "TYPE_MISMATCH", cd->path,
				"%s compares \"%.*s\", a condition key of type %s, with the %s operator, which takes another type of value; the condition never matches a request that has the key. Use an operator for %s values.",
				cd->path, QUOTE_MAX, cd->key, key_type_name(def->type),
				cd->op_text, key_type_name(def->type));
		if (cd->set_op == KP_SET_FOR_ANY_VALUE && def->type != KP_KEY_ARRAY_OF_STRING)
			add(c, KP_FINDING_WARNING, "SET_OPERATOR_ON_SINGLE_VALUED_KEY", cd->path,
				"%s uses ForAnyValue with \"%.*s\", a single-valued condition key; a set operator is for multivalued keys. Remove ForAnyValue.",
				cd->path, QUOTE_MAX, cd->key);
	}
}

/* A bound of a Numeric or Date comparison. */
typedef struct bound
{
	bool		set;
	bool		strict;			/* GreaterThan / LessThan, not ...Equals */
	fam			f;
	kp_number	num;
	kp_instant	when;
	const char *text;
	const kp_condition *cd;
} bound;

static int
bound_cmp(const bound *a, const bound *b)
{
	return a->f == F_NUMERIC ? kp_number_cmp(&a->num, &b->num)
		: kp_instant_cmp(&a->when, &b->when);
}

/*
 * The bound a condition sets: the smallest value of a GreaterThan (any of its
 * values may match), the largest of a LessThan.  false for other operators,
 * set operators, and values that do not parse (policy variables).
 */
static bool
condition_bound(const kp_condition *cd, bool *lower, bound *out)
{
	fam			f = family(cd->op);

	memset(out, 0, sizeof(*out));
	if ((f != F_NUMERIC && f != F_DATE) || cd->set_op != KP_SET_NONE)
		return false;
	switch (cd->op)
	{
		case KP_OP_NUMERIC_GREATER_THAN:
		case KP_OP_DATE_GREATER_THAN:
			*lower = true;
			out->strict = true;
			break;
		case KP_OP_NUMERIC_GREATER_THAN_EQUALS:
		case KP_OP_DATE_GREATER_THAN_EQUALS:
			*lower = true;
			break;
		case KP_OP_NUMERIC_LESS_THAN:
		case KP_OP_DATE_LESS_THAN:
			*lower = false;
			out->strict = true;
			break;
		case KP_OP_NUMERIC_LESS_THAN_EQUALS:
		case KP_OP_DATE_LESS_THAN_EQUALS:
			*lower = false;
			break;
		default:
			return false;
	}
	out->f = f;
	out->cd = cd;
	for (size_t i = 0; i < cd->n_values; i++)
	{
		bound		b = *out;

		if (f == F_NUMERIC ? !kp_number_parse(cd->values[i], &b.num)
			: !kp_date_parse(cd->values[i], &b.when))
			return false;
		b.text = cd->values[i];
		b.set = true;
		if (!out->set || (*lower ? bound_cmp(&b, out) < 0 : bound_cmp(&b, out) > 0))
			*out = b;
	}
	return out->set;
}

static void
lint_ranges(lctx *c, size_t si)
{
	const kp_statement *st = &c->pol->statements[si];

	for (size_t i = 0; i < st->n_conditions; i++)
	{
		bound		lo;
		bool		is_lower;

		if (!condition_bound(&st->conditions[i], &is_lower, &lo) || !is_lower)
			continue;
		for (size_t j = 0; j < st->n_conditions; j++)
		{
			bound		hi;
			bool		hi_lower;
			int			cmp;

			if (j == i || kp_poll_tick(&c->poll, 1) ||
				!condition_bound(&st->conditions[j], &hi_lower, &hi) || hi_lower ||
				hi.f != lo.f ||
				kp_ascii_casecmp(st->conditions[i].key, st->conditions[j].key) != 0)
				continue;
			cmp = bound_cmp(&hi, &lo);
			if (cmp < 0 || (cmp == 0 && (hi.strict || lo.strict)))
				add(c, KP_FINDING_WARNING, "IMPOSSIBLE_RANGE", hi.cd->path,
					"%s requires \"%.*s\" to be %s \"%.*s\" while %s requires it to be %s \"%.*s\"; no value is both, so the statement never applies.",
					lo.cd->path, QUOTE_MAX, lo.cd->key,
					lo.strict ? "greater than" : "at least",
					QUOTE_MAX, lo.text, hi.cd->path,
					hi.strict ? "less than" : "at most",
					QUOTE_MAX, hi.text);
		}
	}
}

/* ------------------------------------------------------------------------
 * The document
 * ------------------------------------------------------------------------ */

static void
lint_policy(lctx *c)
{
	const kp_policy *pol = c->pol;
	bool	   *used = NULL;

	if (pol->dialect == KP_DIALECT_AWS && pol->version == KP_VERSION_NONE)
		add(c, KP_FINDING_WARNING, "MISSING_VERSION", "",
			"The policy has no Version element, which means \"2008-10-17\": policy variables such as ${aws:username} are not expanded but compared as literal text. Add \"Version\": \"2012-10-17\".");
	else if (pol->version == KP_VERSION_2008)
		add(c, KP_FINDING_SUGGESTION, "OUTDATED_VERSION", "Version",
			"Version \"2008-10-17\" does not expand policy variables such as ${aws:username}; use \"2012-10-17\".");

	if (pol->n_notes > 0)
	{
		used = calloc(pol->n_notes, sizeof(bool));
		if (used == NULL)
		{
			c->oom = true;
			return;
		}
	}
	for (size_t si = 0; si < pol->n_statements && !c->oom && !c->poll.stop; si++)
	{
		char		sp[32];

		stmt_path(c, si, sp, sizeof(sp));
		lint_duplicate_sid(c, si, sp);
		lint_redundant_statement(c, si, sp);
		lint_not_action(c, si, sp);
		lint_public_access(c, si, sp);
		if (used != NULL)
			lint_notes(c, sp, used);
		lint_redundant_actions(c, si, sp);
		lint_condition_types(c, si);
		lint_ranges(c, si);
	}
	/* notes of no statement (none today) */
	for (size_t i = 0; used != NULL && i < pol->n_notes; i++)
	{
		if (!used[i])
			add(c, KP_FINDING_WARNING, "UNKNOWN_ACTION", pol->notes[i].path,
				"%s", pol->notes[i].detail);
	}
	free(used);
}

static kp_status
lint_fail(kp_error *err, kp_status st)
{
	return kp_fail(err, st, st == KP_ERR_NOMEM ? MSG_NOMEM : MSG_INTERRUPTED,
				   "", -1, "%s", st == KP_ERR_NOMEM ?
				   "The policy core could not allocate memory." :
				   "The interrupt hook asked the policy core to stop.");
}

kp_status
kp_policy_lint(const char *doc, size_t len, const kp_parse_opts *opts,
			   kp_finding **out, size_t *n_out, kp_error *err)
{
	lctx		c;
	kp_policy  *pol = NULL;
	kp_error	perr;
	kp_status	rc;
	kp_jdom    *dom = NULL;

	*out = NULL;
	*n_out = 0;
	kp_error_clear(err);
	memset(&c, 0, sizeof(c));
	c.poll = (kp_poll) KP_POLL_INIT;

	rc = kp_policy_parse(doc, len, opts, &pol, &perr);
	if (rc == KP_ERR_NOMEM || rc == KP_ERR_INTERRUPTED)
	{
		*err = perr;
		return rc;
	}
	if (rc != KP_OK)
	{
		add(&c, KP_FINDING_ERROR, kp_error_issue_code(perr.status), perr.path,
			"%s", perr.message);
		if (c.oom)
		{
			kp_findings_free(c.f, c.n);
			return lint_fail(err, KP_ERR_NOMEM);
		}
		*out = c.f;
		*n_out = c.n;
		return KP_OK;
	}

	/* The parse accepted it: the scanner accepts it again, building the tree. */
	rc = kp_jdom_parse(doc, len, opts->max_depth > 0 ? opts->max_depth : KP_DEFAULT_MAX_DEPTH,
					   &dom, &perr);
	if (rc != KP_OK)
	{
		kp_policy_free(pol);
		*err = perr;
		return rc == KP_ERR_NOMEM ? rc : lint_fail(err, KP_ERR_NOMEM);
	}
	{
		const kp_jv *s = kp_jv_get_member(kp_jdom_root(dom), "Statement");

		c.stmt_array = s != NULL && kp_jv_is(s, KP_JV_ARRAY);
	}
	kp_jdom_free(dom);

	c.pol = pol;
	if (pol->n_statements > 0)
	{
		c.masks = calloc(pol->n_statements, sizeof(uint64_t *));
		c.oom = c.masks == NULL;
		for (size_t i = 0; !c.oom && i < pol->n_statements; i++)
		{
			const kp_statement *st = &pol->statements[i];

			c.masks[i] = calloc(st->n_actions ? st->n_actions : 1, sizeof(uint64_t));
			if (c.masks[i] == NULL)
			{
				c.oom = true;
				break;
			}
			for (size_t j = 0; use_kms_sets(&c) && j < st->n_actions; j++)
			{
				c.masks[i][j] = kms_mask(st->actions[j]);
				if (kp_poll_tick(&c.poll, 64))
					break;
			}
		}
	}
	if (!c.oom && !c.poll.stop)
		lint_policy(&c);

	if (c.masks != NULL)
	{
		for (size_t i = 0; i < pol->n_statements; i++)
			free(c.masks[i]);
		free(c.masks);
	}
	kp_policy_free(pol);
	if (c.oom || c.poll.stop)
	{
		kp_findings_free(c.f, c.n);
		return lint_fail(err, c.oom ? KP_ERR_NOMEM : KP_ERR_INTERRUPTED);
	}
	*out = c.f;
	*n_out = c.n;
	return KP_OK;
}
