/*
 * icecc.h - icecream (icecc) clusters: the scheduler's daemons and slots,
 * the local daemon's socket, and the cross compiler's environment.
 *
 * With icecream there is no host list: kbuild runs `icecc CC`, icecc asks
 * the local daemon (iceccd) for a compile server, the daemon asks the
 * scheduler, and the scheduler picks a daemon of the network.  The
 * remote daemon compiles in a chroot holding the client's compiler: an
 * "environment" tarball (icecc-create-env) that icecc sends along when
 * ICECC_VERSION names it.  icecc makes a native environment by itself,
 * never a cross one, so for arm-linux-gnueabi-gcc kmin makes it once
 * (kmin_icecc_env_ensure()) and names it as
 *
 *     ICECC_VERSION=<platform>:<tarball>=<target>
 *
 * e.g. "x86_64:/root/.cache/kmin/icecc/arm-linux-gnueabi-gcc-<hash>.tar.gz=arm-linux-gnueabi":
 * the environment runs on x86_64 hosts and serves compilers named
 * arm-linux-gnueabi-*, so a native gcc run through the same icecc keeps
 * icecc's own native environment.  Since the remote compiler is the
 * local one, shipped, objects (and the sizes kmin records) are the same.
 *
 * What kmin reads of a running cluster:
 *  - the daemon's unix socket, where icecc looks for it:
 *    $ICECC_TEST_SOCKET, else /var/run/icecc/iceccd.socket and
 *    /var/run/iceccd.socket (a daemon started as root), else
 *    $HOME/.iceccd.socket;
 *  - the scheduler's text interface (TCP, the scheduler's port + 1,
 *    8766 by default): "listcs" lists every daemon of the network as
 *        " NAME (ADDRESS:PORT) [PLATFORM] speed=S jobs=N/MAX load=L"
 *    where PORT 0 is a daemon that takes no remote jobs (--no-remote).
 *    The scheduler is $ICECC_SCHEDULER (HOST[:PORT], as icemon reads it),
 *    else 127.0.0.1:8765.
 */
#ifndef KMIN_ICECC_H
#define KMIN_ICECC_H

#include <stdbool.h>
#include <stddef.h>

#define KMIN_ICECC_SCHEDULER_PORT 8765

/* One daemon as the scheduler lists it. */
struct kmin_icecc_host {
	char *name;		/* node name (iceccd -N), e.g. "build3" */
	char *address;		/* as the scheduler sees it, e.g. "10.0.0.3" */
	unsigned int port;	/* its TCP port; 0: takes no remote jobs */
	char *platform;		/* e.g. "x86_64" */
	unsigned int jobs;	/* compiles running now */
	unsigned int max_jobs;	/* its slots (iceccd -m) */
};

struct kmin_icecc_cluster {
	char *scheduler;	/* "HOST:PORT" that answered */
	char *banner;		/* "ICECC 1.4.0: 33s uptime, 2 hosts, ..." */
	struct kmin_icecc_host *hosts;
	size_t nhosts;
};

void kmin_icecc_cluster_free(struct kmin_icecc_cluster *c);

/*
 * Parse the lines of a "listcs" answer (TEXT, up to its "200 done") into
 * c->hosts (appended).  A line that is not a daemon is an error naming it.
 */
int kmin_icecc_listcs_parse(struct kmin_icecc_cluster *c, const char *text, char *err,
			    size_t errlen);

/*
 * Ask the scheduler SCHEDULER ("HOST[:PORT]"; NULL: $ICECC_SCHEDULER,
 * else 127.0.0.1:8765) for its daemons, through its text interface at
 * PORT + 1, within TIMEOUT seconds.  *out is the caller's
 * (kmin_icecc_cluster_free()).  -1 when it cannot be reached or does not
 * answer like an icecream scheduler.
 */
int kmin_icecc_scheduler_query(struct kmin_icecc_cluster **out, const char *scheduler,
			       double timeout, char *err, size_t errlen);

/*
 * Compile slots the cluster offers this machine's builds: the slots of
 * the daemons that take remote jobs (PORT != 0).
 */
unsigned int kmin_icecc_slots(const struct kmin_icecc_cluster *c);

/*
 * The local daemon's socket, as icecc finds it, into BUF: the first
 * candidate that accepts a connection (*alive true), else the first that
 * exists (*alive false: a daemon that died and left its socket), else ""
 * (*alive false).  0, or -1 when BUF is too small.
 */
int kmin_icecc_socket(char *buf, size_t len, bool *alive);

/*
 * The icecream environment of the compiler CC (a name looked up in PATH,
 * or a path), kept in DIR (created when missing) as
 * "DIR/<basename of CC>-<16 hex>.tar.gz", the hex a SHA-256 of the
 * compiler's identity: its real path, size and time, those of the cc1 and
 * as it runs, and its `-v` text.  Made with `icecc-create-env --gcc CC CXX`
 * (CXX: the g++ beside CC, or CC itself when there is none: kbuild only
 * compiles C) when absent, within TIMEOUT seconds; *created tells.  The
 * path goes into BUF.  A changed compiler gets a new file; old ones stay
 * until removed.
 */
int kmin_icecc_env_ensure(char *buf, size_t len, bool *created, const char *cc, const char *dir,
			  double timeout, char *err, size_t errlen);

/*
 * ICECC_VERSION's value for the environment TARBALL of compilers named
 * CROSS_COMPILE* ("arm-linux-gnueabi-"): "<machine>:<TARBALL>=<target>",
 * or "<machine>:<TARBALL>" for a native compiler (CROSS_COMPILE "").
 * 0, or -1 when BUF is too small.
 */
int kmin_icecc_version_value(char *buf, size_t len, const char *tarball,
			     const char *cross_compile);

#endif
