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
 * symbols where it disagrees with make are reported and recorded with the
 * build (`kmin builds --divergences` lists them).
 *
 * Builds run behind spawn.h's trampoline, `kmin __exec ...` (dispatched
 * by main.c), so that they die with kmin.
 *
 * Exit status: 0 every config built (or was cached) ok; 1 a build failed,
 * timed out or could not be run; 2 bad usage or input (no such config,
 * not a kernel tree, missing cross compiler, unusable database).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmin/store_boot.h"
#include "build_opts.h"
#include "commands.h"
#include "output.h"
#include "kconfig/kconfig.h"
#include "kmin/record.h"
#include "kmin/file.h"
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
	"  --artifacts DIR        keep vmlinux, the image, .config, build.log (and\n"
	"                         boot.log with --boot) in\n"
	"                         DIR/<config-sha256>/\n"
	"  --no-check             do not compare make's olddefconfig with kmin's engine\n"
	"  -q, --quiet            no progress messages\n"
	"  -h, --help             show this help\n"
	"\n"
	"Columns: status (ok, failed, timeout, no-space, cancelled, error), text,\n"
	"data, bss and dec as binutils' size prints them for vmlinux, the image's\n"
	"bytes, build seconds, cached (yes: answered from the database).\n"
	"\n"
	"exit status: 0 all ok, 1 a build failed (or, with --boot, did not boot), 2 bad\n"
	"usage or input.\n";

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
	char version[128];		/* the Makefile's, for the workers' directory */
	struct kmin_kernel_id kid;	/* valid once kid_join() returned 0 */
	pthread_t kid_thread;		/* computing kid, while kid_running */
	bool kid_running;
	int kid_rc;
	char kid_err[512];
	int64_t guess_row;		/* kernel row last recorded for this path; 0 none */
	bool other_kernels;		/* no guess, but the store knows other kernels */
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
	char err[512], kconfig[PATH_MAX + 32];
	if (kmin_kernel_version(run->source, run->version, sizeof(run->version), err, sizeof(err)))
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
	return kmin_build_boot_prepare(&run->args.build, run->env);
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
		char *boot = NULL;	/* --boot: the boot config is what is built */
		if (kmin_build_boot_config(&run->args.build, it->text, it->len, &boot, &it->len))
			return -1;
		if (boot) {
			free(it->text);
			it->text = boot;
		}
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
	int64_t any = 0;
	int rc;

	if (!db) {
		if (kmin_store_default_path(path, sizeof(path)))
			return kmin_errorf("no database path: set --db, KMIN_DB or HOME");
		db = path;
	}
	if (kmin_store_open(&run->store, db, 0, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err);
	rc = kmin_store_toolchain_upsert(run->store, kmin_kernel_env_toolchain_id(run->env),
					 kmin_kernel_env_get(run->env, "CC_VERSION_TEXT"),
					 &run->toolchain_row, err, sizeof(err));
	if (rc >= 0)
		rc = kmin_store_kernel_last(run->store, run->source, &run->guess_row, err, sizeof(err));
	if (rc == 0)
		rc = kmin_store_kernel_last(run->store, NULL, &any, err, sizeof(err));
	run->other_kernels = rc > 0 && !run->guess_row;
	if (rc < 0)
		return kmin_errorf("%s", err);
	return 0;
}

/* ---- the tree's identity, computed beside everything else ----
 *
 * kmin_kernel_id_compute() stats every file of a plain tree (84k on 6.1:
 * 0.4 s with a warm inode cache, seconds with a cold one), and that walk
 * was most of what `kmin build` added to make's time.  So it runs on a
 * thread of its own from the start, while the store is opened, the
 * workers run make olddefconfig and the engine computes its answers.
 * Nothing that depends on it (an answer from the store, a recorded build)
 * happens before kid_join().  Until then the kernel row last recorded for
 * the same path is a guess (guess_row): a config the store knows under the
 * guess waits for the real identity to confirm it; one it does not know
 * starts building at once (it could only be known under the real identity
 * if the tree went back to an older state: a redundant build, never a
 * stale answer).  A tree the store has never seen at this path, in a store
 * that knows other kernels, waits for its identity; in an empty store
 * (scripts/bench/build's case) everything builds at once.
 */

static void *kid_main(void *arg)
{
	struct build_run *run = arg;

	run->kid_rc = kmin_kernel_id_compute(&run->kid, run->source, run->kid_err,
					     sizeof(run->kid_err));
	return NULL;
}

static void kid_start(struct build_run *run)
{
	run->kid_running = !pthread_create(&run->kid_thread, NULL, kid_main, run);
	if (!run->kid_running)
		kid_main(run);	/* no thread: compute it here */
}

/* Wait for the identity and record the kernel: 0, or -1 (reported). */
static int kid_join(struct build_run *run)
{
	char err[512];

	if (run->kid_running)
		pthread_join(run->kid_thread, NULL);
	run->kid_running = false;
	if (run->kid_rc)
		return kmin_errorf("%s", run->kid_err);
	if (kmin_store_kernel_upsert(run->store, &run->kid, &run->kernel_row, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err);
	return 0;
}

static void make_key(const struct build_run *run, const struct item *it, struct kmin_build_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->config_sha256, it->sha, sizeof(k->config_sha256));
	k->kernel_id = run->kernel_row ? run->kernel_row : run->guess_row;
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

/* "boot ok 2.5 s CONFIG", or with the reason when it did not boot. */
static void print_boot_line(const char *status, double seconds, const char *why,
			    const char *config)
{
	printf("boot %-7s %8.1f s %s%s%s%s\n", status, seconds, config, why && *why ? " (" : "",
	       why && *why ? why : "", why && *why ? ")" : "");
	fflush(stdout);
}

/*
 * The boot recorded for build_id (or the build it was answered from):
 * printed when CONFIG is not NULL.  1 known, 0 never booted or timed out
 * (booted again, like a build that timed out), -1 error.
 */
static int print_boot(struct build_run *run, int64_t build_id, const char *config)
{
	struct kmin_store_boot b;
	char err[512];
	int rc = kmin_store_boot_get(run->store, build_id, &b, err, sizeof(err));

	if (rc < 0)
		return kmin_errorf("%s", err);
	if (rc == 1 && !config && !strcmp(b.status, "timeout"))
		rc = 0;
	if (rc == 1 && config) {
		print_boot_line(b.status, b.seconds, b.message, config);
		run->failures += strcmp(b.status, "ok") != 0;
	}
	kmin_store_boot_clear(&b);
	return rc;
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

/*
 * Can the store answer it (under the kernel row make_key() uses)?  1 and
 * *b filled (free with kmin_build_clear()), 0 must be built, -1 error
 * (reported).  A timeout is built again, and so is a build whose
 * artifacts were asked for and are gone.
 */
static int store_knows(struct build_run *run, const struct item *it, struct kmin_build *b)
{
	struct kmin_build_key key;
	char err[512];
	int rc;

	make_key(run, it, &key);
	rc = kmin_store_build_lookup(run->store, &key, b, err, sizeof(err));
	if (rc < 0)
		return kmin_errorf("%s", err);
	if (rc == 0)
		return 0;
	if (b->status == KMIN_BUILD_TIMEOUT ||
	    !artifacts_present(it, run->arch, b->status == KMIN_BUILD_OK) ||
	    (run->args.build.boot && b->status == KMIN_BUILD_OK && print_boot(run, b->id, NULL) != 1)) {
		kmin_build_clear(b);
		return 0;
	}
	return 1;
}

/* 1 answered from the store, 0 must be built, -1 error (reported).  After kid_join(). */
static int answer_from_store(struct build_run *run, struct item *it)
{
	struct kmin_build b;
	char err[512];
	int64_t t0 = kmin_record_now_ms();
	int rc = store_knows(run, it, &b);

	if (rc <= 0)
		return rc;
	if (kmin_store_build_record_cached(run->store, b.id, "cache", t0, kmin_record_now_ms(), NULL, err,
					   sizeof(err)) < 0)
		kmin_warnf("%s", err);
	print_row(kmin_build_status_name(b.status), b.status == KMIN_BUILD_OK ? b.text : -1, b.data,
		  b.bss, b.image_bytes, b.seconds, true, it->path);
	if (run->args.build.boot && b.status == KMIN_BUILD_OK)
		print_boot(run, b.id, it->path);
	if (b.status != KMIN_BUILD_OK) {
		kmin_infof("%s: failed before: %s", it->path, b.first_error ? b.first_error : "");
		run->failures++;
	}
	kmin_build_clear(&b);
	return 1;
}

/* ---- the engine's answer, to compare with make's ---- */

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
	char cache[PATH_MAX], shell_cache[PATH_MAX + 16], shell_cwd[PATH_MAX + 16];
	bool quiet = true;

	if (run->args.no_check || !mkdtemp(scratch))
		return;
	opts.srctree = run->source;
	opts.env = kmin_kernel_env_vars(run->env);
	opts.shell_cwd = scratch;
	/*
	 * The $(shell,...) answers come from the cache that `kmin config` and
	 * the search fill (as tree.c sets it up): without it each call runs
	 * ~150 compiler probes, seconds of CPU taken from the workers' make.
	 */
	if (!kmin_cache_dir(cache, sizeof(cache))) {
		snprintf(shell_cache, sizeof(shell_cache), "%s/shell", cache);
		snprintf(shell_cwd, sizeof(shell_cwd), "%s/probe", cache);
		opts.shell_cache_dir = shell_cache;
		opts.shell_cache_salt = kmin_kernel_env_toolchain_id(run->env);
		if (!kmin_mkdir_p(shell_cwd, 0755))
			opts.shell_cwd = shell_cwd;
	}
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
	kmin_remove_tree(scratch);
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
		.version = run->version,
		.env = run->env,
		.trampoline = tramp,
		.progress = run->args.quiet ? NULL : on_progress,
	};

	return kmin_build_pool_start(pool, NULL, &run->args.build, &spec);
}

/*
 * Compare make's olddefconfig with the engine's: the differing symbols go
 * into r (recorded with the build) and each is warned about.
 */
static void check_divergence(const struct item *it, struct kmin_job_result *r)
{
	struct kmin_divergence *d;
	size_t n, used = 0;
	char list[512] = "";

	if (kmin_config_diff(it->expected, r->config, &d, &n))
		return;		/* out of memory: not compared */
	kmin_divergences_free(r->divergences, r->ndivergences);
	r->divergences = d;
	r->ndivergences = n;
	r->checked = true;
	if (!n)
		return;
	for (size_t i = 0; i < n && used < sizeof(list) - 64; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s (engine %s, make %s)",
					 i ? ", " : "", d[i].symbol, d[i].engine, d[i].make);
	kmin_warnf("%s: kmin's engine and make's olddefconfig differ in %zu symbol%s: %s%s", it->path,
		   n, n == 1 ? "" : "s", list, used >= sizeof(list) - 64 ? ", ..." : "");
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

static void finish_one(struct build_run *run, struct kmin_job_result *r)
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
	if (ok && r->booted) {
		print_boot_line(kmin_boot_status_name(r->boot.status), r->boot.seconds,
				r->boot.message, it->path);
		run->failures += r->boot.status != KMIN_BOOT_OK;
	}
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

/* What becomes of each CONFIG. */
enum plan {
	PLAN_BUILD = 1,		/* unknown to the store: built at once */
	PLAN_HELD,		/* known under the guessed kernel: confirmed after kid_join() */
	PLAN_LATE,		/* held, then not confirmed: built after kid_join() */
	PLAN_ANSWERED,		/* answered from the store */
};

/* Submit the items planned as `which`, starting the pool first if needed; 0 or -1. */
static int submit(struct build_run *run, struct kmin_pool **pool, const enum plan *plan,
		  enum plan which, const char *const *tramp)
{
	char err[512];

	for (int i = 0; i < run->args.nconfigs; i++) {
		struct item *it = &run->items[i];
		struct kmin_job job = { it->text, it->len, NULL, it->artifacts, it };

		if (plan[i] != which)
			continue;
		if (!*pool) {
			if (start_pool(run, pool, tramp))
				return -1;
			running_pool = *pool;
		}
		if (kmin_pool_submit(*pool, &job, err, sizeof(err))) {
			kmin_errorf("%s", err);
			kmin_pool_cancel(*pool);
			return -1;
		}
	}
	return 0;
}

/* Answer the held items, now that the kernel is known; the rest become late.  0 or -1. */
static int confirm_held(struct build_run *run, enum plan *plan)
{
	for (int i = 0; i < run->args.nconfigs; i++) {
		int hit;

		if (plan[i] != PLAN_HELD)
			continue;
		hit = answer_from_store(run, &run->items[i]);
		if (hit < 0)
			return -1;
		plan[i] = hit ? PLAN_ANSWERED : PLAN_LATE;
	}
	return 0;
}

/*
 * The builds: those the store cannot know start at once, beside the
 * kernel identity (see kid_start()); then the held ones are confirmed or
 * built too; the engine's answers are computed while the workers build;
 * results are recorded as they come.  0, -1 when kmin could not go on, -2
 * when the tree's identity could not be computed (both reported; builds
 * already running are cancelled).
 */
static int run_builds(struct build_run *run, enum plan *plan, const char *const *tramp)
{
	struct kmin_pool *pool = NULL;
	struct kmin_job_result *r;
	struct sigaction sa, old_int, old_term;
	bool *todo = calloc((size_t)run->args.nconfigs, sizeof(*todo));
	int rc;

	if (!todo)
		return kmin_errorf("out of memory");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = submit(run, &pool, plan, PLAN_BUILD, tramp);
	if (kid_join(run))
		rc = -2;
	else if (!rc && confirm_held(run, plan))
		rc = -1;
	if (!rc)
		rc = submit(run, &pool, plan, PLAN_LATE, tramp);
	if (rc && pool)
		kmin_pool_cancel(pool);
	for (int i = 0; i < run->args.nconfigs; i++)
		todo[i] = plan[i] == PLAN_BUILD || plan[i] == PLAN_LATE;
	if (!rc && pool)
		engine_expect_all(run, todo);
	while (pool && kmin_pool_next(pool, &r) == 1) {
		if (!rc)
			finish_one(run, r);
		kmin_job_result_free(r);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	running_pool = NULL;
	kmin_pool_free(pool);
	free(todo);
	return rc;
}

static void run_free(struct build_run *run)
{
	if (run->kid_running)
		pthread_join(run->kid_thread, NULL);
	for (int i = 0; run->items && i < run->args.nconfigs; i++) {
		free(run->items[i].text);
		free(run->items[i].expected);
		free(run->items[i].artifacts);
	}
	free(run->items);
	kmin_boot_files_clear(&run->args.build.boot_files);
	kmin_store_close(run->store);
	kmin_kernel_env_free(run->env);
}

static int build_all(struct build_run *run, const char *const *tramp)
{
	enum plan *plan = calloc((size_t)run->args.nconfigs, sizeof(*plan));
	int rc = 0;

	if (!plan)
		return kmin_errorf("out of memory"), KMIN_EXIT_FAIL;
	print_header();
	for (int i = 0; i < run->args.nconfigs && !rc; i++) {
		struct kmin_build b;
		int known = run->guess_row ? store_knows(run, &run->items[i], &b) : run->other_kernels;

		if (known < 0)
			rc = -1;
		if (known > 0 && run->guess_row)
			kmin_build_clear(&b);
		plan[i] = known > 0 ? PLAN_HELD : PLAN_BUILD;
	}
	if (!rc)
		rc = run_builds(run, plan, tramp);
	free(plan);
	if (rc == -2)
		return KMIN_EXIT_USAGE;
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
	if (check_tree_and_tools(&run)) {
		run_free(&run);
		return KMIN_EXIT_USAGE;
	}
	kid_start(&run);
	if (read_configs(&run) || open_store(&run)) {
		run_free(&run);
		return KMIN_EXIT_USAGE;
	}
	rc = build_all(&run, tramp);
	run_free(&run);
	return rc;
}
