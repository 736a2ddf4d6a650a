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
#include <ftw.h>
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

static const char config_usage[] =
	"usage: kmin config TARGET [--source DIR] --arch ARCH [--cross-compile PREFIX]\n"
	"                   [--input FILE] [--allconfig FILE] [--seed N] [-o FILE]\n"
	"\n"
	"Run a configuration target with kmin's Kconfig engine and write the\n"
	"result exactly as the kernel's `make TARGET` would.\n"
	"\n"
	"TARGET is one of olddefconfig, alldefconfig, allnoconfig, allyesconfig,\n"
	"allmodconfig, randconfig, tinyconfig, savedefconfig, or NAME_defconfig\n"
	"from arch/ARCH/configs.\n"
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
	"  --no-cache             do not use the $(shell,...) result cache\n"
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

static void print_diag(void *payload, const struct kconfig_diag *d)
{
	const struct config_args *args = payload;
	const char *level = d->level == KCONFIG_DIAG_ERROR ? "error" :
			    d->level == KCONFIG_DIAG_WARNING ? "warning" : NULL;

	if (args->quiet && d->level != KCONFIG_DIAG_ERROR)
		return;
	if (d->file && d->line)
		fprintf(stderr, "%s:%d: ", d->file, d->line);
	else if (d->file)
		fprintf(stderr, "%s: ", d->file);
	if (level)
		fprintf(stderr, "%s: ", level);
	fprintf(stderr, "%s\n", d->message);
}

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

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

/* Open the engine on the tree with make's environment; *out freed by caller. */
static int open_engine(const struct config_args *args, const char *source,
		       struct kmin_kernel_env *env, const char *shell_cwd, struct kconfig **out)
{
	char cache[PATH_MAX], shell_cache[PATH_MAX + 16];
	struct kconfig_options opts = KCONFIG_OPTIONS_INIT;

	opts.srctree = source;
	opts.kconfig = args->kconfig;
	opts.env = kmin_kernel_env_vars(env);
	opts.shell_cwd = shell_cwd;
	opts.diag = print_diag;
	opts.diag_payload = (void *)args;
	if (!args->no_cache && !kmin_cache_dir(cache, sizeof(cache))) {
		snprintf(shell_cache, sizeof(shell_cache), "%s/shell", cache);
		opts.shell_cache_dir = shell_cache;
		opts.shell_cache_salt = kmin_kernel_env_toolchain_id(env);
	}
	int rc = kconfig_open(out, &opts);
	if (rc) {
		kmin_errorf("%s", *out ? kconfig_errmsg(*out) : "out of memory");
		return -1;
	}
	return 0;
}

static int run_target(const struct config_args *args, const char *source,
		      const struct kmin_arch *arch, struct kconfig *kc)
{
	enum kconfig_target target;
	struct kconfig_target_options topts = { 0 };
	char defconfig[2 * PATH_MAX];

	if (kconfig_target_parse(args->target, &target))
		return kmin_errorf("unknown target '%s'; see 'kmin config --help'", args->target);
	topts.input = args->input;
	topts.allconfig = args->allconfig;
	topts.seed = args->seed;
	topts.has_seed = args->has_seed;
	if (target == KCONFIG_TARGET_DEFCONFIG) {
		int n = snprintf(defconfig, sizeof(defconfig), "%s/arch/%s/configs/%s", source,
				 arch->srcarch, args->target);
		if (n < 0 || (size_t)n >= sizeof(defconfig) || access(defconfig, R_OK))
			return kmin_errorf("no configuration '%s' for arch '%s': cannot read '%s'",
					   args->target, arch->name, defconfig);
		topts.defconfig_file = defconfig;
	}
	if (kconfig_target_run(kc, target, &topts))
		return kmin_errorf("%s", kconfig_errmsg(kc));
	const char *output = args->output;
	if (!output)
		output = target == KCONFIG_TARGET_SAVEDEFCONFIG ? "defconfig" : ".config";
	int rc = target == KCONFIG_TARGET_SAVEDEFCONFIG ? kconfig_defconfig_write(kc, output)
							 : kconfig_config_write(kc, output);
	if (rc)
		return kmin_errorf("%s", kconfig_errmsg(kc));
	return 0;
}

int kmin_cmd_config(int argc, char **argv)
{
	struct config_args args = { 0 };
	struct kmin_kernel_env *env = NULL;
	struct kconfig *kc = NULL;
	char source[PATH_MAX], err[512], tmpdir[] = "/tmp/kmin-config-XXXXXX";
	int rc = parse_args(argc, argv, &args);

	if (rc)
		return rc > 0 ? KMIN_EXIT_OK : KMIN_EXIT_USAGE;
	if (args.source)
		snprintf(source, sizeof(source), "%s", args.source);
	else if (kmin_default_source(source, sizeof(source)))
		return kmin_errorf("cannot find kmin's cache directory"), KMIN_EXIT_USAGE;
	if (kmin_kernel_env_new(&env, source, args.arch, args.cross_compile,
				args.kconfig ? KMIN_ENV_ALLOW_NON_KERNEL : 0, err, sizeof(err))) {
		kmin_errorf("%s", err);
		return KMIN_EXIT_USAGE;
	}
	/* $(shell,...) probes make scratch files in their working directory. */
	if (!mkdtemp(tmpdir)) {
		kmin_errorf("cannot create a scratch directory: %s", strerror(errno));
		kmin_kernel_env_free(env);
		return KMIN_EXIT_FAIL;
	}
	rc = open_engine(&args, source, env, tmpdir, &kc);
	if (!rc)
		rc = run_target(&args, source, kmin_kernel_env_arch(env), kc);
	kconfig_free(kc);
	kmin_kernel_env_free(env);
	nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return rc ? KMIN_EXIT_USAGE : KMIN_EXIT_OK;
}
