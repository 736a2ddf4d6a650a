/*
 * cmd_doctor.c - `kmin doctor`: what this machine and its compile cluster
 * offer kmin, checked rather than assumed.
 *
 *   kmin doctor [--source DIR] [--arch ARCH] [--cross-compile P] [--db FILE]
 *               [--distcc HOSTS | --icecc | --no-cluster]
 *
 * General health first: make, the cross compiler (its version text and a
 * test compile), ccache, the kernel tree, the database, the machine's
 * cores and memory with the pool kmin would start.  Then the cluster, from
 * the same sources kmin build and kmin run use (--distcc, KMIN_DISTCC_HOSTS,
 * the config file; --icecc, KMIN_ICECC): for every distcc host its
 * transport, slots, the compiler that answered a test compile pinned to
 * that host (the object's .comment) and how long it took.  A host whose
 * compiler differs from the local one is marked refused, as kmin build
 * would refuse it.  For icecream: the local daemon's socket, the
 * scheduler (its text interface) with every daemon's address, slots and
 * whether it takes remote jobs, the cross compiler's environment tarball
 * (made as kmin build would make it) and a test compile through icecc
 * with it, saying which daemon ran it.
 *
 * Exit status: 0 when everything needed is there and every host is
 * usable; 1 when something is missing or a host is refused or down;
 * 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build_opts.h"
#include "commands.h"
#include "kmin/cluster.h"
#include "kmin/icecc.h"
#include "kmin/kernel.h"
#include "kmin/spawn.h"
#include "kmin/store.h"
#include "kmin/worker.h"
#include "output.h"

static const char doctor_usage[] =
	"usage: kmin doctor [--source DIR] [--arch ARCH] [--cross-compile PFX] [--db FILE]\n"
	"                   [--distcc HOSTS | --icecc | --no-cluster]\n"
	"\n"
	"Checks what kmin needs (make, the cross compiler, the kernel tree, the\n"
	"database) and what the compile cluster offers: every distcc host with its\n"
	"slots, the compiler that answers a test compile there, and whether kmin\n"
	"would use it (a host whose compiler differs from the local one is refused).\n"
	"\n"
	"  --source DIR           kernel tree (default: linux-source-6.1 in kmin's cache)\n"
	"  --arch ARCH            as make's ARCH= (default: arm)\n"
	"  --cross-compile PFX    compiler prefix (default: the arch's)\n"
	"  --db FILE              results database (default: $KMIN_DB, else\n"
	"                         ${XDG_DATA_HOME:-~/.local/share}/kmin/results.db)\n"
	"  --distcc HOSTS         the cluster to check (default: $KMIN_DISTCC_HOSTS,\n"
	"                         else `distcc = HOSTS` in the config file)\n"
	"  --icecc                check icecream instead: the local daemon, the\n"
	"                         scheduler ($ICECC_SCHEDULER, else 127.0.0.1) and\n"
	"                         its daemons, the environment, a test compile\n"
	"  --no-cluster           check no cluster\n"
	"\n"
	"Exit status: 0 all good, 1 something is missing or a host is unusable, 2 usage.\n";

struct doctor_args {
	const char *source, *arch, *cross_compile, *db;
	struct kmin_build_opts build;
};

struct doctor {
	struct doctor_args a;
	int problems;
};

static int parse_args(int argc, char **argv, struct doctor_args *a)
{
	enum { OPT_SOURCE = 256, OPT_ARCH, OPT_CROSS, OPT_DB };
	static const struct option options[] = {
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "cross-compile", required_argument, NULL, OPT_CROSS },
		{ "db", required_argument, NULL, OPT_DB },
		{ "help", no_argument, NULL, 'h' },
		{ "source", required_argument, NULL, OPT_SOURCE },
		KMIN_BUILD_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
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
		case 'h':
			fputs(doctor_usage, stdout);
			return 1;
		default:
			fputs(doctor_usage, stderr);
			return -1;
		}
	}
	if (optind < argc)
		return kmin_errorf("doctor takes no arguments, not '%s'", argv[optind]);
	if (!a->arch)
		a->arch = "arm";
	return 0;
}

static void line(const char *what, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "  what         text   [status]" */
static void line(const char *what, const char *status, const char *fmt, ...)
{
	va_list ap;

	printf("  %-13s ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("%s%s\n", status ? "   " : "", status ? status : "");
}

/* First line of `PROG --version`, into buf ("" when it cannot run). */
static void version_line(const char *prog, char *buf, size_t len)
{
	char cmd[PATH_MAX + 32];
	FILE *p;

	buf[0] = '\0';
	snprintf(cmd, sizeof(cmd), "LC_ALL=C '%s' --version 2>/dev/null", prog);
	if (!(p = popen(cmd, "r")))
		return;
	if (fgets(buf, (int)len, p))
		buf[strcspn(buf, "\n")] = '\0';
	pclose(p);
}

static void check_make(struct doctor *d)
{
	char v[256];

	if (kmin_program_in_path("make")) {
		line("make", "MISSING", "install the Debian package make");
		d->problems++;
		return;
	}
	version_line("make", v, sizeof(v));
	line("make", "ok", "%s", v);
}

/* The compiler, and its .comment from a local test compile into *comment. */
static void check_compiler(struct doctor *d, const char *cc, const char *dir, char **comment)
{
	const struct kmin_arch *known = kmin_arch_find(d->a.arch);
	struct kmin_cluster_probe p;
	char v[256], err[512];

	*comment = NULL;
	if (kmin_program_in_path(cc)) {
		line("compiler", "MISSING", "'%s': install the Debian package %s", cc,
		     known ? known->compiler_package : "of your cross compiler");
		d->problems++;
		return;
	}
	version_line(cc, v, sizeof(v));
	line("compiler", NULL, "%s: %s", cc, v);
	if (!*dir || kmin_cluster_probe(&p, NULL, NULL, cc, dir, 60, err, sizeof(err))) {
		line("", "FAILED", "test compile: %s", *dir ? err : "no scratch directory");
		d->problems++;
		return;
	}
	if (p.ok)
		line("", "ok", "test compile %.2f s, .comment '%s'", p.seconds, p.comment);
	else
		line("", "FAILED", "test compile: %s", p.message ? p.message : "?");
	d->problems += !p.ok;
	*comment = p.ok ? p.comment : NULL;
	p.comment = NULL;
	kmin_cluster_probe_clear(&p);
}

static void check_tree(struct doctor *d, const char *source)
{
	char version[128], err[512], kconfig[PATH_MAX + 64];
	const struct kmin_arch *known = kmin_arch_find(d->a.arch);

	if (kmin_kernel_version(source, version, sizeof(version), err, sizeof(err))) {
		line("kernel tree", "MISSING", "%s: %s", source, err);
		d->problems++;
		return;
	}
	snprintf(kconfig, sizeof(kconfig), "%s/arch/%s/Kconfig", source,
		 known ? known->srcarch : d->a.arch);
	if (access(kconfig, R_OK)) {
		line("kernel tree", "BAD", "%s: Linux %s has no arch/%s", source, version,
		     known ? known->srcarch : d->a.arch);
		d->problems++;
		return;
	}
	line("kernel tree", "ok", "%s: Linux %s", source, version);
}

static void check_db(struct doctor *d)
{
	char path[PATH_MAX], err[512];
	const char *db = d->a.db;
	struct kmin_store *s = NULL;
	struct stat st;

	if (!db) {
		if (kmin_store_default_path(path, sizeof(path))) {
			line("database", "BAD", "no path: set --db, KMIN_DB or HOME");
			d->problems++;
			return;
		}
		db = path;
	}
	if (stat(db, &st)) {
		line("database", "ok", "%s: not there yet (made by the first build)", db);
		return;
	}
	if (kmin_store_open(&s, db, KMIN_STORE_READONLY, err, sizeof(err)) < 0) {
		line("database", "BAD", "%s", err);
		d->problems++;
		return;
	}
	kmin_store_close(s);
	line("database", "ok", "%s: %lld bytes", db, (long long)st.st_size);
}

static void show_machine(void)
{
	unsigned int cores, w, j;
	uint64_t mem;

	kmin_pool_probe_machine(&cores, &mem);
	kmin_pool_default_size(cores, mem, &w, &j);
	line("machine", NULL, "%u core%s, %.1f GB available: alone, %u worker%s x make -j%u",
	     cores, cores == 1 ? "" : "s", (double)mem / 1e9, w, w == 1 ? "" : "s", j);
}

static const char *transport_name(enum kmin_cluster_transport t)
{
	return t == KMIN_CLUSTER_LOCAL ? "local" : t == KMIN_CLUSTER_TCP ? "tcp" : "ssh";
}

/* Every host of SPEC: slots, compiler, test compile; sizes with the usable ones. */
static void check_distcc(struct doctor *d, const char *spec, const char *cc, const char *dir,
			 const char *local_comment)
{
	struct kmin_cluster *cl = NULL;
	unsigned int cores, usable = 0, w, j;
	uint64_t mem;
	char err[512];

	printf("cluster: distcc\n");
	if (kmin_program_in_path("distcc")) {
		line("distcc", "MISSING", "install the Debian package distcc");
		d->problems++;
		return;
	}
	kmin_pool_probe_machine(&cores, &mem);
	if (kmin_cluster_parse(&cl, spec, cores, err, sizeof(err))) {
		line("hosts", "BAD", "%s", err);
		d->problems++;
		return;
	}
	printf("  %-28s %-6s %5s  %-34s %s\n", "host", "via", "slots", "compiler", "test compile");
	for (size_t i = 0; i < cl->nhosts; i++) {
		const struct kmin_cluster_host *h = &cl->hosts[i];
		struct kmin_cluster_probe p = { 0 };
		char status[512];

		if (h->transport == KMIN_CLUSTER_LOCAL) {
			printf("  %-28s %-6s %5u  %-34s %s\n", h->word, "local", h->limit,
			       local_comment ? local_comment : "-", "ok (compiles here)");
			usable += h->limit;
			continue;
		}
		if (!local_comment || !*dir ||
		    kmin_cluster_probe(&p, "distcc", h->word, cc, dir, 30, err, sizeof(err))) {
			printf("  %-28s %-6s %5u  %-34s %s\n", h->word, transport_name(h->transport),
			       h->limit, "-", "not checked: no local compiler");
			d->problems++;
			continue;
		}
		if (!p.ok) {
			snprintf(status, sizeof(status), "DOWN: %s", p.message ? p.message : "?");
			d->problems++;
		} else if (strcmp(p.comment, local_comment)) {
			snprintf(status, sizeof(status), "REFUSED: a different compiler (%.2f s)",
				 p.seconds);
			d->problems++;
		} else {
			snprintf(status, sizeof(status), "ok %.2f s", p.seconds);
			usable += h->limit;
		}
		printf("  %-28s %-6s %5u  %-34s %s\n", h->word, transport_name(h->transport),
		       h->limit, p.ok ? p.comment : "-", status);
		kmin_cluster_probe_clear(&p);
	}
	kmin_cluster_pool_size(usable, cores, mem, &w, &j);
	printf("  %u usable slot%s of %u: kmin would run %u worker%s x make -j%u%s\n", usable,
	       usable == 1 ? "" : "s", kmin_cluster_slots(cl), w, w == 1 ? "" : "s", j,
	       cl->randomize ? " (hosts in random order)" : "");
	kmin_cluster_free(cl);
}

/* The scheduler and its daemons, as the scheduler lists them. */
static void show_icecc_scheduler(struct doctor *d, unsigned int *slots)
{
	struct kmin_icecc_cluster *cl = NULL;
	char err[512];

	*slots = 0;
	if (kmin_icecc_scheduler_query(&cl, NULL, 5, err, sizeof(err))) {
		line("scheduler", "DOWN", "%s (set ICECC_SCHEDULER=HOST[:PORT])", err);
		d->problems++;
		return;
	}
	line("scheduler", "ok", "%s: %s", cl->scheduler, cl->banner);
	printf("  %-20s %-24s %-8s %5s %5s  %s\n", "daemon", "address", "platform", "slots", "busy",
	       "remote jobs");
	for (size_t i = 0; i < cl->nhosts; i++) {
		const struct kmin_icecc_host *h = &cl->hosts[i];
		char where[300];
		snprintf(where, sizeof(where), "%s:%u", h->address, h->port);
		printf("  %-20s %-24s %-8s %5u %5u  %s\n", h->name, where, h->platform, h->max_jobs,
		       h->jobs, h->port ? "yes" : "no (--no-remote: its own jobs only)");
	}
	*slots = kmin_icecc_slots(cl);
	kmin_icecc_cluster_free(cl);
}

/*
 * icecream: the client, the local daemon, the scheduler with its daemons
 * and slots, the cross compiler's environment (made now when missing, as
 * kmin build would) and a test compile through icecc with it, which must
 * be answered by the local compiler.
 */
static void check_icecc(struct doctor *d, const char *cc, const char *cross, const char *dir,
			const char *local_comment)
{
	struct kmin_cluster_probe p = { 0 };
	char v[256], err[512], sock[PATH_MAX], cache[PATH_MAX], envdir[PATH_MAX + 16];
	char tarball[PATH_MAX], version[PATH_MAX + 300];
	const char *extra[] = { version, NULL };
	unsigned int slots, cores, w, j;
	uint64_t mem;
	struct stat st;
	bool alive, created;

	printf("cluster: icecream\n");
	if (kmin_program_in_path("icecc")) {
		line("icecc", "MISSING", "install the Debian package icecc");
		d->problems++;
		return;
	}
	version_line("icecc", v, sizeof(v));
	line("icecc", "ok", "%s", v);
	if (kmin_icecc_socket(sock, sizeof(sock), &alive) || !alive) {
		line("iceccd", "DOWN", "%s%s: icecc compiles everything here",
		     *sock ? sock : "no daemon socket", *sock ? " does not answer" : "");
		d->problems++;
	} else {
		line("iceccd", "ok", "%s", sock);
	}
	show_icecc_scheduler(d, &slots);
	if (kmin_cache_dir(cache, sizeof(cache))) {
		line("environment", "FAILED", "cannot name kmin's cache directory");
		d->problems++;
		return;
	}
	snprintf(envdir, sizeof(envdir), "%s/icecc", cache);
	if (kmin_icecc_env_ensure(tarball, sizeof(tarball), &created, cc, envdir, 300, err,
				  sizeof(err))) {
		line("environment", "FAILED", "%s", err);
		d->problems++;
		return;
	}
	/* room left for the "ICECC_VERSION=" put in front below */
	if (kmin_icecc_version_value(version, sizeof(version) - 16, tarball, cross)) {
		line("environment", "FAILED", "the path is too long: %s", tarball);
		d->problems++;
		return;
	}
	line("environment", "ok", "%s (%.1f MB, %s)", tarball,
	     stat(tarball, &st) ? 0.0 : (double)st.st_size / 1e6, created ? "made now" : "cached");
	memmove(version + 14, version, strlen(version) + 1);
	memcpy(version, "ICECC_VERSION=", 14);
	line("", NULL, "%s", version);
	if (!local_comment || !*dir ||
	    kmin_cluster_probe_env(&p, "icecc", NULL, extra, cc, dir, 120, err, sizeof(err))) {
		line("test", "FAILED", "not run%s%s", local_comment ? ": " : " (no local compiler)",
		     local_comment ? err : "");
		d->problems++;
		return;
	}
	if (p.ok && !strcmp(p.comment, local_comment)) {
		line("test", "ok", "compile through icecc on %s %.2f s, .comment '%s'",
		     p.host ? p.host : "?", p.seconds, p.comment);
	} else {
		line("test", p.ok ? "REFUSED" : "FAILED", "%s", p.ok ? "a different compiler answered"
				: p.message ? p.message : "?");
		d->problems++;
	}
	kmin_cluster_probe_clear(&p);
	kmin_pool_probe_machine(&cores, &mem);
	kmin_cluster_pool_size(slots, cores, mem, &w, &j);
	printf("  %u slot%s for remote jobs: kmin would run %u worker%s x make -j%u\n", slots,
	       slots == 1 ? "" : "s", w, w == 1 ? "" : "s", j);
}

int kmin_cmd_doctor(int argc, char **argv)
{
	struct doctor d;
	char source[PATH_MAX], cc[PATH_MAX], dir[PATH_MAX], *comment = NULL, *distcc = NULL;
	const struct kmin_arch *known;
	bool icecc;
	int rc;

	memset(&d, 0, sizeof(d));
	rc = parse_args(argc, argv, &d.a);
	if (rc)
		return rc > 0 ? KMIN_EXIT_OK : KMIN_EXIT_USAGE;
	if (d.a.source)
		snprintf(source, sizeof(source), "%s", d.a.source);
	else if (kmin_default_source(source, sizeof(source)))
		return kmin_errorf("cannot find kmin's cache directory"), KMIN_EXIT_USAGE;
	known = kmin_arch_find(d.a.arch);
	snprintf(cc, sizeof(cc), "%sgcc",
		 d.a.cross_compile ? d.a.cross_compile : known ? known->cross_compile : "");
	kmin_cluster_workdir_new(dir, sizeof(dir));

	printf("kmin %s doctor (arch %s)\n", KMIN_VERSION, d.a.arch);
	check_make(&d);
	check_compiler(&d, cc, dir, &comment);
	line("ccache", NULL, "%s", kmin_program_in_path("ccache") ? "not installed (--ccache would be ignored)"
								    : "installed");
	check_tree(&d, source);
	check_db(&d);
	show_machine();

	if (kmin_build_cluster_settings(&d.a.build, &distcc, &icecc))
		d.problems++;
	else if (distcc)
		check_distcc(&d, distcc, cc, dir, comment);
	else if (icecc)
		check_icecc(&d, cc, d.a.cross_compile ? d.a.cross_compile : known ? known->cross_compile : "",
			    dir, comment);
	else
		printf("cluster: none (set one with --distcc HOSTS, KMIN_DISTCC_HOSTS or the config file)\n");

	kmin_cluster_workdir_remove(dir);
	free(comment);
	free(distcc);
	printf("%d problem%s\n", d.problems, d.problems == 1 ? "" : "s");
	return d.problems ? KMIN_EXIT_FAIL : KMIN_EXIT_OK;
}
