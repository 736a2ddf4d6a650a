/*
 * search.c - the search loop: rounds of engine-filtered candidates,
 * tested in batches on the worker pool, decided by the build oracle.
 *
 * Called by src/cmd_run.c through kmin_search_run() (search.h explains
 * the method).  The state is one full .config (the best accepted so far)
 * and a generation number that grows with every acceptance.  A round:
 *
 *   1. ask the engine for the candidate moves at the state
 *      (search_moves.c), score and sort them (search_estimate.c);
 *   2. queue them as batches: greedy puts all fresh removals (and the
 *      switches to tiny.config's choice members) in one batch (W batches
 *      with W workers), moves rejected alone before the last acceptance in a
 *      batch after them, then each other choice switch alone (a switch
 *      may grow the kernel); linear queues each move alone in Kconfig
 *      order;
 *   3. while batches are queued: apply a batch to the state in the engine
 *      (nothing changes: drop; a requirement lost: split, or reject a
 *      single move, without building), ask the store, else build it in a
 *      worker; decide each result: accept (new state, next generation) or
 *      split in halves.  A choice switch tried alone must save a minimum
 *      (0.1 % of the metric by default), and once rejected for its size is
 *      not tried again; greedy then builds no other member of a choice
 *      whose switch moved the metric by less than that minimum, nor a
 *      member it left for a smaller one, and starts no switch while
 *      another of its choice is being built; other moves rejected alone
 *      are retried after the next acceptance.  A result computed on an
 *      older state is re-based: queued again and recomputed on the new
 *      state;
 *   4. a round without an acceptance ends the search.
 *
 * Every build is recorded in the store as it finishes and every decision
 * appended to the run's steps, so a run killed at any point resumes from
 * its last accepted state (steps of kind base/accept), with every build
 * done before answered by the store.
 *
 * Workload: on 6.1 arm a round asks the engine a few hundred questions
 * (seconds), a build takes 10 s to 5 min; the loop itself costs nothing.
 * Everything runs on the caller's thread except the builds.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "kconfig/query.h"
#include "kmin/file.h"
#include "kmin/record.h"
#include "kmin/search.h"
#include "kmin/store_boot.h"
#include "search_internal.h"

/* ---- names ---- */

static const char *const metric_names[KMIN_METRIC_COUNT] = {
	"dec", "text", "data", "bss", "image", "ram", "flash",
};

const char *kmin_metric_name(enum kmin_metric m)
{
	return (unsigned)m < KMIN_METRIC_COUNT ? metric_names[m] : "?";
}

int kmin_metric_parse(const char *name, enum kmin_metric *out)
{
	for (unsigned i = 0; i < KMIN_METRIC_COUNT; i++) {
		if (!strcmp(name, metric_names[i])) {
			*out = (enum kmin_metric)i;
			return 0;
		}
	}
	return -1;
}

bool kmin_metric_uses_image(enum kmin_metric m)
{
	return m == KMIN_METRIC_IMAGE;
}

int64_t kmin_search_metric(const struct kmin_search_sizes *s, enum kmin_metric m)
{
	if (s->text < 0 || s->data < 0 || s->bss < 0)
		return -1;
	switch (m) {
	case KMIN_METRIC_DEC: return s->text + s->data + s->bss;
	case KMIN_METRIC_TEXT: return s->text;
	case KMIN_METRIC_DATA: return s->data;
	case KMIN_METRIC_BSS: return s->bss;
	case KMIN_METRIC_IMAGE: return s->image;
	case KMIN_METRIC_RAM: return s->data + s->bss;
	case KMIN_METRIC_FLASH: return s->text + s->data;
	default: return -1;
	}
}

const char *kmin_search_strategy_name(enum kmin_search_strategy s)
{
	return s == KMIN_STRATEGY_LINEAR ? "linear" : "greedy";
}

int kmin_search_strategy_parse(const char *name, enum kmin_search_strategy *out)
{
	if (!strcmp(name, "greedy"))
		*out = KMIN_STRATEGY_GREEDY;
	else if (!strcmp(name, "linear"))
		*out = KMIN_STRATEGY_LINEAR;
	else
		return -1;
	return 0;
}

/* ---- state ---- */

/* A set of moves to test together. */
struct batch {
	struct kmin_move **moves;	/* borrowed from the round's candidates */
	size_t n;
	unsigned int gen;		/* state generation config was computed on */
	char *config;			/* the engine's result of the moves; owned */
	char sha[65];
	char *artifacts;		/* where its build leaves vmlinux; owned */
	bool strict;			/* must shrink (not only not grow): gates, choices, numbers */
};

/*
 * A move rejected alone, and at which generation.  A removal is tried
 * again after the next acceptance (another state may let it build); a
 * choice switch that did not shrink enough is final: its size depends on
 * the member, hardly on the rest of the config; so is a switch refused
 * for its choice (same-size members, a member left for a smaller one).
 */
struct rejected {
	char *key;
	unsigned int gen;
	bool final;
};

/*
 * A choice whose switch, built alone, moved the metric by less than the
 * least a switch must save (greedy): its members are about the same size,
 * and switching to another one is not worth a build.
 */
struct neutral {
	const struct kconfig_symbol *choice;	/* borrowed from the engine */
	char *member;				/* the member that was built, owned */
	int64_t delta;				/* what it changed the metric by */
};

/*
 * A config that built but failed the rest of the oracle (make's
 * olddefconfig lost a requirement, a required feature's symbol is not in
 * vmlinux).  The store only knows that it built, so the run remembers
 * the verdict: another batch that comes to the same config (a half of a
 * batch whose other half was forced off with it) gets it without a build.
 */
struct verdict {
	char sha[65];
	char *reason;			/* owned */
};

/* The reasons of those verdicts, as steps record them (resume reads them back). */
#define REASON_LOST "make's olddefconfig lost "
#define REASON_NOT_IN_VMLINUX "' is not in vmlinux"

/* What a build (or the store) said about a config. */
struct outcome {
	bool ok;			/* built (or cached) fine */
	bool cached;
	struct kmin_search_sizes sizes;
	int64_t build_id;
	char reason[400];		/* why not ok, or "" */
	char *make_config;		/* make's olddefconfig (real builds); owned */
	char artifacts[4200];		/* "" for cached answers */
};

struct search {
	const struct kmin_search_options *o;
	struct kmin_search_result *res;
	struct timeval t0;
	char *state;			/* current config text, owned */
	char state_sha[65];
	struct kmin_search_sizes state_sizes;
	int64_t state_metric;
	unsigned int gen;
	struct kmin_estimator *est;
	struct batch **q;		/* queue, front at index 0 */
	size_t qn, qcap;
	unsigned int inflight;
	struct rejected *rej;
	size_t nrej;
	char **left;			/* choice members left for a smaller one (greedy) */
	size_t nleft;
	struct neutral *neutral;	/* choices a switch hardly changed (greedy) */
	size_t nneutral;
	const struct kconfig_symbol **busy; /* choices of the switches being built */
	size_t nbusy;
	struct verdict *bad;		/* configs that built but failed the oracle */
	size_t nbad;
	char **visited;			/* SHA-256 of every accepted state */
	size_t nvisited;
	unsigned int job_seq;		/* names of artifact directories */
	bool budget_hit;		/* a batch was left untested for the budget */
	bool fits;			/* --budget: the state fits it, the search is over */
	bool record_failed;		/* a build, step or run row could not be stored: s->err says why */
	int64_t base_metric;		/* the base's metric (the run row's base_size) */
	char *err;
	size_t errlen;
};

static int serr(struct search *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int serr(struct search *s, const char *fmt, ...)
{
	va_list ap;

	if (s->err && s->errlen) {
		va_start(ap, fmt);
		vsnprintf(s->err, s->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static double elapsed(const struct search *s)
{
	struct timeval now;

	gettimeofday(&now, NULL);
	return (double)(now.tv_sec - s->t0.tv_sec) + (double)(now.tv_usec - s->t0.tv_usec) / 1e6;
}

static void emit(struct search *s, enum kmin_search_event_kind kind, const char *moves,
		 size_t nmoves, const char *reason, bool accepted, bool cached, int64_t size,
		 size_t candidates)
{
	struct kmin_search_event ev = { 0 };

	if (!s->o->event)
		return;
	ev.kind = kind;
	ev.moves = moves;
	ev.nmoves = nmoves;
	ev.reason = reason;
	ev.accepted = accepted;
	ev.cached = cached;
	ev.size = size;
	ev.best = s->state_metric;
	ev.candidates = candidates;
	ev.builds = s->res->builds;
	ev.max_builds = s->o->max_builds;
	ev.elapsed = elapsed(s);
	ev.budget = s->o->time_budget;
	s->o->event(s->o->event_data, &ev);
}

/* May another build start?  One build stays reserved for the final verification. */
static bool budget_left(const struct search *s)
{
	if (s->o->stop && atomic_load(s->o->stop))
		return false;
	if (s->o->time_budget > 0 && elapsed(s) >= s->o->time_budget)
		return false;
	return !s->o->max_builds || s->res->builds + 1 < s->o->max_builds;
}

/*
 * The metric of a build: kmin_search_metric() of its sizes, or under a
 * budget its shortfall (budget.h, measured from the build's sections in
 * the store), with *fit filled when fit is non-NULL.  -1 when unknown.
 */
static int64_t metric_of(struct search *s, const struct kmin_search_sizes *sz, int64_t build_id,
			 struct kmin_budget_fit *fit)
{
	struct kmin_budget_fit f;
	char err[512];

	if (!s->o->budget)
		return kmin_search_metric(sz, s->o->metric);
	if (kmin_budget_measure(s->o->store, s->o->budget, build_id, sz->text, sz->data, sz->bss,
				sz->image, &f, err, sizeof(err)))
		return -1;
	if (fit)
		*fit = f;
	return kmin_budget_score(&f);
}

/* ---- the run row ---- */

static void run_save(struct search *s, enum kmin_run_status status, bool finished)
{
	struct kmin_run r = { 0 };
	char err[512];
	int64_t base = s->base_metric;

	r.id = s->o->run_id;
	r.status = status;
	r.base_sha256 = NULL;
	r.base_size = base;
	r.final_sha256 = s->state ? s->state_sha : NULL;
	r.final_size = s->state ? s->state_metric : -1;
	r.builds = s->res->builds;
	r.cached = s->res->cached;
	r.finished_ms = finished ? kmin_record_now_ms() : 0;
	if (s->nvisited)
		r.base_sha256 = s->visited[0];
	if (kmin_store_run_update(s->o->store, &r, err, sizeof(err)) < 0 && !s->record_failed) {
		/* the run row would disagree with its steps: stop at the next result */
		serr(s, "run %lld: %s", (long long)s->o->run_id, err);
		s->record_failed = true;
	}
}

static void step_add(struct search *s, enum kmin_step_kind kind, const char *moves,
		     const char *sha, const struct outcome *oc, const char *reason, int64_t size)
{
	struct kmin_run_step st = { 0 };
	char err[512];

	st.run_id = s->o->run_id;
	st.kind = kind;
	st.moves = moves;
	st.config_sha256 = sha;
	st.build_id = oc ? oc->build_id : 0;
	st.reason = reason;
	st.size = size;
	st.saving = size >= 0 && s->state_metric >= 0 ? s->state_metric - size : 0;
	st.cached = oc && oc->cached;
	if (kmin_store_step_add(s->o->store, &st, err, sizeof(err)) < 0) {
		if (!s->record_failed) {
			/* a lost step would be lost to resume: stop at the next result */
			serr(s, "run %lld: %s", (long long)s->o->run_id, err);
			s->record_failed = true;
		}
		return;
	}
	if (st.cached)	/* a build start saves the row; an answer from the store, here */
		run_save(s, KMIN_RUN_RUNNING, false);
}

/* ---- builds through the store and the pool ---- */

static void key_of(const struct search *s, const char *sha, struct kmin_build_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->config_sha256, sha, 65);
	k->kernel_id = s->o->kernel_id;
	k->toolchain_id = s->o->toolchain_id;
	k->arch = s->o->arch;
	k->image = s->o->image;
}

/*
 * With --boot: the recorded boot of build_id decides (a candidate that does
 * not boot is rejected like a failed build).  1 known, 0 never booted or
 * timed out: booted again, like a build that timed out (the machine may
 * have been busy, or the timeout was shorter then).
 */
static int boot_answer(struct search *s, int64_t build_id, struct outcome *oc)
{
	struct kmin_store_boot b;
	char err[256];

	if (kmin_store_boot_get(s->o->store, build_id, &b, err, sizeof(err)) != 1)
		return 0;
	if (!strcmp(b.status, "timeout")) {
		kmin_store_boot_clear(&b);
		return 0;
	}
	if (strcmp(b.status, "ok")) {
		oc->ok = false;
		snprintf(oc->reason, sizeof(oc->reason), "boot %s: %s", b.status,
			 b.message ? b.message : "");
	}
	kmin_store_boot_clear(&b);
	return 1;
}

static const struct verdict *bad_find(const struct search *s, const char *sha)
{
	for (size_t i = 0; i < s->nbad; i++)
		if (!strcmp(s->bad[i].sha, sha))
			return &s->bad[i];
	return NULL;
}

/* Remember that sha built but failed the oracle for reason.  0, or -1 out of memory. */
static int bad_add(struct search *s, const char *sha, const char *reason)
{
	struct verdict *v;

	if (bad_find(s, sha))
		return 0;
	v = realloc(s->bad, (s->nbad + 1) * sizeof(*v));
	if (!v)
		return serr(s, "out of memory");
	s->bad = v;
	snprintf(v[s->nbad].sha, sizeof(v[s->nbad].sha), "%s", sha);
	if (!(v[s->nbad].reason = strdup(reason)))
		return serr(s, "out of memory");
	s->nbad++;
	return 0;
}

/* Is reason one of the oracle's verdicts on a config that built? */
static bool reason_is_verdict(const char *reason)
{
	size_t n = strlen(reason), k = strlen(REASON_NOT_IN_VMLINUX);

	return !strncmp(reason, REASON_LOST, strlen(REASON_LOST)) ||
	       (n > k && !strcmp(reason + n - k, REASON_NOT_IN_VMLINUX));
}

/*
 * 1 and *oc filled when the run or the store knows the config (ok or
 * failed), else 0.
 */
static int store_answer(struct search *s, const char *sha, struct outcome *oc)
{
	struct kmin_build_key key;
	struct kmin_build b;
	char err[512];
	int64_t t0 = kmin_record_now_ms();
	const struct verdict *v = bad_find(s, sha);

	if (v) {
		memset(oc, 0, sizeof(*oc));
		oc->cached = true;
		oc->sizes = (struct kmin_search_sizes){ -1, -1, -1, -1 };
		snprintf(oc->reason, sizeof(oc->reason), "%s", v->reason);
		s->res->cached++;
		return 1;
	}
	key_of(s, sha, &key);
	if (kmin_store_build_lookup(s->o->store, &key, &b, err, sizeof(err)) != 1)
		return 0;
	if (b.status == KMIN_BUILD_TIMEOUT) {
		kmin_build_clear(&b);
		return 0;
	}
	memset(oc, 0, sizeof(*oc));
	oc->cached = true;
	oc->ok = b.status == KMIN_BUILD_OK;
	oc->build_id = b.id;
	oc->sizes = (struct kmin_search_sizes){ b.text, b.data, b.bss, b.image_bytes };
	if (!oc->ok)
		snprintf(oc->reason, sizeof(oc->reason), "failed: %s",
			 b.first_error ? b.first_error : "build failed");
	if (oc->ok && s->o->boot && boot_answer(s, b.id, oc) != 1) {
		kmin_build_clear(&b);	/* built, not booted: build (a no-op) and boot */
		return 0;
	}
	kmin_store_build_record_cached(s->o->store, b.id, "search", t0, kmin_record_now_ms(), NULL, err,
				       sizeof(err));
	kmin_build_clear(&b);
	s->res->cached++;
	return 1;
}

/* Record a real result in the store; its build id into oc. */
static void store_record(struct search *s, const char *config, const char *sha,
			 const struct kmin_job_result *r, struct outcome *oc)
{
	struct kmin_build_key key;
	char err[512];

	key_of(s, sha, &key);
	if (kmin_record_job(s->o->store, config, strlen(config), &key, r, &oc->build_id, err,
			    sizeof(err)) < 0) {
		/* a result that is not in the store would be lost to resume and reuse */
		serr(s, "cannot record a build: %s", err);
		s->record_failed = true;
	}
}

/* Does the text of a .config keep every requirement? NULL or the lost symbol. */
static const char *config_lost(const struct search *s, const char *text)
{
	for (size_t i = 0; i < s->o->nreqs; i++) {
		const struct kconfig_requirement *q = &s->o->reqs[i];
		char needle[256];
		const char *p;
		char v = 'n';

		snprintf(needle, sizeof(needle), "\nCONFIG_%s=", q->symbol);
		p = strstr(text, needle);
		if (!p && !strncmp(text, needle + 1, strlen(needle + 1)))
			p = text - 1;
		if (p)
			v = p[strlen(needle)];
		bool has = v == 'y' || v == 'm';
		if (q->value == KCONFIG_NO ? has : q->value == KCONFIG_YES ? v != 'y' : !has)
			return q->symbol;
	}
	return NULL;
}

/* Turn a job result into an outcome: record it, check requirements and ELF symbols. */
static void outcome_of_job(struct search *s, const char *config, const char *sha,
			   const struct kmin_job_result *r, const char *artifacts,
			   struct outcome *oc)
{
	memset(oc, 0, sizeof(*oc));
	if (r->status == KMIN_JOB_OK || r->status == KMIN_JOB_FAILED ||
	    r->status == KMIN_JOB_TIMEOUT)
		store_record(s, config, sha, r, oc);
	oc->ok = r->status == KMIN_JOB_OK;
	oc->sizes = (struct kmin_search_sizes){ (int64_t)r->sizes.text, (int64_t)r->sizes.data,
						(int64_t)r->sizes.bss, (int64_t)r->image_bytes };
	if (oc->ok && r->booted && r->boot.status != KMIN_BOOT_OK) {
		/* it builds but does not boot: rejected like a failed build */
		oc->ok = false;
		snprintf(oc->reason, sizeof(oc->reason), "boot %s: %s",
			 kmin_boot_status_name(r->boot.status), r->boot.message);
		oc->sizes = (struct kmin_search_sizes){ -1, -1, -1, -1 };
		kmin_remove_tree(artifacts);
		return;
	}
	if (!oc->ok) {
		oc->sizes = (struct kmin_search_sizes){ -1, -1, -1, -1 };
		snprintf(oc->reason, sizeof(oc->reason), "%s: %s", kmin_job_status_name(r->status),
			 r->message ? r->message : "");
	} else if (r->config && config_lost(s, r->config)) {
		oc->ok = false;
		snprintf(oc->reason, sizeof(oc->reason), REASON_LOST "%s",
			 config_lost(s, r->config));
	} else if (s->o->nelf) {
		char vmlinux[4300], err[256];
		const char *missing = NULL;
		snprintf(vmlinux, sizeof(vmlinux), "%s/vmlinux", artifacts);
		if (r->artifacts_error)
			snprintf(oc->reason, sizeof(oc->reason), "cannot check vmlinux: %s",
				 r->artifacts_error), oc->ok = false;
		else if (kmin_search_elf_check(vmlinux, s->o->elf_symbols, s->o->nelf, &missing,
					       err, sizeof(err)))
			snprintf(oc->reason, sizeof(oc->reason), "%s", err), oc->ok = false;
		else if (missing)
			snprintf(oc->reason, sizeof(oc->reason), "'%s" REASON_NOT_IN_VMLINUX,
				 missing), oc->ok = false;
	}
	if (r->status == KMIN_JOB_OK && !oc->ok && reason_is_verdict(oc->reason))
		bad_add(s, sha, oc->reason);
	kmin_remove_tree(artifacts);
}

/*
 * Start a build of config: 1 answered at once (*oc filled: the store),
 * 0 submitted to the pool (user comes back with the result), -1 error.
 * force: build even when the store knows it (the final verification).
 */
static int build_start(struct search *s, const char *config, const char *sha, void *user,
		       bool force, struct outcome *oc, char *artifacts, size_t alen)
{
	struct kmin_job job = { 0 };
	char err[512];

	if (!force && store_answer(s, sha, oc))
		return 1;
	snprintf(artifacts, alen, "%s/job-%u", s->o->work_dir, ++s->job_seq);
	kmin_remove_tree(artifacts);	/* a run killed before may have left one */
	job.config = config;
	job.config_len = strlen(config);
	job.expected = config;
	job.artifacts_dir = artifacts;
	job.user = user;
	if (kmin_pool_submit(s->o->pool, &job, err, sizeof(err)))
		return serr(s, "%s", err);
	s->res->builds++;
	s->inflight++;
	run_save(s, KMIN_RUN_RUNNING, false);
	return 0;
}

/*
 * Build one config and wait (base, verification): 0 decided (*oc), 1 the
 * build was cancelled (a stop: nothing is known, nothing recorded), -1
 * error.
 */
static int build_sync(struct search *s, const char *config, const char *sha, bool force,
		      struct outcome *oc)
{
	struct kmin_job_result *r = NULL;
	char artifacts[4200];
	int rc = build_start(s, config, sha, NULL, force, oc, artifacts, sizeof(artifacts));

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (kmin_pool_next(s->o->pool, &r) != 1)
		return serr(s, "the worker pool returned no result");
	s->inflight--;
	if (r->status == KMIN_JOB_CANCELLED) {
		kmin_job_result_free(r);
		kmin_remove_tree(artifacts);
		s->res->status = KMIN_RUN_RUNNING;	/* interrupted: the same command resumes */
		return 1;
	}
	outcome_of_job(s, config, sha, r, artifacts, oc);
	kmin_job_result_free(r);
	return s->record_failed ? -1 : 0;
}

/* ---- the state ---- */

static int visited_add(struct search *s, const char *sha)
{
	char **v = realloc(s->visited, (s->nvisited + 1) * sizeof(*v));

	if (!v)
		return serr(s, "out of memory");
	s->visited = v;
	if (!(v[s->nvisited] = strdup(sha)))
		return serr(s, "out of memory");
	s->nvisited++;
	return 0;
}

static bool visited(const struct search *s, const char *sha)
{
	for (size_t i = 0; i < s->nvisited; i++)
		if (!strcmp(s->visited[i], sha))
			return true;
	return false;
}

/* Make config (owned by the caller until now: taken) the state. */
static int state_set(struct search *s, char *config, const char *sha,
		     const struct kmin_search_sizes *sizes, int64_t build_id)
{
	struct kmin_budget_fit fit;

	free(s->state);
	s->state = config;
	memcpy(s->state_sha, sha, 65);
	s->state_sizes = *sizes;
	s->state_metric = metric_of(s, sizes, build_id, &fit);
	if (s->o->budget && s->state_metric >= 0) {
		s->res->fit = fit;
		s->res->fit_known = true;
		s->fits = fit.fits;
	}
	s->gen++;
	return visited_add(s, sha);
}

static int removed_add(struct search *s, const char *moves, int64_t saving)
{
	struct kmin_search_removed *v =
		realloc(s->res->removed, (s->res->nremoved + 1) * sizeof(*v));

	if (!v)
		return serr(s, "out of memory");
	s->res->removed = v;
	v[s->res->nremoved].moves = strdup(moves);
	v[s->res->nremoved].saving = saving;
	if (!v[s->res->nremoved].moves)
		return serr(s, "out of memory");
	s->res->nremoved++;
	return 0;
}

/* ---- resume ---- */

/* A step of the run being resumed, as replay() needs it. */
struct past_step {
	enum kmin_step_kind kind;
	char *moves;			/* owned */
	char sha[65];			/* the config built; "" when refused without a build */
	char *reason;			/* owned */
	int64_t size, saving;
};

struct resume_ctx {
	struct search *s;
	char sha[65];			/* last base/accept config */
	char base_sha[65];
	struct past_step *steps;	/* every step, in order */
	size_t nsteps;
	unsigned int ncached;		/* steps answered from the database */
	int rc;
};

static void resume_ctx_clear(struct resume_ctx *c)
{
	for (size_t i = 0; i < c->nsteps; i++) {
		free(c->steps[i].moves);
		free(c->steps[i].reason);
	}
	free(c->steps);
}

/* Keep a copy of st for replay().  0, or -1 out of memory. */
static int past_add(struct resume_ctx *c, const struct kmin_run_step *st)
{
	struct past_step *v = realloc(c->steps, (c->nsteps + 1) * sizeof(*v)), *p;

	if (!v)
		return -1;
	c->steps = v;
	p = &v[c->nsteps];
	memset(p, 0, sizeof(*p));
	p->kind = st->kind;
	p->size = st->size;
	p->saving = st->saving;
	snprintf(p->sha, sizeof(p->sha), "%s", st->config_sha256 ? st->config_sha256 : "");
	p->moves = strdup(st->moves ? st->moves : "");
	p->reason = strdup(st->reason ? st->reason : "");
	c->nsteps++;
	return p->moves && p->reason ? 0 : -1;
}

static int replay(struct search *s, const struct resume_ctx *c);

static int on_step(void *payload, const struct kmin_run_step *st)
{
	struct resume_ctx *c = payload;

	if (past_add(c, st))
		return c->rc = serr(c->s, "out of memory"), 1;
	c->ncached += st->cached;
	/* a base that did not pass is no state to go on from */
	if (st->kind == KMIN_STEP_BASE && strcmp(st->reason, "ok"))
		return 0;
	if ((st->kind == KMIN_STEP_BASE || st->kind == KMIN_STEP_ACCEPT) && st->config_sha256) {
		snprintf(c->sha, sizeof(c->sha), "%s", st->config_sha256);
		if (st->kind == KMIN_STEP_BASE)
			snprintf(c->base_sha, sizeof(c->base_sha), "%s", st->config_sha256);
	}
	return 0;
}

/* Sizes of the store's build of sha, and its id. */
static int sizes_of(struct search *s, const char *sha, struct kmin_search_sizes *out,
		    int64_t *build_id)
{
	struct kmin_build_key key;
	struct kmin_build b;
	char err[512];

	key_of(s, sha, &key);
	if (kmin_store_build_lookup(s->o->store, &key, &b, err, sizeof(err)) != 1)
		return -1;
	*out = (struct kmin_search_sizes){ b.text, b.data, b.bss, b.image_bytes };
	*build_id = b.id;
	kmin_build_clear(&b);
	return b.status == KMIN_BUILD_OK ? 0 : -1;
}

/* 1 resumed from the run's steps, 0 nothing to resume, -1 error. */
static int resume(struct search *s)
{
	struct resume_ctx c = { .s = s };
	struct kmin_run run;
	char err[512], *text = NULL;
	size_t len;
	struct kmin_search_sizes sz;
	int64_t base_id = 0, state_id = 0;
	int rc = 0;

	if (kmin_store_steps_foreach(s->o->store, s->o->run_id, on_step, &c, err, sizeof(err)) < 0)
		rc = serr(s, "%s", err);
	else if (c.rc)
		rc = -1;
	if (rc || !*c.sha || !*c.base_sha)
		goto out;
	if (kmin_store_run_get(s->o->store, s->o->run_id, &run, err, sizeof(err)) == 1) {
		s->res->builds = (unsigned int)run.builds;
		s->res->cached = (unsigned int)run.cached;
		kmin_run_clear(&run);
	}
	/* a kill -9 between a step and the row's update leaves the row behind */
	if (s->res->cached < c.ncached)
		s->res->cached = c.ncached;
	if (sizes_of(s, c.base_sha, &s->res->base, &base_id) || sizes_of(s, c.sha, &sz, &state_id))
		goto out;
	s->base_metric = metric_of(s, &s->res->base, base_id, NULL);
	if (kmin_store_config_get(s->o->store, c.sha, &text, &len, err, sizeof(err)))
		goto out;
	if (visited_add(s, c.base_sha)) {
		free(text);
		rc = -1;
		goto out;
	}
	if (state_set(s, text, c.sha, &sz, state_id)) {
		rc = -1;
		goto out;
	}
	s->res->resumed = true;
	rc = replay(s, &c) ? -1 : 1;
out:
	resume_ctx_clear(&c);
	return rc;
}

/* ---- the base ---- */

/*
 * 1 the base is the state, 0 it failed or was stopped (res's status and
 * message say which), -1 error.
 */
static int base_build(struct search *s)
{
	struct outcome oc;
	char sha[65], *copy;
	const char *lost;

	if (kmin_config_sha256(s->o->base_config, strlen(s->o->base_config), sha))
		return serr(s, "cannot hash the base config");
	if (kmin_store_config_put(s->o->store, s->o->base_config, strlen(s->o->base_config), NULL,
				  NULL, s->err, s->errlen) < 0)
		return -1;
	switch (build_sync(s, s->o->base_config, sha, false, &oc)) {
	case 0: break;
	case 1: return 0;	/* stopped: no base step, the run stays to resume */
	default: return -1;
	}
	if (oc.ok && (lost = config_lost(s, s->o->base_config)))
		snprintf(oc.reason, sizeof(oc.reason), "the base lost %s", lost), oc.ok = false;
	s->base_metric = oc.ok ? metric_of(s, &oc.sizes, oc.build_id, NULL) : -1;
	step_add(s, KMIN_STEP_BASE, "", sha, &oc, oc.ok ? "ok" : oc.reason, s->base_metric);
	emit(s, KMIN_SEARCH_EV_BASE, NULL, 0, oc.ok ? "ok" : oc.reason, oc.ok, oc.cached,
	     s->base_metric, 0);
	if (!oc.ok) {
		s->res->status = KMIN_RUN_FAILED;
		snprintf(s->res->message, sizeof(s->res->message), "the base config does not pass: %s",
			 oc.reason);
		return 0;
	}
	s->res->base = oc.sizes;
	if (!(copy = strdup(s->o->base_config)))
		return serr(s, "out of memory");
	return state_set(s, copy, sha, &oc.sizes, oc.build_id) ? -1 : 1;
}

/* ---- batches and the queue ---- */

static void batch_free(struct batch *b)
{
	if (!b)
		return;
	free(b->moves);
	free(b->config);
	free(b->artifacts);
	free(b);
}

static struct batch *batch_new(struct kmin_move **moves, size_t n)
{
	struct batch *b = calloc(1, sizeof(*b));

	if (!b || !(b->moves = malloc((n ? n : 1) * sizeof(*b->moves)))) {
		free(b);
		return NULL;
	}
	memcpy(b->moves, moves, n * sizeof(*moves));
	b->n = n;
	for (size_t i = 0; i < n; i++)
		if (moves[i]->nset != 1 || strcmp(moves[i]->set[0].value, "n"))
			b->strict = true;
	return b;
}

static int queue_push(struct search *s, struct batch *b, bool front)
{
	if (!b)
		return serr(s, "out of memory");
	if (s->qn == s->qcap) {
		size_t cap = s->qcap ? 2 * s->qcap : 32;
		struct batch **q = realloc(s->q, cap * sizeof(*q));
		if (!q)
			return batch_free(b), serr(s, "out of memory");
		s->q = q;
		s->qcap = cap;
	}
	if (front) {
		memmove(s->q + 1, s->q, s->qn * sizeof(*s->q));
		s->q[0] = b;
	} else {
		s->q[s->qn] = b;
	}
	s->qn++;
	return 0;
}

static struct batch *queue_pop(struct search *s)
{
	struct batch *b = s->q[0];

	memmove(s->q, s->q + 1, (s->qn - 1) * sizeof(*s->q));
	s->qn--;
	return b;
}

/* Split b in halves, queued at the front in order; b is freed. */
static int batch_split(struct search *s, struct batch *b)
{
	size_t half = b->n / 2;
	int rc = queue_push(s, batch_new(b->moves + half, b->n - half), true);

	if (!rc)
		rc = queue_push(s, batch_new(b->moves, half), true);
	batch_free(b);
	return rc;
}

static void move_key(const struct kmin_move *m, char *buf, size_t len)
{
	const struct kmin_move *one[1] = { m };
	kmin_search_moves_format(one, 1, buf, len);
}

static struct rejected *rejected_find(struct search *s, const char *key)
{
	for (size_t i = 0; i < s->nrej; i++)
		if (!strcmp(s->rej[i].key, key))
			return &s->rej[i];
	return NULL;
}

static void rejected_mark_key(struct search *s, const char *key, bool final, unsigned int gen)
{
	struct rejected *r = rejected_find(s, key), *v;

	if (r) {
		r->gen = gen;
		r->final = r->final || final;
		return;
	}
	v = realloc(s->rej, (s->nrej + 1) * sizeof(*v));
	if (!v)
		return;
	s->rej = v;
	v[s->nrej].key = strdup(key);
	v[s->nrej].gen = gen;
	v[s->nrej].final = final;
	if (v[s->nrej].key)
		s->nrej++;
}

static void rejected_mark(struct search *s, const struct kmin_move *m, bool final)
{
	char key[256];

	move_key(m, key, sizeof(key));
	rejected_mark_key(s, key, final, s->gen);
}

/* ---- deciding ---- */

/*
 * Remember what a move measured alone saved, for the order of later
 * rounds.  Not a choice switch: what it saves depends on the member it
 * leaves (CRC32_SLICEBY4 saves 12 KB from SLICEBY8 and grows 3 KB from
 * CRC32_BIT on 6.1 arm), which changes as switches are taken.
 */
static void learn(struct search *s, const struct kmin_move *m, int64_t saving)
{
	if (!m->lateral)
		kmin_estimator_learn(s->est, m->set[m->nset - 1].symbol, saving);
}

static int reject(struct search *s, struct batch *b, const char *moves, const struct outcome *oc,
		  const char *reason, int64_t size)
{
	step_add(s, KMIN_STEP_REJECT, moves, oc ? b->sha : NULL, oc, reason, size);
	emit(s, KMIN_SEARCH_EV_RESULT, moves, b->n, reason, false, oc && oc->cached, size, 0);
	if (b->n == 1) {
		rejected_mark(s, b->moves[0], b->moves[0]->lateral && size >= 0);
		if (size >= 0 && s->state_metric >= 0)
			learn(s, b->moves[0], s->state_metric - size);
		batch_free(b);
		return 0;
	}
	return batch_split(s, b);
}

/* Whether the image is measured: the metric, or a budget without XIP (flash is the image). */
static bool image_counts(const struct search *s)
{
	return kmin_metric_uses_image(s->o->metric) || (s->o->budget && !s->o->budget->xip);
}

/* Reject the single switch of b without a build, for the rest of the run. */
static int refuse(struct search *s, struct batch *b, const char *moves, const char *reason)
{
	rejected_mark(s, b->moves[0], true);
	return reject(s, b, moves, NULL, reason, -1);
}

static bool was_left(const struct search *s, const char *symbol)
{
	for (size_t i = 0; i < s->nleft; i++)
		if (!strcmp(s->left[i], symbol))
			return true;
	return false;
}

/* The choice the symbol called name is a member of, or NULL. */
static struct kconfig_symbol *choice_of(struct search *s, const char *name)
{
	struct kconfig_symbol *sym = kconfig_symbol_find(s->o->kc, name);

	return sym ? kconfig_symbol_choice(s->o->kc, sym) : NULL;
}

/*
 * A choice switch taken alone shrank the kernel: the member it left (the
 * choice members it turned off from y) is larger than the one taken, so a
 * switch back to it is not worth a build in this run (CRC32_SLICEBY8 ->
 * SLICEBY4 -> SARWATE -> BIT: the way back is three builds that grow).
 * 0, or -1 out of memory.
 */
static int left_add_between(struct search *s, const char *before, const char *config)
{
	struct kmin_divergence *d;
	size_t n;
	int rc = 0;

	if (kmin_config_diff(before, config, &d, &n))
		return serr(s, "out of memory");
	for (size_t i = 0; i < n && !rc; i++) {
		char **v;
		if (strcmp(d[i].engine, "y") || was_left(s, d[i].symbol) ||
		    !choice_of(s, d[i].symbol))
			continue;
		v = realloc(s->left, (s->nleft + 1) * sizeof(*v));
		if (!v || !(v[s->nleft] = strdup(d[i].symbol)))
			rc = serr(s, "out of memory");
		if (v)
			s->left = v;
		if (!rc)
			s->nleft++;
	}
	kmin_divergences_free(d, n);
	return rc;
}

static int left_add(struct search *s, const char *config)
{
	return left_add_between(s, s->state, config);
}

static int accept(struct search *s, struct batch *b, const char *moves, struct outcome *oc,
		  int64_t size)
{
	int64_t saving = s->state_metric - size;
	char *config = b->config;

	step_add(s, KMIN_STEP_ACCEPT, moves, b->sha, oc, "ok", size);
	if (b->n == 1)
		learn(s, b->moves[0], saving);
	if (b->n == 1 && b->moves[0]->lateral && s->o->strategy == KMIN_STRATEGY_GREEDY &&
	    left_add(s, config))
		return batch_free(b), -1;
	if (removed_add(s, moves, saving))
		return batch_free(b), -1;
	b->config = NULL;
	if (state_set(s, config, b->sha, &oc->sizes, oc->build_id))
		return batch_free(b), -1;
	run_save(s, KMIN_RUN_RUNNING, false);
	emit(s, KMIN_SEARCH_EV_RESULT, moves, b->n, "accepted", true, oc->cached, size, 0);
	batch_free(b);
	return 1;
}

/*
 * The least a choice switch tried alone must save to be taken (options'
 * switch_min_*; kmin run's default 0.1 % of the metric).  HZ_100 ->
 * HZ_250 saves 8 bytes of 1.8 MB on 6.1 arm: build noise, and a change of
 * the timer rate.
 */
static int64_t lateral_min_saving(const struct search *s)
{
	int64_t min = (int64_t)((double)s->state_metric * s->o->switch_min_share);

	if (min < s->o->switch_min_bytes)
		min = s->o->switch_min_bytes;
	return min > 1 ? min : 1;
}

static const struct neutral *neutral_find(const struct search *s,
					  const struct kconfig_symbol *choice)
{
	for (size_t i = 0; choice && i < s->nneutral; i++)
		if (s->neutral[i].choice == choice)
			return &s->neutral[i];
	return NULL;
}

/*
 * A switch measured alone moved the metric by delta: when that is less
 * than a switch must save, either way, remember its choice as one whose
 * members hardly differ (HZ_100, HZ_250, HZ_300 ... on 6.1 arm: a few
 * bytes each, five builds of twenty-eight in a top-down run).  Greedy
 * only; linear, the baseline, tries every member.  0, or -1 out of memory.
 */
static int neutral_add(struct search *s, const struct kconfig_symbol *choice, const char *member,
		       int64_t delta)
{
	struct neutral *v;

	if (s->o->strategy != KMIN_STRATEGY_GREEDY || !choice ||
	    (delta < 0 ? -delta : delta) >= lateral_min_saving(s) || neutral_find(s, choice))
		return 0;
	v = realloc(s->neutral, (s->nneutral + 1) * sizeof(*v));
	if (!v)
		return serr(s, "out of memory");
	s->neutral = v;
	v[s->nneutral].choice = choice;
	v[s->nneutral].delta = delta;
	if (!(v[s->nneutral].member = strdup(member)))
		return serr(s, "out of memory");
	s->nneutral++;
	return 0;
}

static int neutral_note(struct search *s, const struct kmin_move *m, int64_t delta)
{
	return m->lateral ? neutral_add(s, m->choice, m->set[m->nset - 1].symbol, delta) : 0;
}

/* ---- resuming: what the steps knew ---- */

/* Reasons that refuse a move for the rest of a run (reject(), refuse()). */
static bool reason_is_final(const char *reason)
{
	static const char suffix[] = " was left for a smaller member";
	size_t n = strlen(reason), k = sizeof(suffix) - 1;

	return !strncmp(reason, "saves only ", 11) ||
	       !strncmp(reason, "its choice hardly changes the size", 34) ||
	       (n > k && !strcmp(reason + n - k, suffix));
}

/* NAME of "NAME=y" (the n bytes at a) into name[len]; false for anything else. */
static bool assigns_yes(const char *a, size_t n, char *name, size_t len)
{
	if (n < 3 || n - 2 >= len || memcmp(a + n - 2, "=y", 2))
		return false;
	memcpy(name, a, n - 2);
	name[n - 2] = '\0';
	return true;
}

/*
 * The choice a step's moves switch in, when they are one switch
 * ("HZ_250=y", or a gate and a member: "EXPERT=y SLOB=y"), else NULL; the
 * member's name into name[len].
 */
static const struct kconfig_symbol *switched_member(struct search *s, const char *moves,
						    char *name, size_t len)
{
	const char *sp = strchr(moves, ' '), *last = sp ? sp + 1 : moves;
	struct kconfig_symbol *sym;
	char gate[128];

	if (strchr(last, ' ') || !assigns_yes(last, strlen(last), name, len))
		return NULL;
	/* two assignments: a gate and a member (two members would be a batch) */
	if (sp && (!assigns_yes(moves, (size_t)(sp - moves), gate, sizeof(gate)) ||
		   !(sym = kconfig_symbol_find(s->o->kc, gate)) ||
		   kconfig_symbol_choice(s->o->kc, sym)))
		return NULL;
	return choice_of(s, name);
}

/* An accepted switch of a resumed greedy run: the members it left (prev -> sha). */
static int replay_left(struct search *s, const char *prev, const char *sha)
{
	char err[512], *before = NULL, *after = NULL;
	size_t len;
	int rc = 0;

	if (!kmin_store_config_get(s->o->store, prev, &before, &len, err, sizeof(err)) &&
	    !kmin_store_config_get(s->o->store, sha, &after, &len, err, sizeof(err)))
		rc = left_add_between(s, before, after);
	free(before);
	free(after);
	return rc;
}

/*
 * What the steps of a resumed run knew besides its state: what it removed
 * (for the summary), the states it visited, the moves rejected alone (a
 * final one is not tried again, one rejected after the last acceptance not
 * before the next), the configs that built but failed the oracle, and for
 * greedy the choices found to be the same size (judged with today's
 * minimum) and the members left for smaller ones.  Without this a resumed
 * run would build again what it had refused.  0, or -1.
 */
static int replay(struct search *s, const struct resume_ctx *c)
{
	bool greedy = s->o->strategy == KMIN_STRATEGY_GREEDY;
	const char *prev = NULL;
	size_t last = 0;
	char name[128];

	for (size_t i = 0; i < c->nsteps; i++)
		if (c->steps[i].kind == KMIN_STEP_ACCEPT && c->steps[i].sha[0])
			last = i;
	for (size_t i = 0; i < c->nsteps; i++) {
		const struct past_step *p = &c->steps[i];
		const struct kconfig_symbol *choice = switched_member(s, p->moves, name, sizeof(name));

		if (p->kind == KMIN_STEP_BASE && !strcmp(p->reason, "ok") && p->sha[0]) {
			prev = p->sha;
		} else if (p->kind == KMIN_STEP_ACCEPT && p->sha[0]) {
			if (removed_add(s, p->moves, p->saving) ||
			    (!visited(s, p->sha) && visited_add(s, p->sha)))
				return -1;
			if (greedy && choice && prev && replay_left(s, prev, p->sha))
				return -1;
			prev = p->sha;
		} else if (p->kind == KMIN_STEP_REJECT) {
			if (p->sha[0] && reason_is_verdict(p->reason) &&
			    bad_add(s, p->sha, p->reason))
				return -1;
			/* a switch measured alone is final, as rejected_mark() has it */
			rejected_mark_key(s, p->moves,
					  reason_is_final(p->reason) || (choice && p->size >= 0),
					  i > last ? s->gen : s->gen - 1);
			if (choice && p->sha[0] && p->size >= 0 &&
			    neutral_add(s, choice, name, p->saving))
				return -1;
		}
	}
	return 0;
}

/* Decide a batch's outcome: 1 accepted, 0 rejected or re-based, -1 error. */
static int decide(struct search *s, struct batch *b, struct outcome *oc)
{
	char moves[4096], why[160];
	int64_t size;

	if (b->gen != s->gen) {		/* built on an older state: re-base it */
		free(b->config);
		b->config = NULL;
		return queue_push(s, b, true);
	}
	kmin_search_moves_format((const struct kmin_move *const *)b->moves, b->n, moves,
				 sizeof(moves));
	if (!oc->ok)
		return reject(s, b, moves, oc, oc->reason, -1);
	size = metric_of(s, &oc->sizes, oc->build_id, NULL);
	if (size < 0)
		return reject(s, b, moves, oc, s->o->budget ? "cannot measure against the budget"
					      : "cannot measure the metric", -1);
	if (b->n == 1 && neutral_note(s, b->moves[0], s->state_metric - size))
		return batch_free(b), -1;
	if (size > s->state_metric || (b->strict && size == s->state_metric))
		return reject(s, b, moves, oc, size > s->state_metric ? "grew" : "no saving", size);
	if (b->n == 1 && b->moves[0]->lateral && s->state_metric - size < lateral_min_saving(s)) {
		snprintf(why, sizeof(why), "saves only %lld (a choice switch must save %lld)",
			 (long long)(s->state_metric - size), (long long)lateral_min_saving(s));
		return reject(s, b, moves, oc, why, size);
	}
	if (visited(s, b->sha))
		return reject(s, b, moves, oc, "a state seen before", size);
	return accept(s, b, moves, oc, size);
}

/*
 * Whether a move may join a batch: removals, and the choice switches to
 * the member the kernel's tiny.config picks.  Any other switch is built
 * alone: inside a batch that shrinks, a switch that grows would pass
 * unseen (a saving measured before does not vouch for it: it was measured
 * from another member).
 */
static bool batchable(const struct kmin_move *m)
{
	return !m->lateral || m->preferred;
}

/*
 * A switch of unknown effect away from the member the kernel's
 * tiny.config picks (CC_OPTIMIZE_FOR_SIZE -> _PERFORMANCE, SLOB -> SLUB)
 * is not worth a build: reason[] names the member left, or is "" when
 * config keeps every such member of the state.  0, or -1 out of memory.
 */
static int tiny_left(struct search *s, const char *config, char *reason, size_t len)
{
	struct kmin_divergence *d;
	size_t n;

	*reason = '\0';
	if (kmin_config_diff(s->state, config, &d, &n))
		return -1;
	for (size_t i = 0; i < n && !*reason; i++)
		if (!strcmp(d[i].engine, "y") && kmin_estimator_tiny(s->est, d[i].symbol))
			snprintf(reason, len, "would leave %s, tiny.config's choice", d[i].symbol);
	kmin_divergences_free(d, n);
	return 0;
}

/* The choice of a batch that is one switch, else NULL. */
static const struct kconfig_symbol *switch_choice(const struct batch *b)
{
	return b->n == 1 && b->moves[0]->lateral ? b->moves[0]->choice : NULL;
}

static bool choice_busy(const struct search *s, const struct kconfig_symbol *choice)
{
	for (size_t i = 0; choice && i < s->nbusy; i++)
		if (s->busy[i] == choice)
			return true;
	return false;
}

/*
 * b's build started (add) or came back (!add): track the choices its
 * switches belong to (a batch may carry tiny.config's members).
 */
static int busy_track(struct search *s, const struct batch *b, bool add)
{
	for (size_t k = 0; k < b->n; k++) {
		const struct kconfig_symbol *choice = b->moves[k]->lateral ? b->moves[k]->choice : NULL,
					    **v;
		if (!choice)
			continue;
		if (!add) {
			for (size_t i = 0; i < s->nbusy; i++)
				if (s->busy[i] == choice) {
					s->busy[i] = s->busy[--s->nbusy];
					break;
				}
			continue;
		}
		v = realloc(s->busy, (s->nbusy + 1) * sizeof(*v));
		if (!v)
			return serr(s, "out of memory");
		s->busy = v;
		v[s->nbusy++] = choice;
	}
	return 0;
}

/*
 * Greedy: bring the first batch that may start now to the front of the
 * queue; false when every queued batch waits.  A switch waits while
 * another switch of its choice is being built: the first one's result may
 * make the second pointless (a choice that hardly changes the size, a
 * member left for a smaller one) or re-base it when it is taken.
 */
static bool queue_ready(struct search *s)
{
	struct batch *b;
	size_t i;

	if (s->o->strategy != KMIN_STRATEGY_GREEDY || !s->nbusy)
		return s->qn > 0;
	for (i = 0; i < s->qn && choice_busy(s, switch_choice(s->q[i])); i++)
		;
	if (i == s->qn)
		return false;
	b = s->q[i];
	memmove(s->q + 1, s->q, i * sizeof(*s->q));
	s->q[0] = b;
	return true;
}

/*
 * Prepare the front batch on the current state and start it: 1 decided
 * at once (dropped, refused in the engine, answered by the store), 0 a
 * build started, -1 error.
 */
static int batch_start(struct search *s)
{
	struct batch *b = queue_pop(s);
	const char *lost = NULL;
	bool changed = false;
	char moves[4096], artifacts[4200];
	struct outcome oc;
	int rc;

	free(b->config);
	b->config = NULL;
	if (kmin_search_apply(s->o->kc, s->o->scratch, s->state,
			      (const struct kmin_move *const *)b->moves, b->n, s->o->reqs,
			      s->o->nreqs, &b->config, &changed, &lost, s->err, s->errlen)) {
		batch_free(b);
		return -1;
	}
	b->gen = s->gen;
	if (!changed) {
		batch_free(b);
		return 1;
	}
	kmin_search_moves_format((const struct kmin_move *const *)b->moves, b->n, moves,
				 sizeof(moves));
	if (lost) {
		char reason[160];
		snprintf(reason, sizeof(reason), "would lose %s", lost);
		return reject(s, b, moves, NULL, reason, -1) ? -1 : 1;
	}
	/*
	 * Moves were found inert or not at the state of their round; queued
	 * since, a gate move (EXPERT=y DEBUG_INFO_DWARF4=y) may be re-based
	 * on a state that already has the gate: then only the debug format
	 * changes, a full build for 0 bytes.
	 */
	if (s->o->refs) {
		bool inert;
		if (kmin_search_inert_diff(s->state, b->config, s->o->refs, image_counts(s), &inert))
			return batch_free(b), serr(s, "out of memory");
		if (inert && b->n > 1) {
			batch_free(b);
			return 1;
		}
		if (inert)
			return reject(s, b, moves, NULL, "changes nothing that is measured", -1) ? -1 : 1;
	}
	if (s->o->strategy == KMIN_STRATEGY_GREEDY && b->n == 1 && !batchable(b->moves[0])) {
		char reason[160];
		const struct kmin_assign *to = &b->moves[0]->set[b->moves[0]->nset - 1];
		const struct neutral *nt = neutral_find(s, b->moves[0]->choice);
		if (was_left(s, to->symbol)) {
			snprintf(reason, sizeof(reason), "%s was left for a smaller member", to->symbol);
			return refuse(s, b, moves, reason) ? -1 : 1;
		}
		if (nt) {
			snprintf(reason, sizeof(reason),
				 "its choice hardly changes the size (%s: %+lld bytes)", nt->member,
				 (long long)-nt->delta);
			return refuse(s, b, moves, reason) ? -1 : 1;
		}
		if (tiny_left(s, b->config, reason, sizeof(reason)) < 0)
			return batch_free(b), serr(s, "out of memory");
		if (*reason)
			return reject(s, b, moves, NULL, reason, -1) ? -1 : 1;
	}
	if (kmin_config_sha256(b->config, strlen(b->config), b->sha))
		return batch_free(b), serr(s, "cannot hash a config");
	emit(s, KMIN_SEARCH_EV_TRY, moves, b->n, NULL, false, false, -1, 0);
	rc = build_start(s, b->config, b->sha, b, false, &oc, artifacts, sizeof(artifacts));
	if (rc == 1)
		return decide(s, b, &oc) < 0 ? -1 : 1;
	if (rc < 0) {
		batch_free(b);
		return -1;
	}
	free(b->artifacts);
	b->artifacts = strdup(artifacts);
	if (!b->artifacts)
		return serr(s, "out of memory");
	return busy_track(s, b, true);
}

/* Wait for one build and decide it.  0 or -1. */
static int batch_finish(struct search *s)
{
	struct kmin_job_result *r = NULL;
	struct batch *b;
	struct outcome oc;
	int rc;

	if (kmin_pool_next(s->o->pool, &r) != 1)
		return serr(s, "the worker pool returned no result");
	s->inflight--;
	b = r->user;
	busy_track(s, b, false);
	outcome_of_job(s, b->config, b->sha, r, b->artifacts ? b->artifacts : "", &oc);
	if (r->status == KMIN_JOB_NOSPACE || r->status == KMIN_JOB_ERROR) {
		/* says nothing about the config, and the next build would fail the same way */
		serr(s, "%s: %s", kmin_job_status_name(r->status), r->message ? r->message : "");
		kmin_job_result_free(r);
		batch_free(b);
		return -1;
	}
	if (r->status == KMIN_JOB_CANCELLED) {
		kmin_job_result_free(r);
		return queue_push(s, b, true);	/* stopped: the batch stays untested */
	}
	kmin_job_result_free(r);
	if (s->record_failed) {
		batch_free(b);
		free(oc.make_config);
		return -1;
	}
	rc = decide(s, b, &oc);
	free(oc.make_config);
	return rc < 0 ? -1 : 0;
}

/* ---- rounds ---- */

/*
 * Move the moves of v[0..n) that are not batchable to its end, each part
 * keeping its order (v is sorted by expected saving); *alone gets how
 * many.  0, or -1 out of memory.
 */
static int partition_alone(struct kmin_move **v, size_t n, size_t *alone)
{
	size_t k = 0, nl = 0;
	struct kmin_move **lat = malloc((n + 1) * sizeof(*lat));

	if (!lat)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!batchable(v[i]))
			lat[nl++] = v[i];
		else
			v[k++] = v[i];
	}
	memcpy(v + k, lat, nl * sizeof(*lat));
	free(lat);
	*alone = nl;
	return 0;
}

/* Queue moves v[0..n) as one batch per worker. */
static int queue_chunks(struct search *s, struct kmin_move **v, size_t n)
{
	unsigned int w = s->o->workers ? s->o->workers : 1;
	size_t chunk = (n + w - 1) / w;
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i += chunk)
		rc = queue_push(s, batch_new(v + i, i + chunk > n ? n - i : chunk), false);
	return rc;
}

/* Queue a round's batches; returns how many moves were queued. */
static int queue_round(struct search *s, struct kmin_move *c, size_t n, size_t *queued)
{
	struct kmin_move **fresh = malloc((n + 1) * sizeof(*fresh));
	struct kmin_move **retry = malloc((n + 1) * sizeof(*retry));
	size_t nf = 0, nr = 0;
	int rc = 0;

	if (!fresh || !retry) {
		free(fresh);
		free(retry);
		return serr(s, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		char key[256];
		struct rejected *r;
		move_key(&c[i], key, sizeof(key));
		r = rejected_find(s, key);
		if (!r)
			fresh[nf++] = &c[i];
		else if (r->gen != s->gen && !r->final)
			retry[nr++] = &c[i];
	}
	if (s->o->strategy == KMIN_STRATEGY_LINEAR) {
		for (size_t i = 0; i < nf && !rc; i++)
			rc = queue_push(s, batch_new(&fresh[i], 1), false);
		for (size_t i = 0; i < nr && !rc; i++)
			rc = queue_push(s, batch_new(&retry[i], 1), false);
	} else {
		/*
		 * Every fresh removal in one batch (W chunks for W workers),
		 * with the switches to tiny.config's members: one often is
		 * what lets a removal build (SMP off once SLAB is gone).  Then
		 * each other switch alone: a switch may grow the kernel
		 * (CC_OPTIMIZE_FOR_PERFORMANCE: +285 KB on 6.1 arm) and would
		 * ride along unseen inside a batch that shrinks.
		 */
		size_t nl = 0, nrl = 0;
		if (partition_alone(fresh, nf, &nl) || partition_alone(retry, nr, &nrl))
			rc = serr(s, "out of memory");
		if (!rc)
			rc = queue_chunks(s, fresh, nf - nl);
		if (nr - nrl && !rc)
			rc = queue_push(s, batch_new(retry, nr - nrl), false);
		for (size_t i = nf - nl; i < nf && !rc; i++)
			rc = queue_push(s, batch_new(&fresh[i], 1), false);
		for (size_t i = nr - nrl; i < nr && !rc; i++)
			rc = queue_push(s, batch_new(&retry[i], 1), false);
	}
	*queued = nf + nr;
	free(fresh);
	free(retry);
	return rc;
}

static void queue_clear(struct search *s)
{
	while (s->qn)
		batch_free(queue_pop(s));
}

/* Drain what is in flight (after a stop), deciding what still can be. */
static int drain(struct search *s)
{
	while (s->inflight)
		if (batch_finish(s))
			return -1;
	return 0;
}

/* One round: 1 something was accepted, 0 nothing (or the budget ran out), -1 error. */
static int round_run(struct search *s)
{
	struct kmin_move *c = NULL;
	size_t n = 0, queued = 0, dropped = 0;
	unsigned int gen0 = s->gen;
	int rc;

	if (kmin_search_candidates(s->o->kc, s->o->scratch, s->state, s->o->reqs, s->o->nreqs,
				   s->o->keep_choices ? KMIN_MOVES_KEEP_CHOICES : 0, &c, &n, s->err,
				   s->errlen))
		return -1;
	/* a budget without XIP measures flash as the image */
	if (s->o->refs && kmin_search_drop_inert(s->o->kc, s->o->scratch, s->state, s->o->refs,
						 image_counts(s), c, &n, &dropped, s->err, s->errlen)) {
		free(c);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		kmin_estimator_score(s->est, &c[i]);
	if (s->o->strategy == KMIN_STRATEGY_GREEDY)
		kmin_moves_sort(c, n);
	rc = queue_round(s, c, n, &queued);
	emit(s, KMIN_SEARCH_EV_CANDIDATES, NULL, 0, NULL, false, false, -1, queued);
	while (!rc && !s->record_failed && (s->qn || s->inflight)) {
		unsigned int w = s->o->strategy == KMIN_STRATEGY_LINEAR ? 1 : s->o->workers;
		while (!rc && queue_ready(s) && !s->fits && s->inflight < (w ? w : 1)) {
			if (!budget_left(s)) {
				s->budget_hit = true;
				break;
			}
			rc = batch_start(s) < 0 ? -1 : 0;
		}
		if (rc || !s->inflight)
			break;
		rc = batch_finish(s);
	}
	if (!rc)
		rc = drain(s);
	queue_clear(s);
	free(c);
	return rc < 0 || s->record_failed ? -1 : s->gen != gen0;
}

/* ---- the final verification ---- */

static int verify(struct search *s)
{
	struct outcome oc;
	struct kmin_budget_fit fit;
	int64_t size;

	if (s->o->stop && atomic_load(s->o->stop)) {
		s->res->status = KMIN_RUN_RUNNING;	/* interrupted: the same command resumes */
		return 0;
	}
	/*
	 * The base, built (or answered by the store: its vmlinux is gone, the
	 * ELF check was the building run's) at the start.
	 */
	if (s->nvisited && !strcmp(s->visited[0], s->state_sha)) {
		s->res->verified = true;
		return 0;
	}
	if (s->o->max_builds && s->res->builds >= s->o->max_builds) {
		/* resumed after the verification's build had started: it was spent */
		s->res->status = KMIN_RUN_BUDGET;
		return 0;
	}
	switch (build_sync(s, s->state, s->state_sha, true, &oc)) {
	case 0: break;
	case 1: return 0;	/* stopped: verified when the run resumes */
	default: return -1;
	}
	size = oc.ok ? metric_of(s, &oc.sizes, oc.build_id, &fit) : -1;
	if (s->o->budget && size >= 0)
		s->res->fit = fit, s->res->fit_known = true;
	step_add(s, KMIN_STEP_VERIFY, "", s->state_sha, &oc, oc.ok ? "ok" : oc.reason, size);
	emit(s, KMIN_SEARCH_EV_VERIFY, NULL, 0, oc.ok ? "ok" : oc.reason, oc.ok, oc.cached, size, 0);
	s->res->verified = oc.ok;
	if (oc.ok)
		s->state_sizes = oc.sizes;
	else {
		s->res->status = KMIN_RUN_FAILED;
		snprintf(s->res->message, sizeof(s->res->message),
			 "the final config failed its verification build: %s", oc.reason);
	}
	return 0;
}

/* ---- entry ---- */

static int search_body(struct search *s)
{
	int rc = resume(s);
	const char *objdir;

	if (rc == 0) {
		rc = base_build(s);
		if (rc <= 0)
			return rc;
	} else if (rc < 0) {
		return -1;
	}
	objdir = NULL;
	for (unsigned int w = 0; !objdir && w < 64; w++)
		objdir = kmin_pool_dir(s->o->pool, w);
	if (kmin_estimator_new(&s->est, s->o->source, objdir, s->o->store, s->o->kernel_id,
			       s->o->arch, s->o->budget ? "budget" : kmin_metric_name(s->o->metric)))
		return serr(s, "out of memory");
	s->res->status = KMIN_RUN_DONE;
	while (!s->fits && !s->budget_hit && (rc = round_run(s)) == 1)
		;
	if (rc < 0)
		return -1;
	if (s->budget_hit)
		s->res->status = KMIN_RUN_BUDGET;
	return verify(s);
}

int kmin_search_run(const struct kmin_search_options *opts, struct kmin_search_result *res,
		    char *err, size_t errlen)
{
	struct search s = { 0 };
	int rc;

	memset(res, 0, sizeof(*res));
	res->base = res->final = (struct kmin_search_sizes){ -1, -1, -1, -1 };
	s.o = opts;
	s.res = res;
	s.err = err;
	s.errlen = errlen;
	s.state_metric = -1;
	s.base_metric = -1;
	gettimeofday(&s.t0, NULL);
	if (mkdir(opts->work_dir, 0755) && errno != EEXIST)
		return serr(&s, "cannot create '%s': %s", opts->work_dir, strerror(errno));
	rc = search_body(&s);
	res->seconds = elapsed(&s);
	if (rc == 0)
		run_save(&s, res->status, res->status != KMIN_RUN_RUNNING);
	if (rc == 0 && s.record_failed)
		rc = -1;	/* s.err says what could not be stored */
	if (rc == 0 && s.state) {
		res->config = s.state;
		s.state = NULL;
		memcpy(res->sha256, s.state_sha, 65);
		res->final = s.state_sizes;
	}
	queue_clear(&s);
	free(s.q);
	free(s.state);
	for (size_t i = 0; i < s.nrej; i++)
		free(s.rej[i].key);
	free(s.rej);
	for (size_t i = 0; i < s.nleft; i++)
		free(s.left[i]);
	free(s.left);
	for (size_t i = 0; i < s.nneutral; i++)
		free(s.neutral[i].member);
	free(s.neutral);
	free(s.busy);
	for (size_t i = 0; i < s.nbad; i++)
		free(s.bad[i].reason);
	free(s.bad);
	for (size_t i = 0; i < s.nvisited; i++)
		free(s.visited[i]);
	free(s.visited);
	kmin_estimator_free(s.est);
	return rc;
}

void kmin_search_result_clear(struct kmin_search_result *res)
{
	if (!res)
		return;
	free(res->config);
	for (size_t i = 0; i < res->nremoved; i++)
		free(res->removed[i].moves);
	free(res->removed);
	memset(res, 0, sizeof(*res));
}
