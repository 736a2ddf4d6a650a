/*
 * cmd_config.c - `kmin config TARGET`: a *config target run by kmin's engine.
 *
 * The output equals, byte for byte, what
 *   make -C SRC O=OUT ARCH=... CROSS_COMPILE=... TARGET
 * leaves in OUT/.config (savedefconfig: OUT/defconfig), with --input copied
 * to OUT/.config first and --allconfig given as KCONFIG_ALLCONFIG.  It is
 * the engine's conformance surface (scripts/conformance) and a faster
 * `make *config` for users.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "output.h"
#include "kconfig/kconfig.h"
#include "kmin/kernel.h"
#include "kmin/tree.h"

static const char config_usage[] =
	"usage: kmin config TARGET [--source DIR] --arch ARCH [--cross-compile PREFIX]\n"
	"                   [--input FILE] [--allconfig FILE] [--seed N] [-o FILE]\n"
	"\n"
	"Run a configuration target with kmin's Kconfig engine and write the\n"
	"result exactly as the kernel's `make TARGET` would.\n"
	"\n"
	"TARGET is one of olddefconfig, alldefconfig, allnoconfig, allyesconfig,\n"
	"allmodconfig, randconfig, tinyconfig, savedefconfig, defconfig (the\n"
	"arch Makefile's KBUILD_DEFCONFIG, as make's), NAME_defconfig from\n"
	"arch/ARCH/configs (or the arch Makefile's rule of that name, which make\n"
	"prefers), or a fragment NAME.config from kernel/configs and\n"
	"arch/ARCH/configs merged into --input (none: an empty .config).\n"
	"\n"
	"options:\n"
	"  --source DIR           kernel source tree (default: the embedded\n"
	"                         linux-source-6.1 in kmin's cache)\n"
	"  --arch ARCH            architecture, as make's ARCH= (required)\n"
	"  --cross-compile PFX    as make's CROSS_COMPILE= (default per arch;\n"
	"                         arm: arm-linux-gnueabi-)\n"
	"  --input FILE           start from this .config (make: copied to O=/.config)\n"
	"  --allconfig FILE       KCONFIG_ALLCONFIG for the all*config targets\n"
	"  --seed N               KCONFIG_SEED for randconfig (decimal or 0x hex)\n"
	"  --kconfig FILE         top Kconfig file relative to --source (default\n"
	"                         Kconfig); allows a bare Kconfig tree without Makefile\n"
	"  --no-cache             do not use the $(shell,...) result cache nor\n"
	"                         the parsed-tree images kept next to it\n"
	"  -o, --output FILE      where to write (default .config; savedefconfig:\n"
	"                         defconfig)\n"
	"  -q, --quiet            do not print the engine's warnings\n"
	"  -h, --help             show this help\n"
	"\n"
	"exit status: 0 written, 2 bad usage or bad input (the message names the\n"
	"file and line).\n";

struct config_args {
	const char *target;
	const char *source;
	const char *arch;
	const char *cross_compile;
	const char *input;
	const char *allconfig;
	const char *kconfig;
	const char *output;
	unsigned long seed;
	bool has_seed;
	bool no_cache;
	bool quiet;
};

static int parse_args(int argc, char **argv, struct config_args *args)
{
	enum { OPT_SOURCE = 256, OPT_ARCH, OPT_CROSS, OPT_INPUT, OPT_ALLCONFIG, OPT_SEED,
	       OPT_KCONFIG, OPT_NO_CACHE };
	static const struct option options[] = {
		{ "allconfig", required_argument, NULL, OPT_ALLCONFIG },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "cross-compile", required_argument, NULL, OPT_CROSS },
		{ "help", no_argument, NULL, 'h' },
		{ "input", required_argument, NULL, OPT_INPUT },
		{ "kconfig", required_argument, NULL, OPT_KCONFIG },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:q", options, NULL)) != -1) {
		switch (c) {
		case OPT_SOURCE: args->source = optarg; break;
		case OPT_ARCH: args->arch = optarg; break;
		case OPT_CROSS: args->cross_compile = optarg; break;
		case OPT_INPUT: args->input = optarg; break;
		case OPT_ALLCONFIG: args->allconfig = optarg; break;
		case OPT_KCONFIG: args->kconfig = optarg; break;
		case OPT_NO_CACHE: args->no_cache = true; break;
		case 'o': args->output = optarg; break;
		case 'q': args->quiet = true; break;
		case OPT_SEED:
			errno = 0;
			args->seed = strtoul(optarg, &end, 0);
			if (errno || *end || !*optarg)
				return kmin_errorf("--seed takes a number, not '%s'", optarg);
			args->has_seed = true;
			break;
		case 'h':
			fputs(config_usage, stdout);
			return 1;
		default:
			fputs(config_usage, stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		fputs(config_usage, stderr);
		return kmin_errorf(optind >= argc ? "config needs a TARGET" : "config takes one TARGET");
	}
	args->target = argv[optind];
	if (!args->arch)
		return kmin_errorf("config needs --arch (as make's ARCH=)");
	return 0;
}

/* Plain defconfig: KBUILD_DEFCONFIG, named the way make names it. */
static int run_defconfig(const struct config_args *args, struct kmin_tree *tree,
			 struct kconfig_target_options *topts, enum kconfig_target *target)
{
	char name[256], err[1024];

	if (kmin_tree_run_defconfig(tree, topts, target, name, sizeof(name), err, sizeof(err)))
		return kmin_errorf("%s", err);
	if (!args->quiet)
		kmin_infof("default configuration is based on %s'%s'",
			   *target == KCONFIG_TARGET_DEFCONFIG ? "" : "target ", name);
	return 0;
}

static int run_target(const struct config_args *args, struct kmin_tree *tree)
{
	enum kconfig_target target;
	struct kconfig_target_options topts = { 0 };
	char err[1024];

	topts.input = args->input;
	topts.allconfig = args->allconfig;
	topts.seed = args->seed;
	topts.has_seed = args->has_seed;
	if (!strcmp(args->target, "defconfig")) {
		if (run_defconfig(args, tree, &topts, &target))
			return -1;
	} else if (kmin_tree_run_target(tree, args->target, &topts, &target, err, sizeof(err))) {
		return kmin_errorf("%s%s", err, strncmp(err, "unknown target", 14) ? ""
						: "; see 'kmin config --help'");
	}
	const char *output = args->output;
	if (!output)
		output = target == KCONFIG_TARGET_SAVEDEFCONFIG ? "defconfig" : ".config";
	int rc = target == KCONFIG_TARGET_SAVEDEFCONFIG ? kconfig_defconfig_write(tree->kc, output)
							 : kconfig_config_write(tree->kc, output);
	if (rc)
		return kmin_errorf("%s", kconfig_errmsg(tree->kc));
	return 0;
}

int kmin_cmd_config(int argc, char **argv)
{
	struct config_args args = { 0 };
	struct kmin_tree_options topts = { 0 };
	struct kmin_tree *tree = NULL;
	char err[1024];
	int rc = parse_args(argc, argv, &args);

	if (rc)
		return rc > 0 ? KMIN_EXIT_OK : KMIN_EXIT_USAGE;
	topts.source = args.source;
	topts.arch = args.arch;
	topts.cross_compile = args.cross_compile;
	topts.kconfig = args.kconfig;
	topts.no_shell_cache = args.no_cache;
	topts.diag = kmin_print_diag;
	topts.diag_payload = &args.quiet;
	if (kmin_tree_open(&tree, &topts, err, sizeof(err))) {
		kmin_errorf("%s", err);
		kmin_tree_close(tree);
		return KMIN_EXIT_USAGE;
	}
	rc = run_target(&args, tree);
	kmin_tree_close(tree);
	return rc ? KMIN_EXIT_USAGE : KMIN_EXIT_OK;
}
