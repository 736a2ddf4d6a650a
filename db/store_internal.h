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
