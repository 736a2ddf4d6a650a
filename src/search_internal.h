/*
 * search_internal.h - between the search's files (search.c and
 * search_estimate.c) and its unit test; not a public API.
 */
#ifndef KMIN_SEARCH_INTERNAL_H
#define KMIN_SEARCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "kmin/search.h"
#include "kmin/store.h"

/*
 * What the search expects a move to save and to cost, per symbol, from
 * three sources: savings measured by earlier runs (the store), the sizes
 * of the objects Kbuild builds for the symbol (obj-$(CONFIG_X) in the
 * tree's Makefiles, measured in the base build's O= directory), and how
 * many objects name the symbol in their dependency files (.o.cmd), i.e.
 * what a change recompiles.
 */
struct kmin_estimator;

/*
 * Build an estimator.  source: the kernel tree (Kbuild files); objdir:
 * the O= directory of a build of the base, or NULL; store, kernel_id,
 * arch, metric: for learned savings (store may be NULL).  Never fails
 * for missing data (the estimates are then 0); -1 only out of memory.
 * *out is freed with kmin_estimator_free().
 */
int kmin_estimator_new(struct kmin_estimator **out, const char *source, const char *objdir,
		       struct kmin_store *store, int64_t kernel_id, const char *arch,
		       const char *metric);
void kmin_estimator_free(struct kmin_estimator *e);
/* Whether symbol is =y in the tree's tiny.config fragments. */
bool kmin_estimator_tiny(struct kmin_estimator *e, const char *symbol);

/* Fill m->estimate (bytes) and m->cost (relative build seconds, >= 1). */
void kmin_estimator_score(struct kmin_estimator *e, struct kmin_move *m);

/* Learn a measured single-move saving (this run). */
void kmin_estimator_learn(struct kmin_estimator *e, const char *symbol, int64_t saving);

/* Sort moves: best expected saving per build-second first, unknown ones in Kconfig order. */
void kmin_moves_sort(struct kmin_move *v, size_t n);

#endif
