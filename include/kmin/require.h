/*
 * require.h - the `--require LIST` language.
 *
 * LIST is comma-separated; each item is a feature name (USB, WIFI, ...; see
 * features.h) or a Kconfig symbol with or without CONFIG_, optionally
 * followed by =y, =m or =n (=n: must stay off).  A bare name that is both a
 * feature and a symbol means the feature; CONFIG_X or X=v always means the
 * symbol.  Unknown names are refused with the closest known name.
 *
 * Errors: functions return 0 or -1 and write a message into `err`.
 */
#ifndef KMIN_REQUIRE_H
#define KMIN_REQUIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "kmin/features.h"

struct kmin_require {
	char *text;				/* the item as written */
	const struct kmin_feature *feature;	/* borrowed from the feature list; NULL for a symbol */
	char *symbol;				/* symbol item: name without CONFIG_ */
	char value;				/* 'y', 'm' or 'n' ('y' for features) */
	bool value_given;			/* "=v" was written */
};

struct kmin_requirements {
	struct kmin_require *items;
	size_t n;
};

/* Does the tree define this symbol? (the engine answers) */
typedef bool (*kmin_symbol_exists_fn)(void *payload, const char *name);

/*
 * Parse LIST.  symbol_names (NULL-terminated, may be NULL) are the tree's
 * symbols, used for "did you mean" together with the feature names.  On
 * success *out holds the items; free with kmin_requirements_clear().
 */
int kmin_requirements_parse(struct kmin_requirements *out, const char *list,
			    const struct kmin_features *fs, kmin_symbol_exists_fn exists,
			    void *payload, const char *const *symbol_names, char *err,
			    size_t errlen);
void kmin_requirements_clear(struct kmin_requirements *reqs);

/*
 * The candidate closest to name (case-insensitive edit distance), or NULL
 * when none is close enough to be a likely typo.  Borrowed from the list.
 */
const char *kmin_suggest(const char *name, const char *const *candidates, size_t n);

#endif
