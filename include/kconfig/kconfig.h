/*
 * kconfig.h - public interface of kmin's Kconfig engine.
 *
 * The engine reads a kernel's Kconfig tree (the language of
 * Documentation/kbuild/kconfig-language.rst, Linux 5.x-6.12), evaluates
 * symbol values exactly as the kernel's scripts/kconfig/conf does, reads
 * and writes .config files byte for byte like conf, and runs every
 * *config target.  kmin uses it thousands of times per run to decide what
 * a config becomes when a symbol is switched.
 *
 * Conventions (libgit2 style):
 *  - Every object lives in one `struct kconfig` context.  There is no
 *    global state: several threads may each use their own context at once.
 *    One context must not be used by two threads at the same time.
 *  - Functions that can fail return 0 on success or a negative KCONFIG_E*
 *    code; the message is kept in the context (kconfig_errmsg()).
 *  - Warnings (the ones conf prints to stderr) go to the diagnostic
 *    callback of the options; the library never prints and never exits.
 *  - A pointer returned directly is borrowed from the context and lives
 *    until kconfig_free(); an `**out` parameter is the caller's to free
 *    with the function named at its declaration.
 */
#ifndef KCONFIG_KCONFIG_H
#define KCONFIG_KCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes. */
enum {
	KCONFIG_OK = 0,
	KCONFIG_ENOMEM = -1,	/* out of memory */
	KCONFIG_EIO = -2,	/* a file could not be read or written */
	KCONFIG_EPARSE = -3,	/* a Kconfig file has a syntax or semantic error */
	KCONFIG_EINVAL = -4,	/* bad argument or bad input data */
	KCONFIG_ENOENT = -5,	/* no such symbol, file or target */
	KCONFIG_ESHELL = -6,	/* a $(shell,...) command could not be run */
};

enum kconfig_tristate { KCONFIG_NO = 0, KCONFIG_MOD = 1, KCONFIG_YES = 2 };

enum kconfig_type {
	KCONFIG_UNKNOWN = 0,
	KCONFIG_BOOL,
	KCONFIG_TRISTATE,
	KCONFIG_INT,
	KCONFIG_HEX,
	KCONFIG_STRING,
};

enum kconfig_diag_level { KCONFIG_DIAG_INFO, KCONFIG_DIAG_WARNING, KCONFIG_DIAG_ERROR };

/* One message the kernel's conf would have printed. */
struct kconfig_diag {
	enum kconfig_diag_level level;
	const char *file;	/* may be NULL */
	int line;		/* 0 when unknown */
	const char *message;	/* without file:line prefix, no newline */
};

typedef void (*kconfig_diag_fn)(void *payload, const struct kconfig_diag *diag);

#define KCONFIG_OPTIONS_VERSION 1

struct kconfig_options {
	int version;			/* KCONFIG_OPTIONS_VERSION */
	const char *srctree;		/* kernel source tree; required */
	const char *kconfig;		/* top file relative to srctree; NULL: "Kconfig" */
	/*
	 * Environment seen by the macro language and by $(shell,...), as
	 * "NAME=VALUE" strings, NULL-terminated.  NULL: the process
	 * environment.  conf needs at least ARCH SRCARCH CC LD srctree
	 * CC_VERSION_TEXT.
	 */
	const char *const *env;
	/* Working directory of $(shell,...) commands (conf runs in O=). */
	const char *shell_cwd;
	/*
	 * Directory for the on-disk cache of $(shell,...) results, or NULL for
	 * no cache.  Entries are keyed by command, working directory, the
	 * environment and shell_cache_salt (kmin puts a toolchain fingerprint
	 * there so a changed compiler never reuses stale answers).  Images of
	 * parsed trees are kept there too: a later kconfig_open() of the same
	 * tree (every file unchanged), options, environment and program maps
	 * one instead of parsing (kconfig/image.c).
	 */
	const char *shell_cache_dir;
	const char *shell_cache_salt;
	kconfig_diag_fn diag;		/* may be NULL: diagnostics dropped */
	void *diag_payload;
};

#define KCONFIG_OPTIONS_INIT { KCONFIG_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

struct kconfig;
struct kconfig_symbol;

/*
 * Parse the Kconfig tree of opts->srctree.  On success *out is a new
 * context, to be freed with kconfig_free().  On failure *out is still set
 * (unless allocation failed) so the caller can read kconfig_errmsg(); it
 * must be freed too.
 */
int kconfig_open(struct kconfig **out, const struct kconfig_options *opts);
void kconfig_free(struct kconfig *kc);

/* Message of the last failure in this context ("" if none). Borrowed. */
const char *kconfig_errmsg(const struct kconfig *kc);

/* ---- targets: what `make TARGET` does to OUT/.config ---- */

enum kconfig_target {
	KCONFIG_TARGET_OLDDEFCONFIG,
	KCONFIG_TARGET_ALLDEFCONFIG,
	KCONFIG_TARGET_ALLNOCONFIG,
	KCONFIG_TARGET_ALLYESCONFIG,
	KCONFIG_TARGET_ALLMODCONFIG,
	KCONFIG_TARGET_RANDCONFIG,
	KCONFIG_TARGET_DEFCONFIG,	/* a NAME_defconfig or a file: defconfig_file */
	KCONFIG_TARGET_SAVEDEFCONFIG,
	KCONFIG_TARGET_TINYCONFIG,
	KCONFIG_TARGET_FRAGMENT,	/* a NAME.config: fragment or fragment_files */
};

struct kconfig_target_options {
	/*
	 * Existing .config (olddefconfig, savedefconfig; FRAGMENT: the one
	 * the fragments are merged into, an empty file for make without a
	 * .config), or NULL for the context's current values, taken as make
	 * would take them: written to .config and read back by a new conf.
	 */
	const char *input;
	/*
	 * KCONFIG_ALLCONFIG for the all*config targets and randconfig: a
	 * file, or "" / "1" for allno.config (allyes.config...) else
	 * all.config in the current directory or srctree; NULL for none.
	 */
	const char *allconfig;
	const char *defconfig_file;	/* DEFCONFIG: path of the defconfig */
	unsigned long seed;		/* RANDCONFIG: KCONFIG_SEED */
	bool has_seed;
	/* RANDCONFIG: KCONFIG_PROBABILITY, or NULL for the environment's (default 50:33:33) */
	const char *probability;
	/*
	 * FRAGMENT: the target's name "NAME.config"; as make's %.config rule,
	 * the files kernel/configs/NAME.config and arch/SRCARCH/configs/
	 * NAME.config of srctree that exist (KCONFIG_ENOENT when neither
	 * does) are merged into input like `merge_config.sh -m`, then
	 * olddefconfig runs on the result.  Each fragment value that replaces
	 * a different one is an info diagnostic "Value of CONFIG_X is
	 * redefined by fragment FILE: ...", as the script prints (tinyconfig's
	 * merge of tiny.config, kmin's usual base, stays quiet).
	 */
	const char *fragment;
	/*
	 * FRAGMENT: these files (NULL-terminated paths) instead of fragment's
	 * lookup, as the arch Makefiles' merge_into_defconfig merges them.
	 */
	const char *const *fragment_files;
};

/*
 * Parse a target name ("olddefconfig", "versatile_defconfig", "tiny.config"
 * ...): 0 and *out, or KCONFIG_ENOENT for a name that is no target.  A
 * NAME_defconfig may instead be an explicit rule of the arch Makefile
 * (kconfig_arch_rule()); make prefers that rule.
 */
int kconfig_target_parse(const char *name, enum kconfig_target *out);

/*
 * What plain `make defconfig` starts from: the arch Makefile's
 * KBUILD_DEFCONFIG (chosen by ARCH, SUBARCH or the host's machine where
 * the Makefile does; "defconfig" when it sets none), from the context's
 * srctree and environment (SRCARCH, ARCH, SUBARCH).  name gets the name
 * ("multi_v7_defconfig"); path gets "arch/SRCARCH/configs/NAME" when that
 * exists (run KCONFIG_TARGET_DEFCONFIG with it as defconfig_file), else ""
 * (make then runs the target NAME).
 */
int kconfig_default_defconfig(struct kconfig *kc, char *name, size_t namelen, char *path,
			      size_t pathlen);

/* One step of an arch Makefile rule: a target, or a merge (target NULL). */
struct kconfig_arch_step {
	/* `$(MAKE) -f $(srctree)/Makefile ... TARGET ...`: "defconfig", "32-bit.config" */
	const char *target;
	/*
	 * `$(call merge_into_defconfig,BASE,F1 F2...)`: run FRAGMENT with
	 * input base and fragment_files fragments (paths relative to
	 * srctree: arch/SRCARCH/configs/BASE and .../Fi.config).
	 */
	const char *base;
	const char *const *fragments;	/* NULL-terminated */
};

struct kconfig_arch_rule {
	size_t nsteps;
	struct kconfig_arch_step *steps;	/* run in order, on one .config */
};

/*
 * The explicit rule of the arch Makefile (arch/SRCARCH/Makefile, SRCARCH
 * from the environment) for the target name, which make runs instead of
 * scripts/kconfig's pattern rules (even when arch/SRCARCH/configs/NAME
 * exists): riscv's `rv32_defconfig: $(MAKE) -f $(srctree)/Makefile
 * defconfig 32-bit.config` and powerpc's merge_into_defconfig rules; the
 * rule's prerequisites (plain target names) come first, as steps, and a
 * phony target may have them alone (6.12's `pseries_defconfig:
 * ppc64le_guest_defconfig`).  Returns 0 and *out (free it with kconfig_arch_rule_free()),
 * KCONFIG_ENOENT when the Makefile has no rule spelling out that name
 * (*out NULL, message set), or KCONFIG_EINVAL for a rule whose recipe or
 * prerequisites kmin cannot interpret (the message names it and says the
 * arch Makefile's rule is not run).
 */
int kconfig_arch_rule(struct kconfig *kc, const char *name, struct kconfig_arch_rule **out);
void kconfig_arch_rule_free(struct kconfig_arch_rule *rule);

/*
 * Run a target and leave the result in the context; write it with
 * kconfig_config_write() (savedefconfig: with kconfig_defconfig_write()).
 * Every target starts afresh, as a new conf process would.  tinyconfig reads
 * kernel/configs/tiny-base.config and the tiny.config fragments of
 * srctree (SRCARCH from the environment).  randconfig without has_seed
 * uses the time and reports the seed as an info diagnostic
 * "KCONFIG_SEED=0x...".  Warnings of the files read go to the diagnostic
 * callback; with KCONFIG_WERROR in the environment they fail the target.
 */
int kconfig_target_run(struct kconfig *kc, enum kconfig_target target,
		       const struct kconfig_target_options *opts);

/* ---- .config files ---- */

/*
 * Read a .config like conf_read() in a new conf process: every user value
 * is replaced by the file's (symbols it does not name have none).
 * KCONFIG_ENOENT if the file cannot be read; bad lines are warnings.
 */
int kconfig_config_read(struct kconfig *kc, const char *path);
/* Write the whole configuration exactly as conf writes .config. */
int kconfig_config_write(struct kconfig *kc, const char *path);
/* Write the minimal configuration exactly as savedefconfig. */
int kconfig_defconfig_write(struct kconfig *kc, const char *path);

/* ---- symbols ---- */

/*
 * The symbol called name (without CONFIG_), or NULL when the tree has none;
 * its name (NULL for a choice).  Both are borrowed from the context and
 * live until kconfig_free().
 */
struct kconfig_symbol *kconfig_symbol_find(struct kconfig *kc, const char *name);
const char *kconfig_symbol_name(const struct kconfig_symbol *sym);
enum kconfig_type kconfig_symbol_type(const struct kconfig_symbol *sym);
/* Current tristate value (recomputed if stale). */
enum kconfig_tristate kconfig_symbol_tristate(struct kconfig *kc, struct kconfig_symbol *sym);
/* Current value as .config would spell it ("y", "m", "n", "0x10", "abc"). Borrowed. */
const char *kconfig_symbol_string(struct kconfig *kc, struct kconfig_symbol *sym);
/* Set a user value like a front end: fails with KCONFIG_EINVAL if not allowed. */
int kconfig_symbol_set_tristate(struct kconfig *kc, struct kconfig_symbol *sym, enum kconfig_tristate val);
int kconfig_symbol_set_string(struct kconfig *kc, struct kconfig_symbol *sym, const char *val);

#ifdef __cplusplus
}
#endif
#endif
