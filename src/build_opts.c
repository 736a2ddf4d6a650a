/*
 * build_opts.c - the options every building command shares, and the
 * worker pool they describe (see build_opts.h).
 *
 * Part of the kmin program, not of its libraries: it reports bad options
 * and says where it builds through output.h.
 */
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_opts.h"
#include "kmin/cluster.h"
#include "kmin/icecc.h"
#include "output.h"

static int parse_count(const char *opt, const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v < 1 || v > 1024)
		return kmin_errorf("%s takes a number from 1 to 1024, not '%s'", opt, s);
	*out = (unsigned int)v;
	return 0;
}

int kmin_build_opts_parse(struct kmin_build_opts *o, int c, const char *arg)
{
	char *end;

	switch (c) {
	case KMIN_OPT_WORKERS:
		return parse_count("--workers", arg, &o->workers);
	case KMIN_OPT_JOBS:
		return parse_count("--jobs", arg, &o->jobs);
	case KMIN_OPT_TIMEOUT:
		errno = 0;
		o->timeout = strtod(arg, &end);
		if (errno || *end || !*arg || o->timeout <= 0)
			return kmin_errorf("--timeout takes a positive number of seconds, not '%s'",
					   arg);
		return 0;
	case KMIN_OPT_CCACHE:
		o->ccache = true;
		return 0;
	case KMIN_OPT_DISTCC:
		o->distcc = arg;
		return 0;
	case KMIN_OPT_ICECC:
		o->icecc = true;
		return 0;
	case KMIN_OPT_NO_CLUSTER:
		o->no_cluster = true;
		return 0;
	case KMIN_OPT_BOOT: {
		char err[256];
		if (kmin_boot_spec_parse(arg, &o->boot, err, sizeof(err)))
			return kmin_errorf("%s", err);
		return 0;
	}
	case KMIN_OPT_BOOT_TIMEOUT:
		errno = 0;
		o->boot_timeout = strtod(arg, &end);
		if (errno || *end || !*arg || o->boot_timeout <= 0)
			return kmin_errorf("--boot-timeout takes a positive number of seconds, not '%s'",
					   arg);
		return 0;
	default:
		return 1;
	}
}

int kmin_program_in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(prog, '/'))
		return access(prog, X_OK);
	for (path = path ? path : "/usr/bin:/bin"; *path;) {
		const char *colon = strchrnul(path, ':');
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(colon - path), path, prog);
		if (!access(buf, X_OK))
			return 0;
		path = *colon ? colon + 1 : colon;
	}
	return -1;
}

int kmin_build_check_tools(struct kmin_build_opts *o, const struct kmin_kernel_env *env,
			   const char *arch)
{
	const char *cc = kmin_kernel_env_get(env, "CC");

	if (kmin_program_in_path(cc) || !*kmin_kernel_env_get(env, "CC_VERSION_TEXT")) {
		const struct kmin_arch *known = kmin_arch_find(arch);
		if (known && !strcmp(kmin_kernel_env_get(env, "CROSS_COMPILE"), known->cross_compile))
			return kmin_errorf("cannot run the cross compiler '%s': install the Debian package %s",
					   cc, known->compiler_package);
		return kmin_errorf("cannot run the compiler '%s': is --cross-compile right?", cc);
	}
	if (kmin_program_in_path("make"))
		return kmin_errorf("cannot run 'make': install the Debian package make");
	if (o->ccache && kmin_program_in_path("ccache")) {
		kmin_warnf("ccache is not installed; building without it");
		o->ccache = false;
	}
	return kmin_build_check_cluster(o, cc);
}

/* ---- compile clusters ---- */

/* ${XDG_CONFIG_HOME:-$HOME/.config}/kmin/config; -1 when it cannot be named. */
static int config_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	if (xdg && *xdg)
		n = snprintf(buf, len, "%s/kmin/config", xdg);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.config/kmin/config", home);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The config file's distcc and icecc lines (absent file: none).  0 or -1 (reported). */
static int read_config_file(char **distcc, int *icecc)
{
	char path[PATH_MAX], err[512], *text = NULL;
	size_t cap = 0, len = 0, n;
	FILE *f;
	int rc;

	*distcc = NULL;
	*icecc = -1;
	if (config_path(path, sizeof(path)) || !(f = fopen(path, "re")))
		return 0;
	do {
		char *grown = cap - len < 4096 ? realloc(text, cap += 8192) : text;
		if (!grown) {
			free(text);
			fclose(f);
			return kmin_errorf("out of memory");
		}
		text = grown;
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	text[len] = '\0';
	rc = kmin_cluster_config_parse(text, distcc, icecc, err, sizeof(err));
	free(text);
	return rc ? kmin_errorf("%s: %s", path, err) : 0;
}

/*
 * A scratch directory for test compiles into dir, and what the local
 * compiler CC says of a test file into *local (the caller clears it and
 * removes dir).  0, or -1 (reported).
 */
static int local_probe(const char *cc, char *dir, size_t dirlen, struct kmin_cluster_probe *local)
{
	char err[512];

	if (kmin_cluster_workdir_new(dir, dirlen))
		return kmin_errorf("cannot create a directory for test compiles: %s", strerror(errno));
	if (kmin_cluster_probe(local, NULL, NULL, cc, dir, 60, err, sizeof(err)) || !local->ok)
		return kmin_errorf("the local compiler '%s' cannot compile a test file: %s", cc,
				   local->message ? local->message : err);
	return 0;
}

/*
 * Check every distcc host of SPEC against the local compiler CC and keep
 * those that compile with it in o->distcc_hosts.  0 or -1 (reported).
 */
static int check_distcc(struct kmin_build_opts *o, const char *spec, const char *cc)
{
	struct kmin_cluster *cl = NULL;
	struct kmin_cluster_probe local = { 0 }, probe;
	char err[512], dir[PATH_MAX], *hosts = NULL;
	unsigned int cores;
	uint64_t mem;
	bool *keep = NULL;
	int rc = -1;

	if (kmin_program_in_path("distcc"))
		return kmin_errorf("cannot run 'distcc': install the Debian package distcc");
	kmin_pool_probe_machine(&cores, &mem);
	if (kmin_cluster_parse(&cl, spec, cores, err, sizeof(err)))
		return kmin_errorf("%s", err);
	if (local_probe(cc, dir, sizeof(dir), &local))
		goto done;
	if (!(keep = calloc(cl->nhosts, sizeof(*keep))))
		goto done;
	o->cluster_slots = 0;
	for (size_t i = 0; i < cl->nhosts; i++) {
		const struct kmin_cluster_host *h = &cl->hosts[i];
		if (h->transport == KMIN_CLUSTER_LOCAL) {
			keep[i] = true;
			o->cluster_slots += h->limit;
			continue;
		}
		if (kmin_cluster_probe(&probe, "distcc", h->word, cc, dir, 30, err, sizeof(err))) {
			kmin_errorf("%s", err);
			goto done;
		}
		if (probe.ok && strcmp(probe.comment, local.comment)) {
			kmin_errorf("distcc host '%s' has a different compiler: '%s' there, '%s' here; refusing it (a different compiler changes the sizes kmin records)",
				    h->word, probe.comment, local.comment);
			kmin_cluster_probe_clear(&probe);
			goto done;
		}
		if (!probe.ok)
			kmin_warnf("distcc host '%s' cannot compile (%s); building without it", h->word,
				   probe.message ? probe.message : "no reason given");
		keep[i] = probe.ok;
		o->cluster_slots += probe.ok ? h->limit : 0;
		kmin_cluster_probe_clear(&probe);
	}
	if (!(hosts = kmin_cluster_hosts_string(cl, keep)) ||
	    strlen(hosts) >= sizeof(o->distcc_hosts)) {
		kmin_errorf(hosts ? "the distcc host list is too long" : "out of memory");
		goto done;
	}
	snprintf(o->distcc_hosts, sizeof(o->distcc_hosts), "%s", hosts);
	if (!*hosts)
		kmin_warnf("no distcc host can be used; compiling locally");
	else
		kmin_infof("distcc: %u slot%s on '%s', all compiling with '%s'", o->cluster_slots,
			   o->cluster_slots == 1 ? "" : "s", hosts, local.comment);
	rc = 0;
done:
	free(hosts);
	free(keep);
	kmin_cluster_probe_clear(&local);
	kmin_cluster_free(cl);
	kmin_cluster_workdir_remove(dir);
	return rc;
}

/*
 * icecream: the local daemon, the scheduler's slots (they size the pool
 * unless KMIN_ICECC_SLOTS says otherwise), the cross compiler's
 * environment (made once, cached under kmin's cache, named to the builds
 * by ICECC_VERSION) and a test compile through icecc, refused when
 * another compiler answered.  0 or -1 (reported).
 */
static int check_icecc(struct kmin_build_opts *o, const char *cc)
{
	const char *slots = getenv("KMIN_ICECC_SLOTS");
	struct kmin_icecc_cluster *cl = NULL;
	struct kmin_cluster_probe local = { 0 }, probe = { 0 };
	char sock[PATH_MAX], cache[PATH_MAX], envdir[PATH_MAX + 16], tarball[PATH_MAX];
	char err[512], dir[PATH_MAX], cross[256], version[sizeof(o->icecc_version) + 16];
	const char *extra[] = { version, NULL };
	bool alive, created;
	char *end;
	unsigned long n;
	size_t len;
	int rc = -1;

	if (kmin_program_in_path("icecc"))
		return kmin_errorf("cannot run 'icecc': install the Debian package icecc");
	if (slots && *slots) {
		errno = 0;
		n = strtoul(slots, &end, 10);
		if (errno || *end || n < 1 || n > 4096)
			return kmin_errorf("KMIN_ICECC_SLOTS takes a number from 1 to 4096, not '%s'", slots);
	}
	if (kmin_icecc_socket(sock, sizeof(sock), &alive) || !alive)
		kmin_warnf("no icecream daemon (iceccd) answers here%s%s: icecc will compile locally",
			   *sock ? " at " : "", sock);
	o->use_icecc = true;
	o->cluster_slots = 0;
	if (kmin_icecc_scheduler_query(&cl, NULL, 5, err, sizeof(err)))
		kmin_warnf("%s; sizing the workers for this machine", err);
	else
		o->cluster_slots = kmin_icecc_slots(cl);
	if (slots && *slots)
		o->cluster_slots = (unsigned int)strtoul(slots, NULL, 10);

	/* the cross compiler's environment, made once per compiler identity */
	len = strlen(cc);
	snprintf(cross, sizeof(cross), "%.*s", (int)(len >= 3 && !strcmp(cc + len - 3, "gcc") ? len - 3 : 0), cc);
	if (kmin_cache_dir(cache, sizeof(cache))) {
		kmin_icecc_cluster_free(cl);
		return kmin_errorf("cannot name kmin's cache directory");
	}
	snprintf(envdir, sizeof(envdir), "%s/icecc", cache);
	if (kmin_icecc_env_ensure(tarball, sizeof(tarball), &created, cc, envdir, 300, err,
				  sizeof(err))) {
		kmin_icecc_cluster_free(cl);
		return kmin_errorf("%s (without it remote daemons cannot run '%s')", err, cc);
	}
	if (created)
		kmin_infof("icecc: packaged '%s' for the daemons in %s", cc, tarball);
	if (kmin_icecc_version_value(o->icecc_version, sizeof(o->icecc_version), tarball, cross)) {
		kmin_icecc_cluster_free(cl);
		return kmin_errorf("the icecream environment's path is too long: %s", tarball);
	}
	snprintf(version, sizeof(version), "ICECC_VERSION=%s", o->icecc_version);

	/* a test compile through the cluster: the same compiler must answer */
	if (local_probe(cc, dir, sizeof(dir), &local))
		goto done;
	if (kmin_cluster_probe_env(&probe, "icecc", NULL, extra, cc, dir, 120, err, sizeof(err))) {
		kmin_errorf("%s", err);
		goto done;
	}
	if (probe.ok && strcmp(probe.comment, local.comment)) {
		kmin_errorf("icecc compiled a test file with a different compiler on %s: '%s' there, '%s' here; refusing it (a different compiler changes the sizes kmin records)",
			    probe.host ? probe.host : "?", probe.comment, local.comment);
		goto done;
	}
	if (!probe.ok)
		kmin_warnf("a test compile through icecc failed (%s); builds fall back to local compiles",
			   probe.message ? probe.message : "no reason given");
	if (cl)
		kmin_infof("icecc: scheduler %s, %zu daemon%s, %u slot%s for remote jobs; test compile on %s with '%s'",
			   cl->scheduler, cl->nhosts, cl->nhosts == 1 ? "" : "s", o->cluster_slots,
			   o->cluster_slots == 1 ? "" : "s", probe.host ? probe.host : "?",
			   probe.ok ? probe.comment : "-");
	rc = 0;
done:
	kmin_cluster_probe_clear(&probe);
	kmin_cluster_probe_clear(&local);
	kmin_cluster_workdir_remove(dir);
	kmin_icecc_cluster_free(cl);
	return rc;
}

int kmin_build_cluster_settings(const struct kmin_build_opts *o, char **distcc, bool *icecc)
{
	static const char *const where[] = { "", "the config file", "the environment",
					     "the command line" };
	const char *env_hosts = getenv("KMIN_DISTCC_HOSTS"), *env_icecc = getenv("KMIN_ICECC");
	char *file_distcc = NULL;
	int file_icecc = -1, dlevel = 0, ilevel = 0;
	bool on = false;

	*distcc = NULL;
	*icecc = false;
	if (o->no_cluster)
		return 0;
	if (read_config_file(&file_distcc, &file_icecc))
		return -1;
	/* the command line (3), then the environment (2), then the config file (1) */
	if (o->distcc)
		*distcc = strdup(o->distcc), dlevel = 3;
	else if (env_hosts)
		*distcc = strdup(env_hosts), dlevel = 2;
	else if (file_distcc)
		*distcc = strdup(file_distcc), dlevel = 1;
	free(file_distcc);
	if (*distcc && !**distcc) {
		free(*distcc);
		*distcc = NULL;
	}
	if (!*distcc)
		dlevel = 0;
	if (o->icecc)
		on = true, ilevel = 3;
	else if (env_icecc && *env_icecc)
		on = !strcmp(env_icecc, "1") || !strcmp(env_icecc, "yes"), ilevel = 2;
	else if (file_icecc >= 0)
		on = file_icecc == 1, ilevel = 1;
	if (!on)
		ilevel = 0;
	if (dlevel && dlevel == ilevel) {
		free(*distcc);
		*distcc = NULL;
		return kmin_errorf("distcc and icecc are both asked for on %s; choose one",
				   where[dlevel]);
	}
	if (dlevel < ilevel) {
		free(*distcc);
		*distcc = NULL;
		*icecc = true;
	}
	return 0;
}

int kmin_build_check_cluster(struct kmin_build_opts *o, const char *cc)
{
	char *distcc;
	bool icecc;
	int rc;

	o->distcc_hosts[0] = '\0';
	o->icecc_version[0] = '\0';
	o->use_icecc = false;
	o->cluster_slots = 0;
	if (kmin_build_cluster_settings(o, &distcc, &icecc))
		return -1;
	if (distcc)
		rc = check_distcc(o, distcc, cc);
	else if (icecc)
		rc = check_icecc(o, cc);
	else
		rc = 0;
	free(distcc);
	return rc;
}

int kmin_build_root(char *buf, size_t len, const char *source, const char *version,
		    const char *arch)
{
	char cache[PATH_MAX], real[PATH_MAX], hex[13];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int n;

	if (kmin_cache_dir(cache, sizeof(cache)) || !realpath(source, real) ||
	    !EVP_Digest(real, strlen(real), md, &mdlen, EVP_sha256(), NULL))
		return -1;
	for (int i = 0; i < 6; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	n = snprintf(buf, len, "%s/build/%s-%s/%s", cache, version, hex, arch);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int kmin_build_pool_start(struct kmin_pool **out, unsigned int *workers_out,
			  const struct kmin_build_opts *o, const struct kmin_build_pool_spec *spec)
{
	const struct kmin_arch *arch = kmin_kernel_env_arch(spec->env);
	struct kmin_pool_options po = { 0 };
	char root[PATH_MAX], err[512], hosts_var[sizeof(o->icecc_version) + 16];
	const char *extra_env[] = { hosts_var, NULL };
	unsigned int cores, w, j;
	uint64_t mem;

	if (kmin_build_root(root, sizeof(root), spec->source, spec->version, arch->name))
		return kmin_errorf("cannot name the build directory under kmin's cache");
	kmin_pool_probe_machine(&cores, &mem);
	kmin_pool_default_size(cores, mem, &w, &j);
	if (o->cluster_slots)
		kmin_cluster_pool_size(o->cluster_slots, cores, mem, &w, &j);
	if (o->distcc_hosts[0]) {
		snprintf(hosts_var, sizeof(hosts_var), "DISTCC_HOSTS=%s", o->distcc_hosts);
		po.cc_wrapper = "distcc";
		po.local_retry = "DISTCC_HOSTS=localhost";
		po.extra_env = extra_env;
	} else if (o->use_icecc) {
		po.cc_wrapper = "icecc";
		po.local_retry = "ICECC=disable";
		if (o->icecc_version[0]) {
			snprintf(hosts_var, sizeof(hosts_var), "ICECC_VERSION=%s", o->icecc_version);
			po.extra_env = extra_env;
		}
	}
	po.srctree = spec->source;
	po.arch = arch->name;
	po.cross_compile = kmin_kernel_env_get(spec->env, "CROSS_COMPILE");
	po.image = arch->image;
	po.image_path = arch->image_path;
	po.build_root = root;
	po.workers = spec->workers ? spec->workers : o->workers ? o->workers : w;
	po.jobs = o->jobs ? o->jobs : j;
	po.timeout = o->timeout;
	po.ccache = o->ccache;
	po.trampoline = spec->trampoline;
	po.boot = o->boot ? &o->boot_files : NULL;
	po.boot_timeout = o->boot_timeout;
	po.progress = spec->progress;
	po.progress_data = spec->progress_data;
	if (kmin_pool_new(out, &po, err, sizeof(err)))
		return kmin_errorf("%s", err);
	if (workers_out)
		*workers_out = po.workers;
	if (!spec->quiet)
		kmin_infof("building in %s with %u worker%s x make -j%u%s", root, po.workers,
			   po.workers == 1 ? "" : "s", po.jobs,
			   po.cc_wrapper ? (o->use_icecc ? " through icecc" : " through distcc") : "");
	return 0;
}

/* ---- the boot oracle ---- */

int kmin_build_boot_prepare(struct kmin_build_opts *o, const struct kmin_kernel_env *env)
{
	char cache[PATH_MAX], dir[PATH_MAX + 64], err[512];

	if (!o->boot)
		return 0;
	if (kmin_program_in_path("qemu-system-arm"))
		return kmin_errorf("cannot run 'qemu-system-arm' for --boot: install the Debian package qemu-system-arm");
	if (kmin_cache_dir(cache, sizeof(cache)))
		return kmin_errorf("cannot name kmin's cache directory");
	snprintf(dir, sizeof(dir), "%s/boot/%s", cache, o->boot->name);
	if (kmin_boot_prepare(&o->boot_files, o->boot, kmin_kernel_env_get(env, "CROSS_COMPILE"),
			      dir, err, sizeof(err)))
		return kmin_errorf("%s", err);
	return 0;
}

int kmin_build_boot_config(const struct kmin_build_opts *o, const char *text, size_t len,
			   char **out, size_t *out_len)
{
	*out = NULL;
	if (!o->boot)
		return 0;
	*out = kmin_boot_config(text, len, &o->boot_files, out_len);
	return *out ? 0 : kmin_errorf("out of memory");
}
