/*
 * require.c - parse `--require USB,SPI,CONFIG_FOO=m` into requirements.
 *
 * Called once per command with a short list; the only costly step is the
 * "did you mean" search over every symbol of the tree (~20,000 names on
 * arm) when an item is unknown, which is a bounded edit distance per name.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmin/error.h"
#include "kmin/require.h"

void kmin_requirements_clear(struct kmin_requirements *reqs)
{
	for (size_t i = 0; i < reqs->n; i++) {
		free(reqs->items[i].text);
		free(reqs->items[i].symbol);
	}
	free(reqs->items);
	reqs->items = NULL;
	reqs->n = 0;
}

/* Case-insensitive Levenshtein distance, giving up above `limit`. */
static size_t edit_distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b);
	if ((la > lb ? la - lb : lb - la) > limit || la > 255 || lb > 255)
		return limit + 1;
	size_t row[256];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], best = row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = toupper((unsigned char)a[i - 1]) != toupper((unsigned char)b[j - 1]);
			size_t v = diag + cost;
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
	}
	return row[lb];
}

const char *kmin_suggest(const char *name, const char *const *candidates, size_t n)
{
	size_t len = strlen(name);
	size_t limit = len < 4 ? 1 : len < 9 ? 2 : 3;
	const char *best = NULL;
	size_t best_d = limit + 1;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(name, candidates[i], best_d - 1 < limit ? best_d - 1 : limit);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best;
}

/* Feature names and aliases, then the tree's symbols, as one list. */
static const char **candidate_list(const struct kmin_features *fs, const char *const *symbols,
				   size_t *n)
{
	size_t count = 0, nsym = 0;
	for (size_t i = 0; i < kmin_features_count(fs); i++)
		count += 1 + kmin_features_at(fs, i)->naliases;
	while (symbols && symbols[nsym])
		nsym++;
	const char **v = malloc((count + nsym + 1) * sizeof(*v));
	if (!v)
		return NULL;
	count = 0;
	for (size_t i = 0; i < kmin_features_count(fs); i++) {
		const struct kmin_feature *f = kmin_features_at(fs, i);
		v[count++] = f->name;
		for (size_t j = 0; j < f->naliases; j++)
			v[count++] = f->aliases[j];
	}
	for (size_t i = 0; i < nsym; i++)
		v[count++] = symbols[i];
	*n = count;
	return v;
}

static int unknown_item(const char *item, const char *name, const struct kmin_features *fs,
			const char *const *symbols, char *err, size_t errlen)
{
	size_t n = 0;
	const char **cands = candidate_list(fs, symbols, &n);
	const char *hint = cands ? kmin_suggest(name, cands, n) : NULL;
	int rc = hint ? kmin_errf(err, errlen, "unknown requirement '%s'; did you mean '%s'?", item, hint)
		      : kmin_errf(err, errlen,
			     "unknown requirement '%s': not a feature (see 'kmin features') "
			     "nor a symbol of this tree", item);
	free(cands);
	return rc;
}

static bool valid_symbol_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* Parse one trimmed item into *r. */
static int parse_item(struct kmin_require *r, const char *item, const struct kmin_features *fs,
		      kmin_symbol_exists_fn exists, void *payload, const char *const *symbols,
		      char *err, size_t errlen)
{
	char name[256];
	const char *eq = strchr(item, '=');
	size_t len = eq ? (size_t)(eq - item) : strlen(item);
	bool prefixed = !strncmp(item, "CONFIG_", 7);

	if (len >= sizeof(name))
		return kmin_errf(err, errlen, "requirement '%.40s...' is too long", item);
	memcpy(name, item, len);
	name[len] = '\0';
	r->text = strdup(item);
	if (!r->text)
		return kmin_errf(err, errlen, "out of memory");
	r->value = 'y';
	if (eq) {
		if (strlen(eq + 1) != 1 || !strchr("ymn", eq[1]))
			return kmin_errf(err, errlen, "requirement '%s': expected =y, =m or =n after '%s'",
				    item, name);
		r->value = eq[1];
		r->value_given = true;
	}
	if (!prefixed && !eq && (r->feature = kmin_features_find(fs, name)))
		return 0;
	const char *sym = prefixed ? name + 7 : name;
	if (!valid_symbol_name(sym))
		return kmin_errf(err, errlen, "requirement '%s': '%s' is not a symbol name", item, sym);
	if (!exists || !exists(payload, sym))
		return unknown_item(item, sym, fs, symbols, err, errlen);
	r->symbol = strdup(sym);
	return r->symbol ? 0 : kmin_errf(err, errlen, "out of memory");
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int kmin_requirements_parse(struct kmin_requirements *out, const char *list,
			    const struct kmin_features *fs, kmin_symbol_exists_fn exists,
			    void *payload, const char *const *symbol_names, char *err,
			    size_t errlen)
{
	char *copy = strdup(list), *save = NULL;
	int rc = 0;

	out->items = NULL;
	out->n = 0;
	if (!copy)
		return kmin_errf(err, errlen, "out of memory");
	for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		char *item = trim(tok);
		if (!*item)
			continue;
		struct kmin_require *items = realloc(out->items, (out->n + 1) * sizeof(*items));
		if (!items) {
			rc = kmin_errf(err, errlen, "out of memory");
			break;
		}
		out->items = items;
		memset(&items[out->n], 0, sizeof(items[0]));
		out->n++;
		rc = parse_item(&items[out->n - 1], item, fs, exists, payload, symbol_names, err,
				errlen);
	}
	free(copy);
	if (!rc && !out->n)
		rc = kmin_errf(err, errlen, "--require needs at least one feature or symbol");
	if (rc)
		kmin_requirements_clear(out);
	return rc;
}
