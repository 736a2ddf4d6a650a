/*
 * search_moves.c - the engine side of the search: which moves exist at a
 * config, and what a batch of moves makes of it.
 *
 * Called by search.c once per round (kmin_search_candidates) and once per
 * batch (kmin_search_apply); both work on kmin's Kconfig engine in
 * process, so a move that the kernel's own olddefconfig would undo
 * (selected, not visible, forced by a default) or that drops a
 * requirement never costs a build.  Workload on 6.1 arm: a few hundred
 * symbols are tried per round, each a set and a recompute of values
 * (milliseconds); one full olddefconfig per batch.
 *
 * Moves proposed at a state:
 *  - OFF: an enabled bool/tristate with a prompt that the engine lets a
 *    user set to n, and that stays n (nothing selects it);
 *  - CHOICE: a choice member that is n and that a user may set to y
 *    (choice members refuse n and accept y: that is how they are told
 *    apart from plain symbols), except the byte order (abi_names).  A
 *    switch may grow the kernel as well as shrink it, so these moves are
 *    marked lateral and the search builds each alone;
 *  - LOWER: an int option with a prompt whose value is above the bottom
 *    of its range (found by bisection on what the engine accepts), for
 *    capacities only (see lower_suffixes: buffer shifts, CPU and UART
 *    counts); hardware descriptions and hex addresses are left
 *    alone;
 *  - GATE: a visibility gate (EXPERT) turned on together with one
 *    enabled symbol that only the gate makes changeable (PRINTK, BUG,
 *    FUTEX ... are forced on without EXPERT), or with one choice member
 *    only the gate lets a user pick (SLOB).  Each unlocked symbol is its
 *    own move G=y X=n (or G=y M=y), so batches of them share the gate and
 *    split well.
 *
 * A move that only switches symbols no code names (refs.h: EMBEDDED,
 * which only selects EXPERT) saves nothing and would still rebuild
 * everything that includes autoconf.h; one that only switches what the
 * boot wrapper reads (KERNEL_XZ) cannot change vmlinux, nor one that only
 * chooses the debug information (DEBUG_INFO_DWARF4: .debug_* sections are
 * not measured): kmin_search_drop_inert() removes such moves before they
 * are scored, the boot wrapper's unless the image is measured.
 *
 * Errors: 0 or -1 with a message in err[errlen]; the engine context is
 * left holding the state config (candidates) or the result (apply).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig/query.h"
#include "kmin/error.h"
#include "kmin/refs.h"
#include "kmin/search.h"
#include "kmin/store.h"
#include "kmin/worker.h"

/*
 * Numbers kmin may lower: capacities whose minimum still boots (buffer
 * sizes, CPU and UART counts).  Log levels and FRAME_WARN are not among
 * them: they decide which messages print and which stack frames warn,
 * the code is the same, and lowering them costs a build for nothing.
 * Others describe the hardware
 * (CPU_V7M_NUM_IRQ, DRAM_SIZE) or the memory model (ARCH_FORCE_MAX_ORDER):
 * their minimum builds and is smaller, and does not boot, which the build
 * oracle cannot see.
 */
static const char *const lower_suffixes[] = {
	"_SHIFT", "NR_CPUS", "NR_UARTS", "RUNTIME_UARTS",
};

static bool may_lower(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(lower_suffixes) / sizeof(lower_suffixes[0]); i++) {
		size_t k = strlen(lower_suffixes[i]);
		if (n >= k && !strcmp(name + n - k, lower_suffixes[i]))
			return true;
	}
	return false;
}

/* Symbols that hide default-y options from users when off. */
static const char *const gate_names[] = { "EXPERT" };

static bool is_gate(const char *name)
{
	for (size_t i = 0; i < sizeof(gate_names) / sizeof(gate_names[0]); i++)
		if (!strcmp(name, gate_names[i]))
			return true;
	return false;
}

/*
 * Choice members kmin never switches to: the byte order.  A big-endian
 * kernel builds (and may be smaller), but it cannot run the board's
 * little-endian user space, which neither the build nor the size sees;
 * only a boot with the board's own init would.
 */
static const char *const abi_names[] = { "CPU_BIG_ENDIAN", "CPU_LITTLE_ENDIAN" };

static bool changes_abi(const char *name)
{
	for (size_t i = 0; i < sizeof(abi_names) / sizeof(abi_names[0]); i++)
		if (!strcmp(name, abi_names[i]))
			return true;
	return false;
}

/* Put text in the engine as olddefconfig would read it. */
static int engine_load(struct kconfig *kc, const char *scratch, const char *text, char *err,
		       size_t errlen)
{
	struct kconfig_target_options t = { 0 };
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/state.config", scratch);
	f = fopen(path, "we");
	if (!f)
		return kmin_errf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
	bool bad = fputs(text, f) < 0;
	if (fclose(f) || bad)
		return kmin_errf(err, errlen, "cannot write '%s'", path);
	t.input = path;
	if (kconfig_target_run(kc, KCONFIG_TARGET_OLDDEFCONFIG, &t))
		return kmin_errf(err, errlen, "%s", kconfig_errmsg(kc));
	return 0;
}

/* The engine's .config text into *out (the caller's). */
static int engine_text(struct kconfig *kc, const char *scratch, char **out, char *err,
		       size_t errlen)
{
	char path[4200];
	FILE *f;
	long n;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/out.config", scratch);
	if (kconfig_config_write(kc, path))
		return kmin_errf(err, errlen, "%s", kconfig_errmsg(kc));
	f = fopen(path, "re");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		if (f)
			fclose(f);
		return kmin_errf(err, errlen, "cannot read '%s'", path);
	}
	*out = malloc((size_t)n + 1);
	if (!*out) {
		fclose(f);
		return kmin_errf(err, errlen, "out of memory");
	}
	(*out)[fread(*out, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return 0;
}

/* The first requirement that does not hold in the engine, or NULL. */
static const char *reqs_lost(struct kconfig *kc, const struct kconfig_requirement *reqs,
			     size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct kconfig_symbol *sym = kconfig_symbol_find(kc, reqs[i].symbol);
		enum kconfig_tristate v = sym ? kconfig_symbol_tristate(kc, sym) : KCONFIG_NO;

		if (reqs[i].value == KCONFIG_NO ? v != KCONFIG_NO : v < reqs[i].value)
			return reqs[i].symbol;
	}
	return NULL;
}

static bool is_tristate_value(const char *v)
{
	return !strcmp(v, "y") || !strcmp(v, "m") || !strcmp(v, "n");
}

static enum kconfig_tristate tri_of(const char *v)
{
	return *v == 'y' ? KCONFIG_YES : *v == 'm' ? KCONFIG_MOD : KCONFIG_NO;
}

/* A growing array of moves. */
struct move_list {
	struct kmin_move *v;
	size_t n, cap;
};

static int move_add(struct move_list *l, unsigned int order, const char *sym, const char *value,
		    const char *sym2, const char *value2)
{
	struct kmin_move *m;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct kmin_move *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	m = &l->v[l->n++];
	memset(m, 0, sizeof(*m));
	m->order = order;
	m->set[0].symbol = sym;
	snprintf(m->set[0].value, sizeof(m->set[0].value), "%s", value);
	m->nset = 1;
	if (sym2) {
		m->set[1].symbol = sym2;
		snprintf(m->set[1].value, sizeof(m->set[1].value), "%s", value2);
		m->nset = 2;
	}
	return 0;
}

/* Can a user turn sym off, and does it stay off with the requirements kept? */
static bool try_off(struct kconfig *kc, struct kconfig_symbol *sym,
		    const struct kconfig_requirement *reqs, size_t nreqs)
{
	enum kconfig_tristate cur = kconfig_symbol_tristate(kc, sym);
	bool ok;

	if (kconfig_symbol_set_tristate(kc, sym, KCONFIG_NO))
		return false;
	ok = kconfig_symbol_tristate(kc, sym) == KCONFIG_NO && !reqs_lost(kc, reqs, nreqs);
	kconfig_symbol_set_tristate(kc, sym, cur);
	return ok;
}

/*
 * A choice member that is n: a user may set it to y, and once y it
 * refuses n (a plain symbol takes n back).  Leaves the engine changed.
 */
static bool try_choice(struct kconfig *kc, struct kconfig_symbol *sym,
		       const struct kconfig_requirement *reqs, size_t nreqs)
{
	if (kconfig_symbol_type(sym) != KCONFIG_BOOL ||
	    kconfig_symbol_set_tristate(kc, sym, KCONFIG_YES) ||
	    kconfig_symbol_tristate(kc, sym) != KCONFIG_YES)
		return false;
	if (!kconfig_symbol_set_tristate(kc, sym, KCONFIG_NO))
		return false;
	return !reqs_lost(kc, reqs, nreqs);
}

/* Smallest value the engine accepts for an int/hex symbol, below cur; false if none. */
static bool lowest_value(struct kconfig *kc, struct kconfig_symbol *sym, long long cur,
			 bool hex, char *out, size_t outlen)
{
	long long lo = 0, hi = cur, best = cur;
	char buf[32];

	if (cur <= 0)
		return false;
	while (lo < hi) {
		long long mid = lo + (hi - lo) / 2;
		snprintf(buf, sizeof(buf), hex ? "0x%llx" : "%lld", mid);
		if (!kconfig_symbol_set_string(kc, sym, buf)) {
			best = mid;
			hi = mid;
		} else {
			lo = mid + 1;
		}
	}
	if (best >= cur)
		return false;
	snprintf(out, outlen, hex ? "0x%llx" : "%lld", best);
	return true;
}

static int add_lower(struct kconfig *kc, struct kconfig_symbol *sym, unsigned int order,
		     const struct kconfig_requirement *reqs, size_t nreqs, struct move_list *l)
{
	bool hex = kconfig_symbol_type(sym) == KCONFIG_HEX;
	char cur[64], low[32];
	long long v;
	int rc = 0;

	snprintf(cur, sizeof(cur), "%s", kconfig_symbol_string(kc, sym));
	v = strtoll(cur, NULL, hex ? 16 : 10);
	if (!lowest_value(kc, sym, v, hex, low, sizeof(low)))
		return 0;
	kconfig_symbol_set_string(kc, sym, low);
	if (!reqs_lost(kc, reqs, nreqs))
		rc = move_add(l, order, kconfig_symbol_name(sym), low, NULL, NULL);
	kconfig_symbol_set_string(kc, sym, cur);
	return rc;
}

/* Load config and open gate g; false when g cannot open or loses a requirement. */
static bool gate_open(struct kconfig *kc, const char *scratch, const char *config,
		      struct kconfig_symbol *g, const struct kconfig_requirement *reqs,
		      size_t nreqs, int *rc, char *err, size_t errlen)
{
	if ((*rc = engine_load(kc, scratch, config, err, errlen)))
		return false;
	return kconfig_symbol_type(g) == KCONFIG_BOOL && kconfig_symbol_tristate(kc, g) == KCONFIG_NO &&
	       !kconfig_symbol_set_tristate(kc, g, KCONFIG_YES) && !reqs_lost(kc, reqs, nreqs);
}

/*
 * Gate moves: G=y X=n for every enabled X that G makes changeable, and
 * G=y M=y for every choice member M that only G lets a user pick (6.1's
 * SLOB depends on EXPERT), lateral like any switch.
 */
static int add_gate(struct kconfig *kc, const char *scratch, const char *config,
		    const char *gate, const bool *changeable,
		    const struct kconfig_requirement *reqs, size_t nreqs, struct move_list *l,
		    char *err, size_t errlen)
{
	struct kconfig_symbol *g = kconfig_symbol_find(kc, gate);
	size_t count = kconfig_symbol_count(kc);
	int rc = 0;

	if (!g || !gate_open(kc, scratch, config, g, reqs, nreqs, &rc, err, errlen))
		return rc ? rc : engine_load(kc, scratch, config, err, errlen);
	for (size_t i = 0; i < count; i++) {
		struct kconfig_symbol *sym = kconfig_symbol_at(kc, i);
		const char *name = kconfig_symbol_name(sym);
		enum kconfig_type t = kconfig_symbol_type(sym);

		if (!name || changeable[i] || sym == g || (t != KCONFIG_BOOL && t != KCONFIG_TRISTATE) ||
		    !kconfig_symbol_prompt(sym))
			continue;
		if (kconfig_symbol_tristate(kc, sym) != KCONFIG_NO) {
			if (try_off(kc, sym, reqs, nreqs) &&
			    move_add(l, (unsigned int)i, gate, "y", name, "n"))
				return kmin_errf(err, errlen, "out of memory");
			continue;
		}
		if (changes_abi(name) || !try_choice(kc, sym, reqs, nreqs)) {
			if (kconfig_symbol_tristate(kc, sym) == KCONFIG_NO)
				continue;
		} else if (move_add(l, (unsigned int)i, gate, "y", name, "y")) {
			return kmin_errf(err, errlen, "out of memory");
		} else {
			l->v[l->n - 1].lateral = true;
			l->v[l->n - 1].choice = kconfig_symbol_choice(kc, sym);
		}
		/* the engine holds the switch: back to the config, gate open */
		if (!gate_open(kc, scratch, config, g, reqs, nreqs, &rc, err, errlen))
			return rc ? rc : engine_load(kc, scratch, config, err, errlen);
	}
	return engine_load(kc, scratch, config, err, errlen);
}

/* Classify symbol i at the loaded state; may add a move. */
static int scan_symbol(struct kconfig *kc, const char *scratch, const char *config, size_t i,
		       const struct kconfig_requirement *reqs, size_t nreqs, unsigned int flags,
		       bool *changeable, struct move_list *l, char *err, size_t errlen)
{
	struct kconfig_symbol *sym = kconfig_symbol_at(kc, i);
	const char *name = kconfig_symbol_name(sym);
	enum kconfig_type t = kconfig_symbol_type(sym);

	if (!name || !kconfig_symbol_is_defined(sym) || !kconfig_symbol_prompt(sym))
		return 0;
	/* hex options are addresses (DRAM_BASE, PAGE_OFFSET): never "lowered" */
	if (t == KCONFIG_INT)
		return may_lower(name) ? add_lower(kc, sym, (unsigned int)i, reqs, nreqs, l) : 0;
	if (t != KCONFIG_BOOL && t != KCONFIG_TRISTATE)
		return 0;
	if (kconfig_symbol_tristate(kc, sym) != KCONFIG_NO) {
		/* a gate has no code: off, it only forces hidden defaults back on */
		if (is_gate(name) || !try_off(kc, sym, reqs, nreqs))
			return 0;
		changeable[i] = true;
		return move_add(l, (unsigned int)i, name, "n", NULL, NULL);
	}
	if ((flags & KMIN_MOVES_KEEP_CHOICES) || changes_abi(name))
		return 0;
	bool choice = try_choice(kc, sym, reqs, nreqs);
	if (choice) {
		if (move_add(l, (unsigned int)i, name, "y", NULL, NULL))
			return -1;
		l->v[l->n - 1].lateral = true;
		l->v[l->n - 1].choice = kconfig_symbol_choice(kc, sym);
		changeable[i] = true;
	}
	/* the engine may hold a switched choice or a plain symbol set to y */
	return kconfig_symbol_tristate(kc, sym) == KCONFIG_NO ? 0
		: engine_load(kc, scratch, config, err, errlen);
}

int kmin_search_candidates(struct kconfig *kc, const char *scratch, const char *config,
			   const struct kconfig_requirement *reqs, size_t nreqs, unsigned int flags,
			   struct kmin_move **out, size_t *n, char *err, size_t errlen)
{
	size_t count = kconfig_symbol_count(kc);
	bool *changeable = calloc(count ? count : 1, sizeof(*changeable));
	struct move_list l = { 0 };
	int rc = changeable ? engine_load(kc, scratch, config, err, errlen)
			    : kmin_errf(err, errlen, "out of memory");

	for (size_t i = 0; !rc && i < count; i++) {
		rc = scan_symbol(kc, scratch, config, i, reqs, nreqs, flags, changeable, &l, err,
				 errlen);
		if (rc && !*err)
			kmin_errf(err, errlen, "out of memory");
	}
	for (size_t g = 0; !rc && g < sizeof(gate_names) / sizeof(gate_names[0]); g++)
		rc = add_gate(kc, scratch, config, gate_names[g], changeable, reqs, nreqs, &l, err,
			      errlen);
	free(changeable);
	if (rc) {
		free(l.v);
		return -1;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

/* One pass over the assignments not done yet; returns how many were done. */
static size_t apply_pass(struct kconfig *kc, const struct kmin_move *const *moves, size_t nmoves,
			 bool *done)
{
	size_t progress = 0, k = 0;

	for (size_t i = 0; i < nmoves; i++) {
		for (unsigned int j = 0; j < moves[i]->nset; j++, k++) {
			const struct kmin_assign *a = &moves[i]->set[j];
			struct kconfig_symbol *sym = kconfig_symbol_find(kc, a->symbol);
			int rc;

			if (done[k] || !sym)
				continue;
			rc = is_tristate_value(a->value)
				? kconfig_symbol_set_tristate(kc, sym, tri_of(a->value))
				: kconfig_symbol_set_string(kc, sym, a->value);
			if (!rc) {
				done[k] = true;
				progress++;
			}
		}
	}
	return progress;
}

int kmin_search_apply(struct kconfig *kc, const char *scratch, const char *config,
		      const struct kmin_move *const *moves, size_t nmoves,
		      const struct kconfig_requirement *reqs, size_t nreqs, char **out,
		      bool *changed, const char **lost, char *err, size_t errlen)
{
	size_t total = 0;
	bool *done;
	char a[65], b[65];

	for (size_t i = 0; i < nmoves; i++)
		total += moves[i]->nset;
	done = calloc(total ? total : 1, sizeof(*done));
	*out = NULL;
	if (!done)
		return kmin_errf(err, errlen, "out of memory");
	if (engine_load(kc, scratch, config, err, errlen)) {
		free(done);
		return -1;
	}
	/* A selector turned off in this pass lets its selected symbol go in the next. */
	while (apply_pass(kc, moves, nmoves, done) > 0)
		;
	free(done);
	*lost = reqs_lost(kc, reqs, nreqs);
	if (engine_text(kc, scratch, out, err, errlen))
		return -1;
	if (kmin_config_sha256(config, strlen(config), a) || kmin_config_sha256(*out, strlen(*out), b))
		return kmin_errf(err, errlen, "cannot hash a config");
	*changed = strcmp(a, b) != 0;
	return 0;
}

/*
 * Symbols that only choose the debug information the compiler emits (-g,
 * its DWARF version, compression, split files): .debug_* sections are not
 * allocated, so text, data, bss and the image (objcopy -O binary) stay the
 * same, yet the Makefiles name them and a switch rebuilds everything
 * (versatile_defconfig: DEBUG_INFO_DWARF4=y, a full build for 0 bytes).
 * BTF is not here: .BTF is loaded with the kernel.
 */
static bool is_debug_format(const char *sym)
{
	static const char *const names[] = {
		"DEBUG_INFO", "DEBUG_INFO_NONE", "DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT",
		"DEBUG_INFO_DWARF4", "DEBUG_INFO_DWARF5", "DEBUG_INFO_REDUCED",
		"DEBUG_INFO_SPLIT", "DEBUG_INFO_COMPRESSED", "DEBUG_INFO_COMPRESSED_NONE",
		"DEBUG_INFO_COMPRESSED_ZLIB", "DEBUG_INFO_COMPRESSED_ZSTD", "GDB_SCRIPTS",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(sym, names[i]))
			return true;
	return false;
}

/*
 * Whether switching sym can change what is measured: not when no code
 * names it, nor, when only vmlinux counts, when only the boot wrapper does,
 * nor when it only chooses the debug information.
 */
static bool is_inert(const struct kmin_refs *refs, const char *sym, bool image_counts)
{
	if (is_debug_format(sym))
		return true;
	return image_counts ? !kmin_refs_has(refs, sym) : !kmin_refs_in_vmlinux(refs, sym);
}

/* Whether every symbol the move assigns is inert. */
static bool move_inert(const struct kmin_move *m, const struct kmin_refs *refs, bool image_counts)
{
	for (unsigned int j = 0; j < m->nset; j++)
		if (!is_inert(refs, m->set[j].symbol, image_counts))
			return false;
	return true;
}

int kmin_search_inert_diff(const char *a, const char *b, const struct kmin_refs *refs,
			   bool image_counts, bool *inert)
{
	struct kmin_divergence *d;
	size_t n;

	if (kmin_config_diff(a, b, &d, &n))
		return -1;
	*inert = true;
	for (size_t i = 0; i < n && *inert; i++)
		*inert = is_inert(refs, d[i].symbol, image_counts);
	kmin_divergences_free(d, n);
	return 0;
}

int kmin_search_drop_inert(struct kconfig *kc, const char *scratch, const char *config,
			   const struct kmin_refs *refs, bool image_counts, struct kmin_move *moves,
			   size_t *n, size_t *dropped, char *err, size_t errlen)
{
	size_t k = 0;

	*dropped = 0;
	for (size_t i = 0; i < *n; i++) {
		const struct kmin_move *m = &moves[i];
		const char *lost;
		char *after = NULL;
		bool changed, inert = false;

		/* a move that only switches inert symbols (EXPERT=y DEBUG_INFO_DWARF5=y) is suspect */
		if (move_inert(m, refs, image_counts)) {
			if (kmin_search_apply(kc, scratch, config, &m, 1, NULL, 0, &after, &changed,
					      &lost, err, errlen))
				return -1;
			if (kmin_search_inert_diff(config, after, refs, image_counts, &inert)) {
				free(after);
				return kmin_errf(err, errlen, "out of memory");
			}
			free(after);
		}
		if (inert)
			(*dropped)++;
		else
			moves[k++] = moves[i];
	}
	*n = k;
	return engine_load(kc, scratch, config, err, errlen);
}

void kmin_search_moves_format(const struct kmin_move *const *moves, size_t n, char *buf,
			      size_t len)
{
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		for (unsigned int j = 0; j < moves[i]->nset; j++) {
			const struct kmin_assign *a = &moves[i]->set[j];
			bool repeat = false;
			/* a gate shared by several moves is written once */
			for (size_t p = 0; p < i && !repeat; p++)
				for (unsigned int q = 0; q < moves[p]->nset; q++)
					if (moves[p]->set[q].symbol == a->symbol)
						repeat = true;
			if (repeat)
				continue;
			int w = snprintf(buf + used, len - used, "%s%s=%s", used ? " " : "", a->symbol,
					 a->value);
			if (w < 0 || (size_t)w >= len - used) {
				if (len > 4)
					strcpy(buf + len - 4, "...");
				return;
			}
			used += (size_t)w;
		}
	}
}
