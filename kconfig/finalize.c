/*
 * finalize.c - turn the parsed menu tree into the one conf evaluates.
 *
 * Who calls it: kc_parse(), once, after the last statement (conf's
 * menu_finalize); the menu queries at the end are used by confdata.c
 * (.config writing walks the tree) and the targets.
 *
 * What it does, exactly as the kernel's scripts/kconfig/menu.c:
 *   - every entry's "depends on" gets the dependencies of its parents
 *     ('m' rewritten to 'm && MODULES', expressions simplified), and so
 *     does the condition of each of its properties;
 *   - select/imply build the target's rev_dep/implied ("A && cond");
 *   - the dir_dep of a symbol is the or of its definitions' deps;
 *   - entries following a symbol that depend on it become its children
 *     (automatic submenus; they shape the "# end of" lines of .config);
 *   - "if" blocks and promptless parents are flattened;
 *   - choices (6.1): member types, KC_SYMBOL_CHOICEVAL, the P_CHOICE
 *     member list, members of tristate choices depending on choice=y,
 *     and the "visible && m" reverse dependency of non-optional choices;
 *     choices (6.12): the member priority list.
 * The simplifications run in the dialect's way (expr.c): in place for
 * 6.1, on unique nodes for 6.12.  The work is linear in the tree, with
 * the expression simplifications dominating (~20,000 entries on arm);
 * propagation results are remembered (the memo below), which takes the
 * finalization of arm from ~340 to ~57 million instructions (6.1).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool kc_fin_612(const struct kconfig *kc)
{
	return kc->dialect == KC_DIALECT_6_12;
}

/* 'm' -> 'm && MODULES', so that m means n without modules */
static struct kc_expr *kc_fin_rewrite_m(struct kconfig *kc, struct kc_expr *e)
{
	if (!e)
		return e;
	switch (e->type) {
	case KC_E_NOT:
		if (kc_fin_612(kc))
			return kc_expr_alloc_one(kc, KC_E_NOT, kc_fin_rewrite_m(kc, e->left.expr));
		e->left.expr = kc_fin_rewrite_m(kc, e->left.expr);
		break;
	case KC_E_OR:
	case KC_E_AND:
		if (kc_fin_612(kc))
			return kc_expr_alloc_two(kc, e->type, kc_fin_rewrite_m(kc, e->left.expr),
						 kc_fin_rewrite_m(kc, e->right.expr));
		e->left.expr = kc_fin_rewrite_m(kc, e->left.expr);
		e->right.expr = kc_fin_rewrite_m(kc, e->right.expr);
		break;
	case KC_E_SYMBOL:
		if (e->left.sym == &kc->sym_mod)
			return kc_expr_alloc_and(kc, e, kc_expr_alloc_symbol(kc, kc->modules_sym));
		break;
	default:
		break;
	}
	return e;
}

/*
 * The propagation memo (6.1).  eliminate_dups of "parent deps && own
 * deps" is the costliest step of conf's finalization (it compares the
 * leaves pairwise, and repeats until nothing changes), and most entries
 * repeat a pair already seen: siblings under one "if", properties without
 * a condition of their own.  The result depends only on the two trees'
 * values and on the symbols' types (joins need bool or tristate), so it
 * is kept by value and a repeat gets the same result tree.
 *
 * Sharing is safe because a propagation result is never rewritten: the
 * in-place simplifications of 6.1 run only on an entry's own deps before
 * its propagation and on fresh trees (copies, trans_compare's output);
 * everything else (children's propagation, select terms, submenu tests,
 * evaluation) reads it or copies it.  So the base (a parent's result)
 * and the result are kept by pointer; only the own deps, which
 * eliminate_dups rewrites, are kept as a copy in the memo's arena.  An
 * entry is forgotten when a symbol gets a type after it was made.
 *
 * 6.12's nodes are unique and never change, so there the input is known
 * by its node ("base && own deps" is one node): the memo maps that
 * pointer to the result, and eliminate_dups is a function of it.
 */
#define KC_FIN_MEMO_BUCKETS 4096

struct kc_fin_memo_entry {
	struct kc_fin_memo_entry *next;
	uint64_t hash;
	const struct kc_expr *base;	/* the parent's deps (shared) */
	struct kc_expr *e;		/* 6.1: the own deps before propagation (a copy);
					   6.12: the whole input node */
	struct kc_expr *out;		/* the result (shared) */
	unsigned int type_gen;		/* kc->type_gen when made: valid while equal */
};

struct kc_fin_memo {
	struct kc_arena arena;
	const struct kc_expr *last_base;	/* siblings share a base: its hash, once */
	uint64_t last_base_hash;
	struct kc_fin_memo_entry *bucket[KC_FIN_MEMO_BUCKETS];
};

/* a copy of e in the memo's arena; false when memory runs out */
static bool kc_fin_memo_copy(struct kconfig *kc, struct kc_fin_memo *memo,
			     const struct kc_expr *e, struct kc_expr **out)
{
	struct kc_arena *saved = kc->expr_scratch;
	bool saved_active = kc->expr_scratch_active;

	kc->expr_scratch = &memo->arena;
	kc->expr_scratch_active = true;
	*out = kc_expr_copy(kc, e);
	kc->expr_scratch = saved;
	kc->expr_scratch_active = saved_active;
	return *out || !e;
}

static uint64_t kc_fin_memo_hash(struct kc_fin_memo *memo, const struct kc_expr *base,
				 const struct kc_expr *e)
{
	if (!memo->last_base || memo->last_base != base) {
		memo->last_base = base;
		memo->last_base_hash = kc_expr_tree_hash(base);
	}
	return memo->last_base_hash * 0x9e3779b97f4a7c15ULL ^ kc_expr_tree_hash(e);
}

static struct kc_fin_memo_entry *kc_fin_memo_find(struct kc_fin_memo *memo, uint64_t hash,
						  unsigned int type_gen,
						  const struct kc_expr *base,
						  const struct kc_expr *e)
{
	struct kc_fin_memo_entry *m = memo->bucket[hash % KC_FIN_MEMO_BUCKETS];

	for (; m; m = m->next)
		if (m->hash == hash && m->type_gen == type_gen && kc_expr_tree_equal(m->base, base) &&
		    kc_expr_tree_equal(m->e, e))
			return m;
	return NULL;
}

/* 6.12: eliminate_dups of the unique node in, remembered by its address */
static struct kc_expr *kc_fin_propagate_612(struct kconfig *kc, struct kc_fin_memo *memo,
					    struct kc_expr *in)
{
	uint64_t hash = (uint64_t)(uintptr_t)in * 0x9e3779b97f4a7c15ULL;
	struct kc_fin_memo_entry *m;
	struct kc_expr *out;

	hash ^= hash >> 29;
	for (m = memo->bucket[hash % KC_FIN_MEMO_BUCKETS]; m; m = m->next)
		if (m->e == in && m->type_gen == kc->type_gen)
			return m->out;
	out = kc_expr_eliminate_dups(kc, in);
	m = kc_arena_alloc(&memo->arena, sizeof(*m));
	if (m) {
		m->hash = hash;
		m->type_gen = kc->type_gen;
		m->base = NULL;
		m->e = in;
		m->out = out;
		m->next = memo->bucket[hash % KC_FIN_MEMO_BUCKETS];
		memo->bucket[hash % KC_FIN_MEMO_BUCKETS] = m;
	}
	return out;
}

/*
 * rewrite_m, transform, and with the base, eliminate_dups: conf's
 * propagation step.  base_fixed: base is a propagation result made with
 * the current symbol types (its leaves need no comparing among themselves).
 */
static struct kc_expr *kc_fin_propagate(struct kconfig *kc, struct kc_expr *base, bool base_fixed,
					struct kc_expr *e)
{
	struct kc_fin_memo *memo = kc->fin_memo;
	struct kc_fin_memo_entry *m = NULL;
	struct kc_expr *out;
	uint64_t hash = 0;

	e = kc_fin_rewrite_m(kc, e);
	e = kc_expr_transform(kc, e);
	if (memo && kc_fin_612(kc))
		return kc_fin_propagate_612(kc, memo, kc_expr_alloc_and(kc, base, e));
	if (memo) {
		hash = kc_fin_memo_hash(memo, base, e);
		m = kc_fin_memo_find(memo, hash, kc->type_gen, base, e);
		if (m)
			return m->out;
		/* eliminate_dups rewrites e in place: keep it first */
		m = kc_arena_alloc(&memo->arena, sizeof(*m));
		if (m && !kc_fin_memo_copy(kc, memo, e, &m->e))
			m = NULL;	/* out of memory: not remembered */
	}
	struct kc_expr *b = kc_expr_copy(kc, base);

	out = kc_expr_eliminate_dups_fixed(kc, kc_expr_alloc_and(kc, b, e), base_fixed ? b : NULL);
	if (m) {
		m->hash = hash;
		m->type_gen = kc->type_gen;
		m->base = base;
		m->out = out;
		m->next = memo->bucket[hash % KC_FIN_MEMO_BUCKETS];
		memo->bucket[hash % KC_FIN_MEMO_BUCKETS] = m;
	}
	return out;
}

/* ---- property checks (warnings only) ---- */

static void kc_fin_prop_warn(struct kconfig *kc, struct kc_property *prop, const char *fmt,
			     const char *a, const char *b)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, a, b);
	kc_diag(kc, KCONFIG_DIAG_WARNING, prop->file, prop->lineno, "%s", msg);
}

static bool kc_fin_valid_number(struct kc_symbol *sym, struct kc_symbol *sym2)
{
	return sym2->type == KC_S_INT || sym2->type == KC_S_HEX ||
	       (sym2->type == KC_S_UNKNOWN && kc_sym_string_valid(sym, sym2->name));
}

static bool kc_fin_in_choice(struct kconfig *kc, struct kc_symbol *choice, struct kc_symbol *sym2)
{
	if (kc_fin_612(kc)) {
		struct kc_menu *cm = kc_sym_get_choice_menu(kc, sym2);

		return cm && cm->sym == choice;
	}
	struct kc_property *cp = kc_sym_get_choice_prop(sym2);

	return cp && kc_prop_get_symbol(cp) == choice;
}

static void kc_fin_check_prop(struct kconfig *kc, struct kc_symbol *sym)
{
	const char *name = sym->name ? sym->name : "<choice>";

	for (struct kc_property *prop = sym->prop; prop; prop = prop->next) {
		struct kc_symbol *sym2;

		switch (prop->type) {
		case KC_P_DEFAULT:
			if ((sym->type == KC_S_STRING || sym->type == KC_S_INT ||
			     sym->type == KC_S_HEX) && prop->expr->type != KC_E_SYMBOL)
				kc_fin_prop_warn(kc, prop, "default for config symbol '%s' must be a single symbol",
						 name, NULL);
			if (prop->expr->type != KC_E_SYMBOL)
				break;
			sym2 = kc_prop_get_symbol(prop);
			if ((sym->type == KC_S_HEX || sym->type == KC_S_INT) &&
			    !kc_fin_valid_number(sym, sym2))
				kc_fin_prop_warn(kc, prop, "'%s': number is invalid", name, NULL);
			if (kc_sym_is_choice(sym) && !kc_fin_in_choice(kc, sym, sym2))
				kc_fin_prop_warn(kc, prop,
						 "choice default symbol '%s' is not contained in the choice",
						 sym2->name ? sym2->name : "<choice>", NULL);
			break;
		case KC_P_SELECT:
		case KC_P_IMPLY: {
			const char *use = prop->type == KC_P_SELECT ? "select" : "imply";

			sym2 = kc_prop_get_symbol(prop);
			if (sym->type != KC_S_BOOLEAN && sym->type != KC_S_TRISTATE)
				kc_fin_prop_warn(kc, prop, "config symbol '%s' uses %s, but is not bool or tristate",
						 name, use);
			else if (sym2->type != KC_S_UNKNOWN && sym2->type != KC_S_BOOLEAN &&
				 sym2->type != KC_S_TRISTATE)
				kc_fin_prop_warn(kc, prop, "'%s' has wrong type. '%s' only accept arguments of bool and tristate type",
						 sym2->name ? sym2->name : "<choice>", use);
			break;
		}
		case KC_P_RANGE:
			if (sym->type != KC_S_INT && sym->type != KC_S_HEX)
				kc_fin_prop_warn(kc, prop, "range is only allowed for int or hex symbols",
						 NULL, NULL);
			if (!kc_fin_valid_number(sym, prop->expr->left.sym) ||
			    !kc_fin_valid_number(sym, prop->expr->right.sym))
				kc_fin_prop_warn(kc, prop, "range is invalid", NULL, NULL);
			break;
		default:
			break;
		}
	}
}

/* ---- the pass ---- */

/* 6.1: members without a type take the choice's; a typeless choice takes its first member's */
static void kc_fin_choice_types(struct kconfig *kc, struct kc_menu *parent)
{
	struct kc_symbol *sym = parent->sym;
	struct kc_menu *menu;

	if (sym->type == KC_S_UNKNOWN) {
		for (menu = parent->list; menu; menu = menu->next)
			if (menu->sym && menu->sym->type != KC_S_UNKNOWN) {
				kc_menu_set_type(kc, parent, menu->sym->type);
				break;
			}
	}
	for (menu = parent->list; menu; menu = menu->next)
		if (menu->sym && menu->sym->type == KC_S_UNKNOWN)
			kc_menu_set_type(kc, menu, sym->type);
}

/* dependencies of parent into each child and each of its properties; select/imply */
static void kc_fin_children_deps(struct kconfig *kc, struct kc_menu *parent,
				 struct kc_expr *parentdep)
{
	unsigned int fixed_gen = kc->fin_memo ? kc->type_gen + 1 : 0;
	bool parent_fixed = fixed_gen && parentdep == parent->dep &&
			    parent->dep_fixed_gen == fixed_gen;

	for (struct kc_menu *menu = parent->list; menu; menu = menu->next) {
		struct kc_expr *basedep = kc_fin_propagate(kc, parentdep, parent_fixed, menu->dep);
		struct kc_property *prop;

		menu->dep = basedep;
		menu->dep_fixed_gen = fixed_gen;
		prop = menu->sym ? menu->sym->prop : menu->prompt;
		for (; prop; prop = prop->next) {
			struct kc_expr *dep;
			struct kc_symbol *es;

			/* properties of another definition are handled there */
			if (prop->menu != menu)
				continue;
			dep = kc_fin_propagate(kc, basedep, fixed_gen && menu->dep_fixed_gen == kc->type_gen + 1,
					       prop->visible.expr);
			prop->visible.expr = dep;
			if (prop->type != KC_P_SELECT && prop->type != KC_P_IMPLY)
				continue;
			es = kc_prop_get_symbol(prop);
			/* conf copies dep; it is never rewritten (see the memo above): share it */
			struct kc_expr *term = kc_expr_alloc_and(kc, kc_expr_alloc_symbol(kc, menu->sym),
								 dep);
			if (prop->type == KC_P_SELECT)
				es->rev_dep.expr = kc_expr_alloc_or(kc, es->rev_dep.expr, term);
			else
				es->implied.expr = kc_expr_alloc_or(kc, es->implied.expr, term);
		}
	}
}

static void kc_fin_menu(struct kconfig *kc, struct kc_menu *parent, bool inside_choice);

/* would kc_expr_transform() of a comparison in e warn (a bool tested for m)? */
static bool kc_fin_may_warn(const struct kc_expr *e)
{
	if (!e)
		return false;
	switch (e->type) {
	case KC_E_AND:
	case KC_E_OR:
		return kc_fin_may_warn(e->left.expr) || kc_fin_may_warn(e->right.expr);
	case KC_E_NOT:
		return kc_fin_may_warn(e->left.expr);
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
		return e->left.sym->type == KC_S_BOOLEAN && e->right.sym->name &&
		       !strcmp(e->right.sym->name, "m");
	default:
		return false;
	}
}

/* the prompt condition an automatic submenu's entries are compared with */
static struct kc_expr *kc_fin_submenu_base(struct kconfig *kc, struct kc_expr *visible)
{
	struct kc_expr *e = kc_expr_trans_compare(kc, visible, KC_E_UNEQUAL, &kc->sym_no);

	return kc_expr_eliminate_dups(kc, kc_expr_transform(kc, e));
}

/*
 * Following entries that depend on sym become its children: dep contains
 * sym and either depends on it absolutely or is a superset of sym's
 * prompt condition.
 */
static void kc_fin_auto_submenu(struct kconfig *kc, struct kc_menu *parent)
{
	struct kc_symbol *sym = parent->sym;
	struct kc_expr *basedep, *dep, *dep2;
	struct kc_menu *menu, *last_menu = NULL;
	/*
	 * The expressions built to decide are thrown away (conf frees
	 * them).  6.1 builds private nodes: put them in a local arena.
	 * 6.12's nodes are shared and must stay in the context's arena.
	 */
	struct kc_arena tmp = { 0 };
	struct kc_arena *saved_scratch = kc->expr_scratch;
	bool saved_active = kc->expr_scratch_active;
	bool local = !kc_fin_612(kc);
	bool basedep_raw = false;	/* basedep not yet made (still the prompt's condition) */

	if (local) {
		kc->expr_scratch = &tmp;
		kc->expr_scratch_active = true;
	}
	/*
	 * conf computes basedep first; it is needed only when a following
	 * entry mentions sym without depending on it, so it waits for that
	 * (most symbols are followed by an entry that does not mention them),
	 * unless making it warns (a bool compared with m).
	 */
	basedep = parent->prompt ? parent->prompt->visible.expr : NULL;
	if (kc_fin_may_warn(basedep))
		basedep = kc_fin_submenu_base(kc, basedep);
	else
		basedep_raw = true;

	for (menu = parent->next; menu; menu = menu->next) {
		dep = menu->prompt ? menu->prompt->visible.expr : menu->dep;
		if (!kc_expr_contains_symbol(dep, sym))
			break;
		if (!kc_expr_depends_symbol(dep, sym)) {
			if (basedep_raw) {
				basedep = kc_fin_submenu_base(kc, basedep);
				basedep_raw = false;
			}
			dep = kc_expr_trans_compare(kc, dep, KC_E_UNEQUAL, &kc->sym_no);
			dep = kc_expr_eliminate_dups(kc, kc_expr_transform(kc, dep));
			dep2 = kc_expr_copy(kc, basedep);
			kc_expr_eliminate_eq(kc, &dep, &dep2);
			if (!kc_expr_is_yes(kc, dep2))
				break;
		}
		/* the entry itself is finalized into the context's arena */
		kc->expr_scratch = saved_scratch;
		kc->expr_scratch_active = saved_active;
		kc_fin_menu(kc, menu, false);
		if (local) {
			kc->expr_scratch = &tmp;
			kc->expr_scratch_active = true;
		}
		menu->parent = parent;
		last_menu = menu;
	}
	kc->expr_scratch = saved_scratch;
	kc->expr_scratch_active = saved_active;
	kc_arena_free(&tmp);
	if (last_menu) {
		parent->list = parent->next;
		parent->next = last_menu->next;
		last_menu->next = NULL;
	}
	sym->dir_dep.expr = kc_expr_alloc_or(kc, sym->dir_dep.expr, parent->dep);
}

/* conf's menu_add_symbol(P_CHOICE, ...) on a member entry, then the list link */
static void kc_fin_link_member_61(struct kconfig *kc, struct kc_menu *menu, struct kc_symbol *choice)
{
	struct kc_property *prop, **pp, *cprop;
	struct kc_expr **ep;

	prop = kc_arena_alloc(&kc->arena, sizeof(*prop));
	if (!prop)
		return;
	prop->type = KC_P_CHOICE;
	prop->menu = menu;
	prop->file = menu->file;
	prop->lineno = menu->lineno;
	prop->expr = kc_expr_alloc_symbol(kc, choice);
	for (pp = &menu->sym->prop; *pp; pp = &(*pp)->next)
		;
	*pp = prop;

	cprop = kc_sym_get_choice_prop(choice);
	if (!cprop)
		return;
	for (ep = &cprop->expr; *ep; ep = &(*ep)->left.expr)
		;
	*ep = kc_expr_alloc_one(kc, KC_E_LIST, NULL);
	if (*ep)
		(*ep)->right.sym = menu->sym;
}

static void kc_fin_choice_member_61(struct kconfig *kc, struct kc_menu *parent, struct kc_menu *menu)
{
	struct kc_symbol *sym = parent->sym;
	struct kc_property *prop;

	menu->sym->flags |= KC_SYMBOL_CHOICEVAL;
	if (!menu->prompt)
		kc_diag(kc, KCONFIG_DIAG_WARNING, menu->file, menu->lineno,
			"choice value must have a prompt");
	for (prop = menu->sym->prop; prop; prop = prop->next) {
		if (prop->type == KC_P_DEFAULT)
			kc_diag(kc, KCONFIG_DIAG_WARNING, prop->file, prop->lineno,
				"defaults for choice values not supported");
		if (prop->menu == menu)
			continue;
		if (prop->type == KC_P_PROMPT && prop->menu->parent->sym != sym)
			kc_diag(kc, KCONFIG_DIAG_WARNING, prop->file, prop->lineno,
				"choice value used outside its choice group");
	}
	/* bool members of a tristate choice need the choice at y */
	if (sym->type == KC_S_TRISTATE && menu->sym->type != KC_S_TRISTATE) {
		struct kc_expr *basedep = kc_expr_alloc_comp(kc, KC_E_EQUAL, sym, &kc->sym_yes);

		menu->dep = kc_expr_alloc_and(kc, basedep, menu->dep);
		menu->dep_fixed_gen = 0;	/* no longer an eliminate_dups result */
		for (prop = menu->sym->prop; prop; prop = prop->next) {
			if (prop->menu != menu)
				continue;
			prop->visible.expr = kc_expr_alloc_and(kc, kc_expr_copy(kc, basedep),
							       prop->visible.expr);
		}
	}
	kc_fin_link_member_61(kc, menu, sym);
}

/* if blocks and promptless entries give their children to their parent */
static void kc_fin_flatten(struct kc_menu *parent, struct kc_menu *menu)
{
	struct kc_menu *last;

	if (!menu->list || (menu->prompt && menu->prompt->text))
		return;
	for (last = menu->list;; last = last->next) {
		last->parent = parent;
		if (!last->next)
			break;
	}
	last->next = menu->next;
	menu->next = menu->list;
	menu->list = NULL;
}

static void kc_fin_menu(struct kconfig *kc, struct kc_menu *parent, bool inside_choice)
{
	struct kc_symbol *sym = parent->sym;
	bool v612 = kc_fin_612(kc);
	bool is_choice = sym && kc_sym_is_choice(sym);
	struct kc_menu *menu;

	if (parent->list) {
		struct kc_expr *parentdep = parent->dep;

		if (!v612 && is_choice) {
			kc_fin_choice_types(kc, parent);
			/* the choice's mode bounds its members */
			parentdep = kc_expr_alloc_symbol(kc, sym);
		}
		kc_fin_children_deps(kc, parent, parentdep);
		for (menu = parent->list; menu; menu = menu->next)
			kc_fin_menu(kc, menu, is_choice);
	} else if (sym && (!v612 || !inside_choice)) {
		kc_fin_auto_submenu(kc, parent);
	}

	for (menu = parent->list; menu; menu = menu->next) {
		if (!v612 && is_choice && menu->sym && !kc_sym_is_choice_value(menu->sym))
			kc_fin_choice_member_61(kc, parent, menu);
		kc_fin_flatten(parent, menu);
	}

	if (sym && !(sym->flags & KC_SYMBOL_WARNED)) {
		if (sym->type == KC_S_UNKNOWN)
			kc_diag(kc, KCONFIG_DIAG_WARNING, parent->file, parent->lineno,
				"config symbol defined without type");
		if (!v612 && is_choice && !parent->prompt)
			kc_diag(kc, KCONFIG_DIAG_WARNING, parent->file, parent->lineno,
				"choice must have a prompt");
		kc_fin_check_prop(kc, sym);
		sym->flags |= KC_SYMBOL_WARNED;
	}

	/*
	 * 6.1: a non-optional choice can't be n while visible: a reverse
	 * dependency "visible && m".  (conf tests every symbol but sets
	 * SYMBOL_OPTIONAL on all config symbols, so only choices qualify.)
	 */
	if (!v612 && is_choice && !kc_sym_is_optional(sym) && parent->prompt)
		sym->rev_dep.expr = kc_expr_alloc_or(kc, sym->rev_dep.expr,
						     kc_expr_alloc_and(kc, parent->prompt->visible.expr,
								       kc_expr_alloc_symbol(kc, &kc->sym_mod)));
}

/* 6.1: conf's parser gives each choice an empty P_CHOICE property; make sure it exists */
static void kc_fin_choice_props_61(struct kconfig *kc)
{
	struct kc_menu *root = &kc->rootmenu;

	for (struct kc_menu *m = kc_menu_next(root, root); m; m = kc_menu_next(m, root)) {
		struct kc_property *prop, **pp;

		if (!m->sym || !kc_sym_is_choice(m->sym) || kc_sym_get_choice_prop(m->sym))
			continue;
		prop = kc_arena_alloc(&kc->arena, sizeof(*prop));
		if (!prop)
			continue;
		prop->type = KC_P_CHOICE;
		prop->menu = m;
		prop->file = m->file;
		prop->lineno = m->lineno;
		for (pp = &m->sym->prop; *pp; pp = &(*pp)->next)
			;
		*pp = prop;
	}
}

/* 6.12: members in parse order, as conf's parser links them (first choice wins) */
static void kc_fin_choice_members_612(struct kconfig *kc)
{
	struct kc_menu *root = &kc->rootmenu;

	for (struct kc_menu *c = kc_menu_next(root, root); c; c = kc_menu_next(c, root)) {
		if (!c->sym || !kc_sym_is_choice(c->sym))
			continue;
		for (struct kc_menu *m = kc_menu_next(c, c); m; m = kc_menu_next(m, c)) {
			struct kc_symbol *s = m->sym;

			if (!s || kc_sym_is_choice(s) || (s->flags & KC_SYMBOL_CHOICEVAL))
				continue;
			s->flags |= KC_SYMBOL_CHOICEVAL;
			s->choice_prev = c->choice_last;
			s->choice_next = NULL;
			if (c->choice_last)
				c->choice_last->choice_next = s;
			else
				c->choice_first = s;
			c->choice_last = s;
		}
	}
}

int kc_menu_finalize(struct kconfig *kc)
{
	struct kc_arena scratch = { 0 };
	struct kc_fin_memo *memo = NULL;

	if (kc_fin_612(kc))
		kc_fin_choice_members_612(kc);
	else
		kc_fin_choice_props_61(kc);
	memo = calloc(1, sizeof(*memo));	/* none: conf's way, only slower */
	kc->expr_scratch = &scratch;
	kc->fin_memo = memo;
	kc_fin_menu(kc, &kc->rootmenu, false);
	kc->fin_memo = NULL;
	kc->expr_scratch = NULL;
	kc_arena_free(&scratch);
	if (memo) {
		kc_arena_free(&memo->arena);
		free(memo);
	}
	return 0;
}

/*
 * conf_parse's recursion check after menu_finalize: 6.1 checks symbols in
 * hash order, 6.12 in menu order; the first symbol checked decides where
 * a reported cycle starts.  Returns the number of cycles reported.
 */
int kc_check_all_deps(struct kconfig *kc)
{
	struct kc_menu *root = &kc->rootmenu;
	int n = 0;

	if (kc_fin_612(kc)) {
		for (struct kc_menu *m = kc_menu_next(root, root); m; m = kc_menu_next(m, root))
			if (m->sym && kc_sym_check_deps(kc, m->sym))
				n++;
	} else {
		struct kc_symbol *sym;
		unsigned int i;

		kc_for_all_symbols(kc, i, sym)
			if (kc_sym_check_deps(kc, sym))
				n++;
	}
	return n;
}

/* ---- menu queries ---- */

bool kc_menu_has_prompt(struct kc_menu *menu)
{
	return menu->prompt != NULL;
}

const char *kc_menu_get_prompt(struct kc_menu *menu)
{
	if (menu->prompt)
		return menu->prompt->text;
	if (menu->sym)
		return menu->sym->name;
	return NULL;
}

bool kc_menu_is_visible(struct kconfig *kc, struct kc_menu *menu)
{
	struct kc_symbol *sym = menu->sym;
	kc_tristate visible;

	if (!menu->prompt)
		return false;
	if (menu->visibility && kc_expr_calc_value(kc, menu->visibility) == KC_NO)
		return false;
	if (sym) {
		kc_sym_calc_value(kc, sym);
		visible = menu->prompt->visible.tri;
	} else {
		visible = menu->prompt->visible.tri =
			kc_expr_calc_value(kc, menu->prompt->visible.expr);
	}
	if (visible != KC_NO)
		return true;
	if (!sym || kc_sym_get_tristate_value(sym) == KC_NO)
		return false;
	for (struct kc_menu *child = menu->list; child; child = child->next) {
		if (kc_menu_is_visible(kc, child)) {
			/* 6.1 marks the symbol as set by the user here */
			if (kc->dialect != KC_DIALECT_6_12)
				sym->flags |= KC_SYMBOL_DEF_USER;
			return true;
		}
	}
	return false;
}
