/*
 * output.h - every message the kmin program prints goes through here.
 *
 * Messages follow git's style: lowercase, no final full stop, the problem
 * first and the subject quoted: "kmin: error: cannot open 'x.config'".
 * Libraries never print: they return an error code and a message that a
 * command passes to kmin_errorf().
 */
#ifndef KMIN_OUTPUT_H
#define KMIN_OUTPUT_H

#include <stdbool.h>

#include "kconfig/kconfig.h"

/* "kmin: error: ..." to stderr; returns KMIN_EXIT_USAGE-independent -1 for `return kmin_errorf(...)` chains. */
int kmin_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "kmin: warning: ..." to stderr. */
void kmin_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress and information to stderr, unless quiet. */
void kmin_infof(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kmin_output_set_quiet(bool quiet);
/* True when stderr is a terminal (live progress lines allowed). */
bool kmin_output_is_tty(void);

/*
 * The engine's diagnostic callback: "file:line: warning: message" to
 * stderr.  payload may point to a bool that, when true, drops everything
 * but errors.
 */
void kmin_print_diag(void *payload, const struct kconfig_diag *diag);

#endif
