/*
 * output.c - the one place where the kmin program writes messages.
 *
 * Used only by main.c and the cmd_*.c command files; see output.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "output.h"

static bool quiet_mode;	/* the program's only global: set once by main */

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	fputs("kmin: ", stderr);
	if (prefix)
		fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int kmin_errorf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("error: ", fmt, ap);
	va_end(ap);
	return -1;
}

void kmin_warnf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

void kmin_infof(const char *fmt, ...)
{
	va_list ap;
	if (quiet_mode)
		return;
	va_start(ap, fmt);
	vreport(NULL, fmt, ap);
	va_end(ap);
}

void kmin_output_set_quiet(bool quiet)
{
	quiet_mode = quiet;
}

bool kmin_output_is_tty(void)
{
	return isatty(STDERR_FILENO);
}

void kmin_print_diag(void *payload, const struct kconfig_diag *d)
{
	const bool *quiet = payload;
	const char *level = d->level == KCONFIG_DIAG_ERROR ? "error" :
			    d->level == KCONFIG_DIAG_WARNING ? "warning" : NULL;

	if (quiet && *quiet && d->level != KCONFIG_DIAG_ERROR)
		return;
	if (d->file && d->line)
		fprintf(stderr, "%s:%d: ", d->file, d->line);
	else if (d->file)
		fprintf(stderr, "%s: ", d->file);
	/* conf's own "WARNING: unmet direct dependencies ..." says it already */
	if (level && strncasecmp(d->message, level, strlen(level)))
		fprintf(stderr, "%s: ", level);
	fprintf(stderr, "%s\n", d->message);
}
