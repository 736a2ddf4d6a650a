/*
 * tree.c - open a kernel tree for the engine the way make would.
 *
 * Shared by every command that evaluates configurations.  Opening the
 * arm tree costs one `gcc --version`, a parse of ~1,700 Kconfig files and,
 * on a cold cache, ~150 compiler probes; the scratch directory is where
 * those probes (cc-option's .tmp_$$ directories) run.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmin/error.h"
#include "kmin/file.h"
#include "kmin/tree.h"

void kmin_tree_close(struct kmin_tree *tree)
{
	if (!tree)
		return;
	kconfig_free(tree->kc);
	kmin_kernel_env_free(tree->env);
	if (tree->scratch[0])
		kmin_remove_tree(tree->scratch);
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

/*
 * Arch Makefile rules call make again (riscv's rv32_defconfig runs
 * defconfig, whose KBUILD_DEFCONFIG may be a rule too): a bound on the
 * nesting turns a loop in a Makefile into an error.
 */
#define TREE_RULE_DEPTH 8

static int run_target(struct kmin_tree *tree, const char *name,
		      struct kconfig_target_options *topts, bool chained, int depth,
		      enum kconfig_target *out, char *err, size_t errlen);

/* One merge_into_defconfig step: srctree-relative paths made absolute, FRAGMENT run. */
static int run_merge_step(struct kmin_tree *tree, const struct kconfig_arch_step *st,
			  struct kconfig_target_options *topts, enum kconfig_target *out,
			  char *err, size_t errlen)
{
	size_t n = 0;
	char base[sizeof(tree->source) + 512], **frags;
	int rc = 0;

	while (st->fragments[n])
		n++;
	frags = calloc(n + 1, sizeof(*frags));
	if (!frags)
		return kmin_errf(err, errlen, "out of memory");
	snprintf(base, sizeof(base), "%s/%s", tree->source, st->base);
	if (access(base, R_OK))
		rc = kmin_errf(err, errlen, "cannot read '%s': %s", base, strerror(errno));
	for (size_t i = 0; !rc && i < n; i++)
		if (asprintf(&frags[i], "%s/%s", tree->source, st->fragments[i]) < 0) {
			frags[i] = NULL;
			rc = kmin_errf(err, errlen, "out of memory");
		}
	if (!rc) {
		struct kconfig_target_options merge = *topts;

		merge.input = base;
		merge.fragment_files = (const char *const *)frags;
		*out = KCONFIG_TARGET_FRAGMENT;
		if (kconfig_target_run(tree->kc, KCONFIG_TARGET_FRAGMENT, &merge))
			rc = kmin_errf(err, errlen, "%s", kconfig_errmsg(tree->kc));
	}
	for (size_t i = 0; i < n; i++)
		free(frags[i]);
	free(frags);
	return rc;
}

/* The steps of the arch Makefile's rule for name, one by one on one .config, as make. */
static int run_arch_rule(struct kmin_tree *tree, const char *name,
			 const struct kconfig_arch_rule *rule, struct kconfig_target_options *topts,
			 bool chained, int depth, enum kconfig_target *out, char *err, size_t errlen)
{
	const char *srcarch = kmin_kernel_env_arch(tree->env)->srcarch;
	struct kconfig_target_options step = *topts;
	char msg[1024];

	if (depth >= TREE_RULE_DEPTH)
		return kmin_errf(err, errlen, "'%s': the rules of arch/%s/Makefile nest more than "
				 "%d deep", name, srcarch, TREE_RULE_DEPTH);
	for (size_t i = 0; i < rule->nsteps; i++) {
		const struct kconfig_arch_step *st = &rule->steps[i];
		int rc;

		/* after the first step, each works on the .config the one before left */
		if (i > 0)
			step.input = NULL;
		if (st->target)
			rc = run_target(tree, st->target, &step, chained || i > 0, depth + 1, out,
					msg, sizeof(msg));
		else
			rc = run_merge_step(tree, st, &step, out, msg, sizeof(msg));
		if (rc)
			return kmin_errf(err, errlen, "%s (rule of arch/%s/Makefile, step %s): %s",
					 name, srcarch, st->target ? st->target : st->base, msg);
	}
	return 0;
}

/* The rule for name if the arch Makefile has one: 1 run, 0 none, -1 error. */
static int run_rule_if_any(struct kmin_tree *tree, const char *name,
			   struct kconfig_target_options *topts, bool chained, int depth,
			   enum kconfig_target *out, char *err, size_t errlen)
{
	struct kconfig_arch_rule *rule;
	int rc = kconfig_arch_rule(tree->kc, name, &rule);

	if (rc == KCONFIG_ENOENT)
		return 0;
	if (rc)
		return kmin_errf(err, errlen, "%s", kconfig_errmsg(tree->kc));
	rc = run_arch_rule(tree, name, rule, topts, chained, depth, out, err, errlen);
	kconfig_arch_rule_free(rule);
	return rc ? -1 : 1;
}

static int run_defconfig(struct kmin_tree *tree, struct kconfig_target_options *topts,
			 bool chained, int depth, enum kconfig_target *out, char *name,
			 size_t namelen, char *err, size_t errlen)
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
	if (!kconfig_target_parse(name, out) && *out == KCONFIG_TARGET_DEFCONFIG) {
		/* no file of that name: make runs the arch Makefile's rule */
		rc = run_rule_if_any(tree, name, topts, chained, depth, out, path, sizeof(path));
		if (rc > 0)
			return 0;
		if (rc < 0)
			return kmin_errf(err, errlen, "defconfig: KBUILD_DEFCONFIG %s", path);
		return kmin_errf(err, errlen, "defconfig: KBUILD_DEFCONFIG '%s' is not in arch/%s/"
				 "configs: it is a target of the arch Makefile, which kmin does "
				 "not run", name, srcarch);
	}
	if (run_target(tree, name, topts, chained, depth + 1, out, path, sizeof(path)))
		return kmin_errf(err, errlen, "defconfig: target '%s' (KBUILD_DEFCONFIG): %s", name,
				 path);
	return 0;
}

int kmin_tree_run_defconfig(struct kmin_tree *tree, struct kconfig_target_options *topts,
			    enum kconfig_target *out, char *name, size_t namelen, char *err,
			    size_t errlen)
{
	return run_defconfig(tree, topts, false, 0, out, name, namelen, err, errlen);
}

/* make NAME.config without a .config: merge_config.sh creates an empty one. */
static int run_fragment(struct kmin_tree *tree, const char *name,
			struct kconfig_target_options *topts, bool chained, char *err,
			size_t errlen)
{
	struct kconfig_target_options frag = *topts;
	char empty[4200];

	frag.fragment = name;
	frag.fragment_files = NULL;
	if (!chained && !frag.input) {
		FILE *f;

		kmin_tree_scratch_path(tree, "empty.config", empty, sizeof(empty));
		f = fopen(empty, "we");
		if (!f || fclose(f))
			return kmin_errf(err, errlen, "cannot write '%s': %s", empty,
					 strerror(errno));
		frag.input = empty;
	}
	if (kconfig_target_run(tree->kc, KCONFIG_TARGET_FRAGMENT, &frag))
		return kmin_errf(err, errlen, "%s", kconfig_errmsg(tree->kc));
	return 0;
}

/*
 * A target by name; chained: an earlier step of an arch rule left the
 * .config in the context (a fragment merges into it, not into nothing).
 */
static int run_target(struct kmin_tree *tree, const char *name,
		      struct kconfig_target_options *topts, bool chained, int depth,
		      enum kconfig_target *out, char *err, size_t errlen)
{
	const struct kmin_arch *arch = kmin_kernel_env_arch(tree->env);
	char rel[512], abs[sizeof(tree->source) + sizeof(rel)];
	int rc;

	if (!strcmp(name, "defconfig"))
		return run_defconfig(tree, topts, chained, depth, out, rel, sizeof(rel), err,
				     errlen);
	if (kconfig_target_parse(name, out))
		return kmin_errf(err, errlen, "unknown target '%s'", name);
	if (*out == KCONFIG_TARGET_FRAGMENT)
		return run_fragment(tree, name, topts, chained, err, errlen);
	if (*out == KCONFIG_TARGET_DEFCONFIG) {
		/* make prefers the arch Makefile's explicit rule to the file */
		rc = run_rule_if_any(tree, name, topts, chained, depth, out, err, errlen);
		if (rc)
			return rc < 0 ? -1 : 0;
		/* relative to the tree, so that messages name it as the kernel does */
		snprintf(rel, sizeof(rel), "arch/%s/configs/%s", arch->srcarch, name);
		snprintf(abs, sizeof(abs), "%s/%s", tree->source, rel);
		if (access(abs, R_OK))
			return kmin_errf(err, errlen, "no configuration '%s' for arch '%s': cannot read '%s'",
				    name, arch->name, abs);
		topts->defconfig_file = rel;
	}
	rc = kconfig_target_run(tree->kc, *out, topts);
	topts->defconfig_file = NULL;
	if (rc)
		return kmin_errf(err, errlen, "%s", kconfig_errmsg(tree->kc));
	return 0;
}

int kmin_tree_run_target(struct kmin_tree *tree, const char *name,
			 struct kconfig_target_options *topts, enum kconfig_target *out, char *err,
			 size_t errlen)
{
	return run_target(tree, name, topts, false, 0, out, err, errlen);
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
		   target != KCONFIG_TARGET_OLDDEFCONFIG && target != KCONFIG_TARGET_FRAGMENT &&
		   !strchr(base, '/')) {
		/* (a NAME.config is a file here, as it always was, not a fragment target) */
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
