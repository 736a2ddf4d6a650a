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
	KMIN_OPT_DISTCC,
	KMIN_OPT_ICECC,
	KMIN_OPT_NO_CLUSTER,
	KMIN_OPT_BOOT,
	KMIN_OPT_BOOT_TIMEOUT,
};

#define KMIN_BUILD_OPTIONS \
	{ "boot", required_argument, NULL, KMIN_OPT_BOOT }, \
	{ "boot-timeout", required_argument, NULL, KMIN_OPT_BOOT_TIMEOUT }, \
	{ "ccache", no_argument, NULL, KMIN_OPT_CCACHE }, \
	{ "distcc", required_argument, NULL, KMIN_OPT_DISTCC }, \
	{ "icecc", no_argument, NULL, KMIN_OPT_ICECC }, \
	{ "no-cluster", no_argument, NULL, KMIN_OPT_NO_CLUSTER }, \
	{ "jobs", required_argument, NULL, KMIN_OPT_JOBS }, \
	{ "timeout", required_argument, NULL, KMIN_OPT_TIMEOUT }, \
	{ "workers", required_argument, NULL, KMIN_OPT_WORKERS }

#define KMIN_BUILD_OPTS_HELP \
	"  --workers W            parallel builds (default: from cores and memory)\n" \
	"  --jobs J               make -jJ in each worker (default: see --workers)\n" \
	"  --timeout SECONDS      per build; the build is killed and recorded as\n" \
	"                         timeout, and built again when asked for again\n" \
	"                         (default: none)\n" \
	"  --ccache               compile through ccache when it is installed\n" \
	"  --distcc HOSTS         compile through distcc on HOSTS (DISTCC_HOSTS syntax;\n" \
	"                         default: $KMIN_DISTCC_HOSTS, else `distcc = HOSTS` in\n" \
	"                         ${XDG_CONFIG_HOME:-~/.config}/kmin/config); a host\n" \
	"                         whose compiler differs from the local one is refused\n" \
	"  --icecc                compile through the local icecream daemon (also\n" \
	"                         KMIN_ICECC=1 or `icecc = yes` in the config file)\n" \
	"  --no-cluster           neither, whatever the environment and config say\n" \
	"  --boot qemu[:MACHINE]  boot each good build in qemu-system-arm (MACHINE:\n" \
	"                         versatilepb, the default, or mps2-an385); the build\n" \
	"                         is of the boot config: the config plus a built-in\n" \
	"                         initramfs holding kmin's probe as /init\n" \
	"  --boot-timeout SECONDS per boot (default: 60); a kernel that has not\n" \
	"                         reached user space by then is recorded as timeout,\n" \
	"                         and booted again when asked for again\n"

struct kmin_build_opts {
	unsigned int workers;	/* 0: from the machine */
	unsigned int jobs;	/* 0: from the machine */
	double timeout;		/* seconds per build; 0: none */
	bool ccache;
	const char *distcc;	/* --distcc HOSTS (argv's), or NULL */
	bool icecc;		/* --icecc */
	bool no_cluster;	/* --no-cluster */
	const struct kmin_board *boot;	/* --boot qemu:MACHINE, or NULL */
	double boot_timeout;		/* --boot-timeout; 0: the default */
	struct kmin_boot_files boot_files;	/* kmin_build_boot_prepare(); freed by the caller */
	/*
	 * Set by kmin_build_check_tools() from the three above, the
	 * environment and the config file: the distcc hosts whose compiler
	 * was checked ("" when no distcc), whether icecc is used, and the
	 * cluster's compile slots (0 when no cluster).
	 */
	char distcc_hosts[2048];
	bool use_icecc;
	unsigned int cluster_slots;
	/* with icecc: ICECC_VERSION's value for the builds (cluster.h) */
	char icecc_version[4352];
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
 * is cleared.  With a compile cluster (--distcc, --icecc, their
 * environment variables or config file lines), also that its program is
 * installed and that every distcc host compiles with the local compiler:
 * a host with another compiler is an error (naming the host and both
 * versions), a host that cannot compile is a warning and is left out.
 * 0, or -1 after printing why.
 */
int kmin_build_check_tools(struct kmin_build_opts *o, const struct kmin_kernel_env *env,
			   const char *arch);

/*
 * The cluster part of kmin_build_check_tools(), for commands that check
 * their tools otherwise (kmin doctor): CC is the local compiler.
 */
int kmin_build_check_cluster(struct kmin_build_opts *o, const char *cc);

/*
 * Which cluster O asks for, from --distcc/--icecc/--no-cluster, then
 * KMIN_DISTCC_HOSTS/KMIN_ICECC, then the config file
 * (${XDG_CONFIG_HOME:-~/.config}/kmin/config): *distcc is a host spec
 * (malloc'ed, the caller's) or NULL, *icecc whether icecc is used (never
 * both).  Nothing is checked.  0, or -1 after printing why.
 */
int kmin_build_cluster_settings(const struct kmin_build_opts *o, char **distcc, bool *icecc);

/*
 * "<cache>/build/<version>-<12 hex of SHA-256 of SOURCE's real path>/<arch>":
 * the root under which worker N keeps its O= directory w<N>, stable across
 * runs so builds are incremental.  0, or -1 when it cannot be named.
 */
int kmin_build_root(char *buf, size_t len, const char *source, const char *version,
		    const char *arch);

/*
 * With --boot: assemble kmin's probe (and shim) for the board with ENV's
 * cross compiler under "<cache>/boot/<board>" into o->boot_files, which
 * the command frees with kmin_boot_files_clear().  Without --boot: 0 and
 * nothing.  0, or -1 after printing why.
 */
int kmin_build_boot_prepare(struct kmin_build_opts *o, const struct kmin_kernel_env *env);

/*
 * The config a worker builds for TEXT: TEXT itself (*out NULL, *out_len
 * unchanged) without --boot, else its boot config (boot.h), malloc'ed
 * into *out.  0, or -1 when out of memory (printed).
 */
int kmin_build_boot_config(const struct kmin_build_opts *o, const char *text, size_t len,
			   char **out, size_t *out_len);

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
