/*
 * store_boot.h - boots of builds in the results store (schema 0005,
 * db/store_boot.c).
 *
 * A boot belongs to a real build (builds.id with cached_from NULL): a
 * cached row answers with the boot of the build it came from, so booting
 * a config already built never builds it again.  Strings are borrowed
 * (record) or owned by the row (get: free with kmin_store_boot_clear()).
 * Functions return 0/1 as documented or a negative store code with a
 * message in err.
 */
#ifndef KMIN_STORE_BOOT_H
#define KMIN_STORE_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmin/store.h"

struct kmin_store_boot {
	int64_t build_id;
	const char *board;		/* QEMU machine */
	const char *status;		/* "ok", "failed", "timeout" */
	double seconds;
	bool marker;
	const char *message;		/* NULL or "" when ok */
	bool has_memory;		/* the fields below are known */
	int64_t available_k, total_k, code_k, rwdata_k, rodata_k, init_k, bss_k, reserved_k;
	int64_t cma_reserved_k;		/* -1 unknown */
	int64_t created_ms;		/* 0: now */
	void *mem_;			/* private: storage of a get's strings */
};

/* Record (or replace) the boot of b->build_id. */
int kmin_store_boot_record(struct kmin_store *s, const struct kmin_store_boot *b, char *err,
			   size_t errlen);

/*
 * The boot of build_id, or of the build it was answered from when it is a
 * cached row: 1 and *out, 0 when it was never booted.
 */
int kmin_store_boot_get(struct kmin_store *s, int64_t build_id, struct kmin_store_boot *out,
			char *err, size_t errlen);

void kmin_store_boot_clear(struct kmin_store_boot *b);

#endif
