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
	return 0;
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
	char root[PATH_MAX], err[512];
	unsigned int cores, w, j;
	uint64_t mem;

	if (kmin_build_root(root, sizeof(root), spec->source, spec->version, arch->name))
		return kmin_errorf("cannot name the build directory under kmin's cache");
	kmin_pool_probe_machine(&cores, &mem);
	kmin_pool_default_size(cores, mem, &w, &j);
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
	po.progress = spec->progress;
	po.progress_data = spec->progress_data;
	if (kmin_pool_new(out, &po, err, sizeof(err)))
		return kmin_errorf("%s", err);
	if (workers_out)
		*workers_out = po.workers;
	if (!spec->quiet)
		kmin_infof("building in %s with %u worker%s x make -j%u", root, po.workers,
			   po.workers == 1 ? "" : "s", po.jobs);
	return 0;
}
