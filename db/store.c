/*
 * store.c - the results store: opening, migrating and querying the SQLite
 * database of builds (see include/kmin/store.h for the model).
 *
 * Who calls it: the build workers (lookup before make, record after), the
 * search (config_put), `kmin builds` (foreach).  Workload: one short write
 * transaction per finished build (a build takes 10 s to 5 min, so writes
 * are rare), lookups before each build, whole-table reads for listings;
 * several kmin processes may use one file at once.
 *
 * Opening is the delicate part.  A file that is not ours must never be
 * changed, so an existing file is judged before SQLite writes anything:
 * its first 100 bytes must be an SQLite header carrying kmin's
 * application_id, then a read-only connection checks user_version and runs
 * `PRAGMA quick_check`.  Only then is the file opened for writing.  A new
 * database is built complete under a temporary name in rollback-journal
 * mode (so everything is in the main file), switched to WAL, and linked
 * into place with link(2) (or renameat2 with RENAME_NOREPLACE), which
 * fails instead of replacing a file that appeared meanwhile.  A crash at
 * any point leaves either no database or a complete one (and at worst a
 * stray results.db.new-XXXXXX beside it).
 *
 * Durability: WAL with synchronous=NORMAL.  A killed process loses
 * nothing it committed; a power loss may lose the last few committed
 * builds (they are rebuilt) but never leaves the database inconsistent.
 *
 * Concurrency: each handle has one connection and a mutex held by every
 * public call.  Writes use BEGIN IMMEDIATE so two writers queue on the
 * busy timeout instead of failing on lock upgrade.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "kmin/store.h"
#include "store_internal.h"
#include "store_sql.h"

/* How long a write waits for another writer before giving up (ms). */
#define BUSY_TIMEOUT_MS 30000

enum stmt_id {
	ST_KERNEL_GET,
	ST_KERNEL_PUT,
	ST_TOOLCHAIN_GET,
	ST_TOOLCHAIN_PUT,
	ST_CONFIG_GET_ID,
	ST_CONFIG_PUT,
	ST_CONFIG_GET,
	ST_BUILD_PUT,
	ST_SECTION_PUT,
	ST_BUILD_LOOKUP,
	ST_SECTIONS_GET,
	ST_BUILD_CACHED_PUT,
	ST_BUILDS_LIST,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_KERNEL_GET] = "SELECT id, source_path, COALESCE(git_describe, '') FROM kernels WHERE ident = ?1",
	[ST_KERNEL_PUT] =
		"INSERT INTO kernels(ident, version, source_path, git_commit, git_describe, git_dirty,"
		" fingerprint, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		" ON CONFLICT(ident) DO UPDATE SET source_path = excluded.source_path,"
		" git_describe = excluded.git_describe RETURNING id",
	[ST_TOOLCHAIN_GET] = "SELECT id FROM toolchains WHERE ident = ?1",
	[ST_TOOLCHAIN_PUT] =
		"INSERT INTO toolchains(ident, version_text, created_ms) VALUES (?1, ?2, ?3)"
		" ON CONFLICT(ident) DO UPDATE SET ident = ident RETURNING id",
	[ST_CONFIG_GET_ID] = "SELECT id FROM configs WHERE sha256 = ?1",
	[ST_CONFIG_PUT] =
		"INSERT INTO configs(sha256, size, content, created_ms) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT(sha256) DO UPDATE SET sha256 = sha256 RETURNING id",
	[ST_CONFIG_GET] = "SELECT size, content FROM configs WHERE sha256 = ?1",
	[ST_BUILD_PUT] =
		"INSERT INTO builds(config_id, kernel_id, toolchain_id, arch, image, status,"
		" text_bytes, data_bytes, bss_bytes, image_bytes, seconds, worker, started_ms,"
		" finished_ms, first_error, log_tail)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
	[ST_SECTION_PUT] = "INSERT INTO sections(build_id, seq, name, size) VALUES (?1, ?2, ?3, ?4)",
	[ST_BUILD_LOOKUP] =
		"SELECT b.id, b.status, b.text_bytes, b.data_bytes, b.bss_bytes, b.image_bytes,"
		" b.seconds, b.worker, b.started_ms, b.finished_ms, b.first_error, b.log_tail"
		" FROM builds b JOIN configs c ON c.id = b.config_id"
		" WHERE c.sha256 = ?1 AND b.kernel_id = ?2 AND b.toolchain_id = ?3"
		" AND b.arch = ?4 AND b.image = ?5 AND b.cached_from IS NULL"
		" ORDER BY b.id DESC LIMIT 1",
	[ST_SECTIONS_GET] = "SELECT name, size FROM sections WHERE build_id = ?1 ORDER BY seq",
	[ST_BUILD_CACHED_PUT] =
		"INSERT INTO builds(config_id, kernel_id, toolchain_id, arch, image, status,"
		" text_bytes, data_bytes, bss_bytes, image_bytes, seconds, worker, started_ms,"
		" finished_ms, first_error, log_tail, cached_from)"
		" SELECT config_id, kernel_id, toolchain_id, arch, image, status, text_bytes,"
		" data_bytes, bss_bytes, image_bytes, ?2, ?3, ?4, ?5, first_error, NULL, id"
		" FROM builds WHERE id = ?1 AND cached_from IS NULL",
	[ST_BUILDS_LIST] =
		"SELECT b.id, c.sha256,"
		" CASE WHEN COALESCE(k.git_describe, '') <> '' THEN k.git_describe ELSE k.version END,"
		" k.id, t.version_text, b.arch, b.image, b.status, b.text_bytes, b.data_bytes,"
		" b.bss_bytes, b.image_bytes, b.seconds, b.worker, b.started_ms, b.finished_ms,"
		" COALESCE(b.first_error, ''), COALESCE(b.cached_from, 0),"
		" (SELECT e.divergences FROM engine_checks e"
		" WHERE e.build_id = COALESCE(b.cached_from, b.id))"
		" FROM builds b JOIN configs c ON c.id = b.config_id"
		" JOIN kernels k ON k.id = b.kernel_id JOIN toolchains t ON t.id = b.toolchain_id"
		" ORDER BY b.id",
};

struct kmin_store {
	sqlite3 *db;
	char *path;			/* as given to open; owned */
	bool readonly;
	pthread_mutex_t lock;		/* held by every public call */
	sqlite3_stmt *stmt[ST_COUNT];	/* prepared on first use */
	char failmsg[256];		/* SQLite's message of a failed write, kept across ROLLBACK */
	int claim_fd;			/* "<path>.runs.lock", holding this handle's run claims; -1 */
};

/* ---- errors ---- */

static int fail(int code, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

/* The store error for an SQLite result code. */
static int sqlite_code(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return KMIN_STORE_ECORRUPT;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return KMIN_STORE_EACCESS;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
		return KMIN_STORE_EINVAL;
	default:
		return KMIN_STORE_EGENERIC;
	}
}

/* "<what> '<path>': <msg>", with the code that fits rc. */
static int sql_fail_msg(const char *path, const char *msg, int rc, const char *what, char *err,
			size_t errlen)
{
	if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
		return fail(KMIN_STORE_ECORRUPT, err, errlen,
			    "database '%s' is corrupt (%s); it was left untouched", path, msg);
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return fail(KMIN_STORE_EGENERIC, err, errlen,
			    "%s '%s': locked by another process for over %d s", what, path,
			    BUSY_TIMEOUT_MS / 1000);
	return fail(sqlite_code(rc), err, errlen, "%s '%s': %s", what, path, msg);
}

/* As sql_fail_msg() with db's current message (SQLite's text for rc without db). */
static int sql_fail(const char *path, sqlite3 *db, int rc, const char *what, char *err,
		    size_t errlen)
{
	return sql_fail_msg(path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc, what, err,
			    errlen);
}

/* As sql_fail() for a handle, preferring the message end_write() saved before ROLLBACK. */
static int store_fail(struct kmin_store *s, int rc, const char *what, char *err, size_t errlen)
{
	int code;

	if (!*s->failmsg)
		return sql_fail(s->path, s->db, rc, what, err, errlen);
	code = sql_fail_msg(s->path, s->failmsg, rc, what, err, errlen);
	s->failmsg[0] = '\0';
	return code;
}

/* ---- small helpers ---- */

/*
 * The store's lock is recursive: a callback of a _foreach() call may call
 * the store again on the same thread.
 */
static int lock_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	int rc = pthread_mutexattr_init(&a);

	if (!rc)
		rc = pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	if (!rc)
		rc = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return rc;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *kmin_build_status_name(enum kmin_build_status status)
{
	switch (status) {
	case KMIN_BUILD_OK:
		return "ok";
	case KMIN_BUILD_FAILED:
		return "failed";
	case KMIN_BUILD_TIMEOUT:
		return "timeout";
	}
	return "?";
}

static int status_parse(const char *name, enum kmin_build_status *out)
{
	static const enum kmin_build_status all[] = { KMIN_BUILD_OK, KMIN_BUILD_FAILED,
						       KMIN_BUILD_TIMEOUT };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (name && !strcmp(name, kmin_build_status_name(all[i]))) {
			*out = all[i];
			return 0;
		}
	return -1;
}

/* The statement id, reset and unbound, prepared on first use; NULL on error (rc set). */
static sqlite3_stmt *stmt_get(struct kmin_store *s, enum stmt_id id, int *rc)
{
	if (!s->stmt[id]) {
		*rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					 &s->stmt[id], NULL);
		if (*rc != SQLITE_OK)
			return NULL;
	}
	sqlite3_reset(s->stmt[id]);
	sqlite3_clear_bindings(s->stmt[id]);
	*rc = SQLITE_OK;
	return s->stmt[id];
}

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Bind an int64 that may be unknown (-1 or less: NULL). */
static int bind_size(sqlite3_stmt *st, int i, int64_t v)
{
	return v < 0 ? sqlite3_bind_null(st, i) : sqlite3_bind_int64(st, i, v);
}

static int64_t column_size(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

static int bind_text(sqlite3_stmt *st, int i, const char *text)
{
	return text ? sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

/* ---- opening: judging an existing file ---- */

/* Read the 100-byte header and judge it without SQLite.  0 if it is kmin's. */
static int check_header(const char *path, char *err, size_t errlen)
{
	unsigned char h[100];
	struct stat st;
	ssize_t n;
	uint32_t app;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return fail(KMIN_STORE_EACCESS, err, errlen, "cannot read database '%s': %s", path,
			    strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(KMIN_STORE_ENOTKMIN, err, errlen,
			    "'%s' is not a kmin database (not a regular file)", path);
	}
	n = pread(fd, h, sizeof(h), 0);
	close(fd);
	if (n < (ssize_t)sizeof(h) || memcmp(h, "SQLite format 3", 16))
		return fail(KMIN_STORE_ENOTKMIN, err, errlen,
			    "'%s' is not a kmin database (not an SQLite file); it was left untouched",
			    path);
	app = (uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 | (uint32_t)h[70] << 8 | h[71];
	if (app != KMIN_STORE_APPLICATION_ID)
		return fail(KMIN_STORE_ENOTKMIN, err, errlen,
			    "'%s' is not a kmin database (an SQLite file of another program, "
			    "application_id %#x); it was left untouched", path, app);
	return 0;
}

/* Run a one-integer PRAGMA/SELECT. */
static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

/* `PRAGMA quick_check`: SQLITE_OK when the answer is "ok", SQLITE_CORRUPT otherwise. */
static int quick_check(sqlite3 *db, char *detail, size_t len)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		snprintf(detail, len, "%s", t ? t : "");
		rc = t && !strcmp(t, "ok") ? SQLITE_OK : SQLITE_CORRUPT;
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * Judge an existing file read-only: header, application_id, schema
 * version, quick_check.  *version gets its user_version.
 */
static int check_existing(const char *path, int64_t *version, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	char detail[256] = "";
	int64_t app = 0;
	int rc = check_header(path, err, errlen);

	if (rc < 0)
		return rc;
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	if (rc == SQLITE_OK)
		rc = query_int(db, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK)
		rc = query_int(db, "PRAGMA user_version", version);
	if (rc == SQLITE_OK && app == KMIN_STORE_APPLICATION_ID &&
	    *version <= KMIN_STORE_SCHEMA_VERSION)
		rc = quick_check(db, detail, sizeof(detail));
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_CORRUPT && *detail)
			rc = fail(KMIN_STORE_ECORRUPT, err, errlen,
				  "database '%s' is corrupt (%s); it was left untouched", path,
				  detail);
		else if ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN)
			/* WAL readers need its -shm file: existing, or creatable beside it */
			rc = fail(KMIN_STORE_EACCESS, err, errlen,
				  "cannot read database '%s': its '-shm' file is missing and cannot "
				  "be created in its directory (%s)", path, sqlite3_errmsg(db));
		else
			rc = sql_fail(path, db, rc, "cannot read database", err, errlen);
		sqlite3_close_v2(db);
		return rc;
	}
	sqlite3_close_v2(db);
	if (app != KMIN_STORE_APPLICATION_ID)
		return fail(KMIN_STORE_ENOTKMIN, err, errlen,
			    "'%s' is not a kmin database (application_id %#llx); it was left untouched",
			    path, (unsigned long long)app);
	if (*version > KMIN_STORE_SCHEMA_VERSION)
		return fail(KMIN_STORE_ENEWER, err, errlen,
			    "database '%s' was written by a newer kmin (schema version %lld, this kmin "
			    "knows up to %d); it was left untouched",
			    path, (long long)*version, KMIN_STORE_SCHEMA_VERSION);
	if (*version < 1)
		return fail(KMIN_STORE_ECORRUPT, err, errlen,
			    "database '%s' is incomplete (schema version 0); it was left untouched",
			    path);
	return 0;
}

/* ---- opening: migrations and creation ---- */

/*
 * SQLITE_OK when `PRAGMA foreign_key_check` finds nothing, else
 * SQLITE_CONSTRAINT with the first offending row described in why[len].
 */
static int foreign_key_check(sqlite3 *db, char *why, size_t len)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {	/* table, rowid, parent, fkid */
		const unsigned char *table = sqlite3_column_text(st, 0),
				    *parent = sqlite3_column_text(st, 2);
		char row[48] = "a row";	/* WITHOUT ROWID tables have none */
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			snprintf(row, sizeof(row), "row %lld", (long long)sqlite3_column_int64(st, 1));
		snprintf(why, len, "%s of table %s names a row of %s that does not exist", row,
			 table ? (const char *)table : "?", parent ? (const char *)parent : "?");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc == SQLITE_ROW ? SQLITE_CONSTRAINT : rc;
}

/*
 * One migration in one IMMEDIATE transaction, unless another process
 * applied it already.  On failure the transaction is still open (so the
 * caller can read the error message) and must be rolled back.
 */
static int migrate_one(sqlite3 *db, const struct kmin_store_migration *m, char *why,
		       size_t len)
{
	char sql[64];
	int64_t version = 0;
	int rc = exec(db, "BEGIN IMMEDIATE");

	if (rc == SQLITE_OK)
		rc = query_int(db, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK && version < m->version) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", m->version);
		rc = exec(db, m->sql);
		if (rc == SQLITE_OK)
			rc = foreign_key_check(db, why, len);
		if (rc == SQLITE_OK)
			rc = exec(db, sql);
	}
	if (rc == SQLITE_OK)
		rc = exec(db, "COMMIT");
	return rc;	/* on failure the transaction is left for the caller to roll back */
}

/*
 * Apply every migration above the database's version, each in its own
 * transaction that re-reads user_version first (another process may have
 * migrated meanwhile).  Foreign keys are off meanwhile, as SQLite asks for
 * table rebuilds, and checked before each commit.
 */
static int migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	int rc = exec(db, "PRAGMA foreign_keys = OFF");

	for (unsigned int i = 0; rc == SQLITE_OK && i < kmin_store_migrations_count; i++) {
		char why[256] = "";
		rc = migrate_one(db, &kmin_store_migrations[i], why, sizeof(why));
		if (rc != SQLITE_OK) {
			char what[128];
			snprintf(what, sizeof(what), "cannot apply migration %s to",
				 kmin_store_migrations[i].name);
			rc = *why ? sql_fail_msg(path, why, rc, what, err, errlen)
				  : sql_fail(path, db, rc, what, err, errlen);
			if (!sqlite3_get_autocommit(db))
				exec(db, "ROLLBACK");
			return rc;
		}
	}
	if (rc == SQLITE_OK)
		rc = exec(db, "PRAGMA foreign_keys = ON");
	return rc == SQLITE_OK ? 0 : sql_fail(path, db, rc, "cannot migrate", err, errlen);
}

/* mkdir -p of path's parent directories (new ones 0700, as XDG asks). */
static int make_parents(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(dir))
		return fail(KMIN_STORE_EINVAL, err, errlen, "database path too long: '%s'", path);
	memcpy(dir, path, n + 1);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return fail(KMIN_STORE_EACCESS, err, errlen,
				    "cannot create database '%s': cannot create directory '%s': %s",
				    path, dir, strerror(errno));
		*p = '/';
	}
	return 0;
}

/* Build a complete database at tmp (a new empty file): schema, ids, then WAL. */
static int create_at(const char *tmp, const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	char sql[64];
	int rc = sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);

	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", KMIN_STORE_APPLICATION_ID);
	if (rc == SQLITE_OK)
		rc = exec(db, "PRAGMA journal_mode = DELETE");
	if (rc == SQLITE_OK)
		rc = exec(db, sql);
	if (rc != SQLITE_OK) {
		rc = sql_fail(path, db, rc, "cannot create database", err, errlen);
		sqlite3_close_v2(db);
		return rc;
	}
	rc = migrate(db, path, err, errlen);
	if (rc == 0 && exec(db, "PRAGMA journal_mode = WAL") != SQLITE_OK)
		rc = sql_fail(path, db, sqlite3_errcode(db), "cannot create database", err, errlen);
	if (sqlite3_close(db) != SQLITE_OK && rc == 0) {
		rc = fail(KMIN_STORE_EGENERIC, err, errlen, "cannot create database '%s': close failed",
			  path);
		sqlite3_close_v2(db);
	}
	return rc;
}

/*
 * Give the complete file tmp the name path unless path exists (errno
 * EEXIST then).  link(2), or on file systems without hard links
 * renameat2(RENAME_NOREPLACE); either never replaces a file.
 */
static int publish(const char *tmp, const char *path)
{
	if (link(tmp, path) == 0)
		return 0;
	if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP && errno != EMLINK)
		return -1;
	return renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE);
}

/*
 * Create the database at path: parents, a temporary file beside it built
 * complete, then link(2) into place.  If path appeared meanwhile (another
 * kmin won the race) that one is kept.
 */
static int create_new(const char *path, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 32], side[PATH_MAX + 48];
	int fd, rc;

	rc = make_parents(path, err, errlen);
	if (rc < 0)
		return rc;
	/*
	 * A write-ahead log left by a database that was deleted or moved
	 * after kill -9 would be read into the new one (its committed pages):
	 * refuse.  An empty one, or a -shm alone, holds nothing.
	 */
	struct stat st;
	if (snprintf(side, sizeof(side), "%s-wal", path) < (int)sizeof(side) &&
	    !stat(side, &st) && st.st_size > 0)
		return fail(KMIN_STORE_EINVAL, err, errlen,
			    "'%s' has no database but '%s' is left of one: remove it, or put back "
			    "the database it belongs to", path, side);
	if (snprintf(tmp, sizeof(tmp), "%s.new-XXXXXX", path) >= (int)sizeof(tmp))
		return fail(KMIN_STORE_EINVAL, err, errlen, "database path too long: '%s'", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return fail(KMIN_STORE_EACCESS, err, errlen, "cannot create database '%s': %s", path,
			    strerror(errno));
	close(fd);
	rc = create_at(tmp, path, err, errlen);
	snprintf(side, sizeof(side), "%s-wal", tmp);
	if (rc == 0 && access(side, F_OK) == 0)
		rc = fail(KMIN_STORE_EGENERIC, err, errlen,
			  "cannot create database '%s': its log was not checkpointed", path);
	if (rc == 0 && publish(tmp, path) < 0 && errno != EEXIST)
		rc = fail(KMIN_STORE_EACCESS, err, errlen, "cannot create database '%s': %s", path,
			  strerror(errno));
	unlink(tmp);
	snprintf(side, sizeof(side), "%s-journal", tmp);
	unlink(side);
	snprintf(side, sizeof(side), "%s-wal", tmp);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", tmp);
	unlink(side);
	return rc;
}

/* Can we write the file and create its -wal/-shm beside it? */
static int check_writable(struct kmin_store *s, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	char *slash;

	if (sqlite3_db_readonly(s->db, "main") == 1 || access(s->path, W_OK) < 0)
		return fail(KMIN_STORE_EACCESS, err, errlen, "database '%s' is not writable", s->path);
	snprintf(dir, sizeof(dir), "%s", s->path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (access(dir, W_OK | X_OK) < 0)
		return fail(KMIN_STORE_EACCESS, err, errlen,
			    "database '%s' is not writable: cannot write in '%s': %s", s->path, dir,
			    strerror(errno));
	return 0;
}

static int store_connect(struct kmin_store *s, unsigned int flags, char *err, size_t errlen)
{
	int oflags = (flags & KMIN_STORE_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	int rc = sqlite3_open_v2(s->path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	if (rc == SQLITE_OK)
		rc = sqlite3_extended_result_codes(s->db, 1);
	if (rc == SQLITE_OK)
		rc = exec(s->db, "PRAGMA foreign_keys = ON");
	if (rc == SQLITE_OK && !s->readonly)
		rc = exec(s->db, "PRAGMA synchronous = NORMAL");
	if (rc != SQLITE_OK)
		return store_fail(s, rc, "cannot open database", err, errlen);
	return s->readonly ? 0 : check_writable(s, err, errlen);
}

int kmin_store_open(struct kmin_store **out, const char *path, unsigned int flags, char *err,
		    size_t errlen)
{
	struct kmin_store *s;
	struct stat st;
	int64_t version = 0;
	int rc;

	*out = NULL;
	if (!path || !*path)
		return fail(KMIN_STORE_EINVAL, err, errlen, "no database path given");
	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return fail(KMIN_STORE_EACCESS, err, errlen, "cannot open database '%s': %s",
				    path, strerror(errno));
		if (flags & KMIN_STORE_READONLY)
			return fail(KMIN_STORE_ENOENT, err, errlen, "no database '%s'", path);
		rc = create_new(path, err, errlen);
		if (rc < 0)
			return rc;
	}
	rc = check_existing(path, &version, err, errlen);
	if (rc < 0)
		return rc;
	if (version < KMIN_STORE_SCHEMA_VERSION && (flags & KMIN_STORE_UPGRADE))
		flags &= ~(unsigned int)KMIN_STORE_READONLY;
	if (version < KMIN_STORE_SCHEMA_VERSION && (flags & KMIN_STORE_READONLY))
		return fail(KMIN_STORE_EACCESS, err, errlen,
			    "database '%s' has the old schema version %lld; open it for writing once "
			    "to upgrade it", path, (long long)version);

	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return fail(KMIN_STORE_EGENERIC, err, errlen, "out of memory");
	}
	s->readonly = flags & KMIN_STORE_READONLY;
	s->claim_fd = -1;
	if (lock_init(&s->lock)) {
		free(s->path);
		free(s);
		return fail(KMIN_STORE_EGENERIC, err, errlen, "cannot create a lock");
	}
	rc = store_connect(s, flags, err, errlen);
	if (rc == 0 && version < KMIN_STORE_SCHEMA_VERSION)
		rc = migrate(s->db, path, err, errlen);
	if (rc < 0) {
		kmin_store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void kmin_store_close(struct kmin_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close_v2(s->db);
	if (s->claim_fd >= 0)
		close(s->claim_fd);	/* releases the claims */
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
}

/*
 * Claims are open-file-description locks (F_OFD_SETLK: owned by this
 * handle's descriptor, not by the process) on the byte at offset id of
 * one file beside the database.  The kernel drops them when the
 * descriptor is closed or the process dies, kill -9 included, so a
 * crashed run can be resumed at once and no stale lock is ever left.
 */
int kmin_store_run_claim(struct kmin_store *s, int64_t id, char *err, size_t errlen)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = (off_t)id,
			    .l_len = 1 };
	char path[PATH_MAX];
	int rc = 0;

	if (id <= 0)
		return fail(KMIN_STORE_EINVAL, err, errlen, "no run %lld", (long long)id);
	pthread_mutex_lock(&s->lock);
	if (s->claim_fd < 0) {
		if ((size_t)snprintf(path, sizeof(path), "%s.runs.lock", s->path) >= sizeof(path))
			rc = fail(KMIN_STORE_EGENERIC, err, errlen, "path too long: '%s.runs.lock'",
				  s->path);
		else if ((s->claim_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
			rc = fail(KMIN_STORE_EACCESS, err, errlen, "cannot open '%s': %s", path,
				  strerror(errno));
	}
	if (!rc && fcntl(s->claim_fd, F_OFD_SETLK, &fl)) {
		if (errno == EAGAIN || errno == EACCES)
			rc = 1;
		else
			rc = fail(KMIN_STORE_EGENERIC, err, errlen,
				  "cannot lock run %lld in '%s.runs.lock': %s", (long long)id,
				  s->path, strerror(errno));
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- for the store's other files (store_internal.h) ---- */

sqlite3 *kmin_store_acquire(struct kmin_store *s)
{
	pthread_mutex_lock(&s->lock);
	return s->db;
}

void kmin_store_release(struct kmin_store *s)
{
	pthread_mutex_unlock(&s->lock);
}

int kmin_store_sql_error(struct kmin_store *s, int rc, const char *what, char *err,
			 size_t errlen)
{
	return store_fail(s, rc, what, err, errlen);
}

int kmin_store_rows(struct kmin_store *s, const char *sql, kmin_store_bind_fn *bind,
		    kmin_store_row_fn *row, void *arg, const char *what, char *err,
		    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc, stop = 0;

	pthread_mutex_lock(&s->lock);
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK && bind)
		bind(st, arg);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		stop = row ? row(st, arg) : 0;
		if (stop > 0)
			break;
		rc = stop < 0 ? -stop : SQLITE_OK;
	}
	/* the message is taken before finalize, while SQLite still holds it */
	if (stop > 0)
		rc = stop;
	else
		rc = rc == SQLITE_DONE ? 0 : store_fail(s, rc, what, err, errlen);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* kmin_store_row()'s callbacks around the caller's: stop after the first row. */
struct first_row {
	kmin_store_bind_fn *bind;
	kmin_store_row_fn *row;
	void *arg;
};

static void first_row_bind(sqlite3_stmt *st, void *arg)
{
	struct first_row *f = arg;

	if (f->bind)
		f->bind(st, f->arg);
}

static int first_row(sqlite3_stmt *st, void *arg)
{
	struct first_row *f = arg;
	int rc = f->row ? f->row(st, f->arg) : 0;

	return rc < 0 ? rc : 1;
}

int kmin_store_row(struct kmin_store *s, const char *sql, kmin_store_bind_fn *bind,
		   kmin_store_row_fn *row, void *arg, const char *what, char *err,
		   size_t errlen)
{
	struct first_row f = { bind, row, arg };

	return kmin_store_rows(s, sql, first_row_bind, first_row, &f, what, err, errlen);
}

int kmin_store_insert(struct kmin_store *s, const char *sql, kmin_store_bind_fn *bind,
		      void *arg, int64_t *rowid, const char *what, char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&s->lock);	/* recursive: kmin_store_rows() takes it again */
	rc = kmin_store_rows(s, sql, bind, NULL, arg, what, err, errlen);
	if (rc == 0 && rowid)
		*rowid = sqlite3_last_insert_rowid(s->db);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int64_t kmin_store_now_ms(void)
{
	return now_ms();
}

void kmin_store_bind_text_or_null(sqlite3_stmt *st, int i, const char *text)
{
	if (text)
		sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void kmin_store_bind_size_or_null(sqlite3_stmt *st, int i, int64_t v)
{
	if (v >= 0)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

void kmin_store_bind_id_or_null(sqlite3_stmt *st, int i, int64_t v)
{
	if (v > 0)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

const char *kmin_store_path(const struct kmin_store *s)
{
	return s->path;
}

int kmin_store_default_path(char *buf, size_t len)
{
	const char *env = getenv("KMIN_DB");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;

	if (env && *env)
		n = snprintf(buf, len, "%s", env);
	else if (xdg && *xdg == '/')	/* XDG: a relative value is invalid and ignored */
		n = snprintf(buf, len, "%s/kmin/results.db", xdg);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.local/share/kmin/results.db", home);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* ---- transactions ---- */

static int begin_write(struct kmin_store *s)
{
	s->failmsg[0] = '\0';
	return exec(s->db, "BEGIN IMMEDIATE");
}

/* COMMIT, or ROLLBACK when rc says the transaction failed.  Returns rc or COMMIT's error. */
static int end_write(struct kmin_store *s, int rc)
{
	if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) {
		rc = exec(s->db, "COMMIT");
		if (rc == SQLITE_OK)
			return SQLITE_OK;
	}
	snprintf(s->failmsg, sizeof(s->failmsg), "%s",
		 rc == SQLITE_NOTFOUND ? "not found" : sqlite3_errmsg(s->db));
	if (!sqlite3_get_autocommit(s->db))
		exec(s->db, "ROLLBACK");
	return rc;
}

/* Step a statement expected to return one row whose column 0 is an id. */
static int step_id(sqlite3_stmt *st, int64_t *id)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_reset(st);
	return rc;
}

/* ---- identities ---- */

static int kernel_put(struct kmin_store *s, const struct kmin_kernel_id *k, int64_t *id)
{
	int rc;
	sqlite3_stmt *st = stmt_get(s, ST_KERNEL_PUT, &rc);

	if (!st)
		return rc;
	bind_text(st, 1, k->ident);
	bind_text(st, 2, k->version);
	bind_text(st, 3, k->path);
	bind_text(st, 4, k->git && *k->commit ? k->commit : NULL);
	bind_text(st, 5, k->git ? k->describe : NULL);
	sqlite3_bind_int(st, 6, k->dirty);
	bind_text(st, 7, *k->fingerprint ? k->fingerprint : NULL);
	sqlite3_bind_int64(st, 8, now_ms());
	return step_id(st, id);
}

/* Is the kernel there with the same path and describe?  SQLITE_ROW if so (id set). */
static int kernel_same(struct kmin_store *s, const struct kmin_kernel_id *k, int64_t *id)
{
	int rc;
	sqlite3_stmt *st = stmt_get(s, ST_KERNEL_GET, &rc);

	if (!st)
		return rc;
	bind_text(st, 1, k->ident);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		const char *path = (const char *)sqlite3_column_text(st, 1);
		const char *describe = (const char *)sqlite3_column_text(st, 2);
		if (!path || !describe || strcmp(path, k->path) ||
		    strcmp(describe, k->git ? k->describe : ""))
			rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc;
}

int kmin_store_kernel_upsert(struct kmin_store *s, const struct kmin_kernel_id *k,
			     int64_t *id_out, char *err, size_t errlen)
{
	int64_t id = 0;
	int rc;

	if (!*k->ident)
		return fail(KMIN_STORE_EINVAL, err, errlen, "kernel of '%s' has no identity", k->path);
	pthread_mutex_lock(&s->lock);
	rc = kernel_same(s, k, &id);
	if (rc == SQLITE_DONE) {
		rc = begin_write(s);
		if (rc == SQLITE_OK)
			rc = kernel_put(s, k, &id);
		rc = end_write(s, rc);
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_OK;
	if (rc != SQLITE_OK)
		rc = store_fail(s, rc, "cannot record the kernel in", err, errlen);
	else if (id_out)
		*id_out = id;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* kmin_store_kernel_last()'s query: the path asked for, the id found. */
struct kernel_last {
	const char *path;
	int64_t *id;
};

static void kernel_last_bind(sqlite3_stmt *st, void *arg)
{
	bind_text(st, 1, ((struct kernel_last *)arg)->path);
}

static int kernel_last_row(sqlite3_stmt *st, void *arg)
{
	*((struct kernel_last *)arg)->id = sqlite3_column_int64(st, 0);
	return 0;
}

int kmin_store_kernel_last(struct kmin_store *s, const char *path, int64_t *id_out, char *err,
			   size_t errlen)
{
	struct kernel_last q = { path, id_out };

	*id_out = 0;
	return kmin_store_row(s, "SELECT id FROM kernels WHERE ?1 IS NULL OR source_path = ?1"
			      " ORDER BY id DESC LIMIT 1", kernel_last_bind, kernel_last_row, &q,
			      "cannot look the kernel up in", err, errlen);
}

/* The id of the row whose key (?1 of statement `get`) is key; SQLITE_NOTFOUND if none. */
static int lookup_id(struct kmin_store *s, enum stmt_id get, const char *key, int64_t *id)
{
	int rc;
	sqlite3_stmt *st = stmt_get(s, get, &rc);

	if (!st)
		return rc;
	bind_text(st, 1, key);
	rc = step_id(st, id);
	return rc == SQLITE_DONE ? SQLITE_NOTFOUND : rc;
}

int kmin_store_toolchain_upsert(struct kmin_store *s, const char *ident, const char *version_text,
				int64_t *id_out, char *err, size_t errlen)
{
	int64_t id = 0;
	sqlite3_stmt *st;
	int rc;

	if (!version_text)
		return fail(KMIN_STORE_EINVAL, err, errlen, "toolchain without version text");
	if (!ident)
		ident = version_text;
	pthread_mutex_lock(&s->lock);
	rc = lookup_id(s, ST_TOOLCHAIN_GET, ident, &id);
	if (rc == SQLITE_NOTFOUND) {
		rc = begin_write(s);
		if (rc == SQLITE_OK && (st = stmt_get(s, ST_TOOLCHAIN_PUT, &rc))) {
			bind_text(st, 1, ident);
			bind_text(st, 2, version_text);
			sqlite3_bind_int64(st, 3, now_ms());
			rc = step_id(st, &id);
		}
		rc = end_write(s, rc);
	}
	if (rc != SQLITE_OK)
		rc = store_fail(s, rc, "cannot record the toolchain in", err, errlen);
	else if (id_out)
		*id_out = id;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- configs ---- */

static int config_insert(struct kmin_store *s, const char *sha, const char *norm, size_t n,
			 int64_t *id)
{
	void *z = NULL;
	size_t zlen = 0;
	sqlite3_stmt *st;
	int rc;

	if (kmin_store_compress(norm, n, &z, &zlen) < 0)
		return SQLITE_NOMEM;
	rc = begin_write(s);
	if (rc == SQLITE_OK && (st = stmt_get(s, ST_CONFIG_PUT, &rc))) {
		bind_text(st, 1, sha);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)n);
		sqlite3_bind_blob(st, 3, z, (int)zlen, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, now_ms());
		rc = step_id(st, id);
		sqlite3_clear_bindings(st);
	}
	free(z);
	return end_write(s, rc);
}

int kmin_store_config_put(struct kmin_store *s, const char *text, size_t len, char sha_out[65],
			  int64_t *id_out, char *err, size_t errlen)
{
	char sha[65];
	char *norm = NULL;
	size_t n;
	int64_t id = 0;
	int rc;

	if (kmin_config_normalize(text, len, &norm, &n) < 0 ||
	    kmin_store_sha256_hex(norm, n, sha) < 0) {
		free(norm);
		return fail(KMIN_STORE_EGENERIC, err, errlen, "cannot hash a config: out of memory");
	}
	if (n > INT_MAX / 2) {
		free(norm);
		return fail(KMIN_STORE_EINVAL, err, errlen, "config too large (%zu bytes)", n);
	}
	pthread_mutex_lock(&s->lock);
	rc = lookup_id(s, ST_CONFIG_GET_ID, sha, &id);
	if (rc == SQLITE_NOTFOUND)
		rc = config_insert(s, sha, norm, n, &id);
	if (rc != SQLITE_OK)
		rc = store_fail(s, rc, "cannot record the config in", err, errlen);
	pthread_mutex_unlock(&s->lock);
	free(norm);
	if (rc == 0) {
		if (sha_out)
			memcpy(sha_out, sha, 65);
		if (id_out)
			*id_out = id;
	}
	return rc;
}

/* Decompress the current row of ST_CONFIG_GET and check its hash. */
static int config_unpack(struct kmin_store *s, sqlite3_stmt *st, const char *sha256, char **text,
			 size_t *len, char *err, size_t errlen)
{
	int64_t size = sqlite3_column_int64(st, 0);
	const void *z = sqlite3_column_blob(st, 1);
	int zlen = sqlite3_column_bytes(st, 1);
	char hex[65];

	if (size < 0 || kmin_store_decompress(z, (size_t)zlen, (size_t)size, text) < 0)
		return fail(KMIN_STORE_ECORRUPT, err, errlen,
			    "database '%s' is corrupt: config %s does not decompress", s->path,
			    sha256);
	if (kmin_store_sha256_hex(*text, (size_t)size, hex) < 0 || strcmp(hex, sha256)) {
		free(*text);
		*text = NULL;
		return fail(KMIN_STORE_ECORRUPT, err, errlen,
			    "database '%s' is corrupt: config %s does not match its hash", s->path,
			    sha256);
	}
	if (len)
		*len = (size_t)size;
	return 0;
}

int kmin_store_config_get(struct kmin_store *s, const char *sha256, char **text, size_t *len,
			  char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	*text = NULL;
	pthread_mutex_lock(&s->lock);
	st = stmt_get(s, ST_CONFIG_GET, &rc);
	if (st) {
		bind_text(st, 1, sha256);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW)
		rc = config_unpack(s, st, sha256, text, len, err, errlen);
	else if (rc == SQLITE_DONE)
		rc = fail(KMIN_STORE_ENOENT, err, errlen, "no config %s in database '%s'", sha256,
			  s->path);
	else
		rc = store_fail(s, rc, "cannot read a config from", err, errlen);
	if (st)
		sqlite3_reset(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- builds ---- */

static int key_check(const struct kmin_build_key *key, char *err, size_t errlen)
{
	if (strlen(key->config_sha256) != 64)
		return fail(KMIN_STORE_EINVAL, err, errlen, "build key without a config sha256");
	if (!key->arch || !*key->arch || !key->image || !*key->image)
		return fail(KMIN_STORE_EINVAL, err, errlen, "build key without arch or image");
	return 0;
}

static int build_insert(struct kmin_store *s, const struct kmin_build *b, int64_t config_id,
			int64_t *id)
{
	int rc;
	sqlite3_stmt *st = stmt_get(s, ST_BUILD_PUT, &rc);

	if (!st)
		return rc;
	sqlite3_bind_int64(st, 1, config_id);
	sqlite3_bind_int64(st, 2, b->key.kernel_id);
	sqlite3_bind_int64(st, 3, b->key.toolchain_id);
	bind_text(st, 4, b->key.arch);
	bind_text(st, 5, b->key.image);
	bind_text(st, 6, kmin_build_status_name(b->status));
	bind_size(st, 7, b->text);
	bind_size(st, 8, b->data);
	bind_size(st, 9, b->bss);
	bind_size(st, 10, b->image_bytes);
	sqlite3_bind_double(st, 11, b->seconds);
	bind_text(st, 12, b->worker ? b->worker : "");
	sqlite3_bind_int64(st, 13, b->started_ms);
	sqlite3_bind_int64(st, 14, b->finished_ms);
	bind_text(st, 15, b->first_error);
	bind_text(st, 16, b->log_tail);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return rc;
	*id = sqlite3_last_insert_rowid(s->db);
	return SQLITE_OK;
}

static int sections_insert(struct kmin_store *s, int64_t build_id,
			   const struct kmin_section *sec, size_t n)
{
	int rc;
	sqlite3_stmt *st = stmt_get(s, ST_SECTION_PUT, &rc);

	for (size_t i = 0; st && i < n && rc == SQLITE_OK; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, build_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		bind_text(st, 3, sec[i].name ? sec[i].name : "");
		sqlite3_bind_int64(st, 4, sec[i].size);
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	if (st)
		sqlite3_reset(st);
	return rc;
}

int kmin_store_build_record(struct kmin_store *s, const struct kmin_build *b, int64_t *id_out,
			    char *err, size_t errlen)
{
	int64_t config_id = 0, id = 0;
	int rc = key_check(&b->key, err, errlen);

	if (rc < 0)
		return rc;
	if (b->status != KMIN_BUILD_OK && b->status != KMIN_BUILD_FAILED &&
	    b->status != KMIN_BUILD_TIMEOUT)
		return fail(KMIN_STORE_EINVAL, err, errlen, "bad build status %d", (int)b->status);
	pthread_mutex_lock(&s->lock);
	rc = begin_write(s);
	if (rc == SQLITE_OK)
		rc = lookup_id(s, ST_CONFIG_GET_ID, b->key.config_sha256, &config_id);
	if (rc == SQLITE_OK)
		rc = build_insert(s, b, config_id, &id);
	if (rc == SQLITE_OK)
		rc = sections_insert(s, id, b->sections, b->nsections);
	if (rc == SQLITE_OK && b->checked)
		rc = kmin_store_divergences_insert(s->db, id, b);
	if (rc == SQLITE_NOTFOUND) {
		end_write(s, rc);
		s->failmsg[0] = '\0';
		rc = fail(KMIN_STORE_EINVAL, err, errlen,
			  "cannot record a build in '%s': config %s is not stored", s->path,
			  b->key.config_sha256);
	} else {
		rc = end_write(s, rc);
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
			rc = fail(KMIN_STORE_EINVAL, err, errlen,
				  "cannot record a build in '%s': unknown kernel %lld or toolchain "
				  "%lld (%s)", s->path, (long long)b->key.kernel_id,
				  (long long)b->key.toolchain_id, s->failmsg);
			s->failmsg[0] = '\0';
		} else if ((rc & 0xff) == SQLITE_CONSTRAINT) {	/* a bad row: say SQLite's words */
			rc = fail(KMIN_STORE_EINVAL, err, errlen, "cannot record a build in '%s': %s",
				  s->path, s->failmsg);
			s->failmsg[0] = '\0';
		} else if (rc != SQLITE_OK)
			rc = store_fail(s, rc, "cannot record a build in", err, errlen);
		else if (id_out)
			*id_out = id;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- lookup ---- */

/* What a lookup allocates: one list of blocks, freed by kmin_build_clear(). */
struct lookup_mem {
	size_t n;
	void *ptr[8];			/* worker, first_error, log_tail, arch, image */
	bool oom;
	struct kmin_section *sections;
	char **names;
	size_t nnames;
};

/* A copy of t owned by m; NULL when out of memory (m->oom set). */
static const char *keep_str(struct lookup_mem *m, const char *t)
{
	char *copy = strdup(t);

	assert(m->n < sizeof(m->ptr) / sizeof(m->ptr[0]));
	if (!copy)
		m->oom = true;
	m->ptr[m->n++] = copy;
	return copy;
}

/* Column col as a string owned by m; NULL for SQL NULL when null_ok, else "". */
static const char *keep_text(struct lookup_mem *m, sqlite3_stmt *st, int col, bool null_ok)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	if (!t && null_ok)
		return NULL;
	return keep_str(m, t ? t : "");
}

static int lookup_sections(struct kmin_store *s, struct kmin_build *out, struct lookup_mem *m)
{
	size_t cap = 0;
	int rc;
	sqlite3_stmt *st = stmt_get(s, ST_SECTIONS_GET, &rc);

	if (!st)
		return rc;
	sqlite3_bind_int64(st, 1, out->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (m->nnames == cap) {
			size_t ncap = cap ? 2 * cap : 32;
			struct kmin_section *ns = realloc(m->sections, ncap * sizeof(*ns));
			char **nn = ns ? realloc(m->names, ncap * sizeof(*nn)) : NULL;
			if (ns)
				m->sections = ns;
			if (!nn) {
				rc = SQLITE_NOMEM;
				break;
			}
			m->names = nn;
			cap = ncap;
		}
		m->names[m->nnames] = strdup(name ? name : "");
		if (!m->names[m->nnames]) {
			rc = SQLITE_NOMEM;
			break;
		}
		m->sections[m->nnames].name = m->names[m->nnames];
		m->sections[m->nnames].size = sqlite3_column_int64(st, 1);
		m->nnames++;
	}
	sqlite3_reset(st);
	out->sections = m->sections;
	out->nsections = m->nnames;
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Fill *out from the current row of ST_BUILD_LOOKUP. */
static int lookup_fill(struct kmin_build *out, sqlite3_stmt *st, const struct kmin_build_key *key,
		       struct lookup_mem *m)
{
	out->id = sqlite3_column_int64(st, 0);
	out->key = *key;
	if (status_parse((const char *)sqlite3_column_text(st, 1), &out->status) < 0)
		return SQLITE_CORRUPT;
	out->text = column_size(st, 2);
	out->data = column_size(st, 3);
	out->bss = column_size(st, 4);
	out->image_bytes = column_size(st, 5);
	out->seconds = sqlite3_column_double(st, 6);
	out->worker = keep_text(m, st, 7, false);
	out->started_ms = sqlite3_column_int64(st, 8);
	out->finished_ms = sqlite3_column_int64(st, 9);
	out->first_error = keep_text(m, st, 10, true);
	out->log_tail = keep_text(m, st, 11, true);
	out->key.arch = keep_str(m, key->arch);
	out->key.image = keep_str(m, key->image);
	return m->oom ? SQLITE_NOMEM : SQLITE_OK;
}

int kmin_store_build_lookup(struct kmin_store *s, const struct kmin_build_key *key,
			    struct kmin_build *out, char *err, size_t errlen)
{
	struct lookup_mem *m;
	sqlite3_stmt *st;
	int rc = key_check(key, err, errlen);

	memset(out, 0, sizeof(*out));
	if (rc < 0)
		return rc;
	m = calloc(1, sizeof(*m));
	if (!m)
		return fail(KMIN_STORE_EGENERIC, err, errlen, "out of memory");
	out->mem_ = m;
	pthread_mutex_lock(&s->lock);
	rc = exec(s->db, "BEGIN");
	st = rc == SQLITE_OK ? stmt_get(s, ST_BUILD_LOOKUP, &rc) : NULL;
	if (st) {
		bind_text(st, 1, key->config_sha256);
		sqlite3_bind_int64(st, 2, key->kernel_id);
		sqlite3_bind_int64(st, 3, key->toolchain_id);
		bind_text(st, 4, key->arch);
		bind_text(st, 5, key->image);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			rc = lookup_fill(out, st, key, m);
		sqlite3_reset(st);
	}
	if (rc == SQLITE_OK)
		rc = lookup_sections(s, out, m);
	/* the message while the failed statement's error is the connection's */
	if (rc != SQLITE_OK && rc != SQLITE_DONE)
		rc = store_fail(s, rc, "cannot look a build up in", err, errlen);
	if (!sqlite3_get_autocommit(s->db))
		exec(s->db, "COMMIT");
	pthread_mutex_unlock(&s->lock);
	if (rc != SQLITE_OK) {
		kmin_build_clear(out);
		return rc == SQLITE_DONE ? 0 : rc;
	}
	return 1;
}

void kmin_build_clear(struct kmin_build *b)
{
	struct lookup_mem *m;

	if (!b)
		return;
	m = b->mem_;
	if (m) {
		for (size_t i = 0; i < m->n; i++)
			free(m->ptr[i]);
		for (size_t i = 0; i < m->nnames; i++)
			free(m->names[i]);
		free(m->names);
		free(m->sections);
		free(m);
	}
	memset(b, 0, sizeof(*b));
}

int kmin_store_build_record_cached(struct kmin_store *s, int64_t source_id, const char *worker,
				   int64_t started_ms, int64_t finished_ms, int64_t *id_out,
				   char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	pthread_mutex_lock(&s->lock);
	rc = begin_write(s);
	if (rc == SQLITE_OK && (st = stmt_get(s, ST_BUILD_CACHED_PUT, &rc))) {
		sqlite3_bind_int64(st, 1, source_id);
		sqlite3_bind_double(st, 2, (double)(finished_ms - started_ms) / 1000.0);
		bind_text(st, 3, worker ? worker : "");
		sqlite3_bind_int64(st, 4, started_ms);
		sqlite3_bind_int64(st, 5, finished_ms);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			rc = sqlite3_changes(s->db) == 1 ? SQLITE_OK : SQLITE_NOTFOUND;
		id = sqlite3_last_insert_rowid(s->db);
	}
	rc = end_write(s, rc == SQLITE_NOTFOUND ? SQLITE_ABORT : rc);
	if (rc == SQLITE_ABORT) {
		s->failmsg[0] = '\0';
		rc = fail(KMIN_STORE_EINVAL, err, errlen, "no build %lld to answer from in '%s'",
			  (long long)source_id, s->path);
	}
	else if (rc != SQLITE_OK)
		rc = store_fail(s, rc, "cannot record a cached build in", err, errlen);
	else if (id_out)
		*id_out = id;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- listing ---- */

static int row_fill(sqlite3_stmt *st, struct kmin_build_row *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->config_sha256 = (const char *)sqlite3_column_text(st, 1);
	r->kernel = (const char *)sqlite3_column_text(st, 2);
	r->kernel_id = sqlite3_column_int64(st, 3);
	r->toolchain = (const char *)sqlite3_column_text(st, 4);
	r->arch = (const char *)sqlite3_column_text(st, 5);
	r->image = (const char *)sqlite3_column_text(st, 6);
	if (status_parse((const char *)sqlite3_column_text(st, 7), &r->status) < 0)
		return SQLITE_CORRUPT;
	r->text = column_size(st, 8);
	r->data = column_size(st, 9);
	r->bss = column_size(st, 10);
	r->image_bytes = column_size(st, 11);
	r->seconds = sqlite3_column_double(st, 12);
	r->worker = (const char *)sqlite3_column_text(st, 13);
	r->started_ms = sqlite3_column_int64(st, 14);
	r->finished_ms = sqlite3_column_int64(st, 15);
	r->first_error = (const char *)sqlite3_column_text(st, 16);
	r->cached_from = sqlite3_column_int64(st, 17);
	r->divergences = column_size(st, 18);	/* NULL: not compared */
	if (!r->config_sha256 || !r->kernel || !r->toolchain || !r->arch || !r->image ||
	    !r->worker || !r->first_error)
		return SQLITE_NOMEM;
	return SQLITE_OK;
}

int kmin_store_builds_foreach(struct kmin_store *s, kmin_build_row_fn fn, void *payload,
			      char *err, size_t errlen)
{
	struct kmin_build_row row;
	sqlite3_stmt *st = NULL;
	int rc, stop = 0;

	pthread_mutex_lock(&s->lock);
	rc = exec(s->db, "BEGIN");
	if (rc == SQLITE_OK)
		st = stmt_get(s, ST_BUILDS_LIST, &rc);
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		rc = row_fill(st, &row);
		if (rc != SQLITE_OK)
			break;
		stop = fn(payload, &row);
		if (stop)
			break;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW && !stop)
		rc = store_fail(s, rc, "cannot list the builds of", err, errlen);
	else
		rc = stop;
	if (st)
		sqlite3_reset(st);
	if (!sqlite3_get_autocommit(s->db))
		exec(s->db, "COMMIT");
	pthread_mutex_unlock(&s->lock);
	return rc;
}
