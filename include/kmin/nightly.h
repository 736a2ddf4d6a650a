/*
 * nightly.h - the decisions of `kmin nightly` that do not print: whether
 * last night's result still holds for the tree as it is now, which new
 * symbols turn on by default, and whether a job grew past the threshold.
 *
 * Callers: src/cmd_nightly.c (and tests/unit/test_nightly.c).  Nothing
 * here builds or prints; errors are 0 or -1 with a message in err[errlen].
 */
#ifndef KMIN_NIGHTLY_H
#define KMIN_NIGHTLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kconfig/kconfig.h"
#include "kmin/kernel_id.h"
#include "kmin/store_track.h"

/* How much growth is tolerated: bytes, or percent of the previous size. */
struct kmin_threshold {
	bool percent;
	double value;			/* >= 0 */
};

/* "0", "4096" (bytes), "0.5%" (percent).  0, or -1 for anything else. */
int kmin_threshold_parse(const char *s, struct kmin_threshold *out);

/* Did the size go from before to after by more than the threshold? */
bool kmin_threshold_exceeded(const struct kmin_threshold *t, int64_t before, int64_t after);

/*
 * Can a file at this repository-relative path change without changing
 * what the kernel build reads?  True only for documentation and
 * repository metadata: Documentation/ and LICENSES/, README*, *.rst,
 * *.md, COPYING, CREDITS, MAINTAINERS, .mailmap, .gitignore and
 * .gitattributes files.  Anything else (sources, headers, Kconfig,
 * Makefiles, scripts, linker scripts) counts as read.
 */
bool kmin_nightly_path_is_inert(const char *path);

enum kmin_reuse {
	KMIN_REUSE_NO = 0,		/* run the job */
	KMIN_REUSE_SAME_TREE,		/* same kernel identity and compiler */
	KMIN_REUSE_INERT,		/* other commit, but only inert paths changed */
};

struct kmin_reuse_answer {
	enum kmin_reuse reuse;
	size_t changed;			/* paths changed between the commits (INERT, or NO after a diff) */
	char why[256];			/* for people: why it can or cannot be reused */
};

/*
 * Does the result of night `last` (read with its kernel and toolchain
 * identities) still hold for the tree `now` built with the toolchain
 * `toolchain_ident`?  Yes when the identities are equal; yes when both
 * trees are clean git checkouts, the compiler is the same and every path
 * changed between the two commits is inert (above); else no.  A diff that
 * cannot be read (the old commit is gone) means no, with the reason.
 */
int kmin_nightly_reuse(const struct kmin_night *last, const struct kmin_kernel_id *now,
		       const char *toolchain_ident, struct kmin_reuse_answer *out, char *err,
		       size_t errlen);

/*
 * The symbols set to y or m in new_config (CONFIG_X=y|m lines) that
 * old_config does not name at all (neither CONFIG_X=... nor
 * "# CONFIG_X is not set"), in new_config's order.  *names (each string
 * and the array) is the caller's, freed with kmin_nightly_names_free().
 * 0, or -1 when out of memory.
 */
int kmin_nightly_new_symbols(const char *old_config, const char *new_config, char ***names,
			     size_t *n);
void kmin_nightly_names_free(char **names, size_t n);

/*
 * olddefconfig of the config text `config` on the engine context kc (the
 * new tree), through a file in scratch; *out (the caller's, free()) gets
 * the resulting .config text.
 */
int kmin_nightly_olddefconfig(struct kconfig *kc, const char *scratch, const char *config,
			      char **out, char *err, size_t errlen);

#endif
