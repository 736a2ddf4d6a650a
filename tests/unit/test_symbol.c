/*
 * test_symbol.c - unit tests of expr.c, symbol.c and finalize.c.
 *
 * Each test builds a small Kconfig model through the same menu API the
 * parser uses (so it does not depend on the parser), finalizes it and
 * checks values, flags, warnings and the shape of the menu tree.  The
 * expected values were derived by running the kernel's own conf (6.1
 * and 6.12) on the equivalent Kconfig text, which is quoted above each
 * test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "kconfig/query.h"

/* ---- a tiny model builder ---- */

struct diags {
	char text[8192];
	int warnings, errors;
};

static void capture(void *payload, const struct kconfig_diag *d)
{
	struct diags *dg = payload;
	size_t n = strlen(dg->text);

	if (d->level == KCONFIG_DIAG_WARNING)
		dg->warnings++;
	if (d->level == KCONFIG_DIAG_ERROR)
		dg->errors++;
	if (d->file)
		snprintf(dg->text + n, sizeof(dg->text) - n, "%s:%d:%s\n", d->file, d->line,
			 d->message);
	else
		snprintf(dg->text + n, sizeof(dg->text) - n, "%s\n", d->message);
}

struct model {
	struct kconfig *kc;
	struct diags dg;
	int line;
};

static struct model *model_new(enum kc_dialect dialect)
{
	struct model *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->kc = calloc(1, sizeof(*m->kc));
	assert_non_null(m->kc);
	m->kc->dialect = dialect;
	m->kc->opts.diag = capture;
	m->kc->opts.diag_payload = &m->dg;
	kc_sym_init(m->kc);
	kc_menu_init(m->kc);
	m->line = 1;
	return m;
}

static void model_free(struct model *m)
{
	kc_arena_free(&m->kc->arena);
	free(m->kc);
	free(m);
}

static struct kc_symbol *S(struct model *m, const char *name)
{
	return kc_sym_lookup(m->kc, name, 0);
}

static struct kc_expr *E(struct model *m, const char *name)
{
	return kc_expr_alloc_symbol(m->kc, S(m, name));
}

static struct kc_expr *AND(struct model *m, struct kc_expr *a, struct kc_expr *b)
{
	return kc_expr_alloc_two(m->kc, KC_E_AND, a, b);
}

static struct kc_expr *OR(struct model *m, struct kc_expr *a, struct kc_expr *b)
{
	return kc_expr_alloc_two(m->kc, KC_E_OR, a, b);
}

static struct kc_expr *NOT(struct model *m, struct kc_expr *a)
{
	return kc_expr_alloc_one(m->kc, KC_E_NOT, a);
}

static struct kc_expr *CMP(struct model *m, enum kc_expr_type t, const char *a, const char *b)
{
	return kc_expr_alloc_comp(m->kc, t, S(m, a), S(m, b));
}

/* config NAME / type "prompt" (like parser.y's config_entry_start) */
static struct kc_symbol *config(struct model *m, const char *name, enum kc_type type,
				const char *prompt)
{
	struct kc_symbol *sym = S(m, name);

	sym->flags |= KC_SYMBOL_OPTIONAL;
	kc_menu_add_entry(m->kc, sym, "Kconfig", m->line);
	kc_menu_set_pos(m->kc, "Kconfig", m->line + 1);
	kc_menu_set_type(m->kc, kc_menu_current_entry(m->kc), type);
	if (prompt)
		kc_menu_add_prompt(m->kc, KC_P_PROMPT, prompt, NULL);
	m->line += 3;
	return sym;
}

static void depends(struct model *m, struct kc_expr *e)
{
	kc_menu_add_dep(m->kc, e);
}

static void def(struct model *m, struct kc_expr *e, struct kc_expr *cond)
{
	kc_menu_set_pos(m->kc, "Kconfig", m->line++);
	kc_menu_add_expr(m->kc, KC_P_DEFAULT, e, cond);
}

static void sel(struct model *m, enum kc_prop_type t, const char *name, struct kc_expr *cond)
{
	kc_menu_set_pos(m->kc, "Kconfig", m->line++);
	kc_menu_add_symbol(m->kc, t, S(m, name), cond);
}

static void range(struct model *m, const char *lo, const char *hi)
{
	kc_menu_add_expr(m->kc, KC_P_RANGE,
			 kc_expr_alloc_comp(m->kc, KC_E_RANGE, S(m, lo), S(m, hi)), NULL);
}

static struct kc_symbol *choice(struct model *m, enum kc_type type, const char *prompt)
{
	struct kc_symbol *sym = kc_sym_lookup(m->kc, NULL, KC_SYMBOL_CHOICE);

	sym->flags |= KC_SYMBOL_NO_WRITE;
	kc_menu_add_entry(m->kc, sym, "Kconfig", m->line);
	if (m->kc->dialect == KC_DIALECT_6_1)
		kc_menu_add_expr(m->kc, KC_P_CHOICE, NULL, NULL);
	kc_menu_set_type(m->kc, kc_menu_current_entry(m->kc), type);
	kc_menu_add_prompt(m->kc, KC_P_PROMPT, prompt, NULL);
	m->line += 2;
	return sym;
}

static void begin(struct model *m)
{
	kc_menu_add_menu(m->kc);
}

static void end(struct model *m)
{
	kc_menu_end_menu(m->kc);
}

static void if_block(struct model *m, struct kc_expr *cond)
{
	kc_menu_add_entry(m->kc, NULL, "Kconfig", m->line++);
	kc_menu_add_dep(m->kc, cond);
	kc_menu_add_menu(m->kc);
}

static void modules(struct model *m, struct kc_symbol *sym)
{
	m->kc->modules_sym = sym;
}

/* kc_parse's tail: finalize, recursion check, values; returns whether a cycle was found */
static bool finalize_cycles(struct model *m)
{
	struct kc_symbol *sym;
	unsigned int i;
	bool cycle;

	assert_int_equal(kc_menu_finalize(m->kc), 0);
	cycle = kc_check_all_deps(m->kc) > 0;
	kc_sym_clear_all_valid(m->kc);
	kc_for_all_symbols(m->kc, i, sym)
		kc_sym_calc_value(m->kc, sym);
	return cycle;
}

static void finalize(struct model *m)
{
	if (finalize_cycles(m))
		fail_msg("unexpected cycle: %s", m->dg.text);
}

static const char *val(struct model *m, const char *name)
{
	struct kc_symbol *sym = kc_sym_find(m->kc, name);

	assert_non_null(sym);
	kc_sym_calc_value(m->kc, sym);
	return kc_sym_get_string_value(m->kc, sym);
}

static bool written(struct model *m, const char *name)
{
	struct kc_symbol *sym = kc_sym_find(m->kc, name);

	kc_sym_calc_value(m->kc, sym);
	return sym->flags & KC_SYMBOL_WRITE;
}

/* "CONFIG_X=v" / "# CONFIG_X is not set" / "" (not written), as .config has it */
static const char *line(struct model *m, const char *name)
{
	static char buf[256];
	const char *v = val(m, name);

	if (!written(m, name))
		return "";
	if (!strcmp(v, "n"))
		snprintf(buf, sizeof(buf), "# CONFIG_%s is not set", name);
	else
		snprintf(buf, sizeof(buf), "CONFIG_%s=%s", name, v);
	return buf;
}

/* ---- tests ---- */

/*
 * config MODULES / bool "modules" / modules / default y
 * config A / bool "A" / default y
 * config B / bool / default y if A / default n
 * config C / tristate "C" / depends on A / default m
 * config D / bool "D" / depends on !A
 * config E / bool / select F
 * config F / bool "F" / depends on D
 * config G / bool "G" / default y / select F
 * config H / tristate "H" / imply I
 * config I / tristate "I"
 * config J / bool "J" / default m
 * config K / tristate "K" / default y if m
 * config L / tristate / default m
 */
static struct model *build_basic(enum kc_dialect dialect, bool modules_default)
{
	struct model *m = model_new(dialect);

	modules(m, config(m, "MODULES", KC_S_BOOLEAN, "modules"));
	if (modules_default)
		def(m, E(m, "y"), NULL);
	config(m, "A", KC_S_BOOLEAN, "A");
	def(m, E(m, "y"), NULL);
	config(m, "B", KC_S_BOOLEAN, NULL);
	def(m, E(m, "y"), E(m, "A"));
	def(m, E(m, "n"), NULL);
	config(m, "C", KC_S_TRISTATE, "C");
	depends(m, E(m, "A"));
	def(m, E(m, "m"), NULL);
	config(m, "D", KC_S_BOOLEAN, "D");
	depends(m, NOT(m, E(m, "A")));
	config(m, "E", KC_S_BOOLEAN, NULL);
	sel(m, KC_P_SELECT, "F", NULL);
	config(m, "F", KC_S_BOOLEAN, "F");
	depends(m, E(m, "D"));
	config(m, "G", KC_S_BOOLEAN, "G");
	def(m, E(m, "y"), NULL);
	sel(m, KC_P_SELECT, "F", NULL);
	config(m, "H", KC_S_TRISTATE, "H");
	sel(m, KC_P_IMPLY, "I", NULL);
	config(m, "I", KC_S_TRISTATE, "I");
	config(m, "J", KC_S_BOOLEAN, "J");
	def(m, E(m, "m"), NULL);
	config(m, "K", KC_S_TRISTATE, "K");
	def(m, E(m, "y"), E(m, "m"));
	config(m, "L", KC_S_TRISTATE, NULL);
	def(m, E(m, "m"), NULL);
	finalize(m);
	return m;
}

static void test_defaults_deps_select(void **state)
{
	(void)state;
	for (int d = KC_DIALECT_6_1; d <= KC_DIALECT_6_12; d++) {
		struct model *m = build_basic(d, true);

		assert_string_equal(line(m, "MODULES"), "CONFIG_MODULES=y");
		assert_string_equal(line(m, "A"), "CONFIG_A=y");
		assert_string_equal(line(m, "B"), "CONFIG_B=y");
		assert_string_equal(line(m, "C"), "CONFIG_C=m");
		assert_string_equal(line(m, "D"), "");		/* invisible, no default */
		assert_string_equal(line(m, "E"), "");
		assert_string_equal(line(m, "F"), "CONFIG_F=y");	/* selected despite D=n */
		assert_string_equal(line(m, "G"), "CONFIG_G=y");
		assert_string_equal(line(m, "H"), "# CONFIG_H is not set");
		assert_string_equal(line(m, "I"), "# CONFIG_I is not set");
		assert_string_equal(line(m, "J"), "CONFIG_J=y");	/* m on bool is y */
		assert_string_equal(line(m, "K"), "CONFIG_K=m");
		assert_string_equal(line(m, "L"), "CONFIG_L=m");
		assert_string_equal(m->dg.text,
			"WARNING: unmet direct dependencies detected for F\n"
			"  Depends on [n]: D [=n]\n"
			"  Selected by [y]:\n"
			"  - G [=y]\n");
		assert_false(kc_sym_is_changeable(kc_sym_find(m->kc, "F")));
		assert_true(kc_sym_is_changeable(kc_sym_find(m->kc, "A")));
		model_free(m);
	}
}

/* Same tree with MODULES=n: tristates become bool, m becomes y. */
static void test_without_modules(void **state)
{
	(void)state;
	for (int d = KC_DIALECT_6_1; d <= KC_DIALECT_6_12; d++) {
		struct model *m = build_basic(d, false);

		assert_string_equal(line(m, "MODULES"), "# CONFIG_MODULES is not set");
		assert_string_equal(line(m, "C"), "CONFIG_C=y");
		assert_string_equal(line(m, "K"), "# CONFIG_K is not set");	/* y if m: m is n */
		assert_string_equal(line(m, "L"), "CONFIG_L=y");
		assert_int_equal(kc_sym_get_type(m->kc, kc_sym_find(m->kc, "C")), KC_S_BOOLEAN);
		assert_false(kc_sym_set_tristate_value(m->kc, kc_sym_find(m->kc, "C"), KC_MOD));
		model_free(m);
	}
}

/* imply is weak: H=y gives I=y, but the user can still say I=n. */
static void test_imply(void **state)
{
	(void)state;
	for (int d = KC_DIALECT_6_1; d <= KC_DIALECT_6_12; d++) {
		struct model *m = build_basic(d, true);
		struct kc_symbol *h = kc_sym_find(m->kc, "H"), *i = kc_sym_find(m->kc, "I");

		assert_true(kc_sym_set_tristate_value(m->kc, h, KC_YES));
		assert_string_equal(val(m, "I"), "y");
		assert_true(kc_sym_is_changeable(i));
		assert_true(kc_sym_set_tristate_value(m->kc, i, KC_NO));
		assert_string_equal(val(m, "I"), "n");
		assert_true(kc_sym_set_tristate_value(m->kc, h, KC_MOD));
		assert_true(kc_sym_set_string_value(m->kc, i, "m"));
		assert_string_equal(val(m, "I"), "m");
		/* a selected symbol can't go below its selector */
		assert_false(kc_sym_set_tristate_value(m->kc, kc_sym_find(m->kc, "F"), KC_NO));
		model_free(m);
	}
}

static struct model *build_choices(enum kc_dialect dialect, struct kc_symbol **cs)
{
	struct model *m = model_new(dialect);

	modules(m, config(m, "MODULES", KC_S_BOOLEAN, "modules"));
	def(m, E(m, "y"), NULL);
	config(m, "X", KC_S_BOOLEAN, "X");
	cs[0] = choice(m, KC_S_BOOLEAN, "pick");
	def(m, E(m, "C2"), NULL);
	begin(m);
	config(m, "C1", KC_S_BOOLEAN, "C1");
	config(m, "C2", KC_S_BOOLEAN, "C2");
	depends(m, E(m, "X"));
	config(m, "C3", KC_S_BOOLEAN, "C3");
	end(m);
	cs[1] = choice(m, KC_S_BOOLEAN, "dep");
	depends(m, E(m, "X"));
	begin(m);
	config(m, "D1", KC_S_BOOLEAN, "D1");
	end(m);
	if (dialect == KC_DIALECT_6_1) {
		cs[2] = choice(m, KC_S_BOOLEAN, "opt");
		cs[2]->flags |= KC_SYMBOL_OPTIONAL;
		begin(m);
		config(m, "O1", KC_S_BOOLEAN, "O1");
		end(m);
		cs[3] = choice(m, KC_S_TRISTATE, "tri");
		def(m, E(m, "T2"), NULL);
		begin(m);
		config(m, "T1", KC_S_TRISTATE, "T1");
		config(m, "T2", KC_S_TRISTATE, "T2");
		end(m);
	}
	finalize(m);
	return m;
}

/*
 * config MODULES / bool "modules" / modules / default y
 * config X / bool "X"
 * choice / prompt "pick" / default C2
 *   config C1 / bool "C1"; config C2 / bool "C2" / depends on X; config C3 / bool "C3"
 * endchoice
 * choice / prompt "dep" / depends on X;  config D1 / bool "D1";  endchoice
 * choice / prompt "opt" / optional;  config O1 / bool "O1";  endchoice
 * choice / tristate "tri" / default T2;  config T1, T2 / tristate;  endchoice
 */
static void test_choices_61(void **state)
{
	struct kc_symbol *cs[4];
	struct model *m = build_choices(KC_DIALECT_6_1, cs);
	struct kconfig *kc = m->kc;

	(void)state;
	/* finalize: members are marked and listed, in order */
	assert_true(kc_sym_is_choice_value(kc_sym_find(kc, "C1")));
	assert_ptr_equal(kc_prop_get_symbol(kc_sym_get_choice_prop(kc_sym_find(kc, "C3"))), cs[0]);
	char *list = kc_expr_to_string(kc_sym_get_choice_prop(cs[0])->expr);
	assert_string_equal(list, "C1 ^ C2 ^ C3");
	free(list);
	/* the public question: which choice a member is in */
	assert_ptr_equal(kconfig_symbol_choice(kc, (struct kconfig_symbol *)kc_sym_find(kc, "C3")),
			 cs[0]);
	assert_ptr_equal(kconfig_symbol_choice(kc, (struct kconfig_symbol *)kc_sym_find(kc, "D1")),
			 cs[1]);
	assert_null(kconfig_symbol_choice(kc, (struct kconfig_symbol *)kc_sym_find(kc, "X")));

	/* the default member C2 is not visible: the first visible one wins */
	assert_string_equal(line(m, "X"), "# CONFIG_X is not set");
	assert_string_equal(line(m, "C1"), "CONFIG_C1=y");
	assert_string_equal(line(m, "C2"), "");
	assert_string_equal(line(m, "C3"), "# CONFIG_C3 is not set");
	assert_string_equal(line(m, "D1"), "");		/* the choice's own dependency is n */
	assert_string_equal(line(m, "O1"), "");		/* optional: n until chosen */
	assert_string_equal(line(m, "T1"), "# CONFIG_T1 is not set");	/* tristate choice is m */
	assert_string_equal(line(m, "T2"), "# CONFIG_T2 is not set");
	assert_int_equal(kc_sym_get_tristate_value(cs[3]), KC_MOD);
	assert_false(cs[0]->flags & KC_SYMBOL_WRITE);	/* choices are never written */

	/* X=y: the default member becomes visible and chosen; D1 appears */
	assert_true(kc_sym_set_tristate_value(kc, kc_sym_find(kc, "X"), KC_YES));
	assert_string_equal(line(m, "C1"), "# CONFIG_C1 is not set");
	assert_string_equal(line(m, "C2"), "CONFIG_C2=y");
	assert_string_equal(line(m, "D1"), "CONFIG_D1=y");
	assert_ptr_equal(kc_sym_choice_default(kc, cs[0]), kc_sym_find(kc, "C2"));

	/* choosing C3 as a user */
	assert_false(kc_sym_set_tristate_value(kc, kc_sym_find(kc, "C3"), KC_MOD));
	assert_true(kc_sym_set_tristate_value(kc, kc_sym_find(kc, "C3"), KC_YES));
	assert_string_equal(val(m, "C2"), "n");
	assert_string_equal(val(m, "C3"), "y");

	/* the optional choice switched on */
	assert_true(kc_sym_set_tristate_value(kc, cs[2], KC_YES));
	assert_string_equal(line(m, "O1"), "CONFIG_O1=y");

	/* a tristate choice at m: members are m or n; at y it picks one */
	assert_true(kc_sym_set_tristate_value(kc, kc_sym_find(kc, "T1"), KC_MOD));
	assert_string_equal(line(m, "T1"), "CONFIG_T1=m");
	assert_true(kc_sym_set_tristate_value(kc, cs[3], KC_YES));
	assert_string_equal(line(m, "T2"), "CONFIG_T2=y");
	assert_string_equal(line(m, "T1"), "# CONFIG_T1 is not set");
	assert_int_equal(m->dg.warnings, 0);
	model_free(m);
}

/* 6.12: same first two choices; a member read as n loses the default */
static void test_choices_612(void **state)
{
	struct kc_symbol *cs[4];
	struct model *m = build_choices(KC_DIALECT_6_12, cs);
	struct kconfig *kc = m->kc;
	struct kc_symbol *c2 = kc_sym_find(kc, "C2");
	struct kc_menu *pick;

	(void)state;
	assert_true(kc_sym_is_choice_value(c2));
	pick = kc_sym_get_choice_menu(kc, c2);
	assert_non_null(pick);
	assert_ptr_equal(pick->sym, cs[0]);
	assert_string_equal(pick->choice_first->name, "C1");
	assert_string_equal(pick->choice_last->name, "C3");
	assert_ptr_equal(kconfig_symbol_choice(kc, (struct kconfig_symbol *)c2), cs[0]);
	assert_ptr_equal(kconfig_symbol_choice(kc, (struct kconfig_symbol *)kc_sym_find(kc, "D1")),
			 cs[1]);
	assert_null(kconfig_symbol_choice(kc, (struct kconfig_symbol *)kc_sym_find(kc, "X")));

	assert_string_equal(line(m, "C1"), "CONFIG_C1=y");
	assert_string_equal(line(m, "C2"), "");
	assert_string_equal(line(m, "C3"), "# CONFIG_C3 is not set");
	assert_string_equal(line(m, "D1"), "");

	assert_true(kc_sym_set_tristate_value(kc, kc_sym_find(kc, "X"), KC_YES));
	assert_string_equal(line(m, "C2"), "CONFIG_C2=y");
	assert_string_equal(line(m, "C1"), "# CONFIG_C1 is not set");
	assert_string_equal(line(m, "D1"), "CONFIG_D1=y");

	/* what conf_read does with "# CONFIG_C2 is not set" */
	c2->def[KC_DEF_USER].tri = KC_NO;
	c2->flags |= KC_SYMBOL_DEF_USER;
	kc_choice_prioritize(pick, c2);
	kc_sym_clear_all_valid(kc);
	assert_string_equal(line(m, "C1"), "CONFIG_C1=y");
	assert_string_equal(line(m, "C2"), "# CONFIG_C2 is not set");

	/* a front end choosing C3 */
	kc_choice_set_value(kc, pick, kc_sym_find(kc, "C3"));
	assert_string_equal(val(m, "C3"), "y");
	assert_string_equal(val(m, "C1"), "n");
	assert_string_equal(pick->choice_first->name, "C3");
	model_free(m);
}

static struct kc_menu *entry_of(struct model *m, const char *name)
{
	struct kc_menu *root = &m->kc->rootmenu;

	for (struct kc_menu *e = kc_menu_next(root, root); e; e = kc_menu_next(e, root))
		if (e->sym && e->sym->name && !strcmp(e->sym->name, name))
			return e;
	fail_msg("no entry %s", name);
	return NULL;
}

static const char *parent_of(struct model *m, const char *name)
{
	struct kc_menu *p = entry_of(m, name)->parent;

	if (p == &m->kc->rootmenu)
		return "<root>";
	return p->sym && p->sym->name ? p->sym->name : kc_menu_get_prompt(p);
}

static void assert_dep(struct model *m, const char *name, const char *want)
{
	char *got = kc_expr_to_string(entry_of(m, name)->dep);

	assert_string_equal(got, want);
	free(got);
}

/*
 * config A / bool "A"
 * config B / bool "B" / depends on A
 * config C / bool "C" / depends on B
 * config D / bool "D" / depends on A && E
 * config F / bool "F" / depends on A || E
 * config G / bool "G"
 * if A
 * config H / bool "H"
 * endif
 * config P / bool
 * config Q / bool "Q" / depends on P
 * config E / bool "E"
 * choice / prompt "ch"
 *   config K1 / bool "K1"
 *   config K2 / bool "K2" / depends on K1
 * endchoice
 */
static void test_menu_tree(void **state)
{
	(void)state;
	for (int d = KC_DIALECT_6_1; d <= KC_DIALECT_6_12; d++) {
		struct model *m = model_new(d);

		config(m, "A", KC_S_BOOLEAN, "A");
		config(m, "B", KC_S_BOOLEAN, "B");
		depends(m, E(m, "A"));
		config(m, "C", KC_S_BOOLEAN, "C");
		depends(m, E(m, "B"));
		config(m, "D", KC_S_BOOLEAN, "D");
		depends(m, AND(m, E(m, "A"), E(m, "E")));
		config(m, "F", KC_S_BOOLEAN, "F");
		depends(m, OR(m, E(m, "A"), E(m, "E")));
		config(m, "G", KC_S_BOOLEAN, "G");
		if_block(m, E(m, "A"));
		config(m, "H", KC_S_BOOLEAN, "H");
		end(m);
		config(m, "P", KC_S_BOOLEAN, NULL);
		config(m, "Q", KC_S_BOOLEAN, "Q");
		depends(m, E(m, "P"));
		config(m, "E", KC_S_BOOLEAN, "E");
		choice(m, KC_S_BOOLEAN, "ch");
		begin(m);
		config(m, "K1", KC_S_BOOLEAN, "K1");
		config(m, "K2", KC_S_BOOLEAN, "K2");
		if (d == KC_DIALECT_6_1)
			depends(m, E(m, "K1"));	/* a cycle for 6.12 (test_recursive) */
		end(m);
		finalize(m);

		assert_string_equal(parent_of(m, "B"), "A");
		assert_string_equal(parent_of(m, "C"), "B");
		assert_string_equal(parent_of(m, "D"), "A");
		assert_string_equal(parent_of(m, "F"), "A");	/* superset of A's condition */
		assert_string_equal(parent_of(m, "G"), "<root>");
		assert_string_equal(parent_of(m, "H"), "<root>");	/* if flattened */
		assert_string_equal(parent_of(m, "Q"), "<root>");	/* P has no prompt */
		assert_ptr_equal(entry_of(m, "P")->next, entry_of(m, "Q"));
		assert_dep(m, "C", "B");
		assert_dep(m, "D", "A && E");
		assert_dep(m, "F", "A || E");
		assert_dep(m, "H", "A");
		if (d == KC_DIALECT_6_1) {
			/* 6.1: K2 hangs below K1 and is no choice member */
			assert_string_equal(parent_of(m, "K2"), "K1");
			assert_false(kc_sym_is_choice_value(kc_sym_find(m->kc, "K2")));
			assert_dep(m, "K1", "<choice>");
			assert_dep(m, "K2", "<choice> && K1");
		} else {
			assert_string_equal(parent_of(m, "K2"), "ch");
			assert_true(kc_sym_is_choice_value(kc_sym_find(m->kc, "K2")));
			assert_dep(m, "K2", "y");
		}
		/* dir_dep is the or of the definitions' deps */
		char *dd = kc_expr_to_string(kc_sym_find(m->kc, "F")->dir_dep.expr);
		assert_string_equal(dd, "A || E");
		free(dd);
		model_free(m);
	}
}

/*
 * config A / bool "A" / depends on B
 * config B / bool "B" / default C
 * config C / bool / depends on D
 * config D / bool / depends on A
 * (conf 6.1 starts the report at B, 6.12 at A: their hash tables differ)
 */
static void test_recursive(void **state)
{
	(void)state;
	for (int d = KC_DIALECT_6_1; d <= KC_DIALECT_6_12; d++) {
		struct model *m = model_new(d);

		config(m, "A", KC_S_BOOLEAN, "A");		/* line 1 */
		depends(m, E(m, "B"));
		config(m, "B", KC_S_BOOLEAN, "B");		/* line 4 */
		def(m, E(m, "C"), NULL);			/* line 7 */
		config(m, "C", KC_S_BOOLEAN, NULL);		/* line 8 */
		depends(m, E(m, "D"));
		config(m, "D", KC_S_BOOLEAN, NULL);		/* line 11 */
		depends(m, E(m, "A"));
		assert_true(finalize_cycles(m));
		if (d == KC_DIALECT_6_1)
			assert_string_equal(m->dg.text,
				"Kconfig:7:recursive dependency detected!\n"
				"Kconfig:7:\tsymbol B default value contains C\n"
				"Kconfig:8:\tsymbol C depends on D\n"
				"Kconfig:11:\tsymbol D depends on A\n"
				"Kconfig:1:\tsymbol A depends on B\n"
				"For a resolution refer to Documentation/kbuild/kconfig-language.rst\n"
				"subsection \"Kconfig recursive dependency limitations\"\n\n");
		else
			assert_string_equal(m->dg.text,
				"recursive dependency detected!\n"
				"\tsymbol A depends on B\n"
				"\tsymbol B default value contains C\n"
				"\tsymbol C depends on D\n"
				"\tsymbol D depends on A\n"
				"For a resolution refer to Documentation/kbuild/kconfig-language.rst\n"
				"subsection \"Kconfig recursive dependency limitations\"\n\n");
		assert_int_equal(m->dg.errors, 1);
		model_free(m);
	}

	/* 6.12: a member depending on another member of its choice */
	struct model *m = model_new(KC_DIALECT_6_12);

	choice(m, KC_S_BOOLEAN, "ch");				/* line 1 */
	begin(m);
	config(m, "K1", KC_S_BOOLEAN, "K1");
	config(m, "K2", KC_S_BOOLEAN, "K2");
	depends(m, E(m, "K1"));
	end(m);
	assert_true(finalize_cycles(m));
	assert_string_equal(m->dg.text,
		"recursive dependency detected!\n"
		"\tsymbol <choice> unknown is visible depending on K2\n"
		"\tsymbol K2 prompt is visible depending on K1\n"
		"\tsymbol K1 is part of choice block at Kconfig:1\n"
		"For a resolution refer to Documentation/kbuild/kconfig-language.rst\n"
		"subsection \"Kconfig recursive dependency limitations\"\n\n");
	model_free(m);
}

static void numeric(struct model *m, const char *name, enum kc_type type, const char *lo,
		    const char *hi, const char *dflt)
{
	config(m, name, type, name);
	if (lo)
		range(m, lo, hi);
	if (dflt)
		def(m, E(m, dflt), NULL);
}

static void bool_if(struct model *m, const char *name, struct kc_expr *cond)
{
	config(m, name, KC_S_BOOLEAN, name);
	def(m, E(m, "y"), cond);
}

/*
 * config N1 / int "N1" / range 10 20 / default 5
 * config N2 / int "N2" / range 10 20 / default 25
 * config N3 / int "N3" / default 15
 * config H1 / hex "H1" / range 0x10 0x20 / default 0x8
 * config H2 / hex "H2" / default 0x1f
 * config H3 / hex "H3" / range 0x10 0x20
 * config S1 / string "S1" / default "abc"
 * config CMP1..6 / bool / default y if N3 > 9, H2 = 31, S1 = "abc", N3 < N1,
 *                                     H2 >= 0x1f, S1 != "abd"
 * config N4 / int / default N3
 * config N5 / int "N5" / range N1 N3
 * config H4 / hex "H4";  config I4 / int "I4"
 */
static struct model *build_numbers(enum kc_dialect d)
{
	struct model *m = model_new(d);

	numeric(m, "N1", KC_S_INT, "10", "20", "5");
	numeric(m, "N2", KC_S_INT, "10", "20", "25");
	numeric(m, "N3", KC_S_INT, NULL, NULL, "15");
	numeric(m, "H1", KC_S_HEX, "0x10", "0x20", "0x8");
	numeric(m, "H2", KC_S_HEX, NULL, NULL, "0x1f");
	numeric(m, "H3", KC_S_HEX, "0x10", "0x20", NULL);
	config(m, "S1", KC_S_STRING, "S1");
	def(m, kc_expr_alloc_symbol(m->kc, kc_sym_lookup(m->kc, "abc", KC_SYMBOL_CONST)), NULL);
	bool_if(m, "CMP1", CMP(m, KC_E_GTH, "N3", "9"));
	bool_if(m, "CMP2", CMP(m, KC_E_EQUAL, "H2", "31"));
	bool_if(m, "CMP3", kc_expr_alloc_comp(m->kc, KC_E_EQUAL, S(m, "S1"),
					      kc_sym_lookup(m->kc, "abc", KC_SYMBOL_CONST)));
	bool_if(m, "CMP4", CMP(m, KC_E_LTH, "N3", "N1"));
	bool_if(m, "CMP5", CMP(m, KC_E_GEQ, "H2", "0x1f"));
	bool_if(m, "CMP6", kc_expr_alloc_comp(m->kc, KC_E_UNEQUAL, S(m, "S1"),
					      kc_sym_lookup(m->kc, "abd", KC_SYMBOL_CONST)));
	config(m, "N4", KC_S_INT, NULL);
	def(m, E(m, "N3"), NULL);
	numeric(m, "N5", KC_S_INT, "N1", "N3", NULL);
	numeric(m, "H4", KC_S_HEX, NULL, NULL, NULL);
	numeric(m, "I4", KC_S_INT, NULL, NULL, NULL);
	finalize(m);
	return m;
}

static void test_ranges_and_compare(void **state)
{
	(void)state;
	for (int d = KC_DIALECT_6_1; d <= KC_DIALECT_6_12; d++) {
		struct model *m = build_numbers(d);
		struct kconfig *kc = m->kc;
		static const char *const want[][2] = {
			{ "N1", "10" }, { "N2", "20" }, { "N3", "15" }, { "H1", "0x10" },
			{ "H2", "0x1f" }, { "H3", "0x10" }, { "S1", "abc" }, { "CMP1", "y" },
			{ "CMP2", "y" }, { "CMP3", "y" }, { "CMP4", "n" }, { "CMP5", "y" },
			{ "CMP6", "y" }, { "N4", "15" }, { "N5", "10" },
		};

		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			assert_string_equal(val(m, want[i][0]), want[i][1]);
		/* no value and no default: 6.1 writes "CONFIG_H4=", 6.12 "CONFIG_H4=0x0" */
		assert_string_equal(val(m, "H4"), d == KC_DIALECT_6_1 ? "" : "0x0");
		assert_string_equal(val(m, "I4"), d == KC_DIALECT_6_1 ? "" : "0");
		assert_true(written(m, "H4"));

		/* user values: within the range, hex keeps or gains its 0x */
		struct kc_symbol *n1 = kc_sym_find(kc, "N1"), *h1 = kc_sym_find(kc, "H1");

		assert_true(kc_sym_string_within_range(kc, n1, "15"));
		assert_false(kc_sym_string_within_range(kc, n1, "25"));
		assert_false(kc_sym_set_string_value(kc, n1, "9"));
		assert_true(kc_sym_set_string_value(kc, n1, "12"));
		assert_string_equal(val(m, "N1"), "12");
		assert_string_equal(val(m, "N5"), "12");	/* range N1..N3 moved */
		assert_string_equal(val(m, "CMP4"), "n");
		assert_true(kc_sym_set_string_value(kc, kc_sym_find(kc, "N3"), "11"));
		assert_string_equal(val(m, "CMP4"), "y");
		assert_false(kc_sym_set_string_value(kc, h1, "0x30"));
		assert_true(kc_sym_set_string_value(kc, h1, "1a"));
		assert_string_equal(val(m, "H1"), "0x1a");
		assert_true(kc_sym_set_string_value(kc, kc_sym_find(kc, "H2"), "0XFF"));
		assert_string_equal(val(m, "H2"), "0XFF");
		assert_string_equal(val(m, "CMP2"), "n");
		assert_true(kc_sym_set_string_value(kc, kc_sym_find(kc, "S1"), "x y"));
		assert_string_equal(val(m, "CMP3"), "n");
		assert_false(kc_sym_set_string_value(kc, kc_sym_find(kc, "CMP1"), "x"));
		model_free(m);
	}
}

static void test_string_valid(void **state)
{
	struct kc_symbol i = { .type = KC_S_INT }, h = { .type = KC_S_HEX };
	struct kc_symbol s = { .type = KC_S_STRING }, t = { .type = KC_S_TRISTATE };

	(void)state;
	assert_true(kc_sym_string_valid(&i, "0"));
	assert_true(kc_sym_string_valid(&i, "-42"));
	assert_true(kc_sym_string_valid(&i, "-0"));
	assert_false(kc_sym_string_valid(&i, "007"));
	assert_false(kc_sym_string_valid(&i, "1a"));
	assert_false(kc_sym_string_valid(&i, ""));
	assert_false(kc_sym_string_valid(&i, "-"));
	assert_true(kc_sym_string_valid(&h, "0x1f"));
	assert_true(kc_sym_string_valid(&h, "0XAb"));
	assert_true(kc_sym_string_valid(&h, "ff"));
	assert_false(kc_sym_string_valid(&h, "0x"));
	assert_false(kc_sym_string_valid(&h, ""));
	assert_false(kc_sym_string_valid(&h, "0xg"));
	assert_true(kc_sym_string_valid(&s, ""));
	assert_true(kc_sym_string_valid(&t, "Maybe"));	/* only the first letter counts */
	assert_false(kc_sym_string_valid(&t, "x"));
	assert_false(kc_sym_string_valid(&t, ""));
}

static void assert_expr(struct kc_expr *e, const char *want)
{
	char *got = kc_expr_to_string(e);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_expr_print_and_transform(void **state)
{
	(void)state;
	for (int d = KC_DIALECT_6_1; d <= KC_DIALECT_6_12; d++) {
		struct model *m = model_new(d);
		struct kconfig *kc = m->kc;

		config(m, "A", KC_S_BOOLEAN, "A");
		config(m, "B", KC_S_BOOLEAN, "B");
		config(m, "C", KC_S_BOOLEAN, "C");
		config(m, "T", KC_S_TRISTATE, "T");
		config(m, "N", KC_S_INT, "N");

		/* printing: conf's precedence and parentheses */
		assert_expr(NULL, "y");
		assert_expr(AND(m, E(m, "A"), OR(m, E(m, "B"), NOT(m, E(m, "C")))), "A && (B || !C)");
		assert_expr(NOT(m, AND(m, E(m, "A"), E(m, "B"))), "!(A && B)");
		assert_expr(OR(m, CMP(m, KC_E_EQUAL, "T", "m"), CMP(m, KC_E_GEQ, "N", "5")),
			    "T=m || N>=5");
		assert_expr(NOT(m, CMP(m, KC_E_UNEQUAL, "A", "y")), "!A!=y");	/* sic: conf prints it so */

		/* transform: bool comparisons with constants, negations */
		assert_expr(kc_expr_transform(kc, CMP(m, KC_E_EQUAL, "A", "n")), "!A");
		assert_expr(kc_expr_transform(kc, CMP(m, KC_E_EQUAL, "A", "y")), "A");
		assert_expr(kc_expr_transform(kc, CMP(m, KC_E_UNEQUAL, "A", "n")), "A");
		assert_expr(kc_expr_transform(kc, CMP(m, KC_E_EQUAL, "T", "n")), "T=n");
		assert_expr(kc_expr_transform(kc, NOT(m, NOT(m, E(m, "A")))), "A");
		assert_expr(kc_expr_transform(kc, NOT(m, CMP(m, KC_E_EQUAL, "T", "m"))), "T!=m");
		assert_expr(kc_expr_transform(kc, NOT(m, CMP(m, KC_E_LEQ, "N", "3"))), "N>3");
		assert_expr(kc_expr_transform(kc, NOT(m, OR(m, E(m, "A"), E(m, "B")))), "!A && !B");
		assert_expr(kc_expr_transform(kc, NOT(m, E(m, "y"))), "n");
		assert_int_equal(m->dg.warnings, 0);
		assert_expr(kc_expr_transform(kc, CMP(m, KC_E_EQUAL, "A", "m")), "n");
		assert_string_equal(m->dg.text, "boolean symbol A tested for 'm'? test forced to 'n'\n");

		/* eliminate_dups: the first A becomes n and goes (traced through conf) */
		assert_expr(kc_expr_eliminate_dups(kc, OR(m, OR(m, E(m, "A"), E(m, "B")), E(m, "A"))),
			    "B || A");
		assert_expr(kc_expr_eliminate_dups(kc, AND(m, AND(m, E(m, "T"), E(m, "B")),
							   CMP(m, KC_E_EQUAL, "T", "y"))),
			    "B && T=y");
		assert_expr(kc_expr_eliminate_dups(kc, OR(m, E(m, "A"), NOT(m, E(m, "A")))), "y");
		/* 6.12 always drops y/n operands, 6.1 only after a join */
		assert_expr(kc_expr_eliminate_dups(kc, AND(m, E(m, "A"), E(m, "y"))),
			    d == KC_DIALECT_6_1 ? "A && y" : "A");

		/* trans_compare, eq, eliminate_eq */
		assert_expr(kc_expr_trans_compare(kc, AND(m, E(m, "A"), E(m, "B")), KC_E_UNEQUAL,
						  &kc->sym_no), "!(A=n || B=n)");
		assert_true(kc_expr_eq(kc, AND(m, E(m, "A"), E(m, "B")), AND(m, E(m, "B"), E(m, "A"))));
		assert_false(kc_expr_eq(kc, AND(m, E(m, "A"), E(m, "B")), OR(m, E(m, "B"), E(m, "A"))));
		struct kc_expr *e1 = AND(m, E(m, "A"), E(m, "B"));
		struct kc_expr *e2 = AND(m, AND(m, E(m, "A"), E(m, "B")), E(m, "C"));
		kc_expr_eliminate_eq(kc, &e1, &e2);
		assert_expr(e1, "y");
		assert_expr(e2, "C");

		/* what makes an entry a submenu of a symbol */
		assert_true(kc_expr_depends_symbol(AND(m, E(m, "B"), E(m, "A")), S(m, "A")));
		assert_false(kc_expr_depends_symbol(OR(m, E(m, "B"), E(m, "A")), S(m, "A")));
		assert_true(kc_expr_depends_symbol(CMP(m, KC_E_EQUAL, "T", "m"), S(m, "T")));
		assert_true(kc_expr_depends_symbol(CMP(m, KC_E_UNEQUAL, "T", "n"), S(m, "T")));
		assert_false(kc_expr_depends_symbol(CMP(m, KC_E_EQUAL, "T", "n"), S(m, "T")));
		assert_true(kc_expr_contains_symbol(OR(m, E(m, "B"), NOT(m, E(m, "A"))), S(m, "A")));
		model_free(m);
	}
}

/* 6.12 shares equal nodes and caches their values until invalidated, like conf */
static void test_expr_cache_612(void **state)
{
	struct model *m = model_new(KC_DIALECT_6_12);
	struct kconfig *kc = m->kc;
	struct kc_expr *a;

	(void)state;
	config(m, "A", KC_S_BOOLEAN, "A");
	def(m, E(m, "y"), NULL);
	a = E(m, "A");
	assert_ptr_equal(a, E(m, "A"));
	assert_ptr_equal(AND(m, a, E(m, "y")), AND(m, E(m, "A"), E(m, "y")));
	assert_int_equal(kc_expr_calc_value(kc, a), KC_YES);	/* a new node is computed */

	/* a value changed behind the cache's back stays stale until invalidation */
	S(m, "A")->flags &= ~KC_SYMBOL_VALID;
	S(m, "A")->visible = KC_YES;
	S(m, "A")->def[KC_DEF_USER].tri = KC_NO;
	S(m, "A")->flags |= KC_SYMBOL_DEF_USER;
	assert_int_equal(kc_expr_calc_value(kc, a), KC_YES);
	kc_expr_invalidate_all(kc);
	assert_int_equal(kc_expr_calc_value(kc, a), KC_NO);
	model_free(m);

	/* 6.1 nodes are private and never cached */
	m = model_new(KC_DIALECT_6_1);
	assert_ptr_not_equal(E(m, "A"), E(m, "A"));
	model_free(m);
}

/* conf's hash: fnv32; choices and all symbols in conf's for_all_symbols order */
static void test_symbol_table(void **state)
{
	(void)state;
	assert_int_equal(kc_strhash(""), 2166136261U);
	assert_int_equal(kc_strhash("A"), 3289118412U);
	for (int d = KC_DIALECT_6_1; d <= KC_DIALECT_6_12; d++) {
		struct model *m = model_new(d);
		struct kconfig *kc = m->kc;
		struct kc_symbol *a = S(m, "A"), *sym;
		struct kc_symbol *qa = kc_sym_lookup(kc, "A", KC_SYMBOL_CONST);
		struct kc_symbol *ch = kc_sym_lookup(kc, NULL, KC_SYMBOL_CHOICE);
		unsigned int i, n = 0;

		assert_ptr_equal(S(m, "y"), &kc->sym_yes);
		assert_ptr_equal(kc_sym_lookup(kc, "m", KC_SYMBOL_CONST), &kc->sym_mod);
		assert_ptr_equal(kc_sym_find(kc, "n"), &kc->sym_no);
		assert_ptr_equal(S(m, "A"), a);
		assert_ptr_not_equal(qa, a);		/* "A" (quoted) is another symbol */
		assert_ptr_equal(kc_sym_lookup(kc, "A", KC_SYMBOL_CONST), qa);
		assert_ptr_equal(kc_sym_find(kc, "A"), a);
		assert_null(kc_sym_find(kc, "B"));
		assert_ptr_equal(kc->hash[0], ch);	/* choices live in bucket 0 */
		assert_ptr_equal(kc->hash[kc_sym_bucket(kc, "A")], qa);	/* newest first */
		assert_int_equal(kc_sym_bucket(kc, "A"),
				 d == KC_DIALECT_6_1 ? 3289118412U % 9973 : 3289118412U % 16384);
		assert_int_equal(kc->nsyms, 3);
		assert_ptr_equal(kc->syms[a->id], a);
		assert_ptr_equal(kc->syms[ch->id], ch);
		kc_for_all_symbols(kc, i, sym)
			n++;
		assert_int_equal(n, 3);
		assert_string_equal(kc->sym_yes.curr.val, "y");
		assert_int_equal(kc->sym_mod.curr.tri, KC_MOD);
		assert_true(kc->sym_no.flags & KC_SYMBOL_CONST);
		assert_false(kc->sym_empty.flags & KC_SYMBOL_CONST);
		assert_ptr_equal(kc->modules_sym, &kc->sym_no);
		model_free(m);
	}
}

/*
 * config V / bool "V"
 * menu "M" / visible if V
 *   config X / bool "X" / default y
 *   config Y / tristate "Y" / default m / depends on MODULES
 * endmenu
 * config MODULES / bool "modules" / modules
 */
static void test_visible_if(void **state)
{
	(void)state;
	for (int d = KC_DIALECT_6_1; d <= KC_DIALECT_6_12; d++) {
		struct model *m = model_new(d);
		struct kconfig *kc = m->kc;
		struct kc_menu *menu;

		config(m, "V", KC_S_BOOLEAN, "V");
		kc_menu_add_entry(kc, NULL, "Kconfig", m->line++);
		kc_menu_add_prompt(kc, KC_P_MENU, "M", NULL);
		kc_menu_add_visibility(kc, E(m, "V"));
		menu = kc_menu_current_entry(kc);
		begin(m);
		config(m, "X", KC_S_BOOLEAN, "X");
		def(m, E(m, "y"), NULL);
		config(m, "Y", KC_S_TRISTATE, "Y");
		def(m, E(m, "m"), NULL);
		depends(m, E(m, "MODULES"));
		end(m);
		modules(m, config(m, "MODULES", KC_S_BOOLEAN, "modules"));
		finalize(m);

		assert_false(kc_menu_is_visible(kc, menu));
		assert_true(kc_menu_has_prompt(menu));
		assert_string_equal(kc_menu_get_prompt(menu), "M");
		assert_string_equal(kc_menu_get_prompt(entry_of(m, "X")), "X");
		assert_string_equal(line(m, "X"), "CONFIG_X=y");	/* invisible: its default */
		assert_false(kc_sym_set_tristate_value(kc, kc_sym_find(kc, "X"), KC_NO));
		assert_string_equal(line(m, "Y"), "");

		assert_true(kc_sym_set_tristate_value(kc, kc_sym_find(kc, "V"), KC_YES));
		assert_true(kc_sym_set_tristate_value(kc, kc_sym_find(kc, "MODULES"), KC_YES));
		assert_true(kc_menu_is_visible(kc, menu));
		assert_string_equal(line(m, "Y"), "CONFIG_Y=m");
		/* like conf, setting uses the visibility of the last calculation */
		assert_string_equal(line(m, "X"), "CONFIG_X=y");
		assert_true(kc_sym_set_tristate_value(kc, kc_sym_find(kc, "X"), KC_NO));
		assert_string_equal(line(m, "X"), "# CONFIG_X is not set");
		assert_string_equal(kc_sym_get_string_default(kc, kc_sym_find(kc, "X")), "y");
		assert_string_equal(kc_sym_get_string_default(kc, kc_sym_find(kc, "Y")), "m");
		model_free(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_deps_select),
		cmocka_unit_test(test_without_modules),
		cmocka_unit_test(test_imply),
		cmocka_unit_test(test_choices_61),
		cmocka_unit_test(test_choices_612),
		cmocka_unit_test(test_menu_tree),
		cmocka_unit_test(test_recursive),
		cmocka_unit_test(test_ranges_and_compare),
		cmocka_unit_test(test_string_valid),
		cmocka_unit_test(test_expr_print_and_transform),
		cmocka_unit_test(test_expr_cache_612),
		cmocka_unit_test(test_symbol_table),
		cmocka_unit_test(test_visible_if),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
