/*
 * cmd_features.c - `kmin features`: what each --require name means.
 *
 * Without --arch it lists the feature file; with --arch it also opens the
 * tree and says, for every symbol of every feature, whether the tree
 * defines it, its prompt and where.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "output.h"
#include "kconfig/query.h"
#include "kmin/features.h"
#include "kmin/tree.h"

static const char features_usage[] =
	"usage: kmin features [--arch ARCH [--source DIR] [--cross-compile P]]\n"
	"                     [--features FILE]\n"
	"\n"
	"List the features that --require accepts, with the Kconfig symbols each\n"
	"turns on and the vmlinux functions that prove it was built.  With --arch,\n"
	"also show how each symbol is defined in that tree.\n"
	"\n"
	"A feature file (--features FILE, also accepted by solve and run) adds or\n"
	"replaces features:\n"
	"\n"
	"    [CAMERA]\n"
	"    aliases = CAM\n"
	"    description = V4L2 cameras\n"
	"    symbols = MEDIA_SUPPORT, VIDEO_DEV\n"
	"    elf = video_register_device\n"
	"\n"
	"Names match without regard to case, '-' and '_'.\n";

static void print_symbol(struct kmin_tree *tree, const char *name)
{
	struct kconfig_symbol *sym = tree ? kconfig_symbol_find(tree->kc, name) : NULL;
	const char *file;
	int line;

	if (!tree) {
		printf("    %s\n", name);
		return;
	}
	if (!sym || !kconfig_symbol_is_defined(sym)) {
		printf("    %-24s not in this tree\n", name);
		return;
	}
	const char *prompt = kconfig_symbol_prompt(sym);
	if (kconfig_symbol_definition(sym, 0, &file, &line))
		file = "?", line = 0;
	printf("    %-24s %-9s %s:%d%s%s%s\n", name,
	       kconfig_symbol_type(sym) == KCONFIG_TRISTATE ? "tristate" :
	       kconfig_symbol_type(sym) == KCONFIG_BOOL ? "bool" : "other",
	       file, line, prompt ? " \"" : " (no prompt)", prompt ? prompt : "",
	       prompt ? "\"" : "");
}

static void print_features(const struct kmin_features *fs, struct kmin_tree *tree)
{
	for (size_t i = 0; i < kmin_features_count(fs); i++) {
		const struct kmin_feature *f = kmin_features_at(fs, i);
		printf("%s", f->name);
		for (size_t j = 0; j < f->naliases; j++)
			printf("%s%s", j ? ", " : " (also ", f->aliases[j]);
		printf("%s: %s\n", f->naliases ? ")" : "", f->description ? f->description : "");
		printf("  symbols:\n");
		for (size_t j = 0; j < f->nsymbols; j++)
			print_symbol(tree, f->symbols[j]);
		printf("  proof in vmlinux:");
		for (size_t j = 0; j < f->nelf; j++)
			printf(" %s", f->elf[j]);
		printf("\n");
	}
}

int kmin_cmd_features(int argc, char **argv)
{
	enum { OPT_ARCH = 256, OPT_SOURCE, OPT_CROSS, OPT_FEATURES };
	static const struct option options[] = {
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "cross-compile", required_argument, NULL, OPT_CROSS },
		{ "features", required_argument, NULL, OPT_FEATURES },
		{ "help", no_argument, NULL, 'h' },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ NULL, 0, NULL, 0 },
	};
	struct kmin_tree_options topts = { 0 };
	const char *features = NULL;
	struct kmin_features *fs = NULL;
	struct kmin_tree *tree = NULL;
	char err[1024];
	bool quiet = true;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_ARCH: topts.arch = optarg; break;
		case OPT_SOURCE: topts.source = optarg; break;
		case OPT_CROSS: topts.cross_compile = optarg; break;
		case OPT_FEATURES: features = optarg; break;
		case 'h': fputs(features_usage, stdout); return KMIN_EXIT_OK;
		default: fputs(features_usage, stderr); return KMIN_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		kmin_errorf("unexpected argument '%s'", argv[optind]);
		return KMIN_EXIT_USAGE;
	}
	if (kmin_features_new(&fs, err, sizeof(err)) ||
	    (features && kmin_features_load(fs, features, err, sizeof(err)))) {
		kmin_errorf("%s", err);
		kmin_features_free(fs);
		return KMIN_EXIT_USAGE;
	}
	int rc = KMIN_EXIT_OK;
	if (topts.arch) {
		topts.diag = kmin_print_diag;
		topts.diag_payload = &quiet;
		if (kmin_tree_open(&tree, &topts, err, sizeof(err))) {
			kmin_errorf("%s", err);
			rc = KMIN_EXIT_USAGE;
		}
	}
	if (rc == KMIN_EXIT_OK)
		print_features(fs, tree);
	kmin_tree_close(tree);
	kmin_features_free(fs);
	return rc;
}
