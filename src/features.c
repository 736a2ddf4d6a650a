/*
 * features.c - the feature list behind `--require USB,WIFI,...`.
 *
 * The format is a small INI dialect (see src/features.conf, which is
 * compiled in): `[NAME]` opens a feature, `key = value` lines fill it,
 * lists are comma-separated.  Files are a few kilobytes, read once per
 * command, so the parser favours clear messages over speed: every error
 * names the file and line and what was expected.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmin/error.h"
#include "kmin/features.h"

extern const char kmin_features_builtin[];

struct kmin_features {
	struct kmin_feature *items;
	size_t n, cap;
};

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void feature_clear(struct kmin_feature *f)
{
	free(f->name);
	free(f->description);
	free(f->file);
	strv_free(f->aliases, f->naliases);
	strv_free(f->symbols, f->nsymbols);
	strv_free(f->elf, f->nelf);
	memset(f, 0, sizeof(*f));
}

void kmin_features_free(struct kmin_features *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n; i++)
		feature_clear(&fs->items[i]);
	free(fs->items);
	free(fs);
}

/* Names compare without case, '-' and '_'. */
static bool name_equal(const char *a, const char *b)
{
	for (;;) {
		while (*a == '-' || *a == '_')
			a++;
		while (*b == '-' || *b == '_')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
			return false;
		a++;
		b++;
	}
}

const struct kmin_feature *kmin_features_find(const struct kmin_features *fs, const char *name)
{
	for (size_t i = 0; i < fs->n; i++) {
		const struct kmin_feature *f = &fs->items[i];
		if (name_equal(f->name, name))
			return f;
		for (size_t j = 0; j < f->naliases; j++)
			if (name_equal(f->aliases[j], name))
				return f;
	}
	return NULL;
}

size_t kmin_features_count(const struct kmin_features *fs)
{
	return fs->n;
}

const struct kmin_feature *kmin_features_at(const struct kmin_features *fs, size_t i)
{
	return i < fs->n ? &fs->items[i] : NULL;
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

static bool valid_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

/* Split "a, b ,c" into a new vector; words must be [A-Za-z0-9_-]+. */
static int split_list(char *value, char ***out, size_t *n, const char *file, int line,
		      const char *key, char *err, size_t errlen)
{
	char **v = NULL, *save = NULL;
	size_t count = 0;

	for (char *tok = strtok_r(value, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *w = trim(tok);
		if (!strncmp(w, "CONFIG_", 7) && !strcmp(key, "symbols"))
			w += 7;
		if (!valid_word(w)) {
			strv_free(v, count);
			return kmin_errf(err, errlen, "%s:%d: expected a name in '%s', got '%s'", file,
				    line, key, w);
		}
		char **nv = realloc(v, (count + 1) * sizeof(*v));
		if (!nv || !(nv[count] = strdup(w))) {
			strv_free(nv ? nv : v, count);
			return kmin_errf(err, errlen, "out of memory");
		}
		v = nv;
		count++;
	}
	strv_free(*out, *n);
	*out = v;
	*n = count;
	return 0;
}

static int set_key(struct kmin_feature *f, const char *key, char *value, const char *file,
		   int line, char *err, size_t errlen)
{
	if (!strcmp(key, "description")) {
		free(f->description);
		f->description = strdup(value);
		return f->description ? 0 : kmin_errf(err, errlen, "out of memory");
	}
	if (!strcmp(key, "aliases"))
		return split_list(value, &f->aliases, &f->naliases, file, line, key, err, errlen);
	if (!strcmp(key, "symbols"))
		return split_list(value, &f->symbols, &f->nsymbols, file, line, key, err, errlen);
	if (!strcmp(key, "elf"))
		return split_list(value, &f->elf, &f->nelf, file, line, key, err, errlen);
	return kmin_errf(err, errlen,
		    "%s:%d: unknown key '%s' (expected aliases, description, symbols or elf)", file,
		    line, key);
}

/* Put a parsed feature into the list, replacing one of the same name. */
static int commit_feature(struct kmin_features *fs, struct kmin_feature *f, char *err,
			  size_t errlen)
{
	if (!f->nsymbols)
		return kmin_errf(err, errlen, "%s:%d: feature '%s' has no 'symbols'", f->file, f->line,
			    f->name);
	for (size_t i = 0; i < fs->n; i++) {
		if (name_equal(fs->items[i].name, f->name)) {
			feature_clear(&fs->items[i]);
			fs->items[i] = *f;
			memset(f, 0, sizeof(*f));
			return 0;
		}
	}
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 16;
		struct kmin_feature *items = realloc(fs->items, cap * sizeof(*items));
		if (!items)
			return kmin_errf(err, errlen, "out of memory");
		fs->items = items;
		fs->cap = cap;
	}
	fs->items[fs->n++] = *f;
	memset(f, 0, sizeof(*f));
	return 0;
}

static int open_section(struct kmin_feature *f, char *s, const char *file, int line, char *err,
			size_t errlen)
{
	char *end = strchr(s, ']');
	if (!end || *trim(end + 1))
		return kmin_errf(err, errlen, "%s:%d: expected '[NAME]'", file, line);
	*end = '\0';
	s = trim(s + 1);
	if (!valid_word(s))
		return kmin_errf(err, errlen, "%s:%d: expected a feature name in '[...]', got '%s'",
			    file, line, s);
	f->name = strdup(s);
	f->file = strdup(file);
	f->line = line;
	if (!f->name || !f->file)
		return kmin_errf(err, errlen, "out of memory");
	for (char *p = f->name; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return 0;
}

static int parse_line(struct kmin_features *fs, struct kmin_feature *cur, char *s,
		      const char *file, int line, char *err, size_t errlen)
{
	s = trim(s);
	if (!*s || *s == '#')
		return 0;
	if (*s == '[') {
		if (cur->name && commit_feature(fs, cur, err, errlen))
			return -1;
		return open_section(cur, s, file, line, err, errlen);
	}
	char *eq = strchr(s, '=');
	if (!eq)
		return kmin_errf(err, errlen, "%s:%d: expected '[NAME]' or 'key = value', got '%s'",
			    file, line, s);
	if (!cur->name)
		return kmin_errf(err, errlen, "%s:%d: 'key = value' before the first '[NAME]'", file,
			    line);
	*eq = '\0';
	return set_key(cur, trim(s), trim(eq + 1), file, line, err, errlen);
}

int kmin_features_parse(struct kmin_features *fs, const char *text, const char *file,
			char *err, size_t errlen)
{
	struct kmin_feature cur = { 0 };
	char *copy = strdup(text);
	int line = 0, rc = 0;

	if (!copy)
		return kmin_errf(err, errlen, "out of memory");
	for (char *s = copy, *next; s && !rc; s = next) {
		next = strchr(s, '\n');
		if (next)
			*next++ = '\0';
		line++;
		rc = parse_line(fs, &cur, s, file, line, err, errlen);
	}
	if (!rc && cur.name)
		rc = commit_feature(fs, &cur, err, errlen);
	feature_clear(&cur);
	free(copy);
	return rc;
}

int kmin_features_load(struct kmin_features *fs, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0;

	if (!f)
		return kmin_errf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
	FILE *mem = open_memstream(&text, &len);
	char buf[8192];
	size_t n;
	while (mem && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, mem);
	bool bad = ferror(f);
	fclose(f);
	if (!mem || fclose(mem) || bad) {
		free(text);
		return kmin_errf(err, errlen, "cannot read '%s'", path);
	}
	if (strlen(text) != len) {
		free(text);
		return kmin_errf(err, errlen, "%s: contains a NUL byte; expected text", path);
	}
	int rc = kmin_features_parse(fs, text, path, err, errlen);
	free(text);
	return rc;
}

int kmin_features_new(struct kmin_features **out, char *err, size_t errlen)
{
	struct kmin_features *fs = calloc(1, sizeof(*fs));

	*out = NULL;
	if (!fs)
		return kmin_errf(err, errlen, "out of memory");
	if (kmin_features_parse(fs, kmin_features_builtin, "features.conf (built in)", err,
				errlen)) {
		kmin_features_free(fs);
		return -1;
	}
	*out = fs;
	return 0;
}
