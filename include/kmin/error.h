/*
 * error.h - the error convention of kmin's libraries.
 *
 * A function that can fail returns 0 on success or -1 (or a negative code
 * of its module) and writes one line of explanation into a buffer the
 * caller owns: `char err[1024]; if (kmin_x(..., err, sizeof(err)))
 * kmin_errorf("%s", err);`.  Messages follow git's style: lowercase, no
 * final full stop, the problem first and the subject quoted.
 */
#ifndef KMIN_ERROR_H
#define KMIN_ERROR_H

#include <stddef.h>

/* Format into err (if err and errlen) and return -1, for `return kmin_errf(...)`. */
int kmin_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
