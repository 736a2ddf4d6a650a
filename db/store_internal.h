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

/*
 * One statement, prepared for this call, on the store's connection: the
 * loop every read and write of store_run.c, store_query.c, store_track.c,
 * store_report.c, store_divergence.c and store_boot.c would otherwise
 * spell out.  Under the store's lock from prepare to finalize (the lock is
 * recursive: a row callback may call the store again on the same thread,
 * and a caller holding kmin_store_acquire() keeps it across the call).
 *
 * bind(st, arg) sets the parameters (NULL: none).  row(st, arg) is called
 * per result row (NULL: rows are stepped over); the row's columns are
 * borrowed for the call.  It returns 0 for the next row, a positive value
 * to stop there, or a negated SQLite result code (-SQLITE_NOMEM, ...) for
 * a failure, reported like SQLite's own.
 */
typedef void kmin_store_bind_fn(sqlite3_stmt *st, void *arg);
typedef int kmin_store_row_fn(sqlite3_stmt *st, void *arg);

/*
 * Run sql to its end.  0 when done, row()'s positive value when it
 * stopped, else a negative enum kmin_store_error with
 * "<what> '<path>': <SQLite's message>" in err (kmin_store_sql_error()).
 */
int kmin_store_rows(struct kmin_store *s, const char *sql, kmin_store_bind_fn *bind,
		    kmin_store_row_fn *row, void *arg, const char *what, char *err,
		    size_t errlen);

/*
 * As kmin_store_rows() for a query of at most one wanted row: row() sees
 * only the first (its positive returns are ignored).  1 when there was a
 * row, 0 when none, or a negative enum kmin_store_error.
 */
int kmin_store_row(struct kmin_store *s, const char *sql, kmin_store_bind_fn *bind,
		   kmin_store_row_fn *row, void *arg, const char *what, char *err,
		   size_t errlen);

/*
 * As kmin_store_rows() for an INSERT, without row callback: 0 and, when
 * rowid is not NULL, *rowid = the new row's id, read before the lock is
 * let go (so no other thread's insert comes between).
 */
int kmin_store_insert(struct kmin_store *s, const char *sql, kmin_store_bind_fn *bind,
		      void *arg, int64_t *rowid, const char *what, char *err, size_t errlen);

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
