/*
 * worker.c - the build worker pool: W threads, each with its own
 * persistent O= directory, turning candidate .configs into measured
 * kernels with the kernel's own make.  Contract in include/kmin/worker.h.
 *
 * Structure:
 *   pool      options (copied), make's environment, the job queue (FIFO),
 *             the result queue (FIFO), one mutex and two condition
 *             variables, an atomic cancel flag polled by spawn.c
 *   worker    a thread, its directory w<N> and the fd holding its flock
 *   job       prepare (recover after a killed build, marker, .config)
 *             → make olddefconfig → compare with the engine → make build
 *             → measure → keep artifacts
 *
 * Workload: jobs last 2 s (a no-op rebuild) to minutes; the queue is
 * touched twice per job, so one mutex is plenty.  Called by cmd_build.c
 * (and later the search), one owner thread per pool.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kmin/kernel.h"
#include "kmin/error.h"
#include "kmin/file.h"
#include "kmin/spawn.h"
#include "kmin/worker.h"

extern char **environ;

#define MARKER ".kmin-building"		/* present while make may be half-way */
#define LOCKFILE ".kmin-lock"		/* flock'ed by the worker owning the dir */
#define LOGFILE ".kmin-build.log"	/* make's output for the current job */
#define BOOTLOG ".kmin-boot.log"	/* QEMU's console for the current job */
#define LOG_TAIL_BYTES 4096		/* at most this much of the log's end is kept */
#define LOG_TAIL_LINES 40
#define MAX_DIR_TRIES 64		/* w<N> numbers tried beyond W when some are busy */

/* What make sees of kmin's environment: these are dropped (prefix match). */
static const char *const env_dropped[] = {
	"KCONFIG_", "KBUILD_", "MAKEFLAGS=", "MFLAGS=", "GNUMAKEFLAGS=", "MAKELEVEL=",
	"MAKEOVERRIDES=", "MAKEFILES=", "LC_", "LANG=", "LANGUAGE=", "ARCH=", "SRCARCH=",
	"CROSS_COMPILE=", "CC=", "LD=", "O=", "V=", "W=", "C=", "CONFIG_=", "LOCALVERSION=",
	"INSTALL_", "KERNELRELEASE=", "srctree=", "objtree=",
};

/* Pinned so that equal configs give byte-equal kernels. */
static const char *const env_pinned[] = {
	"LC_ALL=C",
	"KBUILD_BUILD_TIMESTAMP=Thu Jan  1 00:00:00 UTC 1970",
	"KBUILD_BUILD_USER=kmin",
	"KBUILD_BUILD_HOST=kmin",
	"KBUILD_BUILD_VERSION=1",
};

struct job_node {
	struct job_node *next;
	char *config;
	size_t config_len;
	char *expected;
	char *artifacts_dir;
	void *user;
};

struct result_node {
	struct result_node *next;
	struct kmin_job_result *result;
};

struct worker {
	struct kmin_pool *pool;
	unsigned int n;		/* the N of w<N> */
	char *dir;		/* absolute O= directory */
	int lockfd;		/* holds the flock; -1 when none */
	pthread_t thread;
	int started;
};

struct kmin_pool {
	struct kmin_pool_options opts;	/* strings below are owned copies */
	char *srctree, *arch, *cross_compile, *image, *image_path, *build_root, *make;
	char **env;			/* make's environment, NULL-terminated, owned */
	char *cc;			/* "CC=[ccache|<wrapper>] <prefix>gcc" or NULL */
	char *ccache_prefix;		/* "CCACHE_PREFIX=<wrapper>" or NULL */
	char *local_retry;		/* opts.local_retry, owned */
	struct worker *workers;
	unsigned int nworkers;

	pthread_mutex_t lock;
	pthread_cond_t job_ready;	/* a job was queued or the pool is closing */
	pthread_cond_t result_ready;	/* a result was queued */
	struct job_node *jobs, *jobs_tail;
	struct result_node *results, *results_tail;
	unsigned long outstanding;	/* submitted, not yet handed back by _next() */
	int closing;
	atomic_int cancel;		/* polled by spawn.c; set by kmin_pool_cancel() */
};

/* ---- small helpers ---- */

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static char *fmtdup(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *fmtdup(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Write all of buf to path (truncating); 0 or -1 with errno. */
static int write_file(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int saved;

	if (fd < 0)
		return -1;
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			saved = n < 0 ? errno : ENOSPC;
			close(fd);
			errno = saved;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return close(fd);
}

/* Copy src to dst through dst.tmp and rename; 0 or -1 with errno. */
static int copy_file(const char *src, const char *dst)
{
	char tmp[PATH_MAX];
	int in, out, saved = 0;
	struct stat st;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", dst) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	if (fstat(in, &st) || (out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		saved = errno;
		close(in);
		errno = saved;
		return -1;
	}
	for (off_t left = st.st_size; left > 0 && !saved;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			saved = n < 0 ? errno : EIO;
		else
			left -= n;
	}
	close(in);
	if (close(out) && !saved)
		saved = errno;
	if (!saved && rename(tmp, dst))
		saved = errno;
	if (saved) {
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

static int has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* ---- status names ---- */

const char *kmin_job_status_name(enum kmin_job_status status)
{
	switch (status) {
	case KMIN_JOB_OK: return "ok";
	case KMIN_JOB_FAILED: return "failed";
	case KMIN_JOB_TIMEOUT: return "timeout";
	case KMIN_JOB_NOSPACE: return "no-space";
	case KMIN_JOB_CANCELLED: return "cancelled";
	case KMIN_JOB_ERROR: return "error";
	}
	return "?";
}

const char *kmin_job_stage_name(enum kmin_job_stage stage)
{
	switch (stage) {
	case KMIN_STAGE_PREPARE: return "prepare";
	case KMIN_STAGE_OLDDEFCONFIG: return "olddefconfig";
	case KMIN_STAGE_BUILD: return "build";
	case KMIN_STAGE_MEASURE: return "measure";
	case KMIN_STAGE_BOOT: return "boot";
	case KMIN_STAGE_DONE: return "done";
	}
	return "?";
}

void kmin_job_result_free(struct kmin_job_result *r)
{
	if (!r)
		return;
	free(r->message);
	free(r->log_tail);
	free(r->config);
	kmin_divergences_free(r->divergences, r->ndivergences);
	free(r->artifacts_error);
	kmin_sizes_release(&r->sizes);
	free(r);
}

/* ---- make's environment ---- */

static int env_push(char ***env, size_t *n, const char *s)
{
	char **v = realloc(*env, (*n + 2) * sizeof(*v));

	if (!v)
		return -1;
	*env = v;
	v[*n] = strdup(s);
	if (!v[*n])
		return -1;
	v[++*n] = NULL;
	return 0;
}

static void env_free(char **env)
{
	for (char **e = env; e && *e; e++)
		free(*e);
	free(env);
}

static int env_is_dropped(const char *var, const char *const *extra)
{
	for (size_t i = 0; i < sizeof(env_dropped) / sizeof(env_dropped[0]); i++)
		if (has_prefix(var, env_dropped[i]))
			return 1;
	for (; extra && *extra; extra++) {
		const char *eq = strchr(*extra, '=');
		if (eq && !strncmp(var, *extra, (size_t)(eq - *extra) + 1))
			return 1;
	}
	return 0;
}

static char **make_env(const struct kmin_pool *p)
{
	char **env = NULL;
	size_t n = 0;
	char *arch = fmtdup("ARCH=%s", p->arch);
	char *cross = fmtdup("CROSS_COMPILE=%s", p->cross_compile);
	int bad = !arch || !cross || env_push(&env, &n, arch) || env_push(&env, &n, cross);

	free(arch);
	free(cross);
	for (char **e = environ; !bad && e && *e; e++)
		if (!env_is_dropped(*e, p->opts.extra_env) &&
		    !(p->ccache_prefix && has_prefix(*e, "CCACHE_PREFIX=")))
			bad = env_push(&env, &n, *e);
	for (size_t i = 0; !bad && i < sizeof(env_pinned) / sizeof(env_pinned[0]); i++)
		bad = env_push(&env, &n, env_pinned[i]);
	if (!bad && p->ccache_prefix)
		bad = env_push(&env, &n, p->ccache_prefix);
	for (const char *const *e = p->opts.extra_env; !bad && e && *e; e++)
		bad = env_push(&env, &n, *e);
	if (bad) {
		env_free(env);
		return NULL;
	}
	return env;
}

/* ---- worker directories ---- */

/* Lock <build_root>/w<n>; 1 locked, 0 busy, -1 error. */
static int worker_dir_lock(struct worker *w, const char *root, unsigned int n, char *err,
			   size_t errlen)
{
	char *dir = fmtdup("%s/w%u", root, n), *lock = dir ? fmtdup("%s/" LOCKFILE, dir) : NULL;
	int fd;

	if (!lock) {
		free(dir);
		return kmin_errf(err, errlen, "out of memory");
	}
	if (kmin_mkdir_p(dir, 0755) || (fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		kmin_errf(err, errlen, "cannot create '%s': %s", dir, strerror(errno));
		free(dir);
		free(lock);
		return -1;
	}
	free(lock);
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int busy = errno == EWOULDBLOCK;
		if (!busy)
			kmin_errf(err, errlen, "cannot lock '%s': %s", dir, strerror(errno));
		close(fd);
		free(dir);
		return busy ? 0 : -1;
	}
	w->n = n;
	w->dir = dir;
	w->lockfd = fd;
	return 1;
}

static int workers_claim(struct kmin_pool *p, char *err, size_t errlen)
{
	unsigned int got = 0;

	for (unsigned int n = 0; got < p->nworkers && n < p->nworkers + MAX_DIR_TRIES; n++) {
		int rc = worker_dir_lock(&p->workers[got], p->build_root, n, err, errlen);
		if (rc < 0)
			return -1;
		if (rc > 0)
			got++;
	}
	if (got < p->nworkers)
		return kmin_errf(err, errlen, "all build directories under '%s' are in use by other kmin processes",
			    p->build_root);
	return 0;
}

/*
 * Remove, under dirfd, every file not a directory modified at or after
 * *since: what a killed make may have left half-written.
 */
static void prune_newer(int dirfd, const struct timespec *since, int top)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (top && (!strcmp(de->d_name, MARKER) || !strcmp(de->d_name, LOCKFILE)))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				prune_newer(sub, since, 0);
				close(sub);
			}
		} else if (st.st_mtim.tv_sec > since->tv_sec ||
			   (st.st_mtim.tv_sec == since->tv_sec && st.st_mtim.tv_nsec >= since->tv_nsec)) {
			unlinkat(dirfd, de->d_name, 0);
		}
	}
	closedir(d);
}

/* After a killed build: delete what it touched.  0, or -1 with a message. */
static int worker_recover(struct worker *w, char *err, size_t errlen)
{
	char *marker = fmtdup("%s/" MARKER, w->dir);
	struct stat st;
	int rc = 0;

	if (!marker)
		return kmin_errf(err, errlen, "out of memory");
	if (!stat(marker, &st)) {
		int dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			rc = kmin_errf(err, errlen, "cannot open '%s': %s", w->dir, strerror(errno));
		} else {
			prune_newer(dfd, &st.st_mtim, 1);
			close(dfd);
		}
	}
	free(marker);
	return rc;
}

/* The last make ended by itself (.DELETE_ON_ERROR cleaned up): no recovery needed. */
static void worker_unmark(struct worker *w)
{
	char *marker = fmtdup("%s/" MARKER, w->dir);

	if (marker)
		unlink(marker);
	free(marker);
}

/* ---- one job ---- */

struct job_ctx {
	struct worker *w;
	const struct job_node *job;
	struct kmin_job_result *r;
	double deadline;		/* monotonic seconds; 0: none */
	char *log;			/* LOGFILE in the worker's dir */
	int killed;			/* a make was killed: half-written files may be left */
	const char *make_var;		/* one more VAR=VALUE for make (the local retry), or NULL */
};

static void progress(struct job_ctx *c, enum kmin_job_stage stage)
{
	const struct kmin_pool_options *o = &c->w->pool->opts;
	struct kmin_progress pr = { c->w->n, stage, c->job->user };

	if (o->progress)
		o->progress(o->progress_data, &pr);
}

/* End the job with a status and a message; returns -1 for `return fail(...)`. */
static int fail(struct job_ctx *c, enum kmin_job_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct job_ctx *c, enum kmin_job_status status, const char *fmt, ...)
{
	va_list ap;

	c->r->status = status;
	free(c->r->message);
	c->r->message = NULL;
	va_start(ap, fmt);
	if (vasprintf(&c->r->message, fmt, ap) < 0)
		c->r->message = NULL;
	va_end(ap);
	return -1;
}

static enum kmin_job_status errno_status(int e)
{
	return e == ENOSPC || e == EDQUOT ? KMIN_JOB_NOSPACE : KMIN_JOB_ERROR;
}

static int job_prepare(struct job_ctx *c)
{
	char err[512], *path;
	int rc;

	if (worker_recover(c->w, err, sizeof(err)))
		return fail(c, KMIN_JOB_ERROR, "%s", err);
	path = fmtdup("%s/" MARKER, c->w->dir);
	if (!path)
		return fail(c, KMIN_JOB_ERROR, "out of memory");
	rc = write_file(path, "", 0);
	free(path);
	if (rc)
		return fail(c, errno_status(errno), "cannot write in '%s': %s", c->w->dir,
			    strerror(errno));
	if (write_file(c->log, "", 0))
		return fail(c, errno_status(errno), "cannot write '%s': %s", c->log, strerror(errno));
	path = fmtdup("%s/.config", c->w->dir);
	if (!path)
		return fail(c, KMIN_JOB_ERROR, "out of memory");
	rc = write_file(path, c->job->config, c->job->config_len);
	if (rc)
		fail(c, errno_status(errno), "cannot write '%s': %s", path, strerror(errno));
	free(path);
	return rc ? -1 : 0;
}

/* Append one line to the job's log (what kmin ran); errors are ignored. */
static void log_command(struct job_ctx *c, const char *const *argv)
{
	FILE *f = fopen(c->log, "ae");

	if (!f)
		return;
	fputs("kmin: running", f);
	for (; *argv; argv++)
		fprintf(f, " %s", *argv);
	fputc('\n', f);
	fclose(f);
}

/*
 * Run make with the given targets in the worker's directory.  0 when make
 * succeeded; otherwise the job's status is set and -1 returned.
 */
static int job_make(struct job_ctx *c, const char *const *targets, double *seconds)
{
	struct kmin_pool *p = c->w->pool;
	struct kmin_spawn_options so = { 0 };
	struct kmin_spawn_result sr;
	char err[512], jobs[32], *src = fmtdup("-C%s", p->srctree);
	char *out = fmtdup("O=%s", c->w->dir), *arch = fmtdup("ARCH=%s", p->arch);
	char *cross = fmtdup("CROSS_COMPILE=%s", p->cross_compile);
	const char *argv[16];
	size_t k = 0;
	int rc = -1;

	if (!src || !out || !arch || !cross) {
		fail(c, KMIN_JOB_ERROR, "out of memory");
		goto done;
	}
	snprintf(jobs, sizeof(jobs), "-j%u", p->opts.jobs);
	argv[k++] = p->make;
	argv[k++] = src;
	argv[k++] = out;
	argv[k++] = arch;
	argv[k++] = cross;
	if (p->cc)
		argv[k++] = p->cc;
	if (c->make_var)
		argv[k++] = c->make_var;
	argv[k++] = jobs;
	for (; *targets && k < 15; targets++)
		argv[k++] = *targets;
	argv[k] = NULL;
	if (c->deadline > 0 && (so.timeout = c->deadline - now()) <= 0) {
		fail(c, KMIN_JOB_TIMEOUT, "timed out before %s", kmin_job_stage_name(c->r->stage));
		goto done;
	}
	so.argv = argv;
	so.envp = (const char *const *)p->env;
	so.log_path = c->log;
	so.trampoline = p->opts.trampoline;
	so.cancel = &p->cancel;
	log_command(c, argv);
	if (kmin_spawn_run(&so, &sr, err, sizeof(err))) {
		fail(c, KMIN_JOB_ERROR, "%s", err);
		goto done;
	}
	*seconds = sr.seconds;
	if (sr.end == KMIN_SPAWN_TIMEOUT)
		fail(c, KMIN_JOB_TIMEOUT, "timed out after %g s in %s", p->opts.timeout,
		     kmin_job_stage_name(c->r->stage));
	else if (sr.end == KMIN_SPAWN_CANCELLED)
		fail(c, KMIN_JOB_CANCELLED, "cancelled in %s", kmin_job_stage_name(c->r->stage));
	else if (sr.end == KMIN_SPAWN_SIGNALED)	/* not by kmin: the OOM killer, a user */
		fail(c, KMIN_JOB_ERROR, "make killed by signal %d, not by kmin: says nothing "
		     "about the config", sr.code);
	else if (sr.code != 0)
		fail(c, KMIN_JOB_FAILED, "make %s exited with status %d",
		     kmin_job_stage_name(c->r->stage), sr.code);
	else
		rc = 0;
	/* Killed make leaves half-written files: keep the marker for the next job. */
	if (sr.end != KMIN_SPAWN_EXITED)
		c->killed = 1;
done:
	free(src);
	free(out);
	free(arch);
	free(cross);
	return rc;
}

/* ---- comparing make's .config with the engine's ---- */

struct symval {
	char *name;	/* points into a parsed copy */
	char *value;
	size_t line;	/* its place in the text: a later line overrides */
};

static int symval_cmp(const void *pa, const void *pb)
{
	const struct symval *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	return c ? c : a->line < b->line ? -1 : a->line > b->line;
}

/* Keep the last assignment of each symbol in sorted v, as conf reads a .config. */
static size_t symval_last(struct symval *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && !strcmp(v[i].name, v[i + 1].name))
			continue;
		v[k++] = v[i];
	}
	return k;
}

/*
 * Parse .config text (modified in place) into an array sorted by name,
 * one entry per symbol: its last assignment (a boot config appends lines
 * that repeat symbols of the config above them).
 */
static struct symval *parse_config(char *text, size_t *n)
{
	struct symval *v = NULL;
	size_t cap = 0;

	*n = 0;
	for (char *line = text, *next; line && *line; line = next) {
		char *name = NULL, *value = NULL;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (has_prefix(line, "CONFIG_") && strchr(line, '=')) {
			name = line + 7;
			value = strchr(name, '=');
			*value++ = '\0';
		} else if (has_prefix(line, "# CONFIG_") && strstr(line, " is not set")) {
			name = line + 9;
			*strstr(name, " is not set") = '\0';
			value = "n";
		}
		if (!name)
			continue;
		if (*n == cap) {
			struct symval *nv = realloc(v, (cap = cap ? cap * 2 : 1024) * sizeof(*v));
			if (!nv) {
				free(v);
				return NULL;
			}
			v = nv;
		}
		v[*n] = (struct symval){ name, value, *n };
		++*n;
	}
	if (v) {
		qsort(v, *n, sizeof(*v), symval_cmp);
		*n = symval_last(v, *n);
	}
	return v;
}

static int add_divergence(struct kmin_divergence **v, size_t *n, const char *sym,
			  const char *engine, const char *make)
{
	struct kmin_divergence *nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	*v = nv;
	nv += *n;
	nv->symbol = strdup(sym);
	nv->engine = strdup(engine);
	nv->make = strdup(make);
	++*n;
	return nv->symbol && nv->engine && nv->make ? 0 : -1;
}

void kmin_divergences_free(struct kmin_divergence *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].symbol);
		free(v[i].engine);
		free(v[i].make);
	}
	free(v);
}

int kmin_config_diff(const char *engine_text, const char *make_text, struct kmin_divergence **out,
		     size_t *nout)
{
	char *a = strdup(engine_text), *b = strdup(make_text);
	size_t na = 0, nb = 0, i = 0, j = 0;
	struct symval *va = a ? parse_config(a, &na) : NULL, *vb = b ? parse_config(b, &nb) : NULL;
	int rc = (!a || !b || (na && !va) || (nb && !vb)) ? -1 : 0;

	*out = NULL;
	*nout = 0;
	while (!rc && (i < na || j < nb)) {
		int cmp = i == na ? 1 : j == nb ? -1 : strcmp(va[i].name, vb[j].name);
		const char *name = cmp <= 0 ? va[i].name : vb[j].name;
		const char *ea = cmp <= 0 ? va[i].value : "n", *mb = cmp >= 0 ? vb[j].value : "n";

		if (strcmp(ea, mb))
			rc = add_divergence(out, nout, name, ea, mb);
		i += cmp <= 0;
		j += cmp >= 0;
	}
	free(va);
	free(vb);
	free(a);
	free(b);
	if (rc) {
		kmin_divergences_free(*out, *nout);
		*out = NULL;
		*nout = 0;
	}
	return rc;
}

/* ---- reading make's log ---- */

/* Rank of a log line as "the first error": lower is better, 0 none. */
static int error_rank(const char *line)
{
	if (strstr(line, ": error: ") || strstr(line, ": fatal error: "))
		return 1;
	if (strstr(line, "undefined reference to") || strstr(line, "No space left on device"))
		return 2;
	if (strstr(line, "*** ") || strstr(line, "Error "))
		return 3;
	return 0;
}

/* The first error line (by rank) and the tail of the log into r. */
static void read_log(struct job_ctx *c)
{
	size_t len = 0;
	char *text = kmin_file_read(c->log, &len), *best = NULL;
	int best_rank = 0;

	if (!text)
		return;
	for (char *line = text, *next; *line; line = next) {
		size_t n = strcspn(line, "\n");
		next = line[n] ? line + n + 1 : line + n;
		char saved = line[n];
		line[n] = '\0';
		int rank = has_prefix(line, "kmin: running") ? 0 : error_rank(line);
		if (rank && (!best_rank || rank < best_rank)) {
			free(best);
			best = strndup(line, 512);
			best_rank = rank;
		}
		line[n] = saved;
	}
	if (best && c->r->status == KMIN_JOB_FAILED) {
		free(c->r->message);
		c->r->message = best;
		best = NULL;
		if (strstr(text, "No space left on device"))
			c->r->status = KMIN_JOB_NOSPACE;
		else if (strstr(text, "Killed signal terminated program")) {
			/* gcc's words for a cc1 killed under it: memory, not the config */
			char *m = fmtdup("%s: a compiler was killed, most likely for memory; "
					 "try fewer --jobs or --workers", c->r->message);
			c->r->status = KMIN_JOB_ERROR;
			if (m) {
				free(c->r->message);
				c->r->message = m;
			}
		}
	}
	free(best);
	/* The tail: at most LOG_TAIL_LINES lines, LOG_TAIL_BYTES bytes. */
	size_t start = len > LOG_TAIL_BYTES ? len - LOG_TAIL_BYTES : 0, lines = 0;
	for (size_t i = len; i > start; i--)
		if (text[i - 1] == '\n' && i != len && ++lines == LOG_TAIL_LINES) {
			start = i;
			break;
		}
	c->r->log_tail = strdup(text + start);
	free(text);
}

/* ---- measuring and keeping ---- */

static int job_measure(struct job_ctx *c)
{
	struct kmin_pool *p = c->w->pool;
	char err[512], *vmlinux = fmtdup("%s/vmlinux", c->w->dir);
	char *image = fmtdup("%s/%s", c->w->dir, p->image_path ? p->image_path : "vmlinux");
	int rc = 0;

	if (!vmlinux || !image)
		rc = fail(c, KMIN_JOB_ERROR, "out of memory");
	else if (kmin_measure_elf(vmlinux, &c->r->sizes, err, sizeof(err)))
		rc = fail(c, KMIN_JOB_ERROR, "%s", err);
	else if (kmin_measure_file(image, &c->r->image_bytes, err, sizeof(err)))
		rc = fail(c, KMIN_JOB_ERROR, "make built no image: %s", err);
	free(vmlinux);
	free(image);
	return rc;
}

/* Copy one file of the worker dir into the artifacts dir; missing sources are skipped. */
static int keep_one(struct job_ctx *c, const char *rel, const char *name)
{
	char *src = fmtdup("%s/%s", c->w->dir, rel), *dst = fmtdup("%s/%s", c->job->artifacts_dir, name);
	int rc = 0;

	if (!src || !dst) {
		errno = ENOMEM;
		rc = -1;
	} else if (access(src, F_OK) == 0 && copy_file(src, dst)) {
		rc = -1;
	}
	if (rc && !c->r->artifacts_error)
		c->r->artifacts_error = fmtdup("cannot keep '%s' in '%s': %s", rel,
					       c->job->artifacts_dir, strerror(errno));
	free(src);
	free(dst);
	return rc;
}

static void job_keep_artifacts(struct job_ctx *c)
{
	struct kmin_pool *p = c->w->pool;
	const char *image = p->image_path;
	const char *base = image ? strrchr(image, '/') : NULL;

	if (!c->job->artifacts_dir)
		return;
	if (kmin_mkdir_p(c->job->artifacts_dir, 0755)) {
		c->r->artifacts_error = fmtdup("cannot create '%s': %s", c->job->artifacts_dir,
					       strerror(errno));
		return;
	}
	keep_one(c, ".config", ".config");
	keep_one(c, LOGFILE, "build.log");
	if (c->r->status != KMIN_JOB_OK)
		return;
	keep_one(c, "vmlinux", "vmlinux");
	if (c->r->booted)
		keep_one(c, BOOTLOG, "boot.log");
	if (image && strcmp(image, "vmlinux"))
		keep_one(c, image, base ? base + 1 : image);
}

static int job_olddefconfig(struct job_ctx *c)
{
	static const char *const targets[] = { "olddefconfig", NULL };
	char *path;

	c->r->stage = KMIN_STAGE_OLDDEFCONFIG;
	progress(c, c->r->stage);
	if (job_make(c, targets, &c->r->config_seconds))
		return -1;
	path = fmtdup("%s/.config", c->w->dir);
	c->r->config = path ? kmin_file_read(path, NULL) : NULL;
	free(path);
	if (!c->r->config)
		return fail(c, KMIN_JOB_ERROR, "cannot read the .config make wrote: %s", strerror(errno));
	if (c->job->expected) {
		c->r->checked = true;
		if (kmin_config_diff(c->job->expected, c->r->config, &c->r->divergences,
				     &c->r->ndivergences))
			return fail(c, KMIN_JOB_ERROR, "out of memory");
	}
	return 0;
}

/*
 * make vmlinux IMAGE; when it fails through a compile cluster, once more
 * with the wrapper told to compile here (opts.local_retry): the same CC
 * text, so make goes on with only what is left, and a genuinely broken
 * config fails again at the same file within seconds.
 */
static int job_build_make(struct job_ctx *c, const char *const *targets)
{
	struct kmin_pool *p = c->w->pool;
	double first;
	int rc;

	if (!job_make(c, targets, &c->r->build_seconds))
		return 0;
	if (!p->local_retry || c->r->status != KMIN_JOB_FAILED || atomic_load(&p->cancel))
		return -1;
	first = c->r->build_seconds;
	c->r->status = KMIN_JOB_OK;
	free(c->r->message);
	c->r->message = NULL;
	c->make_var = p->local_retry;
	rc = job_make(c, targets, &c->r->build_seconds);
	c->make_var = NULL;
	c->r->build_seconds += first;
	return rc;
}

/*
 * Boot the build in QEMU (boot.h): the verdict goes into r->boot, the job
 * stays OK.  QEMU that cannot be run at all (no DTB: the config lacks the
 * board) is a failed boot with the reason as message.
 */
static void job_boot(struct job_ctx *c)
{
	struct kmin_pool *p = c->w->pool;
	struct kmin_boot_options bo = { 0 };
	char err[256], *log = fmtdup("%s/" BOOTLOG, c->w->dir);

	c->r->stage = KMIN_STAGE_BOOT;
	progress(c, c->r->stage);
	bo.files = p->opts.boot;
	bo.objdir = c->w->dir;
	bo.log_path = log;
	bo.timeout = p->opts.boot_timeout;
	bo.trampoline = p->opts.trampoline;
	bo.cancel = &p->cancel;
	c->r->booted = true;
	c->r->boot_board = p->opts.boot->board->name;
	if (!log || kmin_boot_run(&bo, &c->r->boot, err, sizeof(err))) {
		c->r->boot.status = KMIN_BOOT_FAILED;
		snprintf(c->r->boot.message, sizeof(c->r->boot.message), "%s",
			 log ? err : "out of memory");
	}
	if (c->r->boot.status == KMIN_BOOT_CANCELLED)
		fail(c, KMIN_JOB_CANCELLED, "cancelled in boot");
	free(log);
}

static int job_build(struct job_ctx *c)
{
	struct kmin_pool *p = c->w->pool;
	const char *targets[4] = { "vmlinux", NULL, NULL, NULL };

	if (p->image && strcmp(p->image, "vmlinux"))
		targets[1] = p->image;
	if (p->opts.boot)
		targets[targets[1] ? 2 : 1] = "dtbs";
	c->r->stage = KMIN_STAGE_BUILD;
	progress(c, c->r->stage);
	if (job_build_make(c, targets))
		return -1;
	c->r->stage = KMIN_STAGE_MEASURE;
	progress(c, c->r->stage);
	if (job_measure(c))
		return -1;
	if (p->opts.boot)
		job_boot(c);
	c->r->stage = KMIN_STAGE_DONE;
	return 0;
}

static struct kmin_job_result *run_job(struct worker *w, const struct job_node *job)
{
	struct kmin_pool *p = w->pool;
	struct kmin_job_result *r = calloc(1, sizeof(*r));
	struct job_ctx c = { w, job, r, 0, NULL, 0, NULL };
	double t0 = now();

	if (!r)
		return NULL;
	r->worker = w->n;
	r->user = job->user;
	r->status = KMIN_JOB_OK;
	if (p->opts.timeout > 0)
		c.deadline = t0 + p->opts.timeout;
	c.log = fmtdup("%s/" LOGFILE, w->dir);
	if (!c.log)
		fail(&c, KMIN_JOB_ERROR, "out of memory");
	else if (atomic_load(&p->cancel))
		fail(&c, KMIN_JOB_CANCELLED, "cancelled before it started");
	else if (!(progress(&c, KMIN_STAGE_PREPARE), job_prepare(&c)) && !job_olddefconfig(&c))
		job_build(&c);
	if (c.log && r->status != KMIN_JOB_CANCELLED && r->stage >= KMIN_STAGE_OLDDEFCONFIG) {
		read_log(&c);
		job_keep_artifacts(&c);
	}
	if (!c.killed && r->stage >= KMIN_STAGE_OLDDEFCONFIG)
		worker_unmark(w);
	r->seconds = now() - t0;
	free(c.log);
	return r;
}

/* ---- the pool ---- */

static void post_result(struct kmin_pool *p, struct kmin_job_result *r)
{
	struct result_node *node = calloc(1, sizeof(*node));

	pthread_mutex_lock(&p->lock);
	if (node) {
		node->result = r;
		if (p->results_tail)
			p->results_tail->next = node;
		else
			p->results = node;
		p->results_tail = node;
	} else {
		/* Out of memory: the job is lost, but the owner must not wait for it. */
		kmin_job_result_free(r);
		p->outstanding--;
	}
	pthread_cond_broadcast(&p->result_ready);
	pthread_mutex_unlock(&p->lock);
}

static void job_node_free(struct job_node *j)
{
	free(j->config);
	free(j->expected);
	free(j->artifacts_dir);
	free(j);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct kmin_pool *p = w->pool;

	for (;;) {
		struct job_node *job;
		struct kmin_job_result *r;

		pthread_mutex_lock(&p->lock);
		while (!p->jobs && !p->closing)
			pthread_cond_wait(&p->job_ready, &p->lock);
		job = p->jobs;
		if (job) {
			p->jobs = job->next;
			if (!p->jobs)
				p->jobs_tail = NULL;
		}
		pthread_mutex_unlock(&p->lock);
		if (!job)
			break;
		r = run_job(w, job);
		job_node_free(job);
		if (r)
			post_result(p, r);
		else
			post_result(p, NULL);
	}
	return NULL;
}

static int pool_copy_options(struct kmin_pool *p, const struct kmin_pool_options *o)
{
	p->opts = *o;
	p->srctree = xstrdup(o->srctree);
	p->arch = xstrdup(o->arch);
	p->cross_compile = xstrdup(o->cross_compile ? o->cross_compile : "");
	p->image = xstrdup(o->image);
	p->image_path = xstrdup(o->image_path);
	p->build_root = xstrdup(o->build_root);
	p->make = xstrdup(o->make ? o->make : "make");
	if (o->ccache)
		p->cc = fmtdup("CC=ccache %sgcc", p->cross_compile ? p->cross_compile : "");
	else if (o->cc_wrapper)
		p->cc = fmtdup("CC=%s %sgcc", o->cc_wrapper, p->cross_compile ? p->cross_compile : "");
	if (o->ccache && o->cc_wrapper)
		p->ccache_prefix = fmtdup("CCACHE_PREFIX=%s", o->cc_wrapper);
	p->local_retry = o->cc_wrapper ? xstrdup(o->local_retry) : NULL;
	return !p->srctree || !p->arch || !p->cross_compile || (o->image && !p->image) ||
	       (o->image_path && !p->image_path) || !p->build_root || !p->make ||
	       ((o->ccache || o->cc_wrapper) && !p->cc) ||
	       (o->ccache && o->cc_wrapper && !p->ccache_prefix) ||
	       (o->cc_wrapper && o->local_retry && !p->local_retry) ? -1 : 0;
}

int kmin_pool_new(struct kmin_pool **out, const struct kmin_pool_options *o, char *err,
		  size_t errlen)
{
	struct kmin_pool *p;

	*out = NULL;
	if (!o->srctree || !o->arch || !o->build_root || o->build_root[0] != '/')
		return kmin_errf(err, errlen, "the pool needs a source tree, an arch and an absolute build root");
	if (o->workers < 1 || o->jobs < 1)
		return kmin_errf(err, errlen, "the pool needs at least one worker and one make job");
	p = calloc(1, sizeof(*p));
	if (!p)
		return kmin_errf(err, errlen, "out of memory");
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->job_ready, NULL);
	pthread_cond_init(&p->result_ready, NULL);
	atomic_init(&p->cancel, 0);
	p->nworkers = o->workers;
	p->workers = calloc(o->workers, sizeof(*p->workers));
	if (!p->workers || pool_copy_options(p, o) || !(p->env = make_env(p))) {
		kmin_pool_free(p);
		return kmin_errf(err, errlen, "out of memory");
	}
	for (unsigned int i = 0; i < p->nworkers; i++) {
		p->workers[i].pool = p;
		p->workers[i].lockfd = -1;
	}
	if (kmin_mkdir_p(p->build_root, 0755)) {
		kmin_errf(err, errlen, "cannot create '%s': %s", p->build_root, strerror(errno));
		kmin_pool_free(p);
		return -1;
	}
	if (workers_claim(p, err, errlen)) {
		kmin_pool_free(p);
		return -1;
	}
	for (unsigned int i = 0; i < p->nworkers; i++) {
		int rc = pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]);
		if (rc) {
			kmin_errf(err, errlen, "cannot start a worker thread: %s", strerror(rc));
			kmin_pool_free(p);
			return -1;
		}
		p->workers[i].started = 1;
	}
	*out = p;
	return 0;
}

int kmin_pool_submit(struct kmin_pool *p, const struct kmin_job *job, char *err, size_t errlen)
{
	struct job_node *j = calloc(1, sizeof(*j));

	if (!j)
		return kmin_errf(err, errlen, "out of memory");
	j->config = malloc(job->config_len + 1);
	j->expected = xstrdup(job->expected);
	j->artifacts_dir = xstrdup(job->artifacts_dir);
	j->user = job->user;
	if (!j->config || (job->expected && !j->expected) || (job->artifacts_dir && !j->artifacts_dir)) {
		job_node_free(j);
		return kmin_errf(err, errlen, "out of memory");
	}
	memcpy(j->config, job->config, job->config_len);
	j->config[job->config_len] = '\0';
	j->config_len = job->config_len;
	pthread_mutex_lock(&p->lock);
	if (p->jobs_tail)
		p->jobs_tail->next = j;
	else
		p->jobs = j;
	p->jobs_tail = j;
	p->outstanding++;
	pthread_cond_signal(&p->job_ready);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int kmin_pool_next(struct kmin_pool *p, struct kmin_job_result **out)
{
	int got = 0;

	*out = NULL;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct result_node *node = p->results;

		if (node) {
			p->results = node->next;
			if (!p->results)
				p->results_tail = NULL;
			p->outstanding--;
			*out = node->result;
			free(node);
			if (*out) {
				got = 1;
				break;
			}
			continue;	/* a job lost to out-of-memory */
		}
		if (!p->outstanding)
			break;
		pthread_cond_wait(&p->result_ready, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return got;
}

void kmin_pool_cancel(struct kmin_pool *p)
{
	atomic_store(&p->cancel, 1);
}

void kmin_pool_free(struct kmin_pool *p)
{
	if (!p)
		return;
	kmin_pool_cancel(p);
	pthread_mutex_lock(&p->lock);
	p->closing = 1;
	pthread_cond_broadcast(&p->job_ready);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; p->workers && i < p->nworkers; i++) {
		if (p->workers[i].started)
			pthread_join(p->workers[i].thread, NULL);
		if (p->workers[i].lockfd >= 0)
			close(p->workers[i].lockfd);
		free(p->workers[i].dir);
	}
	while (p->jobs) {
		struct job_node *j = p->jobs;
		p->jobs = j->next;
		job_node_free(j);
	}
	while (p->results) {
		struct result_node *r = p->results;
		p->results = r->next;
		kmin_job_result_free(r->result);
		free(r);
	}
	env_free(p->env);
	free(p->workers);
	free(p->srctree);
	free(p->arch);
	free(p->cross_compile);
	free(p->image);
	free(p->image_path);
	free(p->build_root);
	free(p->make);
	free(p->cc);
	free(p->ccache_prefix);
	free(p->local_retry);
	pthread_cond_destroy(&p->job_ready);
	pthread_cond_destroy(&p->result_ready);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

const char *kmin_pool_dir(const struct kmin_pool *p, unsigned int n)
{
	for (unsigned int i = 0; i < p->nworkers; i++)
		if (p->workers[i].n == n)
			return p->workers[i].dir;
	return NULL;
}

/* ---- sizing ---- */

#define MEM_PER_SLOT (256ULL << 20)

void kmin_pool_default_size(unsigned int cores, uint64_t mem_available, unsigned int *workers,
			    unsigned int *jobs)
{
	unsigned int slots = cores ? cores : 1;

	if (mem_available && mem_available / MEM_PER_SLOT < slots)
		slots = (unsigned int)(mem_available / MEM_PER_SLOT);
	if (slots < 1)
		slots = 1;
	*workers = slots / 2 ? slots / 2 : 1;
	*jobs = slots / *workers;
}

void kmin_pool_probe_machine(unsigned int *cores, uint64_t *mem_available)
{
	cpu_set_t set;
	FILE *f;
	char line[256];

	*cores = 1;
	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		*cores = (unsigned int)CPU_COUNT(&set);
	else if (sysconf(_SC_NPROCESSORS_ONLN) > 0)
		*cores = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	*mem_available = 0;
	f = fopen("/proc/meminfo", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long kb;
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			*mem_available = kb * 1024ULL;
			break;
		}
	}
	fclose(f);
}
