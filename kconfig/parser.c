/*
 * parser.c - the grammar of the Kconfig language, and conf_parse().
 *
 * Who calls it: kconfig.c (kc_parse, once per context) and the unit tests
 * (kc_parse_tree, the grammar without finalize).
 *
 * A recursive-descent parser over the token stream of lexer.c, with the
 * semantics of the kernel's scripts/kconfig/parser.y for Linux 6.1 and
 * 6.12 (kc->dialect, read from srctree's Makefile).  What must match conf
 * exactly, because it is observable later:
 *
 *   - the order of kc_sym_lookup() calls (symbols enter the hash buckets
 *     newest first): left to right in each statement, the entry's name
 *     before its properties, an "if" condition before the if's entry;
 *   - the order of properties on each symbol and of entries in each menu;
 *   - the shapes of expressions: || below && below ! below comparisons,
 *     both binary operators left-associative, comparisons between two
 *     symbols only;
 *   - the file and line of every menu and property: the first token of
 *     its statement.
 *
 * One token of lookahead, read lazily: after "help" and after "source"
 * the lexer must change state before the next token is read.  Blocks
 * (if, menu, choice) nest through the token stream, which runs across
 * sourced files; an end statement in another file than its block is an
 * error, as in conf.  Errors are reported with file:line through
 * kc_lex_error() and parsing goes on at the next line, so one run shows
 * them all; a missing or recursive source, or a failing macro, stops it.
 *
 * Beyond 6.1 and 6.12, the syntax of other kernel versions: "option
 * modules/defconfig_list/allnoconfig_y/env=" and "---help---" (lexer.c)
 * of older trees, "transitional" of newer ones.  Kconfiglib's rsource,
 * osource and orsource are no kernel syntax: unknown statements, as in
 * conf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

struct kc_parser {
	struct kconfig *kc;
	struct kc_lexer lx;
	enum kc_token tok;		/* lookahead, valid if have_tok */
	bool have_tok;
	char *pending_word;		/* a statement's first word, already consumed */
	struct kc_menu *current_choice;	/* 6.12: choice block being parsed */
};

/* ---- tokens ---- */

static enum kc_token kc_parse_peek(struct kc_parser *ps)
{
	if (!ps->have_tok) {
		ps->tok = kc_lex_next(&ps->lx);
		ps->have_tok = true;
	}
	return ps->tok;
}

static void kc_parse_consume(struct kc_parser *ps)
{
	ps->have_tok = false;
}

static bool kc_parse_accept(struct kc_parser *ps, enum kc_token tok)
{
	if (kc_parse_peek(ps) != tok)
		return false;
	kc_parse_consume(ps);
	return true;
}

static bool kc_parse_stopped(struct kc_parser *ps)
{
	return ps->lx.fatal || ps->kc->build.oom;
}

/* A copy of the current token's text (arena: prompts, help, file names). */
static char *kc_parse_text(struct kc_parser *ps)
{
	char *s = kc_arena_strndup(&ps->kc->arena, ps->lx.text, ps->lx.len);

	if (!s)
		ps->kc->build.oom = true;
	return s;
}

/* ---- errors ---- */

static void kc_parse_describe(struct kc_parser *ps, char *buf, size_t size)
{
	enum kc_token tok = kc_parse_peek(ps);

	switch (tok) {
	case KC_T_WORD:
		snprintf(buf, size, "word '%.*s'", 200, ps->lx.text);
		break;
	case KC_T_WORD_QUOTE:
		snprintf(buf, size, "string \"%.*s\"", 200, ps->lx.text);
		break;
	case KC_T_ASSIGN_VAL:
	case KC_T_HELPTEXT:
	case KC_T_EOL:
	case KC_T_EOF:
	case KC_T_ERROR:
		snprintf(buf, size, "%s", kc_lex_token_name(tok));
		break;
	default:
		if (tok >= KC_T_OR)
			snprintf(buf, size, "%s", kc_lex_token_name(tok));
		else
			snprintf(buf, size, "'%s'", kc_lex_token_name(tok));
		break;
	}
}

/* "syntax error" at the lookahead token; returns false for the caller. */
static bool kc_parse_syntax_error(struct kc_parser *ps, const char *expected)
{
	char what[256];

	if (kc_parse_peek(ps) == KC_T_ERROR)
		return false;
	kc_parse_describe(ps, what, sizeof(what));
	kc_lex_error(&ps->lx, ps->lx.tok_file ? ps->lx.tok_file : ps->lx.stmt_file,
		     ps->lx.tok_line, "syntax error: unexpected %s%s%s", what,
		     expected ? ", expected " : "", expected ? expected : "");
	return false;
}

/* Drop the rest of the statement, its end of line included. */
static void kc_parse_skip_line(struct kc_parser *ps)
{
	for (;;) {
		enum kc_token tok = kc_parse_peek(ps);

		if (tok == KC_T_EOF || tok == KC_T_ERROR)
			return;
		kc_parse_consume(ps);
		if (tok == KC_T_EOL)
			return;
	}
}

static bool kc_parse_expect(struct kc_parser *ps, enum kc_token tok, const char *expected)
{
	if (kc_parse_accept(ps, tok))
		return true;
	return kc_parse_syntax_error(ps, expected);
}

static bool kc_parse_eol(struct kc_parser *ps)
{
	return kc_parse_expect(ps, KC_T_EOL, "end of line");
}

/* Properties and entries from here on get the position of this statement. */
static void kc_parse_sync_pos(struct kc_parser *ps)
{
	kc_menu_set_pos(ps->kc, ps->lx.stmt_file, ps->lx.stmt_line);
}

/* ---- expressions ---- */

static struct kc_symbol *kc_parse_lookup(struct kc_parser *ps, const char *name,
					 unsigned int flags)
{
	struct kc_symbol *sym = kc_sym_lookup(ps->kc, name, flags);

	if (!sym)
		ps->kc->build.oom = true;
	return sym;
}

/* symbol: a word, or (allow_const) a quoted constant. */
static bool kc_parse_symbol(struct kc_parser *ps, bool allow_const, struct kc_symbol **out)
{
	enum kc_token tok = kc_parse_peek(ps);

	if (tok == KC_T_WORD)
		*out = kc_parse_lookup(ps, ps->lx.text, 0);
	else if (tok == KC_T_WORD_QUOTE && allow_const)
		*out = kc_parse_lookup(ps, ps->lx.text, KC_SYMBOL_CONST);
	else
		return kc_parse_syntax_error(ps, allow_const ? "a symbol" : "a symbol name");
	kc_parse_consume(ps);
	return *out != NULL;
}

static struct kc_expr *kc_parse_new(struct kc_parser *ps, struct kc_expr *e)
{
	if (!e)
		ps->kc->build.oom = true;
	return e;
}

static bool kc_parse_or(struct kc_parser *ps, struct kc_expr **out);

static enum kc_expr_type kc_parse_comparison(enum kc_token tok)
{
	switch (tok) {
	case KC_T_EQUAL:
		return KC_E_EQUAL;
	case KC_T_UNEQUAL:
		return KC_E_UNEQUAL;
	case KC_T_LESS:
		return KC_E_LTH;
	case KC_T_LESS_EQUAL:
		return KC_E_LEQ;
	case KC_T_GREATER:
		return KC_E_GTH;
	case KC_T_GREATER_EQUAL:
		return KC_E_GEQ;
	default:
		return KC_E_NONE;
	}
}

/* unary: '!' unary | '(' expr ')' | symbol [comparison symbol] */
static bool kc_parse_unary(struct kc_parser *ps, struct kc_expr **out)
{
	struct kconfig *kc = ps->kc;
	struct kc_symbol *s1, *s2;
	struct kc_expr *e;
	enum kc_expr_type cmp;

	switch (kc_parse_peek(ps)) {
	case KC_T_NOT:
		kc_parse_consume(ps);
		if (!kc_parse_unary(ps, &e))
			return false;
		*out = kc_parse_new(ps, kc_expr_alloc_one(kc, KC_E_NOT, e));
		return *out != NULL;
	case KC_T_OPEN_PAREN:
		kc_parse_consume(ps);
		if (!kc_parse_or(ps, out))
			return false;
		return kc_parse_expect(ps, KC_T_CLOSE_PAREN, "')'");
	case KC_T_WORD:
	case KC_T_WORD_QUOTE:
		if (!kc_parse_symbol(ps, true, &s1))
			return false;
		cmp = kc_parse_comparison(kc_parse_peek(ps));
		if (cmp == KC_E_NONE) {
			*out = kc_parse_new(ps, kc_expr_alloc_symbol(kc, s1));
			return *out != NULL;
		}
		kc_parse_consume(ps);
		if (!kc_parse_symbol(ps, true, &s2))
			return false;
		*out = kc_parse_new(ps, kc_expr_alloc_comp(kc, cmp, s1, s2));
		return *out != NULL;
	default:
		return kc_parse_syntax_error(ps, "an expression");
	}
}

static bool kc_parse_and(struct kc_parser *ps, struct kc_expr **out)
{
	struct kc_expr *r;

	if (!kc_parse_unary(ps, out))
		return false;
	while (kc_parse_accept(ps, KC_T_AND)) {
		if (!kc_parse_unary(ps, &r))
			return false;
		*out = kc_parse_new(ps, kc_expr_alloc_two(ps->kc, KC_E_AND, *out, r));
		if (!*out)
			return false;
	}
	return true;
}

static bool kc_parse_or(struct kc_parser *ps, struct kc_expr **out)
{
	struct kc_expr *r;

	if (!kc_parse_and(ps, out))
		return false;
	while (kc_parse_accept(ps, KC_T_OR)) {
		if (!kc_parse_and(ps, &r))
			return false;
		*out = kc_parse_new(ps, kc_expr_alloc_two(ps->kc, KC_E_OR, *out, r));
		if (!*out)
			return false;
	}
	return true;
}

/* if_expr: nothing (NULL) or "if" expr. */
static bool kc_parse_if_expr(struct kc_parser *ps, struct kc_expr **out)
{
	*out = NULL;
	if (!kc_parse_accept(ps, KC_T_IF))
		return true;
	return kc_parse_or(ps, out);
}

/* ---- options shared by entries ---- */

static bool kc_parse_depends(struct kc_parser *ps)
{
	struct kc_expr *e;

	kc_parse_consume(ps);
	if (!kc_parse_expect(ps, KC_T_ON, "'on'") || !kc_parse_or(ps, &e) || !kc_parse_eol(ps))
		return false;
	kc_menu_add_dep(ps->kc, e);
	return true;
}

/* prompt "text" [if expr] */
static bool kc_parse_prompt(struct kc_parser *ps)
{
	struct kc_expr *dep;
	char *text;

	kc_parse_consume(ps);
	if (kc_parse_peek(ps) != KC_T_WORD_QUOTE)
		return kc_parse_syntax_error(ps, "a prompt string");
	text = kc_parse_text(ps);
	kc_parse_consume(ps);
	if (!text || !kc_parse_if_expr(ps, &dep) || !kc_parse_eol(ps))
		return false;
	kc_menu_add_prompt(ps->kc, KC_P_PROMPT, text, dep);
	return true;
}

/* The optional prompt after a type: "text" [if expr]; end of line. */
static bool kc_parse_type_prompt(struct kc_parser *ps)
{
	struct kc_expr *dep;
	char *text;

	if (kc_parse_peek(ps) != KC_T_WORD_QUOTE)
		return kc_parse_eol(ps);
	text = kc_parse_text(ps);
	kc_parse_consume(ps);
	if (!text || !kc_parse_if_expr(ps, &dep) || !kc_parse_eol(ps))
		return false;
	kc_menu_add_prompt(ps->kc, KC_P_PROMPT, text, dep);
	return true;
}

static bool kc_parse_help(struct kc_parser *ps)
{
	struct kconfig *kc = ps->kc;
	struct kc_menu *entry = kc_menu_current_entry(kc);
	const char *name;
	char *text;

	kc_parse_consume(ps);
	if (!kc_parse_eol(ps))
		return false;
	if (kc_lex_help(&ps->lx) == KC_T_ERROR)
		return false;
	text = kc_parse_text(ps);
	if (!text)
		return false;
	name = entry->sym && entry->sym->name ? entry->sym->name : "<choice>";
	if (entry->help)
		kc_lex_warn(&ps->lx, ps->lx.stmt_file, ps->lx.stmt_line,
			    "'%s' defined with more than one help text -- only the last one will be used",
			    name);
	if (!text[strspn(text, " \f\n\r\t\v")])
		kc_lex_warn(&ps->lx, ps->lx.stmt_file, ps->lx.stmt_line,
			    "'%s' defined with blank help text", name);
	entry->help = text;
	return true;
}

/* ---- config and menuconfig ---- */

static void kc_parse_set_modules(struct kc_parser *ps)
{
	struct kconfig *kc = ps->kc;
	struct kc_symbol *sym = kc_menu_current_entry(kc)->sym;

	if (kc->modules_sym && kc->modules_sym != &kc->sym_no)
		kc_lex_error(&ps->lx, ps->lx.stmt_file, ps->lx.stmt_line,
			     "symbol '%s' redefines option 'modules' already defined by symbol '%s'",
			     sym->name, kc->modules_sym->name);
	kc->modules_sym = sym;
}

/* "option ..." of trees before 5.13: modules, defconfig_list, allnoconfig_y, env= */
static bool kc_parse_option(struct kc_parser *ps)
{
	struct kconfig *kc = ps->kc;
	struct kc_menu *entry = kc_menu_current_entry(kc);
	char *name, *env;

	if (kc_parse_accept(ps, KC_T_MODULES)) {
		if (!kc_parse_eol(ps))
			return false;
		kc_parse_set_modules(ps);
		return true;
	}
	if (kc_parse_peek(ps) != KC_T_WORD)
		return kc_parse_syntax_error(ps, "an option name");
	name = kc_parse_text(ps);
	kc_parse_consume(ps);
	if (!name)
		return false;
	if (!strcmp(name, "env")) {
		if (!kc_parse_expect(ps, KC_T_EQUAL, "'='"))
			return false;
		if (kc_parse_peek(ps) != KC_T_WORD_QUOTE)
			return kc_parse_syntax_error(ps, "a string");
		env = kc_parse_text(ps);
		kc_parse_consume(ps);
		if (!env || !kc_parse_eol(ps))
			return false;
		/* conf before 4.18: the variable's value is the symbol's default */
		const char *val = kc_getenv(kc, env);
		if (!val) {
			kc_lex_warn(&ps->lx, entry->file, entry->lineno,
				    "environment variable %s undefined", env);
			return true;
		}
		struct kc_symbol *sym = kc_parse_lookup(ps, val, KC_SYMBOL_CONST);
		if (sym)
			kc_menu_add_symbol(kc, KC_P_DEFAULT, sym, NULL);
		return true;
	}
	if (!strcmp(name, "defconfig_list")) {
		return kc_parse_eol(ps);
	}
	if (!strcmp(name, "allnoconfig_y")) {
		if (!kc_parse_eol(ps))
			return false;
		entry->sym->flags |= KC_SYMBOL_ALLNOCONFIG_Y;
		return true;
	}
	kc_lex_warn(&ps->lx, ps->lx.stmt_file, ps->lx.stmt_line, "ignoring unknown option %s", name);
	kc_parse_skip_line(ps);
	return true;
}

static bool kc_parse_is_assign(enum kc_token tok)
{
	return tok == KC_T_EQUAL || tok == KC_T_COLON_EQUAL || tok == KC_T_PLUS_EQUAL;
}

/*
 * A word among the options: "option", "transitional", or the start of the
 * next statement (left to the statement list, consumed or not).
 */
static bool kc_parse_word_option(struct kc_parser *ps, bool *done)
{
	char *word;

	if (strcmp(ps->lx.text, "option") && strcmp(ps->lx.text, "transitional")) {
		*done = true;
		return true;
	}
	word = strdup(ps->lx.text);
	if (!word) {
		ps->kc->build.oom = true;
		return false;
	}
	kc_parse_consume(ps);
	if (kc_parse_is_assign(kc_parse_peek(ps)) ||
	    (!strcmp(word, "option") && kc_parse_peek(ps) != KC_T_WORD &&
	     kc_parse_peek(ps) != KC_T_MODULES)) {
		ps->pending_word = word;
		*done = true;
		return true;
	}
	if (!strcmp(word, "option")) {
		free(word);
		return kc_parse_option(ps);
	}
	free(word);
	if (!kc_parse_eol(ps))
		return false;
	kc_menu_current_entry(ps->kc)->sym->flags |= KC_SYMBOL_TRANSITIONAL;
	return true;
}

static bool kc_parse_type_token(enum kc_token tok, enum kc_type *type)
{
	switch (tok) {
	case KC_T_BOOL:
	case KC_T_DEF_BOOL:
		*type = KC_S_BOOLEAN;
		return true;
	case KC_T_TRISTATE:
	case KC_T_DEF_TRISTATE:
		*type = KC_S_TRISTATE;
		return true;
	case KC_T_INT:
		*type = KC_S_INT;
		return true;
	case KC_T_HEX:
		*type = KC_S_HEX;
		return true;
	case KC_T_STRING:
		*type = KC_S_STRING;
		return true;
	default:
		return false;
	}
}

/* One line of a config entry's options; *done when the entry ends. */
static bool kc_parse_config_option(struct kc_parser *ps, bool *done)
{
	struct kconfig *kc = ps->kc;
	struct kc_menu *entry = kc_menu_current_entry(kc);
	enum kc_token tok = kc_parse_peek(ps);
	struct kc_expr *e, *dep;
	struct kc_symbol *s1, *s2;
	enum kc_type type;

	kc_parse_sync_pos(ps);
	switch (tok) {
	case KC_T_BOOL:
	case KC_T_TRISTATE:
	case KC_T_INT:
	case KC_T_HEX:
	case KC_T_STRING:
		kc_parse_consume(ps);
		kc_parse_type_token(tok, &type);
		if (!kc_parse_type_prompt(ps))
			return false;
		kc_menu_set_type(kc, entry, type);
		return true;
	case KC_T_PROMPT:
		return kc_parse_prompt(ps);
	case KC_T_DEFAULT:
	case KC_T_DEF_BOOL:
	case KC_T_DEF_TRISTATE:
		kc_parse_consume(ps);
		if (!kc_parse_or(ps, &e) || !kc_parse_if_expr(ps, &dep) || !kc_parse_eol(ps))
			return false;
		kc_menu_add_expr(kc, KC_P_DEFAULT, e, dep);
		if (kc_parse_type_token(tok, &type))
			kc_menu_set_type(kc, entry, type);
		return true;
	case KC_T_SELECT:
	case KC_T_IMPLY:
		kc_parse_consume(ps);
		if (!kc_parse_symbol(ps, false, &s1) || !kc_parse_if_expr(ps, &dep) ||
		    !kc_parse_eol(ps))
			return false;
		kc_menu_add_symbol(kc, tok == KC_T_SELECT ? KC_P_SELECT : KC_P_IMPLY, s1, dep);
		return true;
	case KC_T_RANGE:
		kc_parse_consume(ps);
		if (!kc_parse_symbol(ps, true, &s1) || !kc_parse_symbol(ps, true, &s2) ||
		    !kc_parse_if_expr(ps, &dep) || !kc_parse_eol(ps))
			return false;
		e = kc_parse_new(ps, kc_expr_alloc_comp(kc, KC_E_RANGE, s1, s2));
		if (e)
			kc_menu_add_expr(kc, KC_P_RANGE, e, dep);
		return true;
	case KC_T_MODULES:
		kc_parse_consume(ps);
		if (!kc_parse_eol(ps))
			return false;
		kc_parse_set_modules(ps);
		return true;
	case KC_T_DEPENDS:
		return kc_parse_depends(ps);
	case KC_T_HELP:
		return kc_parse_help(ps);
	case KC_T_WORD:
		return kc_parse_word_option(ps, done);
	default:
		*done = true;
		return true;
	}
}

/*
 * 6.12: a config entry inside a choice block must be bool and have a
 * prompt.  (conf also links it into the choice's member list here; kmin's
 * finalize builds that list from the menu tree: choice_first..choice_last.)
 */
static void kc_parse_choice_member(struct kc_parser *ps, struct kc_menu *entry)
{
	if (!entry->prompt)
		kc_lex_error(&ps->lx, entry->file, entry->lineno,
			     "choice member must have a prompt");
	if (entry->sym->type != KC_S_BOOLEAN)
		kc_lex_error(&ps->lx, entry->file, entry->lineno, "choice member must be bool");
}

static void kc_parse_config(struct kc_parser *ps, bool menuconfig)
{
	struct kconfig *kc = ps->kc;
	const char *file = ps->lx.stmt_file;
	int line = ps->lx.stmt_line;
	struct kc_symbol *sym;
	struct kc_menu *entry;
	bool done = false;

	kc_parse_consume(ps);
	if (!kc_parse_symbol(ps, false, &sym) || !kc_parse_eol(ps)) {
		kc_parse_skip_line(ps);
		return;
	}
	if (kc->dialect == KC_DIALECT_6_1)
		sym->flags |= KC_SYMBOL_OPTIONAL;
	kc_menu_add_entry(kc, sym, file, line);
	entry = kc_menu_current_entry(kc);
	if (kc->build.oom)
		return;
	entry->is_menuconfig = menuconfig;
	while (!done && !kc_parse_stopped(ps)) {
		if (!kc_parse_config_option(ps, &done))
			kc_parse_skip_line(ps);
	}
	if (menuconfig) {
		if (entry->prompt)
			entry->prompt->type = KC_P_MENU;
		else	/* where conf reports it: the statement after the entry */
			kc_lex_warn(&ps->lx, ps->lx.stmt_file, ps->lx.stmt_line,
				    "menuconfig statement without prompt");
	}
	if (ps->current_choice && !kc_parse_stopped(ps))
		kc_parse_choice_member(ps, entry);
}

/* ---- blocks: choice, menu, if ---- */

static void kc_parse_stmt_list(struct kc_parser *ps, bool in_choice, struct kc_menu *block);

static const char *kc_parse_block_name(enum kc_token end)
{
	return end == KC_T_ENDMENU ? "menu" : end == KC_T_ENDCHOICE ? "choice" : "if";
}

/* The end statement of block; conf's zconf_endtoken(). */
static void kc_parse_end(struct kc_parser *ps, struct kc_menu *block, enum kc_token expected)
{
	struct kconfig *kc = ps->kc;
	enum kc_token tok = kc_parse_peek(ps);
	const char *name = kc_parse_block_name(expected);

	if (tok == KC_T_EOF || tok == KC_T_ERROR) {
		if (tok == KC_T_EOF)
			kc_lex_error(&ps->lx, block->file, block->lineno,
				     "missing end statement for this entry: '%s' without 'end%s'",
				     name, name);
		kc_menu_end_menu(kc);
		return;
	}
	kc_parse_sync_pos(ps);
	kc_parse_consume(ps);
	if (!kc_parse_eol(ps))
		kc_parse_skip_line(ps);
	if (tok != expected) {
		kc_lex_error(&ps->lx, ps->lx.stmt_file, ps->lx.stmt_line,
			     "unexpected '%s' within %s block", kc_lex_token_name(tok), name);
	} else if (strcmp(block->file, ps->lx.stmt_file)) {
		kc_lex_error(&ps->lx, ps->lx.stmt_file, ps->lx.stmt_line,
			     "'%s' in different file than '%s'", kc_lex_token_name(tok), name);
		kc_diag(kc, KCONFIG_DIAG_ERROR, block->file, block->lineno,
			"location of the '%s'", name);
	}
	kc_menu_end_menu(kc);
}

static bool kc_parse_choice_option(struct kc_parser *ps, bool *done)
{
	struct kconfig *kc = ps->kc;
	struct kc_menu *entry = kc_menu_current_entry(kc);
	enum kc_token tok = kc_parse_peek(ps);
	struct kc_expr *dep;
	struct kc_symbol *sym;
	enum kc_type type;
	char *text;

	kc_parse_sync_pos(ps);
	switch (tok) {
	case KC_T_PROMPT:
		return kc_parse_prompt(ps);
	case KC_T_BOOL:
	case KC_T_TRISTATE:
		if (kc->dialect != KC_DIALECT_6_1) {
			if (tok != KC_T_BOOL) {
				*done = true;
				return true;
			}
			/* 6.12: bool "prompt" [if expr], the type is always bool */
			kc_parse_consume(ps);
			if (kc_parse_peek(ps) != KC_T_WORD_QUOTE)
				return kc_parse_syntax_error(ps, "a prompt string");
			text = kc_parse_text(ps);
			kc_parse_consume(ps);
			if (!text || !kc_parse_if_expr(ps, &dep) || !kc_parse_eol(ps))
				return false;
			kc_menu_add_prompt(kc, KC_P_PROMPT, text, dep);
			return true;
		}
		kc_parse_consume(ps);
		kc_parse_type_token(tok, &type);
		if (!kc_parse_type_prompt(ps))
			return false;
		kc_menu_set_type(kc, entry, type);
		return true;
	case KC_T_OPTIONAL:
		kc_parse_consume(ps);
		if (!kc_parse_eol(ps))
			return false;
		entry->sym->flags |= KC_SYMBOL_OPTIONAL;
		return true;
	case KC_T_DEFAULT:
		kc_parse_consume(ps);
		if (!kc_parse_symbol(ps, false, &sym) || !kc_parse_if_expr(ps, &dep) ||
		    !kc_parse_eol(ps))
			return false;
		kc_menu_add_symbol(kc, KC_P_DEFAULT, sym, dep);
		return true;
	case KC_T_DEPENDS:
		return kc_parse_depends(ps);
	case KC_T_HELP:
		return kc_parse_help(ps);
	default:
		*done = true;
		return true;
	}
}

static void kc_parse_choice(struct kc_parser *ps)
{
	struct kconfig *kc = ps->kc;
	const char *file = ps->lx.stmt_file;
	int line = ps->lx.stmt_line;
	struct kc_symbol *sym;
	struct kc_menu *entry;
	char *name = NULL;
	bool done = false;

	kc_parse_consume(ps);
	if (kc->dialect == KC_DIALECT_6_1 && kc_parse_peek(ps) == KC_T_WORD) {
		name = kc_parse_text(ps);
		kc_parse_consume(ps);
		if (!name)
			return;
	}
	if (!kc_parse_eol(ps)) {
		kc_parse_skip_line(ps);
		return;
	}
	if (kc->dialect == KC_DIALECT_6_1)
		sym = kc_parse_lookup(ps, name, KC_SYMBOL_CHOICE);
	else
		sym = kc_parse_lookup(ps, NULL, 0);
	if (!sym)
		return;
	sym->flags |= KC_SYMBOL_CHOICE | KC_SYMBOL_NO_WRITE;
	kc_menu_add_entry(kc, sym, file, line);
	if (kc->build.oom)
		return;
	entry = kc_menu_current_entry(kc);
	if (kc->dialect == KC_DIALECT_6_1)
		kc_menu_add_expr(kc, KC_P_CHOICE, NULL, NULL);	/* finalize fills it */
	else
		kc_menu_set_type(kc, entry, KC_S_BOOLEAN);
	while (!done && !kc_parse_stopped(ps)) {
		if (!kc_parse_choice_option(ps, &done))
			kc_parse_skip_line(ps);
	}
	if (kc->dialect != KC_DIALECT_6_1 && !entry->prompt)
		kc_lex_error(&ps->lx, entry->file, entry->lineno, "choice must have a prompt");
	kc_menu_add_menu(kc);
	if (kc->dialect != KC_DIALECT_6_1)
		ps->current_choice = entry;
	kc_parse_stmt_list(ps, true, entry);
	ps->current_choice = NULL;
	kc_parse_end(ps, entry, KC_T_ENDCHOICE);
}

static void kc_parse_if(struct kc_parser *ps, bool in_choice)
{
	struct kconfig *kc = ps->kc;
	const char *file = ps->lx.stmt_file;
	int line = ps->lx.stmt_line;
	struct kc_menu *entry;
	struct kc_expr *e;

	kc_parse_consume(ps);
	if (!kc_parse_or(ps, &e) || !kc_parse_eol(ps)) {
		kc_parse_skip_line(ps);
		return;
	}
	kc_menu_add_entry(kc, NULL, file, line);
	if (kc->build.oom)
		return;
	entry = kc_menu_current_entry(kc);
	kc_menu_add_dep(kc, e);
	kc_menu_add_menu(kc);
	kc_parse_stmt_list(ps, in_choice, entry);
	kc_parse_end(ps, entry, KC_T_ENDIF);
}

/* menu and comment: keyword "text" end-of-line, then their options. */
static bool kc_parse_titled_entry(struct kc_parser *ps, enum kc_prop_type type)
{
	const char *file = ps->lx.stmt_file;
	int line = ps->lx.stmt_line;
	char *text;

	kc_parse_consume(ps);
	if (kc_parse_peek(ps) != KC_T_WORD_QUOTE) {
		kc_parse_syntax_error(ps, "a string");
		kc_parse_skip_line(ps);
		return false;
	}
	text = kc_parse_text(ps);
	kc_parse_consume(ps);
	if (!text || !kc_parse_eol(ps)) {
		kc_parse_skip_line(ps);
		return false;
	}
	kc_menu_add_entry(ps->kc, NULL, file, line);
	if (ps->kc->build.oom)
		return false;
	kc_menu_add_prompt(ps->kc, type, text, NULL);
	return true;
}

static void kc_parse_menu(struct kc_parser *ps)
{
	struct kconfig *kc = ps->kc;
	struct kc_menu *entry;
	struct kc_expr *e;

	if (!kc_parse_titled_entry(ps, KC_P_MENU))
		return;
	entry = kc_menu_current_entry(kc);
	while (!kc_parse_stopped(ps)) {
		enum kc_token tok = kc_parse_peek(ps);
		bool ok;

		kc_parse_sync_pos(ps);
		if (tok == KC_T_DEPENDS) {
			ok = kc_parse_depends(ps);
		} else if (tok == KC_T_VISIBLE) {
			kc_parse_consume(ps);
			ok = kc_parse_if_expr(ps, &e) && kc_parse_eol(ps);
			if (ok)
				kc_menu_add_visibility(kc, e);
		} else {
			break;
		}
		if (!ok)
			kc_parse_skip_line(ps);
	}
	kc_menu_add_menu(kc);
	kc_parse_stmt_list(ps, false, entry);
	kc_parse_end(ps, entry, KC_T_ENDMENU);
}

static void kc_parse_comment(struct kc_parser *ps)
{
	if (!kc_parse_titled_entry(ps, KC_P_COMMENT))
		return;
	while (!kc_parse_stopped(ps) && kc_parse_peek(ps) == KC_T_DEPENDS) {
		kc_parse_sync_pos(ps);
		if (!kc_parse_depends(ps))
			kc_parse_skip_line(ps);
	}
}

/* ---- source and assignments ---- */

/* After "source": "file" end-of-line; the file is read next. */
static void kc_parse_source(struct kc_parser *ps)
{
	char *path;

	if (kc_parse_peek(ps) != KC_T_WORD_QUOTE) {
		kc_parse_syntax_error(ps, "a file name");
		kc_parse_skip_line(ps);
		return;
	}
	path = strdup(ps->lx.text);
	kc_parse_consume(ps);
	if (!path) {
		ps->kc->build.oom = true;
		return;
	}
	if (kc_parse_eol(ps))
		kc_lex_push(&ps->lx, path);
	else
		kc_parse_skip_line(ps);
	free(path);
}

static void kc_parse_assignment(struct kc_parser *ps, const char *name)
{
	enum kc_token op = kc_parse_peek(ps);
	enum kc_pp_flavor flavor = op == KC_T_EQUAL ? KC_PP_RECURSIVE :
				   op == KC_T_COLON_EQUAL ? KC_PP_SIMPLE : KC_PP_APPEND;
	char *value = NULL;
	int rc;

	kc_parse_consume(ps);
	if (kc_parse_peek(ps) == KC_T_ASSIGN_VAL) {
		value = strdup(ps->lx.text);
		kc_parse_consume(ps);
	} else {
		value = strdup("");
	}
	if (!value) {
		ps->kc->build.oom = true;
		return;
	}
	if (!kc_parse_eol(ps)) {
		free(value);
		kc_parse_skip_line(ps);
		return;
	}
	rc = ps->kc->pp ? 0 : kc_pp_new(ps->kc, &ps->kc->pp);
	if (!rc)
		rc = kc_pp_assign(ps->kc->pp, name, value, flavor, ps->lx.stmt_file,
				  ps->lx.stmt_line);
	free(value);
	if (rc && !ps->lx.fatal) {
		ps->lx.fatal = rc;
		ps->lx.nerrors++;
	}
}

/*
 * A statement that starts with a word (already consumed): NAME = value.
 * Kconfiglib's rsource/osource/orsource are unknown statements, as in conf.
 */
static void kc_parse_word_stmt(struct kc_parser *ps, char *word)
{
	if (kc_parse_is_assign(kc_parse_peek(ps))) {
		kc_parse_assignment(ps, word);
	} else {
		kc_lex_error(&ps->lx, ps->lx.stmt_file, ps->lx.stmt_line,
			     "unknown statement \"%s\"", word);
		kc_parse_skip_line(ps);
	}
	free(word);
}

/* ---- statement lists ---- */

static void kc_parse_invalid(struct kc_parser *ps, const char *why)
{
	char what[256];

	kc_parse_describe(ps, what, sizeof(what));
	kc_lex_error(&ps->lx, ps->lx.stmt_file, ps->lx.stmt_line, "invalid statement: %s%s",
		     what, why);
	kc_parse_skip_line(ps);
}

/*
 * Statements until the end of input or (inside a block) an end statement,
 * which is left for the block.  In a choice only config, comment and if.
 */
static void kc_parse_stmt_list(struct kc_parser *ps, bool in_choice, struct kc_menu *block)
{
	while (!kc_parse_stopped(ps)) {
		enum kc_token tok;

		if (ps->pending_word) {
			char *word = ps->pending_word;

			ps->pending_word = NULL;
			if (in_choice) {
				kc_lex_error(&ps->lx, ps->lx.stmt_file, ps->lx.stmt_line,
					     "invalid statement: word '%s' in a choice", word);
				free(word);
				kc_parse_skip_line(ps);
				continue;
			}
			kc_parse_word_stmt(ps, word);
			continue;
		}
		tok = kc_parse_peek(ps);
		kc_parse_sync_pos(ps);
		switch (tok) {
		case KC_T_EOF:
		case KC_T_ERROR:
			return;
		case KC_T_ENDMENU:
		case KC_T_ENDCHOICE:
		case KC_T_ENDIF:
			if (block)
				return;
			kc_lex_error(&ps->lx, ps->lx.stmt_file, ps->lx.stmt_line,
				     "invalid statement: '%s' without matching '%s'",
				     kc_lex_token_name(tok), kc_lex_token_name(tok) + 3);
			kc_parse_skip_line(ps);
			continue;
		case KC_T_CONFIG:
			kc_parse_config(ps, false);
			continue;
		case KC_T_COMMENT:
			kc_parse_comment(ps);
			continue;
		case KC_T_IF:
			kc_parse_if(ps, in_choice);
			continue;
		default:
			break;
		}
		if (in_choice) {
			kc_parse_invalid(ps, " (a choice holds config, comment and if only)");
			continue;
		}
		switch (tok) {
		case KC_T_MENUCONFIG:
			kc_parse_config(ps, true);
			break;
		case KC_T_CHOICE:
			kc_parse_choice(ps);
			break;
		case KC_T_MENU:
			kc_parse_menu(ps);
			break;
		case KC_T_SOURCE:
			kc_parse_consume(ps);
			kc_parse_source(ps);
			break;
		case KC_T_WORD: {
			char *word = strdup(ps->lx.text);

			if (!word) {
				ps->kc->build.oom = true;
				return;
			}
			kc_parse_consume(ps);
			kc_parse_word_stmt(ps, word);
			break;
		}
		default:
			kc_parse_invalid(ps, "");
			break;
		}
	}
}

static void kc_parse_input(struct kc_parser *ps)
{
	char *text;

	if (kc_parse_peek(ps) == KC_T_MAINMENU) {
		kc_parse_sync_pos(ps);
		kc_parse_consume(ps);
		if (kc_parse_peek(ps) != KC_T_WORD_QUOTE) {
			kc_parse_syntax_error(ps, "a string");
			kc_parse_skip_line(ps);
		} else {
			text = kc_parse_text(ps);
			kc_parse_consume(ps);
			if (text && kc_parse_eol(ps))
				kc_menu_add_prompt(ps->kc, KC_P_MENU, text, NULL);
			else
				kc_parse_skip_line(ps);
		}
	}
	kc_parse_stmt_list(ps, false, NULL);
}

/* ---- entry points ---- */

/* The language generation from srctree's Makefile; unknown: leave kc->dialect. */
static void kc_parse_detect_dialect(struct kconfig *kc)
{
	char *path = NULL, line[256];
	int version = -1, patchlevel = -1;
	FILE *f;

	if (!kc->opts.srctree || asprintf(&path, "%s/Makefile", kc->opts.srctree) < 0)
		return;
	f = fopen(path, "re");
	if (!f) {
		kc_image_note_file(kc, path, NULL);
		free(path);
		return;
	}
	struct stat st;
	kc_image_note_file(kc, path, fstat(fileno(f), &st) ? NULL : &st);
	free(path);
	for (int i = 0; i < 20 && fgets(line, sizeof(line), f); i++) {
		sscanf(line, "VERSION = %d", &version);
		sscanf(line, "PATCHLEVEL = %d", &patchlevel);
	}
	fclose(f);
	if (version < 0 || patchlevel < 0)
		return;
	if (version > 6 || (version == 6 && patchlevel >= 11))
		kc->dialect = KC_DIALECT_6_12;
	else
		kc->dialect = KC_DIALECT_6_1;
}

static int kc_parse_run(struct kconfig *kc, const char *topfile, struct kc_parser *ps)
{
	int rc;

	kc_parse_detect_dialect(kc);
	if (!kc->pp) {
		rc = kc_pp_new(kc, &kc->pp);
		if (rc)
			return rc;
	}
	rc = kc_lex_open(&ps->lx, kc, topfile);
	if (rc)
		return rc;
	kc_menu_init(kc);
	kc->rootmenu.file = ps->lx.file->name;
	kc_menu_set_pos(kc, ps->lx.file->name, 1);
	kc_parse_input(ps);
	if (kc->build.oom)
		return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	if (ps->lx.fatal)
		return ps->lx.fatal;
	return ps->lx.nerrors ? KCONFIG_EPARSE : 0;
}

static void kc_parse_done(struct kc_parser *ps)
{
	kc_lex_close(&ps->lx);
	free(ps->pending_word);
}

int kc_parse_tree(struct kconfig *kc, const char *topfile)
{
	struct kc_parser ps = { .kc = kc };
	int rc = kc_parse_run(kc, topfile, &ps);

	kc_parse_done(&ps);
	return rc;
}

/* 6.12: a choice member may not have a default, nor a prompt outside the choice. */
static int kc_parse_check_choice_member(struct kconfig *kc, struct kc_menu *menu)
{
	int bad = 0;

	for (struct kc_property *prop = menu->sym->prop; prop; prop = prop->next) {
		if (prop->type == KC_P_DEFAULT) {
			kc_diag(kc, KCONFIG_DIAG_ERROR, prop->file, prop->lineno,
				"defaults for choice values not supported");
			bad = 1;
		}
		if (prop->menu != menu && prop->type == KC_P_PROMPT &&
		    prop->menu->parent != menu->parent) {
			kc_diag(kc, KCONFIG_DIAG_ERROR, prop->file, prop->lineno,
				"choice value has a prompt outside its choice group");
			bad = 1;
		}
	}
	return bad;
}

/* Passes diagnostics on, keeping the first error for kc->errmsg. */
struct kc_parse_tap {
	kconfig_diag_fn fn;
	void *payload;
	char first[512];
};

static void kc_parse_tap_diag(void *payload, const struct kconfig_diag *d)
{
	struct kc_parse_tap *tap = payload;

	if (d->level == KCONFIG_DIAG_ERROR && !tap->first[0])
		snprintf(tap->first, sizeof(tap->first), "%s:%d: %s", d->file ? d->file : "",
			 d->line, d->message);
	if (tap->fn)
		tap->fn(tap->payload, d);
}

static int kc_parse_checks(struct kconfig *kc);

/* conf_parse() after the grammar: finalize and the recursion check. */
static int kc_parse_finish(struct kconfig *kc, const char *topfile)
{
	struct kc_parse_tap tap = { kc->opts.diag, kc->opts.diag_payload, "" };
	int nerrors;

	if (!kc->modules_sym)
		kc->modules_sym = &kc->sym_no;
	if (!kc->rootmenu.prompt) {
		kc->build.current_entry = &kc->rootmenu;
		kc_menu_set_pos(kc, kc->rootmenu.file ? kc->rootmenu.file : topfile, 0);
		kc_menu_add_prompt(kc, KC_P_MENU, "Main menu", NULL);
		if (kc->build.oom)
			return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	}
	kc->opts.diag = kc_parse_tap_diag;
	kc->opts.diag_payload = &tap;
	nerrors = kc_parse_checks(kc);
	kc->opts.diag = tap.fn;
	kc->opts.diag_payload = tap.payload;
	if (nerrors < 0)
		return nerrors;
	if (nerrors)
		return kc_error(kc, KCONFIG_EPARSE, "%s%s", tap.first[0] ? tap.first :
				"the Kconfig tree has recursive dependencies or invalid choices",
				nerrors > 1 ? " (and more errors)" : "");
	kc->conf_changed = true;
	return 0;
}

/* Finalize, then conf's checks over the tree: the number of errors, or a code. */
static int kc_parse_checks(struct kconfig *kc)
{
	int nerrors = 0, rc;

	rc = kc_menu_finalize(kc);
	if (rc)
		return rc;
	if (kc->dialect == KC_DIALECT_6_1) {
		struct kc_symbol *sym;
		unsigned int i;

		kc_for_all_symbols(kc, i, sym)
			if (kc_sym_check_deps(kc, sym))
				nerrors++;
	} else {
		for (struct kc_menu *m = kc->rootmenu.list; m; m = kc_menu_next(m, NULL)) {
			if (m->sym && kc_sym_check_deps(kc, m->sym))
				nerrors++;
			if (!m->sym || !(m->sym->flags & KC_SYMBOL_CHOICE))
				continue;
			for (struct kc_menu *c = m->list; c; c = kc_menu_next(c, m))
				if (c->sym)
					nerrors += kc_parse_check_choice_member(kc, c);
		}
	}
	return nerrors;
}

int kc_parse(struct kconfig *kc, const char *topfile)
{
	int rc = kc_parse_tree(kc, topfile ? topfile : "Kconfig");

	if (rc)
		return rc;
	return kc_parse_finish(kc, topfile ? topfile : "Kconfig");
}
