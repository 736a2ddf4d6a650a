/*
 * kernel.h - what kmin knows about a kernel source tree and its toolchain.
 *
 * The kernel's Makefile hands conf an environment (ARCH, SRCARCH, CC, LD,
 * CC_VERSION_TEXT, srctree, KERNELVERSION ...) that the Kconfig files read
 * through the macro language.  kmin runs its own engine instead of make, so
 * it must compute the same environment the same way; this module does that,
 * and knows per architecture the source directory, the default cross
 * compiler prefix, the image make builds and the Debian package of the
 * compiler.
 *
 * Errors: functions return 0 or -1 and write a message into the caller's
 * buffer `err` of size `errlen` (git style: "cannot open '%s'").
 */
#ifndef KMIN_KERNEL_H
#define KMIN_KERNEL_H

#include <stddef.h>
#include <sys/types.h>

struct kmin_arch {
	const char *name;		/* ARCH= value: "arm", "x86_64" */
	const char *srcarch;		/* arch/<srcarch>: "arm", "x86" */
	const char *cross_compile;	/* default CROSS_COMPILE ("" for the host) */
	const char *image;		/* image target and file name: "zImage" */
	const char *image_path;		/* relative to O=: "arch/arm/boot/zImage" */
	const char *compiler_package;	/* Debian package of <prefix>gcc */
};

/*
 * The arch table entry for ARCH, or NULL.  Unknown arches that have an
 * arch/<name>/Kconfig in a tree are handled by kmin_arch_guess().
 */
const struct kmin_arch *kmin_arch_find(const char *name);

/* Fill *out for an arch the table does not list (SRCARCH = ARCH, host compiler). */
void kmin_arch_guess(const char *name, struct kmin_arch *out);

/* "6.1.192" from srctree/Makefile into buf; -1 if the tree is not a kernel. */
int kmin_kernel_version(const char *srctree, char *buf, size_t len, char *err, size_t errlen);

/* The environment for conf and $(shell,...), built once per (tree, arch, compiler). */
struct kmin_kernel_env;

/*
 * Build the environment make would export for `make ARCH=arch
 * CROSS_COMPILE=cross_compile` on srctree: the process environment less
 * KCONFIG_ALLCONFIG, KCONFIG_SEED and KCONFIG_CONFIG (kmin passes those as
 * options) and per-shell noise (PWD,
 * SHLVL, TERM ...), plus the kernel's variables.  cross_compile NULL means the arch's default.  Runs
 * `<CC> --version` once.  *out is freed with kmin_kernel_env_free().
 */
int kmin_kernel_env_new(struct kmin_kernel_env **out, const char *srctree, const char *arch,
			const char *cross_compile, unsigned int flags, char *err, size_t errlen);

/* flags of kmin_kernel_env_new() */
#define KMIN_ENV_ALLOW_NON_KERNEL 0x1	/* a bare Kconfig tree: no Makefile, KERNELVERSION "" */
void kmin_kernel_env_free(struct kmin_kernel_env *env);

/* NULL-terminated "NAME=VALUE" array, borrowed from env. */
const char *const *kmin_kernel_env_vars(const struct kmin_kernel_env *env);
/* Value of one variable of env, or NULL.  Borrowed. */
const char *kmin_kernel_env_get(const struct kmin_kernel_env *env, const char *name);
/*
 * A string that changes whenever the toolchain changes (paths, sizes and
 * modification times of CC and LD, and CC's version text): the salt of the
 * $(shell,...) cache.  Borrowed.
 */
const char *kmin_kernel_env_toolchain_id(const struct kmin_kernel_env *env);
/* The arch of env (table entry or guess).  Borrowed. */
const struct kmin_arch *kmin_kernel_env_arch(const struct kmin_kernel_env *env);

/* $XDG_CACHE_HOME/kmin (default ~/.cache/kmin) into buf; -1 if too long. */
int kmin_cache_dir(char *buf, size_t len);
/* The embedded default source: <cache>/src/linux-source-6.1. */
int kmin_default_source(char *buf, size_t len);

#endif
