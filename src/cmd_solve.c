/*
 * cmd_solve.c - `kmin solve`: a valid .config that keeps every requirement.
 *
 * Loads a base (tinyconfig by default), turns the --require list into
 * symbol requirements through the feature list, runs the engine's solver
 * and writes the full .config, printing what changed and why.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "output.h"
#include "kconfig/query.h"
#include "kconfig/solve.h"
#include "kmin/features.h"
#include "kmin/require.h"
#include "kmin/tree.h"

static const char solve_usage[] =
	"usage: kmin solve --arch ARCH --require LIST [--source DIR] [--cross-compile P]\n"
	"                  [--base tinyconfig|allnoconfig|defconfig|NAME_defconfig|FILE]\n"
	"                  [--allow-modules] [--features FILE] [-o FILE] [-q]\n"
	"\n"
	"Write a full .config that has every requirement, changing the base as\n"
	"little as possible: dependencies are enabled, visibility gates opened,\n"
	"selectors of symbols that must stay off turned off, choice members\n"
	"switched.  No symbol the solver changed can go back to its base value\n"
	"with the requirements still held.  The result is a fixed point of the\n"
	"kernel's olddefconfig.\n"
	"\n"
	"LIST is comma-separated: feature names (see 'kmin features': USB, WIFI,\n"
	"SPI, I2C, ...) or symbols with or without CONFIG_, optionally =y, =m or\n"
	"=n (=n: must stay off).\n"
	"\n"
	"options:\n"
	"  --arch ARCH            architecture, as make's ARCH= (required)\n"
	"  --require LIST         what the configuration must keep (required)\n"
	"  --source DIR           kernel tree (default: the embedded linux-source-6.1)\n"
	"  --cross-compile P      as make's CROSS_COMPILE= (default per arch)\n"
	"  --base B               where to start: a target (tinyconfig, allnoconfig,\n"
	"                         alldefconfig, defconfig, NAME_defconfig) or a\n"
	"                         .config file (default tinyconfig).  From tinyconfig and\n"
	"                         allnoconfig, symbols that become visible are set\n"
	"                         to n like allnoconfig does; otherwise they take\n"
	"                         their defaults like olddefconfig\n"
	"  --allow-modules        features may be =m instead of =y\n"
	"  --features FILE        more feature definitions (format: 'kmin features --help')\n"
	"  -o, --output FILE      where to write the .config (default .config)\n"
	"  -q, --quiet            print no change list and no engine warnings\n"
	"  -h, --help             show this help\n"
	"\n"
	"exit status: 0 written; 1 the requirements cannot hold (the message names\n"
	"the requirement and the dependency chain that blocks it); 2 bad usage,\n"
	"unknown requirement or bad input.\n";

struct solve_args {
	const char *arch, *require, *source, *cross_compile, *base, *features, *output;
	bool allow_modules, quiet;
};

static int parse_args(int argc, char **argv, struct solve_args *a)
{
	enum { OPT_ARCH = 256, OPT_REQUIRE, OPT_SOURCE, OPT_CROSS, OPT_BASE, OPT_MODULES,
	       OPT_FEATURES };
	static const struct option options[] = {
		{ "allow-modules", no_argument, NULL, OPT_MODULES },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "base", required_argument, NULL, OPT_BASE },
		{ "cross-compile", required_argument, NULL, OPT_CROSS },
		{ "features", required_argument, NULL, OPT_FEATURES },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "require", required_argument, NULL, OPT_REQUIRE },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:q", options, NULL)) != -1) {
		switch (c) {
		case OPT_ARCH: a->arch = optarg; break;
		case OPT_REQUIRE: a->require = optarg; break;
		case OPT_SOURCE: a->source = optarg; break;
		case OPT_CROSS: a->cross_compile = optarg; break;
		case OPT_BASE: a->base = optarg; break;
		case OPT_MODULES: a->allow_modules = true; break;
		case OPT_FEATURES: a->features = optarg; break;
		case 'o': a->output = optarg; break;
		case 'q': a->quiet = true; break;
		case 'h': fputs(solve_usage, stdout); return 1;
		default: fputs(solve_usage, stderr); return -1;
		}
	}
	if (optind != argc)
		return kmin_errorf("unexpected argument '%s'", argv[optind]);
	if (!a->arch)
		return kmin_errorf("solve needs --arch (as make's ARCH=)");
	if (!a->require)
		return kmin_errorf("solve needs --require LIST");
	if (!a->base)
		a->base = "tinyconfig";
	if (!a->output)
		a->output = ".config";
	return 0;
}

static bool symbol_exists(void *payload, const char *name)
{
	struct kconfig *kc = payload;
	struct kconfig_symbol *sym = kconfig_symbol_find(kc, name);
	return sym && kconfig_symbol_is_defined(sym);
}

/* Names of every defined symbol, for "did you mean"; free the array only. */
static const char **symbol_names(struct kconfig *kc)
{
	size_t n = kconfig_symbol_count(kc), k = 0;
	const char **v = malloc((n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct kconfig_symbol *sym = kconfig_symbol_at(kc, i);
		const char *name = kconfig_symbol_name(sym);
		if (name && kconfig_symbol_is_defined(sym))
			v[k++] = name;
	}
	v[k] = NULL;
	return v;
}

/* Requirements of the engine from the parsed list: features expand to their symbols. */
static struct kconfig_requirement *expand(const struct kmin_requirements *reqs,
					  bool allow_modules, size_t *n)
{
	size_t count = 0;
	for (size_t i = 0; i < reqs->n; i++)
		count += reqs->items[i].feature ? reqs->items[i].feature->nsymbols : 1;
	struct kconfig_requirement *v = calloc(count + 1, sizeof(*v));
	if (!v)
		return NULL;
	count = 0;
	for (size_t i = 0; i < reqs->n; i++) {
		const struct kmin_require *r = &reqs->items[i];
		if (r->feature) {
			for (size_t j = 0; j < r->feature->nsymbols; j++) {
				v[count].symbol = r->feature->symbols[j];
				v[count++].value = allow_modules ? KCONFIG_MOD : KCONFIG_YES;
			}
			continue;
		}
		v[count].symbol = r->symbol;
		v[count++].value = r->value == 'n' ? KCONFIG_NO
				  : r->value == 'm' ? KCONFIG_MOD : KCONFIG_YES;
	}
	*n = count;
	return v;
}

static void print_changes(const struct kconfig_solution *sol)
{
	size_t set = 0;
	for (size_t i = 0; i < sol->nchanges; i++)
		set += sol->changes[i].set_by_solver;
	printf("%zu symbols set by the solver, %zu changed in all\n", set, sol->nchanges);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sol->nchanges; i++) {
			const struct kconfig_change *c = &sol->changes[i];
			if (c->set_by_solver != (pass == 0))
				continue;
			printf("  %-8s %-40s %s -> %s\n", c->set_by_solver ? "set" : "follows",
			       c->symbol, *c->from ? c->from : "\"\"", *c->to ? c->to : "\"\"");
		}
	}
}

static int load_features(const struct solve_args *a, struct kmin_features **fs)
{
	char err[1024];

	if (kmin_features_new(fs, err, sizeof(err)) ||
	    (a->features && kmin_features_load(*fs, a->features, err, sizeof(err))))
		return kmin_errorf("%s", err);
	return 0;
}

static int solve(const struct solve_args *a, struct kmin_tree *tree,
		 const struct kmin_features *fs)
{
	struct kmin_requirements reqs;
	struct kconfig_solve_options so = KCONFIG_SOLVE_OPTIONS_INIT;
	struct kconfig_solution *sol = NULL;
	char err[1024];
	size_t n = 0;
	const char **names = symbol_names(tree->kc);

	int rc = kmin_requirements_parse(&reqs, a->require, fs, symbol_exists, tree->kc, names,
					 err, sizeof(err));
	free(names);
	if (rc)
		return kmin_errorf("%s", err), KMIN_EXIT_USAGE;
	if (kmin_tree_load_base(tree, a->base, err, sizeof(err))) {
		kmin_requirements_clear(&reqs);
		return kmin_errorf("%s", err), KMIN_EXIT_USAGE;
	}
	if (tree->defconfig[0] && !a->quiet)
		kmin_infof("base defconfig is '%s' (the arch's KBUILD_DEFCONFIG)", tree->defconfig);
	struct kconfig_requirement *kr = expand(&reqs, a->allow_modules, &n);
	if (!strcmp(a->base, "tinyconfig") || !strcmp(a->base, "allnoconfig"))
		so.new_symbols = KCONFIG_NEW_NO;
	rc = kr ? kconfig_solve(tree->kc, kr, n, &so, &sol) : KCONFIG_ENOMEM;
	if (rc) {
		kmin_errorf("%s", kconfig_errmsg(tree->kc));
		rc = rc == KCONFIG_EINVAL ? KMIN_EXIT_FAIL : KMIN_EXIT_USAGE;
	} else if (kconfig_config_write(tree->kc, a->output)) {
		kmin_errorf("%s", kconfig_errmsg(tree->kc));
		rc = KMIN_EXIT_FAIL;
	} else {
		if (!a->quiet)
			print_changes(sol);
		kmin_infof("wrote '%s'", a->output);
	}
	kconfig_solution_free(sol);
	free(kr);
	kmin_requirements_clear(&reqs);
	return rc;
}

int kmin_cmd_solve(int argc, char **argv)
{
	struct solve_args a = { 0 };
	struct kmin_tree_options topts = { 0 };
	struct kmin_tree *tree = NULL;
	struct kmin_features *fs = NULL;
	char err[1024];
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc > 0 ? KMIN_EXIT_OK : KMIN_EXIT_USAGE;
	if (load_features(&a, &fs))
		return KMIN_EXIT_USAGE;
	kmin_output_set_quiet(a.quiet);
	topts.source = a.source;
	topts.arch = a.arch;
	topts.cross_compile = a.cross_compile;
	topts.diag = kmin_print_diag;
	topts.diag_payload = &a.quiet;
	if (kmin_tree_open(&tree, &topts, err, sizeof(err))) {
		kmin_errorf("%s", err);
		rc = KMIN_EXIT_USAGE;
	} else {
		rc = solve(&a, tree, fs);
	}
	kmin_tree_close(tree);
	kmin_features_free(fs);
	return rc;
}
