/*
 * test_parser.c - the lexer, the parser and menu construction.
 *
 * Each test writes a small Kconfig tree into a fresh temporary directory,
 * parses it with kc_parse_tree() (the grammar, no finalize) or kc_parse(),
 * and checks the symbols, properties, menus, help texts and diagnostics
 * that conf's parser would have produced, or the exact file:line of the
 * error.  The last test parses the real Linux 6.1 arm tree when it is
 * unpacked and compares it with counts measured independently: with the
 * kernel's own parser (Debian's 6.1.192) and with a line scanner here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"
#include "testutil.h"

/* Sanitizers make the engine several times slower: no time limit then. */
#if defined(__SANITIZE_ADDRESS__)
#define PARSE_MS_LIMIT 1e9
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PARSE_MS_LIMIT 1e9
#endif
#endif
#ifndef PARSE_MS_LIMIT
#define PARSE_MS_LIMIT 150.0	/* the whole arm tree, CPU time, $(shell) cache warm */
#endif

#define KERNEL_61 "/root/.cache/kmin/src/linux-source-6.1"
#define KERNEL_612 "/root/.cache/kmin/src/linux-source-6.12"

/* ---- fixture: a temporary tree and a context ---- */

struct tp {
	char dir[64];
	struct kconfig *kc;
	char diags[65536];		/* "file:line: level: message\n" each */
	size_t dlen;
	int nerrors, nwarnings;
	const char *env[16];
};

static void tp_diag(void *payload, const struct kconfig_diag *d)
{
	struct tp *t = payload;
	const char *level = d->level == KCONFIG_DIAG_ERROR ? "error" :
			    d->level == KCONFIG_DIAG_WARNING ? "warning" : "info";
	int n;

	if (d->level == KCONFIG_DIAG_ERROR)
		t->nerrors++;
	if (d->level == KCONFIG_DIAG_WARNING)
		t->nwarnings++;
	n = snprintf(t->diags + t->dlen, sizeof(t->diags) - t->dlen, "%s:%d: %s: %s\n",
		     d->file ? d->file : "-", d->line, level, d->message);
	if (n > 0 && (size_t)n < sizeof(t->diags) - t->dlen)
		t->dlen += (size_t)n;
}

static struct tp *tp_new(void)
{
	struct tp *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	tu_tempdir(t->dir, sizeof(t->dir), "parser");
	t->env[0] = "ARCH=arm";
	t->env[1] = "SRCARCH=arm";
	t->env[2] = "SUBDIR=sub";
	t->env[3] = "PATH=/usr/bin:/bin";
	return t;
}

static struct kconfig *tp_context(struct tp *t, enum kc_dialect dialect)
{
	struct kconfig_options opts = KCONFIG_OPTIONS_INIT;
	struct kconfig *kc = calloc(1, sizeof(*kc));

	assert_non_null(kc);
	opts.srctree = t->dir;
	opts.env = t->env;
	opts.diag = tp_diag;
	opts.diag_payload = t;
	kc->opts = opts;
	kc_sym_init(kc);
	kc->dialect = dialect;
	return kc;
}

static void tp_free_context(struct kconfig *kc)
{
	if (!kc)
		return;
	kc_pp_free(kc->pp);
	kc_arena_free(&kc->arena);
	free(kc);
}

/* Parse "Kconfig" of the tree (grammar only). */
static int tp_parse_dialect(struct tp *t, enum kc_dialect dialect)
{
	tp_free_context(t->kc);
	t->kc = tp_context(t, dialect);
	t->dlen = 0;
	t->diags[0] = 0;
	t->nerrors = t->nwarnings = 0;
	return kc_parse_tree(t->kc, "Kconfig");
}

static int tp_parse(struct tp *t)
{
	return tp_parse_dialect(t, KC_DIALECT_6_1);
}

static void tp_free(struct tp *t)
{
	tp_free_context(t->kc);
	tu_remove_tree(t->dir);
	free(t);
}

/* One-file tree, parsed; returns the context. */
static struct kconfig *tp_one(struct tp *t, const char *text)
{
	tu_write_str(t->dir, "Kconfig", text);
	assert_int_equal(tp_parse(t), 0);
	return t->kc;
}

static void tp_expect_error(const char *text, const char *errmsg)
{
	struct tp *t = tp_new();

	tu_write_str(t->dir, "Kconfig", text);
	assert_int_equal(tp_parse(t), KCONFIG_EPARSE);
	assert_string_equal(t->kc->errmsg, errmsg);
	assert_true(t->nerrors >= 1);
	tp_free(t);
}

/* ---- inspection helpers ---- */

static struct kc_symbol *sym(struct kconfig *kc, const char *name)
{
	struct kc_symbol *s = kc_sym_find(kc, name);

	assert_non_null(s);
	return s;
}

/* A symbol as written: constants other than y, m, n quoted. */
static const char *sym_text(struct kconfig *kc, const struct kc_symbol *s, char *buf, size_t size)
{
	if (!s->name)
		return "<choice>";
	if (!(s->flags & KC_SYMBOL_CONST) || s == &kc->sym_yes || s == &kc->sym_mod ||
	    s == &kc->sym_no)
		return s->name;
	snprintf(buf, size, "\"%s\"", s->name);
	return buf;
}

static void expr_print(struct kconfig *kc, char *buf, size_t size, size_t *n,
		       const struct kc_expr *e)
{
	char b1[256], b2[256];

	static const char *const cmp[] = { "=", "!=", "<", "<=", ">", ">=" };

#define OUT(...) (*n += (size_t)snprintf(buf + *n, *n < size ? size - *n : 0, __VA_ARGS__))
	if (!e) {
		OUT("-");
		return;
	}
	switch (e->type) {
	case KC_E_SYMBOL:
		OUT("%s", sym_text(kc, e->left.sym, b1, sizeof(b1)));
		break;
	case KC_E_NOT:
		OUT("(! ");
		expr_print(kc, buf, size, n, e->left.expr);
		OUT(")");
		break;
	case KC_E_OR:
	case KC_E_AND:
		OUT("(%s ", e->type == KC_E_OR ? "||" : "&&");
		expr_print(kc, buf, size, n, e->left.expr);
		OUT(" ");
		expr_print(kc, buf, size, n, e->right.expr);
		OUT(")");
		break;
	case KC_E_LIST:
		OUT("(list");
		for (; e; e = e->left.expr)
			OUT(" %s", e->right.sym->name);
		OUT(")");
		break;
	case KC_E_RANGE:
		OUT("(range %s %s)", e->left.sym->name, e->right.sym->name);
		break;
	default:
		OUT("(%s %s %s)", cmp[e->type - KC_E_EQUAL],
		    sym_text(kc, e->left.sym, b1, sizeof(b1)),
		    sym_text(kc, e->right.sym, b2, sizeof(b2)));
		break;
	}
#undef OUT
}

/* Prefix rendering, e.g. "(|| A (&& B (! C)))"; rotating static buffers. */
static const char *E(struct kconfig *kc, const struct kc_expr *e)
{
	static char bufs[8][4096];
	static int next;
	char *buf = bufs[next++ % 8];
	size_t n = 0;

	expr_print(kc, buf, 4096, &n, e);
	return buf;
}

static struct kc_property *prop_at(struct kc_symbol *s, int index)
{
	struct kc_property *p = s->prop;

	while (p && index--)
		p = p->next;
	assert_non_null(p);
	return p;
}

static int prop_count(struct kc_symbol *s)
{
	int n = 0;

	for (struct kc_property *p = s->prop; p; p = p->next)
		n++;
	return n;
}

static void assert_prop(struct kconfig *kc, struct kc_property *p, enum kc_prop_type type,
			int line, const char *expr, const char *visible)
{
	assert_int_equal(p->type, type);
	assert_int_equal(p->lineno, line);
	assert_string_equal(p->file, "Kconfig");
	assert_string_equal(E(kc, p->expr), expr);
	assert_string_equal(E(kc, p->visible.expr), visible);
}

/* The first menu entry (depth first) defining a symbol. */
static struct kc_menu *menu_of(struct kconfig *kc, const char *name)
{
	for (struct kc_menu *m = kc->rootmenu.list; m; m = kc_menu_next(m, NULL))
		if (m->sym && m->sym->name && !strcmp(m->sym->name, name))
			return m;
	fail_msg("no menu entry for %s", name);
	return NULL;
}

static bool diag_has(struct tp *t, const char *line)
{
	return strstr(t->diags, line) != NULL;
}

/* ---- properties, symbols, expressions ---- */

static void test_config_properties(void **state)
{
	struct tp *t = tp_new();
	struct kconfig *kc = tp_one(t,
		"config FOO\n"				/* 1 */
		"\tbool \"Foo prompt\" if BAR\n"
		"\tdefault y if BAZ\n"
		"\tdefault n\n"
		"\tdepends on BAR && QUX\n"		/* 5 */
		"\tselect SEL if BAZ\n"
		"\timply IMP\n"
		"\thelp\n"
		"\t  Help line one.\n"
		"\t    indented more.\n"		/* 10 */
		"\n"
		"\t  After blank.\n"
		"\n"
		"config NUM\n"
		"\tint\n"				/* 15 */
		"\tprompt \"Number\"\n"
		"\trange 1 10 if FOO\n"
		"\tdefault 5\n"
		"\n"
		"config STR\n"				/* 20 */
		"\tdef_bool FOO || NUM\n"
		"\tdef_tristate m\n");
	struct kc_symbol *foo = sym(kc, "FOO"), *num = sym(kc, "NUM"), *str = sym(kc, "STR");
	struct kc_menu *m = menu_of(kc, "FOO");
	(void)state;

	assert_int_equal(foo->type, KC_S_BOOLEAN);
	assert_int_equal(prop_count(foo), 6);
	assert_prop(kc, prop_at(foo, 0), KC_P_SYMBOL, 1, "FOO", "-");
	assert_prop(kc, prop_at(foo, 1), KC_P_PROMPT, 2, "-", "BAR");
	assert_string_equal(prop_at(foo, 1)->text, "Foo prompt");
	assert_prop(kc, prop_at(foo, 2), KC_P_DEFAULT, 3, "y", "BAZ");
	assert_ptr_equal(prop_at(foo, 2)->expr->left.sym, &kc->sym_yes);
	assert_prop(kc, prop_at(foo, 3), KC_P_DEFAULT, 4, "n", "-");
	assert_ptr_equal(prop_at(foo, 3)->expr->left.sym, &kc->sym_no);
	assert_prop(kc, prop_at(foo, 4), KC_P_SELECT, 6, "SEL", "BAZ");
	assert_prop(kc, prop_at(foo, 5), KC_P_IMPLY, 7, "IMP", "-");
	for (int i = 0; i < 6; i++)
		assert_ptr_equal(prop_at(foo, i)->menu, m);
	assert_ptr_equal(m->prompt, prop_at(foo, 1));
	assert_string_equal(E(kc, m->dep), "(&& BAR QUX)");
	assert_string_equal(m->help, "Help line one.\n  indented more.\n\nAfter blank.\n");
	assert_string_equal(m->file, "Kconfig");
	assert_int_equal(m->lineno, 1);
	assert_ptr_equal(m->parent, &kc->rootmenu);
	assert_false(m->is_menuconfig);
	/* 6.1: every config symbol is flagged optional */
	assert_true(foo->flags & KC_SYMBOL_OPTIONAL);

	assert_int_equal(num->type, KC_S_INT);
	assert_prop(kc, prop_at(num, 1), KC_P_PROMPT, 16, "-", "-");
	assert_prop(kc, prop_at(num, 2), KC_P_RANGE, 17, "(range 1 10)", "FOO");
	assert_prop(kc, prop_at(num, 3), KC_P_DEFAULT, 18, "5", "-");
	assert_false(prop_at(num, 3)->expr->left.sym->flags & KC_SYMBOL_CONST);

	/* def_bool sets the type; a later def_tristate does not change it */
	assert_int_equal(str->type, KC_S_BOOLEAN);
	assert_prop(kc, prop_at(str, 1), KC_P_DEFAULT, 21, "(|| FOO NUM)", "-");
	assert_prop(kc, prop_at(str, 2), KC_P_DEFAULT, 22, "m", "-");
	assert_true(diag_has(t, "Kconfig:20: warning: ignoring type redefinition of 'STR' "
			     "from 'bool' to 'tristate'"));

	/* creation order: names as they are met, left to right */
	const char *order[] = { "FOO", "BAR", "BAZ", "QUX", "SEL", "IMP", "NUM", "1", "10",
				"5", "STR" };
	assert_int_equal(kc->nsyms, 11);
	for (size_t i = 0; i < 11; i++)
		assert_string_equal(kc->syms[i]->name, order[i]);
	tp_free(t);
}

static void test_constants_and_quotes(void **state)
{
	struct tp *t = tp_new();
	struct kconfig *kc = tp_one(t, "config B\n\tstring\n\tdefault \"y\"\n");
	struct kc_symbol *b = sym(kc, "B");
	struct kc_expr *dep;
	(void)state;

	/* "y" quoted is still the constant y, as in conf's sym_lookup */
	assert_ptr_equal(prop_at(b, 1)->expr->left.sym, &kc->sym_yes);
	assert_int_equal(kc->nsyms, 1);
	tp_free(t);

	t = tp_new();
	kc = tp_one(t,
		"config B\n"
		"\tstring\n"
		"\tdefault 'say \"hi\"\\\\ \\q' if A = \"abc\" || m\n"
		"config A\n"
		"\ttristate\n");
	b = sym(kc, "B");
	assert_string_equal(prop_at(b, 1)->expr->left.sym->name, "say \"hi\"\\ q");
	assert_true(prop_at(b, 1)->expr->left.sym->flags & KC_SYMBOL_CONST);
	dep = prop_at(b, 1)->visible.expr;
	assert_string_equal(E(kc, dep), "(|| (= A \"abc\") m)");
	assert_ptr_equal(dep->right.expr->left.sym, &kc->sym_mod);
	assert_ptr_equal(dep->left.expr->left.sym, sym(kc, "A"));
	/* B, the constant, A, "abc": y and m are never created */
	assert_int_equal(kc->nsyms, 4);
	assert_string_equal(kc->syms[1]->name, "say \"hi\"\\ q");
	assert_string_equal(kc->syms[2]->name, "A");
	assert_string_equal(kc->syms[3]->name, "abc");
	assert_true(kc->syms[3]->flags & KC_SYMBOL_CONST);
	tp_free(t);
}

static void test_expression_precedence(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "A || B && !C = D", "(|| A (&& B (! (= C D))))" },
		{ "(A || B) && C", "(&& (|| A B) C)" },
		{ "!A && B", "(&& (! A) B)" },
		{ "!A || B", "(|| (! A) B)" },
		{ "A || B || C", "(|| (|| A B) C)" },
		{ "A && B && C", "(&& (&& A B) C)" },
		{ "A < B || A <= B && A > B || A >= B && A != B",
		  "(|| (|| (< A B) (&& (<= A B) (> A B))) (&& (>= A B) (!= A B)))" },
		{ "!!A", "(! (! A))" },
		{ "!(A || B)", "(! (|| A B))" },
		{ "((A))", "A" },
		{ "A=B&&C!=D", "(&& (= A B) (!= C D))" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tp *t = tp_new();
		char text[256];

		snprintf(text, sizeof(text), "config X\n\tbool\n\tdepends on %s\n", cases[i].in);
		struct kconfig *kc = tp_one(t, text);
		assert_string_equal(E(kc, menu_of(kc, "X")->dep), cases[i].out);
		tp_free(t);
	}
}

static void test_depends_and_continuation(void **state)
{
	struct tp *t = tp_new();
	struct kconfig *kc = tp_one(t,
		"config A   # a comment\n"		/* 1 */
		"\tbool \"a\" \\\n"
		"\t  if B\n"
		"\tdepends on C && \\\n"
		"\t\t   D\n"				/* 5 */
		"# whole-line comment\n"
		"\tdepends on E\n"
		"\tdefault y\n");
	struct kc_symbol *a = sym(kc, "A");
	(void)state;

	assert_prop(kc, prop_at(a, 1), KC_P_PROMPT, 2, "-", "B");
	assert_prop(kc, prop_at(a, 2), KC_P_DEFAULT, 8, "y", "-");
	assert_string_equal(E(kc, menu_of(kc, "A")->dep), "(&& (&& C D) E)");
	assert_int_equal(t->nwarnings, 0);
	tp_free(t);
}

/* ---- menus, if, comments, choices ---- */

static void test_menu_tree(void **state)
{
	struct tp *t = tp_new();
	struct kconfig *kc = tp_one(t,
		"menu \"Top\"\n"			/* 1 */
		"\tvisible if V\n"
		"\tdepends on D\n"
		"\n"
		"config IN_MENU\n"			/* 5 */
		"\tbool \"in menu\" if P\n"
		"\n"
		"if COND\n"
		"config IN_IF\n"
		"\tbool \"in if\"\n"			/* 10 */
		"comment \"a comment\"\n"
		"\tdepends on CD\n"
		"endif\n"
		"\n"
		"endmenu\n"				/* 15 */
		"\n"
		"config AFTER\n"
		"\tbool\n");
	struct kc_menu *top = kc->rootmenu.list, *in_menu, *ifm, *in_if, *comment, *after;
	(void)state;

	assert_null(kc->rootmenu.prompt);
	assert_non_null(top);
	assert_null(top->sym);
	assert_int_equal(top->prompt->type, KC_P_MENU);
	assert_string_equal(top->prompt->text, "Top");
	assert_ptr_equal(top->prompt->menu, top);
	assert_string_equal(E(kc, top->visibility), "V");
	assert_string_equal(E(kc, top->dep), "D");
	assert_int_equal(top->lineno, 1);

	in_menu = top->list;
	assert_string_equal(in_menu->sym->name, "IN_MENU");
	assert_ptr_equal(in_menu->parent, top);
	/* the prompt gets the menu's "visible if", as a copy */
	assert_string_equal(E(kc, in_menu->prompt->visible.expr), "(&& P V)");
	assert_ptr_not_equal(in_menu->prompt->visible.expr->right.expr, top->visibility);

	ifm = in_menu->next;
	assert_null(ifm->sym);
	assert_null(ifm->prompt);
	assert_string_equal(E(kc, ifm->dep), "COND");
	assert_int_equal(ifm->lineno, 8);
	in_if = ifm->list;
	assert_string_equal(in_if->sym->name, "IN_IF");
	assert_ptr_equal(in_if->parent, ifm);
	assert_string_equal(E(kc, in_if->prompt->visible.expr), "V");
	comment = in_if->next;
	assert_null(comment->sym);
	assert_int_equal(comment->prompt->type, KC_P_COMMENT);
	assert_string_equal(comment->prompt->text, "a comment");
	assert_string_equal(E(kc, comment->dep), "CD");
	assert_int_equal(comment->lineno, 11);
	assert_null(comment->next);
	assert_null(ifm->next);

	after = top->next;
	assert_string_equal(after->sym->name, "AFTER");
	assert_ptr_equal(after->parent, &kc->rootmenu);
	assert_null(after->next);
	assert_null(after->prompt);
	tp_free(t);
}

static void test_menuconfig_and_warnings(void **state)
{
	struct tp *t = tp_new();
	struct kconfig *kc = tp_one(t,
		"menuconfig MC\n"			/* 1 */
		"\tbool \"Menu config\"\n"
		"menuconfig NOPROMPT\n"
		"\tbool\n"
		"config R\n"				/* 5 */
		"\tbool \"one\"\n"
		"\tprompt \"  two\"\n"
		"\tint\n"
		"\thelp\n"
		"\t  text\n"				/* 10 */
		"\thelp\n"
		"\n"
		"config S\n"
		"\tbool % \"s\"\n"
		"config T\n"				/* 15 */
		"\tbool");
	struct kc_menu *mc = menu_of(kc, "MC"), *r = menu_of(kc, "R");
	(void)state;

	assert_true(mc->is_menuconfig);
	assert_int_equal(mc->prompt->type, KC_P_MENU);
	assert_true(menu_of(kc, "NOPROMPT")->is_menuconfig);
	assert_string_equal(r->prompt->text, "two");
	assert_int_equal(sym(kc, "R")->type, KC_S_BOOLEAN);
	assert_string_equal(r->help, "");
	assert_string_equal(menu_of(kc, "S")->prompt->text, "s");
	/* conf's lines, including its quirk: the statement after the menuconfig */
	assert_true(diag_has(t, "Kconfig:5: warning: menuconfig statement without prompt\n"));
	assert_true(diag_has(t, "Kconfig:7: warning: leading whitespace ignored\n"));
	assert_true(diag_has(t, "Kconfig:7: warning: prompt redefined\n"));
	assert_true(diag_has(t, "Kconfig:5: warning: ignoring type redefinition of 'R' "
			     "from 'bool' to 'integer'\n"));
	assert_true(diag_has(t, "Kconfig:13: warning: 'R' defined with more than one help text"
			     " -- only the last one will be used\n"));
	assert_true(diag_has(t, "Kconfig:13: warning: 'R' defined with blank help text\n"));
	assert_true(diag_has(t, "Kconfig:14: warning: ignoring unsupported character '%'\n"));
	assert_true(diag_has(t, "Kconfig:16: warning: no new line at end of file\n"));
	assert_int_equal(t->nwarnings, 8);
	assert_int_equal(t->nerrors, 0);
	tp_free(t);
}

static void test_choice_61(void **state)
{
	struct tp *t = tp_new();
	struct kconfig *kc = tp_one(t,
		"choice CH\n"				/* 1 */
		"\tprompt \"Pick\"\n"
		"\toptional\n"
		"\tdefault B if X\n"
		"config A\n"				/* 5 */
		"\tbool \"a\"\n"
		"config B\n"
		"\tbool \"b\"\n"
		"endchoice\n"
		"choice\n"				/* 10 */
		"\ttristate \"T\"\n"
		"endchoice\n"
		"choice CH\n"
		"\tdepends on Y\n"
		"endchoice\n");				/* 15 */
	struct kc_menu *c1 = kc->rootmenu.list, *c2 = c1->next, *c3 = c2->next;
	struct kc_symbol *ch = c1->sym;
	(void)state;

	assert_string_equal(ch->name, "CH");
	assert_int_equal(ch->flags & (KC_SYMBOL_CHOICE | KC_SYMBOL_NO_WRITE | KC_SYMBOL_OPTIONAL),
			 KC_SYMBOL_CHOICE | KC_SYMBOL_NO_WRITE | KC_SYMBOL_OPTIONAL);
	assert_prop(kc, prop_at(ch, 0), KC_P_SYMBOL, 1, "CH", "-");
	assert_ptr_equal(prop_at(ch, 0)->expr->left.sym, ch);
	assert_prop(kc, prop_at(ch, 1), KC_P_CHOICE, 1, "-", "-");
	assert_prop(kc, prop_at(ch, 2), KC_P_PROMPT, 2, "-", "-");
	assert_prop(kc, prop_at(ch, 3), KC_P_DEFAULT, 4, "B", "X");
	assert_string_equal(c1->list->sym->name, "A");
	assert_string_equal(c1->list->next->sym->name, "B");
	assert_ptr_equal(c1->list->parent, c1);
	assert_int_equal(ch->type, KC_S_UNKNOWN);	/* finalize takes the members' */

	assert_null(c2->sym->name);
	assert_int_equal(c2->sym->type, KC_S_TRISTATE);
	assert_false(c2->sym->flags & KC_SYMBOL_OPTIONAL);
	assert_null(c2->list);

	/* the same name again: the same choice symbol, a second entry */
	assert_ptr_equal(c3->sym, ch);
	assert_string_equal(E(kc, c3->dep), "Y");
	assert_int_equal(prop_count(ch), 6);
	assert_int_equal(prop_at(ch, 4)->type, KC_P_SYMBOL);
	assert_int_equal(prop_at(ch, 5)->type, KC_P_CHOICE);
	assert_ptr_equal(prop_at(ch, 5)->menu, c3);
	/* the nameless choice symbol comes first in bucket 0 */
	assert_ptr_equal(kc->hash[0], c2->sym);
	tp_free(t);
}

static void test_choice_612(void **state)
{
	struct tp *t = tp_new();
	struct kconfig *kc;
	struct kc_menu *c;
	(void)state;

	tu_write_str(t->dir, "Kconfig",
		 "choice\n"				/* 1 */
		 "\tprompt \"Pick\"\n"
		 "\tdefault B\n"
		 "config A\n"
		 "\tbool \"a\"\n"			/* 5 */
		 "if X\n"
		 "config B\n"
		 "\tbool \"b\"\n"
		 "endif\n"
		 "config A\n"				/* 10 */
		 "\tbool \"a again\"\n"
		 "endchoice\n"
		 "choice\n"
		 "\tbool \"Second\"\n"
		 "config C\n"				/* 15 */
		 "\tbool \"c\"\n"
		 "endchoice\n");
	assert_int_equal(tp_parse_dialect(t, KC_DIALECT_6_12), 0);
	kc = t->kc;
	c = kc->rootmenu.list;
	assert_null(c->sym->name);
	assert_true(c->sym->flags & KC_SYMBOL_CHOICE);
	assert_int_equal(c->sym->type, KC_S_BOOLEAN);
	/* 6.12's parser adds no P_CHOICE: the symbol, the prompt, the default */
	assert_int_equal(prop_count(c->sym), 3);
	assert_int_equal(prop_at(c->sym, 0)->type, KC_P_SYMBOL);
	assert_prop(kc, prop_at(c->sym, 1), KC_P_PROMPT, 2, "-", "-");
	assert_prop(kc, prop_at(c->sym, 2), KC_P_DEFAULT, 3, "B", "-");
	assert_string_equal(c->list->sym->name, "A");
	assert_null(c->list->next->sym);	/* the if block */
	assert_string_equal(c->list->next->list->sym->name, "B");
	assert_ptr_equal(c->list->next->next->sym, sym(kc, "A"));
	assert_false(sym(kc, "A")->flags & KC_SYMBOL_OPTIONAL);
	/* "bool" with its prompt; the type was bool from the start */
	assert_int_equal(c->next->sym->type, KC_S_BOOLEAN);
	assert_string_equal(c->next->prompt->text, "Second");
	assert_int_equal(prop_count(c->next->sym), 2);
	assert_int_equal(t->nerrors, 0);

	/* the 6.12 rules: members bool with a prompt, a prompt on the choice */
	tu_write_str(t->dir, "Kconfig",
		 "choice\n"
		 "config A\n"
		 "\ttristate \"a\"\n"
		 "config B\n"
		 "\tbool\n"				/* 5 */
		 "endchoice\n"
		 "choice\n"
		 "\toptional\n"
		 "\tbool \"x\"\n"
		 "endchoice\n");			/* 10 */
	assert_int_equal(tp_parse_dialect(t, KC_DIALECT_6_12), KCONFIG_EPARSE);
	assert_string_equal(t->kc->errmsg, "Kconfig:1: choice must have a prompt");
	assert_true(diag_has(t, "Kconfig:2: error: choice member must be bool\n"));
	assert_true(diag_has(t, "Kconfig:4: error: choice member must have a prompt\n"));
	assert_true(diag_has(t, "Kconfig:7: error: choice must have a prompt\n"));
	assert_true(diag_has(t, "Kconfig:8: error: invalid statement: word 'optional'"));
	tp_free(t);
}

/* ---- help text ---- */

static void test_help_text(void **state)
{
	static const struct {
		const char *in, *help, *dep;
	} cases[] = {
		/* ends at a line in column 0: no final newline, like conf */
		{ "\thelp\n\t  text\nconfig Y\n", "text", "-" },
		/* ends at a less indented line, which is an option again */
		{ "\thelp\n\t  text\n\tdepends on D\n", "text\n", "D" },
		/* tabs count to the next multiple of 8; deeper indentation kept */
		{ "\thelp\n\t  line1\n\t\tdeeper\n   \t   three\n", "line1\n      deeper\n three\n", "-" },
		/* trailing blanks dropped; blank lines kept; ends at the end of file */
		{ "\thelp\n  a  \t\n\n\n  b", "a\n\n\nb", "-" },
		/* leading blank lines count */
		{ "  help\n\n    x\n\n", "\nx\n\n", "-" },
		/* text in column 0 right after help: one line of help */
		{ "help\nabc\nconfig Y\n", "abc", "-" },
		/* the spelling of trees before 5.8 */
		{ "\t---help---\n\t  old\n", "old\n", "-" },
		/* a blank line then a column-0 line ends the text */
		{ "\thelp\n\t  one\n\n\t  two\n\nconfig Y\n", "one\n\ntwo\n", "-" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tp *t = tp_new();
		char text[512];

		snprintf(text, sizeof(text), "config X\n\tbool\n%s", cases[i].in);
		tu_write_str(t->dir, "Kconfig", text);
		assert_int_equal(tp_parse(t), 0);
		assert_string_equal(menu_of(t->kc, "X")->help, cases[i].help);
		assert_string_equal(E(t->kc, menu_of(t->kc, "X")->dep), cases[i].dep);
		tp_free(t);
	}
}

/* ---- files and macros ---- */

static void test_source_chain(void **state)
{
	struct tp *t = tp_new();
	struct kconfig *kc;
	(void)state;

	tu_write_str(t->dir, "Kconfig",
		 "source \"sub/Kconfig\"\n"
		 "\n"
		 "source \"$(SUBDIR)/Kconfig.m\"\n"
		 "config TOP\n"
		 "\tbool\n");
	tu_write_str(t->dir, "sub/Kconfig",
		 "\n"
		 "config SUB1\n"
		 "\tbool\n"
		 "source \"sub/inner/Kconfig\"   # relative to srctree\n"
		 "\n"
		 "config SUB2\n"
		 "\tbool\n");
	tu_write_str(t->dir, "sub/inner/Kconfig", "config INNER\n\tbool \"inner\"\n");
	tu_write_str(t->dir, "sub/Kconfig.m", "config MACRO\n\tbool");
	assert_int_equal(tp_parse(t), 0);
	kc = t->kc;

	const char *order[] = { "SUB1", "INNER", "SUB2", "MACRO", "TOP" };
	const char *files[] = { "sub/Kconfig", "sub/inner/Kconfig", "sub/Kconfig",
				"sub/Kconfig.m", "Kconfig" };
	const int lines[] = { 2, 1, 6, 1, 4 };
	struct kc_menu *m = kc->rootmenu.list;
	for (int i = 0; i < 5; i++, m = m->next) {
		assert_non_null(m);
		assert_string_equal(m->sym->name, order[i]);
		assert_string_equal(m->file, files[i]);
		assert_int_equal(m->lineno, lines[i]);
	}
	assert_null(m);
	assert_string_equal(prop_at(sym(kc, "INNER"), 1)->file, "sub/inner/Kconfig");
	assert_int_equal(kc->nfiles, 4);
	assert_string_equal(kc->files[0], "Kconfig");
	assert_string_equal(kc->files[2], "sub/inner/Kconfig");
	assert_string_equal(kc->files[3], "sub/Kconfig.m");
	/* the file without a final newline warns where conf does */
	assert_true(diag_has(t, "sub/Kconfig.m:2: warning: no new line at end of file\n"));

	/* Kconfiglib's rsource is no kernel syntax: conf rejects it, so does kmin */
	tu_write_str(t->dir, "Kconfig", "config A\n\tbool\n\nrsource \"sub/Kconfig\"\n");
	assert_int_equal(tp_parse(t), KCONFIG_EPARSE);
	assert_string_equal(t->kc->errmsg, "Kconfig:4: unknown statement \"rsource\"");
	tp_free(t);
}

static void test_macros(void **state)
{
	struct tp *t = tp_new();
	struct kconfig *kc;

	tu_write_str(t->dir, "Kconfig",
		"mainmenu \"Linux/$(ARCH) $(UNSET) Config\"\n"
		"FOO := foo\n"
		"BAR = $(FOO)-bar\n"
		"EMPTY :=\n"
		"APP = a\n"
		"APP += b   # not a comment\n"
		"$(FOO)_N$(EMPTY)AME := named\n"
		"$(warning-if,n,never shown)\n"
		"config $(FOO)_SYM\n"
		"\tbool \"$(BAR) prompt $(foo_NAME) 'x' \\$(FOO)\"\n"
		"\tdefault $(EMPTY) y if $(APP)\n"
		"config $(EMPTY)\n"
		"config Z\n"
		"\tstring\n"
		"\tdefault \"$(APP)\"\n"
		"\tdepends on $(FOO)\n");
	(void)state;
	assert_int_equal(tp_parse(t), KCONFIG_EPARSE);
	kc = t->kc;
	struct kc_symbol *s = sym(kc, "foo_SYM");

	assert_string_equal(kc->rootmenu.prompt->text, "Linux/arm  Config");
	assert_ptr_equal(kc->rootmenu.prompt->menu, &kc->rootmenu);
	assert_string_equal(prop_at(s, 1)->text, "foo-bar prompt named 'x' $(FOO)");
	/* "$(EMPTY)" is no token at all; "$(APP)" is one word with a space */
	assert_prop(kc, prop_at(s, 2), KC_P_DEFAULT, 11, "y", "a b   # not a comment");
	assert_string_equal(prop_at(sym(kc, "Z"), 1)->expr->left.sym->name, "a b   # not a comment");
	assert_string_equal(E(kc, menu_of(kc, "Z")->dep), "foo");
	/* "config $(EMPTY)" is "config" alone: an error, reported, parsing went on */
	assert_int_equal(t->nerrors, 1);
	assert_true(diag_has(t, "Kconfig:12: error: syntax error: unexpected end of line, "
			     "expected a symbol name\n"));
	tp_free(t);
}

static void test_modules_and_options(void **state)
{
	struct tp *t = tp_new();
	struct kconfig *kc = tp_one(t,
		"config MODULES\n"
		"\tbool \"modules\"\n"
		"\tmodules\n"
		"config OLD\n"
		"\tbool\n"
		"\toption allnoconfig_y\n"
		"\toption defconfig_list\n"
		"config GONE\n"
		"\tbool\n"
		"\ttransitional\n"
		"option = value\n"
		"config LAST\n"
		"\tstring\n"
		"\toption env=\"ARCH\"\n");
	(void)state;

	assert_ptr_equal(kc->modules_sym, sym(kc, "MODULES"));
	assert_true(sym(kc, "OLD")->flags & KC_SYMBOL_ALLNOCONFIG_Y);
	assert_true(sym(kc, "GONE")->flags & KC_SYMBOL_TRANSITIONAL);
	assert_false(sym(kc, "OLD")->flags & KC_SYMBOL_TRANSITIONAL);
	assert_string_equal(E(kc, prop_at(sym(kc, "LAST"), 1)->expr), "\"arm\"");
	assert_int_equal(t->nerrors, 0);
	tp_free(t);

	tp_expect_error("config A\n\tbool\n\tmodules\nconfig B\n\tbool\n\tmodules\n",
			"Kconfig:6: symbol 'B' redefines option 'modules' already defined by "
			"symbol 'A'");
}

/* ---- errors ---- */

static void test_errors(void **state)
{
	(void)state;
	tp_expect_error("config A\n\tbool\nfoo bar\n", "Kconfig:3: unknown statement \"foo\"");
	tp_expect_error("config A\n\tdepends on B &&\n",
			"Kconfig:2: syntax error: unexpected end of line, expected an expression");
	tp_expect_error("config A\n\tdepends on (B\n",
			"Kconfig:2: syntax error: unexpected end of line, expected ')'");
	tp_expect_error("config A\n\tselect \"B\"\n",
			"Kconfig:2: syntax error: unexpected string \"B\", expected a symbol name");
	tp_expect_error("config A\n\tbool\n\tdepends B\n",
			"Kconfig:3: syntax error: unexpected word 'B', expected 'on'");
	tp_expect_error("\nif A\nconfig B\n\tbool\n",
			"Kconfig:2: missing end statement for this entry: 'if' without 'endif'");
	tp_expect_error("menu \"m\"\nif A\nendif\n",
			"Kconfig:1: missing end statement for this entry: 'menu' without 'endmenu'");
	tp_expect_error("choice\nconfig A\n\tbool \"a\"\n",
			"Kconfig:1: missing end statement for this entry: 'choice' without "
			"'endchoice'");
	tp_expect_error("config A\n\tbool\nendif\n",
			"Kconfig:3: invalid statement: 'endif' without matching 'if'");
	tp_expect_error("config A\n\tbool\n\n  endmenu\n",
			"Kconfig:4: invalid statement: 'endmenu' without matching 'menu'");
	tp_expect_error("menu \"x\"\nendif\n", "Kconfig:2: unexpected 'endif' within menu block");
	tp_expect_error("choice\n\tprompt \"c\"\nmenu \"m\"\nendmenu\nendchoice\n",
			"Kconfig:3: invalid statement: 'menu' (a choice holds config, comment "
			"and if only)");
	tp_expect_error("config A\n\tbool\n\n\"str\"\n",
			"Kconfig:4: invalid statement: string \"str\"");
	tp_expect_error("mainmenu \"a\"\nmainmenu \"b\"\n",
			"Kconfig:2: invalid statement: 'mainmenu'");
	tp_expect_error("\nsource \"nope/Kconfig\"\nconfig A\n",
			"Kconfig:2: can't open file \"nope/Kconfig\"");
	tp_expect_error("config A\n\tbool\n\thelp text\n",
			"Kconfig:3: syntax error: unexpected word 'text', expected end of line");
}

static void test_error_files(void **state)
{
	struct tp *t = tp_new();
	(void)state;

	/* a -> b -> a: the chain is reported from the innermost file */
	tu_write_str(t->dir, "Kconfig", "source \"a\"\n");
	tu_write_str(t->dir, "a", "\n\nsource \"b\"\n");
	tu_write_str(t->dir, "b", "source \"a\"\n");
	assert_int_equal(tp_parse(t), KCONFIG_EPARSE);
	assert_string_equal(t->kc->errmsg, "b:1: recursive inclusion detected: a, "
			    "included from b:1, included from a:3");

	/* a file sourcing itself */
	tu_write_str(t->dir, "Kconfig", "config A\n\tbool\nsource \"Kconfig\"\n");
	assert_int_equal(tp_parse(t), KCONFIG_EPARSE);
	assert_string_equal(t->kc->errmsg, "Kconfig:3: recursive inclusion detected: Kconfig, "
			    "included from Kconfig:3");

	/* endif in another file than its if */
	tu_write_str(t->dir, "Kconfig", "if A\nsource \"s\"\n");
	tu_write_str(t->dir, "s", "config B\n\tbool\nendif\n");
	assert_int_equal(tp_parse(t), KCONFIG_EPARSE);
	assert_string_equal(t->kc->errmsg, "s:3: 'endif' in different file than 'if'");
	assert_true(diag_has(t, "Kconfig:1: error: location of the 'if'\n"));

	/* unterminated macro reference: the preprocessor's error, with file:line */
	tu_write_str(t->dir, "Kconfig", "config A\n\tbool\n\tdepends on $(B\n");
	assert_int_not_equal(tp_parse(t), 0);
	assert_non_null(strstr(t->kc->errmsg, "Kconfig:3: "));

	/* several errors: all reported, the first one kept */
	tu_write_str(t->dir, "Kconfig", "foo\nconfig A\n\tbool\n\tdepends on\nbar\n");
	assert_int_equal(tp_parse(t), KCONFIG_EPARSE);
	assert_string_equal(t->kc->errmsg, "Kconfig:1: unknown statement \"foo\"");
	assert_int_equal(t->nerrors, 3);
	assert_true(diag_has(t, "Kconfig:5: error: unknown statement \"bar\"\n"));
	assert_non_null(sym(t->kc, "A"));

	/* no top file */
	unlink(strcat(strcpy((char[128]){ 0 }, t->dir), "/Kconfig"));
	assert_int_equal(tp_parse(t), KCONFIG_ENOENT);
	assert_non_null(strstr(t->kc->errmsg, "can't find file Kconfig"));
	tp_free(t);
}

/* What conf accepts with a warning, kmin accepts too: open strings, NUL bytes. */
static void test_lenient_input(void **state)
{
	struct tp *t = tp_new();
	static const char nul[] =
		"config A\n"
		"\tbool \"before\0after\"\n"	/* 2: the prompt ends at the NUL */
		"\tdefault y\0\n"			/* 3: a NUL between tokens is ignored */
		"\thelp\n"
		"\t  x\0y  \n"			/* 5 */
		"config B\n"
		"\tstring\n"
		"\tdefault \"s\\\0t\"\n";
	(void)state;

	tu_write_str(t->dir, "Kconfig",
		 "config A\n"
		 "\tbool \"never closed\n"
		 "\tdefault y\n"
		 "config B\n"
		 "\tstring\n"
		 "\tdefault \"open at the end");
	assert_int_equal(tp_parse(t), 0);
	assert_string_equal(menu_of(t->kc, "A")->prompt->text, "never closed");
	assert_prop(t->kc, prop_at(sym(t->kc, "A"), 2), KC_P_DEFAULT, 3, "y", "-");
	assert_string_equal(prop_at(sym(t->kc, "B"), 1)->expr->left.sym->name, "open at the end");
	assert_true(diag_has(t, "Kconfig:2: warning: multi-line strings not supported\n"));
	assert_true(diag_has(t, "Kconfig:6: warning: unterminated string at end of file\n"));
	assert_int_equal(t->nerrors, 0);

	tu_write(t->dir, "Kconfig", nul, sizeof(nul) - 1);
	assert_int_equal(tp_parse(t), 0);
	assert_string_equal(menu_of(t->kc, "A")->prompt->text, "before");
	assert_prop(t->kc, prop_at(sym(t->kc, "A"), 2), KC_P_DEFAULT, 3, "y", "-");
	assert_string_equal(menu_of(t->kc, "A")->help, "x");
	assert_string_equal(prop_at(sym(t->kc, "B"), 1)->expr->left.sym->name, "s");
	assert_true(diag_has(t, "Kconfig:3: warning: ignoring unsupported character '\\x00'\n"));
	assert_int_equal(t->nerrors, 0);
	tp_free(t);
}

static void test_long_lines(void **state)
{
	struct tp *t = tp_new();
	size_t n = 1 << 20;
	char *text = malloc(2 * n + 256), *p = text;
	(void)state;

	assert_non_null(text);
	p += sprintf(p, "config ");
	memset(p, 'N', 100000);
	p += 100000;
	p += sprintf(p, "\n\tbool \"");
	memset(p, 'x', n);
	p += n;
	p += sprintf(p, "\"\n\tdepends on A");
	for (int i = 0; i < 10000; i++)
		p += sprintf(p, " && \\\n B%d", i);
	p += sprintf(p, "\nconfig LAST\n");
	tu_write_str(t->dir, "Kconfig", text);
	assert_int_equal(tp_parse(t), 0);
	assert_int_equal(strlen(t->kc->rootmenu.list->sym->name), 100000);
	assert_int_equal(strlen(t->kc->rootmenu.list->prompt->text), n);
	/* the line of an entry after 10000 continuation lines */
	assert_int_equal(menu_of(t->kc, "LAST")->lineno, 10004);
	free(text);
	tp_free(t);
}

/* ---- the whole conf_parse ---- */

static void test_full_parse(void **state)
{
	struct tp *t = tp_new();
	struct kconfig *kc;
	(void)state;

	tu_write_str(t->dir, "Kconfig",
		     "config A\n\tbool \"a\"\n\tdefault y\nconfig B\n\ttristate\n");
	t->kc = tp_context(t, KC_DIALECT_6_1);
	kc = t->kc;
	assert_int_equal(kc_parse(kc, "Kconfig"), 0);
	assert_true(kc->conf_changed);
	assert_string_equal(kc->rootmenu.prompt->text, "Main menu");
	assert_ptr_equal(kc->modules_sym, &kc->sym_no);
	tp_free_context(kc);

	tu_write_str(t->dir, "Kconfig",
		     "config A\n\tbool\n\tdepends on B\nconfig B\n\tbool\n\tdepends on A\n");
	t->kc = kc = tp_context(t, KC_DIALECT_6_1);
	assert_int_equal(kc_parse(kc, "Kconfig"), KCONFIG_EPARSE);
	assert_false(kc->conf_changed);
	/* the first message of the recursion check, the callback still gets all */
	assert_string_equal(kc->errmsg, "Kconfig:4: recursive dependency detected!");
	assert_true(diag_has(t, "Kconfig:4: error: recursive dependency detected!\n"));
	assert_ptr_equal(kc->opts.diag, tp_diag);
	tp_free(t);
}

/* ---- the real tree ---- */

/*
 * An independent count: config, menuconfig, menu, comment and choice lines
 * outside help texts, following "source" lines (with $(SRCARCH) = arm) as
 * many times as they appear.
 */
struct scan {
	size_t configs, menus, comments, choices;
	char **names, **files;		/* config names met; distinct files read */
	size_t nnames, nfiles, cap_names, cap_files;
};

static void scan_push(char ***v, size_t *n, size_t *cap, const char *s)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 1024;
		*v = realloc(*v, *cap * sizeof(**v));
		assert_non_null(*v);
	}
	(*v)[(*n)++] = strdup(s);
}

static void scan_file(struct scan *c, const char *srctree, const char *name)
{
	char path[1024], *line = NULL;
	size_t sz = 0;
	int help_indent = -2;	/* -2: not in help; -1: in help, indentation unknown */
	bool seen = false;
	FILE *f;

	for (size_t i = 0; i < c->nfiles && !seen; i++)
		seen = !strcmp(c->files[i], name);
	if (!seen)
		scan_push(&c->files, &c->nfiles, &c->cap_files, name);
	snprintf(path, sizeof(path), "%s/%s", srctree, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (getline(&line, &sz, f) > 0) {
		int indent = 0;
		char *p = line, word[64], arg[512];

		for (; *p == ' ' || *p == '\t'; p++)
			indent = *p == '\t' ? (indent & ~7) + 8 : indent + 1;
		if (help_indent != -2) {
			if (*p == '\n' || !*p)
				continue;
			if (help_indent == -1)
				help_indent = indent ? indent : -2;
			if (help_indent != -2 && indent >= help_indent)
				continue;
			help_indent = -2;
		}
		if (sscanf(p, "%63s", word) != 1)
			continue;
		if (!strcmp(word, "help")) {
			help_indent = -1;
		} else if (!strcmp(word, "config") || !strcmp(word, "menuconfig")) {
			assert_int_equal(sscanf(p, "%*s %511s", arg), 1);
			c->configs++;
			scan_push(&c->names, &c->nnames, &c->cap_names, arg);
		} else if (!strcmp(word, "menu")) {
			c->menus++;
		} else if (!strcmp(word, "comment")) {
			c->comments++;
		} else if (!strcmp(word, "choice")) {
			c->choices++;
		} else if (!strcmp(word, "source") && sscanf(p, "%*s \"%511[^\"]\"", arg) == 1) {
			char *m = strstr(arg, "$(SRCARCH)"), sub[600];

			if (m) {
				snprintf(sub, sizeof(sub), "%.*sarm%s", (int)(m - arg), arg, m + 10);
				strcpy(arg, sub);
			}
			if (!strchr(arg, '$'))
				scan_file(c, srctree, arg);
		}
	}
	free(line);
	fclose(f);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* CPU time of the process: the machine may be shared, wall time is not ours. */
static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* What conf needs in its environment for an arm tree. */
struct real_env {
	char cc_version[256], cc_env[300], srctree_env[300], cache[256];
	const char *env[8];
	struct kconfig_options opts;
};

/* False when the tree is not unpacked. */
static bool real_env_init(struct real_env *r, const char *srctree)
{
	struct kconfig_options opts = KCONFIG_OPTIONS_INIT;
	char top[512];
	FILE *f;

	snprintf(top, sizeof(top), "%s/Kconfig", srctree);
	if (access(top, R_OK))
		return false;
	r->cc_version[0] = 0;
	f = popen("arm-linux-gnueabi-gcc --version 2>/dev/null | head -1", "r");
	if (f) {
		if (!fgets(r->cc_version, sizeof(r->cc_version), f))
			r->cc_version[0] = 0;
		pclose(f);
	}
	r->cc_version[strcspn(r->cc_version, "\n")] = 0;
	snprintf(r->cc_env, sizeof(r->cc_env), "CC_VERSION_TEXT=%s", r->cc_version);
	snprintf(r->srctree_env, sizeof(r->srctree_env), "srctree=%s", srctree);
	r->env[0] = "ARCH=arm";
	r->env[1] = "SRCARCH=arm";
	r->env[2] = "CC=arm-linux-gnueabi-gcc";
	r->env[3] = "LD=arm-linux-gnueabi-ld";
	r->env[4] = r->srctree_env;
	r->env[5] = r->cc_env;
	r->env[6] = "PATH=/usr/local/bin:/usr/bin:/bin";
	r->env[7] = NULL;
	opts.srctree = srctree;
	opts.env = r->env;
	opts.shell_cwd = "/tmp";
	snprintf(r->cache, sizeof(r->cache), "/tmp/kmin-test-parser-cache-%d", (int)getuid());
	mkdir(r->cache, 0700);
	opts.shell_cache_dir = r->cache;
	r->opts = opts;
	return true;
}

static struct kconfig *real_parse(struct real_env *r, double *cpu_ms)
{
	struct kconfig *kc = calloc(1, sizeof(*kc));
	double t0;

	assert_non_null(kc);
	kc->opts = r->opts;
	kc_sym_init(kc);
	t0 = now_ms();
	assert_int_equal(kc_parse_tree(kc, "Kconfig"), 0);
	*cpu_ms = now_ms() - t0;
	return kc;
}

static int tree_sublevel(const char *srctree)
{
	char path[512], line[256];
	int sublevel = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/Makefile", srctree);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "SUBLEVEL = %d", &sublevel) == 1)
			break;
	if (f)
		fclose(f);
	return sublevel;
}

static void test_arm_tree(void **state)
{
	struct real_env r;
	struct kconfig *kc = NULL;
	double best = 1e9, ms;
	(void)state;

	if (!real_env_init(&r, KERNEL_61)) {
		print_message("skipped: %s is not unpacked\n", KERNEL_61);
		skip();
	}
	/* the first parse warms the $(shell) cache; then the best of three */
	for (int round = 0; round < 4; round++) {
		tp_free_context(kc);
		kc = real_parse(&r, &ms);
		if (round && ms < best)
			best = ms;
	}
	print_message("6.1 arm tree: %zu symbols, %zu files, best parse %.1f ms of CPU time\n",
		      kc->nsyms, kc->nfiles, best);
	assert_true(best < PARSE_MS_LIMIT);
	assert_int_equal(kc->dialect, KC_DIALECT_6_1);

	/* count what was built */
	size_t menus = 0, entries = 0, choices = 0, menu_blocks = 0, comments = 0, ifs = 0,
	       props = 0, defined = 0;
	for (struct kc_menu *m = kc->rootmenu.list; m; m = kc_menu_next(m, NULL)) {
		menus++;
		if (m->sym && m->sym->name && !(m->sym->flags & KC_SYMBOL_CHOICE))
			entries++;
		else if (m->sym)
			choices++;
		else if (m->prompt && m->prompt->type == KC_P_MENU)
			menu_blocks++;
		else if (m->prompt && m->prompt->type == KC_P_COMMENT)
			comments++;
		else if (!m->prompt)
			ifs++;
	}
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kc_symbol *s = kc->syms[i];

		for (struct kc_property *p = s->prop; p; p = p->next)
			props++;
		if (s->name && !(s->flags & KC_SYMBOL_CHOICE) && s->prop &&
		    s->prop->type == KC_P_SYMBOL)
			defined++;
	}

	/* independently: scan the files, outside help texts */
	struct scan c = { 0 };
	size_t distinct = 0;
	scan_file(&c, KERNEL_61, "Kconfig");
	qsort(c.names, c.nnames, sizeof(*c.names), cmp_str);
	for (size_t i = 0; i < c.nnames; i++)
		if (!i || strcmp(c.names[i], c.names[i - 1]))
			distinct++;
	for (size_t i = 0; i < c.nnames; i++)
		free(c.names[i]);
	free(c.names);
	assert_int_equal(kc->nfiles, c.nfiles);
	for (size_t i = 0; i < c.nfiles; i++) {
		kc_file_lookup(kc, c.files[i]);	/* adds the file if the parser missed it */
		free(c.files[i]);
	}
	free(c.files);
	assert_int_equal(kc->nfiles, c.nfiles);
	assert_int_equal(entries, c.configs);
	assert_int_equal(defined, distinct);
	assert_int_equal(menu_blocks, c.menus);
	assert_int_equal(comments, c.comments);
	assert_int_equal(choices, c.choices);

	/*
	 * Measured with the kernel's own parser (scripts/kconfig of Debian's
	 * 6.1.192, same environment, the cross compiler installed): symbols,
	 * entries, properties, choices, menus, comments and if blocks, and the
	 * files it read.
	 */
	if (tree_sublevel(KERNEL_61) == 192 && r.cc_version[0]) {
		assert_int_equal(kc->nsyms, 18130);
		assert_int_equal(menus, 18518);
		assert_int_equal(props, 51759);
		assert_int_equal(choices, 81);
		assert_int_equal(menu_blocks, 301);
		assert_int_equal(comments, 223);
		assert_int_equal(ifs, 708);
		assert_int_equal(kc->nfiles, 1545);
		assert_string_equal(kc->rootmenu.prompt->text, "Linux/arm  Kernel Configuration");
		assert_ptr_equal(kc->modules_sym, sym(kc, "MODULES"));
	}
	tp_free_context(kc);
}

/* 6.12: the dialect comes from the Makefile; choices get their members. */
static void test_arm_tree_612(void **state)
{
	struct real_env r;
	struct kconfig *kc;
	size_t menus = 0, choices = 0, members = 0;
	double ms;
	(void)state;

	if (!real_env_init(&r, KERNEL_612)) {
		print_message("skipped: %s is not unpacked\n", KERNEL_612);
		skip();
	}
	kc = real_parse(&r, &ms);
	assert_int_equal(kc->dialect, KC_DIALECT_6_12);
	for (struct kc_menu *m = kc->rootmenu.list; m; m = kc_menu_next(m, NULL)) {
		menus++;
		if (!m->sym || !(m->sym->flags & KC_SYMBOL_CHOICE))
			continue;
		choices++;
		assert_null(m->sym->name);
		assert_int_equal(m->sym->type, KC_S_BOOLEAN);
		assert_non_null(m->prompt);
		assert_null(kc_sym_get_choice_prop(m->sym));
		/* conf's choice_members: config entries of the block, first choice wins */
		for (struct kc_menu *c = m->list; c; c = kc_menu_next(c, m)) {
			if (!c->sym || (c->sym->flags & KC_SYMBOL_CHECK))
				continue;
			assert_int_equal(c->sym->type, KC_S_BOOLEAN);
			c->sym->flags |= KC_SYMBOL_CHECK;
			members++;
		}
	}
	print_message("6.12 arm tree: %zu symbols, %zu menus, %zu choices with %zu members, "
		      "%.1f ms of CPU time\n", kc->nsyms, menus, choices, members, ms);
	/* measured with the kernel's own parser (6.12.117, the same environment) */
	if (tree_sublevel(KERNEL_612) == 117 && r.cc_version[0]) {
		assert_int_equal(kc->nsyms, 19063);
		assert_int_equal(menus, 19445);
		assert_int_equal(kc->nfiles, 1652);
		assert_int_equal(choices, 77);
		assert_int_equal(members, 424);	/* conf's choice_members, summed */
	}
	tp_free_context(kc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_properties),
		cmocka_unit_test(test_constants_and_quotes),
		cmocka_unit_test(test_expression_precedence),
		cmocka_unit_test(test_depends_and_continuation),
		cmocka_unit_test(test_menu_tree),
		cmocka_unit_test(test_menuconfig_and_warnings),
		cmocka_unit_test(test_choice_61),
		cmocka_unit_test(test_choice_612),
		cmocka_unit_test(test_help_text),
		cmocka_unit_test(test_source_chain),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_modules_and_options),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_files),
		cmocka_unit_test(test_lenient_input),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_full_parse),
		cmocka_unit_test(test_arm_tree),
		cmocka_unit_test(test_arm_tree_612),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
