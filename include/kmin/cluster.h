/*
 * cluster.h - compile clusters (distcc, icecream) seen from kmin: host
 * specs, slots, and whether a host's compiler is the local one.
 *
 * kmin does not distribute anything itself.  kbuild runs the compiler
 * through a wrapper (`CC="distcc arm-linux-gnueabi-gcc"`, or ccache with
 * CCACHE_PREFIX=distcc), and the wrapper ships preprocessed sources to
 * the hosts of DISTCC_HOSTS.  What kmin needs to know is:
 *
 *  - the hosts and their slots, to size its workers: a host spec is
 *    distcc's own grammar (distcc(1), "HOST SPECIFICATIONS"), one word per
 *    host separated by white space:
 *
 *        localhost[/LIMIT]                        compile here
 *        HOST[:PORT][/LIMIT][,OPT...]             distccd over TCP (port 3632)
 *        HOST[/LIMIT][:PORT][,OPT...]             the same, old order
 *        [USER]@HOST[/LIMIT][:COMMAND][,OPT...]   distccd over ssh
 *        --randomize  --localslots=N  --localslots_cpp=N
 *
 *    with OPT one of lzo, cpp, auth, auth=PRINCIPAL and HOST a name, an
 *    IPv4 address or a [bracketed] IPv6 address.  A remote host without
 *    /LIMIT has 4 slots (distcc's default), localhost the local cores.
 *    `+zeroconf` is refused: kmin must be able to name every host it
 *    checks.
 *
 *  - that each host compiles with the same compiler: a different gcc
 *    changes the code and so the sizes kmin records under the local
 *    toolchain's identity.  kmin_cluster_probe() compiles a tiny file
 *    through distcc pinned to one host (no local fallback) and returns the
 *    object's .comment section ("GCC: (Debian 12.2.0-14) 12.2.0"), which
 *    the compiler that ran writes there; compared with the same file
 *    compiled locally, it names exactly the remote compiler's release.
 *
 * Library code: no printing, no exit; errors as 0/-1 with a message in
 * the caller's err[errlen].  No global state; the probe reads kmin's
 * environment (PATH) and runs programs through spawn.h.
 */
#ifndef KMIN_CLUSTER_H
#define KMIN_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMIN_CLUSTER_DEFAULT_PORT 3632
#define KMIN_CLUSTER_DEFAULT_LIMIT 4	/* slots of a remote host without /LIMIT */

enum kmin_cluster_transport {
	KMIN_CLUSTER_LOCAL = 0,	/* "localhost": distcc compiles here */
	KMIN_CLUSTER_TCP,	/* distccd on HOST:PORT */
	KMIN_CLUSTER_SSH,	/* distccd started through ssh */
};

struct kmin_cluster_host {
	char *word;		/* the host as written, e.g. "10.0.0.2:3633/8,lzo" */
	enum kmin_cluster_transport transport;
	char *user;		/* ssh user, or NULL */
	char *name;		/* host name or address (IPv6 without brackets) */
	unsigned int port;	/* TCP port; 0 for local and ssh */
	unsigned int limit;	/* slots: /LIMIT, or the default */
	bool limit_given;	/* /LIMIT was written */
	bool lzo, cpp, auth;	/* ,lzo ,cpp ,auth[=PRINCIPAL] */
	char *command;		/* ssh: :COMMAND (distccd's path there), or NULL */
};

struct kmin_cluster {
	struct kmin_cluster_host *hosts;
	size_t nhosts;
	bool randomize;		/* --randomize */
	int localslots;		/* --localslots=N, -1 when absent */
	int localslots_cpp;	/* --localslots_cpp=N, -1 when absent */
};

/*
 * Parse SPEC (DISTCC_HOSTS syntax).  LOCAL_CORES gives localhost's slots
 * when it has no /LIMIT.  *out is the caller's (kmin_cluster_free()).
 * A bad word is an error naming it and why.
 */
int kmin_cluster_parse(struct kmin_cluster **out, const char *spec, unsigned int local_cores,
		       char *err, size_t errlen);

void kmin_cluster_free(struct kmin_cluster *c);

/* Sum of the hosts' slots. */
unsigned int kmin_cluster_slots(const struct kmin_cluster *c);

/*
 * DISTCC_HOSTS for the global options and the hosts with KEEP[i] true
 * (KEEP NULL: all), words as written.  Malloc'ed (the caller's), "" when
 * no host is kept; NULL when out of memory.
 */
char *kmin_cluster_hosts_string(const struct kmin_cluster *c, const bool *keep);

/*
 * Workers and make -j for SLOTS compile slots in the cluster, on a machine
 * with CORES cores and MEM bytes available (0: unknown).  Each worker runs
 * make, the preprocessor of every compile (distcc preprocesses locally)
 * and the link here, so workers are limited by the local machine: at most
 * one per core and one per 512 MB.  Within that, one worker per 8 slots,
 * so that while one worker links (serial) the others keep the slots busy;
 * J = the worker's share of the slots (at least 2).
 */
void kmin_cluster_pool_size(unsigned int slots, unsigned int cores, uint64_t mem,
			    unsigned int *workers, unsigned int *jobs);

/* What one test compile said. */
struct kmin_cluster_probe {
	bool ok;		/* compiled; comment is set */
	char *comment;		/* the object's .comment strings, "; "-joined (malloc'ed) */
	char *message;		/* why it failed: distcc's last line, or kmin's (malloc'ed) */
	double seconds;		/* wall clock of the compile */
	char *host;		/* icecc: where it compiled (see _probe_env()), or NULL */
};

void kmin_cluster_probe_clear(struct kmin_cluster_probe *p);

/*
 * Compile a tiny C file with CC (e.g. "arm-linux-gnueabi-gcc") in WORKDIR
 * (an existing writable directory) and read the object's .comment into
 * *out.  WRAPPER NULL: CC runs here.  WRAPPER "distcc": through distcc
 * with DISTCC_HOSTS=HOST_WORD and no local fallback nor local retry, so a
 * success proves that host compiled it.  Any other WRAPPER (e.g. "icecc")
 * is put before CC as it is.  TIMEOUT seconds (<= 0: none) bounds the
 * compile.  0 when the probe ran (out->ok says whether it compiled), -1
 * when it could not be run at all (message in err).
 */
int kmin_cluster_probe(struct kmin_cluster_probe *out, const char *wrapper, const char *host_word,
		       const char *cc, const char *workdir, double timeout, char *err,
		       size_t errlen);

/*
 * kmin_cluster_probe() with EXTRA_ENV ("NAME=VALUE", NULL-terminated, or
 * NULL) added to the compile's environment.  With WRAPPER "icecc" the
 * compile also runs with ICECC_DEBUG=debug and out->host says where it
 * ran: the daemon's "ADDRESS:PORT" when the scheduler sent it to one,
 * "local" when icecc compiled here (no daemon, no scheduler, or the
 * scheduler chose this machine).
 */
int kmin_cluster_probe_env(struct kmin_cluster_probe *out, const char *wrapper,
			   const char *host_word, const char *const *extra_env, const char *cc,
			   const char *workdir, double timeout, char *err, size_t errlen);

/*
 * A fresh scratch directory for probes under $TMPDIR (default /tmp) into
 * BUF: 0, or -1 (BUF "") when it cannot be made.  Removed, with what the
 * probes and distcc left in it, by kmin_cluster_workdir_remove().
 */
int kmin_cluster_workdir_new(char *buf, size_t len);
void kmin_cluster_workdir_remove(const char *dir);

/*
 * The .comment section of the ELF file PATH, its strings joined by "; ".
 * *out is malloc'ed (the caller's); "" when there is no such section.
 */
int kmin_elf_comment(char **out, const char *path, char *err, size_t errlen);

/*
 * Read the cluster settings of kmin's config file TEXT ("NAME = VALUE"
 * lines, '#' comments; other names are left to their owners):
 *   distcc = HOSTS      (a DISTCC_HOSTS spec; "" or "none": no distcc)
 *   icecc = yes|no|1|0|true|false
 * *distcc (malloc'ed, the caller's) stays NULL and *icecc -1 when absent.
 * A bad icecc value is an error naming the line.
 */
int kmin_cluster_config_parse(const char *text, char **distcc, int *icecc, char *err,
			      size_t errlen);

/*
 * The line of a tool's log at PATH that says why it failed: the first
 * "ERROR: " line, else the last non-blank one, without distcc's
 * "distcc[PID] " prefix.  Malloc'ed (the caller's), or NULL when the log
 * is missing or blank.
 */
char *kmin_cluster_log_reason(const char *path);

#endif
