/*
 * cmd_run.c - `kmin run` (and bare `kmin --arch ... --require ...`): the
 * search for the smallest config that keeps the requirements.  (`kmin
 * runs`, the list of runs in the database, is in cmd_runs.c.)
 *
 * run: opens the tree with kmin's engine, solves the requirements on the
 * base (as `kmin solve` does), opens the results store and a worker pool,
 * creates the run's row (or finds the unfinished run of the same command
 * to resume), hands everything to kmin_search_run() (search.h) and writes
 * what it found:
 *
 *   DIR/min.config      the full .config
 *   DIR/min_defconfig   its savedefconfig form
 *   DIR/summary.json    base and final sizes for every metric, builds,
 *                       wall time, each accepted move with its saving
 *
 * and prints the same summary.  On a terminal a live progress line shows
 * builds done of the budget, the best size, what is being tried and the
 * time left; otherwise one plain line per decision; --quiet prints only
 * the summary.
 *
 * Exit status: 0 a verified result (also when a budget ended the search
 * early); 1 the requirements cannot hold, the base does not build, the
 * final config failed verification, the run was interrupted, or what it
 * found could not be stored; 2 bad usage or input (a database that cannot
 * be opened, a run another kmin holds).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "build_opts.h"
#include "commands.h"
#include "cmd_track.h"
#include "json.h"
#include "output.h"
#include "kconfig/query.h"
#include "kconfig/solve.h"
#include "kmin/budget.h"
#include "kmin/features.h"
#include "kmin/file.h"
#include "kmin/kernel.h"
#include "kmin/kernel_id.h"
#include "kmin/refs.h"
#include "kmin/require.h"
#include "kmin/search.h"
#include "kmin/spawn.h"
#include "kmin/store.h"
#include "kmin/tree.h"
#include "kmin/worker.h"

/* Default time budget: a useful answer on 2 cores well under an hour. */
#define RUN_DEFAULT_BUDGET (40 * 60)

static const char run_usage[] =
	"usage: kmin run --arch ARCH --require LIST [--source DIR] [--cross-compile P]\n"
	"                [--base tinyconfig|allnoconfig|defconfig|NAME_defconfig|FILE]\n"
	"                [--metric dec|text|data|bss|image|ram|flash] [--strategy greedy|linear]\n"
	"                [--min-switch-saving BYTES|N%]\n"
	"                [--workers W] [--jobs J] [--timeout S] [--ccache] [--max-builds N]\n"
	"                [--time-budget DURATION]\n"
	"                [--db FILE] [--output DIR] [--resume [RUN]] [--features FILE] [--plan]\n"
	"                [-q]\n"
	"                [--track NAME]\n"
	"                [--budget flash=SIZE,ram=SIZE[,xip]]\n"
	"   or: kmin --arch ARCH --require LIST [options as above]\n"
	"\n"
	"Search for the smallest config that keeps every requirement and builds:\n"
	"the requirements are solved on the base, the base is built, then kmin's\n"
	"Kconfig engine proposes moves (symbols off, choices switched, numbers\n"
	"lowered, EXPERT-style gates opened) and the workers build them in\n"
	"batches; a batch that builds, keeps the requirements (also their\n"
	"functions in vmlinux) and does not grow the metric is kept.\n"
	"\n"
	"options:\n"
	"  --arch ARCH            architecture, as make's ARCH= (required)\n"
	"  --require LIST         what the config must keep (see 'kmin features')\n"
	"  --source DIR           kernel tree (default: the embedded linux-source-6.1)\n"
	"  --cross-compile P      as make's CROSS_COMPILE= (default per arch; arm:\n"
	"                         arm-linux-gnueabi-)\n"
	"  --base B               tinyconfig (default), allnoconfig, defconfig (the\n"
	"                         arch's KBUILD_DEFCONFIG), NAME_defconfig or FILE\n"
	"  --metric M             what to minimise: dec (text+data+bss, default), text,\n"
	"                         data, bss, image (zImage bytes), ram (data+bss),\n"
	"                         flash (text+data)\n"
	"  --strategy S           greedy (default: batches, ordered by expected saving)\n"
	"                         or linear (one symbol per build, in Kconfig order)\n"
	"  --min-switch-saving X  the least a choice switch (HZ_250 for HZ_100, SLOB\n"
	"                         for SLUB...) must save to be taken: bytes of the\n"
	"                         metric, or a share of it (0.5%); default 0.1%.\n"
	"                         A switch changes what the kernel does.  Greedy\n"
	"                         builds no other member of a choice that one switch\n"
	"                         moved by less than that.\n"
	KMIN_BUILD_OPTS_HELP
	"  --max-builds N         at most N builds, the final verification included\n"
	"                         (answers from the database are free); a resumed run\n"
	"                         counts the builds it made before\n"
	"  --time-budget D        stop starting builds after D (90s, 30m, 1h; default 40m;\n"
	"                         0: none), counted from this start, resumed or not\n"
	"  --db FILE              results database (default: $KMIN_DB, else\n"
	"                         $XDG_DATA_HOME/kmin/results.db)\n"
	"  --output DIR           where min.config, min_defconfig and summary.json go\n"
	"                         (default kmin-out)\n"
	"  --resume [RUN]         continue run RUN (default: the unfinished run of the\n"
	"                         same command, which is also what a plain rerun does)\n"
	"  --features FILE        more feature definitions\n"
	"  --plan                 solve the base and list the moves the engine would\n"
	"                         try from it, then stop: no build, no database\n"
	"  --track NAME           keep this job for 'kmin nightly' under NAME (this run is\n"
	"                         its first night; an existing NAME gets a new night)\n"
	"  --budget B             search until the config fits a board: flash=SIZE and/or\n"
	"                         ram=SIZE (bytes, or K, M, G of 1024: 700K, 2M), and xip\n"
	"                         when the kernel executes from flash.  The metric is then\n"
	"                         the bytes beyond the budget (flash and RAM together; the\n"
	"                         model is 'kmin fit --help's) and the run stops as soon as\n"
	"                         a config fits, else reports the smallest shortfall\n"
	"  -q, --quiet            print only the summary\n"
	"  -h, --help             show this help\n"
	"\n"
	"exit status: 0 a verified result; 1 no result (requirements cannot hold,\n"
	"the base does not build, verification failed, interrupted, a build or step\n"
	"could not be stored); 2 bad usage or input (also a database kmin cannot\n"
	"open, or a run another kmin process holds).\n";

struct run_args {
	const char *arch, *require, *source, *cross_compile, *base, *db, *output, *features;
	enum kmin_metric metric;
	enum kmin_search_strategy strategy;
	struct kmin_build_opts build;
	unsigned int max_builds;
	double time_budget;
	int64_t switch_min_bytes;	/* --min-switch-saving N */
	double switch_min_share;	/* --min-switch-saving N% (a fraction) */
	bool resume;
	int64_t resume_id;
	bool quiet;
	bool plan;			/* --plan: list the moves at the base, build nothing */
	const char *track;		/* --track NAME: store the job (cmd_track.h) */
	const char *budget_text;	/* --budget as given; NULL: none */
	struct kmin_budget budget;
	char metric_key[160];		/* the metric in the run's key: "dec", "budget:flash=..." */
};

/* Everything a run holds; lives on kmin_cmd_run()'s stack. */
struct run_ctx {
	struct run_args a;
	struct kmin_tree *tree;
	struct kmin_features *fs;
	struct kmin_requirements reqs;
	struct kconfig_requirement *kreqs;
	size_t nkreqs;
	const char **elf;
	size_t nelf;
	char *base_text;
	struct kmin_store *store;
	struct kmin_kernel_id kid;
	int64_t kernel_row, toolchain_row;
	struct kmin_pool *pool;
	struct kmin_refs *refs;		/* the code's CONFIG_ names, or NULL */
	unsigned int workers;
	int64_t run_id;
	bool tty;
	size_t line_len;		/* chars of the live line on screen */
};

static struct kmin_pool *volatile run_pool;
static atomic_int run_stop;

static void run_on_signal(int sig)
{
	(void)sig;
	atomic_store(&run_stop, 1);
	if (run_pool)
		kmin_pool_cancel(run_pool);
}

/* ---- options ---- */

static int parse_count(const char *opt, const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v < 1 || v > max)
		return kmin_errorf("%s takes a number from 1 to %u, not '%s'", opt, max, s);
	*out = (unsigned int)v;
	return 0;
}

/* "90", "90s", "30m", "1h", "1h30m" into seconds. */
static int parse_duration(const char *s, double *out)
{
	double total = 0;
	const char *p = s;

	if (!*p)
		return -1;
	while (*p) {
		char *end;
		double v = strtod(p, &end);
		if (end == p || v < 0 || v > 1e7)
			return -1;
		/* digits and a point only: strtod also takes nan, inf, hex and exponents */
		for (const char *q = p; q < end; q++)
			if (!((*q >= '0' && *q <= '9') || *q == '.'))
				return -1;
		switch (*end) {
		case 'h': v *= 3600; end++; break;
		case 'm': v *= 60; end++; break;
		case 's': end++; break;
		case '\0': break;
		default: return -1;
		}
		total += v;
		p = end;
	}
	*out = total;
	return 0;
}

/* --min-switch-saving: "4096" (bytes) or "0.5%" (of the metric). */
static int parse_switch_min(struct run_args *a, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0 || (*end && strcmp(end, "%")) || (*end && v > 100) ||
	    (!*end && (v != (double)(int64_t)v || v > 1e12)))
		return kmin_errorf("--min-switch-saving takes bytes (4096) or a share of the "
				   "metric (0.5%%), not '%s'", s);
	a->switch_min_bytes = *end ? 0 : (int64_t)v;
	a->switch_min_share = *end ? v / 100 : 0;
	return 0;
}

static int parse_option(struct run_args *a, int c, int argc, char **argv)
{
	switch (c) {
	case 'A': a->arch = optarg; break;
	case 'R': a->require = optarg; break;
	case 'S': a->source = optarg; break;
	case 'C': a->cross_compile = optarg; break;
	case 'B': a->base = optarg; break;
	case 'D': a->db = optarg; break;
	case 'o': a->output = optarg; break;
	case 'F': a->features = optarg; break;
	case 'q': a->quiet = true; break;
	case 'P': a->plan = true; break;
	case 'K': a->track = optarg; break;
	case 'g': {
		char err[256];
		a->budget_text = optarg;
		if (kmin_budget_parse(optarg, &a->budget, err, sizeof(err)))
			return kmin_errorf("%s", err);
		break;
	}
	case 'M':
		if (kmin_metric_parse(optarg, &a->metric))
			return kmin_errorf("unknown metric '%s': dec, text, data, bss, image, ram or flash",
					   optarg);
		break;
	case 'T':
		if (kmin_search_strategy_parse(optarg, &a->strategy))
			return kmin_errorf("unknown strategy '%s': greedy or linear", optarg);
		break;
	case 'N': return parse_count("--max-builds", optarg, 1000000, &a->max_builds);
	case 'w': return parse_switch_min(a, optarg);
	case 'U':
		if (parse_duration(optarg, &a->time_budget))
			return kmin_errorf("--time-budget takes a duration (90s, 30m, 1h), not '%s'",
					   optarg);
		break;
	case 'r':
		a->resume = true;
		/* --resume RUN: the next word, when it is a number */
		if (!optarg && optind < argc && argv[optind][0] >= '0' && argv[optind][0] <= '9')
			optarg = argv[optind++];
		if (optarg) {
			char *end;
			a->resume_id = strtoll(optarg, &end, 10);
			if (*end || a->resume_id <= 0)
				return kmin_errorf("--resume takes a run number, not '%s'", optarg);
		}
		break;
	default:
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	static const struct option options[] = {
		{ "arch", required_argument, NULL, 'A' },
		{ "base", required_argument, NULL, 'B' },
		{ "budget", required_argument, NULL, 'g' },
		{ "cross-compile", required_argument, NULL, 'C' },
		{ "db", required_argument, NULL, 'D' },
		{ "features", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "max-builds", required_argument, NULL, 'N' },
		{ "metric", required_argument, NULL, 'M' },
		{ "min-switch-saving", required_argument, NULL, 'w' },
		{ "output", required_argument, NULL, 'o' },
		{ "plan", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "require", required_argument, NULL, 'R' },
		{ "resume", optional_argument, NULL, 'r' },
		{ "source", required_argument, NULL, 'S' },
		{ "strategy", required_argument, NULL, 'T' },
		{ "time-budget", required_argument, NULL, 'U' },
		{ "track", required_argument, NULL, 'K' },
		KMIN_BUILD_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	a->time_budget = RUN_DEFAULT_BUDGET;
	a->switch_min_share = 0.001;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:q", options, NULL)) != -1) {
		if (c == 'h') {
			fputs(run_usage, stdout);
			return 1;
		}
		rc = kmin_build_opts_parse(&a->build, c, optarg);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		if (c == '?' || parse_option(a, c, argc, argv)) {
			if (c == '?')
				fputs(run_usage, stderr);
			return -1;
		}
	}
	if (optind != argc)
		return kmin_errorf("unexpected argument '%s'", argv[optind]);
	if (!a->arch)
		return kmin_errorf("run needs --arch (as make's ARCH=)");
	if (!a->require)
		return kmin_errorf("run needs --require LIST (see 'kmin features')");
	if (!a->base)
		a->base = "tinyconfig";
	if (!a->output)
		a->output = "kmin-out";
	snprintf(a->metric_key, sizeof(a->metric_key), "%s", kmin_metric_name(a->metric));
	if (a->budget_text) {
		char canon[128];
		kmin_budget_format(&a->budget, canon, sizeof(canon));
		snprintf(a->metric_key, sizeof(a->metric_key), "budget:%s", canon);
	}
	return 0;
}

/* ---- requirements and the base ---- */

static bool symbol_exists(void *payload, const char *name)
{
	struct kconfig_symbol *sym = kconfig_symbol_find(payload, name);
	return sym && kconfig_symbol_is_defined(sym);
}

static const char **symbol_names(struct kconfig *kc)
{
	size_t n = kconfig_symbol_count(kc), k = 0;
	const char **v = malloc((n + 1) * sizeof(*v));

	for (size_t i = 0; v && i < n; i++) {
		struct kconfig_symbol *sym = kconfig_symbol_at(kc, i);
		if (kconfig_symbol_name(sym) && kconfig_symbol_is_defined(sym))
			v[k++] = kconfig_symbol_name(sym);
	}
	if (v)
		v[k] = NULL;
	return v;
}

/* Engine requirements and the ELF names of the parsed list. */
static int expand(struct run_ctx *r)
{
	size_t n = 0, e = 0;

	for (size_t i = 0; i < r->reqs.n; i++) {
		const struct kmin_feature *f = r->reqs.items[i].feature;
		n += f ? f->nsymbols : 1;
		e += f ? f->nelf : 0;
	}
	r->kreqs = calloc(n + 1, sizeof(*r->kreqs));
	r->elf = calloc(e + 1, sizeof(*r->elf));
	if (!r->kreqs || !r->elf)
		return kmin_errorf("out of memory");
	for (size_t i = 0; i < r->reqs.n; i++) {
		const struct kmin_require *q = &r->reqs.items[i];
		if (!q->feature) {
			r->kreqs[r->nkreqs].symbol = q->symbol;
			r->kreqs[r->nkreqs++].value = q->value == 'n' ? KCONFIG_NO
						      : q->value == 'm' ? KCONFIG_MOD : KCONFIG_YES;
			continue;
		}
		for (size_t j = 0; j < q->feature->nsymbols; j++) {
			r->kreqs[r->nkreqs].symbol = q->feature->symbols[j];
			r->kreqs[r->nkreqs++].value = KCONFIG_YES;
		}
		for (size_t j = 0; j < q->feature->nelf; j++)
			r->elf[r->nelf++] = q->feature->elf[j];
	}
	return 0;
}

/*
 * --require's list without the word BOOT into buf (BOOT asks for a boot
 * check: --boot qemu unless --boot names the machine).  Exit code or 0.
 */
static int strip_boot(struct run_ctx *r, char *buf, size_t len)
{
	const char *p = r->a.require;
	size_t n = 0;

	buf[0] = '\0';
	while (*p) {
		size_t w = strcspn(p, ",");
		if (w == 4 && !strncmp(p, "BOOT", 4)) {
			char err[256];
			if (!r->a.build.boot &&
			    kmin_boot_spec_parse("qemu", &r->a.build.boot, err, sizeof(err)))
				return kmin_errorf("%s", err), KMIN_EXIT_USAGE;
		} else if (w) {
			if (n + w + 2 > len)
				return kmin_errorf("--require is too long"), KMIN_EXIT_USAGE;
			n += (size_t)snprintf(buf + n, len - n, "%s%.*s", n ? "," : "", (int)w, p);
		}
		p += w + (p[w] == ',');
	}
	return 0;
}

/*
 * With --boot, what the boot needs is required too, so no move can take
 * it: the board's own needs (its platform: ARCH_MPS2 off builds, then
 * hangs in QEMU, and a batch holding it costs a boot timeout and a split;
 * mps2's memory layout), the probe's loader (an ELF with an MMU, a FLAT
 * binary without), the initramfs (BLK_DEV_INITRD).  0 or -1 (out of
 * memory, reported).
 */
static int boot_requirements(struct run_ctx *r)
{
	const struct kmin_board *b = r->a.build.boot;
	const char *syms[8] = { "BLK_DEV_INITRD", b && b->mmu ? "BINFMT_ELF" : "BINFMT_FLAT",
				b && b->mmu ? "AEABI" : NULL };
	struct kconfig_requirement *k;
	size_t n = 0;

	if (!b)
		return 0;
	while (n < 3 && syms[n])
		n++;
	for (size_t i = 0; b->needs[i] && n < 7; i++)
		syms[n++] = b->needs[i];
	k = realloc(r->kreqs, (r->nkreqs + n + 1) * sizeof(*k));
	if (!k)
		return kmin_errorf("out of memory");
	r->kreqs = k;
	for (size_t i = 0; i < n; i++) {
		memset(&k[r->nkreqs], 0, sizeof(*k));
		k[r->nkreqs].symbol = syms[i];
		k[r->nkreqs++].value = KCONFIG_YES;
	}
	memset(&k[r->nkreqs], 0, sizeof(*k));
	return 0;
}

/*
 * With --boot: kmin's probe is built, and the base becomes its boot config
 * (the initramfs source set; build_opts.h), which every candidate derives
 * from.  Exit code or 0.
 */
static int boot_base(struct run_ctx *r)
{
	char *boot = NULL;
	size_t len = strlen(r->base_text);

	if (!r->a.build.boot)
		return 0;
	if (kmin_build_boot_prepare(&r->a.build, r->tree->env))
		return KMIN_EXIT_USAGE;
	if (kmin_build_boot_config(&r->a.build, r->base_text, len, &boot, &len))
		return KMIN_EXIT_FAIL;
	free(r->base_text);
	r->base_text = boot;
	return 0;
}

/* Load the base, solve the requirements on it, keep the text.  Exit code or 0. */
static int solve_base(struct run_ctx *r)
{
	struct kconfig_solve_options so = KCONFIG_SOLVE_OPTIONS_INIT;
	struct kconfig_solution *sol = NULL;
	const char **names = symbol_names(r->tree->kc);
	char err[1024], path[4200], require[4096];
	int rc = strip_boot(r, require, sizeof(require));

	if (!rc && !*require)
		rc = (kmin_errorf("--require needs more than BOOT"), KMIN_EXIT_USAGE);
	if (rc) {
		free(names);
		return rc;
	}
	rc = kmin_requirements_parse(&r->reqs, require, r->fs, symbol_exists, r->tree->kc,
				     names, err, sizeof(err));
	free(names);
	if (rc)
		return kmin_errorf("%s", err), KMIN_EXIT_USAGE;
	if (expand(r) || boot_requirements(r))
		return KMIN_EXIT_FAIL;
	if (kmin_tree_load_base(r->tree, r->a.base, err, sizeof(err)))
		return kmin_errorf("%s", err), KMIN_EXIT_USAGE;
	if (r->tree->defconfig[0] && !r->a.quiet)
		kmin_infof("base defconfig is '%s' (the arch's KBUILD_DEFCONFIG)",
			   r->tree->defconfig);
	if (!strcmp(r->a.base, "tinyconfig") || !strcmp(r->a.base, "allnoconfig"))
		so.new_symbols = KCONFIG_NEW_NO;
	rc = kconfig_solve(r->tree->kc, r->kreqs, r->nkreqs, &so, &sol);
	if (rc) {
		kmin_errorf("%s", kconfig_errmsg(r->tree->kc));
		return rc == KCONFIG_EINVAL ? KMIN_EXIT_FAIL : KMIN_EXIT_USAGE;
	}
	if (!r->a.quiet)
		kmin_infof("solved %s on %s: %zu symbols changed", r->a.require, r->a.base,
			   sol->nchanges);
	kconfig_solution_free(sol);
	kmin_tree_scratch_path(r->tree, "solved.config", path, sizeof(path));
	if (kconfig_config_write(r->tree->kc, path) || !(r->base_text = kmin_file_read(path, NULL)))
		return kmin_errorf("cannot write '%s'", path), KMIN_EXIT_FAIL;
	return boot_base(r);
}

/* ---- store, pool, run row ---- */

static int open_store(struct run_ctx *r)
{
	char path[PATH_MAX], err[512];
	const char *db = r->a.db;
	struct kmin_kernel_env *env = r->tree->env;

	if (!db) {
		if (kmin_store_default_path(path, sizeof(path)))
			return kmin_errorf("no database path: set --db, KMIN_DB or HOME");
		db = path;
	}
	if (kmin_store_open(&r->store, db, 0, err, sizeof(err)) < 0 ||
	    kmin_kernel_id_compute(&r->kid, r->tree->source, err, sizeof(err)) ||
	    kmin_store_kernel_upsert(r->store, &r->kid, &r->kernel_row, err, sizeof(err)) < 0 ||
	    kmin_store_toolchain_upsert(r->store, kmin_kernel_env_toolchain_id(env),
					kmin_kernel_env_get(env, "CC_VERSION_TEXT"),
					&r->toolchain_row, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err);
	return 0;
}

static int start_pool(struct run_ctx *r, const char *const *tramp)
{
	struct kmin_build_pool_spec spec = {
		.source = r->tree->source,
		.version = r->kid.version,
		.env = r->tree->env,
		.workers = r->a.strategy == KMIN_STRATEGY_LINEAR ? 1 : 0,
		.trampoline = tramp,
		.quiet = r->a.quiet,
	};

	return kmin_build_pool_start(&r->pool, &r->workers, &r->a.build, &spec);
}

/* SHA-256 over the command's identity: equal keys are the same command. */
static int run_key(const struct run_ctx *r, char hex[65])
{
	const char *parts[] = { r->kid.ident, kmin_kernel_env_toolchain_id(r->tree->env),
				r->a.arch, r->a.require, r->a.base,
				r->a.metric_key,
				kmin_search_strategy_name(r->a.strategy), r->base_text };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);

	for (size_t i = 0; ok && i < sizeof(parts) / sizeof(parts[0]); i++)
		ok = EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]) + 1);
	ok = ok && EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	for (unsigned int i = 0; ok && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return ok ? 0 : -1;
}

/*
 * Hold r->run_id for this process: a second kmin on the same command and
 * database must not work on the same run row.  0, or -1 (said).
 */
static int claim_run(struct run_ctx *r)
{
	char err[512];
	int rc = kmin_store_run_claim(r->store, r->run_id, err, sizeof(err));

	if (rc < 0)
		return kmin_errorf("%s", err);
	if (rc == 1)
		return kmin_errorf("run %lld is being run by another kmin process on '%s'; wait "
				   "for it to end, or give another --db", (long long)r->run_id,
				   kmin_store_path(r->store));
	return 0;
}

/* Find the run to resume or create a new one, and claim it. */
static int open_run(struct run_ctx *r)
{
	struct kmin_run run = { 0 };
	char key[65], err[512];
	int rc;

	if (run_key(r, key))
		return kmin_errorf("cannot hash the run's identity");
	if (r->a.resume_id) {
		rc = kmin_store_run_get(r->store, r->a.resume_id, &run, err, sizeof(err));
		if (rc < 0)
			return kmin_errorf("%s", err);
		if (rc == 0)
			return kmin_errorf("no run %lld in '%s'", (long long)r->a.resume_id,
					   kmin_store_path(r->store));
		rc = strcmp(run.key, key);
		enum kmin_run_status status = run.status;
		kmin_run_clear(&run);
		if (rc)
			return kmin_errorf("run %lld was another command (kernel, arch, requirements, "
					   "base, metric or strategy differ)", (long long)r->a.resume_id);
		/* a run that stopped for its budget goes on with a larger one */
		if (status == KMIN_RUN_DONE || status == KMIN_RUN_FAILED)
			return kmin_errorf("run %lld is finished (%s); run the command without "
					   "--resume for a new run", (long long)r->a.resume_id,
					   kmin_run_status_name(status));
		r->run_id = r->a.resume_id;
		return claim_run(r);
	}
	rc = kmin_store_run_find_unfinished(r->store, key, &r->run_id, err, sizeof(err));
	if (rc < 0)
		return kmin_errorf("%s", err);
	if (rc == 1) {
		if (claim_run(r))
			return -1;
		if (!r->a.quiet)
			kmin_infof("resuming run %lld", (long long)r->run_id);
		return 0;
	}
	if (r->a.resume)
		return kmin_errorf("no unfinished run of this command to resume");
	run.key = key;
	run.strategy = kmin_search_strategy_name(r->a.strategy);
	run.arch = r->a.arch;
	run.requirements = r->a.require;
	run.base = r->a.base;
	run.metric = r->a.budget_text ? "budget" : kmin_metric_name(r->a.metric);
	run.kernel_id = r->kernel_row;
	run.toolchain_id = r->toolchain_row;
	run.status = KMIN_RUN_RUNNING;
	run.base_size = run.final_size = -1;
	if (kmin_store_run_create(r->store, &run, &r->run_id, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err);
	return claim_run(r);
}

/* ---- progress ---- */

static void fmt_time(double s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	snprintf(buf, len, "%d:%02d", (int)s / 60, (int)s % 60);
}

static void on_event(void *data, const struct kmin_search_event *ev)
{
	struct run_ctx *r = data;
	char line[512], left[32] = "", budget[48] = "";

	if (r->a.quiet)
		return;
	if (ev->budget > 0) {
		fmt_time(ev->budget - ev->elapsed, left, sizeof(left));
		snprintf(budget, sizeof(budget), ", %s left", left);
	}
	if (ev->kind == KMIN_SEARCH_EV_TRY && r->tty) {
		int n = snprintf(line, sizeof(line), "[%u/%s builds] best %lld, trying %.*s%s%s",
				 ev->builds, ev->max_builds ? "" : "-", (long long)ev->best,
				 60, ev->moves, strlen(ev->moves) > 60 ? "..." : "", budget);
		if (ev->max_builds)
			n = snprintf(line, sizeof(line), "[%u/%u builds] best %lld, trying %.*s%s%s",
				     ev->builds, ev->max_builds, (long long)ev->best, 60, ev->moves,
				     strlen(ev->moves) > 60 ? "..." : "", budget);
		fprintf(stderr, "\r%s\033[K", line);
		r->line_len = (size_t)n;
		return;
	}
	if (ev->kind == KMIN_SEARCH_EV_TRY)
		return;
	if (r->tty && r->line_len) {
		fputs("\r\033[K", stderr);
		r->line_len = 0;
	}
	switch (ev->kind) {
	case KMIN_SEARCH_EV_BASE:
		kmin_infof("base: %s, %s %lld%s", ev->reason, "size", (long long)ev->size,
			   ev->cached ? " (from the database)" : "");
		break;
	case KMIN_SEARCH_EV_CANDIDATES:
		kmin_infof("%zu candidate move%s at %lld", ev->candidates,
			   ev->candidates == 1 ? "" : "s", (long long)ev->best);
		break;
	case KMIN_SEARCH_EV_RESULT:
		kmin_infof("[%u builds%s] %s %.*s%s: %s%s", ev->builds, budget,
			   ev->accepted ? "accept" : "reject", 80, ev->moves,
			   strlen(ev->moves) > 80 ? "..." : "", ev->reason,
			   ev->cached ? " (cached)" : "");
		break;
	case KMIN_SEARCH_EV_VERIFY:
		kmin_infof("verification: %s, size %lld", ev->reason, (long long)ev->size);
		break;
	default:
		break;
	}
}

/* ---- outputs ---- */

static void json_sizes(struct kmin_json *j, const char *key, const struct kmin_search_sizes *s)
{
	kmin_json_key(j, key);
	kmin_json_begin_object(j);
	for (unsigned m = 0; m < KMIN_METRIC_COUNT; m++) {
		kmin_json_key(j, kmin_metric_name((enum kmin_metric)m));
		kmin_json_int(j, kmin_search_metric(s, (enum kmin_metric)m));
	}
	kmin_json_end_object(j);
}

/* --budget: the final config's fit, as `kmin fit --format json` names it. */
static void json_budget(struct kmin_json *j, const struct run_ctx *r,
			const struct kmin_search_result *res)
{
	const struct kmin_budget_fit *f = &res->fit;

	kmin_json_key(j, "budget");
	if (!r->a.budget_text) {
		kmin_json_null(j);
		return;
	}
	kmin_json_begin_object(j);
	kmin_json_key(j, "spec");
	kmin_json_string(j, r->a.budget_text);
	kmin_json_key(j, "xip");
	kmin_json_bool(j, r->a.budget.xip);
	kmin_json_key(j, "fits");
	if (res->fit_known)
		kmin_json_bool(j, f->fits);
	else
		kmin_json_null(j);
	if (res->fit_known) {
		const char *keys[] = { "flash_bytes", "flash_budget", "ram_bytes", "ram_budget",
				       "flash_over", "ram_over", "shortfall" };
		int64_t v[] = { f->flash, f->flash_budget, f->ram, f->ram_budget, f->flash_over,
				f->ram_over, f->flash_over + f->ram_over };
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			kmin_json_key(j, keys[i]);
			if (v[i] < 0)
				kmin_json_null(j);
			else
				kmin_json_int(j, v[i]);
		}
		kmin_json_key(j, "boot");
		kmin_json_bool(j, f->boot);
	}
	kmin_json_end_object(j);
}

static int write_summary_json(const struct run_ctx *r, const struct kmin_search_result *res,
			      const char *path)
{
	FILE *f = fopen(path, "we");
	struct kmin_json j;

	if (!f)
		return kmin_errorf("cannot write '%s': %s", path, strerror(errno));
	kmin_json_init(&j, f);
	kmin_json_begin_object(&j);
	kmin_json_key(&j, "run");
	kmin_json_int(&j, r->run_id);
	kmin_json_key(&j, "status");
	kmin_json_string(&j, kmin_run_status_name(res->status));
	kmin_json_key(&j, "strategy");
	kmin_json_string(&j, kmin_search_strategy_name(r->a.strategy));
	kmin_json_key(&j, "requirements");
	kmin_json_string(&j, r->a.require);
	kmin_json_key(&j, "base_config");
	kmin_json_string(&j, r->a.base);
	kmin_json_key(&j, "metric");
	kmin_json_string(&j, kmin_metric_name(r->a.metric));
	json_sizes(&j, "base", &res->base);
	json_sizes(&j, "final", &res->final);
	json_budget(&j, r, res);
	kmin_json_key(&j, "builds");
	kmin_json_int(&j, res->builds);
	kmin_json_key(&j, "cached");
	kmin_json_int(&j, res->cached);
	kmin_json_key(&j, "seconds");
	kmin_json_double(&j, res->seconds);
	kmin_json_key(&j, "verified");
	kmin_json_bool(&j, res->verified);
	kmin_json_key(&j, "removed");
	kmin_json_begin_array(&j);
	for (size_t i = 0; i < res->nremoved; i++) {
		kmin_json_begin_object(&j);
		kmin_json_key(&j, "moves");
		kmin_json_string(&j, res->removed[i].moves);
		kmin_json_key(&j, "saving");
		kmin_json_int(&j, res->removed[i].saving);
		kmin_json_end_object(&j);
	}
	kmin_json_end_array(&j);
	kmin_json_end_object(&j);
	fputc('\n', f);
	return fclose(f) ? kmin_errorf("cannot write '%s'", path) : 0;
}

static int write_configs(struct run_ctx *r, const struct kmin_search_result *res,
			 const char *dir)
{
	struct kconfig_target_options t = { 0 };
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/min.config", dir);
	f = fopen(path, "we");
	if (!f || fputs(res->config, f) < 0 || fclose(f))
		return kmin_errorf("cannot write '%s'", path);
	t.input = path;
	if (kconfig_target_run(r->tree->kc, KCONFIG_TARGET_OLDDEFCONFIG, &t))
		return kmin_errorf("%s", kconfig_errmsg(r->tree->kc));
	snprintf(path, sizeof(path), "%s/min_defconfig", dir);
	if (kconfig_defconfig_write(r->tree->kc, path))
		return kmin_errorf("%s", kconfig_errmsg(r->tree->kc));
	return 0;
}

static void print_summary(const struct run_ctx *r, const struct kmin_search_result *res)
{
	printf("%-6s", "");
	for (unsigned m = 0; m < KMIN_METRIC_COUNT; m++)
		printf(" %10s", kmin_metric_name((enum kmin_metric)m));
	printf("\n");
	for (int k = 0; k < 2; k++) {
		const struct kmin_search_sizes *s = k ? &res->final : &res->base;
		printf("%-6s", k ? "final" : "base");
		for (unsigned m = 0; m < KMIN_METRIC_COUNT; m++) {
			int64_t v = kmin_search_metric(s, (enum kmin_metric)m);
			if (v < 0)	/* not measured (failed or interrupted before) */
				printf(" %10s", "-");
			else
				printf(" %10lld", (long long)v);
		}
		printf("\n");
	}
	printf("run %lld (%s, %s): %s; %u build%s, %u answered from the database, %.0f s%s\n",
	       (long long)r->run_id, kmin_search_strategy_name(r->a.strategy),
	       r->a.budget_text ? "budget" : kmin_metric_name(r->a.metric),
	       kmin_run_status_name(res->status), res->builds,
	       res->builds == 1 ? "" : "s", res->cached, res->seconds,
	       res->resumed ? " (resumed)" : "");
	for (size_t i = 0; i < res->nremoved; i++)
		printf("  %10lld  %s\n", (long long)-res->removed[i].saving, res->removed[i].moves);
	if (r->a.budget_text && res->fit_known)
		printf("budget %s: %s; flash %lld bytes, ram %lld bytes%s\n", r->a.budget_text,
		       res->fit.fits ? "fits" : "does not fit", (long long)res->fit.flash,
		       (long long)res->fit.ram,
		       res->fit.fits ? "" : " (the smallest shortfall reached)");
	if (r->a.budget_text && res->fit_known && !res->fit.fits)
		printf("shortfall %lld bytes: flash over by %lld, ram over by %lld%s\n",
		       (long long)(res->fit.flash_over + res->fit.ram_over),
		       (long long)res->fit.flash_over, (long long)res->fit.ram_over,
		       res->fit.boot ? "" : " (no boot figure)");
	fflush(stdout);
}

/* ---- the command ---- */

/* ---- --track NAME (the job itself is kept by cmd_track.h) ---- */

static void track_job(const struct run_ctx *r, struct kmin_track *t)
{
	memset(t, 0, sizeof(*t));
	t->name = r->a.track;
	t->source = r->tree->source;
	t->arch = r->a.arch;
	t->cross_compile = r->a.cross_compile;
	t->requirements = r->a.require;
	t->base = r->a.base;
	t->metric = r->a.budget_text ? "budget" : kmin_metric_name(r->a.metric);
	t->strategy = kmin_search_strategy_name(r->a.strategy);
	t->max_builds = r->a.max_builds;
	t->time_budget = r->a.time_budget;
	t->features = r->a.features;
	/* metric_key is "budget:<canonical budget>" with a budget */
	t->budget = r->a.budget_text ? strchr(r->a.metric_key, ':') + 1 : NULL;
	t->boot = r->a.build.boot ? r->a.build.boot->name : NULL;
}

/* The night's size: the metric's bytes, or with a budget the shortfall. */
static int64_t track_size(const struct run_ctx *r, const struct kmin_search_result *res)
{
	if (r->a.budget_text)
		return res->fit_known ? kmin_budget_score(&res->fit) : -1;
	return kmin_search_metric(&res->final, r->a.metric);
}

static int track_check(struct run_ctx *r)
{
	struct kmin_track t;

	track_job(r, &t);
	return kmin_run_track_check(r->store, &t);
}

static int track_record(struct run_ctx *r, const struct kmin_search_result *res)
{
	struct kmin_run_night n = { .kid = &r->kid, .kernel_id = r->kernel_row,
				    .toolchain_id = r->toolchain_row, .run_id = r->run_id,
				    .status = res->status, .config = res->config,
				    .size = track_size(r, res) };
	struct kmin_track t;

	track_job(r, &t);
	return kmin_run_track_record(r->store, &t, &n);
}

static int search(struct run_ctx *r)
{
	struct kmin_search_options o = { 0 };
	struct kmin_search_result res;
	const struct kmin_arch *arch = kmin_kernel_env_arch(r->tree->env);
	char err[1024], work[4200];
	int rc;

	kmin_tree_scratch_path(r->tree, "work", work, sizeof(work));
	o.kc = r->tree->kc;
	o.scratch = r->tree->scratch;
	o.source = r->tree->source;
	o.base_config = r->base_text;
	o.reqs = r->kreqs;
	o.nreqs = r->nkreqs;
	o.elf_symbols = r->elf;
	o.nelf = r->nelf;
	o.metric = r->a.metric;
	o.strategy = r->a.strategy;
	o.max_builds = r->a.max_builds;
	o.time_budget = r->a.time_budget;
	o.store = r->store;
	o.kernel_id = r->kernel_row;
	o.toolchain_id = r->toolchain_row;
	o.arch = arch->name;
	o.image = arch->image;
	o.pool = r->pool;
	o.workers = r->workers;
	o.work_dir = work;
	o.run_id = r->run_id;
	o.event = on_event;
	o.event_data = r;
	o.stop = &run_stop;
	o.keep_choices = !strcmp(r->a.base, "tinyconfig");
	o.switch_min_bytes = r->a.switch_min_bytes;
	o.switch_min_share = r->a.switch_min_share;
	o.refs = r->refs;
	o.budget = r->a.budget_text ? &r->a.budget : NULL;
	o.boot = r->a.build.boot != NULL;
	if (kmin_search_run(&o, &res, err, sizeof(err))) {
		kmin_search_result_clear(&res);
		return kmin_errorf("%s", err), KMIN_EXIT_FAIL;
	}
	rc = KMIN_EXIT_OK;
	if (res.status == KMIN_RUN_RUNNING) {
		kmin_errorf("interrupted; run the same command again to resume run %lld",
			    (long long)r->run_id);
		rc = KMIN_EXIT_FAIL;
	} else if (res.status == KMIN_RUN_FAILED) {
		kmin_errorf("%s", res.message);
		rc = KMIN_EXIT_FAIL;
	}
	if (res.config && !rc) {	/* an interrupted or failed run leaves the last result */
		char path[PATH_MAX];
		if (kmin_mkdir_p(r->a.output, 0755))
			rc = (kmin_errorf("cannot create '%s': %s", r->a.output, strerror(errno)),
			      KMIN_EXIT_FAIL);
		else if (write_configs(r, &res, r->a.output))
			rc = KMIN_EXIT_FAIL;
		snprintf(path, sizeof(path), "%s/summary.json", r->a.output);
		if (!rc && write_summary_json(r, &res, path))
			rc = KMIN_EXIT_FAIL;
	}
	print_summary(r, &res);
	if (r->a.track && res.status != KMIN_RUN_RUNNING && track_record(r, &res) && !rc)
		rc = KMIN_EXIT_FAIL;
	if (res.config && !rc)
		kmin_infof("wrote '%s/min.config', '%s/min_defconfig' and '%s/summary.json'",
			   r->a.output, r->a.output, r->a.output);
	kmin_search_result_clear(&res);
	return rc;
}

static void ctx_free(struct run_ctx *r)
{
	kmin_pool_free(r->pool);
	kmin_refs_free(r->refs);
	kmin_store_close(r->store);
	free(r->base_text);
	free(r->kreqs);
	kmin_boot_files_clear(&r->a.build.boot_files);
	free(r->elf);
	kmin_requirements_clear(&r->reqs);
	kmin_tree_close(r->tree);
	kmin_features_free(r->fs);
}

/*
 * The index of CONFIG_ names in the tree's code (refs.h), kept in kmin's
 * cache under the kernel's identity and arch.  Without it the search
 * still works, it only builds moves that cannot save anything: a
 * failure is a warning.
 */
static void load_refs(struct run_ctx *r)
{
	const struct kmin_arch *arch = kmin_kernel_env_arch(r->tree->env);
	char dir[PATH_MAX], path[PATH_MAX + 64], id[256], err[512];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int n = snprintf(id, sizeof(id), "refs 2\n%s\n%s", r->kid.ident, arch->srcarch);

	if (n < 0 || (size_t)n >= sizeof(id) || kmin_cache_dir(dir, sizeof(dir)) ||
	    strlen(dir) + 8 >= sizeof(dir) || !EVP_Digest(id, (size_t)n, md, &mdlen, EVP_sha256(), NULL))
		return;
	strcat(dir, "/refs");
	if (kmin_mkdir_p(dir, 0755))
		return;
	n = snprintf(path, sizeof(path), "%s/", dir);
	for (unsigned int i = 0; i < 8; i++)
		n += snprintf(path + n, sizeof(path) - (size_t)n, "%02x", md[i]);
	if (access(path, R_OK) && !r->a.quiet)
		kmin_infof("indexing the CONFIG_ names of the tree's code (once per kernel)");
	if (kmin_refs_load(&r->refs, r->tree->source, arch->srcarch, path, err, sizeof(err)))
		kmin_warnf("%s; moves that cannot save bytes will be built too", err);
}

/*
 * --plan: the moves the search would consider at the solved base, one per
 * line in Kconfig order, and their count.  A base the engine finds
 * minimal prints none.
 */
static int print_plan(struct run_ctx *r)
{
	struct kmin_move *moves = NULL;
	char err[1024], buf[512];
	size_t n = 0, dropped = 0;

	if (kmin_search_candidates(r->tree->kc, r->tree->scratch, r->base_text, r->kreqs, r->nkreqs,
				   !strcmp(r->a.base, "tinyconfig") ? KMIN_MOVES_KEEP_CHOICES : 0,
				   &moves, &n, err, sizeof(err)))
		return kmin_errorf("%s", err), KMIN_EXIT_FAIL;
	if (!kmin_kernel_id_compute(&r->kid, r->tree->source, err, sizeof(err)))
		load_refs(r);
	if (r->refs && kmin_search_drop_inert(r->tree->kc, r->tree->scratch, r->base_text, r->refs,
					      kmin_metric_uses_image(r->a.metric), moves, &n,
					      &dropped, err, sizeof(err))) {
		free(moves);
		return kmin_errorf("%s", err), KMIN_EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct kmin_move *m = &moves[i];
		kmin_search_moves_format(&m, 1, buf, sizeof(buf));
		printf("%s\n", buf);
	}
	kmin_infof("%zu candidate move%s at the solved base (%zu that cannot change the size left out)",
		   n, n == 1 ? "" : "s", dropped);
	free(moves);
	return KMIN_EXIT_OK;
}

/* run_prepare(): everything was done already (--plan) */
#define RUN_PREPARE_DONE (-1)

static int run_prepare(struct run_ctx *r, const char *const *tramp)
{
	struct kmin_tree_options topts = { 0 };
	char err[1024];
	static bool quiet_diag = true;
	int rc;

	if (kmin_features_new(&r->fs, err, sizeof(err)) ||
	    (r->a.features && kmin_features_load(r->fs, r->a.features, err, sizeof(err))))
		return kmin_errorf("%s", err), KMIN_EXIT_USAGE;
	topts.source = r->a.source;
	topts.arch = r->a.arch;
	topts.cross_compile = r->a.cross_compile;
	topts.diag = kmin_print_diag;
	topts.diag_payload = &quiet_diag;
	if (kmin_tree_open(&r->tree, &topts, err, sizeof(err)))
		return kmin_errorf("%s", err), KMIN_EXIT_USAGE;
	if (kmin_build_check_tools(&r->a.build, r->tree->env, r->a.arch))
		return KMIN_EXIT_USAGE;
	rc = solve_base(r);
	if (rc)
		return rc;
	if (r->a.plan)
		return print_plan(r) ? KMIN_EXIT_FAIL : RUN_PREPARE_DONE;
	if (open_store(r) || (r->a.track && track_check(r)) || open_run(r))
		return KMIN_EXIT_USAGE;
	load_refs(r);
	if (start_pool(r, tramp))
		return KMIN_EXIT_USAGE;
	return 0;
}

int kmin_cmd_run(int argc, char **argv)
{
	char self[PATH_MAX];
	const char *tramp[3] = { self, KMIN_SPAWN_EXEC_COMMAND, NULL };
	struct run_ctx r;
	struct sigaction sa, old_int, old_term;
	ssize_t n;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = parse_args(argc, argv, &r.a);
	if (rc)
		return rc > 0 ? KMIN_EXIT_OK : KMIN_EXIT_USAGE;
	kmin_output_set_quiet(r.a.quiet);
	r.tty = kmin_output_is_tty();
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return kmin_errorf("cannot find kmin's own program"), KMIN_EXIT_FAIL;
	self[n] = '\0';
	rc = run_prepare(&r, tramp);
	if (!rc) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = run_on_signal;
		sigemptyset(&sa.sa_mask);
		run_pool = r.pool;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		rc = search(&r);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		run_pool = NULL;
	} else if (rc == RUN_PREPARE_DONE) {
		rc = KMIN_EXIT_OK;
	}
	ctx_free(&r);
	return rc;
}
