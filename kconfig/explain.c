/*
 * explain.c - gather why a symbol has its value (include/kconfig/explain.h).
 *
 * Called once per `kmin explain`: it walks one symbol's properties and
 * expressions and, to find who selects or implies it, every property of
 * the tree once.  Everything is copied out of the context so the caller
 * may keep the explanation after changing values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kconfig/explain.h"

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static const char *value_string(struct kconfig *kc, struct kc_symbol *sym)
{
	kc_sym_calc_value(kc, sym);
	return kc_sym_get_string_value(kc, sym);
}

static const char *op_text(enum kc_expr_type t)
{
	switch (t) {
	case KC_E_EQUAL: return "=";
	case KC_E_UNEQUAL: return "!=";
	case KC_E_LTH: return "<";
	case KC_E_LEQ: return "<=";
	case KC_E_GTH: return ">";
	case KC_E_GEQ: return ">=";
	default: return "?";
	}
}

static const char *sym_text(const struct kc_symbol *sym)
{
	return sym->name ? sym->name : "<choice>";
}

static struct kconfig_node *node_build(struct kconfig *kc, struct kc_expr *e)
{
	struct kconfig_node *n;
	char buf[512];

	if (!e || !(n = calloc(1, sizeof(*n))))
		return NULL;
	n->tri = (enum kconfig_tristate)kc_expr_calc_value(kc, e);
	switch (e->type) {
	case KC_E_SYMBOL:
		n->kind = KCONFIG_NODE_SYMBOL;
		n->text = xstrdup(sym_text(e->left.sym));
		/* a symbol this arch never defines reads as n */
		n->value = xstrdup(e->left.sym->prop || (e->left.sym->flags & KC_SYMBOL_CONST)
					   ? value_string(kc, e->left.sym) : "n, undefined");
		break;
	case KC_E_AND:
	case KC_E_OR:
		n->kind = e->type == KC_E_AND ? KCONFIG_NODE_AND : KCONFIG_NODE_OR;
		n->child[0] = node_build(kc, e->left.expr);
		n->child[1] = node_build(kc, e->right.expr);
		break;
	case KC_E_NOT:
		n->kind = KCONFIG_NODE_NOT;
		n->child[0] = node_build(kc, e->left.expr);
		break;
	default:
		n->kind = KCONFIG_NODE_COMPARE;
		snprintf(buf, sizeof(buf), "%s %s %s", sym_text(e->left.sym), op_text(e->type),
			 sym_text(e->right.sym));
		n->text = xstrdup(buf);
		break;
	}
	return n;
}

static void node_free(struct kconfig_node *n)
{
	if (!n)
		return;
	node_free(n->child[0]);
	node_free(n->child[1]);
	free(n->text);
	free(n->value);
	free(n);
}

static int link_add(struct kconfig *kc, struct kconfig_link **v, size_t *n,
		    struct kc_symbol *other, struct kc_expr *cond)
{
	struct kconfig_link *nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return KCONFIG_ENOMEM;
	*v = nv;
	struct kconfig_link *l = &nv[(*n)++];
	memset(l, 0, sizeof(*l));
	l->symbol = xstrdup(sym_text(other));
	l->value = xstrdup(value_string(kc, other));
	if (cond && !kc_expr_is_yes(kc, cond))
		l->condition = kc_expr_to_string(cond);
	kc_tristate t = kc_sym_get_tristate_value(other);
	l->tri = (enum kconfig_tristate)KC_EXPR_AND(t, cond ? kc_expr_calc_value(kc, cond) : KC_YES);
	return 0;
}

/* The "if" of a property without the dependencies finalize AND-ed into it. */
static struct kc_expr *own_condition(struct kc_property *p)
{
	return p->visible.expr;
}

static int collect_links(struct kconfig *kc, struct kc_symbol *sym, struct kconfig_explanation *ex)
{
	int rc = 0;

	for (struct kc_property *p = sym->prop; p && !rc; p = p->next) {
		if (p->type == KC_P_SELECT)
			rc = link_add(kc, &ex->selects, &ex->nselects, p->expr->left.sym,
				      own_condition(p));
		else if (p->type == KC_P_IMPLY)
			rc = link_add(kc, &ex->implies, &ex->nimplies, p->expr->left.sym,
				      own_condition(p));
	}
	for (size_t i = 0; i < kc->nsyms && !rc; i++) {
		struct kc_symbol *other = kc->syms[i];
		for (struct kc_property *p = other->prop; p && !rc; p = p->next) {
			if ((p->type != KC_P_SELECT && p->type != KC_P_IMPLY) || !p->expr ||
			    p->expr->left.sym != sym)
				continue;
			if (p->type == KC_P_SELECT)
				rc = link_add(kc, &ex->selected_by, &ex->nselected_by, other,
					      own_condition(p));
			else
				rc = link_add(kc, &ex->implied_by, &ex->nimplied_by, other,
					      own_condition(p));
		}
	}
	return rc;
}

static int collect_props(struct kconfig *kc, struct kc_symbol *sym, struct kconfig_explanation *ex)
{
	for (struct kc_property *p = sym->prop; p; p = p->next) {
		if (p->type == KC_P_SYMBOL) {
			struct kconfig_definition *d = realloc(ex->defs, (ex->ndefs + 1) * sizeof(*d));
			if (!d)
				return KCONFIG_ENOMEM;
			ex->defs = d;
			d[ex->ndefs].file = xstrdup(p->menu ? p->menu->file : p->file);
			d[ex->ndefs++].line = p->menu ? p->menu->lineno : p->lineno;
		} else if (p->text && !ex->prompt) {
			ex->prompt = xstrdup(p->text);
			ex->prompt_if = node_build(kc, p->visible.expr);
		} else if (p->type == KC_P_DEFAULT) {
			char **v = realloc(ex->defaults, (ex->ndefaults + 1) * sizeof(*v));
			if (!v)
				return KCONFIG_ENOMEM;
			ex->defaults = v;
			char *val = kc_expr_to_string(p->expr);
			char *cond = p->visible.expr && !kc_expr_is_yes(kc, p->visible.expr)
					     ? kc_expr_to_string_values(kc, p->visible.expr) : NULL;
			size_t len = strlen(val ? val : "") + strlen(cond ? cond : "") + 32;
			v[ex->ndefaults] = malloc(len);
			if (v[ex->ndefaults])
				snprintf(v[ex->ndefaults], len, "%s%s%s [%s]", val ? val : "",
					 cond ? " if " : "", cond ? cond : "",
					 kc_expr_calc_value(kc, p->visible.expr) ? "active" : "inactive");
			ex->ndefaults++;
			free(val);
			free(cond);
		}
	}
	return 0;
}

static char *reason(struct kconfig *kc, struct kc_symbol *sym)
{
	char buf[512];
	kc_tristate dir = sym->dir_dep.expr ? kc_expr_calc_value(kc, sym->dir_dep.expr) : KC_YES;
	kc_tristate rev = sym->rev_dep.expr ? kc_expr_calc_value(kc, sym->rev_dep.expr) : KC_NO;
	bool boolish = sym->type == KC_S_BOOLEAN || sym->type == KC_S_TRISTATE;

	if (boolish && rev > KC_NO && kc_sym_get_tristate_value(sym) <= rev && !sym->visible)
		snprintf(buf, sizeof(buf), "it is selected");
	else if (boolish && rev > KC_NO && sym->visible == KC_NO)
		snprintf(buf, sizeof(buf), "it is selected (its prompt is hidden)");
	else if (dir == KC_NO)
		snprintf(buf, sizeof(buf), "its dependencies are not met");
	else if (sym->visible != KC_NO && kc_sym_has_value(sym))
		snprintf(buf, sizeof(buf), "the configuration sets it");
	else if (sym->visible == KC_NO && kc_sym_has_value(sym))
		snprintf(buf, sizeof(buf), "its prompt is hidden, so the configuration's value "
			 "is ignored and its default applies");
	else if (rev > KC_NO)
		snprintf(buf, sizeof(buf), "it is selected");
	else
		snprintf(buf, sizeof(buf), "it takes its default");
	return xstrdup(buf);
}

int kconfig_explain(struct kconfig *kc, const char *name, struct kconfig_explanation **out)
{
	struct kc_symbol *sym = kc_sym_find(kc, name);
	struct kconfig_explanation *ex;

	*out = NULL;
	if (!sym || !sym->prop)
		return kc_error(kc, KCONFIG_ENOENT, "unknown symbol '%s'", name);
	ex = calloc(1, sizeof(*ex));
	if (!ex)
		return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	kc_sym_calc_value(kc, sym);
	ex->name = xstrdup(name);
	ex->type = (enum kconfig_type)sym->type;	/* as declared, not as MODULES=n makes it act */
	ex->value = xstrdup(kc_sym_get_string_value(kc, sym));
	ex->visible = (enum kconfig_tristate)sym->visible;
	ex->depends = node_build(kc, sym->dir_dep.expr);
	ex->reason = reason(kc, sym);
	if (collect_props(kc, sym, ex) || collect_links(kc, sym, ex)) {
		kconfig_explanation_free(ex);
		return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	}
	*out = ex;
	return 0;
}

static void links_free(struct kconfig_link *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].symbol);
		free(v[i].value);
		free(v[i].condition);
	}
	free(v);
}

void kconfig_explanation_free(struct kconfig_explanation *ex)
{
	if (!ex)
		return;
	free(ex->name);
	free(ex->value);
	free(ex->prompt);
	free(ex->reason);
	for (size_t i = 0; i < ex->ndefs; i++)
		free(ex->defs[i].file);
	free(ex->defs);
	node_free(ex->depends);
	node_free(ex->prompt_if);
	links_free(ex->selected_by, ex->nselected_by);
	links_free(ex->implied_by, ex->nimplied_by);
	links_free(ex->selects, ex->nselects);
	links_free(ex->implies, ex->nimplies);
	for (size_t i = 0; i < ex->ndefaults; i++)
		free(ex->defaults[i]);
	free(ex->defaults);
	free(ex);
}
