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
 *   archdefconfig.c - make's KBUILD_DEFCONFIG for plain `make defconfig`
 *   image.c      - parsed trees kept on disk and mapped back (warm opens)
 *   kconfig.c    - the public API glue (kconfig_open ...)
 */
#ifndef KCONFIG_INTERNAL_H
#define KCONFIG_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
	char *next, *limit;		/* free room of head (both NULL before the first block) */
};

void *kc_arena_alloc_block(struct kc_arena *a, size_t size);	/* the slow path */

/*
 * Zeroed memory for the arena's lifetime; NULL on OOM.  Inline: the
 * parser and the expression code make ~10^6 small allocations per tree.
 */
static inline void *kc_arena_alloc(struct kc_arena *a, size_t size)
{
	size_t align = _Alignof(max_align_t);
	char *p = a->next;

	size = size ? (size + align - 1) & ~(align - 1) : align;
	if (!p || (size_t)(a->limit - p) < size)
		return kc_arena_alloc_block(a, size);
	a->next = p + size;
	a->used += size;
	__builtin_memset(p, 0, size);
	return p;
}
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

/* 32 bytes: a 6.1 arm tree holds about a million of them */
struct kc_expr {
	enum kc_expr_type type : 8;
	/* 6.12 dialect only: expressions are unique (hash-consed) and cache their value */
	kc_tristate val : 8;
	/* symbol.c: the recursion check walked this subtree and found nothing */
	unsigned int dep_checked : 1;
	unsigned int val_gen;		/* val is valid while == kc->expr_gen */
	union kc_expr_data left, right;
	struct kc_expr *hash_next;	/* bucket chain of kc->expr_hash */
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
	/* 6.12 dialect: place in its choice's member list (priority order) */
	struct kc_symbol *choice_prev, *choice_next;
};

/*
 * conf's symbol table: 6.1 has 9973 buckets, 6.12 has 16384.  The array
 * has room for the larger; a 6.1 context leaves the tail empty, so
 * kc_for_all_symbols() visits both in their conf's order.
 */
#define KC_SYMBOL_HASHSIZE_6_1 9973
#define KC_SYMBOL_HASHSIZE_6_12 16384
#define KC_SYMBOL_HASHSIZE KC_SYMBOL_HASHSIZE_6_12

/* fnv32 over the name (as conf); the bucket is kc_sym_bucket(). */
unsigned int kc_strhash(const char *s);
/* Bucket of a name in this context's dialect (kc->dialect must be set before parsing). */
unsigned int kc_sym_bucket(const struct kconfig *kc, const char *name);

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
	KC_P_CHOICE,	/* choice's member list (expr is a KC_E_LIST); 6.1 only: the
			 * parser adds it empty, finalize fills it (6.12: none) */
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
	unsigned int dep_fixed_gen;	/* finalize.c: dep is an eliminate_dups result while
					   this == kc->type_gen + 1 (0: not known) */
	unsigned int flags;
	const char *help;		/* help text or NULL */
	const char *file;
	int lineno;
	bool is_menuconfig;		/* entry was written "menuconfig" */
	/* 6.12 dialect, choice menus: members by priority (built by kc_menu_finalize) */
	struct kc_symbol *choice_first, *choice_last;
};

/*
 * Menu construction state (menu.c), conf's current_menu, current_entry and
 * last_entry_ptr.  Valid while parsing; kc_menu_init() resets it.
 */
struct kc_menu_build {
	struct kc_menu *current_menu;	/* block new entries are added to */
	struct kc_menu *current_entry;	/* entry new properties are added to */
	struct kc_menu **last_entry_ptr;	/* where the next entry gets linked */
	const char *file;		/* position of new properties (kc_menu_set_pos) */
	int lineno;
	bool oom;			/* an allocation failed; the parser gives up */
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

	/* expr.c, 6.12 dialect: table of unique expressions, value cache generation */
	struct kc_expr **expr_hash;	/* KC_EXPR_HASHSIZE buckets, arena; NULL until used */
	unsigned int expr_gen;		/* bumped by kc_expr_invalidate_all(); starts at 1 */
	struct kc_arena *expr_scratch;	/* set by finalize: arena for expr.c's throw-away copies */
	bool expr_scratch_active;	/* expr.c: new nodes go to expr_scratch */
	unsigned int type_gen;		/* menu.c: bumped when a symbol gets a type (finalize's memo) */
	struct kc_fin_memo *fin_memo;	/* finalize.c, 6.1: propagation results; NULL outside */
	int sym_warnings;		/* unmet-dependency warnings given (KCONFIG_WERROR) */
	bool conf_changed;
	int conf_warnings;		/* warnings of the last .config read (confdata.c) */
	/* 6.12: member order of every choice right after parsing (kconfig.c) */
	struct kc_choice_snap *choice_snaps;
	size_t nchoice_snaps;

	struct kc_pp *pp;
	/* image.c: the on-disk image this context was mapped from or is made for; NULL: none */
	struct kc_image *image;
	/* names of sym_yes, sym_mod, sym_no, sym_empty: inside the context, so an image
	   holds no pointer into the program */
	char const_names[4][2];

	/* files read while parsing, for $(filename) and error messages */
	const char **files;
	size_t nfiles, files_cap;

	struct kc_menu_build build;	/* menu.c, while parsing */
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
/* Same, each symbol followed by " [=value]" as in conf's warnings; caller frees. */
char *kc_expr_to_string_values(struct kconfig *kc, const struct kc_expr *e);
/* conf's expr_gstr_print_revdep: "title" then "  - op\n" per || operand == pr_type. */
char *kc_expr_revdep_to_string(struct kconfig *kc, struct kc_expr *e, kc_tristate pr_type,
			       const char *title);
bool kc_expr_is_yes(const struct kconfig *kc, const struct kc_expr *e);
bool kc_expr_eq(struct kconfig *kc, struct kc_expr *e1, struct kc_expr *e2);
/* Trees by value (memo tables): equal trees hash equal; exact shape equality. */
uint64_t kc_expr_tree_hash(const struct kc_expr *e);
bool kc_expr_tree_equal(const struct kc_expr *e1, const struct kc_expr *e2);
bool kc_expr_contains_symbol(const struct kc_expr *dep, const struct kc_symbol *sym);
/* The simplifications of conf's expr.c (in place in 6.1, new nodes in 6.12). */
struct kc_expr *kc_expr_transform(struct kconfig *kc, struct kc_expr *e);
struct kc_expr *kc_expr_eliminate_dups(struct kconfig *kc, struct kc_expr *e);
/*
 * The same, when fixed (e itself or e's left operand) is known to be
 * what an earlier kc_expr_eliminate_dups() returned, unchanged since and
 * with the same symbol types: its leaves are not compared again (6.1).
 */
struct kc_expr *kc_expr_eliminate_dups_fixed(struct kconfig *kc, struct kc_expr *e,
					     const struct kc_expr *fixed);
void kc_expr_eliminate_eq(struct kconfig *kc, struct kc_expr **ep1, struct kc_expr **ep2);
struct kc_expr *kc_expr_trans_compare(struct kconfig *kc, struct kc_expr *e,
				      enum kc_expr_type type, struct kc_symbol *sym);
/* 6.12: forget cached expression values (sym_clear_all_valid, conf_read). */
void kc_expr_invalidate_all(struct kconfig *kc);

/* ---- symbol.c ---- */

/* Set up the constants y, m, n, "" and modules_sym (= n); call once on a new context. */
void kc_sym_init(struct kconfig *kc);

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
bool kc_sym_is_optional(struct kc_symbol *sym);
struct kc_property *kc_sym_get_range_prop(struct kconfig *kc, struct kc_symbol *sym);
bool kc_sym_tristate_within_range(struct kconfig *kc, struct kc_symbol *sym, kc_tristate val);
/* conf's sym_get_string_default (savedefconfig) */
const char *kc_sym_get_string_default(struct kconfig *kc, struct kc_symbol *sym);
const char *kc_prop_type_name(enum kc_prop_type type);
/* 6.12 choices: the choice menu of a member (NULL if none), its value, user choice */
struct kc_menu *kc_sym_get_choice_menu(struct kconfig *kc, struct kc_symbol *sym);
struct kc_symbol *kc_sym_calc_choice(struct kconfig *kc, struct kc_menu *choice);
struct kc_symbol *kc_sym_choice_menu_default(struct kconfig *kc, struct kc_menu *choice);
void kc_choice_set_value(struct kconfig *kc, struct kc_menu *choice, struct kc_symbol *sym);
/* 6.12 conf_read: a member read from .config gets the highest priority */
void kc_choice_prioritize(struct kc_menu *choice, struct kc_symbol *sym);

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
/* File and line given to the properties added from now on (the statement's). */
void kc_menu_set_pos(struct kconfig *kc, const char *file, int lineno);
/* conf's menu_set_type(): set the type of menu->sym, warn on a redefinition. */
void kc_menu_set_type(struct kconfig *kc, struct kc_menu *menu, enum kc_type type);
/* Depth-first successor of menu inside root (NULL root: whole tree), conf's menu_next(). */
struct kc_menu *kc_menu_next(struct kc_menu *menu, struct kc_menu *root);

/* ---- finalize.c and menu queries ---- */

int kc_menu_finalize(struct kconfig *kc);	/* after parsing; KCONFIG_EPARSE on recursion */
/* conf_parse's kc_sym_check_deps loop, in the dialect's order; returns the cycles found */
int kc_check_all_deps(struct kconfig *kc);
bool kc_menu_is_visible(struct kconfig *kc, struct kc_menu *menu);
bool kc_menu_has_prompt(struct kc_menu *menu);
const char *kc_menu_get_prompt(struct kc_menu *menu);

/* ---- preprocess.c ---- */

int kc_pp_new(struct kconfig *kc, struct kc_pp **out);
void kc_pp_free(struct kc_pp *pp);
enum kc_pp_flavor { KC_PP_RECURSIVE, KC_PP_SIMPLE, KC_PP_APPEND };
/*
 * name = value lines: name is already expanded by the caller; value is the
 * raw text after the operator, leading blanks removed.  := (and += onto a
 * := variable) expands now; errors say "file:lineno: ...".  Note that conf
 * handles an assignment after its newline: $(lineno) in a := value and
 * its error messages give the NEXT line, so pass the line number + 1.
 */
int kc_pp_assign(struct kc_pp *pp, const char *name, const char *value, enum kc_pp_flavor flavor,
		 const char *file, int lineno);
/* Expand every $(...) of text; *out is malloc'ed, caller frees. */
int kc_pp_expand(struct kc_pp *pp, const char *text, const char *file, int lineno, char **out);
/*
 * conf's expand_one_token(): expand from *str up to the first character
 * outside a reference that is not [A-Za-z0-9_-] (or the end) and leave
 * *str there; the lexer re-reads the rest.  For a word containing '$'
 * (pass the rest of the line).  *out malloc'ed, caller frees.
 */
int kc_pp_expand_token(struct kc_pp *pp, const char **str, const char *file, int lineno,
		       char **out);
/*
 * conf's expand_dollar(): *str points just after a '$' inside a quoted
 * string; expand that one reference and leave *str after its ')' (a '$'
 * not followed by '(' gives "$" and *str does not move).  The lexer keeps
 * lexing the string from *str; the expansion is not re-lexed.
 */
int kc_pp_expand_dollar(struct kc_pp *pp, const char **str, const char *file, int lineno,
			char **out);
/*
 * Environment variables referenced so far (set ones only, first use
 * order, each once), for auto.conf.cmd and cache keys.  Strings borrowed
 * until kc_pp_free().
 */
size_t kc_pp_env_count(const struct kc_pp *pp);
void kc_pp_env_at(const struct kc_pp *pp, size_t i, const char **name, const char **value);
/* What $(shell,...) cost so far in this context. */
struct kc_pp_shell_stats {
	unsigned int runs;		/* commands actually started */
	unsigned int mem_hits;		/* answered by this context's memory */
	unsigned int disk_hits;		/* answered by opts.shell_cache_dir */
	unsigned int disk_stores;	/* entries written to opts.shell_cache_dir */
};
void kc_pp_shell_stats(const struct kc_pp *pp, struct kc_pp_shell_stats *out);

/* ---- lexer.c ---- */

/* Tokens of the Kconfig language (conf's T_*). */
enum kc_token {
	KC_T_EOF,		/* end of the top file */
	KC_T_ERROR,		/* a fatal error was reported; stop */
	KC_T_EOL,
	KC_T_WORD,		/* lx->text: a name, after macro expansion */
	KC_T_WORD_QUOTE,	/* lx->text: contents of a quoted string, expanded */
	KC_T_ASSIGN_VAL,	/* lx->text: right-hand side of NAME = value */
	KC_T_HELPTEXT,		/* lx->text: help text (kc_lex_help) */
	/* keywords */
	KC_T_BOOL, KC_T_CHOICE, KC_T_COMMENT, KC_T_CONFIG, KC_T_DEF_BOOL,
	KC_T_DEF_TRISTATE, KC_T_DEFAULT, KC_T_DEPENDS, KC_T_ENDCHOICE, KC_T_ENDIF,
	KC_T_ENDMENU, KC_T_HELP, KC_T_HEX, KC_T_IF, KC_T_IMPLY, KC_T_INT,
	KC_T_MAINMENU, KC_T_MENU, KC_T_MENUCONFIG, KC_T_MODULES, KC_T_ON,
	KC_T_OPTIONAL,		/* 6.1 dialect only; a plain word in 6.12 */
	KC_T_PROMPT, KC_T_RANGE, KC_T_SELECT, KC_T_SOURCE, KC_T_STRING,
	KC_T_TRISTATE, KC_T_VISIBLE,
	/* operators */
	KC_T_OR, KC_T_AND, KC_T_EQUAL, KC_T_UNEQUAL, KC_T_LESS, KC_T_LESS_EQUAL,
	KC_T_GREATER, KC_T_GREATER_EQUAL, KC_T_NOT, KC_T_OPEN_PAREN,
	KC_T_CLOSE_PAREN, KC_T_COLON_EQUAL, KC_T_PLUS_EQUAL,
};

/* One open Kconfig file; files nest through "source". */
struct kc_lex_file {
	struct kc_lex_file *parent;
	const char *name;		/* as conf reports it (relative to srctree); kc->files */
	char *buf;			/* whole file, NUL-terminated, malloc'ed */
	const char *end;		/* buf + length: NUL bytes before it are text */
	const char *p;			/* read position in buf */
	int lineno;			/* line of p, from 1 (conf's yylineno) */
	int source_lineno;		/* line of the "source" statement in parent */
};

struct kc_lexer {
	struct kconfig *kc;
	struct kc_lex_file *file;	/* innermost open file; NULL after the top file */
	enum kc_token prev, prev_prev;	/* last two tokens returned */
	bool assign_val;		/* next token is the value of NAME = value */
	const char *stmt_file;		/* file and line of the first token of the */
	int stmt_line;			/* current statement (conf's current_pos) */
	const char *tok_file;		/* file and line where the last token started */
	int tok_line;
	char *text;			/* text of the last token with text, malloc'ed */
	size_t len, cap;
	int nerrors;			/* errors reported (parsing goes on) */
	int fatal;			/* 0, or the code of a fatal error */
	const char **file_index;	/* open-addressing index of kc->files, malloc'ed */
	size_t file_index_cap;		/* a power of two, > 2 * kc->nfiles */
};

int kc_lex_open(struct kc_lexer *lx, struct kconfig *kc, const char *topfile);
void kc_lex_close(struct kc_lexer *lx);
enum kc_token kc_lex_next(struct kc_lexer *lx);
/* After "help" and its end of line: read the help block into lx->text. */
enum kc_token kc_lex_help(struct kc_lexer *lx);
/* "source": enter the file (relative to srctree) at the next token. */
int kc_lex_push(struct kc_lexer *lx, const char *name);
const char *kc_lex_token_name(enum kc_token tok);
/* Report an error at file:line: counted, first one kept in kc->errmsg. */
void kc_lex_error(struct kc_lexer *lx, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void kc_lex_warn(struct kc_lexer *lx, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* conf's file_lookup(): the one arena copy of a file name, kept in kc->files. */
const char *kc_file_lookup(struct kconfig *kc, const char *name);

/* ---- parser.c ---- */

/*
 * Parse the tree like conf's conf_parse(): grammar, modules fallback,
 * "Main menu", kc_menu_finalize(), the recursion check; conf_changed set.
 * KCONFIG_EPARSE (message in kc->errmsg, all of them to the diag callback)
 * if anything was wrong.  Sets kc->dialect from srctree's Makefile.
 */
int kc_parse(struct kconfig *kc, const char *topfile);
/* The grammar only: symbols, properties and the menu tree before finalize. */
int kc_parse_tree(struct kconfig *kc, const char *topfile);

/* ---- confdata.c ---- */

int kc_conf_read_simple(struct kconfig *kc, const char *path, int def);
int kc_conf_read(struct kconfig *kc, const char *path);
int kc_conf_write(struct kconfig *kc, const char *path);
int kc_conf_write_defconfig(struct kconfig *kc, const char *path);
/* "CONFIG_", or the context's $CONFIG_. */
const char *kc_conf_prefix(struct kconfig *kc);
/* Whole file into a malloc'ed NUL-terminated buffer; 0 or -errno. */
int kc_conf_slurp(const char *path, char **out, size_t *outlen);
/* conf_read_simple() on text in memory (buf[len] == '\0'); name is for messages. */
int kc_conf_read_buffer(struct kconfig *kc, const char *name, const char *buf, size_t len,
			int def);
/* conf_read()'s pass after kc_conf_read_simple/kc_conf_read_buffer (sets conf_changed). */
int kc_conf_after_read(struct kconfig *kc);
/* conf_write()'s text, to any stream (no temp file, no rename). */
int kc_conf_write_fp(struct kconfig *kc, FILE *out);
/* Back to the state right after parsing: no values, nothing computed. */
void kc_conf_reset(struct kconfig *kc);

/* ---- kconfig.c ---- */

struct kc_choice_snap {
	struct kc_menu *choice;
	struct kc_symbol **members;	/* choice_first .. choice_last after parsing */
	size_t n;
};
/* 6.12: put every choice's member list back in its post-parse order. */
void kc_restore_choices(struct kconfig *kc);

/* ---- targets.c ---- */

/* glibc's random_r TYPE_3 generator, re-entrant: srand(seed) + rand() of conf. */
struct kc_rand {
	int32_t r[31];	/* the additive feedback table */
	int f, b;	/* glibc's fptr and rptr, as indexes into r */
};
void kc_rand_seed(struct kc_rand *rng, unsigned int seed);
int kc_rand_next(struct kc_rand *rng);	/* 0 .. RAND_MAX */
/* Run a *config target (conf's modes); the result stays in the context. */
int kc_target_run(struct kconfig *kc, enum kconfig_target target,
		  const struct kconfig_target_options *opts);
/* merge_config.sh -m base frag...: the merged text, malloc'ed, into *out (its messages: infos). */
int kc_merge_fragments(struct kconfig *kc, const char *base, size_t base_len,
		       const char *const *frags, size_t nfrags, char **out, size_t *out_len);

/* ---- image.c ---- */

struct stat;
/*
 * With opts->shell_cache_dir: 1 and *out a context mapped from a valid
 * image (parsed, finalized: kconfig_open is done); 0 with *out a new
 * context to parse that records an image (its opts are set), or NULL
 * (parse in a plain context).
 */
int kc_image_open(struct kconfig **out, const struct kconfig_options *opts);
/* A file the parse read (st) or looked for and did not find (st NULL). */
void kc_image_note_file(struct kconfig *kc, const char *path, const struct stat *st);
/* After a successful parse: write the image (best effort). */
void kc_image_store(struct kconfig *kc, const struct kconfig_options *opts);
/* kconfig_free of a context with kc->image: unmaps kc itself. */
void kc_image_release(struct kconfig *kc);

/* archdefconfig.c: kconfig_default_defconfig() */
int kc_default_defconfig(struct kconfig *kc, char *name, size_t namelen, char *path,
			 size_t pathlen);
/* archdefconfig.c: kconfig_arch_rule() (kconfig_arch_rule_free() is there too) */
int kc_arch_rule(struct kconfig *kc, const char *name, struct kconfig_arch_rule **out);

#endif
