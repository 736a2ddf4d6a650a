/*
 * store_track.h - tracked jobs and their nights in the results store
 * (db/store_track.c, schema 0003).
 *
 * A track is a job named with `kmin run ... --track NAME`: the command
 * (tree, arch, cross compiler, requirements, base, metric, strategy,
 * budgets) that `kmin nightly` repeats on every new commit of the tree.
 * A night is one result of a job: the run that answered it, the tree's
 * state (commit, describe, dirty), the best config and its size.  A night
 * whose result was carried over from an earlier one (nothing the build
 * reads changed) has status SAME and names the night it came from.
 *
 * Callers: src/cmd_run.c (creates the track and its first night, adds a
 * night to an existing track), src/cmd_nightly.c (reads the jobs, adds
 * carried-over nights, prints history).  Workload: a few statements per
 * night; like store_run.c every call opens its own short-lived connection
 * to the store's file.
 *
 * Errors: 0 (or 1, where stated) or a negative enum kmin_store_error with
 * a message naming the database file in err[errlen].
 * Ownership: strings passed in are copied; a struct filled by a get or a
 * "last" owns its strings until its _clear(); rows given to a foreach
 * callback are borrowed for the call.
 */
#ifndef KMIN_STORE_TRACK_H
#define KMIN_STORE_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmin/store.h"

struct kmin_track {
	int64_t id;			/* output of create and get */
	const char *name;		/* unique in the database */
	const char *source;		/* absolute path of the kernel tree */
	const char *arch;
	const char *cross_compile;	/* NULL: the arch's default */
	const char *requirements;	/* the --require list as given */
	const char *base;		/* the first run's --base */
	const char *metric, *strategy;	/* names as kmin run spells them */
	int64_t max_builds;		/* per night; 0: none */
	double time_budget;		/* seconds per night; < 0: the run's default, 0: none */
	const char *features;		/* --features FILE; NULL: none */
	int64_t created_ms;		/* 0 on create: now */
	const char *budget;		/* --budget, canonical; NULL: none (metric "budget") */
	const char *boot;		/* --boot's board name; NULL: no boot check */
};

enum kmin_night_status {
	KMIN_NIGHT_OK = 0,		/* a run answered: config and size known */
	KMIN_NIGHT_SAME,		/* carried over from carried_from: nothing built */
	KMIN_NIGHT_FAILED,		/* the run found no config */
};

/* "ok", "same", "failed". */
const char *kmin_night_status_name(enum kmin_night_status status);

struct kmin_night {
	int64_t id;			/* output of add and of reads */
	int64_t track_id;
	int64_t run_id;			/* 0: none */
	int64_t kernel_id;		/* kmin_store_kernel_upsert() of the tree that night */
	int64_t toolchain_id;		/* 0: unknown */
	const char *commit;		/* NULL for a plain tree */
	const char *describe;		/* NULL if none */
	bool dirty;
	enum kmin_night_status status;
	const char *config_sha256;	/* NULL when failed */
	int64_t size;			/* metric bytes; -1 when failed */
	int64_t carried_from;		/* SAME: the night whose result holds; else 0 */
	int64_t created_ms;		/* 0 on add: now */
	/* filled by reads only: */
	const char *kernel_ident;	/* kernels.ident of kernel_id */
	const char *toolchain_ident;	/* toolchains.ident; NULL if unknown */
	int64_t builds;			/* real builds of the night's run; 0 without a run */
	void *mem_;			/* private */
};

/* Insert a track; EINVAL when one of that name exists.  *id_out may be NULL. */
int kmin_store_track_create(struct kmin_store *s, const struct kmin_track *t, int64_t *id_out,
			    char *err, size_t errlen);

/* The track called name into *out: 1, or 0 when there is none.  Free with kmin_track_clear(). */
int kmin_store_track_get(struct kmin_store *s, const char *name, struct kmin_track *out,
			 char *err, size_t errlen);

void kmin_track_clear(struct kmin_track *t);

/* Every track, oldest first; a positive return of fn stops and is returned. */
typedef int (*kmin_track_row_fn)(void *payload, const struct kmin_track *t);
int kmin_store_tracks_foreach(struct kmin_store *s, kmin_track_row_fn fn, void *payload,
			      char *err, size_t errlen);

/* Append a night (n->id and n->created_ms are set).  The read-only fields are ignored. */
int kmin_store_night_add(struct kmin_store *s, struct kmin_night *n, char *err, size_t errlen);

/* flags of kmin_store_night_last() */
#define KMIN_NIGHT_WITH_RESULT 0x1	/* skip failed nights */

/*
 * The newest night of a track (with KMIN_NIGHT_WITH_RESULT: the newest one
 * that has a config) into *out: 1, or 0 when there is none.  Free with
 * kmin_night_clear().
 */
int kmin_store_night_last(struct kmin_store *s, int64_t track_id, unsigned int flags,
			  struct kmin_night *out, char *err, size_t errlen);

void kmin_night_clear(struct kmin_night *n);

/* Every night of a track, oldest first; a positive return of fn stops and is returned. */
typedef int (*kmin_night_row_fn)(void *payload, const struct kmin_night *n);
int kmin_store_nights_foreach(struct kmin_store *s, int64_t track_id, kmin_night_row_fn fn,
			      void *payload, char *err, size_t errlen);

#endif
