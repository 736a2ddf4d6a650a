/*
 * menu.c - building the menu tree while the parser reads statements.
 *
 * Who calls it: parser.c, once per statement; kc_menu_set_type() also
 * from finalize.c (choice types).  The rules are those of the
 * construction half of the kernel's scripts/kconfig/menu.c:
 *
 *   - Every config, menuconfig, choice, comment, menu and if statement
 *     adds one entry after the previous one of the current block;
 *     kc_menu_add_menu() makes the current entry the block that the
 *     following entries go into, kc_menu_end_menu() leaves it.
 *   - An entry with a symbol gets a P_SYMBOL property first (the link
 *     from the symbol back to this definition); then the properties of
 *     the statement follow, appended to the symbol's list in definition
 *     order, each with the file and line of its statement.
 *   - "depends on" lines are AND-ed in order; "visible if" likewise.
 *   - A prompt ("prompt", or a type with a prompt) gets the "visible if"
 *     of every enclosing menu AND-ed to its condition, innermost first.
 *   - Nothing is simplified and 'm' is not rewritten here: that is
 *     kc_menu_finalize()'s job (finalize.c), as in conf.
 *
 * State lives in kc->build, not in globals.  Allocation failures set
 * kc->build.oom; the parser checks it and gives up with KCONFIG_ENOMEM.
 */
#include <ctype.h>
#include <string.h>

#include "internal.h"

void kc_menu_init(struct kconfig *kc)
{
	struct kc_menu_build *b = &kc->build;

	b->current_menu = b->current_entry = &kc->rootmenu;
	b->last_entry_ptr = &kc->rootmenu.list;
	b->oom = false;
}

void kc_menu_set_pos(struct kconfig *kc, const char *file, int lineno)
{
	kc->build.file = file;
	kc->build.lineno = lineno;
}

struct kc_menu *kc_menu_current_entry(struct kconfig *kc)
{
	return kc->build.current_entry;
}

struct kc_menu *kc_menu_next(struct kc_menu *menu, struct kc_menu *root)
{
	if (menu->list)
		return menu->list;
	while (menu != root && !menu->next)
		menu = menu->parent;
	if (menu == root)
		return NULL;
	return menu->next;
}

void kc_menu_add_entry(struct kconfig *kc, struct kc_symbol *sym, const char *file, int lineno)
{
	struct kc_menu_build *b = &kc->build;
	struct kc_menu *menu = kc_arena_alloc(&kc->arena, sizeof(*menu));

	if (!menu) {
		b->oom = true;
		return;
	}
	menu->sym = sym;
	menu->parent = b->current_menu;
	menu->file = file;
	menu->lineno = lineno;
	*b->last_entry_ptr = menu;
	b->last_entry_ptr = &menu->next;
	b->current_entry = menu;
	kc_menu_set_pos(kc, file, lineno);
	if (sym)
		kc_menu_add_symbol(kc, KC_P_SYMBOL, sym, NULL);
}

void kc_menu_add_menu(struct kconfig *kc)
{
	struct kc_menu_build *b = &kc->build;

	b->last_entry_ptr = &b->current_entry->list;
	b->current_menu = b->current_entry;
}

void kc_menu_end_menu(struct kconfig *kc)
{
	struct kc_menu_build *b = &kc->build;

	b->last_entry_ptr = &b->current_menu->next;
	b->current_menu = b->current_menu->parent;
}

static struct kc_expr *kc_menu_and(struct kconfig *kc, struct kc_expr *a, struct kc_expr *b)
{
	struct kc_expr *e = kc_expr_alloc_and(kc, a, b);

	if (!e && (a || b))
		kc->build.oom = true;
	return e;
}

void kc_menu_add_dep(struct kconfig *kc, struct kc_expr *dep)
{
	struct kc_menu *entry = kc->build.current_entry;

	entry->dep = kc_menu_and(kc, entry->dep, dep);
}

void kc_menu_add_visibility(struct kconfig *kc, struct kc_expr *expr)
{
	struct kc_menu *entry = kc->build.current_entry;

	entry->visibility = kc_menu_and(kc, entry->visibility, expr);
}

void kc_menu_set_type(struct kconfig *kc, struct kc_menu *menu, enum kc_type type)
{
	struct kc_symbol *sym = menu->sym;

	if (sym->type == type)
		return;
	if (sym->type == KC_S_UNKNOWN) {
		sym->type = type;
		kc->type_gen++;
		return;
	}
	kc_diag(kc, KCONFIG_DIAG_WARNING, menu->file, menu->lineno,
		"ignoring type redefinition of '%s' from '%s' to '%s'",
		sym->name ? sym->name : "<choice>", kc_sym_type_name(sym->type),
		kc_sym_type_name(type));
}

static struct kc_property *kc_menu_add_prop(struct kconfig *kc, enum kc_prop_type type,
					    struct kc_expr *expr, struct kc_expr *dep)
{
	struct kc_menu_build *b = &kc->build;
	struct kc_property *prop = kc_arena_alloc(&kc->arena, sizeof(*prop));

	if (!prop) {
		b->oom = true;
		return NULL;
	}
	prop->type = type;
	prop->file = b->file;
	prop->lineno = b->lineno;
	prop->menu = b->current_entry;
	prop->expr = expr;
	prop->visible.expr = dep;
	if (b->current_entry->sym) {
		struct kc_property **pp = &b->current_entry->sym->prop;

		while (*pp)
			pp = &(*pp)->next;
		*pp = prop;
	}
	return prop;
}

struct kc_property *kc_menu_add_prompt(struct kconfig *kc, enum kc_prop_type type,
				       const char *prompt, struct kc_expr *dep)
{
	struct kc_menu *entry = kc->build.current_entry;
	struct kc_property *prop = kc_menu_add_prop(kc, type, NULL, dep);

	if (!prop)
		return NULL;
	if (isspace((unsigned char)*prompt)) {
		kc_diag(kc, KCONFIG_DIAG_WARNING, prop->file, prop->lineno,
			"leading whitespace ignored");
		while (isspace((unsigned char)*prompt))
			prompt++;
	}
	if (entry->prompt)
		kc_diag(kc, KCONFIG_DIAG_WARNING, prop->file, prop->lineno, "prompt redefined");

	/* The "visible if" of every enclosing menu applies to a real prompt. */
	if (type == KC_P_PROMPT) {
		for (struct kc_menu *m = entry->parent; m; m = m->parent) {
			if (!m->visibility)
				continue;
			struct kc_expr *dup = kc_expr_copy(kc, m->visibility);

			if (!dup)
				kc->build.oom = true;
			prop->visible.expr = kc_menu_and(kc, prop->visible.expr, dup);
		}
	}
	entry->prompt = prop;
	prop->text = kc_arena_strdup(&kc->arena, prompt);
	if (!prop->text)
		kc->build.oom = true;
	return prop;
}

void kc_menu_add_expr(struct kconfig *kc, enum kc_prop_type type, struct kc_expr *expr,
		      struct kc_expr *dep)
{
	kc_menu_add_prop(kc, type, expr, dep);
}

void kc_menu_add_symbol(struct kconfig *kc, enum kc_prop_type type, struct kc_symbol *sym,
			struct kc_expr *dep)
{
	struct kc_expr *e = kc_expr_alloc_symbol(kc, sym);

	if (!e) {
		kc->build.oom = true;
		return;
	}
	kc_menu_add_prop(kc, type, e, dep);
}
