/*
 * store_internal.h - helpers shared by the store's files and its tests.
 *
 * Not a public API: only the store's C files and tests/unit/test_store.c
 * include it.
 * Functions return 0 or -1 (out of memory, or damaged input) and never
 * print.
 */
#ifndef KMIN_STORE_INTERNAL_H
#define KMIN_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct kmin_store;

/*
 * The store's connection for the store's other files (store_run.c, ...):
 * kmin_store_acquire() takes the store's (recursive) lock and returns the
 * handle, borrowed until the matching kmin_store_release().  Statements
 * prepared on it are the caller's to finalize before releasing.
 */
sqlite3 *kmin_store_acquire(struct kmin_store *s);
void kmin_store_release(struct kmin_store *s);

/*
 * "<what> '<path>': <SQLite's message>" in err for the result code rc of
 * the store's connection (corrupt and busy databases get their own
 * words); returns the enum kmin_store_error that fits rc.
 */
int kmin_store_sql_error(struct kmin_store *s, int rc, const char *what, char *err,
			 size_t errlen);

/* Now, Unix epoch milliseconds (the store's times). */
int64_t kmin_store_now_ms(void);

/* Bind text, or NULL for a NULL pointer. */
void kmin_store_bind_text_or_null(sqlite3_stmt *st, int i, const char *text);
/* Bind a size in bytes, or NULL for v < 0 (unknown). */
void kmin_store_bind_size_or_null(sqlite3_stmt *st, int i, int64_t v);
/* Bind a row id, or NULL for v <= 0 (none). */
void kmin_store_bind_id_or_null(sqlite3_stmt *st, int i, int64_t v);

/*
 * Inside kmin_store_build_record()'s transaction: b's engine check of
 * build build_id (an engine_checks row and a divergences row per symbol;
 * db/store_divergence.c).  An SQLite result code; SQLITE_OK when done.
 */
struct kmin_build;
int kmin_store_divergences_insert(sqlite3 *db, int64_t build_id, const struct kmin_build *b);

/* zstd level of stored configs: ~5x smaller, ~10 ms for a 100 KB config. */
#define KMIN_STORE_ZSTD_LEVEL 12

/*
 * Compress len bytes of src into one zstd frame.  *out (malloc'ed, the
 * caller's to free) gets *outlen bytes.
 */
int kmin_store_compress(const void *src, size_t len, void **out, size_t *outlen);

/*
 * Decompress a zstd frame that must hold exactly `size` bytes.  *out is
 * malloc'ed, NUL-terminated after the `size` bytes, the caller's to free.
 * -1 when the frame is damaged or of another size.
 */
int kmin_store_decompress(const void *src, size_t len, size_t size, char **out);

/* SHA-256 of len bytes as lowercase hex into hex[65].  0 or -1. */
int kmin_store_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
