/*
 * file.c - file-system chores shared by kmin (file.h).
 *
 * kmin_file_read() is used for configs, build logs, generated boot files:
 * kilobytes to a few megabytes.  The size is not trusted from stat (logs
 * grow, /proc files report 0), so the buffer grows while reading.
 *
 * kmin_remove_tree() clears scratch directories, job artifacts and build
 * trees (tens of thousands of files): it walks with directory descriptors
 * (openat, unlinkat), so no path is ever rebuilt or limited to PATH_MAX,
 * and keeps no state between calls, so threads may use it at once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int kmin_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, mode) && errno != EEXIST ? -1 : 0;
}

/* Remove name in the directory at, and below it; *first gets the first errno. */
static void remove_at(int at, const char *name, int *first)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	int fd;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno != ENOENT && !*first)
			*first = errno;
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || !(d = fdopendir(fd))) {
			if (!*first)
				*first = errno;
			if (fd >= 0)
				close(fd);
			return;
		}
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				remove_at(dirfd(d), e->d_name, first);
		closedir(d);
	}
	if (unlinkat(at, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) && errno != ENOENT &&
	    !*first)
		*first = errno;
}

int kmin_remove_tree(const char *path)
{
	int first = 0;

	if (!path || !*path || !strcmp(path, "/")) {
		errno = EINVAL;
		return -1;
	}
	remove_at(AT_FDCWD, path, &first);
	if (first) {
		errno = first;
		return -1;
	}
	return 0;
}
