/*
 * fuzz_common.h - shared set-up of the libFuzzer targets.
 *
 * Each target writes the fuzzer's bytes into a scratch directory (the
 * engine reads files, as conf does) and runs one engine entry point on
 * them.  Any crash, leak or sanitizer report is a bug; errors returned by
 * the engine are the expected outcome for most inputs.
 */
#ifndef KMIN_FUZZ_COMMON_H
#define KMIN_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kconfig/kconfig.h"

/* One scratch directory per process, made on first use. */
static inline const char *fuzz_dir(void)
{
	static char dir[64];
	if (!dir[0]) {
		strcpy(dir, "/tmp/kmin-fuzz-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	return dir;
}

static inline void fuzz_write(const char *name, const void *data, size_t size,
			      const char *prefix, const char *suffix)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (prefix)
		fputs(prefix, f);
	fwrite(data, 1, size, f);
	if (suffix)
		fputs(suffix, f);
	fclose(f);
}

static void fuzz_ignore_diag(void *payload, const struct kconfig_diag *d)
{
	(void)payload;
	(void)d;
}

/* Open the engine on the scratch tree; the caller frees the context. */
static inline struct kconfig *fuzz_open(int *rc)
{
	static const char *const env[] = { "ARCH=arm", "SRCARCH=arm", "CC=false", "LD=false",
					   "KERNELVERSION=6.1.0", NULL };
	struct kconfig_options opts = KCONFIG_OPTIONS_INIT;
	struct kconfig *kc = NULL;

	opts.srctree = fuzz_dir();
	opts.env = env;
	opts.shell_cwd = fuzz_dir();
	opts.diag = fuzz_ignore_diag;
	*rc = kconfig_open(&kc, &opts);
	return kc;
}

#endif
