/*
 * targets.c - the *config targets: what `make TARGET` does to .config.
 *
 * Who calls it: kconfig.c's kconfig_target_run(), for `kmin config` and
 * for kmin's search, which starts from allnoconfig/tinyconfig and runs
 * olddefconfig after every change.
 *
 * What it must do: the modes of the kernel's scripts/kconfig/conf.c
 * (olddefconfig, alldefconfig, allnoconfig, allyesconfig, allmodconfig,
 * randconfig, defconfig, savedefconfig) with KCONFIG_ALLCONFIG given as a
 * file, and tinyconfig as the kernel's Makefile spells it: allnoconfig
 * with kernel/configs/tiny-base.config, then merge_config.sh -m of the
 * tiny.config fragments, then olddefconfig; the fragment targets NAME.config
 * the same way (merged into the given .config).  Each `make` is a new conf
 * process; here a new process is kc_conf_reset(), which brings the
 * context back to the state right after parsing.
 *
 * randconfig draws from glibc's rand() in conf; kc_rand is the same
 * TYPE_3 additive feedback generator (random_r.c) without global state,
 * so `--seed N` gives what `KCONFIG_SEED=N make randconfig` gives.
 *
 * Workload: one target per call; each is a few passes over ~20,000
 * symbols (tens of milliseconds on arm).  KCONFIG_ALLCONFIG's "" and "1"
 * forms look for allno.config (per mode) or all.config in the current
 * directory, then in srctree, as conf does from the output directory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "internal.h"

/* ---- glibc's rand(), re-entrant ---- */

#define KC_RAND_DEG 31	/* TYPE_3: degree of the polynomial */
#define KC_RAND_SEP 3	/* and its separation */

static int32_t kc_rand_step(struct kc_rand *rng)
{
	uint32_t val = (uint32_t)rng->r[rng->f] + (uint32_t)rng->r[rng->b];

	rng->r[rng->f] = (int32_t)val;
	if (++rng->f >= KC_RAND_DEG) {
		rng->f = 0;
		rng->b++;
	} else if (++rng->b >= KC_RAND_DEG) {
		rng->b = 0;
	}
	return (int32_t)(val >> 1);
}

void kc_rand_seed(struct kc_rand *rng, unsigned int seed)
{
	int32_t word;

	if (seed == 0)
		seed = 1;
	rng->r[0] = (int32_t)seed;
	word = (int32_t)seed;
	for (int i = 1; i < KC_RAND_DEG; i++) {
		/* r[i] = 16807 * r[i - 1] % 2147483647, Schrage's way, as glibc */
		long hi = word / 127773;
		long lo = word % 127773;

		word = (int32_t)(16807 * lo - 2836 * hi);
		if (word < 0)
			word += 2147483647;
		rng->r[i] = word;
	}
	rng->f = KC_RAND_SEP;
	rng->b = 0;
	for (int i = 0; i < 10 * KC_RAND_DEG; i++)
		kc_rand_step(rng);
}

int kc_rand_next(struct kc_rand *rng)
{
	return kc_rand_step(rng);
}

/* ---- conf_set_all_new_symbols ---- */

enum kc_def_mode { KC_DEF_DEFAULT, KC_DEF_YES, KC_DEF_MOD, KC_DEF_NO, KC_DEF_RANDOM };

/* randconfig's odds, percent: bool = y, tristate = y, tristate = m. */
struct kc_odds {
	int pby, pty, ptm;
};

/* KCONFIG_PROBABILITY: "y", "y:m" (tristates) or "bool_y:tri_y:tri_m". */
static int kc_target_parse_odds(struct kconfig *kc, const char *env, struct kc_odds *odds)
{
	int n = 0, p[3] = { 0, 0, 0 };

	odds->pby = 50;
	odds->pty = 33;
	odds->ptm = 33;
	while (env && *env) {
		char *end;
		long v = strtol(env, &end, 10);

		if (v < 0 || v > 100)
			return kc_error(kc, KCONFIG_EINVAL,
					"KCONFIG_PROBABILITY: numerical result out of range");
		p[n++] = (int)v;
		env = *end == ':' ? end + 1 : end;
		if (n >= 3)
			break;
	}
	switch (n) {
	case 1:
		odds->pby = p[0];
		odds->ptm = p[0] / 2;
		odds->pty = p[0] - odds->ptm;
		break;
	case 2:
		odds->pty = p[0];
		odds->ptm = p[1];
		odds->pby = p[0] + p[1];
		break;
	case 3:
		odds->pby = p[0];
		odds->pty = p[1];
		odds->ptm = p[2];
		break;
	}
	if (odds->pty + odds->ptm > 100)
		return kc_error(kc, KCONFIG_EINVAL,
				"KCONFIG_PROBABILITY: numerical result out of range");
	return 0;
}

struct kc_fill {
	enum kc_def_mode mode;
	struct kc_rand *rng;	/* KC_DEF_RANDOM only */
	struct kc_odds odds;
};

/* The value a new bool/tristate gets in this mode; false: leave it alone. */
static bool kc_target_pick(struct kc_fill *fill, struct kc_symbol *sym, kc_tristate *val)
{
	int cnt;

	switch (fill->mode) {
	case KC_DEF_YES:
		*val = KC_YES;
		return true;
	case KC_DEF_MOD:
		*val = KC_MOD;
		return true;
	case KC_DEF_NO:
		*val = KC_NO;
		return true;
	case KC_DEF_RANDOM:
		*val = KC_NO;
		cnt = kc_rand_next(fill->rng) % 100;
		if (sym->type == KC_S_TRISTATE) {
			if (cnt < fill->odds.pty)
				*val = KC_YES;
			else if (cnt < fill->odds.pty + fill->odds.ptm)
				*val = KC_MOD;
		} else if (cnt < fill->odds.pby) {
			*val = KC_YES;
		}
		return true;
	default:
		return false;
	}
}

/* 6.1: pick one member of a 'y' choice at random, the others 'n'. */
static bool kc_target_randomize_choice_61(struct kconfig *kc, struct kc_fill *fill,
					  struct kc_symbol *csym)
{
	struct kc_property *prop;
	struct kc_expr *e;
	int cnt = 0, def;

	if (csym->curr.tri != KC_YES)
		return false;
	prop = kc_sym_get_choice_prop(csym);
	for (e = prop ? prop->expr : NULL; e && e->right.sym; e = e->left.expr)
		cnt++;
	if (!cnt)
		return false;	/* conf would divide by zero; a choice always has members */
	def = kc_rand_next(fill->rng) % cnt;
	cnt = 0;
	for (e = prop->expr; e && e->right.sym; e = e->left.expr) {
		struct kc_symbol *sym = e->right.sym;

		if (def == cnt++) {
			sym->def[KC_DEF_USER].tri = KC_YES;
			csym->def[KC_DEF_USER].val = (const char *)sym;
		} else {
			sym->def[KC_DEF_USER].tri = KC_NO;
		}
		sym->flags |= KC_SYMBOL_DEF_USER;
		sym->flags &= ~KC_SYMBOL_VALID;
	}
	csym->flags |= KC_SYMBOL_DEF_USER;
	csym->flags &= ~KC_SYMBOL_VALID;
	(void)kc;
	return true;
}

/* 6.1 conf_set_all_new_symbols(); returns conf's has_changed. */
static bool kc_target_fill_61(struct kconfig *kc, struct kc_fill *fill)
{
	struct kc_symbol *sym;
	bool has_changed = false;
	int i;

	kc_for_all_symbols(kc, i, sym) {
		enum kc_type type;
		kc_tristate val;

		if (kc_sym_has_value(sym) || (sym->flags & KC_SYMBOL_VALID))
			continue;
		type = kc_sym_get_type(kc, sym);
		if (type != KC_S_BOOLEAN && type != KC_S_TRISTATE)
			continue;
		has_changed = true;
		if (!kc_target_pick(fill, sym, &val))
			continue;
		sym->def[KC_DEF_USER].tri = val;
		if (!(kc_sym_is_choice(sym) && fill->mode == KC_DEF_RANDOM))
			sym->flags |= KC_SYMBOL_DEF_USER;
	}

	kc_sym_clear_all_valid(kc);

	/*
	 * A 'y' choice has one member set: give every choice without a
	 * value its members (randconfig: at random).
	 */
	if (fill->mode != KC_DEF_RANDOM) {
		kc_for_all_symbols(kc, i, sym)
			if ((kc_sym_is_choice(sym) && !kc_sym_has_value(sym)) ||
			    kc_sym_is_choice_value(sym))
				sym->flags |= KC_SYMBOL_NEED_SET_CHOICE_VALUES;
	}
	kc_for_all_symbols(kc, i, sym) {
		if (kc_sym_has_value(sym) || !kc_sym_is_choice(sym))
			continue;
		kc_sym_calc_value(kc, sym);
		if (fill->mode == KC_DEF_RANDOM) {
			has_changed |= kc_target_randomize_choice_61(kc, fill, sym);
		} else {
			kc_set_all_choice_values(kc, sym);
			has_changed = true;
		}
	}
	return has_changed;
}

/* Move sym to the end of its choice's priority list (6.12's list_move_tail). */
static void kc_target_choice_move_tail(struct kc_menu *choice, struct kc_symbol *sym)
{
	if (choice->choice_last == sym)
		return;
	if (sym->choice_prev)
		sym->choice_prev->choice_next = sym->choice_next;
	else if (choice->choice_first == sym)
		choice->choice_first = sym->choice_next;
	if (sym->choice_next)
		sym->choice_next->choice_prev = sym->choice_prev;
	sym->choice_next = NULL;
	sym->choice_prev = choice->choice_last;
	if (choice->choice_last)
		choice->choice_last->choice_next = sym;
	choice->choice_last = sym;
	if (!choice->choice_first)
		choice->choice_first = sym;
}

/*
 * 6.12: every member without a value is set to 'y', in random order, each
 * moved behind the others, so KCONFIG_ALLCONFIG's members keep priority.
 */
static void kc_target_randomize_choice_612(struct kc_fill *fill, struct kc_menu *choice)
{
	struct kc_menu *m;
	int cnt = 0;

	for (m = kc_menu_next(choice, choice); m; m = kc_menu_next(m, choice))
		if (m->sym && !kc_sym_has_value(m->sym))
			cnt++;
	for (; cnt > 0; cnt--) {
		int x = kc_rand_next(fill->rng) % cnt;

		for (m = kc_menu_next(choice, choice); m; m = kc_menu_next(m, choice)) {
			struct kc_symbol *sym = m->sym;

			if (sym && !kc_sym_has_value(sym))
				x--;
			if (x < 0) {
				sym->def[KC_DEF_USER].tri = KC_YES;
				sym->flags |= KC_SYMBOL_DEF_USER;
				kc_target_choice_move_tail(choice, sym);
				break;
			}
		}
	}
}

/* 6.12 conf_set_all_new_symbols(): over the menu tree, prompts only. */
static void kc_target_fill_612(struct kconfig *kc, struct kc_fill *fill)
{
	struct kc_menu *m;

	for (m = kc_menu_next(&kc->rootmenu, &kc->rootmenu); m;
	     m = kc_menu_next(m, &kc->rootmenu)) {
		struct kc_symbol *sym = m->sym;
		kc_tristate val;

		if (!sym || !m->prompt || kc_sym_has_value(sym) ||
		    (sym->type != KC_S_BOOLEAN && sym->type != KC_S_TRISTATE) ||
		    kc_sym_is_choice_value(sym))
			continue;
		if (kc_sym_is_choice(sym)) {
			if (fill->mode == KC_DEF_RANDOM)
				kc_target_randomize_choice_612(fill, m);
			continue;
		}
		if (!kc_target_pick(fill, sym, &val))
			continue;
		sym->def[KC_DEF_USER].tri = val;
		sym->flags |= KC_SYMBOL_DEF_USER;
	}
	kc_sym_clear_all_valid(kc);
}

static bool kc_target_fill(struct kconfig *kc, struct kc_fill *fill)
{
	if (kc->dialect == KC_DIALECT_6_1)
		return kc_target_fill_61(kc, fill);
	kc_target_fill_612(kc, fill);
	return false;
}

/* ---- merge_config.sh ---- */

/* A growable byte buffer. */
struct kc_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void kc_buf_add(struct kc_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *np;

		while (b->len + n + 1 > cap)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static bool kc_is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* The length of a line starting at s (without its '\n') in text ending at end. */
static size_t kc_line_len(const char *s, const char *end)
{
	const char *nl = memchr(s, '\n', (size_t)(end - s));

	return nl ? (size_t)(nl - s) : (size_t)(end - s);
}

/* Occurrence of needle in the line [s, s + n) from position from, or NULL. */
static const char *kc_line_find(const char *s, size_t n, const char *needle, size_t nlen,
				size_t from)
{
	for (size_t i = from; i + nlen <= n; i++)
		if (!memcmp(s + i, needle, nlen))
			return s + i;
	return NULL;
}

/* `grep -q -w cfg`: cfg as a whole word somewhere in text. */
static bool kc_grep_word(const char *text, size_t len, const char *cfg)
{
	const char *s = text, *end = text + len;
	size_t clen = strlen(cfg);

	while (s < end) {
		size_t n = kc_line_len(s, end);
		const char *hit;

		for (size_t from = 0; (hit = kc_line_find(s, n, cfg, clen, from)); ) {
			size_t at = (size_t)(hit - s);

			if ((at == 0 || !kc_is_word_char(s[at - 1])) &&
			    (at + clen == n || !kc_is_word_char(s[at + clen])))
				return true;
			from = at + 1;
		}
		s += n + 1;
	}
	return false;
}

/* `grep -w cfg`: the lines of text holding cfg as a whole word, into out ("\n" between). */
static void kc_grep_lines(const char *text, size_t len, const char *cfg, struct kc_buf *out)
{
	const char *s = text, *end = text + len;

	while (s < end) {
		size_t n = kc_line_len(s, end);

		if (kc_grep_word(s, n, cfg)) {
			if (out->len)
				kc_buf_add(out, "\n", 1);
			kc_buf_add(out, s, n);
		}
		s += n + 1;
	}
}

/* `sed -i "/cfg[ =]/d"`: drop the lines holding "cfg " or "cfg=". */
static void kc_sed_delete(struct kc_buf *b, const char *cfg)
{
	struct kc_buf out = { 0 };
	const char *s = b->p, *end = b->p + b->len;
	size_t clen = strlen(cfg);

	if (!b->len)
		return;
	while (s < end) {
		size_t n = kc_line_len(s, end);
		const char *hit;
		bool drop = false;

		for (size_t from = 0; !drop && (hit = kc_line_find(s, n, cfg, clen, from)); ) {
			size_t at = (size_t)(hit - s) + clen;

			drop = at < n && (s[at] == ' ' || s[at] == '=');
			from = (size_t)(hit - s) + 1;
		}
		if (!drop)
			kc_buf_add(&out, s, s + n < end ? n + 1 : n);
		s += n + 1;
	}
	if (out.oom) {
		free(out.p);
		b->oom = true;
		return;
	}
	free(b->p);
	if (!out.p) {
		out.p = calloc(1, 1);
		out.cap = 1;
		if (!out.p)
			b->oom = true;
	}
	b->p = out.p;
	b->len = out.len;
	b->cap = out.cap;
}

/*
 * The names merge_config.sh's sed expressions take from a fragment:
 * PREFIX[A-Za-z0-9_]*=... and "# PREFIX[A-Za-z0-9_]* is not set".
 * Returns the length of the name at line (0: none) and its start.
 */
static size_t kc_fragment_name(const char *line, size_t n, const char *prefix,
			       const char **name)
{
	size_t plen = strlen(prefix), i;

	if (n >= plen && !memcmp(line, prefix, plen)) {
		for (i = plen; i < n && kc_is_word_char(line[i]); i++)
			;
		if (i < n && line[i] == '=') {
			*name = line;
			return i;
		}
	}
	if (n >= 2 + plen && !memcmp(line, "# ", 2) && !memcmp(line + 2, prefix, plen)) {
		static const char tail[] = " is not set";

		for (i = 2 + plen; i < n && kc_is_word_char(line[i]); i++)
			;
		if (n - i == sizeof(tail) - 1 && !memcmp(line + i, tail, n - i)) {
			*name = line + 2;
			return i - 2;
		}
	}
	return 0;
}

/* echo of an unquoted $(grep ...): the lines' words, one space apart. */
static void kc_merge_flatten(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		bool space = *r == ' ' || *r == '\t' || *r == '\n';

		if (space && (w == s || w[-1] == ' '))
			continue;
		*w++ = space ? ' ' : *r;
	}
	if (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

/* The script's "Value of CFG is redefined by fragment FILE" when the lines differ. */
static void kc_merge_note(struct kconfig *kc, struct kc_buf *prev, const char *frag,
			  size_t frag_len, const char *cfg, const char *fname)
{
	struct kc_buf next = { 0 };

	kc_grep_lines(frag, frag_len, cfg, &next);
	if (!prev->oom && !next.oom && strcmp(prev->p, next.p ? next.p : "")) {
		kc_merge_flatten(prev->p);
		if (next.p)
			kc_merge_flatten(next.p);
		kc_diag(kc, KCONFIG_DIAG_INFO, NULL, 0,
			"Value of %s is redefined by fragment %s: previous value: %s, new value: %s",
			cfg, fname, prev->p, next.p ? next.p : "");
	}
	free(next.p);
}

/*
 * One fragment (read from fname) merged into the running text, as the
 * script's loop body; fname NULL: without the script's messages.
 */
static void kc_merge_one(struct kconfig *kc, struct kc_buf *tmp, const char *frag,
			 size_t frag_len, const char *fname)
{
	const char *prefix = kc_conf_prefix(kc);
	const char *s = frag, *end = frag + frag_len;
	char cfg[512];

	while (s < end && !tmp->oom) {
		size_t n = kc_line_len(s, end), clen;
		const char *name;
		struct kc_buf prev = { 0 };

		clen = kc_fragment_name(s, n, prefix, &name);
		if (clen && clen < sizeof(cfg)) {
			memcpy(cfg, name, clen);
			cfg[clen] = '\0';
			/* grep -q -w: a line holds the word, so PREV_VAL is not empty */
			kc_grep_lines(tmp->p ? tmp->p : "", tmp->len, cfg, &prev);
			if (prev.len) {
				if (fname)
					kc_merge_note(kc, &prev, frag, frag_len, cfg, fname);
				kc_sed_delete(tmp, cfg);
			}
			if (prev.oom)
				tmp->oom = true;
			free(prev.p);
		}
		s += n + 1;
	}
	/* "In case the previous file lacks a new line at the end" */
	kc_buf_add(tmp, "\n", 1);
	kc_buf_add(tmp, frag, frag_len);
}

/* kc_merge_fragments(), with the "redefined" messages when notes is set. */
static int kc_merge_files(struct kconfig *kc, const char *base, size_t base_len,
			  const char *const *frags, size_t nfrags, bool notes, char **out,
			  size_t *out_len)
{
	struct kc_buf tmp = { 0 };

	*out = NULL;
	*out_len = 0;
	kc_buf_add(&tmp, base, base_len);
	for (size_t i = 0; i < nfrags; i++) {
		char *text;
		size_t len;
		int rc = kc_conf_slurp(frags[i], &text, &len);

		if (rc) {
			free(tmp.p);
			return kc_error(kc, rc == -ENOMEM ? KCONFIG_ENOMEM : KCONFIG_EIO,
					"The merge file '%s' does not exist.  Exit.", frags[i]);
		}
		kc_merge_one(kc, &tmp, text, len, notes ? frags[i] : NULL);
		free(text);
	}
	if (tmp.oom || !tmp.p) {
		free(tmp.p);
		if (tmp.oom)
			return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
		tmp.p = calloc(1, 1);
		if (!tmp.p)
			return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	}
	*out = tmp.p;
	*out_len = tmp.len;
	return 0;
}

int kc_merge_fragments(struct kconfig *kc, const char *base, size_t base_len,
		       const char *const *frags, size_t nfrags, char **out, size_t *out_len)
{
	return kc_merge_files(kc, base, base_len, frags, nfrags, true, out, out_len);
}

/* ---- the targets ---- */

/* conf_errors() and sym_dep_errors(): warnings are errors with KCONFIG_WERROR. */
static int kc_target_werror(struct kconfig *kc, int warnings)
{
	if (warnings && kc_getenv(kc, "KCONFIG_WERROR"))
		return kc_error(kc, KCONFIG_EINVAL, "%d warning(s) and KCONFIG_WERROR is set",
				warnings);
	return 0;
}

/* conf_read() of .config text in a new conf process. */
static int kc_target_read_text(struct kconfig *kc, const char *name, const char *text, size_t len)
{
	int rc;

	kc_conf_reset(kc);
	kc->conf_changed = false;
	rc = kc_conf_read_buffer(kc, name, text, len, KC_DEF_USER);
	kc_sym_calc_value(kc, kc->modules_sym);
	if (!rc)
		rc = kc_conf_after_read(kc);
	return rc;
}

/* The file KCONFIG_ALLCONFIG="" or "1" stands for, per mode. */
static const char *kc_target_allconfig_name(enum kc_def_mode mode)
{
	switch (mode) {
	case KC_DEF_NO:
		return "allno.config";
	case KC_DEF_YES:
		return "allyes.config";
	case KC_DEF_MOD:
		return "allmod.config";
	case KC_DEF_DEFAULT:
		return "alldef.config";
	default:
		return "allrandom.config";
	}
}

/*
 * The KCONFIG_ALLCONFIG file, read like conf before an all*config: a
 * path, or "" and "1" for allno.config (per mode) else all.config, in
 * the current directory or srctree.
 */
static int kc_target_read_allconfig(struct kconfig *kc, enum kc_def_mode mode, const char *path)
{
	const char *name;
	int rc;

	if (!path)
		return 0;
	if (strcmp(path, "") && strcmp(path, "1")) {
		rc = kc_conf_read_simple(kc, path, KC_DEF_USER);
		if (rc == KCONFIG_ENOENT)
			return kc_error(kc, rc, "Can't read seed configuration \"%s\"!", path);
		return rc;
	}
	name = kc_target_allconfig_name(mode);
	rc = kc_conf_read_simple(kc, name, KC_DEF_USER);
	if (rc == KCONFIG_ENOENT)
		rc = kc_conf_read_simple(kc, "all.config", KC_DEF_USER);
	if (rc == KCONFIG_ENOENT)
		return kc_error(kc, rc, "KCONFIG_ALLCONFIG set, but no \"%s\" or \"all.config\" "
				"file found", name);
	return rc;
}

/* KCONFIG_SEED as conf reads it: strtol base 0, all of it. */
static bool kc_target_env_seed(struct kconfig *kc, unsigned int *seed)
{
	const char *env = kc_getenv(kc, "KCONFIG_SEED");
	char *end;

	if (!env || !*env)
		return false;
	*seed = (unsigned int)strtol(env, &end, 0);
	return *end == '\0';
}

/* randconfig's seed: the option, KCONFIG_SEED, else the time as conf does. */
static unsigned int kc_target_seed(struct kconfig *kc, const struct kconfig_target_options *o)
{
	unsigned int seed;

	if (o->has_seed) {
		seed = (unsigned int)o->seed;
	} else if (!kc_target_env_seed(kc, &seed)) {
		struct timeval now;

		/* microseconds, never zero */
		gettimeofday(&now, NULL);
		seed = (unsigned int)((now.tv_sec + 1) * (now.tv_usec + 1));
	}
	kc_diag(kc, KCONFIG_DIAG_INFO, NULL, 0, "KCONFIG_SEED=0x%X", seed);
	return seed;
}

static int kc_target_fill_mode(struct kconfig *kc, enum kc_def_mode mode,
			       const struct kconfig_target_options *o)
{
	struct kc_fill fill = { .mode = mode };
	struct kc_rand rng;
	int rc;

	if (mode == KC_DEF_RANDOM) {
		const char *p = o->probability ? o->probability
					       : kc_getenv(kc, "KCONFIG_PROBABILITY");

		kc_rand_seed(&rng, kc_target_seed(kc, o));
		fill.rng = &rng;
		rc = kc_target_parse_odds(kc, p, &fill.odds);
		if (rc)
			return rc;
		while (kc_target_fill(kc, &fill))
			;
		return 0;
	}
	kc_target_fill(kc, &fill);
	return 0;
}

/* The .config conf would write of the context's values, malloc'ed into *text. */
static int kc_target_config_text(struct kconfig *kc, char **text, size_t *len)
{
	FILE *mem;
	int rc;

	*text = NULL;
	*len = 0;
	mem = open_memstream(text, len);
	if (!mem)
		return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	/*
	 * conf computes MODULES before anything else (conf_read does, even
	 * without a file): tristate types depend on it, so values computed
	 * in menu order before it would read m as y.
	 */
	kc_sym_calc_value(kc, kc->modules_sym);
	rc = kc_conf_write_fp(kc, mem);
	if (fclose(mem) && !rc)
		rc = kc_error(kc, KCONFIG_ENOMEM, "out of memory");
	if (rc) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

/*
 * The context's values as `make` would see them: written to .config and
 * read back by a new conf (olddefconfig, savedefconfig without input).
 */
static int kc_target_round_trip(struct kconfig *kc)
{
	char *text;
	size_t len;
	int rc = kc_target_config_text(kc, &text, &len);

	if (!rc)
		rc = kc_target_read_text(kc, ".config", text, len);
	free(text);
	return rc;
}

/* The .config an olddefconfig-like target starts from (conf_read). */
static int kc_target_read_config(struct kconfig *kc, const char *path)
{
	if (!path)
		return kc_target_round_trip(kc);
	kc_conf_reset(kc);
	return kc_conf_read(kc, path);
}

static int kc_target_all(struct kconfig *kc, enum kc_def_mode mode,
			 const struct kconfig_target_options *o)
{
	int rc;

	kc_conf_reset(kc);
	rc = kc_target_read_allconfig(kc, mode, o->allconfig);
	if (!rc)
		rc = kc_target_werror(kc, kc->conf_warnings);
	if (!rc)
		rc = kc_target_fill_mode(kc, mode, o);
	return rc;
}

static int kc_target_defconfig(struct kconfig *kc, const struct kconfig_target_options *o)
{
	int rc;

	if (!o->defconfig_file)
		return kc_error(kc, KCONFIG_EINVAL, "defconfig needs a defconfig file");
	kc_conf_reset(kc);
	rc = kc_conf_read(kc, o->defconfig_file);
	if (rc == KCONFIG_ENOENT)
		return kc_error(kc, rc, "Can't find default configuration \"%s\"!",
				o->defconfig_file);
	if (!rc)
		rc = kc_target_werror(kc, kc->conf_warnings);
	if (!rc)
		rc = kc_target_fill_mode(kc, KC_DEF_DEFAULT, o);
	return rc;
}

/*
 * The fragments of `make NAME.config` (make's configfiles): those of
 * kernel/configs/NAME and arch/$SRCARCH/configs/NAME that exist, malloc'ed.
 */
static int kc_target_fragment_files(struct kconfig *kc, const char *name, char *paths[2],
				    size_t *n)
{
	const char *srcarch = kc_getenv(kc, "SRCARCH");
	const char *src = kc->opts.srctree ? kc->opts.srctree : ".";

	*n = 0;
	for (int i = 0; i < 2; i++) {
		char *p = NULL;
		int len;

		if (i == 1 && !srcarch)
			break;
		if (i == 0)
			len = asprintf(&p, "%s/kernel/configs/%s", src, name);
		else
			len = asprintf(&p, "%s/arch/%s/configs/%s", src, srcarch, name);
		if (len < 0) {
			for (size_t j = 0; j < *n; j++)
				free(paths[j]);
			*n = 0;
			return kc_error(kc, KCONFIG_ENOMEM, "out of memory");
		}
		if (access(p, F_OK)) {
			free(p);
			continue;
		}
		paths[(*n)++] = p;
	}
	if (!*n)
		return kc_error(kc, KCONFIG_ENOENT,
				"%s: No configuration exists for this target on this architecture",
				name);
	return 0;
}

/*
 * `merge_config.sh -m .config FILES...` on text (the .config), then `make
 * olddefconfig`: the fragments of name (make's %.config rule), or files;
 * notes: the script's "redefined" messages as info diagnostics.
 */
static int kc_target_merge(struct kconfig *kc, const char *text, size_t len, const char *name,
			   const char *const *files, bool notes)
{
	char *found[2], *merged = NULL;
	size_t nfiles = 0, nfound = 0, merged_len;
	int rc;

	if (files) {
		while (files[nfiles])
			nfiles++;
	} else {
		if (!name)
			return kc_error(kc, KCONFIG_EINVAL, "a fragment target needs a name");
		rc = kc_target_fragment_files(kc, name, found, &nfound);
		if (rc)
			return rc;
		files = (const char *const *)found;
		nfiles = nfound;
	}
	rc = kc_merge_files(kc, text, len, files, nfiles, notes, &merged, &merged_len);
	for (size_t i = 0; i < nfound; i++)
		free(found[i]);
	if (rc)
		return rc;
	/* make olddefconfig: a new conf reads the merged .config */
	rc = kc_target_read_text(kc, ".config", merged, merged_len);
	if (!rc)
		rc = kc_target_werror(kc, kc->conf_warnings);
	free(merged);
	return rc;
}

/*
 * tinyconfig: allnoconfig with KCONFIG_ALLCONFIG=kernel/configs/tiny-base.config,
 * the .config it writes merged with the tiny.config fragments, olddefconfig.
 */
static int kc_target_tiny(struct kconfig *kc, const struct kconfig_target_options *o)
{
	struct kconfig_target_options allno = *o;
	char *text = NULL;
	size_t len = 0;
	int rc;

	allno.allconfig = "kernel/configs/tiny-base.config";
	rc = kc_target_all(kc, KC_DEF_NO, &allno);
	if (!rc)
		rc = kc_target_config_text(kc, &text, &len);
	if (rc)
		return rc;
	kc->conf_changed = false;
	/* quiet: tinyconfig is kmin's usual base, its merge is no news */
	rc = kc_target_merge(kc, text, len, "tiny.config", NULL, false);
	free(text);
	return rc;
}

/*
 * NAME.config: the fragments merged into the input .config (or the
 * context's values), then olddefconfig.
 */
static int kc_target_fragment(struct kconfig *kc, const struct kconfig_target_options *o)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (o->input) {
		rc = kc_conf_slurp(o->input, &text, &len);
		if (rc)
			return kc_error(kc, rc == -ENOMEM ? KCONFIG_ENOMEM :
					    rc == -ENOENT ? KCONFIG_ENOENT : KCONFIG_EIO,
					"cannot read '%s': %s", o->input, strerror(-rc));
	} else {
		rc = kc_target_config_text(kc, &text, &len);
		if (rc)
			return rc;
	}
	rc = kc_target_merge(kc, text, len, o->fragment, o->fragment_files, true);
	free(text);
	return rc;
}

int kc_target_run(struct kconfig *kc, enum kconfig_target target,
		  const struct kconfig_target_options *o)
{
	static const struct kconfig_target_options none;
	int rc;

	if (!o)
		o = &none;
	kc->sym_warnings = 0;
	switch (target) {
	case KCONFIG_TARGET_OLDDEFCONFIG:
	case KCONFIG_TARGET_SAVEDEFCONFIG:
		rc = kc_target_read_config(kc, o->input);
		if (!rc)
			rc = kc_target_werror(kc, kc->conf_warnings);
		break;
	case KCONFIG_TARGET_ALLDEFCONFIG:
		rc = kc_target_all(kc, KC_DEF_DEFAULT, o);
		break;
	case KCONFIG_TARGET_ALLNOCONFIG:
		rc = kc_target_all(kc, KC_DEF_NO, o);
		break;
	case KCONFIG_TARGET_ALLYESCONFIG:
		rc = kc_target_all(kc, KC_DEF_YES, o);
		break;
	case KCONFIG_TARGET_ALLMODCONFIG:
		rc = kc_target_all(kc, KC_DEF_MOD, o);
		break;
	case KCONFIG_TARGET_RANDCONFIG:
		rc = kc_target_all(kc, KC_DEF_RANDOM, o);
		break;
	case KCONFIG_TARGET_DEFCONFIG:
		rc = kc_target_defconfig(kc, o);
		break;
	case KCONFIG_TARGET_TINYCONFIG:
		rc = kc_target_tiny(kc, o);
		break;
	case KCONFIG_TARGET_FRAGMENT:
		rc = kc_target_fragment(kc, o);
		break;
	default:
		return kc_error(kc, KCONFIG_EINVAL, "unknown target %d", (int)target);
	}
	if (!rc)
		rc = kc_target_werror(kc, kc->sym_warnings);
	return rc;
}
