/*
 * fuzz_kconfig.c - libFuzzer target: the Kconfig lexer, preprocessor and parser.
 *
 * The input is a whole Kconfig file.  $(shell,...) is neutralised by the
 * environment (CC=false) but still runs: the corpus avoids it, and the
 * runner uses -timeout to catch hangs.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	int rc;

	if (size > 64 * 1024 || memmem(data, size, "shell", 5))
		return -1;	/* keep processes out of the fuzz loop */
	fuzz_write("Kconfig", data, size, NULL, NULL);
	kconfig_free(fuzz_open(&rc));
	return 0;
}
