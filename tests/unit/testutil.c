/*
 * testutil.c - scratch files for the cmocka unit tests: temporary
 * directories, files written into them, their removal (see testutil.h).
 *
 * Test code: every failure is a cmocka assertion naming the path, never a
 * return code to check.  The one piece of state is the failure record of
 * tu_remove_tree(), because nftw() gives its callback no payload; a test
 * removes trees from its main thread only.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

void tu_tempdir(char *buf, size_t len, const char *name)
{
	int n;

	assert_non_null(name);
	assert_null(strchr(name, '/'));
	n = snprintf(buf, len, "/tmp/kmin-test-%s-XXXXXX", name);
	assert_true(n > 0 && (size_t)n < len);
	if (!mkdtemp(buf))
		fail_msg("mkdtemp %s: %s", buf, strerror(errno));
}

/* path = dir/rel, checked to fit */
static void join(char path[PATH_MAX], const char *dir, const char *rel)
{
	int n = snprintf(path, PATH_MAX, "%s/%s", dir, rel);

	assert_true(n > 0 && n < PATH_MAX);
}

/* mkdir -p of the directories in rel below dir (not of rel's last name) */
static void make_parents(const char *dir, const char *rel)
{
	char path[PATH_MAX];
	size_t base = strlen(dir) + 1;

	join(path, dir, rel);
	for (char *slash = strchr(path + base, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*slash = '/';
	}
}

void tu_write(const char *dir, const char *rel, const void *data, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	assert_non_null(dir);
	assert_non_null(rel);
	assert_true(rel[0] != '\0' && rel[0] != '/');
	make_parents(dir, rel);
	join(path, dir, rel);
	f = fopen(path, "wb");
	if (!f)
		fail_msg("open %s: %s", path, strerror(errno));
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		fail_msg("write %s: short write", path);
	}
	if (fclose(f) != 0)
		fail_msg("close %s: %s", path, strerror(errno));
}

void tu_write_str(const char *dir, const char *rel, const char *text)
{
	tu_write(dir, rel, text, strlen(text));
}

const char *tu_path(const char *dir, const char *rel)
{
	static char buf[4][512];
	static int i;
	int n;

	i = (i + 1) % 4;
	n = snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, rel);
	assert_true(n > 0 && (size_t)n < sizeof(buf[i]));
	return buf[i];
}

/* the first entry tu_remove_tree() could not remove, and why */
static struct {
	char path[PATH_MAX];
	int err;
} removal_failure;

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	int rc;

	(void)st;
	(void)ftw;
	if (type == FTW_NS) {
		rc = -1;
		errno = EACCES;
	} else {
		/* an unreadable directory (FTW_DNR) goes if it is empty, as with rm -rf */
		rc = type == FTW_DP || type == FTW_DNR ? rmdir(path) : unlink(path);
	}
	if (rc == 0)
		return 0;
	snprintf(removal_failure.path, sizeof(removal_failure.path), "%s", path);
	removal_failure.err = errno;
	return 1;	/* stops the walk */
}

void tu_remove_tree(const char *dir)
{
	int rc;

	assert_non_null(dir);
	if (strncmp(dir, "/tmp/", 5) != 0 || dir[5] == '\0' || dir[5] == '/' ||
	    strstr(dir, "/..") != NULL)
		fail_msg("tu_remove_tree: refusing '%s': not a directory below /tmp/", dir);
	removal_failure.path[0] = '\0';
	removal_failure.err = 0;
	rc = nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (rc == -1)
		fail_msg("remove %s: %s", dir, strerror(errno));
	if (rc != 0)
		fail_msg("remove %s: %s", removal_failure.path, strerror(removal_failure.err));
}
