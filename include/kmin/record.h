/*
 * record.h - put a worker's job result into the results store.
 *
 * Workers build what they are given and know no SQL; the store holds data
 * and knows no workers.  This is the one place that turns a
 * kmin_job_result (worker.h) into a kmin_build row (store.h), for
 * `kmin build` and the search alike.
 */
#ifndef KMIN_RECORD_H
#define KMIN_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "kmin/store.h"
#include "kmin/worker.h"

/*
 * Store the config text (deduplicated) and record the result of building it
 * under `key` (its config_sha256 must be the text's): status, sizes and
 * sections for an ok build, first error and log tail otherwise, worker and
 * times.  *build_id (may be NULL) gets the new row's id.  Only ok, failed
 * and timeout results belong in the store; the caller filters the others.
 * 0, or a negative store code with a message in err.
 */
int kmin_record_job(struct kmin_store *store, const char *config, size_t len,
		    const struct kmin_build_key *key, const struct kmin_job_result *r,
		    int64_t *build_id, char *err, size_t errlen);

/*
 * The boot of an ok result (r->booted) as the boot of build_id
 * (store_boot.h); kmin_record_job() calls it.  0, or a negative store code.
 */
int kmin_record_boot(struct kmin_store *store, int64_t build_id, const struct kmin_job_result *r,
		     char *err, size_t errlen);

/* Milliseconds since the epoch, the store's unit of time. */
int64_t kmin_record_now_ms(void);

#endif
