/*
 * cmd_build.c - `kmin build CONFIG...`: build each .config with the
 * kernel's own make in parallel workers, measure it exactly, record it.
 *
 * For every CONFIG the results store is asked first (key: the config's
 * normalized SHA-256, the kernel tree, the toolchain, arch and image); a
 * hit is printed at once, marked cached, without running make.  The misses
 * go to the worker pool (worker.h); each finished build is recorded in one
 * store transaction and printed as a row:
 *
 *   status  text  data  bss  dec  image  seconds  cached  config
 *
 * Only ok, failed and timeout results are recorded: a full disk, a cancel
 * or an internal error says nothing about the config, so the next run
 * builds it again.  A cached timeout is built again too (the new run may
 * allow more time).  When the engine check is on (the default), kmin's
 * own Kconfig engine runs olddefconfig on each candidate too, on the main
 * thread while the workers build (so it costs no wall time), and the
 * symbols where it disagrees with make are reported.
 *
 * Builds run behind spawn.h's trampoline, `kmin __exec ...` (dispatched
 * by main.c), so that they die with kmin.
 *
 * Exit status: 0 every config built (or was cached) ok; 1 a build failed,
 * timed out or could not be run; 2 bad usage or input (no such config,
 * not a kernel tree, missing cross compiler, unusable database).
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build_opts.h"
#include "commands.h"
#include "output.h"
#include "kconfig/kconfig.h"
#include "kmin/record.h"
#include "kmin/kernel.h"
#include "kmin/kernel_id.h"
#include "kmin/spawn.h"
#include "kmin/store.h"
#include "kmin/worker.h"

static const char build_usage[] =
	"usage: kmin build --arch ARCH [--source DIR] [--cross-compile PFX] [--db FILE]\n"
	"                  [--workers W] [--jobs J] [--timeout SECONDS] [--artifacts DIR]\n"
	"                  [--ccache] [--no-check] CONFIG...\n"
	"\n"
	"Build each .config with the kernel's own make (olddefconfig, then vmlinux\n"
	"and the arch's image) in parallel workers, print its exact sizes and\n"
	"record them; a config built before is answered from the database.\n"
	"\n"
	"options:\n"
	"  --source DIR           kernel source tree (default: the embedded\n"
	"                         linux-source-6.1 in kmin's cache)\n"
	"  --arch ARCH            architecture, as make's ARCH= (required)\n"
	"  --cross-compile PFX    as make's CROSS_COMPILE= (default per arch;\n"
	"                         arm: arm-linux-gnueabi-)\n"
	"  --db FILE              results database (default: $KMIN_DB, else\n"
	"                         $XDG_DATA_HOME/kmin/results.db)\n"
	KMIN_BUILD_OPTS_HELP
	"  --artifacts DIR        keep vmlinux, the image, .config and build.log in\n"
	"                         DIR/<config-sha256>/\n"
	"  --no-check             do not compare make's olddefconfig with kmin's engine\n"
	"  -q, --quiet            no progress messages\n"
	"  -h, --help             show this help\n"
	"\n"
	"Columns: status (ok, failed, timeout, no-space, cancelled, error), text,\n"
	"data, bss and dec as binutils' size prints them for vmlinux, the image's\n"
	"bytes, build seconds, cached (yes: answered from the database).\n"
	"\n"
	"exit status: 0 all ok, 1 a build failed, 2 bad usage or input.\n";

struct build_args {
	const char *source;
	const char *arch;
	const char *cross_compile;
	const char *db;
	const char *artifacts;
	struct kmin_build_opts build;
	bool no_check;
	bool quiet;
	char **configs;
	int nconfigs;
};

/* One CONFIG of the command line. */
struct item {
	const char *path;	/* as given */
	char *text;		/* file contents */
	size_t len;
	char sha[65];		/* normalized SHA-256: the store key and artifacts name */
	char *expected;		/* the engine's olddefconfig, or NULL */
	char *artifacts;	/* <artifacts>/<sha>, or NULL */
};

/* Everything one run needs; lives on kmin_cmd_build()'s stack. */
struct build_run {
	struct build_args args;
	char source[PATH_MAX];
	struct kmin_kernel_env *env;
	const struct kmin_arch *arch;
	struct kmin_store *store;
	struct kmin_kernel_id kid;
	int64_t kernel_row, toolchain_row;
	struct item *items;
	int failures;
};

/* The pool being run, for the signal handler (a command may keep this one global). */
static struct kmin_pool *volatile running_pool;

static void on_signal(int sig)
{
	(void)sig;
	if (running_pool)
		kmin_pool_cancel(running_pool);
}

/* ---- options ---- */

static int parse_args(int argc, char **argv, struct build_args *a)
{
	enum { OPT_SOURCE = 256, OPT_ARCH, OPT_CROSS, OPT_DB, OPT_ARTIFACTS, OPT_NO_CHECK };
	static const struct option options[] = {
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "artifacts", required_argument, NULL, OPT_ARTIFACTS },
		{ "cross-compile", required_argument, NULL, OPT_CROSS },
		{ "db", required_argument, NULL, OPT_DB },
		{ "help", no_argument, NULL, 'h' },
		{ "no-check", no_argument, NULL, OPT_NO_CHECK },
		{ "quiet", no_argument, NULL, 'q' },
		{ "source", required_argument, NULL, OPT_SOURCE },
		KMIN_BUILD_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hq", options, NULL)) != -1) {
		rc = kmin_build_opts_parse(&a->build, c, optarg);
		if (rc <= 0) {
			if (rc < 0)
				return -1;
			continue;
		}
		switch (c) {
		case OPT_SOURCE: a->source = optarg; break;
		case OPT_ARCH: a->arch = optarg; break;
		case OPT_CROSS: a->cross_compile = optarg; break;
		case OPT_DB: a->db = optarg; break;
		case OPT_ARTIFACTS: a->artifacts = optarg; break;
		case OPT_NO_CHECK: a->no_check = true; break;
		case 'q': a->quiet = true; break;
		case 'h':
			fputs(build_usage, stdout);
			return 1;
		default:
			fputs(build_usage, stderr);
			return -1;
		}
	}
	if (!a->arch)
		return kmin_errorf("build needs --arch (as make's ARCH=)");
	if (optind >= argc)
		return kmin_errorf("build needs at least one CONFIG file");
	a->configs = argv + optind;
	a->nconfigs = argc - optind;
	return 0;
}

/* ---- checks before anything runs ---- */

static int check_tree_and_tools(struct build_run *run)
{
	char version[128], err[512], kconfig[PATH_MAX + 32];
	if (kmin_kernel_version(run->source, version, sizeof(version), err, sizeof(err)))
		return kmin_errorf("%s", err);
	snprintf(kconfig, sizeof(kconfig), "%s/Kconfig", run->source);
	if (access(kconfig, R_OK))
		return kmin_errorf("'%s' is not a kernel source tree: no Kconfig", run->source);
	if (kmin_kernel_env_new(&run->env, run->source, run->args.arch, run->args.cross_compile, 0,
				err, sizeof(err)))
		return kmin_errorf("%s", err);
	run->arch = kmin_kernel_env_arch(run->env);
	snprintf(kconfig, sizeof(kconfig), "%s/arch/%s/Kconfig", run->source, run->arch->srcarch);
	if (access(kconfig, R_OK))
		return kmin_errorf("unknown arch '%s': no arch/%s/Kconfig in '%s'", run->args.arch,
				   run->arch->srcarch, run->source);
	if (kmin_build_check_tools(&run->args.build, run->env, run->args.arch))
		return -1;
	return 0;
}

static int read_configs(struct build_run *run)
{
	const char *art = run->args.artifacts;

	run->items = calloc((size_t)run->args.nconfigs, sizeof(*run->items));
	if (!run->items)
		return kmin_errorf("out of memory");
	for (int i = 0; i < run->args.nconfigs; i++) {
		struct item *it = &run->items[i];
		FILE *f = fopen(run->args.configs[i], "re");
		struct stat st;

		it->path = run->args.configs[i];
		if (!f || fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
			if (f)
				fclose(f);
			return kmin_errorf("cannot read '%s': %s", it->path,
					   f ? "not a regular file" : strerror(errno));
		}
		it->text = malloc((size_t)st.st_size + 1);
		it->len = it->text ? fread(it->text, 1, (size_t)st.st_size, f) : 0;
		fclose(f);
		if (!it->text)
			return kmin_errorf("out of memory");
		it->text[it->len] = '\0';
		if (!strstr(it->text, "CONFIG_"))
			return kmin_errorf("'%s' is not a .config: no CONFIG_ line", it->path);
		if (kmin_config_sha256(it->text, it->len, it->sha))
			return kmin_errorf("cannot hash '%s'", it->path);
		if (art && asprintf(&it->artifacts, "%s/%s", art, it->sha) < 0)
			return kmin_errorf("out of memory");
	}
	return 0;
}

/* ---- the store ---- */

static int open_store(struct build_run *run)
{
	char path[PATH_MAX], err[512];
	const char *db = run->args.db;
	int rc;

	if (!db) {
		if (kmin_store_default_path(path, sizeof(path)))
			return kmin_errorf("no database path: set --db, KMIN_DB or HOME");
		db = path;
	}
	if (kmin_store_open(&run->store, db, 0, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err);
	if (kmin_kernel_id_compute(&run->kid, run->source, err, sizeof(err)))
		return kmin_errorf("%s", err);
	rc = kmin_store_kernel_upsert(run->store, &run->kid, &run->kernel_row, err, sizeof(err));
	if (!rc)
		rc = kmin_store_toolchain_upsert(run->store, kmin_kernel_env_toolchain_id(run->env),
						 kmin_kernel_env_get(run->env, "CC_VERSION_TEXT"),
						 &run->toolchain_row, err, sizeof(err));
	if (rc < 0)
		return kmin_errorf("%s", err);
	return 0;
}

static void make_key(const struct build_run *run, const struct item *it, struct kmin_build_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->config_sha256, it->sha, sizeof(k->config_sha256));
	k->kernel_id = run->kernel_row;
	k->toolchain_id = run->toolchain_row;
	k->arch = run->arch->name;
	k->image = run->arch->image;
}

/* ---- output ---- */

static void print_header(void)
{
	printf("%-9s %9s %9s %9s %9s %9s %8s %-6s %s\n", "status", "text", "data", "bss", "dec",
	       "image", "seconds", "cached", "config");
	fflush(stdout);
}

static void print_row(const char *status, int64_t text, int64_t data, int64_t bss, int64_t image,
		      double seconds, bool cached, const char *config)
{
	if (text >= 0)
		printf("%-9s %9lld %9lld %9lld %9lld %9lld %8.1f %-6s %s\n", status, (long long)text,
		       (long long)data, (long long)bss, (long long)(text + data + bss),
		       (long long)image, seconds, cached ? "yes" : "no", config);
	else
		printf("%-9s %9s %9s %9s %9s %9s %8.1f %-6s %s\n", status, "-", "-", "-", "-", "-",
		       seconds, cached ? "yes" : "no", config);
	fflush(stdout);
}

/* ---- cache hits ---- */

static bool artifacts_present(const struct item *it, const struct kmin_arch *arch, bool ok)
{
	char path[PATH_MAX];
	const char *base = strrchr(arch->image_path, '/');

	if (!it->artifacts)
		return true;
	snprintf(path, sizeof(path), "%s/%s", it->artifacts, ok ? "vmlinux" : ".config");
	if (access(path, R_OK))
		return false;
	snprintf(path, sizeof(path), "%s/%s", it->artifacts, base ? base + 1 : arch->image_path);
	return !ok || !access(path, R_OK);
}

/* 1 answered from the store, 0 must be built, -1 error (reported). */
static int answer_from_store(struct build_run *run, struct item *it)
{
	struct kmin_build_key key;
	struct kmin_build b;
	char err[512];
	int64_t t0 = kmin_record_now_ms();
	int rc;

	make_key(run, it, &key);
	rc = kmin_store_build_lookup(run->store, &key, &b, err, sizeof(err));
	if (rc < 0)
		return kmin_errorf("%s", err);
	if (rc == 0)
		return 0;
	if (b.status == KMIN_BUILD_TIMEOUT ||
	    !artifacts_present(it, run->arch, b.status == KMIN_BUILD_OK)) {
		kmin_build_clear(&b);
		return 0;
	}
	if (kmin_store_build_record_cached(run->store, b.id, "cache", t0, kmin_record_now_ms(), NULL, err,
					   sizeof(err)) < 0)
		kmin_warnf("%s", err);
	print_row(kmin_build_status_name(b.status), b.status == KMIN_BUILD_OK ? b.text : -1, b.data,
		  b.bss, b.image_bytes, b.seconds, true, it->path);
	if (b.status != KMIN_BUILD_OK) {
		kmin_infof("%s: failed before: %s", it->path, b.first_error ? b.first_error : "");
		run->failures++;
	}
	kmin_build_clear(&b);
	return 1;
}

/* ---- the engine's answer, to compare with make's ---- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

/* The engine's olddefconfig of it->text into it->expected; NULL when it cannot tell. */
static void engine_expect(struct build_run *run, struct kconfig *kc, const char *scratch,
			  struct item *it)
{
	struct kconfig_target_options topts = { 0 };
	char in[PATH_MAX], out[PATH_MAX];
	FILE *f;

	snprintf(in, sizeof(in), "%s/input.config", scratch);
	snprintf(out, sizeof(out), "%s/output.config", scratch);
	f = fopen(in, "we");
	if (!f)
		return;
	fwrite(it->text, 1, it->len, f);
	fclose(f);
	topts.input = in;
	if (kconfig_target_run(kc, KCONFIG_TARGET_OLDDEFCONFIG, &topts) ||
	    kconfig_config_write(kc, out)) {
		kmin_warnf("kmin's engine cannot run olddefconfig on '%s': %s", it->path,
			   kconfig_errmsg(kc));
		return;
	}
	f = fopen(out, "re");
	if (!f)
		return;
	struct stat st;
	if (!fstat(fileno(f), &st) && (it->expected = malloc((size_t)st.st_size + 1))) {
		size_t n = fread(it->expected, 1, (size_t)st.st_size, f);
		it->expected[n] = '\0';
	}
	fclose(f);
	(void)run;
}

static void engine_expect_all(struct build_run *run, const bool *todo)
{
	struct kconfig_options opts = KCONFIG_OPTIONS_INIT;
	struct kconfig *kc = NULL;
	char scratch[] = "/tmp/kmin-build-XXXXXX";
	bool quiet = true;

	if (run->args.no_check || !mkdtemp(scratch))
		return;
	opts.srctree = run->source;
	opts.env = kmin_kernel_env_vars(run->env);
	opts.shell_cwd = scratch;
	opts.diag = kmin_print_diag;
	opts.diag_payload = &quiet;
	if (kconfig_open(&kc, &opts)) {
		kmin_warnf("kmin's engine cannot read '%s' (%s): not comparing with make",
			   run->source, kc ? kconfig_errmsg(kc) : "out of memory");
	} else {
		for (int i = 0; i < run->args.nconfigs; i++)
			if (todo[i])
				engine_expect(run, kc, scratch, &run->items[i]);
	}
	kconfig_free(kc);
	nftw(scratch, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* ---- building ---- */

static void on_progress(void *data, const struct kmin_progress *p)
{
	const struct item *it = p->user;

	(void)data;
	if (p->stage != KMIN_STAGE_OLDDEFCONFIG && p->stage != KMIN_STAGE_BUILD)
		return;
	/* runs on worker threads: hold stderr's (recursive) lock for the whole line */
	flockfile(stderr);
	kmin_infof("w%u: %s: make %s", p->worker, it->path, kmin_job_stage_name(p->stage));
	funlockfile(stderr);
}

static int start_pool(struct build_run *run, struct kmin_pool **pool, const char *const *tramp)
{
	struct kmin_build_pool_spec spec = {
		.source = run->source,
		.version = run->kid.version,
		.env = run->env,
		.trampoline = tramp,
		.progress = run->args.quiet ? NULL : on_progress,
	};

	return kmin_build_pool_start(pool, NULL, &run->args.build, &spec);
}

/* Compare make's olddefconfig with the engine's and warn about each difference. */
static void check_divergence(const struct item *it, const struct kmin_job_result *r)
{
	struct kmin_divergence *d;
	size_t n, used = 0;
	char list[512] = "";

	if (kmin_config_diff(it->expected, r->config, &d, &n) || !n)
		return;
	for (size_t i = 0; i < n && used < sizeof(list) - 64; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s (engine %s, make %s)",
					 i ? ", " : "", d[i].symbol, d[i].engine, d[i].make);
	kmin_warnf("%s: kmin's engine and make's olddefconfig differ in %zu symbol%s: %s%s", it->path,
		   n, n == 1 ? "" : "s", list, used >= sizeof(list) - 64 ? ", ..." : "");
	kmin_divergences_free(d, n);
}

/* Record an ok, failed or timeout result; 0 or -1 (reported). */
static int record(struct build_run *run, const struct item *it, const struct kmin_job_result *r)
{
	struct kmin_build_key key;
	char err[512];

	make_key(run, it, &key);
	if (kmin_record_job(run->store, it->text, it->len, &key, r, NULL, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err);
	return 0;
}

static void finish_one(struct build_run *run, const struct kmin_job_result *r)
{
	const struct item *it = r->user;
	bool ok = r->status == KMIN_JOB_OK;

	if (it->expected && r->config)
		check_divergence(it, r);
	if (ok || r->status == KMIN_JOB_FAILED || r->status == KMIN_JOB_TIMEOUT) {
		if (record(run, it, r))
			run->failures++;
	}
	print_row(kmin_job_status_name(r->status), ok ? (int64_t)r->sizes.text : -1,
		  (int64_t)r->sizes.data, (int64_t)r->sizes.bss, (int64_t)r->image_bytes,
		  r->seconds, false, it->path);
	if (!ok) {
		run->failures++;
		if (r->status == KMIN_JOB_NOSPACE)
			kmin_errorf("%s: the disk is full (%s); nothing recorded: free some space and run again",
				    it->path, r->message ? r->message : "no space left on device");
		else if (r->status != KMIN_JOB_CANCELLED)
			kmin_errorf("%s: %s: %s", it->path, kmin_job_stage_name(r->stage),
				    r->message ? r->message : "failed");
	}
	if (r->artifacts_error) {
		kmin_errorf("%s", r->artifacts_error);
		run->failures++;
	}
}

static int build_misses(struct build_run *run, const bool *todo, int ntodo,
			const char *const *tramp)
{
	struct kmin_pool *pool = NULL;
	struct kmin_job_result *r;
	struct sigaction sa, old_int, old_term;
	char err[512];

	if (!ntodo)
		return 0;
	if (start_pool(run, &pool, tramp))
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	running_pool = pool;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	for (int i = 0; i < run->args.nconfigs; i++) {
		struct item *it = &run->items[i];
		struct kmin_job job = { it->text, it->len, NULL, it->artifacts, it };

		if (todo[i] && kmin_pool_submit(pool, &job, err, sizeof(err))) {
			kmin_errorf("%s", err);
			kmin_pool_cancel(pool);
			break;
		}
	}
	/* The engine's answers are computed while the workers build. */
	engine_expect_all(run, todo);
	while (kmin_pool_next(pool, &r) == 1) {
		finish_one(run, r);
		kmin_job_result_free(r);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	running_pool = NULL;
	kmin_pool_free(pool);
	return 0;
}

static void run_free(struct build_run *run)
{
	for (int i = 0; run->items && i < run->args.nconfigs; i++) {
		free(run->items[i].text);
		free(run->items[i].expected);
		free(run->items[i].artifacts);
	}
	free(run->items);
	kmin_store_close(run->store);
	kmin_kernel_env_free(run->env);
}

static int build_all(struct build_run *run, const char *const *tramp)
{
	bool *todo = calloc((size_t)run->args.nconfigs, sizeof(*todo));
	int ntodo = 0, rc = 0;

	if (!todo)
		return kmin_errorf("out of memory"), KMIN_EXIT_FAIL;
	print_header();
	for (int i = 0; i < run->args.nconfigs && !rc; i++) {
		int hit = answer_from_store(run, &run->items[i]);
		if (hit < 0)
			rc = -1;
		todo[i] = hit == 0;
		ntodo += hit == 0;
	}
	if (!rc)
		rc = build_misses(run, todo, ntodo, tramp);
	free(todo);
	return rc || run->failures ? KMIN_EXIT_FAIL : KMIN_EXIT_OK;
}

int kmin_cmd_build(int argc, char **argv)
{
	char self[PATH_MAX];
	const char *tramp[3] = { self, KMIN_SPAWN_EXEC_COMMAND, NULL };
	struct build_run run;
	ssize_t n;
	int rc;

	memset(&run, 0, sizeof(run));
	rc = parse_args(argc, argv, &run.args);
	if (rc)
		return rc > 0 ? KMIN_EXIT_OK : KMIN_EXIT_USAGE;
	kmin_output_set_quiet(run.args.quiet);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return kmin_errorf("cannot find kmin's own program: %s", strerror(errno)), KMIN_EXIT_FAIL;
	self[n] = '\0';
	if (run.args.source)
		snprintf(run.source, sizeof(run.source), "%s", run.args.source);
	else if (kmin_default_source(run.source, sizeof(run.source)))
		return kmin_errorf("cannot find kmin's cache directory"), KMIN_EXIT_USAGE;
	if (check_tree_and_tools(&run) || read_configs(&run) || open_store(&run)) {
		run_free(&run);
		return KMIN_EXIT_USAGE;
	}
	rc = build_all(&run, tramp);
	run_free(&run);
	return rc;
}
