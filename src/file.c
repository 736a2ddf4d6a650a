/*
 * file.c - read a whole file into memory (file.h).
 *
 * Used for configs, build logs, generated boot files: kilobytes to a few
 * megabytes.  The size is not trusted from stat (logs grow, /proc files
 * report 0), so the buffer grows while reading.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "kmin/file.h"

#define FILE_CHUNK 65536

char *kmin_file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, used = 0, n;
	int saved;

	if (!f)
		return NULL;
	do {
		if (cap - used < FILE_CHUNK) {
			char *nb = realloc(buf, cap + FILE_CHUNK + 1);
			if (!nb) {
				errno = ENOMEM;
				goto fail;
			}
			buf = nb;
			cap += FILE_CHUNK;
		}
		n = fread(buf + used, 1, cap - used, f);
		used += n;
	} while (n);
	if (ferror(f)) {
		errno = EIO;
		goto fail;
	}
	fclose(f);
	buf[used] = '\0';
	if (len)
		*len = used;
	return buf;
fail:
	saved = errno;
	free(buf);
	fclose(f);
	errno = saved;
	return NULL;
}
