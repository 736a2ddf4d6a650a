/*
 * build_opts.h - the options every building command shares.
 *
 * `kmin build` and `kmin run` both start a worker pool (worker.h) on a
 * kernel tree.  The options that shape that pool (--workers, --jobs,
 * --timeout, --ccache) are parsed, documented and turned into
 * kmin_pool_options in one place, so the two commands cannot drift apart
 * and a new way of building (a compile cluster, a boot check) is added
 * once.
 *
 * Use: put KMIN_BUILD_OPTIONS in the command's getopt_long table, hand
 * every option code to kmin_build_opts_parse() first, print
 * KMIN_BUILD_OPTS_HELP in the usage text, and start the pool with
 * kmin_build_pool_start().
 */
#ifndef KMIN_BUILD_OPTS_H
#define KMIN_BUILD_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "kmin/kernel.h"
#include "kmin/worker.h"

/* getopt_long codes, above any short option and any command's own codes */
enum {
	KMIN_OPT_WORKERS = 0x1000,
	KMIN_OPT_JOBS,
	KMIN_OPT_TIMEOUT,
	KMIN_OPT_CCACHE,
};

#define KMIN_BUILD_OPTIONS \
	{ "ccache", no_argument, NULL, KMIN_OPT_CCACHE }, \
	{ "jobs", required_argument, NULL, KMIN_OPT_JOBS }, \
	{ "timeout", required_argument, NULL, KMIN_OPT_TIMEOUT }, \
	{ "workers", required_argument, NULL, KMIN_OPT_WORKERS }

#define KMIN_BUILD_OPTS_HELP \
	"  --workers W            parallel builds (default: from cores and memory)\n" \
	"  --jobs J               make -jJ in each worker (default: see --workers)\n" \
	"  --timeout SECONDS      per build; the build is killed and recorded as\n" \
	"                         timeout (default: none)\n" \
	"  --ccache               compile through ccache when it is installed\n"

struct kmin_build_opts {
	unsigned int workers;	/* 0: from the machine */
	unsigned int jobs;	/* 0: from the machine */
	double timeout;		/* seconds per build; 0: none */
	bool ccache;
};

/*
 * Take option code C with argument ARG: 0 when it was one of ours and
 * valid, -1 when it was ours and invalid (reported), 1 when it is not a
 * build option.
 */
int kmin_build_opts_parse(struct kmin_build_opts *o, int c, const char *arg);

/*
 * Whether PROG (a name looked up in $PATH, or a path) can be run: 0 or -1.
 */
int kmin_program_in_path(const char *prog);

/*
 * Check that what a build runs is there: the compiler of ENV (naming the
 * Debian package of ARCH's default cross compiler when it is missing) and
 * make.  --ccache without ccache installed is a warning, and O->ccache
 * is cleared.  0, or -1 after printing why.
 */
int kmin_build_check_tools(struct kmin_build_opts *o, const struct kmin_kernel_env *env,
			   const char *arch);

/*
 * "<cache>/build/<version>-<12 hex of SHA-256 of SOURCE's real path>/<arch>":
 * the root under which worker N keeps its O= directory w<N>, stable across
 * runs so builds are incremental.  0, or -1 when it cannot be named.
 */
int kmin_build_root(char *buf, size_t len, const char *source, const char *version,
		    const char *arch);

/* What kmin_build_pool_start() needs besides the options. */
struct kmin_build_pool_spec {
	const char *source;		/* kernel tree */
	const char *version;		/* its version, names the build root */
	const struct kmin_kernel_env *env;	/* arch, CROSS_COMPILE */
	unsigned int workers;		/* forced worker count, 0: from the options */
	const char *const *trampoline;	/* spawn.h */
	kmin_progress_fn progress;	/* may be NULL */
	void *progress_data;
	bool quiet;			/* do not say where and how it builds */
};

/*
 * Start a pool for SPEC shaped by O: *out is the caller's (kmin_pool_free()).
 * *workers_out, when not NULL, gets the number of workers started.
 * 0, or -1 after printing why.
 */
int kmin_build_pool_start(struct kmin_pool **out, unsigned int *workers_out,
			  const struct kmin_build_opts *o, const struct kmin_build_pool_spec *spec);

#endif
