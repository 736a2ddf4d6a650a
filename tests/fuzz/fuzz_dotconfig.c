/*
 * fuzz_dotconfig.c - libFuzzer target: the .config reader.
 *
 * A fixed tree with every symbol type; the input is read as a .config
 * (conf_read semantics: warnings, overrides, choices) and written back.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char tree[] =
		"config MODULES\n\tbool \"modules\"\n\tmodules\n"
		"config A\n\tbool \"a\"\n"
		"config B\n\ttristate \"b\"\n\tdepends on A\n"
		"config C\n\tint \"c\"\n\trange 1 100\n"
		"config H\n\thex \"h\"\n"
		"config S\n\tstring \"s\"\n"
		"choice\n\tprompt \"pick\"\nconfig X\n\tbool \"x\"\nconfig Y\n\tbool \"y\"\nendchoice\n"
		"config SEL\n\tbool \"sel\"\n\tselect A\n";
	static struct kconfig *kc;
	char in[128], out[128];
	int rc;

	if (size > 256 * 1024)
		return -1;
	if (!kc) {
		fuzz_write("Kconfig", tree, sizeof(tree) - 1, NULL, NULL);
		kc = fuzz_open(&rc);
		if (!kc || rc)
			abort();
	}
	/* A fresh context per input would be cleaner but 100x slower; reading
	 * into the same context also exercises repeated reads. */
	fuzz_write("input.config", data, size, NULL, NULL);
	snprintf(in, sizeof(in), "%s/input.config", fuzz_dir());
	snprintf(out, sizeof(out), "%s/out.config", fuzz_dir());
	if (!kconfig_config_read(kc, in))
		kconfig_config_write(kc, out);
	return 0;
}
