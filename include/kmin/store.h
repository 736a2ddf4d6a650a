/*
 * store.h - the results store: every build kmin ever ran, in SQLite.
 *
 * kmin builds thousands of candidate configs; a build costs 10 s to 5 min,
 * so a result is never computed twice.  The store keeps, per database file:
 *
 *   kernels     a source tree's identity (see kernel_id.h): version, git
 *               commit/describe/dirty state, content fingerprint
 *   toolchains  a compiler's identity and version text
 *   configs     normalized .config text, zstd-compressed, keyed by SHA-256
 *   builds      one row per build: status, sizes, image bytes, seconds,
 *               worker, times, first error line, log tail
 *   sections    every allocated section (name, size) of a build's vmlinux
 *   engine_checks, divergences   where kmin's engine and make's olddefconfig
 *               disagreed for a build (0004; written with the build)
 *
 * A build is identified by its key (config SHA-256, kernel id, toolchain
 * id, arch, image name).  Callers look the key up before running make and
 * record the result after; a lookup answers with the newest real build of
 * that key, whatever its status (ok, failed, timeout).
 *
 * Workload: a few writers (the build workers, one short transaction per
 * finished build) and readers (`kmin builds`, other kmin processes) at the
 * same time.  The database is in WAL mode, so readers never block the
 * writer; writes wait up to 30 s (busy timeout) for each other.  Every write is
 * one transaction: a build and its sections appear together or not at all,
 * also after a crash or kill -9.
 *
 * Threads: one struct kmin_store may be shared by threads; every call
 * takes the handle's mutex.  Separate processes each open their own.
 *
 * Errors: functions that can fail return 0 (or 1, where stated) on success
 * and a negative enum kmin_store_error code on failure, and write a
 * one-line message naming the database file into the caller's buffer
 * `err` of `errlen` bytes (may be NULL/0).  Messages are git style:
 * lowercase, no final full stop.
 *
 * Ownership: strings passed in are copied; struct kmin_build filled by a
 * lookup owns its strings and sections until kmin_build_clear().
 */
#ifndef KMIN_STORE_H
#define KMIN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmin/kernel_id.h"

/* The schema version this code writes (PRAGMA user_version). */
#define KMIN_STORE_SCHEMA_VERSION 6
/* PRAGMA application_id of a kmin database: "kmin" in ASCII. */
#define KMIN_STORE_APPLICATION_ID 0x6b6d696e

enum kmin_store_error {
	KMIN_STORE_EGENERIC = -1,	/* SQLite or system error, out of memory */
	KMIN_STORE_ENOTKMIN = -2,	/* not a kmin database: not SQLite, or another application's */
	KMIN_STORE_ECORRUPT = -3,	/* the file is damaged (it is left untouched) */
	KMIN_STORE_ENEWER = -4,		/* written by a newer kmin (user_version too high) */
	KMIN_STORE_EACCESS = -5,	/* cannot create, or cannot write, the file or its directory */
	KMIN_STORE_ENOENT = -6,		/* no such database (read-only open), or no such config */
	KMIN_STORE_EINVAL = -7,		/* bad argument (unknown config sha, empty arch, ...) */
};

enum kmin_build_status {
	KMIN_BUILD_OK = 0,
	KMIN_BUILD_FAILED = 1,
	KMIN_BUILD_TIMEOUT = 2,
};

/* "ok", "failed", "timeout". */
const char *kmin_build_status_name(enum kmin_build_status status);

struct kmin_store;

/* ---- opening ---- */

/* flags of kmin_store_open() */
#define KMIN_STORE_READONLY 0x1	/* never create or migrate; fail with ENOENT if missing */
/*
 * With KMIN_STORE_READONLY: a database of an older kmin is migrated (which
 * writes it) rather than refused, so the query commands keep working after
 * an upgrade; a missing file is still ENOENT, a newer one ENEWER.
 */
#define KMIN_STORE_UPGRADE 0x2

/*
 * Open (creating or migrating as needed) the database at path.  A missing
 * file is created with its parent directories; it is built under a
 * temporary name in the same directory and linked into place complete, so
 * a crash never leaves a half-made database.  An existing file is checked
 * read-only first: a file that is not SQLite, an SQLite file without
 * kmin's application_id, a corrupt file or one of a newer schema is
 * refused and left byte-for-byte untouched.  The check reads the whole
 * file (PRAGMA quick_check): measured 0.06 s for 3 MB (2,000 builds of 60
 * sections) and 0.55 s for 31 MB (20,000 builds), so open once per
 * process, not per build.  An older kmin database is migrated (each step
 * in its own transaction).  Without READONLY, a file or directory kmin
 * cannot write is refused with EACCESS.
 *
 * On success *out is the caller's, closed with kmin_store_close().
 */
int kmin_store_open(struct kmin_store **out, const char *path, unsigned int flags, char *err,
		    size_t errlen);
/* Close; NULL is fine.  Never fails (a failed final checkpoint is harmless in WAL). */
void kmin_store_close(struct kmin_store *s);
/* The path given to kmin_store_open().  Borrowed. */
const char *kmin_store_path(const struct kmin_store *s);

/*
 * The default database path into buf: $KMIN_DB if set and non-empty, else
 * $XDG_DATA_HOME/kmin/results.db, else $HOME/.local/share/kmin/results.db.
 * -1 if it does not fit or neither XDG_DATA_HOME nor HOME is set.
 */
int kmin_store_default_path(char *buf, size_t len);

/* ---- identities: upserts return the row id; calling twice gives the same id ---- */

/* The kernel of id->ident (kernel_id.h); updates path/describe of an existing row. */
int kmin_store_kernel_upsert(struct kmin_store *s, const struct kmin_kernel_id *id,
			     int64_t *id_out, char *err, size_t errlen);

/*
 * The kernel row last recorded for the tree at path (the newest whose
 * source_path is path; path NULL: the newest of any path): a guess of its
 * identity while the real one is computed (kernel_id.h walks the whole
 * tree).  Only a guess: a result found under it may be used only once
 * kmin_store_kernel_upsert() of the real identity gives the same row.
 * 1 and *id_out set, 0 none (*id_out 0), or < 0.
 */
int kmin_store_kernel_last(struct kmin_store *s, const char *path, int64_t *id_out, char *err,
			   size_t errlen);

/*
 * A toolchain.  ident is what must change when the compiler changes (e.g.
 * kmin_kernel_env_toolchain_id(): paths, sizes, mtimes and version text of
 * CC and LD); version_text is for people ("arm-linux-gnueabi-gcc (Debian
 * 12.2.0-14) 12.2.0").  ident NULL means version_text.
 */
int kmin_store_toolchain_upsert(struct kmin_store *s, const char *ident, const char *version_text,
				int64_t *id_out, char *err, size_t errlen);

/* ---- configs ---- */

/*
 * Normalize a .config: what makes two equal configs equal.  Keeps, in
 * their order, the lines `CONFIG_<X>=<value>` and `# CONFIG_<X> is not
 * set`, with a trailing CR and trailing blanks removed and leading blanks
 * removed; drops every other line (comments, blank lines, the generated
 * header with its version and date).  Each kept line ends in '\n'.  Order
 * is kept, not sorted: kmin's configs come from olddefconfig, whose order
 * is canonical, and a difference in order can only cause a cache miss,
 * never a wrong hit.  The result is itself a valid .config.
 *
 * *out (NUL-terminated, *outlen bytes without the NUL) is the caller's to
 * free().  Returns 0, or -1 when out of memory.
 */
int kmin_config_normalize(const char *text, size_t len, char **out, size_t *outlen);

/* SHA-256 (lowercase hex) of the normalized text into hex[65].  0 or -1 (memory, libcrypto). */
int kmin_config_sha256(const char *text, size_t len, char hex[65]);

/*
 * Store a config: normalize, hash, compress with zstd, insert unless a
 * config with that hash is there.  sha_out (65 bytes, may be NULL) gets
 * the hash, id_out (may be NULL) the row id.
 */
int kmin_store_config_put(struct kmin_store *s, const char *text, size_t len, char sha_out[65],
			  int64_t *id_out, char *err, size_t errlen);

/*
 * The normalized text of the config with hash sha256 (decompressed and
 * checked against its hash).  *text (NUL-terminated) is the caller's to
 * free().  ENOENT when there is no such config.
 */
int kmin_store_config_get(struct kmin_store *s, const char *sha256, char **text, size_t *len,
			  char *err, size_t errlen);

/* ---- builds ---- */

/* What identifies a build: equal keys give equal results. */
struct kmin_build_key {
	char config_sha256[65];		/* kmin_config_sha256() of the .config built */
	int64_t kernel_id;		/* kmin_store_kernel_upsert() */
	int64_t toolchain_id;		/* kmin_store_toolchain_upsert() */
	const char *arch;		/* ARCH= value: "arm" */
	const char *image;		/* image target: "zImage" */
};

struct kmin_section {
	const char *name;		/* ".text", ".rodata", ... */
	int64_t size;			/* bytes */
};

/* A symbol whose value differs between kmin's engine and make's olddefconfig. */
struct kmin_build_divergence {
	const char *symbol;		/* without CONFIG_ */
	const char *engine;		/* the engine's value; "n" when not set or absent */
	const char *make;		/* make's value */
};

struct kmin_build {
	int64_t id;			/* builds.id (output of lookup; ignored by record) */
	struct kmin_build_key key;
	enum kmin_build_status status;
	int64_t text, data, bss;	/* bytes as size(1) counts them; -1 unknown (failed build) */
	int64_t image_bytes;		/* size of the image file; -1 unknown */
	double seconds;			/* wall-clock seconds of the build */
	const char *worker;		/* who built it ("w3", "host:w3"); NULL = "" */
	int64_t started_ms;		/* Unix epoch milliseconds */
	int64_t finished_ms;
	const char *first_error;	/* first error line of the log; NULL if none */
	const char *log_tail;		/* last lines of the log; NULL if none */
	const struct kmin_section *sections;	/* every allocated section of vmlinux */
	size_t nsections;
	int64_t cached_from;		/* 0 for a real build; else the build that answered */
	void *mem_;			/* private: storage of a lookup's strings */
	/*
	 * kmin's engine against make's olddefconfig (record only; a lookup
	 * leaves them zero): checked says they were compared, divergences
	 * lists the symbols where they differ (none: they agree).
	 */
	bool checked;
	const struct kmin_build_divergence *divergences;
	size_t ndivergences;
};

/*
 * Record a finished build: the build row and all its sections, in one
 * transaction.  The config must have been stored (kmin_store_config_put)
 * and the kernel and toolchain ids must exist, else EINVAL.  b->id and
 * b->cached_from are ignored.  *id_out (may be NULL) gets the new id.
 */
int kmin_store_build_record(struct kmin_store *s, const struct kmin_build *b, int64_t *id_out,
			    char *err, size_t errlen);

/*
 * Look a key up.  Returns 1 and fills *out (the newest real build with
 * that key, with its sections) on a hit, 0 on a miss (*out zeroed), or a
 * negative error.  Different config, kernel, toolchain, arch or image is
 * a miss.  Free *out's storage with kmin_build_clear() after a hit.
 */
int kmin_store_build_lookup(struct kmin_store *s, const struct kmin_build_key *key,
			    struct kmin_build *out, char *err, size_t errlen);

/*
 * Note that a request was answered from the store by build source_id
 * (without running make): a row with cached_from = source_id and its
 * status and sizes, so `kmin builds` shows it with cached = true.
 * Optional; *id_out may be NULL.
 */
int kmin_store_build_record_cached(struct kmin_store *s, int64_t source_id, const char *worker,
				   int64_t started_ms, int64_t finished_ms, int64_t *id_out,
				   char *err, size_t errlen);

/* Free what a lookup put in b and zero it.  NULL is fine. */
void kmin_build_clear(struct kmin_build *b);

/* One row of the builds listing.  Every pointer is borrowed for the callback only. */
struct kmin_build_row {
	int64_t id;
	const char *config_sha256;
	const char *kernel;		/* git describe for git trees, else the version */
	int64_t kernel_id;
	const char *toolchain;		/* compiler version text */
	const char *arch;
	const char *image;
	enum kmin_build_status status;
	int64_t text, data, bss, image_bytes;	/* -1 unknown */
	double seconds;
	const char *worker;
	int64_t started_ms, finished_ms;
	const char *first_error;	/* "" if none */
	int64_t cached_from;		/* 0 for a real build */
	int64_t divergences;		/* symbols where engine and make differ (a cached row:
					 * those of the build that answered); -1 not compared */
};

/*
 * Return 0 to go on; a positive value stops the listing and
 * kmin_store_builds_foreach() returns it (negative values are its own errors).
 */
typedef int (*kmin_build_row_fn)(void *payload, const struct kmin_build_row *row);

/*
 * Call fn for every build, oldest first, in one read transaction.  fn runs
 * with the handle's mutex held: it must not call the store.
 */
int kmin_store_builds_foreach(struct kmin_store *s, kmin_build_row_fn fn, void *payload,
			      char *err, size_t errlen);

/* ---- engine/make divergences (db/store_divergence.c, schema 0004) ---- */

/* One row of the divergences listing; strings borrowed for the callback only. */
struct kmin_divergence_row {
	int64_t build_id;		/* the real build that was compared */
	const char *config_sha256;
	const char *symbol, *engine, *make;
};

typedef int (*kmin_divergence_row_fn)(void *payload, const struct kmin_divergence_row *row);

/*
 * Call fn for every recorded divergence, by build id then symbol, in one
 * read transaction; fn must not call the store.  A positive return of fn
 * stops and is returned.
 */
int kmin_store_divergences_foreach(struct kmin_store *s, kmin_divergence_row_fn fn,
				   void *payload, char *err, size_t errlen);

/* ---- runs and steps of the search (db/store_run.c, schema 0002) ----
 *
 * A run is one `kmin run`; a step is one decision it took (the base, a
 * batch accepted or rejected, the final verification), written as it
 * happens so that a killed run resumes from its last accepted state.
 * These calls open their own short-lived connection to the store's file
 * (so they may run beside the build recording of other threads) and are
 * meant for the search's thread: a few calls per build.
 */

enum kmin_run_status {
	KMIN_RUN_RUNNING = 0,	/* started, not finished (or killed) */
	KMIN_RUN_DONE,		/* no candidate left: the result is final */
	KMIN_RUN_BUDGET,	/* stopped by --max-builds or --time-budget */
	KMIN_RUN_FAILED,	/* the base or the final verification failed */
};

/* "running", "done", "budget", "failed". */
const char *kmin_run_status_name(enum kmin_run_status status);

/* One run; every string is borrowed (record) or owned by the row's mem_ (get). */
struct kmin_run {
	int64_t id;
	const char *key;		/* SHA-256 hex of the command's identity */
	const char *strategy, *arch, *requirements, *base, *metric;
	int64_t kernel_id, toolchain_id;
	enum kmin_run_status status;
	const char *base_sha256;	/* NULL until solved */
	int64_t base_size;		/* -1 unknown */
	const char *final_sha256;	/* NULL until the base is accepted */
	int64_t final_size;		/* -1 unknown */
	int64_t builds, cached;
	int64_t started_ms, finished_ms;	/* finished_ms 0 while running */
	void *mem_;			/* private: storage of a get's strings */
};

/* Insert a new run (status, sizes, counters as given); *id_out gets its id. */
int kmin_store_run_create(struct kmin_store *s, const struct kmin_run *run, int64_t *id_out,
			  char *err, size_t errlen);

/*
 * Update the mutable fields of run->id: status, base_sha256, base_size,
 * final_sha256, final_size, builds, cached, finished_ms.
 */
int kmin_store_run_update(struct kmin_store *s, const struct kmin_run *run, char *err,
			  size_t errlen);

/* Read run id into *out (1), or 0 when there is none.  Free with kmin_run_clear(). */
int kmin_store_run_get(struct kmin_store *s, int64_t id, struct kmin_run *out, char *err,
		       size_t errlen);

/*
 * Claim run id for this handle until kmin_store_close(): 0 claimed (or
 * already ours), 1 another process or handle holds it (the run is still
 * going there), negative with a message on error.  The claim lives in
 * "<database>.runs.lock" and ends with the process, kill -9 included.
 */
int kmin_store_run_claim(struct kmin_store *s, int64_t id, char *err, size_t errlen);

/* The newest run with this key still 'running': 1 and *id_out, or 0 for none. */
int kmin_store_run_find_unfinished(struct kmin_store *s, const char *key, int64_t *id_out,
				   char *err, size_t errlen);

void kmin_run_clear(struct kmin_run *run);

/* Call fn for every run, oldest first; a positive return stops and is returned. */
typedef int (*kmin_run_row_fn)(void *payload, const struct kmin_run *run);
int kmin_store_runs_foreach(struct kmin_store *s, kmin_run_row_fn fn, void *payload, char *err,
			    size_t errlen);

enum kmin_step_kind { KMIN_STEP_BASE = 0, KMIN_STEP_ACCEPT, KMIN_STEP_REJECT, KMIN_STEP_VERIFY };

/* "base", "accept", "reject", "verify". */
const char *kmin_step_kind_name(enum kmin_step_kind kind);

struct kmin_run_step {
	int64_t run_id;
	int64_t seq;			/* set by kmin_store_step_add() */
	enum kmin_step_kind kind;
	const char *moves;		/* "SYM=n SYM2=y"; "" for the base */
	const char *config_sha256;	/* NULL: refused without a build */
	int64_t build_id;		/* 0: none */
	const char *reason;		/* "ok", "failed", "grew", ... */
	int64_t size, saving;		/* -1 unknown */
	bool cached;
	int64_t created_ms;		/* 0: now */
};

/* Append a step (seq = the run's last + 1, written into step->seq). */
int kmin_store_step_add(struct kmin_store *s, struct kmin_run_step *step, char *err,
			size_t errlen);

/* Call fn for every step of a run, in order.  Strings borrowed for the call. */
typedef int (*kmin_step_row_fn)(void *payload, const struct kmin_run_step *step);
int kmin_store_steps_foreach(struct kmin_store *s, int64_t run_id, kmin_step_row_fn fn,
			     void *payload, char *err, size_t errlen);

/*
 * What moves saved before, for this kernel and arch: fn is called once per
 * accepted or rejected step that was measured, oldest first, with its
 * moves as the run recorded them (text the store does not interpret), the
 * run's metric and the saving (bytes of that metric; negative: it grew).
 * The strings are borrowed for the call.
 */
typedef void (*kmin_saving_fn)(void *payload, const char *moves, const char *metric,
			       int64_t saving);
int kmin_store_savings_foreach(struct kmin_store *s, int64_t kernel_id, const char *arch,
			       kmin_saving_fn fn, void *payload, char *err, size_t errlen);

/* ---- what a report reads (db/store_report.c) ---- */

/* Called per section; the name is borrowed for the call.  A positive return stops. */
typedef int (*kmin_section_fn)(void *payload, const struct kmin_section *section);

/*
 * Call fn for every section of build_id in ELF order (a cached row: those
 * of the build that answered).  No sections (a failed build, no such
 * build) calls fn never and returns 0.
 */
int kmin_store_sections_foreach(struct kmin_store *s, int64_t build_id, kmin_section_fn fn,
				void *payload, char *err, size_t errlen);

/*
 * The kernel as people name it, "v6.1-rc1-dirty (/path)" or "6.1.158
 * (/path)", or the toolchain's version text, into buf: 1, or 0 when
 * there is no such row (buf "").
 */
int kmin_store_kernel_label(struct kmin_store *s, int64_t kernel_id, char *buf, size_t len,
			    char *err, size_t errlen);
int kmin_store_toolchain_label(struct kmin_store *s, int64_t toolchain_id, char *buf, size_t len,
			       char *err, size_t errlen);

#endif
