/*
 * tree.c - open a kernel tree for the engine the way make would.
 *
 * Shared by every command that evaluates configurations.  Opening the
 * arm tree costs one `gcc --version`, a parse of ~1,700 Kconfig files and,
 * on a cold cache, ~150 compiler probes; the scratch directory is where
 * those probes (cc-option's .tmp_$$ directories) run.
 */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmin/error.h"
#include "kmin/tree.h"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void kmin_tree_close(struct kmin_tree *tree)
{
	if (!tree)
		return;
	kconfig_free(tree->kc);
	kmin_kernel_env_free(tree->env);
	if (tree->scratch[0])
		nftw(tree->scratch, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(tree);
}

void kmin_tree_scratch_path(const struct kmin_tree *tree, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", tree->scratch, name);
}

static int open_engine(struct kmin_tree *tree, const struct kmin_tree_options *opts, char *err,
		       size_t errlen)
{
	char cache[4096], shell_cache[4200], shell_cwd[4200];
	struct kconfig_options ko = KCONFIG_OPTIONS_INIT;

	ko.srctree = tree->source;
	ko.kconfig = opts->kconfig;
	ko.env = kmin_kernel_env_vars(tree->env);
	ko.shell_cwd = tree->scratch;
	ko.diag = opts->diag;
	ko.diag_payload = opts->diag_payload;
	if (!opts->no_shell_cache && !kmin_cache_dir(cache, sizeof(cache))) {
		snprintf(shell_cache, sizeof(shell_cache), "%s/shell", cache);
		ko.shell_cache_dir = shell_cache;
		ko.shell_cache_salt = kmin_kernel_env_toolchain_id(tree->env);
		/*
		 * The working directory is part of a cached answer's key, so
		 * probes run in one fixed directory (cc-option's scratch
		 * names carry the pid: processes do not collide there).
		 */
		snprintf(shell_cwd, sizeof(shell_cwd), "%s/probe", cache);
		if (!kmin_mkdir_p(shell_cwd, 0755))
			ko.shell_cwd = shell_cwd;
	}
	if (kconfig_open(&tree->kc, &ko))
		return kmin_errf(err, errlen, "%s", tree->kc ? kconfig_errmsg(tree->kc) : "out of memory");
	return 0;
}

int kmin_tree_open(struct kmin_tree **out, const struct kmin_tree_options *opts, char *err,
		   size_t errlen)
{
	struct kmin_tree *tree = calloc(1, sizeof(*tree));

	*out = tree;
	if (!tree)
		return kmin_errf(err, errlen, "out of memory");
	if (opts->source)
		snprintf(tree->source, sizeof(tree->source), "%s", opts->source);
	else if (kmin_default_source(tree->source, sizeof(tree->source)))
		return kmin_errf(err, errlen, "cannot find kmin's cache directory");
	if (kmin_kernel_env_new(&tree->env, tree->source, opts->arch, opts->cross_compile,
				opts->kconfig ? KMIN_ENV_ALLOW_NON_KERNEL : 0, err, errlen)) {
		if (!opts->source && access(tree->source, F_OK))
			return kmin_errf(err, errlen,
				    "the default kernel source '%s' is missing; run scripts/setup "
				    "or give --source DIR", tree->source);
		return -1;
	}
	strcpy(tree->scratch, "/tmp/kmin-XXXXXX");
	if (!mkdtemp(tree->scratch)) {
		tree->scratch[0] = '\0';
		return kmin_errf(err, errlen, "cannot create a scratch directory: %s", strerror(errno));
	}
	return open_engine(tree, opts, err, errlen);
}

int kmin_tree_run_defconfig(struct kmin_tree *tree, struct kconfig_target_options *topts,
			    enum kconfig_target *out, char *name, size_t namelen, char *err,
			    size_t errlen)
{
	const char *srcarch = kmin_kernel_env_arch(tree->env)->srcarch;
	char path[512];
	int rc;

	if (kconfig_default_defconfig(tree->kc, name, namelen, path, sizeof(path)))
		return kmin_errf(err, errlen, "defconfig: %s", kconfig_errmsg(tree->kc));
	if (path[0]) {
		*out = KCONFIG_TARGET_DEFCONFIG;
		topts->defconfig_file = path;
		rc = kconfig_target_run(tree->kc, KCONFIG_TARGET_DEFCONFIG, topts);
		topts->defconfig_file = NULL;
		return rc ? kmin_errf(err, errlen, "%s", kconfig_errmsg(tree->kc)) : 0;
	}
	if (!strcmp(name, "defconfig"))
		return kmin_errf(err, errlen, "defconfig: arch/%s/configs/defconfig does not exist",
				 srcarch);
	if (!kconfig_target_parse(name, out) && *out == KCONFIG_TARGET_DEFCONFIG)
		return kmin_errf(err, errlen, "defconfig: KBUILD_DEFCONFIG '%s' is not in arch/%s/"
				 "configs: it is a target of the arch Makefile, which kmin does "
				 "not run", name, srcarch);
	if (kmin_tree_run_target(tree, name, topts, out, path, sizeof(path)))
		return kmin_errf(err, errlen, "defconfig: target '%s' (KBUILD_DEFCONFIG): %s", name,
				 path);
	return 0;
}

int kmin_tree_run_target(struct kmin_tree *tree, const char *name,
			 struct kconfig_target_options *topts, enum kconfig_target *out, char *err,
			 size_t errlen)
{
	const struct kmin_arch *arch = kmin_kernel_env_arch(tree->env);
	char rel[512], abs[sizeof(tree->source) + sizeof(rel)];

	if (!strcmp(name, "defconfig"))
		return kmin_tree_run_defconfig(tree, topts, out, rel, sizeof(rel), err, errlen);
	if (kconfig_target_parse(name, out))
		return kmin_errf(err, errlen, "unknown target '%s'", name);
	if (*out == KCONFIG_TARGET_DEFCONFIG) {
		/* relative to the tree, so that messages name it as the kernel does */
		snprintf(rel, sizeof(rel), "arch/%s/configs/%s", arch->srcarch, name);
		snprintf(abs, sizeof(abs), "%s/%s", tree->source, rel);
		if (access(abs, R_OK))
			return kmin_errf(err, errlen, "no configuration '%s' for arch '%s': cannot read '%s'",
				    name, arch->name, abs);
		topts->defconfig_file = rel;
	}
	if (kconfig_target_run(tree->kc, *out, topts))
		return kmin_errf(err, errlen, "%s", kconfig_errmsg(tree->kc));
	topts->defconfig_file = NULL;
	return 0;
}

int kmin_tree_load_base(struct kmin_tree *tree, const char *base, char *err, size_t errlen)
{
	enum kconfig_target target;
	struct kconfig_target_options topts = { 0 };
	char path[4200];

	kmin_tree_scratch_path(tree, "base.config", path, sizeof(path));
	tree->defconfig[0] = '\0';
	if (!strcmp(base, "defconfig")) {
		if (kmin_tree_run_defconfig(tree, &topts, &target, tree->defconfig,
					    sizeof(tree->defconfig), err, errlen))
			return -1;
	} else if (!kconfig_target_parse(base, &target) && target != KCONFIG_TARGET_SAVEDEFCONFIG &&
		   target != KCONFIG_TARGET_OLDDEFCONFIG && !strchr(base, '/')) {
		if (kmin_tree_run_target(tree, base, &topts, &target, err, errlen))
			return -1;
	} else {
		if (access(base, R_OK))
			return kmin_errf(err, errlen, "cannot read base config '%s': %s", base,
				    strerror(errno));
		topts.input = base;
		if (kconfig_target_run(tree->kc, KCONFIG_TARGET_OLDDEFCONFIG, &topts))
			return kmin_errf(err, errlen, "%s", kconfig_errmsg(tree->kc));
	}
	if (kconfig_config_write(tree->kc, path) || kconfig_config_read(tree->kc, path))
		return kmin_errf(err, errlen, "%s", kconfig_errmsg(tree->kc));
	return 0;
}
