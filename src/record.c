/*
 * record.c - a worker's job result into the results store (record.h).
 *
 * Called once per finished build by `kmin build` and by the search; the
 * cost is one store transaction.  A result whose job was compared with
 * kmin's engine (checked) carries the differing symbols into the same
 * transaction (store.h: engine_checks and divergences).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#include "kmin/error.h"
#include "kmin/record.h"
#include "kmin/store_boot.h"

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

int kmin_record_boot(struct kmin_store *store, int64_t build_id, const struct kmin_job_result *r,
		     char *err, size_t errlen)
{
	const struct kmin_boot_result *br = &r->boot;
	const struct kmin_boot_memory *m = &br->memory;
	struct kmin_store_boot b = {
		.build_id = build_id,
		.board = r->boot_board ? r->boot_board : "",
		.status = kmin_boot_status_name(br->status),
		.seconds = br->seconds,
		.marker = br->marker,
		.message = br->message,
		.has_memory = br->has_memory,
		.available_k = m->available_k, .total_k = m->total_k, .code_k = m->code_k,
		.rwdata_k = m->rwdata_k, .rodata_k = m->rodata_k, .init_k = m->init_k,
		.bss_k = m->bss_k, .reserved_k = m->reserved_k, .cma_reserved_k = m->cma_reserved_k,
	};

	return kmin_store_boot_record(store, &b, err, errlen);
}

int kmin_record_job(struct kmin_store *store, const char *config, size_t len,
		    const struct kmin_build_key *key, const struct kmin_job_result *r,
		    int64_t *build_id, char *err, size_t errlen)
{
	struct kmin_build b = { 0 };
	struct kmin_section *secs = NULL;
	struct kmin_build_divergence *divs = NULL;
	char worker[32];
	int64_t end = kmin_record_now_ms(), id = 0;
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
	/* the engine check: kept with the build when the job had an expected config */
	b.checked = r->checked && r->config;
	if (b.checked && r->ndivergences) {
		divs = calloc(r->ndivergences, sizeof(*divs));
		if (!divs) {
			free(secs);
			return kmin_errf(err, errlen, "out of memory");
		}
		for (size_t i = 0; i < r->ndivergences; i++) {
			divs[i].symbol = r->divergences[i].symbol;
			divs[i].engine = r->divergences[i].engine;
			divs[i].make = r->divergences[i].make;
		}
		b.divergences = divs;
		b.ndivergences = r->ndivergences;
	}
	rc = kmin_store_build_record(store, &b, &id, err, errlen);
	free(secs);
	free(divs);
	if (rc >= 0 && r->status == KMIN_JOB_OK && r->booted && r->boot.status != KMIN_BOOT_CANCELLED)
		rc = kmin_record_boot(store, id, r, err, errlen);
	if (build_id)
		*build_id = id;
	return rc < 0 ? rc : 0;
}
