/*
 * testutil.h - scratch files for the cmocka unit tests (tests/unit/).
 *
 * Many unit tests build a small tree in a temporary directory (a Kconfig
 * tree, a fake kernel, a results database), write files into it and remove
 * it at the end.  These three helpers are that code, once:
 *
 *   tu_tempdir()      makes /tmp/kmin-test-NAME-XXXXXX (mkdtemp) into the
 *                     caller's buffer;
 *   tu_write()        writes a file under such a directory, making the
 *                     parent directories of its relative name first;
 *   tu_remove_tree()  removes such a directory and all it holds, without a
 *                     shell, and only below /tmp/.
 *
 * Each one checks every step with a cmocka assertion: a failure fails the
 * test (or the fixture) that called it, naming the path.  So they are for
 * test code only; testutil.c is linked into every unit test executable
 * (tests/meson.build).  Include this header after <cmocka.h>.
 */
#ifndef KMIN_TESTUTIL_H
#define KMIN_TESTUTIL_H

#include <stddef.h>

/*
 * Make a fresh directory /tmp/kmin-test-NAME-XXXXXX (mkdtemp, mode 0700)
 * and store its path in buf (len bytes, 64 is plenty for short names).
 * The caller removes it with tu_remove_tree().
 */
void tu_tempdir(char *buf, size_t len, const char *name);

/*
 * Write exactly len bytes of data to dir/rel, replacing the file if it
 * exists.  rel is relative (no leading '/'); the directories it names
 * below dir are made (0755) when missing, like mkdir -p.
 */
void tu_write(const char *dir, const char *rel, const void *data, size_t len);

/* tu_write() of a NUL-terminated text, without the NUL. */
void tu_write_str(const char *dir, const char *rel, const char *text);

/*
 * "dir/rel" in one of 4 static buffers used in turn: valid until the
 * fourth call after it (enough for the paths of one target run).
 */
const char *tu_path(const char *dir, const char *rel);

/*
 * Remove dir and everything below it (rm -rf without the shell): files and
 * symbolic links are unlinked, directories removed after their contents;
 * links are not followed.  dir must be a path below /tmp/ without "..":
 * anything else ("", "/", a source tree) fails the test before anything
 * is touched.  A directory that cannot be read or emptied (say, left
 * read-only by the test) fails the test too.
 */
void tu_remove_tree(const char *dir);

#endif
