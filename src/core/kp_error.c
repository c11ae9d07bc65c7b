/*
 * kp_error.c -- error records of the policy core.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kp.h"

void
kp_error_clear(kp_error *err)
{
	if (err == NULL)
		return;
	err->status = KP_OK;
	err->message[0] = '\0';
	err->detail[0] = '\0';
	err->path[0] = '\0';
	err->offset = -1;
}

kp_status
kp_fail(kp_error *err, kp_status st, const char *message, const char *path,
		long offset, const char *detail_fmt,...)
{
	va_list		ap;

	if (err == NULL)
		return st;
	err->status = st;
	snprintf(err->message, sizeof(err->message), "%s", message ? message : "");
	snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
	err->offset = offset;
	err->detail[0] = '\0';
	if (detail_fmt != NULL)
	{
		va_start(ap, detail_fmt);
		vsnprintf(err->detail, sizeof(err->detail), detail_fmt, ap);
		va_end(ap);
	}
	return st;
}
