/*
 * features.h - named features a user can require: USB, WIFI, SPI ...
 *
 * A feature maps a name users know to the Kconfig symbols that must be on
 * and to the functions in vmlinux that prove it was built.  The list ships
 * with kmin (src/features.conf, compiled in) and users extend it with
 * their own file in the same format.
 *
 * Errors: functions return 0 or -1 and write a message naming the file
 * and line into `err` (size `errlen`).
 */
#ifndef KMIN_FEATURES_H
#define KMIN_FEATURES_H

#include <stddef.h>

struct kmin_feature {
	char *name;		/* upper case as written in the file */
	char *description;
	char **aliases;
	size_t naliases;
	char **symbols;		/* without CONFIG_ */
	size_t nsymbols;
	char **elf;		/* function or object names */
	size_t nelf;
	char *file;		/* where it was defined */
	int line;
};

struct kmin_features;

/* The built-in list.  *out is freed with kmin_features_free(). */
int kmin_features_new(struct kmin_features **out, char *err, size_t errlen);
void kmin_features_free(struct kmin_features *fs);

/* Add the features of a file (replacing ones of the same name). */
int kmin_features_load(struct kmin_features *fs, const char *path, char *err, size_t errlen);
/* The same from text in memory; `file` names it in messages. */
int kmin_features_parse(struct kmin_features *fs, const char *text, const char *file,
			char *err, size_t errlen);

/* By name or alias, ignoring case, '-' and '_'.  Borrowed; NULL if none. */
const struct kmin_feature *kmin_features_find(const struct kmin_features *fs, const char *name);
size_t kmin_features_count(const struct kmin_features *fs);
const struct kmin_feature *kmin_features_at(const struct kmin_features *fs, size_t i);

#endif
