/*
 * fuzz_expr.c - libFuzzer target: expressions, their parsing and evaluation.
 *
 * The input becomes the `depends on` and a `default` of a symbol in a
 * small fixed tree, which is then parsed, finalized and evaluated by
 * writing the configuration out.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char prefix[] =
		"config A\n\tbool \"a\"\n\tdefault y\n"
		"config B\n\ttristate \"b\"\n"
		"config C\n\tint \"c\"\n\trange 1 10\n\tdefault 3\n"
		"config D\n\tstring \"d\"\n\tdefault \"x\"\n"
		"config MODULES\n\tbool \"modules\"\n\tmodules\n"
		"config E\n\ttristate \"e\"\n\tdepends on ";
	int rc;
	char out[128];

	if (size > 4096 || memchr(data, '\n', size) || memmem(data, size, "$(", 2))
		return -1;
	fuzz_write("Kconfig", data, size, prefix, "\n");
	struct kconfig *kc = fuzz_open(&rc);
	if (kc && !rc) {
		snprintf(out, sizeof(out), "%s/out.config", fuzz_dir());
		kconfig_config_write(kc, out);
	}
	kconfig_free(kc);
	return 0;
}
