/*
 * cmd_track.h - `kmin run --track NAME`: keeping the job for `kmin nightly`.
 *
 * src/cmd_run.c calls these two around its search; they live in
 * src/cmd_nightly.c with the nightly and history commands, print their own
 * messages (they are part of the kmin program, not a library) and return
 * 0 or an exit status (commands.h).
 */
#ifndef KMIN_CMD_TRACK_H
#define KMIN_CMD_TRACK_H

#include <stdint.h>

#include "kmin/kernel_id.h"
#include "kmin/store.h"
#include "kmin/store_track.h"

/*
 * Before the search: may this run record into the track job->name?  Yes
 * when there is no such track (the run will create it) or when the track
 * is the same job: same tree, arch, requirements and metric (the base and
 * budgets may differ: nightly starts from the last best config).  0, or
 * KMIN_EXIT_USAGE with a message.
 */
int kmin_run_track_check(struct kmin_store *s, const struct kmin_track *job);

/* What a finished run found, for its night. */
struct kmin_run_night {
	const struct kmin_kernel_id *kid;	/* the tree as the run saw it */
	int64_t kernel_id, toolchain_id, run_id;	/* store rows */
	enum kmin_run_status status;		/* DONE, BUDGET or FAILED */
	const char *config;			/* the final config's text; NULL: none */
	int64_t size;				/* its metric, bytes */
};

/*
 * After the search: create the track (only when the run has a result:
 * a job is kept from a run that found a config) with this run as its first
 * night, or add a night to the existing track.  0, or KMIN_EXIT_FAIL with a
 * message.
 */
int kmin_run_track_record(struct kmin_store *s, const struct kmin_track *job,
			  const struct kmin_run_night *night);

#endif
