/*
 * store_config.c - .config normalization, hashing and compression.
 *
 * A config's identity in the store is the SHA-256 of its normalized text
 * (see kmin_config_normalize() in store.h for the rule); the text itself
 * is kept as one zstd frame.  Called once per candidate config by the
 * search and the workers (a few thousand times per run, ~100 KB each), so
 * everything here is a single pass over the text.  SHA-256 comes from
 * OpenSSL's EVP interface, compression from libzstd.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zstd.h>

#include "kmin/store.h"
#include "store_internal.h"

static bool is_symbol_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Length of the symbol name at s (after "CONFIG_"), within n bytes. */
static size_t symbol_len(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_symbol_char(s[i]))
		i++;
	return i;
}

/* Is the trimmed line [s, s+n) one conf reads: CONFIG_X=... or "# CONFIG_X is not set"? */
static bool is_config_line(const char *s, size_t n)
{
	static const char unset[] = " is not set";
	const size_t unset_len = sizeof(unset) - 1;
	size_t k;

	if (n > 7 && !memcmp(s, "CONFIG_", 7)) {
		k = symbol_len(s + 7, n - 7);
		return k > 0 && 7 + k < n && s[7 + k] == '=';
	}
	if (n > 9 && !memcmp(s, "# CONFIG_", 9)) {
		k = symbol_len(s + 9, n - 9);
		return k > 0 && 9 + k + unset_len == n && !memcmp(s + 9 + k, unset, unset_len);
	}
	return false;
}

int kmin_config_normalize(const char *text, size_t len, char **out, size_t *outlen)
{
	char *buf = malloc(len + 2);
	size_t o = 0, i = 0;

	if (!buf)
		return -1;
	while (i < len) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t n = nl ? (size_t)(nl - line) : len - i;

		i += n + (nl ? 1 : 0);
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		while (n && (line[0] == ' ' || line[0] == '\t'))
			line++, n--;
		if (!is_config_line(line, n))
			continue;
		memcpy(buf + o, line, n);
		o += n;
		buf[o++] = '\n';
	}
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	return 0;
}

int kmin_store_sha256_hex(const void *data, size_t len, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return -1;
	for (unsigned int i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

int kmin_config_sha256(const char *text, size_t len, char hex[65])
{
	char *norm;
	size_t n;
	int rc;

	if (kmin_config_normalize(text, len, &norm, &n) < 0)
		return -1;
	rc = kmin_store_sha256_hex(norm, n, hex);
	free(norm);
	return rc;
}

int kmin_store_compress(const void *src, size_t len, void **out, size_t *outlen)
{
	size_t cap = ZSTD_compressBound(len);
	void *buf = malloc(cap ? cap : 1);
	size_t n;

	if (!buf)
		return -1;
	n = ZSTD_compress(buf, cap, src, len, KMIN_STORE_ZSTD_LEVEL);
	if (ZSTD_isError(n)) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = n;
	return 0;
}

int kmin_store_decompress(const void *src, size_t len, size_t size, char **out)
{
	unsigned long long declared = ZSTD_getFrameContentSize(src, len);
	char *buf;
	size_t n;

	if (declared != (unsigned long long)size)
		return -1;
	buf = malloc(size + 1);
	if (!buf)
		return -1;
	n = ZSTD_decompress(buf, size, src, len);
	if (ZSTD_isError(n) || n != size) {
		free(buf);
		return -1;
	}
	buf[size] = '\0';
	*out = buf;
	return 0;
}
