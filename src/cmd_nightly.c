/*
 * cmd_nightly.c - `kmin nightly` and `kmin history`: tracked jobs, re-run
 * on each new commit of their kernel tree; and the --track side of
 * `kmin run` (cmd_track.h).
 *
 * A job is kept by `kmin run ... --track NAME` (the run is its first
 * night).  `kmin nightly`, from cron or a systemd timer, takes each job in
 * turn:
 *
 *   1. reads the job and its last night that has a result, opens the tree
 *      with kmin's engine (for the compiler's identity and the new
 *      symbols) and computes the tree's identity (commit, dirty state);
 *   2. asks nightly.h whether last night's result still holds (the same
 *      tree and compiler, or a new commit that changed only files the
 *      build never reads); if so, it records a night carried over from
 *      the last one and builds nothing;
 *   3. otherwise it lists the symbols the new tree turns on by default in
 *      last night's config, and runs the job as a child `kmin run` with
 *      last night's best config as --base (so only what changed is
 *      re-examined; builds already in the database are free) and
 *      --track NAME, which records the night; the child's output goes to
 *      DIR/NAME/run.log and its results to DIR/NAME/;
 *   4. prints the size change since the previous night, the commits in
 *      between (count and subjects, git_log.h), and whether the job grew
 *      by more than --threshold.
 *
 * Exit status of nightly: 0 nothing grew past the threshold; 3 a job grew
 * past it; 1 a job could not be run or found no config (this wins over
 * 3), or --track names no job; 2 bad usage.  history: 0, 1 for an unknown
 * track, 2 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_track.h"
#include "commands.h"
#include "json.h"
#include "output.h"
#include "kmin/file.h"
#include "kmin/git_log.h"
#include "kmin/kernel.h"
#include "kmin/kernel_id.h"
#include "kmin/nightly.h"
#include "kmin/spawn.h"
#include "kmin/store.h"
#include "kmin/store_track.h"
#include "kmin/tree.h"

/* Commits listed per job (all are counted). */
#define NIGHTLY_MAX_COMMITS 20

/* ---- shared ---- */

/* path made absolute into buf (as given when it cannot be resolved). */
static const char *abs_path(const char *path, char *buf, size_t len)
{
	char real[PATH_MAX];

	if (path && realpath(path, real) && strlen(real) < len) {
		snprintf(buf, len, "%s", real);
		return buf;
	}
	return path;
}

static int open_db(const char *db, unsigned int flags, struct kmin_store **out)
{
	char path[PATH_MAX], err[512];

	if (!db) {
		if (kmin_store_default_path(path, sizeof(path)))
			return kmin_errorf("no database path: set --db, KMIN_DB or HOME"), KMIN_EXIT_USAGE;
		db = path;
	}
	if (kmin_store_open(out, db, flags, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err), KMIN_EXIT_FAIL;
	return 0;
}

static int no_track(struct kmin_store *s, const char *name)
{
	kmin_errorf("no track '%s' in '%s' (create one with 'kmin run ... --track %s')", name,
		    kmin_store_path(s), name);
	return KMIN_EXIT_FAIL;
}

/* ---- kmin run --track (cmd_track.h) ---- */

/* Two optional strings are equal (both absent, or the same text). */
static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int kmin_run_track_check(struct kmin_store *s, const struct kmin_track *job)
{
	struct kmin_track t;
	char err[512], src[PATH_MAX];
	const char *what = NULL;
	int rc = kmin_store_track_get(s, job->name, &t, err, sizeof(err));

	if (rc < 0)
		return kmin_errorf("%s", err), KMIN_EXIT_USAGE;
	if (rc == 0)
		return 0;
	if (strcmp(t.arch, job->arch))
		what = "arch";
	else if (strcmp(t.requirements, job->requirements))
		what = "requirements";
	else if (strcmp(t.metric, job->metric))
		what = "metric";
	else if (!same_text(t.budget, job->budget))
		what = "budget";
	else if (!same_text(t.boot, job->boot))
		what = "boot board";
	else if (strcmp(t.source, abs_path(job->source, src, sizeof(src))))
		what = "kernel tree";
	if (what)
		kmin_errorf("track '%s' is another job (%s differ: it has --arch %s --require %s "
			    "--metric %s%s%s%s%s --source %s); pick another name", t.name, what, t.arch,
			    t.requirements, t.metric, t.budget ? " --budget " : "",
			    t.budget ? t.budget : "", t.boot ? " --boot qemu:" : "",
			    t.boot ? t.boot : "", t.source);
	kmin_track_clear(&t);
	return what ? KMIN_EXIT_USAGE : 0;
}

/* Create the track from the job, with paths made absolute (cron runs elsewhere). */
static int track_create(struct kmin_store *s, const struct kmin_track *job, int64_t *id)
{
	struct kmin_track t = *job;
	char src[PATH_MAX], base[PATH_MAX], feat[PATH_MAX], err[512];

	t.source = abs_path(job->source, src, sizeof(src));
	if (strchr(job->base, '/') || access(job->base, F_OK) == 0)
		t.base = abs_path(job->base, base, sizeof(base));
	if (job->features)
		t.features = abs_path(job->features, feat, sizeof(feat));
	t.created_ms = 0;
	if (kmin_store_track_create(s, &t, id, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err), KMIN_EXIT_FAIL;
	return 0;
}

int kmin_run_track_record(struct kmin_store *s, const struct kmin_track *job,
			  const struct kmin_run_night *night)
{
	struct kmin_night n = { 0 };
	struct kmin_track t;
	char err[512], sha[65];
	bool have = night->config && night->status != KMIN_RUN_FAILED && night->size >= 0;
	int rc = kmin_store_track_get(s, job->name, &t, err, sizeof(err));

	if (rc < 0)
		return kmin_errorf("%s", err), KMIN_EXIT_FAIL;
	if (rc == 0 && !have) {
		kmin_warnf("track '%s' not kept: the run found no config", job->name);
		return 0;
	}
	if (rc == 0 && track_create(s, job, &n.track_id))
		return KMIN_EXIT_FAIL;
	if (rc == 1)
		n.track_id = t.id;
	kmin_track_clear(&t);
	if (have && kmin_store_config_put(s, night->config, strlen(night->config), sha, NULL, err,
					  sizeof(err)) < 0)
		return kmin_errorf("%s", err), KMIN_EXIT_FAIL;
	n.run_id = night->run_id;
	n.kernel_id = night->kernel_id;
	n.toolchain_id = night->toolchain_id;
	n.commit = night->kid->commit;
	n.describe = night->kid->describe;
	n.dirty = night->kid->dirty;
	n.status = have ? KMIN_NIGHT_OK : KMIN_NIGHT_FAILED;
	n.config_sha256 = have ? sha : NULL;
	n.size = have ? night->size : -1;
	if (kmin_store_night_add(s, &n, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err), KMIN_EXIT_FAIL;
	kmin_infof("track '%s': night %lld recorded%s", job->name, (long long)n.id,
		   rc == 0 ? " (new track)" : "");
	return 0;
}

/* ---- kmin nightly ---- */

static const char nightly_usage[] =
	"usage: kmin nightly [--db FILE] [--threshold BYTES|PERCENT%] [--track NAME]\n"
	"                    [--output DIR] [--workers W] [--jobs J] [-q]\n"
	"\n"
	"Re-run every tracked job (kmin run ... --track NAME) on the current commit\n"
	"of its kernel tree, starting from the job's last best config, and report\n"
	"per job the size change since the previous night, the commits in between\n"
	"and the new symbols the tree turns on by default.  A job whose tree did\n"
	"not change (or changed only in files the build never reads) is answered\n"
	"from the database without building.\n"
	"\n"
	"options:\n"
	"  --db FILE              results database (default: $KMIN_DB, else\n"
	"                         $XDG_DATA_HOME/kmin/results.db)\n"
	"  --threshold T          growth that fails the night: bytes (4096) or percent\n"
	"                         of the previous size (0.5%); default 0: any growth\n"
	"  --track NAME           only this job\n"
	"  --output DIR           where each job's run writes (DIR/NAME/min.config,\n"
	"                         run.log ...; default kmin-nightly)\n"
	"  --workers W, --jobs J  passed to each run\n"
	"  -q, --quiet            print only the per-job report\n"
	"  -h, --help             show this help\n"
	"\n"
	"exit status: 0 no job grew past the threshold; 3 a job grew past it; 1 a\n"
	"job could not run or found no config, or no such track; 2 bad usage.\n";

struct nightly_args {
	const char *db, *track, *output, *threshold_text;
	struct kmin_threshold threshold;
	unsigned int workers, jobs;
	bool quiet;
};

/* One job's night, as it is reported. */
struct job_report {
	struct kmin_track t;
	struct kmin_night last;		/* the previous night with a result */
	struct kmin_night now;		/* tonight's */
	struct kmin_kernel_id kid;
	struct kmin_reuse_answer reuse;
	char toolchain[512], version_text[512];
	char **new_syms;
	size_t nnew;
	int child_rc;			/* exit status of the run; -1 none */
	char log[PATH_MAX];
	bool failed, grew;
};

static void report_free(struct job_report *j)
{
	kmin_track_clear(&j->t);
	kmin_night_clear(&j->last);
	kmin_night_clear(&j->now);
	kmin_nightly_names_free(j->new_syms, j->nnew);
}

static int parse_nightly_args(int argc, char **argv, struct nightly_args *a)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "threshold", required_argument, NULL, 't' },
		{ "track", required_argument, NULL, 'K' },
		{ "workers", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	optind = 1;
	a->output = "kmin-nightly";
	a->threshold_text = "0";
	while ((c = getopt_long(argc, argv, "ho:q", options, NULL)) != -1) {
		switch (c) {
		case 'D': a->db = optarg; break;
		case 'K': a->track = optarg; break;
		case 'o': a->output = optarg; break;
		case 'q': a->quiet = true; break;
		case 't': a->threshold_text = optarg; break;
		case 'W':
		case 'J': {
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || !*optarg || v < 1 || v > 1024)
				return kmin_errorf("--%s takes a number from 1 to 1024, not '%s'",
						   c == 'W' ? "workers" : "jobs", optarg);
			*(c == 'W' ? &a->workers : &a->jobs) = (unsigned int)v;
			break;
		}
		case 'h': fputs(nightly_usage, stdout); return 1;
		default: fputs(nightly_usage, stderr); return -1;
		}
	}
	if (optind != argc)
		return kmin_errorf("unexpected argument '%s'", argv[optind]);
	if (kmin_threshold_parse(a->threshold_text, &a->threshold))
		return kmin_errorf("--threshold takes bytes (4096) or a percentage (0.5%%), not '%s'",
				   a->threshold_text);
	return 0;
}

/* Open the tree, compute its identity and the compiler's; fills j. */
static int job_inspect(struct job_report *j, struct kmin_tree **tree)
{
	struct kmin_tree_options o = { 0 };
	static bool quiet_diag = true;
	char err[1024];

	o.source = j->t.source;
	o.arch = j->t.arch;
	o.cross_compile = j->t.cross_compile;
	o.diag = kmin_print_diag;
	o.diag_payload = &quiet_diag;
	if (kmin_tree_open(tree, &o, err, sizeof(err)) ||
	    kmin_kernel_id_compute(&j->kid, j->t.source, err, sizeof(err)))
		return kmin_errorf("job '%s': %s", j->t.name, err);
	snprintf(j->toolchain, sizeof(j->toolchain), "%s",
		 kmin_kernel_env_toolchain_id((*tree)->env));
	snprintf(j->version_text, sizeof(j->version_text), "%s",
		 kmin_kernel_env_get((*tree)->env, "CC_VERSION_TEXT") ?
		 kmin_kernel_env_get((*tree)->env, "CC_VERSION_TEXT") : "");
	if (kmin_nightly_reuse(&j->last, &j->kid, j->toolchain, &j->reuse, err, sizeof(err)))
		return kmin_errorf("job '%s': %s", j->t.name, err);
	return 0;
}

/* Last night's result holds: record a night carried over from it. */
static int job_carry(struct kmin_store *s, struct job_report *j)
{
	struct kmin_night n = { 0 };
	char err[512];
	int rc;

	n.track_id = j->t.id;
	n.run_id = j->last.run_id;
	n.commit = j->kid.commit;
	n.describe = j->kid.describe;
	n.dirty = j->kid.dirty;
	n.status = KMIN_NIGHT_SAME;
	n.config_sha256 = j->last.config_sha256;
	n.size = j->last.size;
	n.carried_from = j->last.carried_from ? j->last.carried_from : j->last.id;
	if (kmin_store_kernel_upsert(s, &j->kid, &n.kernel_id, err, sizeof(err)) < 0 ||
	    kmin_store_toolchain_upsert(s, j->toolchain, j->version_text, &n.toolchain_id, err,
					sizeof(err)) < 0 ||
	    kmin_store_night_add(s, &n, err, sizeof(err)) < 0)
		return kmin_errorf("job '%s': %s", j->t.name, err);
	rc = kmin_store_night_last(s, j->t.id, 0, &j->now, err, sizeof(err));
	if (rc != 1)
		return kmin_errorf("job '%s': %s", j->t.name, rc < 0 ? err : "night not recorded");
	return 0;
}

/* The symbols the new tree turns on by default in last night's config. */
static int job_new_symbols(struct job_report *j, struct kmin_tree *tree, const char *last_text)
{
	char err[1024], *text = NULL;

	if (kmin_nightly_olddefconfig(tree->kc, tree->scratch, last_text, &text, err, sizeof(err)))
		return kmin_errorf("job '%s': %s", j->t.name, err);
	if (kmin_nightly_new_symbols(last_text, text, &j->new_syms, &j->nnew)) {
		free(text);
		return kmin_errorf("out of memory");
	}
	free(text);
	return 0;
}

/* Append "--name value" to argv. */
static void push2(const char **argv, size_t *n, const char *name, const char *value)
{
	argv[(*n)++] = name;
	argv[(*n)++] = value;
}

/* Run the job as a child `kmin run` from last night's config; the run records the night. */
static int job_rerun(const struct nightly_args *a, struct kmin_store *s, struct job_report *j,
		     const char *base_path, const char *dir, int64_t before)
{
	char self[PATH_MAX], builds[32], budget[64], workers[16], jobs[16], boot[64], err[512];
	const char *tramp[3] = { self, KMIN_SPAWN_EXEC_COMMAND, NULL };
	const char *argv[48];
	struct kmin_spawn_options o = { 0 };
	struct kmin_spawn_result res;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	size_t n = 0;
	int rc;

	if (len <= 0)
		return kmin_errorf("cannot find kmin's own program");
	self[len] = '\0';
	argv[n++] = self;
	argv[n++] = "run";
	push2(argv, &n, "--source", j->t.source);
	push2(argv, &n, "--arch", j->t.arch);
	if (j->t.cross_compile)
		push2(argv, &n, "--cross-compile", j->t.cross_compile);
	push2(argv, &n, "--require", j->t.requirements);
	push2(argv, &n, "--base", base_path);
	if (j->t.budget)	/* the metric is then the shortfall ("budget") */
		push2(argv, &n, "--budget", j->t.budget);
	else
		push2(argv, &n, "--metric", j->t.metric);
	if (j->t.boot) {
		snprintf(boot, sizeof(boot), "qemu:%s", j->t.boot);
		push2(argv, &n, "--boot", boot);
	}
	push2(argv, &n, "--strategy", j->t.strategy);
	if (j->t.max_builds > 0) {
		snprintf(builds, sizeof(builds), "%lld", (long long)j->t.max_builds);
		push2(argv, &n, "--max-builds", builds);
	}
	if (j->t.time_budget >= 0) {
		snprintf(budget, sizeof(budget), "%.0fs", j->t.time_budget);
		push2(argv, &n, "--time-budget", budget);
	}
	if (j->t.features)
		push2(argv, &n, "--features", j->t.features);
	if (a->workers) {
		snprintf(workers, sizeof(workers), "%u", a->workers);
		push2(argv, &n, "--workers", workers);
	}
	if (a->jobs) {
		snprintf(jobs, sizeof(jobs), "%u", a->jobs);
		push2(argv, &n, "--jobs", jobs);
	}
	push2(argv, &n, "--db", kmin_store_path(s));
	push2(argv, &n, "--output", dir);
	push2(argv, &n, "--track", j->t.name);
	argv[n] = NULL;
	o.argv = argv;
	o.log_path = j->log;
	o.trampoline = tramp;
	unlink(j->log);
	if (!a->quiet)
		kmin_infof("job '%s': running (log: %s)", j->t.name, j->log);
	if (kmin_spawn_run(&o, &res, err, sizeof(err)))
		return kmin_errorf("job '%s': %s", j->t.name, err);
	j->child_rc = res.end == KMIN_SPAWN_EXITED ? res.code : 128 + res.code;
	rc = kmin_store_night_last(s, j->t.id, 0, &j->now, err, sizeof(err));
	if (rc < 0)
		return kmin_errorf("%s", err);
	if (rc == 0 || j->now.id == before)
		return kmin_errorf("job '%s': the run recorded no night (exit %d); see '%s'",
				   j->t.name, j->child_rc, j->log);
	return 0;
}

/* Write last night's config to DIR/NAME/last.config and run the job. */
static int job_run(const struct nightly_args *a, struct kmin_store *s, struct job_report *j,
		   struct kmin_tree **tree)
{
	char dir[PATH_MAX], base[PATH_MAX + 16], err[512];
	struct kmin_night newest;
	char *text = NULL;
	size_t len;
	FILE *f;
	int rc;

	if (kmin_store_config_get(s, j->last.config_sha256, &text, &len, err, sizeof(err)) < 0)
		return kmin_errorf("job '%s': %s", j->t.name, err);
	rc = job_new_symbols(j, *tree, text);
	kmin_tree_close(*tree);	/* the run parses the tree itself */
	*tree = NULL;
	snprintf(dir, sizeof(dir), "%s/%s", a->output, j->t.name);
	snprintf(base, sizeof(base), "%s/last.config", dir);
	snprintf(j->log, sizeof(j->log), "%.4000s/run.log", dir);
	if (!rc && kmin_mkdir_p(dir, 0755))
		rc = kmin_errorf("cannot create '%s': %s", dir, strerror(errno));
	if (!rc && (!(f = fopen(base, "we")) || (fputs(text, f) < 0) | (fclose(f) != 0)))
		rc = kmin_errorf("cannot write '%s'", base);
	free(text);
	if (rc)
		return rc;
	rc = kmin_store_night_last(s, j->t.id, 0, &newest, err, sizeof(err));
	if (rc < 0)
		return kmin_errorf("%s", err);
	rc = job_rerun(a, s, j, base, dir, newest.id);
	kmin_night_clear(&newest);
	return rc;
}

static void print_commits(const struct job_report *j)
{
	struct kmin_git_log log;
	char err[512];

	if (!j->kid.git || !j->last.commit || !*j->kid.commit)
		return;
	if (!strcmp(j->last.commit, j->kid.commit)) {
		printf("  no new commit since %.12s\n", j->last.commit);
		return;
	}
	if (kmin_git_log_between(j->t.source, j->last.commit, j->kid.commit, NIGHTLY_MAX_COMMITS,
				 &log, err, sizeof(err))) {
		printf("  commits since %.12s: unknown (%s)\n", j->last.commit, err);
		return;
	}
	printf("  %zu commit%s since %.12s:\n", log.total, log.total == 1 ? "" : "s", j->last.commit);
	for (size_t i = 0; i < log.n; i++)
		printf("    %s %s\n", log.commits[i].short_id, log.commits[i].subject);
	if (log.total > log.n)
		printf("    ... and %zu more\n", log.total - log.n);
	kmin_git_log_clear(&log);
}

static void print_job(const struct nightly_args *a, const struct job_report *j)
{
	if (!*j->kid.ident) {
		printf("%s: not run\n", j->t.name);
		return;
	}
	printf("%s: %s%s%s\n", j->t.name, kmin_kernel_id_label(&j->kid),
	       j->kid.dirty ? " (dirty)" : "", j->failed && !j->now.id ? ", not run" : "");
	print_commits(j);
	if (j->reuse.reuse != KMIN_REUSE_NO)
		printf("  not rebuilt: %s\n", j->reuse.why);
	else if (j->now.id)
		printf("  rebuilt (%s): run %lld, %lld build%s; log %s\n", j->reuse.why,
		       (long long)j->now.run_id, (long long)j->now.builds,
		       j->now.builds == 1 ? "" : "s", j->log);
	if (j->nnew) {
		printf("  new symbols on by default (%zu):", j->nnew);
		for (size_t i = 0; i < j->nnew; i++)
			printf(" %s", j->new_syms[i]);
		printf("\n");
	}
	if (j->now.id && j->now.status == KMIN_NIGHT_FAILED)
		printf("  FAILED: the run found no config; see %s\n", j->log);
	if (!j->now.id || j->now.size < 0)
		return;
	printf("  %s %lld -> %lld: %+lld bytes", j->t.metric, (long long)j->last.size,
	       (long long)j->now.size, (long long)(j->now.size - j->last.size));
	if (j->last.size > 0)
		printf(" (%+.2f%%)", 100.0 * (double)(j->now.size - j->last.size) / (double)j->last.size);
	if (j->grew)
		printf(", GREW by more than %s%s", a->threshold_text,
		       a->threshold.percent ? "" : " bytes");
	printf("\n");
}

/* One job: decide, run or carry over, report.  Fills j; returns 0 or an exit code. */
static int nightly_job(const struct nightly_args *a, struct kmin_store *s, const char *name,
		       struct job_report *j)
{
	struct kmin_tree *tree = NULL;
	char err[512];
	int rc;

	j->child_rc = -1;
	rc = kmin_store_track_get(s, name, &j->t, err, sizeof(err));
	if (rc <= 0)
		return rc < 0 ? (kmin_errorf("%s", err), KMIN_EXIT_FAIL) : no_track(s, name);
	rc = kmin_store_night_last(s, j->t.id, KMIN_NIGHT_WITH_RESULT, &j->last, err, sizeof(err));
	if (rc <= 0)
		return kmin_errorf("job '%s': %s", name, rc < 0 ? err : "no night with a result"),
		       KMIN_EXIT_FAIL;
	rc = job_inspect(j, &tree);
	if (!rc)
		rc = j->reuse.reuse != KMIN_REUSE_NO ? job_carry(s, j) : job_run(a, s, j, &tree);
	kmin_tree_close(tree);
	if (rc)
		return KMIN_EXIT_FAIL;
	if (j->now.status == KMIN_NIGHT_FAILED || j->now.size < 0)
		return KMIN_EXIT_FAIL;
	j->grew = kmin_threshold_exceeded(&a->threshold, j->last.size, j->now.size);
	return j->grew ? KMIN_EXIT_GREW : 0;
}

struct name_list {
	char **v;
	size_t n;
};

static int collect_name(void *payload, const struct kmin_track *t)
{
	struct name_list *l = payload;
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return 1;
	l->v = v;
	if (!(v[l->n] = strdup(t->name)))
		return 1;
	l->n++;
	return 0;
}

static void names_free(struct name_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

int kmin_cmd_nightly(int argc, char **argv)
{
	struct nightly_args a = { 0 };
	struct kmin_store *s = NULL;
	struct name_list names = { 0 };
	char err[512];
	int rc, worst = KMIN_EXIT_OK;
	size_t grew = 0, failed = 0;

	rc = parse_nightly_args(argc, argv, &a);
	if (rc)
		return rc > 0 ? KMIN_EXIT_OK : KMIN_EXIT_USAGE;
	kmin_output_set_quiet(a.quiet);
	rc = open_db(a.db, 0, &s);
	if (rc)
		return rc;
	if (a.track) {
		rc = collect_name(&names, &(struct kmin_track){ .name = a.track });
	} else {
		rc = kmin_store_tracks_foreach(s, collect_name, &names, err, sizeof(err));
		if (rc < 0)
			kmin_errorf("%s", err);
	}
	if (rc) {
		names_free(&names);
		kmin_store_close(s);
		return rc > 0 ? (kmin_errorf("out of memory"), KMIN_EXIT_FAIL) : KMIN_EXIT_FAIL;
	}
	if (!names.n)
		kmin_infof("no tracked jobs in '%s' (add one with 'kmin run ... --track NAME')",
			   kmin_store_path(s));
	for (size_t i = 0; i < names.n; i++) {
		struct job_report j;

		memset(&j, 0, sizeof(j));
		rc = nightly_job(&a, s, names.v[i], &j);
		j.failed = rc == KMIN_EXIT_FAIL;
		if (j.t.id)
			print_job(&a, &j);
		fflush(stdout);
		failed += j.failed;
		grew += j.grew;
		if (rc == KMIN_EXIT_FAIL || (rc == KMIN_EXIT_GREW && worst == KMIN_EXIT_OK))
			worst = rc;
		report_free(&j);
	}
	if (names.n > 1 || !a.quiet)
		printf("nightly: %zu job%s, %zu grew, %zu failed\n", names.n, names.n == 1 ? "" : "s",
		       grew, failed);
	names_free(&names);
	kmin_store_close(s);
	return worst;
}

/* ---- kmin history ---- */

static const char history_usage[] =
	"usage: kmin history --track NAME [--db FILE] [--format table|csv|json]\n"
	"\n"
	"The size of a tracked job's best config, night by night, oldest first:\n"
	"each night's commit, status (ok: a run answered; same: carried over, nothing\n"
	"built; failed), size, change since the previous night, run and builds.\n";

struct history_out {
	const struct kmin_track *t;
	const char *format;
	struct kmin_json j;
	int64_t prev;			/* previous night's size; -1 none */
};

static void fmt_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(buf, len, "?");
}

static void json_opt_int(struct kmin_json *j, const char *key, bool have, long long v)
{
	kmin_json_key(j, key);
	if (have)
		kmin_json_int(j, v);
	else
		kmin_json_null(j);
}

static void history_json(struct history_out *o, const struct kmin_night *n, bool has_delta,
			 int64_t delta, const char *when)
{
	struct kmin_json *j = &o->j;

	kmin_json_begin_object(j);
	kmin_json_key(j, "night");
	kmin_json_int(j, n->id);
	kmin_json_key(j, "track");
	kmin_json_string(j, o->t->name);
	kmin_json_key(j, "created");
	kmin_json_string(j, when);
	kmin_json_key(j, "created_ms");
	kmin_json_int(j, n->created_ms);
	kmin_json_key(j, "commit");
	kmin_json_string(j, n->commit);
	kmin_json_key(j, "describe");
	kmin_json_string(j, n->describe);
	kmin_json_key(j, "dirty");
	kmin_json_bool(j, n->dirty);
	kmin_json_key(j, "status");
	kmin_json_string(j, kmin_night_status_name(n->status));
	kmin_json_key(j, "metric");
	kmin_json_string(j, o->t->metric);
	json_opt_int(j, "size", n->size >= 0, n->size);
	json_opt_int(j, "delta", has_delta, delta);
	json_opt_int(j, "run", n->run_id > 0, n->run_id);
	kmin_json_key(j, "builds");
	kmin_json_int(j, n->builds);
	kmin_json_key(j, "config_sha256");
	kmin_json_string(j, n->config_sha256);
	json_opt_int(j, "carried_from", n->carried_from > 0, n->carried_from);
	kmin_json_end_object(j);
}

static int on_night(void *payload, const struct kmin_night *n)
{
	struct history_out *o = payload;
	char when[32], size[24] = "-", delta[24] = "-", run[24] = "-";
	bool has_delta = n->size >= 0 && o->prev >= 0;
	int64_t d = has_delta ? n->size - o->prev : 0;

	fmt_time(n->created_ms, when, sizeof(when));
	if (n->size >= 0)
		snprintf(size, sizeof(size), "%lld", (long long)n->size);
	if (has_delta)
		snprintf(delta, sizeof(delta), "%+lld", (long long)d);
	if (n->run_id > 0)
		snprintf(run, sizeof(run), "%lld", (long long)n->run_id);
	if (!strcmp(o->format, "json"))
		history_json(o, n, has_delta, d, when);
	else if (!strcmp(o->format, "csv"))
		printf("%lld,%s,%s,%s,%d,%s,%s,%s,%s,%lld\n", (long long)n->id, when,
		       n->commit ? n->commit : "", n->describe ? n->describe : "", n->dirty,
		       kmin_night_status_name(n->status), n->size >= 0 ? size : "",
		       has_delta ? delta : "", n->run_id > 0 ? run : "", (long long)n->builds);
	else
		printf("%5lld  %-20s  %-12.12s  %-24.24s  %-6s  %10s  %8s  %5s  %6lld\n",
		       (long long)n->id, when, n->commit ? n->commit : "-",
		       n->describe ? n->describe : "-", kmin_night_status_name(n->status), size,
		       delta, run, (long long)n->builds);
	if (n->size >= 0)
		o->prev = n->size;
	return 0;
}

int kmin_cmd_history(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "track", required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *name = NULL;
	struct history_out o = { .format = "table", .prev = -1 };
	struct kmin_store *s = NULL;
	struct kmin_track t;
	char err[512];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'D': db = optarg; break;
		case 'f': o.format = optarg; break;
		case 'K': name = optarg; break;
		case 'h': fputs(history_usage, stdout); return KMIN_EXIT_OK;
		default: fputs(history_usage, stderr); return KMIN_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return kmin_errorf("unexpected argument '%s'", argv[optind]), KMIN_EXIT_USAGE;
	if (!name)
		return kmin_errorf("history needs --track NAME"), KMIN_EXIT_USAGE;
	if (strcmp(o.format, "table") && strcmp(o.format, "csv") && strcmp(o.format, "json"))
		return kmin_errorf("unknown format '%s': table, csv or json", o.format),
		       KMIN_EXIT_USAGE;
	rc = open_db(db, 0, &s);
	if (rc)
		return rc;
	rc = kmin_store_track_get(s, name, &t, err, sizeof(err));
	if (rc <= 0) {
		rc = rc < 0 ? (kmin_errorf("%s", err), KMIN_EXIT_FAIL) : no_track(s, name);
		kmin_store_close(s);
		return rc;
	}
	o.t = &t;
	if (!strcmp(o.format, "json")) {
		kmin_json_init(&o.j, stdout);
		kmin_json_begin_array(&o.j);
	} else if (!strcmp(o.format, "csv")) {
		printf("night,created,commit,describe,dirty,status,size,delta,run,builds\n");
	} else {
		printf("track %s: --arch %s --require %s, metric %s, %s\n", t.name, t.arch,
		       t.requirements, t.metric, t.source);
		printf("%5s  %-20s  %-12s  %-24s  %-6s  %10s  %8s  %5s  %6s\n", "night", "created",
		       "commit", "describe", "status", "size", "delta", "run", "builds");
	}
	rc = kmin_store_nights_foreach(s, t.id, on_night, &o, err, sizeof(err));
	if (!strcmp(o.format, "json")) {
		kmin_json_end_array(&o.j);
		putchar('\n');
	}
	kmin_track_clear(&t);
	kmin_store_close(s);
	if (rc < 0)
		return kmin_errorf("%s", err), KMIN_EXIT_FAIL;
	return KMIN_EXIT_OK;
}
