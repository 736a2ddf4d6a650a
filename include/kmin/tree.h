/*
 * tree.h - a kernel tree opened for kmin's engine: environment, engine
 * context and a scratch directory, set up the way make would for
 * `make ARCH=... CROSS_COMPILE=...`.
 *
 * Every command that evaluates configurations (config, solve, explain,
 * run) starts here.  Errors: 0 or -1 with a message in `err`.
 */
#ifndef KMIN_TREE_H
#define KMIN_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "kconfig/kconfig.h"
#include "kmin/kernel.h"

struct kmin_tree_options {
	const char *source;		/* NULL: the embedded default (linux-source-6.1) */
	const char *arch;		/* required */
	const char *cross_compile;	/* NULL: the arch's default */
	const char *kconfig;		/* top Kconfig file; non-NULL allows a bare Kconfig tree */
	bool no_shell_cache;		/* do not use the $(shell,...) cache */
	kconfig_diag_fn diag;		/* the engine's warnings */
	void *diag_payload;
};

struct kmin_tree {
	char source[4096];		/* the tree's path as given or defaulted */
	char scratch[64];		/* private scratch directory, removed on close */
	struct kmin_kernel_env *env;
	struct kconfig *kc;		/* parsed tree */
	char defconfig[256];		/* what base "defconfig" resolved to, else "" */
};

/* Open and parse.  *out is freed with kmin_tree_close() (also on failure when set). */
int kmin_tree_open(struct kmin_tree **out, const struct kmin_tree_options *opts, char *err,
		   size_t errlen);
void kmin_tree_close(struct kmin_tree *tree);

/* A path inside the scratch directory ("base.config"). */
void kmin_tree_scratch_path(const struct kmin_tree *tree, const char *name, char *buf, size_t len);

/*
 * Run the target NAME (olddefconfig, versatile_defconfig, defconfig,
 * tiny.config ...) on the context as make would: a NAME_defconfig the arch
 * Makefile has an explicit rule for runs that rule's steps one by one on
 * one .config (kconfig_arch_rule(); a rule kmin cannot read is an error),
 * else it is arch/SRCARCH/configs/NAME of the tree; plain "defconfig" goes
 * through kmin_tree_run_defconfig(); a fragment NAME.config merges into
 * topts->input, or into an empty .config when that is NULL.  *out tells
 * which target ran (the last one of a rule).  topts carries
 * input/allconfig/seed; it is left as given.
 */
int kmin_tree_run_target(struct kmin_tree *tree, const char *name,
			 struct kconfig_target_options *topts, enum kconfig_target *out, char *err,
			 size_t errlen);

/*
 * Plain `make defconfig`, as scripts/kconfig/Makefile runs it: conf
 * --defconfig with arch/SRCARCH/configs/KBUILD_DEFCONFIG when that file
 * exists, else the target KBUILD_DEFCONFIG names (an arch Makefile rule
 * kmin reads, such as 6.12 powerpc's ppc64le_defconfig, runs; one it cannot,
 * such as mips' 32r2el_defconfig, is an error).  name (namelen bytes)
 * gets KBUILD_DEFCONFIG ("versatile_defconfig" ...).
 */
int kmin_tree_run_defconfig(struct kmin_tree *tree, struct kconfig_target_options *topts,
			    enum kconfig_target *out, char *name, size_t namelen, char *err,
			    size_t errlen);

/*
 * Load a base configuration into the context as a .config would be: a
 * target name (tinyconfig, allnoconfig, alldefconfig, defconfig,
 * NAME_defconfig ...) is run, a path is read like olddefconfig (plain
 * "defconfig" leaves KBUILD_DEFCONFIG's name in tree->defconfig).  The
 * result is written to the scratch directory and read back, so user values
 * are exactly the file's.
 */
int kmin_tree_load_base(struct kmin_tree *tree, const char *base, char *err, size_t errlen);

#endif
