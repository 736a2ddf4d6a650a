/*
 * query.c - read-only questions about symbols (include/kconfig/query.h).
 *
 * Used by `kmin features`, requirement suggestions and `kmin explain`.
 * Nothing here changes values; lookups walk a symbol's property list
 * (a handful of entries).
 */
#include "internal.h"
#include "kconfig/query.h"

size_t kconfig_symbol_count(const struct kconfig *kc)
{
	return kc->nsyms;
}

struct kconfig_symbol *kconfig_symbol_at(struct kconfig *kc, size_t i)
{
	return i < kc->nsyms ? (struct kconfig_symbol *)kc->syms[i] : NULL;
}

const char *kconfig_symbol_prompt(const struct kconfig_symbol *pub)
{
	const struct kc_symbol *sym = (const struct kc_symbol *)pub;

	for (const struct kc_property *p = sym->prop; p; p = p->next)
		if (p->text)	/* P_PROMPT, or P_MENU for a menuconfig */
			return p->text;
	return NULL;
}

int kconfig_symbol_definition(const struct kconfig_symbol *pub, size_t i, const char **file,
			      int *line)
{
	const struct kc_symbol *sym = (const struct kc_symbol *)pub;

	for (const struct kc_property *p = sym->prop; p; p = p->next) {
		if (p->type != KC_P_SYMBOL)
			continue;
		if (i-- == 0) {
			*file = p->menu ? p->menu->file : p->file;
			*line = p->menu ? p->menu->lineno : p->lineno;
			return 0;
		}
	}
	return KCONFIG_ENOENT;
}

int kconfig_symbol_is_defined(const struct kconfig_symbol *pub)
{
	const struct kc_symbol *sym = (const struct kc_symbol *)pub;

	for (const struct kc_property *p = sym->prop; p; p = p->next)
		if (p->type == KC_P_SYMBOL)
			return 1;
	return 0;
}

struct kconfig_symbol *kconfig_symbol_choice(struct kconfig *kc, struct kconfig_symbol *pub)
{
	struct kc_menu *menu = kc_sym_get_choice_menu(kc, (struct kc_symbol *)pub);

	return menu && menu->sym ? (struct kconfig_symbol *)menu->sym : NULL;
}
