/*
 * expr.c - Kconfig expressions: construction, evaluation, printing, and
 * the algebra menu finalization needs.
 *
 * Who calls it: the parser builds every "depends on", "if", "default"
 * and "select" expression with the constructors; finalize.c combines and
 * simplifies them; symbol.c evaluates them on every value calculation.
 *
 * The semantics are the kernel's scripts/kconfig/expr.c: tristate logic
 * (and = min, or = max, not = 2 - x), comparisons by number when both
 * sides parse as numbers of the symbol's type, by string otherwise.  The
 * simplifications must produce the same shapes as conf's because the
 * submenu detection and the "# end of" lines of .config depend on them.
 *
 * Dialects: 6.1 gives each constructor call a private node and simplifies
 * in place (several places can see one rewrite, as in conf 6.1).  6.12
 * keeps one node per (type, left, right), never changes a node, and
 * caches each node's value until kc_expr_invalidate_all(), as conf 6.12
 * does; kc->dialect must be set before the first expression is built.
 *
 * Memory: nodes come from the context's arena and are never freed one by
 * one (finalize.c routes 6.1's throw-away copies to a scratch arena); a
 * constructor returns NULL only when memory runs out.  The printers
 * return malloc'ed strings.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- constructors ---- */

#define KC_EXPR_HASHSIZE (1U << 14)

/* Where nodes go: the context's arena, or the scratch arena while comparing. */
static struct kc_arena *kc_expr_arena(struct kconfig *kc)
{
	return kc->expr_scratch_active ? kc->expr_scratch : &kc->arena;
}

static struct kc_expr *kc_expr_new(struct kconfig *kc, enum kc_expr_type type)
{
	struct kc_expr *e = kc_arena_alloc(kc_expr_arena(kc), sizeof(*e));

	if (e)
		e->type = type;
	return e;
}

static unsigned int kc_expr_hash(enum kc_expr_type type, const void *l, const void *r)
{
	uint64_t h = (uint64_t)type * 0x9e3779b97f4a7c15ULL;

	h ^= (uint64_t)(uintptr_t)l * 0xff51afd7ed558ccdULL;
	h ^= (uint64_t)(uintptr_t)r * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return (unsigned int)(h % KC_EXPR_HASHSIZE);
}

/*
 * 6.12's conf keeps one node per (type, left, right): sharing is what
 * makes its value cache observable, so the 6.12 dialect does the same.
 * 6.1 rewrites nodes in place and needs private nodes.
 */
static struct kc_expr *kc_expr_make(struct kconfig *kc, enum kc_expr_type type,
				    const void *l, const void *r)
{
	struct kc_expr *e;
	unsigned int h;

	if (kc->dialect != KC_DIALECT_6_12) {
		e = kc_expr_new(kc, type);
		if (e) {
			e->left.expr = (struct kc_expr *)l;
			e->right.expr = (struct kc_expr *)r;
		}
		return e;
	}
	if (!kc->expr_hash) {
		kc->expr_hash = kc_arena_alloc(&kc->arena, KC_EXPR_HASHSIZE * sizeof(*kc->expr_hash));
		if (!kc->expr_hash)
			return NULL;
	}
	h = kc_expr_hash(type, l, r);
	for (e = kc->expr_hash[h]; e; e = e->hash_next)
		if (e->type == type && (const void *)e->left.expr == l &&
		    (const void *)e->right.expr == r)
			return e;
	e = kc_expr_new(kc, type);
	if (!e)
		return NULL;
	e->left.expr = (struct kc_expr *)l;
	e->right.expr = (struct kc_expr *)r;
	e->hash_next = kc->expr_hash[h];
	kc->expr_hash[h] = e;
	return e;
}

struct kc_expr *kc_expr_alloc_symbol(struct kconfig *kc, struct kc_symbol *sym)
{
	return kc_expr_make(kc, KC_E_SYMBOL, sym, NULL);
}

struct kc_expr *kc_expr_alloc_one(struct kconfig *kc, enum kc_expr_type type, struct kc_expr *ce)
{
	return kc_expr_make(kc, type, ce, NULL);
}

struct kc_expr *kc_expr_alloc_two(struct kconfig *kc, enum kc_expr_type type,
				  struct kc_expr *e1, struct kc_expr *e2)
{
	return kc_expr_make(kc, type, e1, e2);
}

struct kc_expr *kc_expr_alloc_comp(struct kconfig *kc, enum kc_expr_type type,
				   struct kc_symbol *s1, struct kc_symbol *s2)
{
	return kc_expr_make(kc, type, s1, s2);
}

struct kc_expr *kc_expr_alloc_and(struct kconfig *kc, struct kc_expr *e1, struct kc_expr *e2)
{
	if (!e1)
		return e2;
	return e2 ? kc_expr_alloc_two(kc, KC_E_AND, e1, e2) : e1;
}

struct kc_expr *kc_expr_alloc_or(struct kconfig *kc, struct kc_expr *e1, struct kc_expr *e2)
{
	if (!e1)
		return e2;
	return e2 ? kc_expr_alloc_two(kc, KC_E_OR, e1, e2) : e1;
}

struct kc_expr *kc_expr_copy(struct kconfig *kc, const struct kc_expr *org)
{
	struct kc_expr *e;

	if (!org)
		return NULL;
	if (kc->dialect == KC_DIALECT_6_12)
		return (struct kc_expr *)org;	/* unique nodes are never changed */
	e = kc_expr_new(kc, org->type);
	if (!e)
		return NULL;
	switch (org->type) {
	case KC_E_SYMBOL:
		e->left = org->left;
		break;
	case KC_E_NOT:
		e->left.expr = kc_expr_copy(kc, org->left.expr);
		break;
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
	case KC_E_LTH:
	case KC_E_LEQ:
	case KC_E_GTH:
	case KC_E_GEQ:
	case KC_E_RANGE:
		e->left.sym = org->left.sym;
		e->right.sym = org->right.sym;
		break;
	case KC_E_AND:
	case KC_E_OR:
		e->left.expr = kc_expr_copy(kc, org->left.expr);
		e->right.expr = kc_expr_copy(kc, org->right.expr);
		break;
	case KC_E_LIST:
		e->left.expr = kc_expr_copy(kc, org->left.expr);
		e->right.sym = org->right.sym;
		break;
	case KC_E_NONE:
		break;
	}
	return e;
}

/*
 * Trees by value, for memo tables: a hash of the shape and the symbols
 * (equal trees hash equal), and exact equality (no algebra: a && b is
 * not b && a here).
 */
uint64_t kc_expr_tree_hash(const struct kc_expr *e)
{
	uint64_t h = 0x84222325cbf29ce4ULL;

	while (e) {
		h = (h ^ (uint64_t)e->type) * 0x100000001b3ULL;
		switch (e->type) {
		case KC_E_SYMBOL:
			return (h ^ (uint64_t)(uintptr_t)e->left.sym) * 0xff51afd7ed558ccdULL;
		case KC_E_AND:
		case KC_E_OR:
			h = (h ^ kc_expr_tree_hash(e->left.expr)) * 0xc4ceb9fe1a85ec53ULL;
			e = e->right.expr;
			break;
		case KC_E_NOT:
			e = e->left.expr;
			break;
		case KC_E_LIST:
			h = (h ^ (uint64_t)(uintptr_t)e->right.sym) * 0xff51afd7ed558ccdULL;
			e = e->left.expr;
			break;
		case KC_E_NONE:
			return h;
		default:	/* comparisons, range */
			h = (h ^ (uint64_t)(uintptr_t)e->left.sym) * 0xff51afd7ed558ccdULL;
			return (h ^ (uint64_t)(uintptr_t)e->right.sym) * 0xc4ceb9fe1a85ec53ULL;
		}
	}
	return h * 0x9e3779b97f4a7c15ULL;
}

bool kc_expr_tree_equal(const struct kc_expr *e1, const struct kc_expr *e2)
{
	while (e1 && e2) {
		if (e1 == e2)
			return true;
		if (e1->type != e2->type)
			return false;
		switch (e1->type) {
		case KC_E_SYMBOL:
			return e1->left.sym == e2->left.sym;
		case KC_E_AND:
		case KC_E_OR:
			if (!kc_expr_tree_equal(e1->left.expr, e2->left.expr))
				return false;
			e1 = e1->right.expr;
			e2 = e2->right.expr;
			break;
		case KC_E_NOT:
			e1 = e1->left.expr;
			e2 = e2->left.expr;
			break;
		case KC_E_LIST:
			if (e1->right.sym != e2->right.sym)
				return false;
			e1 = e1->left.expr;
			e2 = e2->left.expr;
			break;
		case KC_E_NONE:
			return true;
		default:
			return e1->left.sym == e2->left.sym && e1->right.sym == e2->right.sym;
		}
	}
	return e1 == e2;
}

/* ---- helpers ---- */

static bool kc_new_dialect(const struct kconfig *kc)
{
	return kc->dialect == KC_DIALECT_6_12;
}

bool kc_expr_is_yes(const struct kconfig *kc, const struct kc_expr *e)
{
	return !e || (e->type == KC_E_SYMBOL && e->left.sym == &kc->sym_yes);
}

static bool kc_expr_is_comparison(enum kc_expr_type t)
{
	switch (t) {
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
	case KC_E_LTH:
	case KC_E_LEQ:
	case KC_E_GTH:
	case KC_E_GEQ:
		return true;
	default:
		return false;
	}
}

/*
 * The simplifications count what they did (conf's trans_count) to know
 * when a fixed point is reached; the counter travels in this state so
 * the engine stays free of globals.
 */
struct kc_xform {
	struct kconfig *kc;
	int trans_count;
};

static bool kc_xf_eq(struct kc_xform *xf, struct kc_expr *e1, struct kc_expr *e2);

/*
 * expr && n -> n, expr && y -> expr, expr || n -> expr, expr || y -> y,
 * recursively.  The 6.1 dialect rewrites nodes in place like conf 6.1
 * (other references to a node see the change); 6.12 builds new nodes.
 */
static struct kc_expr *kc_expr_eliminate_yn(struct kconfig *kc, struct kc_expr *e)
{
	struct kc_symbol *yes = &kc->sym_yes, *no = &kc->sym_no;
	struct kc_expr *l, *r;
	struct kc_symbol *absorb, *neutral;

	if (!e || (e->type != KC_E_AND && e->type != KC_E_OR))
		return e;
	absorb = e->type == KC_E_AND ? no : yes;
	neutral = e->type == KC_E_AND ? yes : no;
	l = kc_expr_eliminate_yn(kc, e->left.expr);
	r = kc_expr_eliminate_yn(kc, e->right.expr);
	if (kc_new_dialect(kc)) {
		if (l->type == KC_E_SYMBOL) {
			if (l->left.sym == absorb)
				return l;
			if (l->left.sym == neutral)
				return r;
		}
		if (r->type == KC_E_SYMBOL) {
			if (r->left.sym == absorb)
				return r;
			if (r->left.sym == neutral)
				return l;
		}
		return kc_expr_alloc_two(kc, e->type, l, r);
	}
	e->left.expr = l;
	e->right.expr = r;
	if (l->type == KC_E_SYMBOL) {
		if (l->left.sym == absorb) {
			e->type = KC_E_SYMBOL;
			e->left.sym = absorb;
			e->right.expr = NULL;
			return e;
		}
		if (l->left.sym == neutral) {
			*e = *r;
			return e;
		}
	}
	if (r->type == KC_E_SYMBOL) {
		if (r->left.sym == absorb) {
			e->type = KC_E_SYMBOL;
			e->left.sym = absorb;
			e->right.expr = NULL;
			return e;
		}
		if (r->left.sym == neutral) {
			*e = *l;
			return e;
		}
	}
	return e;
}

/*
 * Walk two trees; nodes that are not of `type` are leaves, and two equal
 * leaves are both replaced by the neutral constant of `type`.
 */
static void kc_xf_eliminate_eq_leaves(struct kc_xform *xf, enum kc_expr_type type,
				      struct kc_expr **ep1, struct kc_expr **ep2)
{
	struct kconfig *kc = xf->kc;
	struct kc_expr *e1 = *ep1, *e2 = *ep2, *l, *r;

	if (e1->type == type) {
		if (kc_new_dialect(kc)) {
			l = e1->left.expr;
			r = e1->right.expr;
			kc_xf_eliminate_eq_leaves(xf, type, &l, ep2);
			kc_xf_eliminate_eq_leaves(xf, type, &r, ep2);
			*ep1 = kc_expr_alloc_two(kc, type, l, r);
		} else {
			kc_xf_eliminate_eq_leaves(xf, type, &e1->left.expr, ep2);
			kc_xf_eliminate_eq_leaves(xf, type, &e1->right.expr, ep2);
		}
		return;
	}
	if (e2->type == type) {
		if (kc_new_dialect(kc)) {
			l = e2->left.expr;
			r = e2->right.expr;
			kc_xf_eliminate_eq_leaves(xf, type, ep1, &l);
			kc_xf_eliminate_eq_leaves(xf, type, ep1, &r);
			*ep2 = kc_expr_alloc_two(kc, type, l, r);
		} else {
			kc_xf_eliminate_eq_leaves(xf, type, ep1, &e2->left.expr);
			kc_xf_eliminate_eq_leaves(xf, type, ep1, &e2->right.expr);
		}
		return;
	}
	if (e1->type == KC_E_SYMBOL && e2->type == KC_E_SYMBOL &&
	    e1->left.sym == e2->left.sym &&
	    (e1->left.sym == &kc->sym_yes || e1->left.sym == &kc->sym_no))
		return;
	if (!kc_xf_eq(xf, e1, e2))
		return;
	xf->trans_count++;
	switch (type) {
	case KC_E_OR:
		*ep1 = kc_expr_alloc_symbol(kc, &kc->sym_no);
		*ep2 = kc_expr_alloc_symbol(kc, &kc->sym_no);
		break;
	case KC_E_AND:
		*ep1 = kc_expr_alloc_symbol(kc, &kc->sym_yes);
		*ep2 = kc_expr_alloc_symbol(kc, &kc->sym_yes);
		break;
	default:
		break;
	}
}

static void kc_xf_eliminate_eq(struct kc_xform *xf, struct kc_expr **ep1, struct kc_expr **ep2)
{
	if (!*ep1 || !*ep2)
		return;
	if ((*ep1)->type == KC_E_OR || (*ep1)->type == KC_E_AND)
		kc_xf_eliminate_eq_leaves(xf, (*ep1)->type, ep1, ep2);
	if ((*ep1)->type != (*ep2)->type &&
	    ((*ep2)->type == KC_E_OR || (*ep2)->type == KC_E_AND))
		kc_xf_eliminate_eq_leaves(xf, (*ep2)->type, ep1, ep2);
	*ep1 = kc_expr_eliminate_yn(xf->kc, *ep1);
	*ep2 = kc_expr_eliminate_yn(xf->kc, *ep2);
}

void kc_expr_eliminate_eq(struct kconfig *kc, struct kc_expr **ep1, struct kc_expr **ep2)
{
	struct kc_xform xf = { kc, 0 };

	kc_xf_eliminate_eq(&xf, ep1, ep2);
}

/* Equal after minor simplification; && and || operands in any order. */
static bool kc_xf_eq(struct kc_xform *xf, struct kc_expr *e1, struct kc_expr *e2)
{
	struct kconfig *kc = xf->kc;
	int old_count;
	bool res;

	if (!e1 || !e2)
		return kc_expr_is_yes(kc, e1) && kc_expr_is_yes(kc, e2);
	if (e1->type != e2->type)
		return false;
	switch (e1->type) {
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
	case KC_E_LTH:
	case KC_E_LEQ:
	case KC_E_GTH:
	case KC_E_GEQ:
		return e1->left.sym == e2->left.sym && e1->right.sym == e2->right.sym;
	case KC_E_SYMBOL:
		return e1->left.sym == e2->left.sym;
	case KC_E_NOT:
		return kc_xf_eq(xf, e1->left.expr, e2->left.expr);
	case KC_E_AND:
	case KC_E_OR:
		if (kc_new_dialect(kc)) {
			old_count = xf->trans_count;
			kc_xf_eliminate_eq(xf, &e1, &e2);
			xf->trans_count = old_count;
			return e1->type == KC_E_SYMBOL && e2->type == KC_E_SYMBOL &&
			       e1->left.sym == e2->left.sym;
		}
		/*
		 * 6.1 simplifies in place: work on copies.  They die here, so
		 * during finalize they go to a scratch arena emptied after
		 * each outermost comparison (conf frees them; without this
		 * a 6.1 arm tree would keep ~45 MB of garbage).
		 */
		bool outer = kc->expr_scratch && !kc->expr_scratch_active;

		if (outer)
			kc->expr_scratch_active = true;
		e1 = kc_expr_copy(kc, e1);
		e2 = kc_expr_copy(kc, e2);
		old_count = xf->trans_count;
		kc_xf_eliminate_eq(xf, &e1, &e2);
		res = e1->type == KC_E_SYMBOL && e2->type == KC_E_SYMBOL &&
		      e1->left.sym == e2->left.sym;
		xf->trans_count = old_count;
		if (outer) {
			kc->expr_scratch_active = false;
			kc_arena_free(kc->expr_scratch);
		}
		return res;
	default:
		return false;
	}
}

bool kc_expr_eq(struct kconfig *kc, struct kc_expr *e1, struct kc_expr *e2)
{
	struct kc_xform xf = { kc, 0 };

	return kc_xf_eq(&xf, e1, e2);
}

/*
 * The symbol a leaf of join_or/join_and is about, or NULL if the leaf is
 * not a (negated) symbol or (in)equality.  `deep` allows !(a=x) as conf
 * does for the left operand only.
 */
static struct kc_symbol *kc_join_leaf_sym(struct kc_expr *e, bool left)
{
	if (e->type != KC_E_EQUAL && e->type != KC_E_UNEQUAL &&
	    e->type != KC_E_SYMBOL && e->type != KC_E_NOT)
		return NULL;
	if (e->type != KC_E_NOT)
		return e->left.sym;
	if (left) {
		struct kc_expr *t = e->left.expr;

		if (t->type != KC_E_EQUAL && t->type != KC_E_UNEQUAL && t->type != KC_E_SYMBOL)
			return NULL;
		return t->left.sym;
	}
	if (e->left.expr->type != KC_E_SYMBOL)
		return NULL;
	return e->left.expr->left.sym;
}

/* Comparison of e against a constant: e is `t` with right operand c. */
static bool kc_is_cmp(const struct kc_expr *e, enum kc_expr_type t, const struct kc_symbol *c)
{
	return e->type == t && e->right.sym == c;
}

/* both orders: e1 is (t1, c1) and e2 is (t2, c2), or swapped */
static bool kc_is_cmp_pair(const struct kc_expr *e1, const struct kc_expr *e2,
			   enum kc_expr_type t, const struct kc_symbol *c1,
			   const struct kc_symbol *c2)
{
	return (kc_is_cmp(e1, t, c1) && kc_is_cmp(e2, t, c2)) ||
	       (kc_is_cmp(e1, t, c2) && kc_is_cmp(e2, t, c1));
}

/* e1 || e2 -> one expression, or NULL */
/*
 * The start both joins share: *copy gets a copy of e1 when the two sides
 * are equal (and NULL otherwise); the result is the one bool or tristate
 * symbol both sides test, or NULL when the pair is not joinable.
 */
static struct kc_symbol *kc_join_common(struct kc_xform *xf, struct kc_expr *e1,
					struct kc_expr *e2, struct kc_expr **copy)
{
	struct kc_symbol *sym1, *sym2;

	*copy = NULL;
	if (kc_xf_eq(xf, e1, e2)) {
		*copy = kc_expr_copy(xf->kc, e1);
		return NULL;
	}
	sym1 = kc_join_leaf_sym(e1, true);
	if (!sym1 || (e2->type != KC_E_EQUAL && e2->type != KC_E_UNEQUAL &&
		      e2->type != KC_E_SYMBOL && e2->type != KC_E_NOT))
		return NULL;
	sym2 = kc_join_leaf_sym(e2, false);
	if (!sym2 || sym1 != sym2)
		return NULL;
	if (sym1->type != KC_S_BOOLEAN && sym1->type != KC_S_TRISTATE)
		return NULL;
	return sym1;
}

static struct kc_expr *kc_xf_join_or(struct kc_xform *xf, struct kc_expr *e1, struct kc_expr *e2)
{
	struct kconfig *kc = xf->kc;
	struct kc_symbol *y = &kc->sym_yes, *m = &kc->sym_mod, *n = &kc->sym_no;
	struct kc_expr *copy;
	struct kc_symbol *sym1 = kc_join_common(xf, e1, e2, &copy);

	if (copy || !sym1)
		return copy;
	if (sym1->type == KC_S_TRISTATE) {
		if (kc_is_cmp_pair(e1, e2, KC_E_EQUAL, y, m))
			return kc_expr_alloc_comp(kc, KC_E_UNEQUAL, sym1, n);
		if (kc_is_cmp_pair(e1, e2, KC_E_EQUAL, y, n))
			return kc_expr_alloc_comp(kc, KC_E_UNEQUAL, sym1, m);
		if (kc_is_cmp_pair(e1, e2, KC_E_EQUAL, m, n))
			return kc_expr_alloc_comp(kc, KC_E_UNEQUAL, sym1, y);
	}
	if (sym1->type == KC_S_BOOLEAN) {
		/* a || !a -> y */
		if ((e1->type == KC_E_NOT && e1->left.expr->type == KC_E_SYMBOL &&
		     e2->type == KC_E_SYMBOL) ||
		    (e2->type == KC_E_NOT && e2->left.expr->type == KC_E_SYMBOL &&
		     e1->type == KC_E_SYMBOL))
			return kc_expr_alloc_symbol(kc, y);
	}
	return NULL;
}

/* (a=b) && (a!=c) with constants b, c: n if b=c, else a=b */
static struct kc_expr *kc_join_eq_uneq(struct kconfig *kc, struct kc_symbol *sym1,
				       struct kc_symbol *b, struct kc_symbol *c, bool *done)
{
	*done = false;
	if (!(c->flags & KC_SYMBOL_CONST) || !(b->flags & KC_SYMBOL_CONST))
		return NULL;
	*done = true;
	return b != c ? kc_expr_alloc_comp(kc, KC_E_EQUAL, sym1, b)
		      : kc_expr_alloc_symbol(kc, &kc->sym_no);
}

static struct kc_expr *kc_xf_join_and(struct kc_xform *xf, struct kc_expr *e1, struct kc_expr *e2)
{
	struct kconfig *kc = xf->kc;
	struct kc_symbol *y = &kc->sym_yes, *m = &kc->sym_mod, *n = &kc->sym_no;
	struct kc_expr *copy, *res;
	bool done;
	struct kc_symbol *sym1 = kc_join_common(xf, e1, e2, &copy);

	if (copy || !sym1)
		return copy;

	/* (a) && (a='y') -> (a='y') */
	if ((e1->type == KC_E_SYMBOL && kc_is_cmp(e2, KC_E_EQUAL, y)) ||
	    (e2->type == KC_E_SYMBOL && kc_is_cmp(e1, KC_E_EQUAL, y)))
		return kc_expr_alloc_comp(kc, KC_E_EQUAL, sym1, y);
	/* (a) && (a!='n') -> (a) */
	if ((e1->type == KC_E_SYMBOL && kc_is_cmp(e2, KC_E_UNEQUAL, n)) ||
	    (e2->type == KC_E_SYMBOL && kc_is_cmp(e1, KC_E_UNEQUAL, n)))
		return kc_expr_alloc_symbol(kc, sym1);
	/* (a) && (a!='m') -> (a='y') */
	if ((e1->type == KC_E_SYMBOL && kc_is_cmp(e2, KC_E_UNEQUAL, m)) ||
	    (e2->type == KC_E_SYMBOL && kc_is_cmp(e1, KC_E_UNEQUAL, m)))
		return kc_expr_alloc_comp(kc, KC_E_EQUAL, sym1, y);

	if (sym1->type == KC_S_TRISTATE) {
		if (e1->type == KC_E_EQUAL && e2->type == KC_E_UNEQUAL) {
			res = kc_join_eq_uneq(kc, sym1, e1->right.sym, e2->right.sym, &done);
			if (done)
				return res;
		}
		if (e1->type == KC_E_UNEQUAL && e2->type == KC_E_EQUAL) {
			res = kc_join_eq_uneq(kc, sym1, e2->right.sym, e1->right.sym, &done);
			if (done)
				return res;
		}
		if (kc_is_cmp_pair(e1, e2, KC_E_UNEQUAL, y, n))
			return kc_expr_alloc_comp(kc, KC_E_EQUAL, sym1, m);
		if (kc_is_cmp_pair(e1, e2, KC_E_UNEQUAL, y, m))
			return kc_expr_alloc_comp(kc, KC_E_EQUAL, sym1, n);
		if (kc_is_cmp_pair(e1, e2, KC_E_UNEQUAL, m, n))
			return kc_expr_alloc_comp(kc, KC_E_EQUAL, sym1, y);
	}
	return NULL;
}

/*
 * Compare leaves of one &&/|| level pairwise and join what can be joined
 * (the joined pair becomes neutral constant + joined expression).
 */
static void kc_xf_dups1(struct kc_xform *xf, enum kc_expr_type type,
			struct kc_expr **ep1, struct kc_expr **ep2)
{
	struct kconfig *kc = xf->kc;
	bool v612 = kc_new_dialect(kc);
	struct kc_expr *tmp, *l, *r;

	if ((*ep1)->type == type) {
		if (v612) {
			l = (*ep1)->left.expr;
			r = (*ep1)->right.expr;
			kc_xf_dups1(xf, type, &l, ep2);
			kc_xf_dups1(xf, type, &r, ep2);
			*ep1 = kc_expr_alloc_two(kc, type, l, r);
		} else {
			kc_xf_dups1(xf, type, &(*ep1)->left.expr, ep2);
			kc_xf_dups1(xf, type, &(*ep1)->right.expr, ep2);
		}
		return;
	}
	if ((*ep2)->type == type) {
		if (v612) {
			l = (*ep2)->left.expr;
			r = (*ep2)->right.expr;
			kc_xf_dups1(xf, type, ep1, &l);
			kc_xf_dups1(xf, type, ep1, &r);
			*ep2 = kc_expr_alloc_two(kc, type, l, r);
		} else {
			kc_xf_dups1(xf, type, ep1, &(*ep2)->left.expr);
			kc_xf_dups1(xf, type, ep1, &(*ep2)->right.expr);
		}
		return;
	}

	if (!v612) {
		if (*ep1 == *ep2)
			return;
		if ((*ep1)->type == KC_E_OR || (*ep1)->type == KC_E_AND)
			kc_xf_dups1(xf, (*ep1)->type, ep1, ep1);
	}

	switch (type) {
	case KC_E_OR:
		tmp = kc_xf_join_or(xf, *ep1, *ep2);
		if (tmp) {
			*ep1 = kc_expr_alloc_symbol(kc, &kc->sym_no);
			*ep2 = tmp;
			xf->trans_count++;
		}
		break;
	case KC_E_AND:
		tmp = kc_xf_join_and(xf, *ep1, *ep2);
		if (tmp) {
			*ep1 = kc_expr_alloc_symbol(kc, &kc->sym_yes);
			*ep2 = tmp;
			xf->trans_count++;
		}
		break;
	default:
		break;
	}
}

/*
 * 6.1's dups1 on one tree, without the recursion: conf's
 * expr_eliminate_dups1(type, &e, &e) visits every ordered pair of the
 * leaves of e's `type` tree (a leaf is a node of another type), leaf of
 * the left walk first.  Joins never give a node of `type` and the nested
 * pass on an and/or leaf never changes the leaf's own node, so the leaf
 * slots are fixed for the whole pass: collect them once, then walk the
 * pairs in conf's order.  Two plain leaves (symbol, comparison, or the
 * negation of one) about different symbols can neither be equal nor
 * join, so such pairs are passed over without the full test; that is
 * most pairs of a long "depends on" chain.
 */
struct kc_slots {
	struct kc_expr ***v;
	size_t n, cap;
	struct kc_expr **inl[64];	/* v until more are needed (not zeroed: only v[0..n) is read) */
};

static bool kc_slots_collect(struct kc_slots *s, enum kc_expr_type type, struct kc_expr **slot)
{
	while ((*slot)->type == type) {
		if (!kc_slots_collect(s, type, &(*slot)->left.expr))
			return false;
		slot = &(*slot)->right.expr;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap * 2;
		struct kc_expr ***v = malloc(cap * sizeof(*v));

		if (!v)
			return false;
		memcpy(v, s->v, s->n * sizeof(*v));
		if (s->v != s->inl)
			free(s->v);
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = slot;
	return true;
}

/* the symbol a plain leaf is about; NULL for and/or and other compound leaves */
static const struct kc_symbol *kc_xf_leaf_key(const struct kc_expr *e)
{
	if (e->type == KC_E_NOT)
		e = e->left.expr;
	switch (e->type) {
	case KC_E_SYMBOL:
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
	case KC_E_LTH:
	case KC_E_LEQ:
	case KC_E_GTH:
	case KC_E_GEQ:
		return e->left.sym;
	default:
		return NULL;
	}
}

static void kc_xf_dups1(struct kc_xform *xf, enum kc_expr_type type,
			struct kc_expr **ep1, struct kc_expr **ep2);

/* join *a and *b if they can be: true if they were (both replaced) */
static bool kc_xf_dups1_join(struct kc_xform *xf, enum kc_expr_type type,
			     struct kc_expr **a, struct kc_expr **b)
{
	struct kconfig *kc = xf->kc;
	struct kc_expr *tmp;

	if (type == KC_E_OR) {
		tmp = kc_xf_join_or(xf, *a, *b);
		if (!tmp)
			return false;
		*a = kc_expr_alloc_symbol(kc, &kc->sym_no);
	} else {
		tmp = kc_xf_join_and(xf, *a, *b);
		if (!tmp)
			return false;
		*a = kc_expr_alloc_symbol(kc, &kc->sym_yes);
	}
	*b = tmp;
	xf->trans_count++;
	return true;
}

/* a leaf of the pass: its slot, the symbol it is about, whether it changed */
struct kc_leaf {
	const struct kc_symbol *key;	/* kc_xf_leaf_key(*slot), kept up to date */
	bool dirty;			/* changed in this pass (a join, or inside) */
};

static void kc_xf_dups1_pairs(struct kc_xform *xf, enum kc_expr_type type,
			      struct kc_expr ***v, struct kc_leaf *leaf, size_t n, size_t nfixed);

/*
 * fixed, if not NULL, is the left operand of *ep (or *ep itself) and a
 * fixed point of this pass: the result of an earlier eliminate_dups, not
 * changed since (finalize.c's parent deps).  Its leaves come first.
 */
static void kc_xf_dups1_61(struct kc_xform *xf, enum kc_expr_type type, struct kc_expr **ep,
			   const struct kc_expr *fixed)
{
	struct kc_slots s;
	struct kc_leaf leaf_inl[64], *leaf = leaf_inl;
	size_t nfixed = 0;
	bool ok;

	s.v = s.inl;
	s.n = 0;
	s.cap = 64;
	if (fixed && *ep == fixed) {
		ok = kc_slots_collect(&s, type, ep);
		nfixed = s.n;
	} else if (fixed && (*ep)->type == type && (*ep)->left.expr == fixed) {
		/* the order of kc_slots_collect(ep): the left operand's leaves, then the right's */
		ok = kc_slots_collect(&s, type, &(*ep)->left.expr);
		nfixed = s.n;
		ok = ok && kc_slots_collect(&s, type, &(*ep)->right.expr);
	} else {
		ok = kc_slots_collect(&s, type, ep);
	}
	if (!ok || (s.n > 64 && !(leaf = malloc(s.n * sizeof(*leaf))))) {
		/* out of memory for the lists: conf's own recursion */
		if (s.v != s.inl)
			free(s.v);
		kc_xf_dups1(xf, type, ep, ep);
		return;
	}
	for (size_t i = 0; i < s.n; i++) {
		leaf[i].key = kc_xf_leaf_key(*s.v[i]);
		leaf[i].dirty = false;
	}
	kc_xf_dups1_pairs(xf, type, s.v, leaf, s.n, nfixed);
	if (leaf != leaf_inl)
		free(leaf);
	if (s.v != s.inl)
		free(s.v);
}

/*
 * The pairs in conf's order.  A join is a function of the two leaves
 * (and the symbols' types), so pairs that cannot change anything are
 * passed over: two plain leaves about different symbols, and two
 * unchanged leaves of the fixed part (the same pair found nothing in the
 * pass that made it).  Compound leaves otherwise always get the full test.
 */
static void kc_xf_dups1_pairs(struct kc_xform *xf, enum kc_expr_type type,
			      struct kc_expr ***v, struct kc_leaf *leaf, size_t n, size_t nfixed)
{
	for (size_t i = 0; i < n; i++) {
		struct kc_expr **a = v[i];
		const struct kc_expr *clean = NULL;

		for (size_t j = 0; j < n; j++) {
			struct kc_expr **b = v[j];

			if (*a == *b)
				continue;
			/*
			 * conf runs the pass on an and/or leaf once per pair.  A
			 * pass that changed nothing changed no node, and only the
			 * pass itself rewrites inside the leaf (a join replaces
			 * the leaf whole): until *a changes, it would find
			 * nothing again; nor would it in an unchanged fixed leaf.
			 */
			if (((*a)->type == KC_E_OR || (*a)->type == KC_E_AND) && *a != clean &&
			    (i >= nfixed || leaf[i].dirty)) {
				int before = xf->trans_count;

				kc_xf_dups1_61(xf, (*a)->type, a, NULL);
				if (xf->trans_count == before)
					clean = *a;
				else
					leaf[i].dirty = true;
			}
			if (leaf[i].key && leaf[j].key && leaf[i].key != leaf[j].key)
				continue;
			if (i < nfixed && j < nfixed && !leaf[i].dirty && !leaf[j].dirty)
				continue;
			if (kc_xf_dups1_join(xf, type, a, b)) {
				leaf[i].key = kc_xf_leaf_key(*a);
				leaf[j].key = kc_xf_leaf_key(*b);
				leaf[i].dirty = leaf[j].dirty = true;
			}
		}
	}
}

/* fixed: see kc_xf_dups1_61(); it holds for the first pass only */
static struct kc_expr *kc_xf_eliminate_dups(struct kc_xform *xf, struct kc_expr *e,
					    const struct kc_expr *fixed)
{
	struct kconfig *kc = xf->kc;
	int oldcount;

	if (!e)
		return e;
	oldcount = xf->trans_count;
	do {
		xf->trans_count = 0;
		if (e->type == KC_E_OR || e->type == KC_E_AND) {
			if (kc_new_dialect(kc)) {
				struct kc_expr *l = kc_xf_eliminate_dups(xf, e->left.expr, NULL);
				struct kc_expr *r = kc_xf_eliminate_dups(xf, e->right.expr, NULL);

				kc_xf_dups1(xf, e->type, &l, &r);
				e = kc_expr_alloc_two(kc, e->type, l, r);
			} else {
				kc_xf_dups1_61(xf, e->type, &e, fixed);
				fixed = NULL;
			}
		}
		/* 6.1 drops y/n operands only after a change, 6.12 always */
		if (!xf->trans_count && !kc_new_dialect(kc))
			break;
		e = kc_expr_eliminate_yn(kc, e);
	} while (xf->trans_count);
	xf->trans_count = oldcount;
	return e;
}

struct kc_expr *kc_expr_eliminate_dups(struct kconfig *kc, struct kc_expr *e)
{
	struct kc_xform xf = { kc, 0 };

	return kc_xf_eliminate_dups(&xf, e, NULL);
}

struct kc_expr *kc_expr_eliminate_dups_fixed(struct kconfig *kc, struct kc_expr *e,
					     const struct kc_expr *fixed)
{
	struct kc_xform xf = { kc, 0 };

	return kc_xf_eliminate_dups(&xf, e, kc_new_dialect(kc) ? NULL : fixed);
}

static void kc_expr_warn_bool_m(struct kconfig *kc, const struct kc_symbol *sym, char forced)
{
	kc_diag(kc, KCONFIG_DIAG_WARNING, NULL, 0,
		"boolean symbol %s tested for 'm'? test forced to '%c'",
		sym->name ? sym->name : "<choice>", forced);
}

/* Bool comparisons with constants, in the shape conf gives them. */
static struct kc_expr *kc_expr_transform_bool_cmp(struct kconfig *kc, struct kc_expr *e)
{
	struct kc_symbol *s = e->left.sym, *c = e->right.sym;
	bool eq = e->type == KC_E_EQUAL;
	bool v612 = kc_new_dialect(kc);
	struct kc_expr *res;

	if (s->type != KC_S_BOOLEAN)
		return e;
	if (c == &kc->sym_mod) {
		kc_expr_warn_bool_m(kc, s, eq ? 'n' : 'y');
		res = eq ? kc_expr_alloc_symbol(kc, &kc->sym_no)
			 : kc_expr_alloc_symbol(kc, &kc->sym_yes);
	} else if ((eq && c == &kc->sym_no) || (!eq && c == &kc->sym_yes)) {
		/* A=n, A!=y -> !A (6.12 conf builds A!=y oddly; we build !A) */
		res = kc_expr_alloc_one(kc, KC_E_NOT, kc_expr_alloc_symbol(kc, s));
	} else if ((eq && c == &kc->sym_yes) || (!eq && c == &kc->sym_no)) {
		res = kc_expr_alloc_symbol(kc, s);	/* A=y, A!=n -> A */
	} else {
		return e;
	}
	if (v612)
		return res;
	*e = *res;	/* 6.1 rewrites the node itself */
	return e;
}

static enum kc_expr_type kc_expr_negate_cmp(enum kc_expr_type t)
{
	switch (t) {
	case KC_E_EQUAL:
		return KC_E_UNEQUAL;
	case KC_E_UNEQUAL:
		return KC_E_EQUAL;
	case KC_E_LEQ:
		return KC_E_GTH;
	case KC_E_GEQ:
		return KC_E_LTH;
	case KC_E_LTH:
		return KC_E_GEQ;
	case KC_E_GTH:
		return KC_E_LEQ;
	default:
		return t;
	}
}

static struct kc_expr *kc_expr_transform_not(struct kconfig *kc, struct kc_expr *e)
{
	struct kc_expr *sub = e->left.expr, *tmp;
	bool v612 = kc_new_dialect(kc);

	switch (sub->type) {
	case KC_E_NOT:
		/* !!a -> a */
		if (v612)
			return sub->left.expr;
		return kc_expr_transform(kc, sub->left.expr);
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
	case KC_E_LEQ:
	case KC_E_GEQ:
	case KC_E_LTH:
	case KC_E_GTH:
		if (v612)
			return kc_expr_alloc_comp(kc, kc_expr_negate_cmp(sub->type),
						  sub->left.sym, sub->right.sym);
		sub->type = kc_expr_negate_cmp(sub->type);
		return sub;
	case KC_E_OR:
	case KC_E_AND:
		/* De Morgan */
		if (v612) {
			struct kc_expr *l = kc_expr_alloc_one(kc, KC_E_NOT, sub->left.expr);
			struct kc_expr *r = kc_expr_alloc_one(kc, KC_E_NOT, sub->right.expr);

			return sub->type == KC_E_OR ? kc_expr_alloc_and(kc, l, r)
						    : kc_expr_alloc_or(kc, l, r);
		}
		tmp = sub;
		e->type = sub->type == KC_E_OR ? KC_E_AND : KC_E_OR;
		e->right.expr = kc_expr_alloc_one(kc, KC_E_NOT, tmp->right.expr);
		tmp->type = KC_E_NOT;
		tmp->right.expr = NULL;
		return kc_expr_transform(kc, e);
	case KC_E_SYMBOL: {
		struct kc_symbol *s = sub->left.sym, *r;

		if (s == &kc->sym_yes)
			r = &kc->sym_no;
		else if (s == &kc->sym_mod)
			r = &kc->sym_mod;
		else if (s == &kc->sym_no)
			r = &kc->sym_yes;
		else
			return e;
		if (v612)
			return kc_expr_alloc_symbol(kc, r);
		sub->left.sym = r;
		return sub;
	}
	default:
		return e;
	}
}

struct kc_expr *kc_expr_transform(struct kconfig *kc, struct kc_expr *e)
{
	if (!e)
		return NULL;
	switch (e->type) {
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
	case KC_E_LTH:
	case KC_E_LEQ:
	case KC_E_GTH:
	case KC_E_GEQ:
	case KC_E_SYMBOL:
	case KC_E_LIST:
		break;
	default:
		if (kc_new_dialect(kc)) {
			e = kc_expr_alloc_two(kc, e->type, kc_expr_transform(kc, e->left.expr),
					      kc_expr_transform(kc, e->right.expr));
		} else {
			e->left.expr = kc_expr_transform(kc, e->left.expr);
			e->right.expr = kc_expr_transform(kc, e->right.expr);
		}
	}
	switch (e->type) {
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
		return kc_expr_transform_bool_cmp(kc, e);
	case KC_E_NOT:
		return kc_expr_transform_not(kc, e);
	default:
		return e;
	}
}

bool kc_expr_contains_symbol(const struct kc_expr *dep, const struct kc_symbol *sym)
{
	if (!dep)
		return false;
	switch (dep->type) {
	case KC_E_AND:
	case KC_E_OR:
		return kc_expr_contains_symbol(dep->left.expr, sym) ||
		       kc_expr_contains_symbol(dep->right.expr, sym);
	case KC_E_SYMBOL:
		return dep->left.sym == sym;
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
	case KC_E_LTH:
	case KC_E_LEQ:
	case KC_E_GTH:
	case KC_E_GEQ:
		return dep->left.sym == sym || dep->right.sym == sym;
	case KC_E_NOT:
		return kc_expr_contains_symbol(dep->left.expr, sym);
	default:
		return false;
	}
}

static bool kc_sym_is_named(const struct kc_symbol *sym, const char *name)
{
	/* only the constants can be called y, m or n: lookups return them */
	return sym->name && !strcmp(sym->name, name);
}

/* Does dep force sym != n?  (and-ed symbol, sym=y, sym=m, sym!=n) */
bool kc_expr_depends_symbol(struct kc_expr *dep, struct kc_symbol *sym)
{
	if (!dep)
		return false;
	switch (dep->type) {
	case KC_E_AND:
		return kc_expr_depends_symbol(dep->left.expr, sym) ||
		       kc_expr_depends_symbol(dep->right.expr, sym);
	case KC_E_SYMBOL:
		return dep->left.sym == sym;
	case KC_E_EQUAL:
		return dep->left.sym == sym && (kc_sym_is_named(dep->right.sym, "y") ||
						kc_sym_is_named(dep->right.sym, "m"));
	case KC_E_UNEQUAL:
		return dep->left.sym == sym && kc_sym_is_named(dep->right.sym, "n");
	default:
		return false;
	}
}

/*
 * Insert explicit comparisons with sym (y or n): A -> A!=n, !A -> A=n,
 * A && B -> !(A=n || B=n) ...  Returns a new expression.
 */
struct kc_expr *kc_expr_trans_compare(struct kconfig *kc, struct kc_expr *e,
				      enum kc_expr_type type, struct kc_symbol *sym)
{
	struct kc_expr *e1, *e2;

	if (!e) {
		e = kc_expr_alloc_symbol(kc, sym);
		if (type == KC_E_UNEQUAL)
			e = kc_expr_alloc_one(kc, KC_E_NOT, e);
		return e;
	}
	switch (e->type) {
	case KC_E_AND:
	case KC_E_OR:
		e1 = kc_expr_trans_compare(kc, e->left.expr, KC_E_EQUAL, sym);
		e2 = kc_expr_trans_compare(kc, e->right.expr, KC_E_EQUAL, sym);
		if (sym == &kc->sym_yes)
			e = kc_expr_alloc_two(kc, e->type, e1, e2);
		if (sym == &kc->sym_no)
			e = kc_expr_alloc_two(kc, e->type == KC_E_AND ? KC_E_OR : KC_E_AND, e1, e2);
		if (type == KC_E_UNEQUAL)
			e = kc_expr_alloc_one(kc, KC_E_NOT, e);
		return e;
	case KC_E_NOT:
		return kc_expr_trans_compare(kc, e->left.expr,
					     type == KC_E_EQUAL ? KC_E_UNEQUAL : KC_E_EQUAL, sym);
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
	case KC_E_LTH:
	case KC_E_LEQ:
	case KC_E_GTH:
	case KC_E_GEQ:
		if (type == KC_E_EQUAL) {
			if (sym == &kc->sym_yes)
				return kc_expr_copy(kc, e);
			if (sym == &kc->sym_mod)
				return kc_expr_alloc_symbol(kc, &kc->sym_no);
			if (sym == &kc->sym_no)
				return kc_expr_alloc_one(kc, KC_E_NOT, kc_expr_copy(kc, e));
		} else {
			if (sym == &kc->sym_yes)
				return kc_expr_alloc_one(kc, KC_E_NOT, kc_expr_copy(kc, e));
			if (sym == &kc->sym_mod)
				return kc_expr_alloc_symbol(kc, &kc->sym_yes);
			if (sym == &kc->sym_no)
				return kc_expr_copy(kc, e);
		}
		return NULL;
	case KC_E_SYMBOL:
		return kc_expr_alloc_comp(kc, type, e->left.sym, sym);
	default:
		return NULL;
	}
}

/* ---- evaluation ---- */

enum kc_strval_kind { KC_K_STRING, KC_K_SIGNED, KC_K_UNSIGNED };

union kc_strval {
	unsigned long long u;
	long long s;
};

/* A value as a number of the symbol's type, the way conf compares. */
static enum kc_strval_kind kc_expr_parse_string(const char *str, enum kc_type type,
						union kc_strval *val)
{
	enum kc_strval_kind kind;
	char *tail;

	errno = 0;
	switch (type) {
	case KC_S_BOOLEAN:
	case KC_S_TRISTATE:
		val->s = !strcmp(str, "n") ? 0 : !strcmp(str, "m") ? 1 : !strcmp(str, "y") ? 2 : -1;
		return KC_K_SIGNED;
	case KC_S_INT:
		val->s = strtoll(str, &tail, 10);
		kind = KC_K_SIGNED;
		break;
	case KC_S_HEX:
		val->u = strtoull(str, &tail, 16);
		kind = KC_K_UNSIGNED;
		break;
	default:
		val->s = strtoll(str, &tail, 0);
		kind = KC_K_SIGNED;
		break;
	}
	return !errno && !*tail && tail > str && isxdigit((unsigned char)tail[-1])
	       ? kind : KC_K_STRING;
}

static kc_tristate kc_expr_calc_compare(struct kconfig *kc, struct kc_expr *e)
{
	struct kc_symbol *ls = e->left.sym, *rs = e->right.sym;
	enum kc_strval_kind k1 = KC_K_STRING, k2 = KC_K_STRING;
	union kc_strval lval = { 0 }, rval = { 0 };
	const char *str1, *str2;
	int res;

	kc_sym_calc_value(kc, ls);
	kc_sym_calc_value(kc, rs);
	str1 = kc_sym_get_string_value(kc, ls);
	str2 = kc_sym_get_string_value(kc, rs);
	if (ls->type != KC_S_STRING || rs->type != KC_S_STRING) {
		k1 = kc_expr_parse_string(str1, ls->type, &lval);
		k2 = kc_expr_parse_string(str2, rs->type, &rval);
	}
	if (k1 == KC_K_STRING || k2 == KC_K_STRING)
		res = strcmp(str1, str2);
	else if (k1 == KC_K_UNSIGNED || k2 == KC_K_UNSIGNED)
		res = (lval.u > rval.u) - (lval.u < rval.u);
	else
		res = (lval.s > rval.s) - (lval.s < rval.s);

	switch (e->type) {
	case KC_E_EQUAL:
		return res ? KC_NO : KC_YES;
	case KC_E_GEQ:
		return res >= 0 ? KC_YES : KC_NO;
	case KC_E_GTH:
		return res > 0 ? KC_YES : KC_NO;
	case KC_E_LEQ:
		return res <= 0 ? KC_YES : KC_NO;
	case KC_E_LTH:
		return res < 0 ? KC_YES : KC_NO;
	case KC_E_UNEQUAL:
		return res ? KC_YES : KC_NO;
	default:
		return KC_NO;
	}
}

static kc_tristate kc_expr_calc_node(struct kconfig *kc, struct kc_expr *e)
{
	kc_tristate v1, v2;

	switch (e->type) {
	case KC_E_SYMBOL:
		kc_sym_calc_value(kc, e->left.sym);
		return e->left.sym->curr.tri;
	case KC_E_AND:
		v1 = kc_expr_calc_value(kc, e->left.expr);
		v2 = kc_expr_calc_value(kc, e->right.expr);
		return KC_EXPR_AND(v1, v2);
	case KC_E_OR:
		v1 = kc_expr_calc_value(kc, e->left.expr);
		v2 = kc_expr_calc_value(kc, e->right.expr);
		return KC_EXPR_OR(v1, v2);
	case KC_E_NOT:
		return KC_EXPR_NOT(kc_expr_calc_value(kc, e->left.expr));
	default:
		if (kc_expr_is_comparison(e->type))
			return kc_expr_calc_compare(kc, e);
		return KC_NO;
	}
}

/*
 * 6.1's evaluation, in one recursion: its trees are not shared, so every
 * node is visited (a prompt's condition repeats all its parents' deps)
 * and this is the innermost loop of conf_read and conf_write.  Same order
 * of visits and of symbol calculations as kc_expr_calc_node().
 */
static kc_tristate kc_expr_calc_61(struct kconfig *kc, struct kc_expr *e)
{
	struct kc_symbol *sym;
	kc_tristate v1, v2;

	if (!e)
		return KC_YES;
	switch (e->type) {
	case KC_E_SYMBOL:
		sym = e->left.sym;
		if (!(sym->flags & KC_SYMBOL_VALID))
			kc_sym_calc_value(kc, sym);
		return sym->curr.tri;
	case KC_E_AND:
		v1 = kc_expr_calc_61(kc, e->left.expr);
		v2 = kc_expr_calc_61(kc, e->right.expr);
		return KC_EXPR_AND(v1, v2);
	case KC_E_OR:
		v1 = kc_expr_calc_61(kc, e->left.expr);
		v2 = kc_expr_calc_61(kc, e->right.expr);
		return KC_EXPR_OR(v1, v2);
	case KC_E_NOT:
		return KC_EXPR_NOT(kc_expr_calc_61(kc, e->left.expr));
	default:
		if (kc_expr_is_comparison(e->type))
			return kc_expr_calc_compare(kc, e);
		return KC_NO;
	}
}

kc_tristate kc_expr_calc_value(struct kconfig *kc, struct kc_expr *e)
{
	if (!e)
		return KC_YES;
	if (!kc_new_dialect(kc))
		return kc_expr_calc_61(kc, e);
	/* 6.12 caches each (unique) node's value until kc_expr_invalidate_all() */
	if (!kc->expr_gen)
		kc->expr_gen = 1;	/* 0 marks nodes never evaluated */
	if (e->val_gen != kc->expr_gen) {
		e->val = kc_expr_calc_node(kc, e);
		e->val_gen = kc->expr_gen;
	}
	return e->val;
}

void kc_expr_invalidate_all(struct kconfig *kc)
{
	kc->expr_gen++;
	if (!kc->expr_gen)
		kc->expr_gen = 1;	/* 0 marks fresh nodes */
}

/* ---- printing ---- */

struct kc_buf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void kc_buf_add(struct kc_buf *b, const char *str)
{
	size_t n = strlen(str);

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, str, n + 1);
	b->len += n;
}

/* Should a sub-expression of type t2 inside t1 be parenthesised? (conf's order) */
static bool kc_expr_needs_parens(enum kc_expr_type t1, enum kc_expr_type t2)
{
	if (t1 == t2)
		return false;
	switch (t1) {
	case KC_E_LEQ:
	case KC_E_LTH:
	case KC_E_GEQ:
	case KC_E_GTH:
		if (t2 == KC_E_EQUAL || t2 == KC_E_UNEQUAL)
			return true;
		/* fallthrough */
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
		if (t2 == KC_E_NOT)
			return true;
		/* fallthrough */
	case KC_E_NOT:
		if (t2 == KC_E_AND)
			return true;
		/* fallthrough */
	case KC_E_AND:
		if (t2 == KC_E_OR)
			return true;
		/* fallthrough */
	case KC_E_OR:
		if (t2 == KC_E_LIST)
			return true;
		/* fallthrough */
	case KC_E_LIST:
		if (t2 == KC_E_NONE)
			return true;
		/* fallthrough */
	default:
		return false;
	}
}

struct kc_printer {
	struct kconfig *kc;	/* non-NULL: annotate symbols with " [=value]" */
	struct kc_buf buf;
};

static void kc_print_sym(struct kc_printer *p, struct kc_symbol *sym, const char *text)
{
	kc_buf_add(&p->buf, text);
	if (p->kc && sym && sym->type != KC_S_UNKNOWN) {
		kc_buf_add(&p->buf, " [=");
		kc_buf_add(&p->buf, kc_sym_get_string_value(p->kc, sym));
		kc_buf_add(&p->buf, "]");
	}
}

static void kc_print_name(struct kc_printer *p, struct kc_symbol *sym)
{
	if (sym->name)
		kc_print_sym(p, sym, sym->name);
	else
		kc_buf_add(&p->buf, "<choice>");
}

static void kc_expr_print(struct kc_printer *p, const struct kc_expr *e, enum kc_expr_type prev)
{
	static const char *const ops[] = {
		[KC_E_EQUAL] = "=", [KC_E_UNEQUAL] = "!=", [KC_E_LTH] = "<",
		[KC_E_LEQ] = "<=", [KC_E_GTH] = ">", [KC_E_GEQ] = ">=",
	};
	bool parens;

	if (!e) {
		kc_buf_add(&p->buf, "y");
		return;
	}
	parens = kc_expr_needs_parens(prev, e->type);
	if (parens)
		kc_buf_add(&p->buf, "(");
	switch (e->type) {
	case KC_E_SYMBOL:
		kc_print_name(p, e->left.sym);
		break;
	case KC_E_NOT:
		kc_buf_add(&p->buf, "!");
		kc_expr_print(p, e->left.expr, KC_E_NOT);
		break;
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
	case KC_E_LTH:
	case KC_E_LEQ:
	case KC_E_GTH:
	case KC_E_GEQ:
		kc_print_name(p, e->left.sym);
		kc_buf_add(&p->buf, ops[e->type]);
		kc_print_sym(p, e->right.sym, e->right.sym->name);
		break;
	case KC_E_OR:
	case KC_E_AND:
		kc_expr_print(p, e->left.expr, e->type);
		kc_buf_add(&p->buf, e->type == KC_E_OR ? " || " : " && ");
		kc_expr_print(p, e->right.expr, e->type);
		break;
	case KC_E_LIST:
		kc_print_sym(p, e->right.sym, e->right.sym->name);
		if (e->left.expr) {
			kc_buf_add(&p->buf, " ^ ");
			kc_expr_print(p, e->left.expr, KC_E_LIST);
		}
		break;
	case KC_E_RANGE:
		kc_buf_add(&p->buf, "[");
		kc_print_sym(p, e->left.sym, e->left.sym->name);
		kc_buf_add(&p->buf, " ");
		kc_print_sym(p, e->right.sym, e->right.sym->name);
		kc_buf_add(&p->buf, "]");
		break;
	default: {
		char tmp[32];

		snprintf(tmp, sizeof(tmp), "<unknown type %d>", (int)e->type);
		kc_buf_add(&p->buf, tmp);
		break;
	}
	}
	if (parens)
		kc_buf_add(&p->buf, ")");
}

static char *kc_printer_finish(struct kc_printer *p)
{
	if (p->buf.oom) {
		free(p->buf.s);
		return NULL;
	}
	if (!p->buf.s)
		kc_buf_add(&p->buf, "");
	return p->buf.oom ? NULL : p->buf.s;
}

char *kc_expr_to_string(const struct kc_expr *e)
{
	struct kc_printer p = { NULL, { NULL, 0, 0, false } };

	kc_expr_print(&p, e, KC_E_NONE);
	return kc_printer_finish(&p);
}

char *kc_expr_to_string_values(struct kconfig *kc, const struct kc_expr *e)
{
	struct kc_printer p = { kc, { NULL, 0, 0, false } };

	kc_expr_print(&p, e, KC_E_NONE);
	return kc_printer_finish(&p);
}

/* Top-level || operands evaluating to pr_type, one "  - expr" line each. */
static void kc_expr_print_revdep(struct kc_printer *p, struct kc_expr *e,
				 kc_tristate pr_type, const char **title)
{
	if (e->type == KC_E_OR) {
		kc_expr_print_revdep(p, e->left.expr, pr_type, title);
		kc_expr_print_revdep(p, e->right.expr, pr_type, title);
	} else if (kc_expr_calc_value(p->kc, e) == pr_type) {
		if (*title) {
			kc_buf_add(&p->buf, *title);
			*title = NULL;
		}
		kc_buf_add(&p->buf, "  - ");
		kc_expr_print(p, e, KC_E_NONE);
		kc_buf_add(&p->buf, "\n");
	}
}

char *kc_expr_revdep_to_string(struct kconfig *kc, struct kc_expr *e, kc_tristate pr_type,
			       const char *title)
{
	struct kc_printer p = { kc, { NULL, 0, 0, false } };

	if (e)
		kc_expr_print_revdep(&p, e, pr_type, &title);
	return kc_printer_finish(&p);
}
