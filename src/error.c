/*
 * error.c - kmin_errf(), the one formatter of library error messages.
 */
#include <stdarg.h>
#include <stdio.h>

#include "kmin/error.h"

int kmin_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}
