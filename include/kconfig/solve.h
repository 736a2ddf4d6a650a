/*
 * solve.h - turn requirements ("USB=y, EXPERT=n") into a valid configuration.
 *
 * The kernel's tools drop what they cannot honour: CONFIG_USB=y in a
 * KCONFIG_ALLCONFIG fragment means nothing while USB_SUPPORT is off.  The
 * solver works on the values of a context (a base .config read with
 * kconfig_config_read() or produced by kconfig_target_run()) and changes
 * user values until every requirement holds: it enables dependencies,
 * satisfies `visible if` and prompt conditions, turns selectors off for a
 * symbol that must stay off, switches choice members, and picks the
 * cheapest branch of an `||` (fewest symbols changed).  Afterwards it
 * takes back every change that is not needed, so no symbol it changed can
 * return to its base value with the requirements still held.
 *
 * The result lives in the context: write it with kconfig_config_write();
 * it is a fixed point of olddefconfig.
 */
#ifndef KCONFIG_SOLVE_H
#define KCONFIG_SOLVE_H

#include "kconfig/kconfig.h"

#ifdef __cplusplus
extern "C" {
#endif

struct kconfig_requirement {
	const char *symbol;		/* name without CONFIG_ */
	enum kconfig_tristate value;	/* YES: must be y; MOD: m or y; NO: must be off */
};

enum kconfig_new_symbols {
	/* Symbols that become visible take their defaults (olddefconfig). */
	KCONFIG_NEW_DEFAULT,
	/* They are set to n like allnoconfig does (allnoconfig_y ones to y). */
	KCONFIG_NEW_NO,
};

#define KCONFIG_SOLVE_OPTIONS_VERSION 1

struct kconfig_solve_options {
	int version;
	enum kconfig_new_symbols new_symbols;
	unsigned int max_depth;		/* recursion bound of the dependency walk; 0: 48 */
};

#define KCONFIG_SOLVE_OPTIONS_INIT { KCONFIG_SOLVE_OPTIONS_VERSION, KCONFIG_NEW_DEFAULT, 0 }

/* One symbol whose value differs between the base and the solution. */
struct kconfig_change {
	const char *symbol;	/* borrowed from the context */
	char from[32];		/* value before, as .config spells it ("n" when not written) */
	char to[32];
	bool set_by_solver;	/* the solver set it; else it followed (default, select) */
};

struct kconfig_solution {
	struct kconfig_change *changes;
	size_t nchanges;
	unsigned int steps;	/* value assignments tried, for benchmarks */
};

/*
 * Solve in place.  On success *out lists the changes (free it with
 * kconfig_solution_free()).  On failure (KCONFIG_EINVAL) kconfig_errmsg()
 * names the requirement that cannot hold and the dependency chain that
 * blocks it; the context's values are then those of the base again.
 */
int kconfig_solve(struct kconfig *kc, const struct kconfig_requirement *reqs, size_t nreqs,
		  const struct kconfig_solve_options *opts, struct kconfig_solution **out);
void kconfig_solution_free(struct kconfig_solution *sol);

#ifdef __cplusplus
}
#endif
#endif
