/*
 * kms_trigger_util.h -- helpers of the extension's trigger functions.
 */
#ifndef KMS_TRIGGER_UTIL_H
#define KMS_TRIGGER_UTIL_H

#include "postgres.h"

#include "commands/trigger.h"
#include "fmgr.h"

/*
 * Check how a trigger function was called: by the trigger manager, BEFORE or
 * AFTER, FOR EACH ROW or FOR EACH STATEMENT (the event is the caller's to
 * check).
 */
extern TriggerData *kms_trigger_check_fired(FunctionCallInfo fcinfo, const char *fname, bool before, bool row);

/* Called by the trigger manager, BEFORE, FOR EACH ROW? */
extern TriggerData *kms_trigger_check(FunctionCallInfo fcinfo, const char *fname);

/* The row to validate of a BEFORE INSERT OR UPDATE trigger. */
extern HeapTuple kms_trigger_row(FunctionCallInfo fcinfo, const char *fname);

/* A column of the row, found by name, as UTF-8 (NULL when SQL NULL). */
extern char *kms_trigger_column(TriggerData *trigdata, HeapTuple tuple, const char *name, size_t *len);

extern bool kms_trigger_column_bool(TriggerData *trigdata, HeapTuple tuple, const char *name);

/*
 * The row with one column, found by name, replaced by a value (isnull: SQL
 * NULL); the column must exist.
 */
extern HeapTuple kms_trigger_set_column(TriggerData *trigdata, HeapTuple tuple,
										const char *name, Datum value, bool isnull);

/* The schema-qualified, quoted name of a trigger's table. */
extern char *kms_trigger_table_name(TriggerData *trigdata);

/* kms_trigger_check_fired AFTER ROW, for INSERT or UPDATE; the new row. */
extern HeapTuple kms_trigger_after_row(FunctionCallInfo fcinfo, const char *fname);

#endif							/* KMS_TRIGGER_UTIL_H */
