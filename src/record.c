/*
 * record.c - a worker's job result into the results store (record.h).
 *
 * Called once per finished build by `kmin build` and by the search; the
 * cost is one store transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#include "kmin/error.h"
#include "kmin/record.h"

int64_t kmin_record_now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static enum kmin_build_status status_of(const struct kmin_job_result *r)
{
	return r->status == KMIN_JOB_OK ? KMIN_BUILD_OK :
	       r->status == KMIN_JOB_TIMEOUT ? KMIN_BUILD_TIMEOUT : KMIN_BUILD_FAILED;
}

int kmin_record_job(struct kmin_store *store, const char *config, size_t len,
		    const struct kmin_build_key *key, const struct kmin_job_result *r,
		    int64_t *build_id, char *err, size_t errlen)
{
	struct kmin_build b = { 0 };
	struct kmin_section *secs = NULL;
	char worker[32];
	int64_t end = kmin_record_now_ms();
	int rc;

	rc = kmin_store_config_put(store, config, len, NULL, NULL, err, errlen);
	if (rc < 0)
		return rc;
	b.key = *key;
	b.status = status_of(r);
	b.text = b.data = b.bss = b.image_bytes = -1;
	if (r->status == KMIN_JOB_OK) {
		b.text = (int64_t)r->sizes.text;
		b.data = (int64_t)r->sizes.data;
		b.bss = (int64_t)r->sizes.bss;
		b.image_bytes = (int64_t)r->image_bytes;
		secs = calloc(r->sizes.nsections + 1, sizeof(*secs));
		if (!secs)
			return kmin_errf(err, errlen, "out of memory");
		for (size_t i = 0; i < r->sizes.nsections; i++) {
			secs[i].name = r->sizes.sections[i].name;
			secs[i].size = (int64_t)r->sizes.sections[i].size;
		}
		b.sections = secs;
		b.nsections = r->sizes.nsections;
	}
	b.seconds = r->seconds;
	snprintf(worker, sizeof(worker), "w%u", r->worker);
	b.worker = worker;
	b.finished_ms = end;
	b.started_ms = end - (int64_t)(r->seconds * 1000);
	b.first_error = r->status == KMIN_JOB_OK ? NULL : r->message;
	b.log_tail = r->status == KMIN_JOB_OK ? NULL : r->log_tail;
	rc = kmin_store_build_record(store, &b, build_id, err, errlen);
	free(secs);
	return rc < 0 ? rc : 0;
}
