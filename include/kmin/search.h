/*
 * search.h - the search: from a solved base config to the smallest config
 * that still builds and keeps every requirement.
 *
 * Who calls it: src/cmd_run.c (`kmin run`, bare `kmin --arch ...`), with
 * an engine context (kconfig.h) holding the parsed tree, an open results
 * store (store.h), a worker pool (worker.h) and a run row it created or
 * found for resume.  The search never prints: it reports through an event
 * callback, and returns its result.
 *
 * How it searches (greedy, but smart):
 *  - Moves are proposed by kmin's Kconfig engine at the current state:
 *    turning off an enabled, user-changeable symbol; lowering a numeric
 *    option to the bottom of its range; turning on a visibility gate
 *    (EXPERT) together with one default-y symbol it makes changeable.  A
 *    move is a candidate only if, propagated by the engine, it changes
 *    the config and keeps every requirement: the rest never reach make.
 *  - Candidates are ordered by expected saving per build-second (what the
 *    database learned from earlier runs on this kernel and arch, object
 *    sizes of the base build mapped to symbols through Kbuild's
 *    obj-$(CONFIG_X), and how many objects a change recompiles).
 *  - They are tested in batches (group testing): a batch that builds,
 *    keeps the requirements and does not grow the metric is accepted
 *    whole; one that fails is split in halves.  Up to W batches build at
 *    once; when one is accepted, the others are re-based on the new state.
 *  - The oracle: the requirements hold in make's olddefconfig, the build
 *    succeeds, the required features' ELF symbols are in vmlinux, and the
 *    metric does not grow.
 *  - It stops when no candidate is left, or the build or time budget is
 *    spent, or (with a flash/RAM budget, budget.h) as soon as the config
 *    fits, and builds the final config once more to verify it.
 *  Strategy LINEAR is the baseline: one move per build, in Kconfig order,
 *  one build at a time.
 *
 * Resume: every build goes to the store and every decision to the run's
 * steps as it happens; a search started on a run that has steps continues
 * from its last accepted state, and builds already done are answered by
 * the store (free for --max-builds).
 *
 * Ownership: options are borrowed for the call; the result is the
 * caller's, freed with kmin_search_result_clear().  Errors: 0 when the
 * search ran (its result says how it ended, including a base that does
 * not build), -1 with a message in err[errlen] when it could not run.
 */
#ifndef KMIN_SEARCH_H
#define KMIN_SEARCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kconfig/kconfig.h"
#include "kconfig/solve.h"
#include "kmin/budget.h"
#include "kmin/store.h"
#include "kmin/worker.h"

enum kmin_metric {
	KMIN_METRIC_DEC = 0,	/* text + data + bss of vmlinux */
	KMIN_METRIC_TEXT,
	KMIN_METRIC_DATA,
	KMIN_METRIC_BSS,
	KMIN_METRIC_IMAGE,	/* bytes of the boot image (zImage) */
	KMIN_METRIC_RAM,	/* data + bss: what an XIP kernel needs in RAM */
	KMIN_METRIC_FLASH,	/* text + data: what an XIP kernel keeps in flash */
	KMIN_METRIC_COUNT
};

/* "dec", "text", ... ; parse returns 0 or -1 for an unknown name. */
const char *kmin_metric_name(enum kmin_metric m);
int kmin_metric_parse(const char *name, enum kmin_metric *out);

/* The measured sizes of one build, bytes; -1 unknown. */
struct kmin_search_sizes {
	int64_t text, data, bss, image;
};

/* One metric of sizes; -1 when a part is unknown. */
int64_t kmin_search_metric(const struct kmin_search_sizes *s, enum kmin_metric m);

enum kmin_search_strategy { KMIN_STRATEGY_GREEDY = 0, KMIN_STRATEGY_LINEAR };

/* "greedy", "linear"; parse returns 0 or -1. */
const char *kmin_search_strategy_name(enum kmin_search_strategy s);
int kmin_search_strategy_parse(const char *name, enum kmin_search_strategy *out);

enum kmin_search_event_kind {
	KMIN_SEARCH_EV_BASE,		/* the base was built (or answered) */
	KMIN_SEARCH_EV_CANDIDATES,	/* a round starts: n candidates */
	KMIN_SEARCH_EV_TRY,		/* a batch goes to a worker */
	KMIN_SEARCH_EV_RESULT,		/* a batch was decided */
	KMIN_SEARCH_EV_VERIFY,		/* the final verification ended */
};

/* What the event callback gets; every pointer is borrowed for the call. */
struct kmin_search_event {
	enum kmin_search_event_kind kind;
	const char *moves;		/* TRY, RESULT: "SYM=n SYM2=n ..." */
	size_t nmoves;
	const char *reason;		/* RESULT: "accepted", "failed", "grew", "lost X" ... */
	bool accepted, cached;
	int64_t size;			/* RESULT, BASE, VERIFY: the metric measured; -1 none */
	int64_t best;			/* the current state's metric */
	size_t candidates;		/* CANDIDATES: how many */
	unsigned int builds;		/* real builds started so far */
	unsigned int max_builds;	/* 0: no limit */
	double elapsed, budget;		/* seconds; budget 0: none */
};

typedef void (*kmin_search_event_fn)(void *data, const struct kmin_search_event *ev);

struct kmin_search_options {
	struct kconfig *kc;		/* engine with the tree parsed; its values are changed */
	const char *scratch;		/* a private directory for temporary files */
	const char *source;		/* kernel tree (Kbuild files for the estimates) */
	const char *base_config;	/* text of the solved base .config */
	const struct kconfig_requirement *reqs;
	size_t nreqs;
	const char *const *elf_symbols;	/* must be in vmlinux (features' elf); may be NULL */
	size_t nelf;
	enum kmin_metric metric;
	enum kmin_search_strategy strategy;
	unsigned int max_builds;	/* every real build, verification included; 0: none */
	double time_budget;		/* seconds; 0: none */
	struct kmin_store *store;
	int64_t kernel_id, toolchain_id;	/* store rows of the tree and compiler */
	const char *arch, *image;	/* the build key's arch and image */
	struct kmin_pool *pool;		/* started by the caller */
	unsigned int workers;		/* batches in flight (the pool's W) */
	const char *work_dir;		/* artifacts of builds (vmlinux for the ELF check) */
	int64_t run_id;			/* the run's row; its steps say where to resume */
	kmin_search_event_fn event;	/* may be NULL */
	void *event_data;
	const atomic_int *stop;		/* non-NULL: stop (as for a spent budget) when non-zero */
	/*
	 * Keep the base's choices: tinyconfig's fragments already pick the
	 * smallest members (SLOB, CC_OPTIMIZE_FOR_SIZE, KERNEL_XZ), so from
	 * there choice switches only cost builds.
	 */
	bool keep_choices;
	/*
	 * The least a choice switch tried alone must save to be taken: the
	 * larger of switch_min_bytes and switch_min_share of the state's
	 * metric, at least 1 (a switch changes what the kernel does: timer
	 * rate, preemption, allocator; a few bytes are not worth that).
	 */
	int64_t switch_min_bytes;
	double switch_min_share;
	const struct kmin_refs *refs;	/* the code's CONFIG_ names (refs.h), or NULL:
					   drop moves that cannot change the size */
	/*
	 * A flash/RAM budget (budget.h), or NULL.  With one, the metric is
	 * kmin_budget_score(): bytes beyond the budget, flash and RAM
	 * together, measured per build from its sections in the store (the
	 * `metric` field is then unused); the search stops as soon as the
	 * state fits (score 0), else ends at the smallest shortfall reached.
	 */
	const struct kmin_budget *budget;
	/*
	 * The pool boots every build (worker.h boot; configs are boot configs):
	 * a candidate whose build does not boot is rejected like a failed
	 * build, and a stored build is used only with its recorded boot.
	 */
	bool boot;
};

/* One accepted move of the result. */
struct kmin_search_removed {
	char *moves;			/* "SYM=n" (or several, for a batch) */
	int64_t saving;			/* metric bytes saved when it was accepted */
};

struct kmin_search_result {
	enum kmin_run_status status;	/* DONE, BUDGET or FAILED */
	char message[512];		/* FAILED: why (the base does not build, ...) */
	char *config;			/* the final full .config text */
	char sha256[65];		/* its normalized SHA-256 */
	struct kmin_search_sizes base, final;
	unsigned int builds, cached;	/* real builds started; answers from the store */
	double seconds;			/* wall clock of this call */
	bool resumed;			/* continued a run that had steps */
	bool verified;			/* the final config was built again and passed */
	struct kmin_search_removed *removed;
	size_t nremoved;
	/* with a budget: the final state's fit (fit_known false when it could not be measured) */
	bool fit_known;
	struct kmin_budget_fit fit;
};

/* Run the search (see above).  *res is filled even on FAILED. */
int kmin_search_run(const struct kmin_search_options *opts, struct kmin_search_result *res,
		    char *err, size_t errlen);

void kmin_search_result_clear(struct kmin_search_result *res);

/* ---- the engine side, exposed for tests ---- */

/* One assignment of a move: symbol and value as .config spells it. */
struct kmin_assign {
	const char *symbol;		/* borrowed from the engine context */
	char value[32];			/* "n", "y", "m", "12" */
};

/* A candidate move: one or more assignments (a gate: G=y plus X=n). */
struct kmin_move {
	struct kmin_assign set[2];
	unsigned int nset;
	int64_t estimate;		/* expected saving, bytes (may be 0 or unknown) */
	double cost;			/* expected build seconds (relative) */
	unsigned int order;		/* Kconfig order of its main symbol */
	bool lateral;			/* a choice switch: may grow, so built alone */
	bool preferred;			/* a member the kernel's tiny.config picks */
	const struct kconfig_symbol *choice; /* a switch's choice (borrowed), else NULL */
};

/*
 * The candidate moves at the config `config` (full .config text): every
 * move that, propagated by the engine, changes the config and keeps the
 * requirements.  *out (the caller's, free()) gets *n moves in Kconfig
 * order; their symbol names are borrowed from kc.  Leaves kc holding
 * `config`.  0, or -1 with a message.
 */
int kmin_search_candidates(struct kconfig *kc, const char *scratch, const char *config,
			   const struct kconfig_requirement *reqs, size_t nreqs, unsigned int flags,
			   struct kmin_move **out, size_t *n, char *err, size_t errlen);

/* flags of kmin_search_candidates() */
#define KMIN_MOVES_KEEP_CHOICES 0x1	/* propose no choice switches */

/*
 * Apply moves (each at most once, in as many passes as selects need) to
 * `config` and write the engine's resulting .config text into *out (the
 * caller's, free()).  *changed says whether it differs from config,
 * *reqs_ok whether every requirement still holds (lost: the first lost
 * requirement's symbol, borrowed, or NULL).  0 or -1 with a message.
 */
int kmin_search_apply(struct kconfig *kc, const char *scratch, const char *config,
		      const struct kmin_move *const *moves, size_t nmoves,
		      const struct kconfig_requirement *reqs, size_t nreqs, char **out,
		      bool *changed, const char **lost, char *err, size_t errlen);

struct kmin_refs;

/*
 * Drop from moves[*n] (in place, order kept) every move that switches one
 * inert symbol and whose whole effect, propagated by the engine at
 * `config`, changes only inert symbols: it cannot change what is
 * measured.  Inert: no code names it (refs.h), or, unless IMAGE_COUNTS
 * (the metric includes the boot image), only the boot wrapper does.
 * *dropped gets how many went.  Leaves kc holding `config`.  0, or -1
 * with a message.
 */
int kmin_search_drop_inert(struct kconfig *kc, const char *scratch, const char *config,
			   const struct kmin_refs *refs, bool image_counts, struct kmin_move *moves,
			   size_t *n, size_t *dropped, char *err, size_t errlen);

/*
 * *inert: whether every symbol whose value differs between the configs a
 * and b (full .config texts) is inert in the sense above, so a build of
 * one measures the same as the other.  0, or -1 out of memory.
 */
int kmin_search_inert_diff(const char *a, const char *b, const struct kmin_refs *refs,
			   bool image_counts, bool *inert);

/* Whether metric m measures the boot image (not only vmlinux). */
bool kmin_metric_uses_image(enum kmin_metric m);

/* "SYM=n SYM2=y ..." for moves into buf (truncated with "..."). */
void kmin_search_moves_format(const struct kmin_move *const *moves, size_t n, char *buf,
			      size_t len);

/*
 * Which of names[] are missing from the symbol table of the ELF file at
 * path: *missing gets the first missing one (borrowed from names) or NULL.
 * 0, or -1 with a message when the file cannot be read.
 */
int kmin_search_elf_check(const char *path, const char *const *names, size_t n,
			  const char **missing, char *err, size_t errlen);

#endif
