/*
 * report.h - one run of the search as a self-contained HTML page.
 *
 * `kmin report RUN -o FILE.html` shows what a run did: the size after
 * every step, the moves that saved most, the sections of the base and
 * final builds, the requirements and the final config's difference from
 * the base.  The page is one file: inline CSS, inline SVG, no script, no
 * link to anything outside, so it can be mailed, archived or opened
 * offline and looks the same in any browser.
 *
 * Two halves: kmin_report_load() reads a run from the store into a plain
 * data model (struct kmin_report, which owns everything it points to), and
 * kmin_report_write_html() turns a model into HTML on a FILE (use
 * open_memstream() for a buffer).  The writer uses nothing but the model,
 * so tests build models by hand.  The output depends only on the model
 * (no clock, no locale): the same run gives the same bytes.
 *
 * Errors: functions return 0 or a negative value and write a one-line
 * message into err[errlen]; nothing here prints.
 */
#ifndef KMIN_REPORT_H
#define KMIN_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kmin/store.h"

struct kmin_features;

/* One step of the run (see struct kmin_run_step); strings owned by the report. */
struct kmin_report_step {
	int64_t seq;
	enum kmin_step_kind kind;
	char *moves;			/* "SYM=n SYM2=y"; "" for base and verify */
	char *reason;			/* "ok", "grew", "failed: ..." */
	int64_t size;			/* the run's metric; -1: nothing measured (failed, refused) */
	int64_t saving;			/* size before minus size; meaningful when size >= 0 */
	bool cached;
	int64_t build_id;		/* 0: no build */
};

struct kmin_report_section {
	char *name;
	int64_t size;			/* bytes */
};

/* A requirement and what it needs, for the requirements list. */
struct kmin_report_requirement {
	char *name;			/* as given: "USB", "CONFIG_FOO=n" */
	char *description;		/* a feature's description, or NULL */
	char **symbols;			/* symbols it needs on (without CONFIG_); nsymbols */
	char **values;			/* their values in the final config ("" absent); NULL unknown */
	size_t nsymbols;
};

/* One symbol whose value differs between the base and the final config. */
struct kmin_report_change {
	char *name;			/* without CONFIG_ */
	char *before, *after;		/* "y", "m", "n", "0x1000", "\"str\""; "" = absent */
	int64_t step;			/* seq of the accepted step whose moves name it; 0 none */
};

struct kmin_report {
	int64_t run_id;
	char *status, *strategy, *arch, *requirements_text, *base, *metric;
	char *kernel;			/* kmin_store_kernel_label(); "" unknown */
	char *toolchain;		/* "" unknown */
	int64_t base_size, final_size;	/* -1 unknown */
	int64_t builds, cached;
	int64_t started_ms, finished_ms;	/* finished_ms 0: not finished */

	struct kmin_report_step *steps;
	size_t nsteps;
	struct kmin_report_requirement *reqs;
	size_t nreqs;
	struct kmin_report_section *base_sections, *final_sections;
	size_t nbase_sections, nfinal_sections;
	int64_t base_build, final_build;	/* whose sections those are; 0 none */
	struct kmin_report_change *changes;	/* sorted: removed, added, changed; by name */
	size_t nchanges;
	bool have_configs;		/* both configs were in the store */
	const char *version;		/* kmin's version for the footer; borrowed, may be NULL */
};

/*
 * Read run run_id and everything the report shows.  Returns 0, 1 when
 * there is no such run (*out stays empty), or a negative store error
 * (message in err).  features (may be NULL) explains requirement names;
 * the report holds no pointer into it.  Free *out with kmin_report_clear().
 */
int kmin_report_load(struct kmin_store *s, int64_t run_id, const struct kmin_features *features,
		     struct kmin_report *out, char *err, size_t errlen);

void kmin_report_clear(struct kmin_report *r);

/*
 * The difference of two normalized configs (store.h): symbols whose value
 * differs, absent counting as its own value ("").  *out is malloc'ed, the
 * caller's (free each name/before/after and the array, or put it in a
 * report and kmin_report_clear()).  Sorted: turned off first, then turned
 * on, then other changes, each by name.  step is 0.  0 or -1 (memory).
 */
int kmin_report_config_diff(const char *base, const char *final, struct kmin_report_change **out,
			    size_t *n);

/* Write the page.  0, or -1 when out reports a write error (err: the reason, strerror). */
int kmin_report_write_html(FILE *out, const struct kmin_report *r, char *err, size_t errlen);

/*
 * s as HTML text, for element content and double- or single-quoted
 * attribute values: & < > " ' escaped, control characters other than
 * tab and newline dropped, invalid UTF-8 written as U+FFFD.  NULL writes
 * nothing.  At most max characters (0: all), then "…".
 */
void kmin_report_html_escape(FILE *out, const char *s, size_t max);

#endif
