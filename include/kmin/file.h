/*
 * file.h - the file-system chores every part of kmin shares, each done one
 * way: reading a whole file, making a directory and its parents, removing
 * a directory tree.
 */
#ifndef KMIN_FILE_H
#define KMIN_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * The contents of the file at PATH, malloc'ed (the caller's, free()) and
 * NUL-terminated after its *len bytes (len may be NULL).  NULL with errno
 * set when it cannot be opened or read, or memory runs out.
 */
char *kmin_file_read(const char *path, size_t *len);

/* mkdir -p; 0 when the directory exists afterwards, else -1 with errno. */
int kmin_mkdir_p(const char *path, mode_t mode);

/*
 * Remove path and, when it is a directory, everything below it (rm -rf):
 * symbolic links are removed, never followed; the walk goes on past an
 * entry it cannot remove.  0 when nothing is left (a path that does not
 * exist included); -1 with errno of the first failure, and EINVAL for ""
 * and "/".
 */
int kmin_remove_tree(const char *path);

#endif
