/*
 * solve.c - make requirements hold with as few changes as possible.
 *
 * Users say "USB"; Kconfig wants USB_SUPPORT first, and for Wi-Fi NET,
 * WIRELESS and NETDEVICES.  This file walks the dependency expressions of
 * the engine's model backwards from each requirement and changes user
 * values (what a .config line says) until the requirement holds:
 *
 *   on(S)      S's `depends on` and prompt condition must hold, then S=y;
 *              or a selector of S goes on; or, for a symbol without a
 *              prompt, a default or an imply that gives it a value.
 *   off(S)     every selector of S goes off, then S=n if it has a prompt;
 *              else its prompt is made visible (EXPERT) or its
 *              dependencies go off.
 *   ge(E, v)   an expression reaches v: && needs both sides, || takes the
 *              cheapest operand, ! turns into off, comparisons set values.
 *   le(E, v)   the mirror image.
 *
 * Where there is a choice of ways (an ||, prompt versus select) every way
 * is tried on a snapshot of the user values and the one that changes the
 * fewest symbol values wins; trials that break a requirement already held
 * are refused.  After all requirements hold, every value the solver set is
 * put back to its base value in turn, and stays there if the requirements
 * still hold: the result changes the base minimally in that sense.
 *
 * Workload: a few requirements against a tree of ~20,000 symbols.  A trial
 * costs a recalculation of the values it touches (values are lazy), and a
 * cost count walks every symbol once; dependency chains are short, so a
 * solve of USB, Wi-Fi, SPI and I2C takes a few hundred trials.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kconfig/solve.h"

#define SOLVE_MAX_STEPS 200000	/* user-value assignments, trials included */

struct saved_user {
	unsigned int has_user;	/* KC_SYMBOL_DEF_USER bit of flags */
	struct kc_symbol_value user;
};

struct snapshot {
	struct saved_user *v;	/* one per kc->syms entry */
	size_t nset;		/* length of solver->set at the time */
};

struct solver {
	struct kconfig *kc;
	const struct kconfig_requirement *reqs;
	size_t nreqs;
	unsigned int max_depth;
	unsigned int steps;
	bool over_budget;		/* SOLVE_MAX_STEPS reached: give up */
	size_t remaining;		/* assignments the current trial may still make */
	bool out_of_trial_budget;	/* the current trial hit `remaining` */

	signed char *required;		/* per symbol id: -1 none, else the kc_tristate required */
	bool *held;			/* per requirement: held and must stay held */
	unsigned char *walking;		/* per symbol id: on the current walk (cycle guard) */

	struct kc_symbol **set;		/* symbols whose user value the solver set, in order */
	size_t nset, capset;

	char why[1024];			/* why the last attempt failed */
};

/* ---- failure messages ---- */

static int fail(struct solver *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct solver *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* Put "prefix" in front of the current reason: "A needs B: B has no prompt". */
static int fail_prefix(struct solver *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail_prefix(struct solver *s, const char *fmt, ...)
{
	char prefix[512], old[sizeof(s->why)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, s->why, sizeof(old));
	size_t n = strlen(prefix);
	if (n >= sizeof(s->why))
		n = sizeof(s->why) - 1;
	memcpy(s->why, prefix, n);
	s->why[n] = '\0';
	if (old[0] && n + 2 < sizeof(s->why)) {
		memcpy(s->why + n, ", ", 2);
		size_t room = sizeof(s->why) - n - 3;
		size_t m = strlen(old) < room ? strlen(old) : room;
		memcpy(s->why + n + 2, old, m);
		s->why[n + 2 + m] = '\0';
	}
	return -1;
}

static const char *name_of(const struct kc_symbol *sym)
{
	return sym->name ? sym->name : "<choice>";
}

static const char *tri_name(kc_tristate t)
{
	return t == KC_YES ? "y" : t == KC_MOD ? "m" : "n";
}

/* ---- values ---- */

static kc_tristate tri_of(struct solver *s, struct kc_symbol *sym)
{
	kc_sym_calc_value(s->kc, sym);
	return kc_sym_get_tristate_value(sym);
}

static kc_tristate expr_val(struct solver *s, struct kc_expr *e)
{
	return e ? kc_expr_calc_value(s->kc, e) : KC_YES;
}

static bool is_tristate_const(const struct kconfig *kc, const struct kc_symbol *sym)
{
	return sym == &kc->sym_yes || sym == &kc->sym_mod || sym == &kc->sym_no;
}

static bool is_bool_like(struct solver *s, struct kc_symbol *sym)
{
	enum kc_type t = kc_sym_get_type(s->kc, sym);
	return t == KC_S_BOOLEAN || t == KC_S_TRISTATE;
}

static bool req_holds(struct solver *s, const struct kconfig_requirement *r)
{
	struct kc_symbol *sym = kc_sym_find(s->kc, r->symbol);
	if (!sym)
		return false;
	kc_tristate t = tri_of(s, sym);
	switch (r->value) {
	case KCONFIG_YES: return t == KC_YES;
	case KCONFIG_MOD: return t >= KC_MOD;
	default: return t == KC_NO;
	}
}

/* The first held requirement that no longer holds, or NULL. */
static const struct kconfig_requirement *broken_req(struct solver *s)
{
	for (size_t i = 0; i < s->nreqs; i++)
		if (s->held[i] && !req_holds(s, &s->reqs[i]))
			return &s->reqs[i];
	return NULL;
}

/* ---- snapshots of user values ---- */

static int snapshot_take(struct solver *s, struct snapshot *snap)
{
	struct kconfig *kc = s->kc;

	snap->v = malloc((kc->nsyms + 1) * sizeof(*snap->v));
	if (!snap->v)
		return -1;
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kc_symbol *sym = kc->syms[i];
		snap->v[i].has_user = sym->flags & KC_SYMBOL_DEF_USER;
		snap->v[i].user = sym->def[KC_DEF_USER];
	}
	snap->nset = s->nset;
	return 0;
}

static void snapshot_restore(struct solver *s, const struct snapshot *snap)
{
	struct kconfig *kc = s->kc;

	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kc_symbol *sym = kc->syms[i];
		sym->flags = (sym->flags & ~KC_SYMBOL_DEF_USER) | snap->v[i].has_user;
		sym->def[KC_DEF_USER] = snap->v[i].user;
	}
	s->nset = snap->nset;
	kc_sym_clear_all_valid(kc);
}

static void snapshot_free(struct snapshot *snap)
{
	free(snap->v);
	snap->v = NULL;
}

/* ---- assignments ---- */

static void note_set(struct solver *s, struct kc_symbol *sym)
{
	for (size_t i = 0; i < s->nset; i++)
		if (s->set[i] == sym)
			return;
	if (s->nset == s->capset) {
		size_t cap = s->capset ? s->capset * 2 : 64;
		struct kc_symbol **v = realloc(s->set, cap * sizeof(*v));
		if (!v)
			return;	/* only minimisation loses this entry */
		s->set = v;
		s->capset = cap;
	}
	s->set[s->nset++] = sym;
}

/* Set the user value of sym, as a .config line would. */
static int set_user(struct solver *s, struct kc_symbol *sym, kc_tristate val)
{
	if (++s->steps > SOLVE_MAX_STEPS) {
		s->over_budget = true;
		return fail(s, "the search gave up after %u assignments", SOLVE_MAX_STEPS);
	}
	if (!s->remaining) {
		s->out_of_trial_budget = true;
		return -1;
	}
	if (kc_sym_get_type(s->kc, sym) == KC_S_BOOLEAN && val == KC_MOD)
		val = KC_YES;
	int req = s->required[sym->id];
	if (req >= 0 && ((req == KC_NO && val != KC_NO) || (req != KC_NO && (int)val < req)))
		return fail(s, "'%s' is required to be %s", name_of(sym), tri_name((kc_tristate)req));
	if (kc_sym_is_choice_value(sym)) {
		/* A member is switched the way a front end does it, so the
		 * choice's own value follows. */
		if (!kc_sym_set_tristate_value(s->kc, sym, val))
			return fail(s, "choice member '%s' cannot be set to %s", name_of(sym),
				    tri_name(val));
	} else {
		sym->def[KC_DEF_USER].tri = val;
		sym->flags |= KC_SYMBOL_DEF_USER;
		kc_sym_clear_all_valid(s->kc);
	}
	note_set(s, sym);
	s->remaining--;
	return 0;
}

/* ---- alternatives ---- */

enum alt_kind { ALT_GE, ALT_LE, ALT_PROMPT, ALT_SELECT, ALT_DEFAULT, ALT_HIDE, ALT_REVEAL,
		ALT_OTHER_MEMBER };

struct alt {
	enum alt_kind kind;
	struct kc_expr *e;
	struct kc_symbol *sym;
	struct kc_property *prop;
	kc_tristate v;
};

static int need_ge(struct solver *s, struct kc_expr *e, kc_tristate want, unsigned int depth);
static int need_le(struct solver *s, struct kc_expr *e, kc_tristate max, unsigned int depth);
static int run_alt(struct solver *s, const struct alt *a, unsigned int depth);

/*
 * Run the alternative that needs the fewest assignments.  Each is tried on
 * a snapshot with a budget of one less than the best so far (branch and
 * bound: a trial stops as soon as it cannot win), then the winner is
 * replayed; the walk is deterministic.  Ties go to the earlier way, and
 * ways are listed cheapest-first by nature (a prompt before a selector).
 */
static int choose(struct solver *s, const struct alt *alts, size_t n, unsigned int depth)
{
	struct snapshot base;
	size_t best = n, best_cost = 0;
	size_t start = s->remaining;
	char first_why[sizeof(s->why)] = "";

	if (n == 1)
		return run_alt(s, &alts[0], depth);
	if (n == 0)
		return -1;
	if (snapshot_take(s, &base))
		return fail(s, "out of memory");
	for (size_t i = 0; i < n && !s->over_budget; i++) {
		size_t allowed = best < n ? (best_cost ? best_cost - 1 : 0) : start;
		if (best < n && !best_cost)
			break;	/* nothing beats a way that needs no assignment */
		s->remaining = allowed;
		s->why[0] = '\0';
		int rc = run_alt(s, &alts[i], depth);
		const struct kconfig_requirement *broken = rc ? NULL : broken_req(s);
		if (!rc && !broken) {
			best = i;
			best_cost = allowed - s->remaining;
		} else if (!first_why[0] && !s->out_of_trial_budget) {
			if (broken)
				fail(s, "that would break requirement '%s'", broken->symbol);
			memcpy(first_why, s->why, sizeof(first_why));
		}
		s->out_of_trial_budget = false;
		snapshot_restore(s, &base);
	}
	snapshot_free(&base);
	s->remaining = start;
	if (best == n) {
		memcpy(s->why, first_why[0] ? first_why : s->why, sizeof(s->why));
		return -1;
	}
	return run_alt(s, &alts[best], depth);
}

/* Collect the operands of a chain of the same operator (a || b || c). */
static size_t flatten(struct kc_expr *e, enum kc_expr_type op, struct kc_expr **out, size_t max,
		      size_t n)
{
	if (e->type == op) {
		n = flatten(e->left.expr, op, out, max, n);
		return flatten(e->right.expr, op, out, max, n);
	}
	if (n < max)
		out[n] = e;
	return n + 1;
}

#define MAX_OPERANDS 64

/* Try each operand of an ||-chain (ge) or &&-chain (le) as a way. */
static int choose_operand(struct solver *s, struct kc_expr *e, enum kc_expr_type op,
			  enum alt_kind kind, kc_tristate v, unsigned int depth)
{
	struct kc_expr *ops[MAX_OPERANDS];
	struct alt alts[MAX_OPERANDS];
	size_t n = flatten(e, op, ops, MAX_OPERANDS, 0);

	if (n > MAX_OPERANDS)
		n = MAX_OPERANDS;
	for (size_t i = 0; i < n; i++)
		alts[i] = (struct alt){ .kind = kind, .e = ops[i], .v = v };
	return choose(s, alts, n, depth);
}

/* ---- symbols ---- */

/* The first prompt (P_PROMPT, or P_MENU for a menuconfig), as conf's for_all_prompts. */
static struct kc_property *prompt_of(struct kc_symbol *sym)
{
	for (struct kc_property *p = sym->prop; p; p = p->next)
		if (p->text)
			return p;
	return NULL;
}

static kc_tristate clamp_want(struct solver *s, struct kc_symbol *sym, kc_tristate want)
{
	return kc_sym_get_type(s->kc, sym) == KC_S_BOOLEAN && want == KC_MOD ? KC_YES : want;
}

static int sym_on(struct solver *s, struct kc_symbol *sym, kc_tristate want, unsigned int depth)
{
	struct alt alts[8];
	size_t n = 0;

	if (!sym->prop && !(sym->flags & KC_SYMBOL_CONST))
		return fail(s, "'%s' is not defined for this architecture", name_of(sym));
	if (!is_bool_like(s, sym) && !(sym->flags & KC_SYMBOL_CONST))
		return fail(s, "'%s' is not a bool or tristate", name_of(sym));
	want = clamp_want(s, sym, want);
	if (tri_of(s, sym) >= want)
		return 0;
	if (sym->flags & KC_SYMBOL_CONST)
		return fail(s, "'%s' is a constant", name_of(sym));
	if (depth > s->max_depth)
		return fail(s, "dependency chain deeper than %u at '%s'", s->max_depth, name_of(sym));
	if (s->walking[sym->id])
		return fail(s, "'%s' depends on itself", name_of(sym));
	s->walking[sym->id] = 1;

	struct kc_property *prompt = prompt_of(sym);
	if (prompt)
		alts[n++] = (struct alt){ .kind = ALT_PROMPT, .sym = sym, .prop = prompt, .v = want };
	if (sym->rev_dep.expr)
		alts[n++] = (struct alt){ .kind = ALT_SELECT, .sym = sym, .v = want };
	if (!prompt || (kc_sym_get_type(s->kc, sym) != KC_S_BOOLEAN &&
			kc_sym_get_type(s->kc, sym) != KC_S_TRISTATE)) {
		for (struct kc_property *p = sym->prop; p && n < 7; p = p->next)
			if (p->type == KC_P_DEFAULT)
				alts[n++] = (struct alt){ .kind = ALT_DEFAULT, .sym = sym, .prop = p,
							  .v = want };
		if (sym->implied.expr && n < 8)
			alts[n++] = (struct alt){ .kind = ALT_GE, .e = sym->implied.expr, .v = want };
	}
	int rc;
	if (!n)
		rc = fail(s, "'%s' has no prompt, no default and nothing selects it", name_of(sym));
	else
		rc = choose(s, alts, n, depth + 1);
	s->walking[sym->id] = 0;
	if (!rc && tri_of(s, sym) < want)
		rc = fail(s, "'%s' stays %s", name_of(sym), tri_name(tri_of(s, sym)));
	return rc;
}

static int sym_off(struct solver *s, struct kc_symbol *sym, kc_tristate max, unsigned int depth)
{
	struct alt alts[MAX_OPERANDS];
	size_t n = 0;

	if (tri_of(s, sym) <= max)
		return 0;
	if ((sym->flags & KC_SYMBOL_CONST) || !is_bool_like(s, sym))
		return fail(s, "'%s' cannot be turned off", name_of(sym));
	if (depth > s->max_depth)
		return fail(s, "dependency chain deeper than %u at '%s'", s->max_depth, name_of(sym));
	if (s->walking[sym->id])
		return fail(s, "'%s' depends on itself", name_of(sym));
	s->walking[sym->id] = 1;

	struct kc_property *prompt = prompt_of(sym);
	if (prompt)
		alts[n++] = (struct alt){ .kind = ALT_HIDE, .sym = sym, .prop = prompt, .v = max };
	if (sym->dir_dep.expr)
		alts[n++] = (struct alt){ .kind = ALT_LE, .e = sym->dir_dep.expr, .v = max };
	if (kc_sym_is_choice_value(sym) && max == KC_NO) {
		struct kc_property *cp = kc_sym_get_choice_prop(sym);
		struct kc_expr *l = cp ? cp->expr : NULL;
		for (; l && n < MAX_OPERANDS; l = l->left.expr)
			if (l->right.sym != sym)
				alts[n++] = (struct alt){ .kind = ALT_OTHER_MEMBER, .sym = l->right.sym,
							  .v = KC_YES };
	}
	if (!prompt && !sym->dir_dep.expr && n < MAX_OPERANDS)
		alts[n++] = (struct alt){ .kind = ALT_REVEAL, .sym = sym, .v = max };
	int rc = choose(s, alts, n, depth + 1);
	s->walking[sym->id] = 0;
	if (!rc && tri_of(s, sym) > max)
		rc = fail(s, "'%s' stays %s", name_of(sym), tri_name(tri_of(s, sym)));
	return rc;
}

/* Route: make the prompt visible, then set the value. */
static int alt_prompt(struct solver *s, const struct alt *a, unsigned int depth)
{
	struct kc_symbol *sym = a->sym;

	if (need_ge(s, sym->dir_dep.expr, a->v, depth) < 0) {
		char *dep = kc_expr_to_string(sym->dir_dep.expr);
		fail_prefix(s, "'%s' depends on '%s'", name_of(sym), dep ? dep : "?");
		free(dep);
		return -1;
	}
	if (need_ge(s, a->prop->visible.expr, a->v, depth) < 0)
		return fail_prefix(s, "the prompt of '%s' is hidden", name_of(sym));
	return set_user(s, sym, a->v);
}

/* Route: a selector of the symbol goes on. */
static int alt_select(struct solver *s, const struct alt *a, unsigned int depth)
{
	if (need_ge(s, a->sym->rev_dep.expr, a->v, depth) < 0)
		return fail_prefix(s, "no selector of '%s' can be enabled", name_of(a->sym));
	return 0;
}

/* Route: a default of an invisible symbol gives it the value. */
static int alt_default(struct solver *s, const struct alt *a, unsigned int depth)
{
	if (need_ge(s, a->sym->dir_dep.expr, a->v, depth) < 0 ||
	    need_ge(s, a->prop->visible.expr, KC_MOD, depth) < 0 ||
	    need_ge(s, a->prop->expr, a->v, depth) < 0) {
		char *def = kc_expr_to_string(a->prop->expr);
		fail(s, "'%s' has no prompt, nothing selects it and its default '%s' cannot "
		     "become %s", name_of(a->sym), def ? def : "?", tri_name(a->v));
		free(def);
		return -1;
	}
	return 0;
}

/* Route: turn a visible symbol off, after its selectors. */
static int alt_hide(struct solver *s, const struct alt *a, unsigned int depth)
{
	struct kc_symbol *sym = a->sym;

	if (need_le(s, sym->rev_dep.expr, a->v, depth) < 0)
		return fail_prefix(s, "'%s' is selected", name_of(sym));
	if (tri_of(s, sym) <= a->v)
		return 0;
	/* the prompt must be visible for the user value to count (EXPERT) */
	if (need_ge(s, a->prop->visible.expr, KC_YES, depth) < 0)
		return fail_prefix(s, "'%s' cannot be made visible", name_of(sym));
	return set_user(s, sym, a->v);
}

/* Route for a symbol without prompt: its selectors off, then hope the default follows. */
static int alt_reveal(struct solver *s, const struct alt *a, unsigned int depth)
{
	if (need_le(s, a->sym->rev_dep.expr, a->v, depth) < 0)
		return -1;
	if (tri_of(s, a->sym) > a->v)
		return fail(s, "'%s' has no prompt and defaults to %s", name_of(a->sym),
			    tri_name(tri_of(s, a->sym)));
	return 0;
}

static int run_alt(struct solver *s, const struct alt *a, unsigned int depth)
{
	switch (a->kind) {
	case ALT_GE: return need_ge(s, a->e, a->v, depth);
	case ALT_LE: return need_le(s, a->e, a->v, depth);
	case ALT_PROMPT: return alt_prompt(s, a, depth);
	case ALT_SELECT: return alt_select(s, a, depth);
	case ALT_DEFAULT: return alt_default(s, a, depth);
	case ALT_HIDE: return alt_hide(s, a, depth);
	case ALT_REVEAL: return alt_reveal(s, a, depth);
	case ALT_OTHER_MEMBER: return sym_on(s, a->sym, KC_YES, depth);
	}
	return -1;
}

/* ---- expressions ---- */

/* a = b or a != b where b is a tristate constant: which tristate range of a is wanted. */
static int compare_tristate(struct solver *s, struct kc_symbol *a, struct kc_symbol *b,
			    bool equal, unsigned int depth)
{
	kc_tristate target = b == &s->kc->sym_yes ? KC_YES : b == &s->kc->sym_mod ? KC_MOD : KC_NO;

	if (equal) {
		if (target == KC_NO)
			return sym_off(s, a, KC_NO, depth);
		if (sym_on(s, a, target, depth) < 0)
			return -1;
		return target == KC_MOD ? sym_off(s, a, KC_MOD, depth) : 0;
	}
	if (target == KC_NO)
		return sym_on(s, a, KC_MOD, depth);
	if (target == KC_YES)
		return sym_off(s, a, KC_MOD, depth);
	return tri_of(s, a) == KC_MOD ? sym_on(s, a, KC_YES, depth) : 0;
}

static int compare(struct solver *s, struct kc_expr *e, bool want_true, unsigned int depth)
{
	struct kc_symbol *a = e->left.sym, *b = e->right.sym;
	bool equal;

	if (e->type == KC_E_EQUAL)
		equal = want_true;
	else if (e->type == KC_E_UNEQUAL)
		equal = !want_true;
	else
		return fail(s, "cannot satisfy the comparison '%s %s'", name_of(a), name_of(b));
	if (is_tristate_const(s->kc, a) && !is_tristate_const(s->kc, b)) {
		struct kc_symbol *t = a;
		a = b;
		b = t;
	}
	if (is_tristate_const(s->kc, b) && is_bool_like(s, a))
		return compare_tristate(s, a, b, equal, depth);
	return fail(s, "cannot satisfy '%s %s %s'", name_of(a), equal ? "=" : "!=", name_of(b));
}

static int need_ge(struct solver *s, struct kc_expr *e, kc_tristate want, unsigned int depth)
{
	if (expr_val(s, e) >= want)
		return 0;
	if (s->over_budget)
		return -1;
	switch (e->type) {
	case KC_E_SYMBOL:
		return sym_on(s, e->left.sym, want, depth);
	case KC_E_AND:
		for (int round = 0; round < 4 && expr_val(s, e) < want; round++) {
			if (need_ge(s, e->left.expr, want, depth) < 0 ||
			    need_ge(s, e->right.expr, want, depth) < 0)
				return -1;
		}
		break;
	case KC_E_OR:
		return choose_operand(s, e, KC_E_OR, ALT_GE, want, depth);
	case KC_E_NOT:
		return need_le(s, e->left.expr, KC_EXPR_NOT(want), depth);
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
	case KC_E_LTH:
	case KC_E_LEQ:
	case KC_E_GTH:
	case KC_E_GEQ:
		return compare(s, e, true, depth);
	default:
		return fail(s, "unexpected expression");
	}
	return expr_val(s, e) >= want ? 0 : fail(s, "dependencies keep undoing each other");
}

/* e NULL: an absent rev_dep (no selector), which is n. */
static int need_le(struct solver *s, struct kc_expr *e, kc_tristate max, unsigned int depth)
{
	if (!e)
		return 0;
	if (expr_val(s, e) <= max)
		return 0;
	if (s->over_budget)
		return -1;
	switch (e->type) {
	case KC_E_SYMBOL:
		return sym_off(s, e->left.sym, max, depth);
	case KC_E_OR:
		for (int round = 0; round < 4 && expr_val(s, e) > max; round++) {
			if (need_le(s, e->left.expr, max, depth) < 0 ||
			    need_le(s, e->right.expr, max, depth) < 0)
				return -1;
		}
		break;
	case KC_E_AND:
		return choose_operand(s, e, KC_E_AND, ALT_LE, max, depth);
	case KC_E_NOT:
		return need_ge(s, e->left.expr, KC_EXPR_NOT(max), depth);
	case KC_E_EQUAL:
	case KC_E_UNEQUAL:
	case KC_E_LTH:
	case KC_E_LEQ:
	case KC_E_GTH:
	case KC_E_GEQ:
		return compare(s, e, false, depth);
	default:
		return fail(s, "unexpected expression");
	}
	return expr_val(s, e) <= max ? 0 : fail(s, "dependencies keep undoing each other");
}

/* ---- the driver ---- */

static const char *req_text(const struct kconfig_requirement *r, char *buf, size_t len)
{
	if (r->value == KCONFIG_YES)
		snprintf(buf, len, "%s", r->symbol);
	else
		snprintf(buf, len, "%s=%s", r->symbol, tri_name((kc_tristate)r->value));
	return buf;
}

static int solve_one(struct solver *s, size_t i)
{
	const struct kconfig_requirement *r = &s->reqs[i];
	struct kc_symbol *sym = kc_sym_find(s->kc, r->symbol);
	char text[160];
	int rc;

	s->why[0] = '\0';
	if (!sym || !sym->prop)
		return kc_error(s->kc, KCONFIG_ENOENT, "unknown symbol '%s'", r->symbol);
	if (r->value == KCONFIG_NO)
		rc = sym_off(s, sym, KC_NO, 0);
	else
		rc = sym_on(s, sym, (kc_tristate)r->value, 0);
	const struct kconfig_requirement *broken = rc ? NULL : broken_req(s);
	if (!rc && !broken && req_holds(s, r)) {
		s->held[i] = true;
		return 0;
	}
	req_text(r, text, sizeof(text));
	if (broken)
		return kc_error(s->kc, KCONFIG_EINVAL,
				"requirement '%s' contradicts requirement '%s'", text,
				broken->symbol);
	return kc_error(s->kc, KCONFIG_EINVAL, "requirement '%s' cannot hold: %s", text,
			s->why[0] ? s->why : "its value does not follow");
}

static bool all_hold(struct solver *s)
{
	for (size_t i = 0; i < s->nreqs; i++)
		if (!req_holds(s, &s->reqs[i]))
			return false;
	return true;
}

/* Put each set value back to its base value if the requirements still hold. */
static void minimise(struct solver *s, const struct snapshot *base)
{
	bool progress = true;

	while (progress) {
		progress = false;
		for (size_t k = s->nset; k-- > 0;) {
			struct kc_symbol *sym = s->set[k];
			const struct saved_user *b = &base->v[sym->id];
			struct saved_user now = { sym->flags & KC_SYMBOL_DEF_USER, sym->def[KC_DEF_USER] };

			if (now.has_user == b->has_user && now.user.tri == b->user.tri &&
			    now.user.val == b->user.val)
				continue;
			sym->flags = (sym->flags & ~KC_SYMBOL_DEF_USER) | b->has_user;
			sym->def[KC_DEF_USER] = b->user;
			kc_sym_clear_all_valid(s->kc);
			if (all_hold(s)) {
				memmove(&s->set[k], &s->set[k + 1], (s->nset - k - 1) * sizeof(*s->set));
				s->nset--;
				progress = true;
				continue;
			}
			sym->flags = (sym->flags & ~KC_SYMBOL_DEF_USER) | now.has_user;
			sym->def[KC_DEF_USER] = now.user;
			kc_sym_clear_all_valid(s->kc);
		}
	}
}

/* Like allnoconfig: every bool/tristate symbol without a user value gets n. */
static void new_symbols_no(struct kconfig *kc)
{
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kc_symbol *sym = kc->syms[i];
		if (kc_sym_has_value(sym) || kc_sym_is_choice(sym) ||
		    (sym->type != KC_S_BOOLEAN && sym->type != KC_S_TRISTATE))
			continue;
		sym->def[KC_DEF_USER].tri = (sym->flags & KC_SYMBOL_ALLNOCONFIG_Y) ? KC_YES : KC_NO;
		sym->flags |= KC_SYMBOL_DEF_USER;
	}
	kc_sym_clear_all_valid(kc);
}

struct base_value {
	const char *str;	/* value string, or NULL when not written */
};

static void format_value(struct kconfig *kc, struct kc_symbol *sym, const char *str, char *out,
			 size_t len)
{
	if (str)
		snprintf(out, len, "%s", str);
	else
		snprintf(out, len, "%s", sym->type == KC_S_BOOLEAN || sym->type == KC_S_TRISTATE
						 ? "n" : "");
	(void)kc;
}

static const char *written_value(struct kconfig *kc, struct kc_symbol *sym)
{
	kc_sym_calc_value(kc, sym);
	if (!(sym->flags & KC_SYMBOL_WRITE) || !sym->name)
		return NULL;
	return kc_sym_get_string_value(kc, sym);
}

static int list_changes(struct solver *s, const struct base_value *base,
			struct kconfig_solution *sol)
{
	struct kconfig *kc = s->kc;

	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kc_symbol *sym = kc->syms[i];
		const char *now = written_value(kc, sym);
		const char *was = base[i].str;
		char from[32], to[32];

		format_value(kc, sym, was, from, sizeof(from));
		format_value(kc, sym, now, to, sizeof(to));
		if (!sym->name || !strcmp(from, to))
			continue;
		struct kconfig_change *v = realloc(sol->changes, (sol->nchanges + 1) * sizeof(*v));
		if (!v)
			return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
		sol->changes = v;
		struct kconfig_change *c = &v[sol->nchanges++];
		memset(c, 0, sizeof(*c));
		c->symbol = sym->name;
		memcpy(c->from, from, sizeof(c->from));
		memcpy(c->to, to, sizeof(c->to));
		for (size_t k = 0; k < s->nset; k++)
			c->set_by_solver |= s->set[k] == sym;
	}
	return 0;
}

static void solver_free(struct solver *s)
{
	free(s->required);
	free(s->held);
	free(s->walking);
	free(s->set);
}

static int solver_init(struct solver *s, struct kconfig *kc, const struct kconfig_requirement *reqs,
		       size_t nreqs, const struct kconfig_solve_options *opts)
{
	memset(s, 0, sizeof(*s));
	s->kc = kc;
	s->reqs = reqs;
	s->nreqs = nreqs;
	s->max_depth = opts && opts->max_depth ? opts->max_depth : 48;
	s->remaining = SOLVE_MAX_STEPS;
	s->required = malloc(kc->nsyms + 1);
	s->held = calloc(nreqs + 1, sizeof(*s->held));
	s->walking = calloc(kc->nsyms + 1, 1);
	if (!s->required || !s->held || !s->walking)
		return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	memset(s->required, -1, kc->nsyms + 1);
	for (size_t i = 0; i < nreqs; i++) {
		struct kc_symbol *sym = kc_sym_find(kc, reqs[i].symbol);
		if (!sym || !sym->prop)
			return kc_error(kc, KCONFIG_ENOENT, "unknown symbol '%s'", reqs[i].symbol);
		int prev = s->required[sym->id];
		if (prev >= 0 && (prev == KC_NO) != (reqs[i].value == KCONFIG_NO))
			return kc_error(kc, KCONFIG_EINVAL,
					"requirements contradict each other: '%s' must be both on and off",
					reqs[i].symbol);
		if (prev < (int)reqs[i].value)
			s->required[sym->id] = (signed char)reqs[i].value;
	}
	return 0;
}

/* Requirements that keep symbols off go first: they constrain the others. */
static int solve_all(struct solver *s)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->nreqs; i++) {
			bool off = s->reqs[i].value == KCONFIG_NO;
			if (off != (pass == 0))
				continue;
			int rc = solve_one(s, i);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int kconfig_solve(struct kconfig *kc, const struct kconfig_requirement *reqs, size_t nreqs,
		  const struct kconfig_solve_options *opts, struct kconfig_solution **out)
{
	struct solver s;
	struct snapshot base = { 0 };
	struct base_value *before = NULL;
	struct kconfig_solution *sol = NULL;
	int rc;

	*out = NULL;
	rc = solver_init(&s, kc, reqs, nreqs, opts);
	if (rc)
		goto done;
	before = calloc(kc->nsyms + 1, sizeof(*before));
	sol = calloc(1, sizeof(*sol));
	if (!before || !sol) {
		rc = kc_error(kc, KCONFIG_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < kc->nsyms; i++)
		before[i].str = written_value(kc, kc->syms[i]);
	if (opts && opts->new_symbols == KCONFIG_NEW_NO)
		new_symbols_no(kc);
	if (snapshot_take(&s, &base)) {
		rc = kc_error(kc, KCONFIG_ENOMEM, "out of memory");
		goto done;
	}
	rc = solve_all(&s);
	if (rc) {
		snapshot_restore(&s, &base);
		goto done;
	}
	minimise(&s, &base);
	rc = list_changes(&s, before, sol);
	sol->steps = s.steps;
done:
	snapshot_free(&base);
	free(before);
	solver_free(&s);
	if (rc)
		kconfig_solution_free(sol);
	else
		*out = sol;
	return rc;
}

void kconfig_solution_free(struct kconfig_solution *sol)
{
	if (!sol)
		return;
	free(sol->changes);
	free(sol);
}
