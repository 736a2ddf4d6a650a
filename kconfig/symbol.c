/*
 * symbol.c - the symbol table and the value of every symbol.
 *
 * Who calls it: the parser (kc_sym_lookup for every name it meets),
 * kc_parse (kc_sym_check_deps), confdata.c and targets.c (values, user
 * values, choices), and kmin's search through the public API, which
 * recomputes values thousands of times per run.
 *
 * The rules are the kernel's scripts/kconfig/symbol.c, because .config
 * output must match conf byte for byte: the same hash (fnv32; 9973
 * buckets in 6.1, 16384 in 6.12; new symbols at the bucket head, choices
 * in bucket 0), the same order of evaluation, the same warnings.  What
 * differs is the shape: no global state, everything hangs off struct
 * kconfig, and the constant symbols y, m, n and "" live inside it.
 *
 * Two dialects (kc->dialect), as conf changed in 6.11:
 *   6.1  choices are symbols with a value (n, m or y) and a member list
 *        (P_CHOICE); the chosen member is the choice's curr.val; tristate
 *        and optional choices exist; int/hex start from "".
 *   6.12 choices are menus with a member list in priority order
 *        (kc_menu.choice_first); kc_sym_calc_choice picks the member;
 *        int/hex start from "0"/"0x0"; expressions cache their values.
 *
 * Workload: ~20,000 symbols on arm; a full recomputation after
 * kc_sym_clear_all_valid() visits each symbol once, with values cached
 * through KC_SYMBOL_VALID.  Diagnostics go to kc_diag: the unmet
 * dependency warning as one multi-line WARNING message with conf's text
 * (conf frames it with an empty line before); the recursion report as an
 * ERROR "recursive dependency detected!" (6.1 with file:line) followed
 * by INFO lines with conf's text ("\tsymbol A depends on B"...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- the table ---- */

static void kc_sym_init_const(struct kc_symbol *sym, const char *name,
			      enum kc_type type, kc_tristate tri,
			      unsigned int flags)
{
	memset(sym, 0, sizeof(*sym));
	sym->name = name;
	sym->type = type;
	sym->curr.val = name;
	sym->curr.tri = tri;
	sym->flags = flags;
}

void kc_sym_init(struct kconfig *kc)
{
	memcpy(kc->const_names, "y\0m\0n\0\0", sizeof(kc->const_names));
	kc_sym_init_const(&kc->sym_yes, kc->const_names[0], KC_S_TRISTATE, KC_YES,
			  KC_SYMBOL_CONST | KC_SYMBOL_VALID);
	kc_sym_init_const(&kc->sym_mod, kc->const_names[1], KC_S_TRISTATE, KC_MOD,
			  KC_SYMBOL_CONST | KC_SYMBOL_VALID);
	kc_sym_init_const(&kc->sym_no, kc->const_names[2], KC_S_TRISTATE, KC_NO,
			  KC_SYMBOL_CONST | KC_SYMBOL_VALID);
	/* "" is not KC_SYMBOL_CONST in conf either; it has no type. */
	kc_sym_init_const(&kc->sym_empty, kc->const_names[3], KC_S_UNKNOWN, KC_NO,
			  KC_SYMBOL_VALID);
	kc->modules_sym = &kc->sym_no;
	kc->modules_val = KC_NO;
	kc->expr_gen = 1;	/* expression nodes start at 0: not evaluated */
}

unsigned int kc_strhash(const char *s)
{
	unsigned int hash = 2166136261U;

	/* conf hashes plain (signed on x86) chars; keep its buckets. */
	for (; *s; s++)
		hash = (hash ^ (unsigned int)(int)(signed char)*s) * 0x01000193U;
	return hash;
}

unsigned int kc_sym_bucket(const struct kconfig *kc, const char *name)
{
	unsigned int hash = kc_strhash(name);

	if (kc->dialect == KC_DIALECT_6_12)
		return hash % KC_SYMBOL_HASHSIZE_6_12;
	return hash % KC_SYMBOL_HASHSIZE_6_1;
}

/* "y", "m" and "n" always mean the constants. */
static struct kc_symbol *kc_sym_constant(struct kconfig *kc, const char *name)
{
	if (!name[0] || name[1])
		return NULL;
	switch (name[0]) {
	case 'y':
		return &kc->sym_yes;
	case 'm':
		return &kc->sym_mod;
	case 'n':
		return &kc->sym_no;
	}
	return NULL;
}

static int kc_sym_register(struct kconfig *kc, struct kc_symbol *sym)
{
	if (kc->nsyms == kc->syms_cap) {
		size_t cap = kc->syms_cap ? 2 * kc->syms_cap : 1024;
		struct kc_symbol **n = kc_arena_alloc(&kc->arena, cap * sizeof(*n));

		if (!n)
			return KCONFIG_ENOMEM;
		if (kc->nsyms)
			memcpy(n, kc->syms, kc->nsyms * sizeof(*n));
		kc->syms = n;	/* the old array stays in the arena */
		kc->syms_cap = cap;
	}
	sym->id = (unsigned int)kc->nsyms;
	kc->syms[kc->nsyms++] = sym;
	return 0;
}

struct kc_symbol *kc_sym_lookup(struct kconfig *kc, const char *name, unsigned int flags)
{
	struct kc_symbol *sym;
	unsigned int bucket = 0;
	const char *copy = NULL;

	if (name) {
		sym = kc_sym_constant(kc, name);
		if (sym)
			return sym;
		bucket = kc_sym_bucket(kc, name);
		for (sym = kc->hash[bucket]; sym; sym = sym->hash_next) {
			if (!sym->name || strcmp(sym->name, name))
				continue;
			if (flags ? (sym->flags & flags)
				  : !(sym->flags & (KC_SYMBOL_CONST | KC_SYMBOL_CHOICE)))
				return sym;
		}
		copy = kc_arena_strdup(&kc->arena, name);
		if (!copy)
			return NULL;
	}

	sym = kc_arena_alloc(&kc->arena, sizeof(*sym));
	if (!sym || kc_sym_register(kc, sym))
		return NULL;
	sym->name = copy;
	sym->type = KC_S_UNKNOWN;
	sym->flags = flags;
	sym->hash_next = kc->hash[bucket];
	kc->hash[bucket] = sym;
	return sym;
}

struct kc_symbol *kc_sym_find(struct kconfig *kc, const char *name)
{
	struct kc_symbol *sym;

	if (!name)
		return NULL;
	sym = kc_sym_constant(kc, name);
	if (sym)
		return sym;
	for (sym = kc->hash[kc_sym_bucket(kc, name)]; sym; sym = sym->hash_next)
		if (sym->name && !strcmp(sym->name, name) && !(sym->flags & KC_SYMBOL_CONST))
			return sym;
	return NULL;
}

/* ---- small queries ---- */

static bool kc_is_612(const struct kconfig *kc)
{
	return kc->dialect == KC_DIALECT_6_12;
}

bool kc_sym_is_choice(struct kc_symbol *sym)
{
	return sym->flags & KC_SYMBOL_CHOICE;
}

bool kc_sym_is_choice_value(struct kc_symbol *sym)
{
	return sym->flags & KC_SYMBOL_CHOICEVAL;
}

bool kc_sym_is_optional(struct kc_symbol *sym)
{
	return sym->flags & KC_SYMBOL_OPTIONAL;
}

bool kc_sym_has_value(struct kc_symbol *sym)
{
	return sym->flags & KC_SYMBOL_DEF_USER;
}

kc_tristate kc_sym_get_tristate_value(struct kc_symbol *sym)
{
	return sym->curr.tri;
}

bool kc_sym_is_changeable(struct kc_symbol *sym)
{
	/* conf 6.1; 6.12 also answers false for a choice symbol (check kc_sym_is_choice) */
	return sym->visible > sym->rev_dep.tri;
}

enum kc_type kc_sym_get_type(struct kconfig *kc, struct kc_symbol *sym)
{
	enum kc_type type = sym->type;

	if (type == KC_S_TRISTATE) {
		if (!kc_is_612(kc) && kc_sym_is_choice_value(sym) && sym->visible == KC_YES)
			type = KC_S_BOOLEAN;
		else if (kc->modules_val == KC_NO)
			type = KC_S_BOOLEAN;
	}
	return type;
}

const char *kc_sym_type_name(enum kc_type type)
{
	switch (type) {
	case KC_S_BOOLEAN:
		return "bool";
	case KC_S_TRISTATE:
		return "tristate";
	case KC_S_INT:
		return "integer";
	case KC_S_HEX:
		return "hex";
	case KC_S_STRING:
		return "string";
	case KC_S_UNKNOWN:
		return "unknown";
	}
	return "???";
}

const char *kc_prop_type_name(enum kc_prop_type type)
{
	switch (type) {
	case KC_P_PROMPT:
		return "prompt";
	case KC_P_COMMENT:
		return "comment";
	case KC_P_MENU:
		return "menu";
	case KC_P_DEFAULT:
		return "default";
	case KC_P_CHOICE:
		return "choice";
	case KC_P_SELECT:
		return "select";
	case KC_P_IMPLY:
		return "imply";
	case KC_P_RANGE:
		return "range";
	case KC_P_SYMBOL:
		return "symbol";
	case KC_P_UNKNOWN:
		break;
	}
	return "unknown";
}

/* The symbol of a "default X", "select X" or choice link (conf's prop_get_symbol). */
struct kc_symbol *kc_prop_get_symbol(struct kc_property *prop)
{
	if (prop->expr && (prop->expr->type == KC_E_SYMBOL || prop->expr->type == KC_E_LIST))
		return prop->expr->left.sym;
	return NULL;
}

struct kc_property *kc_sym_get_choice_prop(struct kc_symbol *sym)
{
	for (struct kc_property *prop = sym->prop; prop; prop = prop->next)
		if (prop->type == KC_P_CHOICE)
			return prop;
	return NULL;
}

/* 6.1: the choice symbol a member belongs to */
static struct kc_symbol *kc_sym_choice_of(struct kc_symbol *sym)
{
	struct kc_property *prop = kc_sym_get_choice_prop(sym);

	return prop ? kc_prop_get_symbol(prop) : NULL;
}

/* First property of type whose condition is not n (evaluates each visible.tri). */
static struct kc_property *kc_sym_first_active(struct kconfig *kc, struct kc_symbol *sym,
					       enum kc_prop_type type)
{
	for (struct kc_property *prop = sym->prop; prop; prop = prop->next) {
		if (prop->type != type)
			continue;
		prop->visible.tri = kc_expr_calc_value(kc, prop->visible.expr);
		if (prop->visible.tri != KC_NO)
			return prop;
	}
	return NULL;
}

struct kc_property *kc_sym_get_default_prop(struct kconfig *kc, struct kc_symbol *sym)
{
	return kc_sym_first_active(kc, sym, KC_P_DEFAULT);
}

struct kc_property *kc_sym_get_range_prop(struct kconfig *kc, struct kc_symbol *sym)
{
	return kc_sym_first_active(kc, sym, KC_P_RANGE);
}

/* ---- change tracking ---- */

void kc_sym_set_changed(struct kconfig *kc, struct kc_symbol *sym)
{
	if (!kc_is_612(kc))
		sym->flags |= KC_SYMBOL_CHANGED;
	for (struct kc_property *prop = sym->prop; prop; prop = prop->next)
		if (prop->menu)
			prop->menu->flags |= KC_MENU_CHANGED;
}

void kc_sym_set_all_changed(struct kconfig *kc)
{
	struct kc_symbol *sym;
	unsigned int i;

	kc_for_all_symbols(kc, i, sym)
		kc_sym_set_changed(kc, sym);
}

/* ---- ranges ---- */

static int kc_sym_base(const struct kc_symbol *sym, int fallback)
{
	switch (sym->type) {
	case KC_S_INT:
		return 10;
	case KC_S_HEX:
		return 16;
	default:
		return fallback;
	}
}

static long long kc_sym_get_range_val(struct kconfig *kc, struct kc_symbol *sym, int base)
{
	kc_sym_calc_value(kc, sym);
	return strtoll(sym->curr.val, NULL, kc_sym_base(sym, base));
}

/* Clamp an int/hex value into its active range (spelled like the bound). */
static void kc_sym_validate_range(struct kconfig *kc, struct kc_symbol *sym)
{
	struct kc_property *prop;
	struct kc_symbol *range_sym;
	long long val, val2;
	int base = kc_sym_base(sym, 0);

	if (!base)
		return;
	prop = kc_sym_get_range_prop(kc, sym);
	if (!prop)
		return;
	val = strtoll(sym->curr.val, NULL, base);
	range_sym = prop->expr->left.sym;
	val2 = kc_sym_get_range_val(kc, range_sym, base);
	if (val >= val2) {
		range_sym = prop->expr->right.sym;
		val2 = kc_sym_get_range_val(kc, range_sym, base);
		if (val <= val2)
			return;
	}
	sym->curr.val = range_sym->curr.val;
}

/* ---- visibility ---- */

static void kc_sym_update_tri(struct kconfig *kc, struct kc_symbol *sym, kc_tristate *slot,
			      kc_tristate tri)
{
	if (tri == KC_MOD && kc_sym_get_type(kc, sym) == KC_S_BOOLEAN)
		tri = KC_YES;
	if (*slot != tri) {
		*slot = tri;
		kc_sym_set_changed(kc, sym);
	}
}

static void kc_sym_calc_visibility(struct kconfig *kc, struct kc_symbol *sym)
{
	struct kc_symbol *choice_sym = NULL;
	kc_tristate tri = KC_NO;

	if (!kc_is_612(kc) && kc_sym_is_choice_value(sym))
		choice_sym = kc_sym_choice_of(sym);

	/* every property with a text: prompts, and a menuconfig's P_MENU */
	for (struct kc_property *prop = sym->prop; prop; prop = prop->next) {
		if (!prop->text)
			continue;
		prop->visible.tri = kc_expr_calc_value(kc, prop->visible.expr);
		/* 6.1: tristate members visible as m are hidden when the choice is y */
		if (choice_sym && sym->type == KC_S_TRISTATE &&
		    prop->visible.tri == KC_MOD && choice_sym->curr.tri == KC_YES)
			prop->visible.tri = KC_NO;
		tri = KC_EXPR_OR(tri, prop->visible.tri);
	}
	if (tri == KC_MOD && (sym->type != KC_S_TRISTATE || kc->modules_val == KC_NO))
		tri = KC_YES;
	if (sym->visible != tri) {
		sym->visible = tri;
		kc_sym_set_changed(kc, sym);
	}
	if (kc_sym_is_choice_value(sym))
		return;
	kc_sym_update_tri(kc, sym, &sym->dir_dep.tri,
			  sym->dir_dep.expr ? kc_expr_calc_value(kc, sym->dir_dep.expr) : KC_YES);
	kc_sym_update_tri(kc, sym, &sym->rev_dep.tri,
			  sym->rev_dep.expr ? kc_expr_calc_value(kc, sym->rev_dep.expr) : KC_NO);
	kc_sym_update_tri(kc, sym, &sym->implied.tri,
			  sym->implied.expr ? kc_expr_calc_value(kc, sym->implied.expr) : KC_NO);
}

/* ---- choices, 6.1 ---- */

struct kc_symbol *kc_sym_choice_default(struct kconfig *kc, struct kc_symbol *choice)
{
	struct kc_property *prop;
	struct kc_symbol *def_sym;

	if (kc_is_612(kc)) {
		struct kc_menu *menu = NULL;

		for (prop = choice->prop; prop && !menu; prop = prop->next)
			menu = prop->menu;
		return menu ? kc_sym_choice_menu_default(kc, menu) : NULL;
	}
	for (prop = choice->prop; prop; prop = prop->next) {
		if (prop->type != KC_P_DEFAULT)
			continue;
		prop->visible.tri = kc_expr_calc_value(kc, prop->visible.expr);
		if (prop->visible.tri == KC_NO)
			continue;
		def_sym = kc_prop_get_symbol(prop);
		if (def_sym->visible != KC_NO)
			return def_sym;
	}
	prop = kc_sym_get_choice_prop(choice);
	for (struct kc_expr *e = prop ? prop->expr : NULL; e; e = e->left.expr)
		if (e->right.sym->visible != KC_NO)
			return e->right.sym;
	return NULL;
}

static struct kc_symbol *kc_sym_calc_choice_61(struct kconfig *kc, struct kc_symbol *sym)
{
	struct kc_property *prop = kc_sym_get_choice_prop(sym);
	unsigned int flags = sym->flags;
	struct kc_symbol *def_sym;

	/* the user's choice only stands if every visible member has a user value */
	for (struct kc_expr *e = prop ? prop->expr : NULL; e; e = e->left.expr) {
		kc_sym_calc_visibility(kc, e->right.sym);
		if (e->right.sym->visible != KC_NO)
			flags &= e->right.sym->flags;
	}
	sym->flags &= flags | ~KC_SYMBOL_DEF_USER;

	def_sym = (struct kc_symbol *)sym->def[KC_DEF_USER].val;
	if (def_sym && def_sym->visible != KC_NO)
		return def_sym;
	def_sym = kc_sym_choice_default(kc, sym);
	if (!def_sym)
		sym->curr.tri = KC_NO;
	return def_sym;
}

void kc_set_all_choice_values(struct kconfig *kc, struct kc_symbol *csym)
{
	struct kc_property *prop = kc_sym_get_choice_prop(csym);

	(void)kc;
	for (struct kc_expr *e = prop ? prop->expr : NULL; e; e = e->left.expr)
		if (!kc_sym_has_value(e->right.sym))
			e->right.sym->def[KC_DEF_USER].tri = KC_NO;
	csym->flags |= KC_SYMBOL_DEF_USER;
	csym->flags &= ~(KC_SYMBOL_VALID | KC_SYMBOL_NEED_SET_CHOICE_VALUES);
}

/* ---- choices, 6.12 ---- */

struct kc_menu *kc_sym_get_choice_menu(struct kconfig *kc, struct kc_symbol *sym)
{
	struct kc_menu *menu = NULL;

	if (!kc_is_612(kc)) {
		struct kc_symbol *cs = kc_sym_is_choice_value(sym) ? kc_sym_choice_of(sym) : NULL;

		for (struct kc_property *p = cs ? cs->prop : NULL; p; p = p->next)
			if (p->menu)
				return p->menu;
		return NULL;
	}
	/* the first definition with a prompt (P_SYMBOL: one per definition, in order) */
	for (struct kc_property *p = sym->prop; p; p = p->next)
		if (p->type == KC_P_SYMBOL && p->menu && p->menu->prompt) {
			menu = p->menu;
			break;
		}
	if (!menu)
		return NULL;
	do {
		menu = menu->parent;
	} while (menu && !menu->sym);
	if (menu && menu->sym && kc_sym_is_choice(menu->sym))
		return menu;
	return NULL;
}

struct kc_symbol *kc_sym_choice_menu_default(struct kconfig *kc, struct kc_menu *choice)
{
	struct kc_symbol *def_sym;

	for (struct kc_property *prop = choice->sym->prop; prop; prop = prop->next) {
		if (prop->type != KC_P_DEFAULT)
			continue;
		prop->visible.tri = kc_expr_calc_value(kc, prop->visible.expr);
		if (prop->visible.tri == KC_NO)
			continue;
		def_sym = kc_prop_get_symbol(prop);
		if (def_sym->visible != KC_NO)
			return def_sym;
	}
	for (struct kc_menu *m = kc_menu_next(choice, choice); m; m = kc_menu_next(m, choice))
		if (m->sym && m->sym->visible != KC_NO)
			return m->sym;
	return NULL;
}

static bool kc_sym_user_says(struct kc_symbol *sym, kc_tristate val)
{
	return kc_sym_has_value(sym) && sym->def[KC_DEF_USER].tri == val;
}

/*
 * 6.12: the chosen member is the first visible one (by priority) the user
 * set to y; else the default unless the user said n; else the first
 * visible member without a user value; else the least prioritised visible.
 */
struct kc_symbol *kc_sym_calc_choice(struct kconfig *kc, struct kc_menu *choice)
{
	struct kc_symbol *res = NULL, *sym;
	struct kc_menu *m;

	for (sym = choice->choice_first; sym; sym = sym->choice_next) {
		kc_sym_calc_visibility(kc, sym);
		if (sym->visible == KC_NO)
			continue;
		if (kc_sym_user_says(sym, KC_YES)) {
			res = sym;
			break;
		}
	}
	if (!res) {
		res = kc_sym_choice_menu_default(kc, choice);
		if (res && kc_sym_user_says(res, KC_NO))
			res = NULL;
	}
	for (m = kc_menu_next(choice, choice); !res && m; m = kc_menu_next(m, choice)) {
		sym = m->sym;
		if (sym && sym->visible != KC_NO && !kc_sym_has_value(sym))
			res = sym;
	}
	for (sym = choice->choice_last; !res && sym; sym = sym->choice_prev)
		if (sym->visible != KC_NO)
			res = sym;

	for (m = kc_menu_next(choice, choice); m; m = kc_menu_next(m, choice)) {
		kc_tristate val;

		sym = m->sym;
		if (!sym || sym->visible == KC_NO)
			continue;
		val = sym == res ? KC_YES : KC_NO;
		if (sym->curr.tri != val)
			kc_sym_set_changed(kc, sym);
		sym->curr.tri = val;
		sym->flags |= KC_SYMBOL_VALID | KC_SYMBOL_WRITE;
	}
	return res;
}

void kc_choice_prioritize(struct kc_menu *choice, struct kc_symbol *sym)
{
	if (choice->choice_first == sym)
		return;
	/* unlink */
	if (sym->choice_prev)
		sym->choice_prev->choice_next = sym->choice_next;
	if (sym->choice_next)
		sym->choice_next->choice_prev = sym->choice_prev;
	if (choice->choice_last == sym)
		choice->choice_last = sym->choice_prev;
	/* push front */
	sym->choice_prev = NULL;
	sym->choice_next = choice->choice_first;
	if (choice->choice_first)
		choice->choice_first->choice_prev = sym;
	choice->choice_first = sym;
	if (!choice->choice_last)
		choice->choice_last = sym;
}

void kc_choice_set_value(struct kconfig *kc, struct kc_menu *choice, struct kc_symbol *sym)
{
	bool changed = false;

	for (struct kc_menu *m = kc_menu_next(choice, choice); m; m = kc_menu_next(m, choice)) {
		kc_tristate val;

		if (!m->sym || m->sym->visible == KC_NO)
			continue;
		val = m->sym == sym ? KC_YES : KC_NO;
		if (m->sym->curr.tri != val)
			changed = true;
		m->sym->def[KC_DEF_USER].tri = val;
		m->sym->flags |= KC_SYMBOL_DEF_USER;
		/* explicitly set: highest priority, the last one set first */
		kc_choice_prioritize(choice, m->sym);
	}
	if (changed)
		kc_sym_clear_all_valid(kc);
}

/* ---- value calculation ---- */

static void kc_sym_warn_unmet_dep(struct kconfig *kc, struct kc_symbol *sym)
{
	char *dep = kc_expr_to_string_values(kc, sym->dir_dep.expr);
	char *sel_y = kc_expr_revdep_to_string(kc, sym->rev_dep.expr, KC_YES, "  Selected by [y]:\n");
	char *sel_m = kc_expr_revdep_to_string(kc, sym->rev_dep.expr, KC_MOD, "  Selected by [m]:\n");
	size_t n;
	char *msg = NULL;

	if (dep && sel_y && sel_m) {
		n = strlen(sym->name) + strlen(dep) + strlen(sel_y) + strlen(sel_m) + 96;
		msg = malloc(n);
	}
	if (msg) {
		snprintf(msg, n, "WARNING: unmet direct dependencies detected for %s\n"
			 "  Depends on [%c]: %s\n%s%s", sym->name,
			 sym->dir_dep.tri == KC_MOD ? 'm' : 'n', dep, sel_y, sel_m);
		n = strlen(msg);
		if (n && msg[n - 1] == '\n')
			msg[n - 1] = '\0';
		kc_diag(kc, KCONFIG_DIAG_WARNING, NULL, 0, "%s", msg);
	} else {
		kc_diag(kc, KCONFIG_DIAG_WARNING, NULL, 0,
			"WARNING: unmet direct dependencies detected for %s", sym->name);
	}
	free(msg);
	free(dep);
	free(sel_y);
	free(sel_m);
	kc->sym_warnings++;
}

/* bool/tristate part of kc_sym_calc_value; newval holds the start value */
static kc_tristate kc_sym_calc_tristate(struct kconfig *kc, struct kc_symbol *sym,
					kc_tristate val)
{
	struct kc_property *prop;

	if (sym->visible != KC_NO && kc_sym_has_value(sym)) {
		/* visible and set by the user: that, within the visibility */
		val = KC_EXPR_AND(sym->def[KC_DEF_USER].tri, sym->visible);
	} else {
		if (sym->rev_dep.tri != KC_NO)
			sym->flags |= KC_SYMBOL_WRITE;
		if (!kc_sym_is_choice(sym)) {
			prop = kc_sym_get_default_prop(kc, sym);
			if (prop) {
				val = KC_EXPR_AND(kc_expr_calc_value(kc, prop->expr),
						  prop->visible.tri);
				if (val != KC_NO)
					sym->flags |= KC_SYMBOL_WRITE;
			}
			if (sym->implied.tri != KC_NO) {
				sym->flags |= KC_SYMBOL_WRITE;
				val = KC_EXPR_OR(val, sym->implied.tri);
				val = KC_EXPR_AND(val, sym->dir_dep.tri);
			}
		}
	}
	if (sym->dir_dep.tri < sym->rev_dep.tri)
		kc_sym_warn_unmet_dep(kc, sym);
	return KC_EXPR_OR(val, sym->rev_dep.tri);
}

void kc_sym_calc_value(struct kconfig *kc, struct kc_symbol *sym)
{
	struct kc_symbol_value newval, oldval;
	struct kc_property *prop;
	bool v612 = kc_is_612(kc);

	if (!sym || (sym->flags & KC_SYMBOL_VALID))
		return;

	if (!v612 && kc_sym_is_choice_value(sym) &&
	    (sym->flags & KC_SYMBOL_NEED_SET_CHOICE_VALUES)) {
		sym->flags &= ~KC_SYMBOL_NEED_SET_CHOICE_VALUES;
		kc_sym_calc_value(kc, kc_sym_choice_of(sym));
	}

	sym->flags |= KC_SYMBOL_VALID;
	oldval = sym->curr;
	newval.tri = KC_NO;

	switch (sym->type) {
	case KC_S_INT:
		newval.val = v612 ? "0" : "";
		break;
	case KC_S_HEX:
		newval.val = v612 ? "0x0" : "";
		break;
	case KC_S_STRING:
		newval.val = "";
		break;
	case KC_S_BOOLEAN:
	case KC_S_TRISTATE:
		newval.val = "n";
		break;
	default:
		sym->curr.val = sym->name;
		sym->curr.tri = KC_NO;
		return;
	}
	sym->flags &= ~KC_SYMBOL_WRITE;

	kc_sym_calc_visibility(kc, sym);
	if (sym->visible != KC_NO)
		sym->flags |= KC_SYMBOL_WRITE;

	/* what a recursive evaluation sees */
	sym->curr = newval;

	switch (kc_sym_get_type(kc, sym)) {
	case KC_S_BOOLEAN:
	case KC_S_TRISTATE:
		if (v612) {
			struct kc_menu *choice = kc_sym_get_choice_menu(kc, sym);

			if (choice) {
				kc_sym_calc_choice(kc, choice);
				newval.tri = sym->curr.tri;
			} else {
				newval.tri = kc_sym_calc_tristate(kc, sym, newval.tri);
			}
		} else if (kc_sym_is_choice_value(sym) && sym->visible == KC_YES) {
			struct kc_symbol *cs = kc_sym_choice_of(sym);

			newval.tri = (struct kc_symbol *)cs->curr.val == sym ? KC_YES : KC_NO;
		} else {
			newval.tri = kc_sym_calc_tristate(kc, sym, newval.tri);
		}
		if (newval.tri == KC_MOD && kc_sym_get_type(kc, sym) == KC_S_BOOLEAN)
			newval.tri = KC_YES;
		break;
	case KC_S_STRING:
	case KC_S_HEX:
	case KC_S_INT:
		if (sym->visible != KC_NO && kc_sym_has_value(sym)) {
			newval.val = sym->def[KC_DEF_USER].val;
			break;
		}
		prop = kc_sym_get_default_prop(kc, sym);
		if (prop) {
			struct kc_symbol *ds = kc_prop_get_symbol(prop);

			if (ds) {
				sym->flags |= KC_SYMBOL_WRITE;
				kc_sym_calc_value(kc, ds);
				newval.val = ds->curr.val;
			}
		}
		break;
	default:
		break;
	}

	sym->curr = newval;
	if (!v612 && kc_sym_is_choice(sym) && newval.tri == KC_YES)
		sym->curr.val = (const char *)kc_sym_calc_choice_61(kc, sym);
	kc_sym_validate_range(kc, sym);

	if (oldval.val != sym->curr.val || oldval.tri != sym->curr.tri) {
		kc_sym_set_changed(kc, sym);
		if (kc->modules_sym == sym) {
			kc_sym_set_all_changed(kc);
			kc->modules_val = kc->modules_sym->curr.tri;
		}
	}

	if (v612) {
		if (kc_sym_is_choice(sym))
			sym->flags &= ~KC_SYMBOL_WRITE;
		return;
	}

	if (kc_sym_is_choice(sym)) {
		struct kc_property *cprop = kc_sym_get_choice_prop(sym);

		for (struct kc_expr *e = cprop ? cprop->expr : NULL; e; e = e->left.expr) {
			struct kc_symbol *cv = e->right.sym;

			if ((sym->flags & KC_SYMBOL_WRITE) && cv->visible != KC_NO)
				cv->flags |= KC_SYMBOL_WRITE;
			if (sym->flags & KC_SYMBOL_CHANGED)
				kc_sym_set_changed(kc, cv);
		}
	}
	if (sym->flags & KC_SYMBOL_NO_WRITE)
		sym->flags &= ~KC_SYMBOL_WRITE;
	if (sym->flags & KC_SYMBOL_NEED_SET_CHOICE_VALUES)
		kc_set_all_choice_values(kc, sym);
}

void kc_sym_clear_all_valid(struct kconfig *kc)
{
	struct kc_symbol *sym;
	unsigned int i;

	kc_for_all_symbols(kc, i, sym)
		sym->flags &= ~KC_SYMBOL_VALID;
	if (kc_is_612(kc))
		kc_expr_invalidate_all(kc);
	kc->conf_changed = true;
	kc_sym_calc_value(kc, kc->modules_sym);
}

/* ---- setting values ---- */

bool kc_sym_tristate_within_range(struct kconfig *kc, struct kc_symbol *sym, kc_tristate val)
{
	enum kc_type type = kc_sym_get_type(kc, sym);

	if (sym->visible == KC_NO)
		return false;
	if (type != KC_S_BOOLEAN && type != KC_S_TRISTATE)
		return false;
	if (type == KC_S_BOOLEAN && val == KC_MOD)
		return false;
	if (sym->visible <= sym->rev_dep.tri)
		return false;
	if (!kc_is_612(kc) && kc_sym_is_choice_value(sym) && sym->visible == KC_YES)
		return val == KC_YES;
	return val >= sym->rev_dep.tri && val <= sym->visible;
}

bool kc_sym_set_tristate_value(struct kconfig *kc, struct kc_symbol *sym, kc_tristate val)
{
	kc_tristate oldval = kc_sym_get_tristate_value(sym);

	if (kc_is_612(kc)) {
		if (!kc_sym_tristate_within_range(kc, sym, val))
			return false;
		if (!(sym->flags & KC_SYMBOL_DEF_USER) || sym->def[KC_DEF_USER].tri != val) {
			sym->def[KC_DEF_USER].tri = val;
			sym->flags |= KC_SYMBOL_DEF_USER;
			kc_sym_set_changed(kc, sym);
		}
		if (oldval != val)
			kc_sym_clear_all_valid(kc);
		return true;
	}

	if (oldval != val && !kc_sym_tristate_within_range(kc, sym, val))
		return false;
	if (!(sym->flags & KC_SYMBOL_DEF_USER)) {
		sym->flags |= KC_SYMBOL_DEF_USER;
		kc_sym_set_changed(kc, sym);
	}
	/* choosing a member also marks the choice and its visible members as set */
	if (kc_sym_is_choice_value(sym) && val == KC_YES) {
		struct kc_symbol *cs = kc_sym_choice_of(sym);
		struct kc_property *prop = kc_sym_get_choice_prop(cs);

		cs->def[KC_DEF_USER].val = (const char *)sym;
		cs->flags |= KC_SYMBOL_DEF_USER;
		for (struct kc_expr *e = prop ? prop->expr : NULL; e; e = e->left.expr)
			if (e->right.sym->visible != KC_NO)
				e->right.sym->flags |= KC_SYMBOL_DEF_USER;
	}
	sym->def[KC_DEF_USER].tri = val;
	if (oldval != val)
		kc_sym_clear_all_valid(kc);
	return true;
}

static bool kc_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool kc_is_xdigit(int c)
{
	return kc_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool kc_sym_string_valid(struct kc_symbol *sym, const char *str)
{
	char ch;

	switch (sym->type) {
	case KC_S_STRING:
		return true;
	case KC_S_INT:
		ch = *str++;
		if (ch == '-')
			ch = *str++;
		if (!kc_is_digit(ch))
			return false;
		if (ch == '0' && *str != 0)
			return false;
		while ((ch = *str++))
			if (!kc_is_digit(ch))
				return false;
		return true;
	case KC_S_HEX:
		if (str[0] == '0' && (str[1] == 'x' || str[1] == 'X'))
			str += 2;
		ch = *str++;
		do {
			if (!kc_is_xdigit(ch))
				return false;
		} while ((ch = *str++));
		return true;
	case KC_S_BOOLEAN:
	case KC_S_TRISTATE:
		return str[0] && strchr("yYmMnN", str[0]);
	default:
		return false;
	}
}

static int kc_tristate_letter(char c, kc_tristate *out)
{
	switch (c) {
	case 'y':
	case 'Y':
		*out = KC_YES;
		return 0;
	case 'm':
	case 'M':
		*out = KC_MOD;
		return 0;
	case 'n':
	case 'N':
		*out = KC_NO;
		return 0;
	}
	return -1;
}

bool kc_sym_string_within_range(struct kconfig *kc, struct kc_symbol *sym, const char *str)
{
	struct kc_property *prop;
	long long val;
	kc_tristate tri;
	int base;

	switch (sym->type) {
	case KC_S_STRING:
		return kc_sym_string_valid(sym, str);
	case KC_S_INT:
	case KC_S_HEX:
		if (!kc_sym_string_valid(sym, str))
			return false;
		prop = kc_sym_get_range_prop(kc, sym);
		if (!prop)
			return true;
		base = sym->type == KC_S_INT ? 10 : 16;
		val = strtoll(str, NULL, base);
		return val >= kc_sym_get_range_val(kc, prop->expr->left.sym, base) &&
		       val <= kc_sym_get_range_val(kc, prop->expr->right.sym, base);
	case KC_S_BOOLEAN:
	case KC_S_TRISTATE:
		if (kc_tristate_letter(str[0], &tri))
			return false;
		return kc_sym_tristate_within_range(kc, sym, tri);
	default:
		return false;
	}
}

bool kc_sym_set_string_value(struct kconfig *kc, struct kc_symbol *sym, const char *newval)
{
	const char *oldval;
	kc_tristate tri;
	char *val;

	switch (sym->type) {
	case KC_S_BOOLEAN:
	case KC_S_TRISTATE:
		if (kc_tristate_letter(newval[0], &tri))
			return false;
		return kc_sym_set_tristate_value(kc, sym, tri);
	default:
		break;
	}
	if (!kc_sym_string_within_range(kc, sym, newval))
		return false;
	if (!(sym->flags & KC_SYMBOL_DEF_USER)) {
		sym->flags |= KC_SYMBOL_DEF_USER;
		kc_sym_set_changed(kc, sym);
	}
	oldval = sym->def[KC_DEF_USER].val;
	if (sym->type == KC_S_HEX && (newval[0] != '0' || (newval[1] != 'x' && newval[1] != 'X'))) {
		/* hex values are kept with their 0x */
		size_t n = strlen(newval);

		val = kc_arena_alloc(&kc->arena, n + 3);
		if (!val)
			return false;
		memcpy(val, "0x", 2);
		memcpy(val + 2, newval, n + 1);
	} else if (!oldval || strcmp(oldval, newval)) {
		val = kc_arena_strdup(&kc->arena, newval);
		if (!val)
			return false;
	} else {
		return true;
	}
	sym->def[KC_DEF_USER].val = val;
	kc_sym_clear_all_valid(kc);
	return true;
}

/* ---- reading values ---- */

const char *kc_sym_get_string_value(struct kconfig *kc, struct kc_symbol *sym)
{
	(void)kc;
	switch (sym->type) {
	case KC_S_BOOLEAN:
	case KC_S_TRISTATE:
		switch (kc_sym_get_tristate_value(sym)) {
		case KC_NO:
			return "n";
		case KC_MOD:
			return "m";
		case KC_YES:
			return "y";
		}
		break;
	default:
		break;
	}
	return sym->curr.val;
}

/*
 * The value the symbol would have without a user value (savedefconfig
 * compares against it).  Like conf, a default further limited by a range
 * is not clamped.
 */
const char *kc_sym_get_string_default(struct kconfig *kc, struct kc_symbol *sym)
{
	struct kc_property *prop;
	const char *str = "";
	kc_tristate val = KC_NO;

	kc_sym_calc_visibility(kc, sym);
	kc_sym_calc_value(kc, kc->modules_sym);
	prop = kc_sym_get_default_prop(kc, sym);
	if (prop) {
		switch (sym->type) {
		case KC_S_BOOLEAN:
		case KC_S_TRISTATE:
			val = KC_EXPR_AND(kc_expr_calc_value(kc, prop->expr), prop->visible.tri);
			break;
		default: {
			struct kc_symbol *ds = kc_prop_get_symbol(prop);

			if (ds) {
				kc_sym_calc_value(kc, ds);
				str = ds->curr.val;
			}
		}
		}
	}
	val = KC_EXPR_OR(val, sym->rev_dep.tri);
	if (val == KC_MOD && !kc_sym_is_choice_value(sym) && kc->modules_sym->curr.tri == KC_NO)
		val = KC_YES;
	if (sym->type == KC_S_BOOLEAN && val == KC_MOD)
		val = KC_YES;
	if (val < sym->implied.tri)
		val = sym->implied.tri;
	switch (sym->type) {
	case KC_S_BOOLEAN:
	case KC_S_TRISTATE:
		return val == KC_NO ? "n" : val == KC_MOD ? "m" : "y";
	case KC_S_INT:
	case KC_S_HEX:
	case KC_S_STRING:
		return str;
	default:
		return "";
	}
}

/* ---- recursive dependency check ---- */

/*
 * The check walks dependencies depth first and keeps the path on the C
 * stack (conf's dep_stack), so a cycle can be reported as a chain.
 */
struct kc_dep_stack {
	struct kc_dep_stack *prev, *next;
	struct kc_symbol *sym;
	struct kc_property *prop;
	struct kc_expr **expr;
};

struct kc_depcheck {
	struct kconfig *kc;
	struct kc_dep_stack *top;
};

static void kc_dep_push(struct kc_depcheck *dc, struct kc_dep_stack *stack, struct kc_symbol *sym)
{
	memset(stack, 0, sizeof(*stack));
	if (dc->top)
		dc->top->next = stack;
	stack->prev = dc->top;
	stack->sym = sym;
	dc->top = stack;
}

static void kc_dep_pop(struct kc_depcheck *dc)
{
	dc->top = dc->top->prev;
	if (dc->top)
		dc->top->next = NULL;
}

static const char *kc_nm(const struct kc_symbol *sym)
{
	return sym->name ? sym->name : "<choice>";
}

static struct kc_menu *kc_sym_first_menu(struct kc_symbol *sym)
{
	for (struct kc_property *p = sym->prop; p; p = p->next)
		if (p->menu)
			return p->menu;
	return NULL;
}

static void kc_dep_line(struct kconfig *kc, const char *file, int line, const char *fmt,
			const char *a, const char *b, const char *c)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), fmt, a, b, c);
	kc_diag(kc, KCONFIG_DIAG_INFO, file, line, "%s", msg);
}

/* 6.1: every line with the file:line of the property or menu involved */
static void kc_dep_print_61(struct kc_depcheck *dc, struct kc_dep_stack *stack,
			    struct kc_symbol *last_sym)
{
	struct kconfig *kc = dc->kc;

	for (; stack; stack = stack->next) {
		struct kc_symbol *sym = stack->sym;
		struct kc_symbol *next_sym = stack->next ? stack->next->sym : last_sym;
		struct kc_property *prop = stack->prop ? stack->prop : sym->prop;
		struct kc_menu *menu = NULL;
		const char *file = prop ? prop->file : NULL;
		int line = prop ? prop->lineno : 0;

		if (kc_sym_is_choice(sym) || kc_sym_is_choice_value(sym)) {
			for (prop = sym->prop; prop; prop = prop->next) {
				menu = prop->menu;
				if (menu)
					break;
			}
			file = prop ? prop->file : NULL;
			line = prop ? prop->lineno : 0;
		}
		if (stack->sym == last_sym)
			kc_diag(kc, KCONFIG_DIAG_ERROR, file, line, "recursive dependency detected!");
		if (kc_sym_is_choice(sym) || kc_sym_is_choice_value(sym)) {
			kc_dep_line(kc, menu ? menu->file : NULL, menu ? menu->lineno : 0,
				    kc_sym_is_choice(sym) ? "\tchoice %s contains symbol %s%s"
							  : "\tsymbol %s is part of choice %s%s",
				    kc_nm(sym), kc_nm(next_sym), "");
		} else if (stack->expr == &sym->dir_dep.expr) {
			kc_dep_line(kc, file, line, "\tsymbol %s depends on %s%s",
				    kc_nm(sym), kc_nm(next_sym), "");
		} else if (stack->expr == &sym->rev_dep.expr) {
			kc_dep_line(kc, file, line, "\tsymbol %s is selected by %s%s",
				    kc_nm(sym), kc_nm(next_sym), "");
		} else if (stack->expr == &sym->implied.expr) {
			kc_dep_line(kc, file, line, "\tsymbol %s is implied by %s%s",
				    kc_nm(sym), kc_nm(next_sym), "");
		} else if (stack->expr) {
			kc_dep_line(kc, file, line, "\tsymbol %s %s value contains %s",
				    kc_nm(sym), kc_prop_type_name(prop ? prop->type : KC_P_UNKNOWN),
				    kc_nm(next_sym));
		} else {
			kc_dep_line(kc, file, line, "\tsymbol %s %s is visible depending on %s",
				    kc_nm(sym), kc_prop_type_name(prop ? prop->type : KC_P_UNKNOWN),
				    kc_nm(next_sym));
		}
	}
}

/* 6.12: no file:line, except where a choice block is involved */
static void kc_dep_print_612(struct kc_depcheck *dc, struct kc_dep_stack *stack,
			     struct kc_symbol *last_sym)
{
	struct kconfig *kc = dc->kc;

	for (; stack; stack = stack->next) {
		struct kc_symbol *sym = stack->sym;
		struct kc_symbol *next_sym = stack->next ? stack->next->sym : last_sym;
		enum kc_prop_type type = stack->prop ? stack->prop->type : KC_P_UNKNOWN;
		char where[512];

		if (stack->sym == last_sym)
			kc_diag(kc, KCONFIG_DIAG_ERROR, NULL, 0, "recursive dependency detected!");
		if (kc_sym_is_choice(next_sym)) {
			struct kc_menu *choice = kc_sym_first_menu(next_sym);

			snprintf(where, sizeof(where), "%s:%d", choice ? choice->file : "",
				 choice ? choice->lineno : 0);
			kc_dep_line(kc, NULL, 0, "\tsymbol %s is part of choice block at %s%s",
				    kc_nm(sym), where, "");
		} else if (stack->expr == &sym->dir_dep.expr) {
			kc_dep_line(kc, NULL, 0, "\tsymbol %s depends on %s%s", kc_nm(sym),
				    kc_nm(next_sym), "");
		} else if (stack->expr == &sym->rev_dep.expr) {
			kc_dep_line(kc, NULL, 0, "\tsymbol %s is selected by %s%s", kc_nm(sym),
				    kc_nm(next_sym), "");
		} else if (stack->expr == &sym->implied.expr) {
			kc_dep_line(kc, NULL, 0, "\tsymbol %s is implied by %s%s", kc_nm(sym),
				    kc_nm(next_sym), "");
		} else if (stack->expr) {
			kc_dep_line(kc, NULL, 0, "\tsymbol %s %s value contains %s", kc_nm(sym),
				    kc_prop_type_name(type), kc_nm(next_sym));
		} else {
			kc_dep_line(kc, NULL, 0, "\tsymbol %s %s is visible depending on %s",
				    kc_nm(sym), kc_prop_type_name(type), kc_nm(next_sym));
		}
	}
}

static void kc_dep_print_recursive(struct kc_depcheck *dc, struct kc_symbol *last_sym)
{
	struct kconfig *kc = dc->kc;
	struct kc_dep_stack cv_stack, *stack;
	struct kc_symbol *choice = NULL;

	if (kc_is_612(kc)) {
		struct kc_menu *cm = kc_sym_get_choice_menu(kc, last_sym);

		choice = cm ? cm->sym : NULL;
	} else if (kc_sym_is_choice_value(last_sym)) {
		choice = kc_sym_choice_of(last_sym);
	}
	if (choice) {
		kc_dep_push(dc, &cv_stack, last_sym);
		last_sym = choice;
	}
	for (stack = dc->top; stack; stack = stack->prev)
		if (stack->sym == last_sym)
			break;
	if (!stack) {
		kc_diag(kc, KCONFIG_DIAG_ERROR, NULL, 0, "unexpected recursive dependency error");
		return;
	}
	if (kc_is_612(kc))
		kc_dep_print_612(dc, stack, last_sym);
	else
		kc_dep_print_61(dc, stack, last_sym);
	kc_diag(kc, KCONFIG_DIAG_INFO, NULL, 0,
		"For a resolution refer to Documentation/kbuild/kconfig-language.rst\n"
		"subsection \"Kconfig recursive dependency limitations\"\n");
	if (dc->top == &cv_stack)
		kc_dep_pop(dc);
}

static struct kc_symbol *kc_dep_check(struct kc_depcheck *dc, struct kc_symbol *sym);

/*
 * Subtrees are shared (a parent's deps in each child's conditions and
 * select terms), and the check of one that found nothing will never find
 * anything: every symbol in it is then checked and finished, a finished
 * symbol is never checked again (KC_SYMBOL_CHECKED is not cleared), and
 * only a symbol being checked (KC_SYMBOL_CHECK) makes a walk report.  So
 * such a subtree is marked and not walked again.
 */
static struct kc_symbol *kc_dep_check_expr(struct kc_depcheck *dc, struct kc_expr *e)
{
	struct kc_symbol *sym;

	if (!e || e->dep_checked)
		return NULL;
	switch (e->type) {
	case KC_E_OR:
	case KC_E_AND:
		sym = kc_dep_check_expr(dc, e->left.expr);
		if (!sym)
			sym = kc_dep_check_expr(dc, e->right.expr);
		e->dep_checked = !sym;
		return sym;
	case KC_E_NOT:
		sym = kc_dep_check_expr(dc, e->left.expr);
		e->dep_checked = !sym;
		return sym;
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
	case KC_E_LTH:
	case KC_E_LEQ:
	case KC_E_GTH:
	case KC_E_GEQ:
		sym = kc_dep_check(dc, e->left.sym);
		return sym ? sym : kc_dep_check(dc, e->right.sym);
	case KC_E_SYMBOL:
		return kc_dep_check(dc, e->left.sym);
	default:
		return NULL;
	}
}

static struct kc_symbol *kc_dep_check_sym(struct kc_depcheck *dc, struct kc_symbol *sym)
{
	struct kc_dep_stack stack;
	struct kc_symbol *sym2;

	kc_dep_push(dc, &stack, sym);
	stack.expr = &sym->dir_dep.expr;
	sym2 = kc_dep_check_expr(dc, sym->dir_dep.expr);
	if (sym2)
		goto out;
	stack.expr = &sym->rev_dep.expr;
	sym2 = kc_dep_check_expr(dc, sym->rev_dep.expr);
	if (sym2)
		goto out;
	stack.expr = &sym->implied.expr;
	sym2 = kc_dep_check_expr(dc, sym->implied.expr);
	if (sym2)
		goto out;
	stack.expr = NULL;
	for (struct kc_property *prop = sym->prop; prop; prop = prop->next) {
		if (prop->type == KC_P_CHOICE || prop->type == KC_P_SELECT ||
		    prop->type == KC_P_IMPLY)
			continue;
		/* 6.12's conf links menus without a P_SYMBOL property */
		if (prop->type == KC_P_SYMBOL && kc_is_612(dc->kc))
			continue;
		stack.prop = prop;
		sym2 = kc_dep_check_expr(dc, prop->visible.expr);
		if (sym2)
			break;
		if (prop->type != KC_P_DEFAULT || kc_sym_is_choice(sym))
			continue;
		stack.expr = &prop->expr;
		sym2 = kc_dep_check_expr(dc, prop->expr);
		if (sym2)
			break;
		stack.expr = NULL;
	}
out:
	kc_dep_pop(dc);
	return sym2;
}

/* Visit the members of a choice (6.1: P_CHOICE list; 6.12: entries below its menu). */
#define KC_MEMBERS_SET 1
#define KC_MEMBERS_CLEAR 2
static struct kc_symbol *kc_dep_members(struct kc_depcheck *dc, struct kc_symbol *choice,
					int what)
{
	struct kconfig *kc = dc->kc;
	struct kc_symbol *sym2 = NULL;

	if (kc_is_612(kc)) {
		struct kc_menu *cm = kc_sym_first_menu(choice);

		for (struct kc_menu *m = cm ? kc_menu_next(cm, cm) : NULL; m; m = kc_menu_next(m, cm)) {
			if (!m->sym)
				continue;
			if (what == KC_MEMBERS_SET)
				m->sym->flags |= KC_SYMBOL_CHECK | KC_SYMBOL_CHECKED;
			else if (what == KC_MEMBERS_CLEAR)
				m->sym->flags &= ~KC_SYMBOL_CHECK;
			else if ((sym2 = kc_dep_check_sym(dc, m->sym)))
				break;
		}
		return sym2;
	}
	struct kc_property *prop = kc_sym_get_choice_prop(choice);

	for (struct kc_expr *e = prop ? prop->expr : NULL; e; e = e->left.expr) {
		struct kc_symbol *sym = e->right.sym;

		if (what == KC_MEMBERS_SET)
			sym->flags |= KC_SYMBOL_CHECK | KC_SYMBOL_CHECKED;
		else if (what == KC_MEMBERS_CLEAR)
			sym->flags &= ~KC_SYMBOL_CHECK;
		else if ((sym2 = kc_dep_check_sym(dc, sym)))
			break;
	}
	return sym2;
}

static struct kc_symbol *kc_dep_check_choice(struct kc_depcheck *dc, struct kc_symbol *choice)
{
	struct kconfig *kc = dc->kc;
	struct kc_dep_stack stack;
	struct kc_symbol *sym2;

	kc_dep_push(dc, &stack, choice);
	kc_dep_members(dc, choice, KC_MEMBERS_SET);
	choice->flags |= KC_SYMBOL_CHECK | KC_SYMBOL_CHECKED;
	sym2 = kc_dep_check_sym(dc, choice);
	choice->flags &= ~KC_SYMBOL_CHECK;
	if (!sym2)
		sym2 = kc_dep_members(dc, choice, 0);
	kc_dep_members(dc, choice, KC_MEMBERS_CLEAR);
	if (sym2) {
		if (kc_is_612(kc)) {
			struct kc_menu *c2 = kc_sym_get_choice_menu(kc, sym2);

			if (c2 && c2 == kc_sym_first_menu(choice))
				sym2 = choice;
		} else if (kc_sym_is_choice_value(sym2) && kc_sym_choice_of(sym2) == choice) {
			sym2 = choice;
		}
	}
	kc_dep_pop(dc);
	return sym2;
}

static struct kc_symbol *kc_dep_check(struct kc_depcheck *dc, struct kc_symbol *sym)
{
	struct kconfig *kc = dc->kc;
	struct kc_symbol *sym2, *choice = NULL;

	if (sym->flags & KC_SYMBOL_CHECK) {
		kc_dep_print_recursive(dc, sym);
		return sym;
	}
	if (sym->flags & KC_SYMBOL_CHECKED)
		return NULL;

	if (kc_is_612(kc)) {
		struct kc_menu *cm = kc_sym_get_choice_menu(kc, sym);

		choice = cm ? cm->sym : NULL;
	} else if (kc_sym_is_choice_value(sym)) {
		choice = kc_sym_choice_of(sym);
	}
	if (choice) {
		struct kc_dep_stack stack;

		/* a member is checked through its choice */
		kc_dep_push(dc, &stack, sym);
		sym2 = kc_dep_check(dc, choice);
		kc_dep_pop(dc);
	} else if (kc_sym_is_choice(sym)) {
		sym2 = kc_dep_check_choice(dc, sym);
	} else {
		sym->flags |= KC_SYMBOL_CHECK | KC_SYMBOL_CHECKED;
		sym2 = kc_dep_check_sym(dc, sym);
		sym->flags &= ~KC_SYMBOL_CHECK;
	}
	return sym2;
}

bool kc_sym_check_deps(struct kconfig *kc, struct kc_symbol *sym)
{
	struct kc_depcheck dc = { kc, NULL };

	return kc_dep_check(&dc, sym) != NULL;
}
