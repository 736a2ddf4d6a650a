/*
 * worker.h - a pool of build workers: each turns a candidate .config into
 * a measured kernel with the kernel's own make.
 *
 * The pool has W threads; each owns one persistent O= build directory
 * <build_root>/w<N> (locked with flock while the pool lives, so two kmin
 * processes never share one: a busy w<N> is skipped for the next free
 * number), reused across runs so that a small config change rebuilds
 * incrementally.  A job is:
 *
 *   write O/.config  →  make olddefconfig      (the kernel's ground truth;
 *                                               compared with the engine's
 *                                               answer when the job has one)
 *                    →  make -jJ vmlinux IMAGE
 *                    →  sizes of vmlinux (measure.h), bytes of the image
 *                    →  copies into the job's artifacts directory
 *
 * Make runs through spawn.h: argv (no shell), a process group of its own,
 * the job's timeout for the whole job, killed on cancel, and dying with
 * kmin when a trampoline is given.  Its environment is kmin's minus
 * variables that would change the build (KCONFIG_*, MAKEFLAGS, KBUILD_*,
 * LC_*...) plus ARCH, CROSS_COMPILE, LC_ALL=C and pinned
 * KBUILD_BUILD_TIMESTAMP/USER/HOST/VERSION, so equal configs give equal
 * sizes.  With ccache, CC="ccache <prefix>gcc" goes on make's command line;
 * with a compile cluster, CC="distcc <prefix>gcc" (or ccache with
 * CCACHE_PREFIX=distcc), and a build that fails through it is resumed once
 * with the cluster switched off (see cc_wrapper, local_retry).
 *
 * A build killed half-way (timeout, cancel, kill -9 of kmin) may leave
 * truncated objects that make would take as up to date.  Each job
 * therefore drops a marker file in O= before starting make and removes it
 * only when make ended by itself; a job that finds the marker deletes
 * every file modified after it first, so make rebuilds exactly those.
 *
 * Workers build what they are given: no search policy, no database (the
 * caller asks its store before submitting, and records the results).
 *
 * Threads and ownership: kmin_pool_submit() and kmin_pool_next() are
 * called from one thread (the owner); the progress callback runs on
 * worker threads and must be thread-safe; kmin_pool_cancel() may be called
 * from any thread and from a signal handler.
 *
 * Errors: functions that can fail return 0 or -1 with a message in the
 * caller's buffer err[errlen].  A build that fails is not an error: its
 * result says so.
 */
#ifndef KMIN_WORKER_H
#define KMIN_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmin/boot.h"
#include "kmin/measure.h"

enum kmin_job_status {
	KMIN_JOB_OK = 0,
	KMIN_JOB_FAILED,	/* make failed: the config does not build */
	KMIN_JOB_TIMEOUT,	/* the job ran past its timeout; nothing left running */
	KMIN_JOB_NOSPACE,	/* the disk filled up: says nothing about the config */
	KMIN_JOB_CANCELLED,	/* kmin_pool_cancel() before or during the job */
	KMIN_JOB_ERROR,	/* kmin could not run the job (make missing, I/O error) */
};

/* "ok", "failed", "timeout", "no-space", "cancelled", "error". */
const char *kmin_job_status_name(enum kmin_job_status status);

/* Stages, as reported to the progress callback and in results. */
enum kmin_job_stage {
	KMIN_STAGE_PREPARE = 0,	/* recovering the directory, writing .config */
	KMIN_STAGE_OLDDEFCONFIG,
	KMIN_STAGE_BUILD,
	KMIN_STAGE_MEASURE,
	KMIN_STAGE_BOOT,		/* QEMU, when the pool has boot files (boot.h) */
	KMIN_STAGE_DONE,
};

/* "prepare", "olddefconfig", "build", "measure", "boot", "done". */
const char *kmin_job_stage_name(enum kmin_job_stage stage);

struct kmin_progress {
	unsigned int worker;		/* N of w<N> */
	enum kmin_job_stage stage;	/* the stage that starts now */
	void *user;			/* the job's user pointer */
};

typedef void (*kmin_progress_fn)(void *data, const struct kmin_progress *progress);

struct kmin_pool_options {
	const char *srctree;		/* kernel source tree, never written */
	const char *arch;		/* make's ARCH= */
	const char *cross_compile;	/* make's CROSS_COMPILE= ("" for the host) */
	const char *image;		/* image target ("zImage"); NULL: vmlinux only */
	const char *image_path;		/* the image file relative to O= */
	const char *build_root;		/* absolute; worker N builds in <build_root>/w<N> */
	unsigned int workers;		/* W >= 1 */
	unsigned int jobs;		/* make -jJ, J >= 1 */
	double timeout;			/* seconds per job (olddefconfig + build); <= 0: none */
	bool ccache;			/* CC="ccache <cross_compile>gcc" */
	/*
	 * A compiler wrapper that distributes compiles ("distcc", "icecc"), or
	 * NULL: CC="<cc_wrapper> <cross_compile>gcc", or with ccache
	 * CC="ccache <cross_compile>gcc" and CCACHE_PREFIX=<cc_wrapper> in
	 * make's environment (its hosts, e.g. DISTCC_HOSTS, go in extra_env).
	 */
	const char *cc_wrapper;
	/*
	 * "NAME=VALUE" that makes the wrapper compile here (distcc:
	 * "DISTCC_HOSTS=localhost"), or NULL.  When a build through the
	 * wrapper fails, make runs once more with it on its command line (the
	 * CC text, and so kbuild's recorded commands, stay the same: only
	 * what is left is compiled), so a cluster fault is never taken for a
	 * config that does not build.
	 */
	const char *local_retry;
	const char *make;		/* make program; NULL: "make" */
	const char *const *trampoline;	/* see spawn.h; NULL: none */
	const char *const *extra_env;	/* "NAME=VALUE" added to make's environment, or NULL */
	/*
	 * Boot every good build in QEMU (boot.h) and build the DTBs too; NULL:
	 * no boot.  Borrowed: must outlive the pool.  The jobs' configs must
	 * already be boot configs (kmin_boot_config()).
	 */
	const struct kmin_boot_files *boot;
	double boot_timeout;		/* seconds per boot; <= 0: 60 */
	kmin_progress_fn progress;	/* may be NULL */
	void *progress_data;
};

/* One difference between kmin's engine and the kernel's olddefconfig. */
struct kmin_divergence {
	char *symbol;		/* without CONFIG_ */
	char *engine;		/* value in the engine's .config ("n" when not set/absent) */
	char *make;		/* value in make's .config */
};

struct kmin_job {
	const char *config;		/* candidate .config text; copied by submit */
	size_t config_len;
	/*
	 * The engine's olddefconfig result for this config, or NULL: when
	 * given, make's .config is compared with it symbol by symbol.
	 */
	const char *expected;
	const char *artifacts_dir;	/* where to keep vmlinux, image, .config, build.log; or NULL */
	void *user;			/* handed back untouched */
};

struct kmin_job_result {
	enum kmin_job_status status;
	enum kmin_job_stage stage;	/* the stage that ended the job */
	char *message;		/* why, for anything but OK: first error line or kmin's reason */
	char *log_tail;		/* last lines of make's log (NULL if none) */
	char *config;		/* .config after make olddefconfig (NULL if it did not run) */
	struct kmin_divergence *divergences;	/* engine vs make; NULL if none or unchecked */
	size_t ndivergences;
	bool checked;		/* the job had an expected config */
	struct kmin_sizes sizes;	/* vmlinux (status OK) */
	uint64_t image_bytes;	/* the image file (status OK) */
	char *artifacts_error;	/* the build is fine but its artifacts could not be kept, or NULL */
	bool booted;		/* the build was booted: boot holds the verdict */
	struct kmin_boot_result boot;	/* status stays OK whatever the boot gave */
	const char *boot_board;	/* the board booted (borrowed from boot.h's table), or NULL */
	double seconds;		/* the whole job, wall clock */
	double config_seconds;	/* make olddefconfig */
	double build_seconds;	/* make vmlinux IMAGE */
	unsigned int worker;	/* N of w<N> */
	void *user;		/* the job's */
};

void kmin_job_result_free(struct kmin_job_result *r);

/*
 * Compare two .config texts symbol by symbol (`# CONFIG_X is not set` and
 * an absent symbol both count as "n").  *out (sorted by symbol; NULL when
 * equal) is the caller's, freed with kmin_divergences_free().  0, or -1
 * when out of memory.
 */
int kmin_config_diff(const char *engine_text, const char *make_text, struct kmin_divergence **out,
		     size_t *nout);
void kmin_divergences_free(struct kmin_divergence *v, size_t n);

struct kmin_pool;

/*
 * Create build_root/w<N> directories as needed, lock W of them and start
 * W threads.  *out is freed with kmin_pool_free().
 */
int kmin_pool_new(struct kmin_pool **out, const struct kmin_pool_options *opts,
		  char *err, size_t errlen);

/* Queue a job (its strings are copied). */
int kmin_pool_submit(struct kmin_pool *pool, const struct kmin_job *job, char *err, size_t errlen);

/*
 * Wait for the next finished job: 1 and *out (the caller's, freed with
 * kmin_job_result_free()), or 0 when no submitted job is outstanding.
 */
int kmin_pool_next(struct kmin_pool *pool, struct kmin_job_result **out);

/*
 * Stop: running builds are killed (their group), queued jobs come back
 * CANCELLED.  Async-signal-safe; results still arrive through _next().
 */
void kmin_pool_cancel(struct kmin_pool *pool);

/* Cancel what is left, join the threads, unlock and free.  NULL is fine. */
void kmin_pool_free(struct kmin_pool *pool);

/* The O= directory of worker N (borrowed), or NULL. */
const char *kmin_pool_dir(const struct kmin_pool *pool, unsigned int n);

/*
 * Default W and J for a machine: one compile slot per core, and per slot
 * at least 256 MB of available memory (an arm worker at -j2 peaks near
 * 200 MB, host tools included); then W = slots / 2 workers of -j2 (at
 * least 1), so that while one worker links (serial) the other compiles.
 * 2 cores: 1 x -j2; 4 cores: 2 x -j2; 1 core or little memory: 1 x -j1.
 */
void kmin_pool_default_size(unsigned int cores, uint64_t mem_available,
			    unsigned int *workers, unsigned int *jobs);

/* Usable cores (affinity) and MemAvailable in bytes (0 when unknown). */
void kmin_pool_probe_machine(unsigned int *cores, uint64_t *mem_available);

#endif
