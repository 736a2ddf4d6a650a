/*
 * kconfig.c - the public interface of the engine (include/kconfig/kconfig.h).
 *
 * Who calls it: kmin's program (src/cmd_config.c and the search) and
 * anyone linking libkconfig.  It is glue: it checks arguments, turns the
 * internal calls into the API's conventions (0 or a negative KCONFIG_E*
 * code, the message kept in the context) and hides the data model behind
 * opaque types.
 *
 * Workload: kconfig_open() once per tree (parse and finalize ~1,700 files
 * on arm: the budget is 150 ms warm, with $(shell,...) answers cached);
 * then thousands of reads, symbol changes and writes on the same context.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- contexts ---- */

/*
 * 6.12 choices keep their members in a priority list that reading a
 * .config reorders.  Remember the order the parser left, so that
 * kc_conf_reset() can give every target a fresh start.
 */
static int kc_snapshot_choices(struct kconfig *kc)
{
	struct kc_menu *m;
	size_t n = 0, i = 0;

	if (kc->dialect == KC_DIALECT_6_1)
		return 0;
	for (m = kc_menu_next(&kc->rootmenu, &kc->rootmenu); m; m = kc_menu_next(m, &kc->rootmenu))
		if (m->sym && kc_sym_is_choice(m->sym))
			n++;
	if (!n)
		return 0;
	kc->choice_snaps = kc_arena_alloc(&kc->arena, n * sizeof(*kc->choice_snaps));
	if (!kc->choice_snaps)
		return KCONFIG_ENOMEM;
	for (m = kc_menu_next(&kc->rootmenu, &kc->rootmenu); m; m = kc_menu_next(m, &kc->rootmenu)) {
		struct kc_choice_snap *snap;
		struct kc_symbol *s;
		size_t k = 0;

		if (!m->sym || !kc_sym_is_choice(m->sym))
			continue;
		snap = &kc->choice_snaps[i++];
		snap->choice = m;
		for (s = m->choice_first; s; s = s->choice_next)
			snap->n++;
		snap->members = kc_arena_alloc(&kc->arena, (snap->n + 1) * sizeof(*snap->members));
		if (!snap->members)
			return KCONFIG_ENOMEM;
		for (s = m->choice_first; s; s = s->choice_next)
			snap->members[k++] = s;
	}
	kc->nchoice_snaps = n;
	return 0;
}

void kc_restore_choices(struct kconfig *kc)
{
	for (size_t i = 0; i < kc->nchoice_snaps; i++) {
		struct kc_choice_snap *snap = &kc->choice_snaps[i];
		struct kc_symbol *prev = NULL;

		snap->choice->choice_first = snap->n ? snap->members[0] : NULL;
		for (size_t k = 0; k < snap->n; k++) {
			struct kc_symbol *s = snap->members[k];

			s->choice_prev = prev;
			s->choice_next = k + 1 < snap->n ? snap->members[k + 1] : NULL;
			prev = s;
		}
		snap->choice->choice_last = prev;
	}
}

/*
 * A warm open maps the image of an earlier parse of the same tree (see
 * image.c for when that is allowed); otherwise the tree is parsed, in a
 * context placed so that it can become such an image.
 */
int kconfig_open(struct kconfig **out, const struct kconfig_options *opts)
{
	struct kconfig *kc = NULL;
	int rc;

	*out = NULL;
	if (opts && opts->version == KCONFIG_OPTIONS_VERSION && opts->srctree &&
	    kc_image_open(&kc, opts) == 1) {
		*out = kc;
		return 0;
	}
	if (!kc) {
		kc = calloc(1, sizeof(*kc));
		if (!kc)
			return KCONFIG_ENOMEM;
	}
	*out = kc;
	if (!opts || opts->version != KCONFIG_OPTIONS_VERSION)
		return kc_error(kc, KCONFIG_EINVAL, "kconfig_options: unknown version %d",
				opts ? opts->version : -1);
	if (!opts->srctree)
		return kc_error(kc, KCONFIG_EINVAL, "kconfig_options: srctree is required");
	if (!kc->image)
		kc->opts = *opts;
	kc_sym_init(kc);
	rc = kc_parse(kc, opts->kconfig ? opts->kconfig : "Kconfig");
	kc->opts = *opts;	/* an image's recording tap ends here */
	if (rc)
		return rc;
	rc = kc_snapshot_choices(kc);
	if (rc)
		return kc_error(kc, rc, "out of memory");
	kc_image_store(kc, opts);
	return 0;
}

void kconfig_free(struct kconfig *kc)
{
	if (!kc)
		return;
	if (kc->pp)
		kc_pp_free(kc->pp);
	kc_arena_free(&kc->arena);
	if (kc->image)
		kc_image_release(kc);	/* kc lives in the image's mapping */
	else
		free(kc);
}

const char *kconfig_errmsg(const struct kconfig *kc)
{
	return kc ? kc->errmsg : "out of memory";
}

/* ---- targets ---- */

static const struct {
	const char *name;
	enum kconfig_target target;
} kc_target_names[] = {
	{ "alldefconfig", KCONFIG_TARGET_ALLDEFCONFIG },
	{ "allmodconfig", KCONFIG_TARGET_ALLMODCONFIG },
	{ "allnoconfig", KCONFIG_TARGET_ALLNOCONFIG },
	{ "allyesconfig", KCONFIG_TARGET_ALLYESCONFIG },
	{ "olddefconfig", KCONFIG_TARGET_OLDDEFCONFIG },
	{ "randconfig", KCONFIG_TARGET_RANDCONFIG },
	{ "savedefconfig", KCONFIG_TARGET_SAVEDEFCONFIG },
	{ "tinyconfig", KCONFIG_TARGET_TINYCONFIG },
};

int kconfig_target_parse(const char *name, enum kconfig_target *out)
{
	size_t n;

	if (!name)
		return KCONFIG_EINVAL;
	for (size_t i = 0; i < sizeof(kc_target_names) / sizeof(kc_target_names[0]); i++) {
		if (!strcmp(name, kc_target_names[i].name)) {
			*out = kc_target_names[i].target;
			return 0;
		}
	}
	/* make's %_defconfig rule: at least one character before the suffix */
	n = strlen(name);
	if (n > strlen("_defconfig") && !strcmp(name + n - strlen("_defconfig"), "_defconfig") &&
	    !strchr(name, '/')) {
		*out = KCONFIG_TARGET_DEFCONFIG;
		return 0;
	}
	/* and its %.config rule (fragments) */
	if (n > strlen(".config") && !strcmp(name + n - strlen(".config"), ".config") &&
	    !strchr(name, '/')) {
		*out = KCONFIG_TARGET_FRAGMENT;
		return 0;
	}
	return KCONFIG_ENOENT;
}

int kconfig_default_defconfig(struct kconfig *kc, char *name, size_t namelen, char *path,
			      size_t pathlen)
{
	if (!kc || !name || !path || !namelen || !pathlen)
		return KCONFIG_EINVAL;
	kc->errmsg[0] = '\0';
	return kc_default_defconfig(kc, name, namelen, path, pathlen);
}

int kconfig_arch_rule(struct kconfig *kc, const char *name, struct kconfig_arch_rule **out)
{
	if (out)
		*out = NULL;
	if (!kc || !name || !out)
		return KCONFIG_EINVAL;
	kc->errmsg[0] = '\0';
	return kc_arch_rule(kc, name, out);
}

int kconfig_target_run(struct kconfig *kc, enum kconfig_target target,
		       const struct kconfig_target_options *opts)
{
	kc->errmsg[0] = '\0';
	return kc_target_run(kc, target, opts);
}

/* ---- .config files ---- */

int kconfig_config_read(struct kconfig *kc, const char *path)
{
	if (!path)
		return kc_error(kc, KCONFIG_EINVAL, "no file to read");
	/* as a new conf process would: the result never depends on history */
	kc_conf_reset(kc);
	return kc_conf_read(kc, path);
}

int kconfig_config_write(struct kconfig *kc, const char *path)
{
	return kc_conf_write(kc, path);
}

int kconfig_defconfig_write(struct kconfig *kc, const char *path)
{
	return kc_conf_write_defconfig(kc, path);
}

/* ---- symbols ---- */

static struct kc_symbol *kc_sym_of(struct kconfig_symbol *sym)
{
	return (struct kc_symbol *)sym;
}

struct kconfig_symbol *kconfig_symbol_find(struct kconfig *kc, const char *name)
{
	struct kc_symbol *sym = name ? kc_sym_find(kc, name) : NULL;

	/* only the symbols of the tree: not y, m, n */
	if (!sym || (sym->flags & KC_SYMBOL_CONST) || sym == &kc->sym_yes ||
	    sym == &kc->sym_mod || sym == &kc->sym_no)
		return NULL;
	return (struct kconfig_symbol *)sym;
}

const char *kconfig_symbol_name(const struct kconfig_symbol *sym)
{
	return ((const struct kc_symbol *)sym)->name;
}

enum kconfig_type kconfig_symbol_type(const struct kconfig_symbol *sym)
{
	return (enum kconfig_type)((const struct kc_symbol *)sym)->type;
}

enum kconfig_tristate kconfig_symbol_tristate(struct kconfig *kc, struct kconfig_symbol *sym)
{
	kc_sym_calc_value(kc, kc_sym_of(sym));
	return kc_sym_get_tristate_value(kc_sym_of(sym));
}

const char *kconfig_symbol_string(struct kconfig *kc, struct kconfig_symbol *sym)
{
	kc_sym_calc_value(kc, kc_sym_of(sym));
	return kc_sym_get_string_value(kc, kc_sym_of(sym));
}

int kconfig_symbol_set_tristate(struct kconfig *kc, struct kconfig_symbol *sym,
				enum kconfig_tristate val)
{
	struct kc_symbol *s = kc_sym_of(sym);

	kc_sym_calc_value(kc, s);
	if (!kc_sym_set_tristate_value(kc, s, (kc_tristate)val))
		return kc_error(kc, KCONFIG_EINVAL, "%s cannot be set to %c", s->name,
				"nmy"[val > KCONFIG_YES ? 0 : val]);
	return 0;
}

int kconfig_symbol_set_string(struct kconfig *kc, struct kconfig_symbol *sym, const char *val)
{
	struct kc_symbol *s = kc_sym_of(sym);

	kc_sym_calc_value(kc, s);
	if (!val || !kc_sym_set_string_value(kc, s, val))
		return kc_error(kc, KCONFIG_EINVAL, "%s cannot be set to '%s'", s->name,
				val ? val : "(null)");
	return 0;
}
