/*
 * internal.h - the engine's data model, shared by its files and nobody else.
 *
 * The model follows the semantics of the kernel's scripts/kconfig (symbols
 * with properties, a menu tree, tristate expressions), because conformance
 * byte for byte with conf needs the same evaluation rules.  Unlike conf,
 * everything hangs off one `struct kconfig` context: no global symbol
 * table, no global root menu, no global line counter.
 *
 * Memory: everything built while parsing (symbols, properties, menus,
 * expressions, strings) is allocated from the context's arena and freed
 * with the context.  Values set later (user values of int/hex/string
 * symbols) are arena allocations too.
 *
 * Which file owns what:
 *   arena.c      - kc_arena_*, kc_strdup, error and diagnostic helpers
 *   preprocess.c - the macro language: variables, functions, $(shell,...)
 *   lexer.c      - tokens of the Kconfig language (calls the preprocessor)
 *   parser.c     - grammar; builds menus with the menu.c API
 *   menu.c       - menu tree construction API used by the parser
 *   finalize.c   - menu_finalize: dependency propagation, submenus,
 *                  choices, reverse dependencies, recursion check
 *   expr.c       - expression constructors, evaluation, printing
 *   symbol.c     - symbol table, value calculation, visibility, choices,
 *                  ranges, setting values
 *   confdata.c   - .config read, write, savedefconfig
 *   targets.c    - the *config targets (conf.c's modes), tinyconfig,
 *                  merge of fragments, randconfig's generator
 *   kconfig.c    - the public API glue (kconfig_open ...)
 */
#ifndef KCONFIG_INTERNAL_H
#define KCONFIG_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kconfig/kconfig.h"

typedef enum kconfig_tristate kc_tristate;
#define KC_NO KCONFIG_NO
#define KC_MOD KCONFIG_MOD
#define KC_YES KCONFIG_YES

#define KC_EXPR_OR(a, b) ((a) > (b) ? (a) : (b))
#define KC_EXPR_AND(a, b) ((a) < (b) ? (a) : (b))
#define KC_EXPR_NOT(a) ((kc_tristate)(2 - (a)))

/* ---- arena ---- */

struct kc_arena_block;
struct kc_arena {
	struct kc_arena_block *head;	/* newest block first */
	size_t used;			/* bytes used in head */
};

void *kc_arena_alloc(struct kc_arena *a, size_t size);	/* zeroed; NULL on OOM */
char *kc_arena_strdup(struct kc_arena *a, const char *s);
char *kc_arena_strndup(struct kc_arena *a, const char *s, size_t n);
void kc_arena_free(struct kc_arena *a);

/* ---- expressions ---- */

enum kc_expr_type {
	KC_E_NONE,
	KC_E_OR,
	KC_E_AND,
	KC_E_NOT,
	KC_E_EQUAL,
	KC_E_UNEQUAL,
	KC_E_LTH,
	KC_E_LEQ,
	KC_E_GTH,
	KC_E_GEQ,
	KC_E_LIST,	/* choice member list: left.expr = rest (or NULL), right.sym = member */
	KC_E_SYMBOL,	/* left.sym */
	KC_E_RANGE,	/* left.sym .. right.sym */
};

struct kc_symbol;

union kc_expr_data {
	struct kc_expr *expr;
	struct kc_symbol *sym;
};

struct kc_expr {
	enum kc_expr_type type;
	union kc_expr_data left, right;
};

struct kc_expr_value {
	struct kc_expr *expr;
	kc_tristate tri;
};

/* ---- symbols ---- */

enum kc_type {
	KC_S_UNKNOWN = KCONFIG_UNKNOWN,
	KC_S_BOOLEAN = KCONFIG_BOOL,
	KC_S_TRISTATE = KCONFIG_TRISTATE,
	KC_S_INT = KCONFIG_INT,
	KC_S_HEX = KCONFIG_HEX,
	KC_S_STRING = KCONFIG_STRING,
};

struct kc_symbol_value {
	const char *val;	/* string value (int/hex/string); for choices: the selected symbol */
	kc_tristate tri;
};

enum { KC_DEF_USER, KC_DEF_AUTO, KC_DEF_DEF3, KC_DEF_DEF4, KC_DEF_COUNT };

/* Symbol flags (same roles as conf's SYMBOL_*). */
#define KC_SYMBOL_CONST		0x0001	/* yes, mod, no and quoted constants */
#define KC_SYMBOL_CHECK		0x0008	/* recursion check in progress */
#define KC_SYMBOL_CHOICE	0x0010	/* the (nameless) symbol of a choice */
#define KC_SYMBOL_CHOICEVAL	0x0020	/* a member of a choice */
#define KC_SYMBOL_VALID		0x0080	/* curr is up to date */
#define KC_SYMBOL_OPTIONAL	0x0100	/* choice is "optional" */
#define KC_SYMBOL_WRITE		0x0200	/* goes into .config */
#define KC_SYMBOL_CHANGED	0x0400	/* value changed since last read/write */
#define KC_SYMBOL_WRITTEN	0x0800	/* already written to the current file */
#define KC_SYMBOL_NO_WRITE	0x1000	/* never written (choice symbol, transitional) */
#define KC_SYMBOL_CHECKED	0x2000	/* recursion check done */
#define KC_SYMBOL_WARNED	0x8000	/* unmet dependency warning given */
#define KC_SYMBOL_DEF		0x10000	/* first of KC_DEF_COUNT "has value" flags */
#define KC_SYMBOL_DEF_USER	0x10000
#define KC_SYMBOL_DEF_AUTO	0x20000
#define KC_SYMBOL_DEF3		0x40000
#define KC_SYMBOL_DEF4		0x80000
#define KC_SYMBOL_NEED_SET_CHOICE_VALUES 0x100000
#define KC_SYMBOL_ALLNOCONFIG_Y	0x200000	/* option allnoconfig_y */
#define KC_SYMBOL_TRANSITIONAL	0x400000	/* "transitional": read, never written */

struct kc_property;
struct kc_menu;

struct kc_symbol {
	struct kc_symbol *hash_next;	/* bucket chain; new symbols go first, like conf */
	const char *name;		/* NULL for a choice's symbol */
	enum kc_type type;
	struct kc_symbol_value curr;
	struct kc_symbol_value def[KC_DEF_COUNT];
	kc_tristate visible;
	unsigned int flags;
	struct kc_property *prop;	/* all properties, in definition order */
	struct kc_expr_value dir_dep;	/* "depends on" of all definitions, or-ed */
	struct kc_expr_value rev_dep;	/* selected by */
	struct kc_expr_value implied;	/* implied by */
	unsigned int id;		/* index in kconfig->syms (creation order) */
};

#define KC_SYMBOL_HASHSIZE 9973

/* fnv32 over the name, bucket = hash % KC_SYMBOL_HASHSIZE (as conf). */
unsigned int kc_strhash(const char *s);

/*
 * Visit every symbol in conf's for_all_symbols order: bucket 0 first, each
 * bucket newest first (choice symbols live in bucket 0).  The order is
 * observable (randconfig's draws, choice processing), so it must match.
 */
#define kc_for_all_symbols(kc, i, sym) \
	for ((i) = 0; (i) < KC_SYMBOL_HASHSIZE; (i)++) \
		for ((sym) = (kc)->hash[(i)]; (sym); (sym) = (sym)->hash_next)

/* ---- properties ---- */

enum kc_prop_type {
	KC_P_UNKNOWN,
	KC_P_PROMPT,	/* prompt "text" [if expr] */
	KC_P_COMMENT,	/* comment "text" */
	KC_P_MENU,	/* menu "text" */
	KC_P_DEFAULT,	/* default value [if expr] */
	KC_P_CHOICE,	/* choice's member list (expr is a KC_E_LIST) */
	KC_P_SELECT,	/* select symbol [if expr] */
	KC_P_IMPLY,	/* imply symbol [if expr] */
	KC_P_RANGE,	/* range a b [if expr] */
	KC_P_SYMBOL,	/* back link from a symbol to its menu entry */
};

struct kc_property {
	struct kc_property *next;	/* next property of the same symbol */
	enum kc_prop_type type;
	const char *text;		/* prompt text */
	struct kc_expr_value visible;	/* the "if" condition, after finalize AND-ed with deps */
	struct kc_expr *expr;		/* value, target, range or member list */
	struct kc_menu *menu;		/* menu entry that defined it */
	const char *file;		/* arena string */
	int lineno;
};

/* ---- menus ---- */

#define KC_MENU_CHANGED	0x0001
#define KC_MENU_ROOT	0x0002	/* menuconfig / menu: shown as its own screen */

struct kc_menu {
	struct kc_menu *next;		/* next sibling */
	struct kc_menu *parent;
	struct kc_menu *list;		/* first child */
	struct kc_symbol *sym;		/* config/menuconfig/choice entry, else NULL */
	struct kc_property *prompt;	/* P_PROMPT, P_MENU or P_COMMENT */
	struct kc_expr *visibility;	/* "visible if" */
	struct kc_expr *dep;		/* "depends on" (after finalize: with parents') */
	unsigned int flags;
	const char *help;		/* help text or NULL */
	const char *file;
	int lineno;
	bool is_menuconfig;		/* entry was written "menuconfig" */
};

/* ---- the context ---- */

struct kc_pp;		/* preprocessor state, preprocess.c */

/* The Kconfig language generation the tree speaks; set by the parser from the tree. */
enum kc_dialect {
	KC_DIALECT_6_1,		/* up to 6.10: choice symbols, optional/tristate choices */
	KC_DIALECT_6_12,	/* 6.11 and later: reworked choices */
};

struct kconfig {
	struct kc_arena arena;
	struct kconfig_options opts;	/* copy; strings borrowed from the caller */
	char errmsg[1024];

	struct kc_symbol *hash[KC_SYMBOL_HASHSIZE];
	struct kc_symbol **syms;	/* every named and choice symbol, creation order */
	size_t nsyms, syms_cap;

	/* the constants y, m, n and "" */
	struct kc_symbol sym_yes, sym_mod, sym_no, sym_empty;
	struct kc_symbol *modules_sym;	/* the "modules" symbol, or sym_no */
	kc_tristate modules_val;

	struct kc_menu rootmenu;
	enum kc_dialect dialect;
	bool conf_changed;

	struct kc_pp *pp;

	/* files read while parsing, for $(filename) and error messages */
	const char **files;
	size_t nfiles, files_cap;
};

/* Errors: set kc->errmsg and return code. Diagnostics: to the callback. */
int kc_error(struct kconfig *kc, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void kc_diag(struct kconfig *kc, enum kconfig_diag_level level, const char *file,
	     int line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
const char *kc_getenv(struct kconfig *kc, const char *name);

/* ---- expr.c ---- */

struct kc_expr *kc_expr_alloc_symbol(struct kconfig *kc, struct kc_symbol *sym);
struct kc_expr *kc_expr_alloc_one(struct kconfig *kc, enum kc_expr_type type, struct kc_expr *ce);
struct kc_expr *kc_expr_alloc_two(struct kconfig *kc, enum kc_expr_type type,
				  struct kc_expr *e1, struct kc_expr *e2);
struct kc_expr *kc_expr_alloc_comp(struct kconfig *kc, enum kc_expr_type type,
				   struct kc_symbol *s1, struct kc_symbol *s2);
struct kc_expr *kc_expr_alloc_and(struct kconfig *kc, struct kc_expr *e1, struct kc_expr *e2);
struct kc_expr *kc_expr_alloc_or(struct kconfig *kc, struct kc_expr *e1, struct kc_expr *e2);
struct kc_expr *kc_expr_copy(struct kconfig *kc, const struct kc_expr *e);
kc_tristate kc_expr_calc_value(struct kconfig *kc, struct kc_expr *e);
bool kc_expr_depends_symbol(struct kc_expr *dep, struct kc_symbol *sym);
/* Append a Kconfig-syntax rendering of e to a malloc'ed buffer; caller frees. */
char *kc_expr_to_string(const struct kc_expr *e);

/* ---- symbol.c ---- */

/* Find or create; flags KC_SYMBOL_CONST for quoted constants. NULL name: choice. */
struct kc_symbol *kc_sym_lookup(struct kconfig *kc, const char *name, unsigned int flags);
struct kc_symbol *kc_sym_find(struct kconfig *kc, const char *name);
void kc_sym_calc_value(struct kconfig *kc, struct kc_symbol *sym);
void kc_sym_clear_all_valid(struct kconfig *kc);
void kc_sym_set_changed(struct kconfig *kc, struct kc_symbol *sym);
void kc_sym_set_all_changed(struct kconfig *kc);
enum kc_type kc_sym_get_type(struct kconfig *kc, struct kc_symbol *sym);
kc_tristate kc_sym_get_tristate_value(struct kc_symbol *sym);
const char *kc_sym_get_string_value(struct kconfig *kc, struct kc_symbol *sym);
bool kc_sym_has_value(struct kc_symbol *sym);
bool kc_sym_is_choice(struct kc_symbol *sym);
bool kc_sym_is_choice_value(struct kc_symbol *sym);
bool kc_sym_is_changeable(struct kc_symbol *sym);
struct kc_property *kc_sym_get_choice_prop(struct kc_symbol *sym);
struct kc_property *kc_sym_get_default_prop(struct kconfig *kc, struct kc_symbol *sym);
struct kc_symbol *kc_sym_choice_default(struct kconfig *kc, struct kc_symbol *choice);
bool kc_sym_set_tristate_value(struct kconfig *kc, struct kc_symbol *sym, kc_tristate val);
bool kc_sym_set_string_value(struct kconfig *kc, struct kc_symbol *sym, const char *newval);
bool kc_sym_string_valid(struct kc_symbol *sym, const char *newval);
bool kc_sym_string_within_range(struct kconfig *kc, struct kc_symbol *sym, const char *str);
const char *kc_sym_type_name(enum kc_type type);
struct kc_symbol *kc_prop_get_symbol(struct kc_property *prop);
void kc_set_all_choice_values(struct kconfig *kc, struct kc_symbol *csym);
/* sym_check_deps: recursion check; reports with kc_diag, returns true on a cycle. */
bool kc_sym_check_deps(struct kconfig *kc, struct kc_symbol *sym);

/* ---- menu.c (construction, used by the parser) ---- */

void kc_menu_init(struct kconfig *kc);
void kc_menu_add_entry(struct kconfig *kc, struct kc_symbol *sym, const char *file, int lineno);
void kc_menu_add_menu(struct kconfig *kc);	/* descend into current entry */
void kc_menu_end_menu(struct kconfig *kc);	/* back to parent */
void kc_menu_add_dep(struct kconfig *kc, struct kc_expr *dep);
void kc_menu_add_visibility(struct kconfig *kc, struct kc_expr *expr);
struct kc_property *kc_menu_add_prompt(struct kconfig *kc, enum kc_prop_type type,
				       const char *prompt, struct kc_expr *dep);
void kc_menu_add_expr(struct kconfig *kc, enum kc_prop_type type, struct kc_expr *expr,
		      struct kc_expr *dep);
void kc_menu_add_symbol(struct kconfig *kc, enum kc_prop_type type, struct kc_symbol *sym,
			struct kc_expr *dep);
struct kc_menu *kc_menu_current_entry(struct kconfig *kc);

/* ---- finalize.c and menu queries ---- */

int kc_menu_finalize(struct kconfig *kc);	/* after parsing; KCONFIG_EPARSE on recursion */
bool kc_menu_is_visible(struct kconfig *kc, struct kc_menu *menu);
bool kc_menu_has_prompt(struct kc_menu *menu);
const char *kc_menu_get_prompt(struct kc_menu *menu);

/* ---- preprocess.c ---- */

int kc_pp_new(struct kconfig *kc, struct kc_pp **out);
void kc_pp_free(struct kc_pp *pp);
enum kc_pp_flavor { KC_PP_RECURSIVE, KC_PP_SIMPLE, KC_PP_APPEND };
/* name = value lines: name is already expanded by the caller. */
int kc_pp_assign(struct kc_pp *pp, const char *name, const char *value, enum kc_pp_flavor flavor,
		 const char *file, int lineno);
/* Expand every $(...) of text; *out is malloc'ed, caller frees. */
int kc_pp_expand(struct kc_pp *pp, const char *text, const char *file, int lineno, char **out);

/* ---- parser.c ---- */

int kc_parse(struct kconfig *kc, const char *topfile);

/* ---- confdata.c ---- */

int kc_conf_read_simple(struct kconfig *kc, const char *path, int def);
int kc_conf_read(struct kconfig *kc, const char *path);
int kc_conf_write(struct kconfig *kc, const char *path);
int kc_conf_write_defconfig(struct kconfig *kc, const char *path);

#endif
