/*
 * store_boot.c - boots of builds (schema 0005; include/kmin/store_boot.h).
 *
 * Written by record.c after a worker booted a build, read by `kmin build`
 * (a cached answer shows its boot), `kmin builds` (the boot and
 * boot_seconds fields), the search (--require BOOT) and `kmin fit` (the
 * Memory: figures).  One row per build, a few per second at most: the
 * statements are prepared per call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kmin/error.h"
#include "kmin/store_boot.h"
#include "store_internal.h"

static void boot_bind(sqlite3_stmt *st, void *arg)
{
	const struct kmin_store_boot *b = arg;
	int64_t mem[] = { b->available_k, b->total_k, b->code_k, b->rwdata_k, b->rodata_k,
			  b->init_k, b->bss_k, b->reserved_k, b->cma_reserved_k };

	sqlite3_bind_int64(st, 1, b->build_id);
	sqlite3_bind_text(st, 2, b->board, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b->status, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 4, b->seconds);
	sqlite3_bind_int(st, 5, b->marker);
	kmin_store_bind_text_or_null(st, 6, b->message && *b->message ? b->message : NULL);
	for (int i = 0; i < 9; i++)
		if (b->has_memory)
			kmin_store_bind_size_or_null(st, 7 + i, mem[i]);
	sqlite3_bind_int64(st, 16, b->created_ms ? b->created_ms : kmin_store_now_ms());
}

int kmin_store_boot_record(struct kmin_store *s, const struct kmin_store_boot *b, char *err,
			   size_t errlen)
{
	/* the binder only reads *b */
	return kmin_store_rows(s,
		"INSERT OR REPLACE INTO boots(build_id, board, status, seconds, marker, message,"
		" available_k, total_k, code_k, rwdata_k, rodata_k, init_k, bss_k, reserved_k,"
		" cma_reserved_k, created_ms)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
		boot_bind, NULL, (void *)b, "cannot record a boot in", err, errlen);
}

static int64_t col_size(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

/* The strings of one row, in one allocation kept in mem_. */
static int fill(sqlite3_stmt *st, struct kmin_store_boot *out)
{
	const char *cols[3];
	size_t len[3], total = 0;
	char *mem, *p;

	for (int i = 0; i < 3; i++) {
		cols[i] = (const char *)sqlite3_column_text(st, 1 + i);
		len[i] = cols[i] ? strlen(cols[i]) + 1 : 0;
		total += len[i];
	}
	mem = p = malloc(total + 1);
	if (!mem)
		return -1;
	memset(out, 0, sizeof(*out));
	const char **dst[3] = { &out->board, &out->status, &out->message };
	for (int i = 0; i < 3; i++) {
		if (!cols[i])
			continue;
		memcpy(p, cols[i], len[i]);
		*dst[i] = p;
		p += len[i];
	}
	out->mem_ = mem;
	out->build_id = sqlite3_column_int64(st, 0);
	out->seconds = sqlite3_column_double(st, 4);
	out->marker = sqlite3_column_int(st, 5) != 0;
	out->has_memory = sqlite3_column_type(st, 6) != SQLITE_NULL;
	int64_t *mems[] = { &out->available_k, &out->total_k, &out->code_k, &out->rwdata_k,
			    &out->rodata_k, &out->init_k, &out->bss_k, &out->reserved_k,
			    &out->cma_reserved_k };
	for (int i = 0; i < 9; i++)
		*mems[i] = col_size(st, 6 + i);
	out->created_ms = sqlite3_column_int64(st, 15);
	return 0;
}

/* kmin_store_boot_get()'s query: the build bound to ?1, where its row goes. */
struct boot_query {
	int64_t build_id;
	struct kmin_store_boot *out;
	bool oom;
};

static void boot_get_bind(sqlite3_stmt *st, void *arg)
{
	sqlite3_bind_int64(st, 1, ((struct boot_query *)arg)->build_id);
}

static int boot_get_row(sqlite3_stmt *st, void *arg)
{
	struct boot_query *q = arg;

	q->oom = fill(st, q->out) < 0;
	return 0;
}

int kmin_store_boot_get(struct kmin_store *s, int64_t build_id, struct kmin_store_boot *out,
			char *err, size_t errlen)
{
	struct boot_query q = { build_id, out, false };
	int rc;

	memset(out, 0, sizeof(*out));
	/* columns: 0 build_id, 1 board, 2 status, 3 message, 4 seconds, 5 marker, 6.. memory */
	rc = kmin_store_row(s,
		"SELECT build_id, board, status, message, seconds, marker, available_k, total_k,"
		" code_k, rwdata_k, rodata_k, init_k, bss_k, reserved_k, cma_reserved_k, created_ms"
		" FROM boots WHERE build_id ="
		" (SELECT coalesce(cached_from, id) FROM builds WHERE id = ?1)",
		boot_get_bind, boot_get_row, &q, "cannot read a boot from", err, errlen);
	return rc == 1 && q.oom ? kmin_errf(err, errlen, "out of memory") : rc;
}

void kmin_store_boot_clear(struct kmin_store_boot *b)
{
	free(b->mem_);
	memset(b, 0, sizeof(*b));
}
