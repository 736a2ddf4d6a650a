/*
 * store_query.h - read-only questions to the results store, for the query
 * commands (`kmin runs`, `kmin show`, `kmin best`, `kmin diff`,
 * `kmin export`).
 *
 * Everything here only reads: each call opens its own read-only SQLite
 * connection to the file of a store opened with kmin_store_open() (give
 * it KMIN_STORE_READONLY so that a query never creates or migrates a
 * file; that open has already refused foreign, corrupt and newer files)
 * and closes it before returning.  A listing runs in one read
 * transaction, so it sees one consistent state even while a search
 * writes beside it.
 *
 * Callbacks: return 0 to go on; a positive value stops the listing and
 * is returned.  Every pointer a callback gets is borrowed for the call.
 *
 * Errors: 0 (or the value stated) on success, a negative enum
 * kmin_store_error with a one-line message naming the database file in
 * err[errlen] on failure.  Nothing here prints.
 */
#ifndef KMIN_STORE_QUERY_H
#define KMIN_STORE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmin/store.h"

/* Sizes of one build in bytes; -1 unknown. */
struct kmin_query_sizes {
	int64_t text, data, bss, image;
};

/* A run with what the listing shows beside it. */
struct kmin_query_run {
	struct kmin_run run;		/* the row (strings borrowed) */
	const char *kernel;		/* git describe of the tree, else its version; "" unknown */
	const char *kernel_version;	/* "6.1.158"; "" unknown */
	const char *commit;		/* full git commit id; NULL for a plain tree */
	bool dirty;			/* the git tree had local changes */
	const char *toolchain;		/* compiler version text; "" unknown */
	const char *track;		/* the nightly job's name; NULL: none (or no such column) */
	int64_t accepted, rejected;	/* steps of each kind */
	int64_t final_build_id;		/* newest ok real build of the final config on the run's
					 * kernel, toolchain and arch; 0 none */
	struct kmin_query_sizes final;	/* that build's sizes */
};

typedef int (*kmin_query_run_fn)(void *payload, const struct kmin_query_run *run);

/* Every run oldest first (run_id 0), or only run_id (fn not called: no such run). */
int kmin_store_query_runs(struct kmin_store *s, int64_t run_id, kmin_query_run_fn fn,
			  void *payload, char *err, size_t errlen);

/*
 * The newest ok real build of config sha256: on kernel_id, toolchain_id
 * and arch when they are non-zero/non-NULL, else on any.  1 and *build_id,
 * *sizes filled; 0 when there is none.
 */
int kmin_store_query_config_build(struct kmin_store *s, const char *sha256, int64_t kernel_id,
				  int64_t toolchain_id, const char *arch, int64_t *build_id,
				  struct kmin_query_sizes *sizes, char *err, size_t errlen);

/*
 * The full SHA-256 of the stored config whose hash starts with prefix
 * (4 to 64 hex digits) into out[65]: 1 found, 0 none, KMIN_STORE_EINVAL
 * when several match or prefix is not hex.
 */
int kmin_store_query_config_sha(struct kmin_store *s, const char *prefix, char out[65],
				char *err, size_t errlen);

/* One row of the export: a build joined with its config, kernel and toolchain. */
struct kmin_query_export_row {
	int64_t id;
	const char *arch, *image, *status;	/* status: "ok", "failed", "timeout" */
	struct kmin_query_sizes sizes;
	double seconds;
	const char *worker;
	int64_t started_ms, finished_ms;
	int64_t cached_from;			/* 0: a real build */
	const char *first_error;		/* "" none */
	const char *config_sha256;
	int64_t config_bytes;			/* length of the normalized .config */
	const char *kernel_ident;		/* "git:<commit>", "tree:<sha256>" */
	const char *kernel_version;
	const char *kernel_describe;		/* "" for a plain tree */
	const char *kernel_commit;		/* "" for a plain tree */
	bool kernel_dirty;
	const char *kernel_path;
	const char *toolchain;
};

typedef int (*kmin_query_export_fn)(void *payload, const struct kmin_query_export_row *row);

/* Every build, oldest first. */
int kmin_store_query_export(struct kmin_store *s, kmin_query_export_fn fn, void *payload,
			    char *err, size_t errlen);

/*
 * Requirement lists as sets: does the list `have` (a run's --require as
 * given, e.g. "usb, CONFIG_SPI=y") contain every item of `want`?  Items
 * are compared after trimming blanks, upper-casing, dropping a leading
 * "CONFIG_" and a trailing "=y" ("=m" and "=n" stay: they ask for
 * something else); order and repetition do not matter.  Pure; never fails.
 */
bool kmin_requirements_cover(const char *have, const char *want);

/* Do the two lists name the same set (each covers the other)? */
bool kmin_requirements_equal(const char *a, const char *b);

#endif
