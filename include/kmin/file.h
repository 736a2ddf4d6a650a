/*
 * file.h - reading a whole file, the one way kmin does it.
 */
#ifndef KMIN_FILE_H
#define KMIN_FILE_H

#include <stddef.h>

/*
 * The contents of the file at PATH, malloc'ed (the caller's, free()) and
 * NUL-terminated after its *len bytes (len may be NULL).  NULL with errno
 * set when it cannot be opened or read, or memory runs out.
 */
char *kmin_file_read(const char *path, size_t *len);

#endif
