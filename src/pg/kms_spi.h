/*
 * kms_spi.h -- SPI as the extension owner, with saved plans, on the
 * statement's or the latest committed snapshot.
 */
#ifndef KMS_SPI_H
#define KMS_SPI_H

#include "postgres.h"

#include "executor/spi.h"

/*
 * The API reads and writes its tables as the extension owner (pg_cron's
 * pattern), after deciding itself whether the caller may act.  caller is the
 * role as PostgreSQL's own privilege checks see it at entry.
 */
typedef struct KmsSpiState
{
	Oid			caller;
	Oid			save_userid;
	int			save_sec_context;
} KmsSpiState;

/*
 * The role the API reads and writes its tables as: the owner of
 * kms_policy.keys (the extension owner, who created it), found through the
 * catalog caches.  The API decides itself whether the caller may act first
 * (pg_cron's pattern).
 */
extern Oid kms_extension_owner(void);

extern void kms_spi_begin(KmsSpiState *st);

extern void kms_spi_end(KmsSpiState *st);

extern int kms_spi_exec(const char *sql, int nargs, const char *const *args, bool read_only);

/*
 * Run a statement on the latest committed state: with a snapshot taken now
 * (GetLatestSnapshot()) instead of the transaction's, so that in REPEATABLE
 * READ and SERIALIZABLE too a decision sees every change committed before
 * the statement starts -- ri_triggers.c reads referenced rows the same way.
 * In READ COMMITTED this is what a read-write SPI statement does anyway.
 * Works on a hot standby.  Not usable in parallel mode (the API functions
 * are PARALLEL UNSAFE).
 */
extern int kms_spi_exec_latest(const char *sql, int nargs, const char *const *args);

/* Column of the current SPI result row i as a string in the caller's context. */
extern char *kms_spi_col(MemoryContext mcxt, int row, const char *colname);

extern void kms_spi_check_select(int rc);

/* Run one write as the extension owner; did it change a row? */
extern bool kms_spi_write_changed_rows(const char *sql, int nargs, const char *const *args);

#endif							/* KMS_SPI_H */
