/*
 * query.h - read-only questions about the symbols of a parsed tree.
 *
 * For front ends that list, suggest and explain: every symbol in creation
 * order, where it is defined, its prompt.  Pointers returned are borrowed
 * from the context.
 */
#ifndef KCONFIG_QUERY_H
#define KCONFIG_QUERY_H

#include <stddef.h>

#include "kconfig/kconfig.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Symbols in creation order, choice symbols (no name) included. */
size_t kconfig_symbol_count(const struct kconfig *kc);
struct kconfig_symbol *kconfig_symbol_at(struct kconfig *kc, size_t i);

/* First prompt text, or NULL for a symbol without prompt. */
const char *kconfig_symbol_prompt(const struct kconfig_symbol *sym);

/*
 * The i-th definition (config/menuconfig entry) of sym: file relative to
 * the source tree and line.  Returns 0, or KCONFIG_ENOENT past the last.
 */
int kconfig_symbol_definition(const struct kconfig_symbol *sym, size_t i, const char **file,
			      int *line);

/* Is the symbol defined by a config entry (not just referenced)? */
int kconfig_symbol_is_defined(const struct kconfig_symbol *sym);

/*
 * The choice sym is a member of: its nameless symbol, the one
 * kconfig_symbol_at() lists (the same for every member of that choice),
 * or NULL when sym is no choice member.  Both dialects.
 */
struct kconfig_symbol *kconfig_symbol_choice(struct kconfig *kc, struct kconfig_symbol *sym);

#ifdef __cplusplus
}
#endif
#endif
