/*
 * kms_trigger_util.c -- what every trigger function of the extension needs:
 * the trigger-protocol check, the row to validate, columns by name as UTF-8.
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "kms_trigger_util.h"

/*
 * Check how a trigger function was called: by the trigger manager, BEFORE or
 * AFTER, FOR EACH ROW or FOR EACH STATEMENT (the event is the caller's to
 * check).
 */
TriggerData *
kms_trigger_check_fired(FunctionCallInfo fcinfo, const char *fname, bool before, bool row)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent ev;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", fname)));
	ev = trigdata->tg_event;
	if ((before ? !TRIGGER_FIRED_BEFORE(ev) : !TRIGGER_FIRED_AFTER(ev)) ||
		(row ? !TRIGGER_FIRED_FOR_ROW(ev) : !TRIGGER_FIRED_FOR_STATEMENT(ev)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired %s %s", fname,
						before ? "BEFORE" : "AFTER", row ? "ROW" : "STATEMENT")));
	return trigdata;
}

/* Called by the trigger manager, BEFORE, FOR EACH ROW? */
TriggerData *
kms_trigger_check(FunctionCallInfo fcinfo, const char *fname)
{
	return kms_trigger_check_fired(fcinfo, fname, true, true);
}

/* The row to validate of a BEFORE INSERT OR UPDATE trigger. */
HeapTuple
kms_trigger_row(FunctionCallInfo fcinfo, const char *fname)
{
	TriggerData *trigdata = kms_trigger_check(fcinfo, fname);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		return trigdata->tg_trigtuple;
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return trigdata->tg_newtuple;
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("function \"%s\" must be fired for INSERT or UPDATE", fname)));
	return NULL;				/* keep compiler quiet */
}

/* A column of the row, found by name, as UTF-8 (NULL when SQL NULL). */
char *
kms_trigger_column(TriggerData *trigdata, HeapTuple tuple, const char *name, size_t *len)
{
	TupleDesc	tupdesc = trigdata->tg_relation->rd_att;
	int			attnum = SPI_fnumber(tupdesc, name);
	char	   *v;
	char	   *u;

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("relation \"%s\" has no column \"%s\"",
						RelationGetRelationName(trigdata->tg_relation), name)));
	v = SPI_getvalue(tuple, tupdesc, attnum);
	if (v == NULL)
	{
		if (len)
			*len = 0;
		return NULL;
	}
	u = pg_server_to_any(v, strlen(v), PG_UTF8);
	if (len)
		*len = strlen(u);
	return u;
}

bool
kms_trigger_column_bool(TriggerData *trigdata, HeapTuple tuple, const char *name)
{
	char	   *v = kms_trigger_column(trigdata, tuple, name, NULL);

	return v != NULL && strcmp(v, "t") == 0;
}

/* The schema-qualified, quoted name of a trigger's table. */
char *
kms_trigger_table_name(TriggerData *trigdata)
{
	Relation	rel = trigdata->tg_relation;

	return quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
									  RelationGetRelationName(rel));
}

/*
 * Called by the trigger manager, AFTER, FOR EACH ROW, for INSERT or UPDATE?
 * Else 39P01.  The new row.
 */
HeapTuple
kms_trigger_after_row(FunctionCallInfo fcinfo, const char *fname)
{
	TriggerData *td = kms_trigger_check_fired(fcinfo, fname, false, true);

	if (!(TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired for INSERT or UPDATE", fname)));
	return TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
}

HeapTuple
kms_trigger_set_column(TriggerData *trigdata, HeapTuple tuple, const char *name,
					   Datum value, bool isnull)
{
	int			colno = SPI_fnumber(trigdata->tg_relation->rd_att, name);

	if (colno <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("relation \"%s\" has no column \"%s\"",
						RelationGetRelationName(trigdata->tg_relation), name)));
	return heap_modify_tuple_by_cols(tuple, trigdata->tg_relation->rd_att, 1, &colno,
									 &value, &isnull);
}
