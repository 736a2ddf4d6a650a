/*
 * explain.h - why a symbol has its value: the data behind `kmin explain`.
 *
 * An explanation is a snapshot of one symbol in the context's current
 * configuration: type, value and the reason for it, prompt, where it is
 * defined, its dependencies as a tree with the value of every operand,
 * who selects or implies it and what it selects or implies.  It owns its
 * strings and nodes; free it with kconfig_explanation_free().
 */
#ifndef KCONFIG_EXPLAIN_H
#define KCONFIG_EXPLAIN_H

#include <stddef.h>

#include "kconfig/kconfig.h"

#ifdef __cplusplus
extern "C" {
#endif

enum kconfig_node_kind {
	KCONFIG_NODE_SYMBOL,	/* text = name, value = its value */
	KCONFIG_NODE_AND,
	KCONFIG_NODE_OR,
	KCONFIG_NODE_NOT,
	KCONFIG_NODE_COMPARE,	/* text = "A = B", "A < B" ... */
};

struct kconfig_node {
	enum kconfig_node_kind kind;
	char *text;			/* symbol name or comparison */
	char *value;			/* SYMBOL: the symbol's value ("y", "0x10") */
	enum kconfig_tristate tri;	/* the value of this node */
	struct kconfig_node *child[2];	/* AND/OR: both; NOT: child[0] */
};

struct kconfig_link {
	char *symbol;			/* the other symbol */
	char *value;			/* its value */
	char *condition;		/* "if ..." condition, or NULL */
	enum kconfig_tristate tri;	/* value of symbol && condition */
};

struct kconfig_definition {
	char *file;
	int line;
};

struct kconfig_explanation {
	char *name;
	enum kconfig_type type;
	char *value;			/* as .config would spell it */
	enum kconfig_tristate visible;	/* upper bound a user can set */
	char *prompt;			/* NULL: no prompt */
	char *reason;			/* one sentence: why it has this value */
	struct kconfig_definition *defs;
	size_t ndefs;
	struct kconfig_node *depends;	/* `depends on` of all definitions; NULL: none */
	struct kconfig_node *prompt_if;	/* the prompt's visibility condition; NULL: none */
	struct kconfig_link *selected_by, *implied_by, *selects, *implies;
	size_t nselected_by, nimplied_by, nselects, nimplies;
	char **defaults;		/* "value if condition" lines, in order */
	size_t ndefaults;
};

/* Explain NAME (without CONFIG_).  KCONFIG_ENOENT when undefined. */
int kconfig_explain(struct kconfig *kc, const char *name, struct kconfig_explanation **out);
void kconfig_explanation_free(struct kconfig_explanation *ex);

#ifdef __cplusplus
}
#endif
#endif
