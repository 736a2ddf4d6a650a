/*
 * test_store.c - the results store (db/) and kernel identity (kernel_id.c).
 *
 * Schema and migrations, refusal of foreign/corrupt/newer/unwritable files
 * (bytes compared before and after), idempotent upserts, lookup hit and
 * miss rules, sections, config normalization, hashing and compression,
 * a reader during a write transaction, and a writer killed with SIGKILL.
 * Every test works in its own directory under /tmp; the whole file runs in
 * about a second.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "kmin/kernel_id.h"
#include "kmin/store.h"
#include "store_internal.h"
#include "store_sql.h"
#include "testutil.h"

/* ---- helpers ---- */

struct fixture {
	char dir[64];
	char db[128];
	struct kmin_store *s;
	int64_t kernel, toolchain;
	char sha[65];
};

/* The whole file into a malloc'ed buffer; *len its size. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static void make_dir(struct fixture *f)
{
	tu_tempdir(f->dir, sizeof(f->dir), "store");
	snprintf(f->db, sizeof(f->db), "%s/results.db", f->dir);
}

static void sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static int64_t sql_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int64_t db_int(const char *path, const char *sql)
{
	sqlite3 *db;
	int64_t v;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	v = sql_int(db, sql);
	sqlite3_close(db);
	return v;
}

static void fake_kernel(struct kmin_kernel_id *k, const char *ident)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->version, sizeof(k->version), "6.1.158");
	snprintf(k->path, sizeof(k->path), "/src/linux");
	snprintf(k->ident, sizeof(k->ident), "%s", ident);
}

static const char config_text[] =
	"#\n# Automatically generated file; DO NOT EDIT.\n# Linux/arm 6.1.158 Kernel Configuration\n#\n"
	"CONFIG_CC_VERSION_TEXT=\"arm-linux-gnueabi-gcc (Debian 12.2.0-14) 12.2.0\"\n"
	"CONFIG_MMU=y\n\n#\n# General setup\n#\n# CONFIG_SWAP is not set\nCONFIG_LOG_BUF_SHIFT=14\n";

static int setup_store(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct kmin_kernel_id k;
	char err[256];

	make_dir(f);
	if (kmin_store_open(&f->s, f->db, 0, err, sizeof(err)) < 0)
		return -1;
	fake_kernel(&k, "tree:aaaa");
	if (kmin_store_kernel_upsert(f->s, &k, &f->kernel, err, sizeof(err)) < 0 ||
	    kmin_store_toolchain_upsert(f->s, "gcc-12 /usr/bin", "gcc 12.2.0", &f->toolchain, err,
					sizeof(err)) < 0 ||
	    kmin_store_config_put(f->s, config_text, strlen(config_text), f->sha, NULL, err,
				  sizeof(err)) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown_store(void **state)
{
	struct fixture *f = *state;

	kmin_store_close(f->s);
	tu_remove_tree(f->dir);
	free(f);
	return 0;
}

static const struct kmin_section three_sections[] = {
	{ ".text", 588816 }, { ".rodata", 120000 }, { ".data", 110600 },
};

static struct kmin_build sample_build(const struct fixture *f)
{
	struct kmin_build b = { 0 };

	memcpy(b.key.config_sha256, f->sha, 65);
	b.key.kernel_id = f->kernel;
	b.key.toolchain_id = f->toolchain;
	b.key.arch = "arm";
	b.key.image = "zImage";
	b.status = KMIN_BUILD_OK;
	b.text = 588816;
	b.data = 110600;
	b.bss = 23056;
	b.image_bytes = 419448;
	b.seconds = 72.5;
	b.worker = "w1";
	b.started_ms = 1700000000000;
	b.finished_ms = 1700000072500;
	b.log_tail = "  LD      vmlinux\n  OBJCOPY arch/arm/boot/zImage\n";
	b.sections = three_sections;
	b.nsections = 3;
	return b;
}

/* ---- schema and migrations ---- */

/* sqlite_master's SQL without comments and with single spaces. */
static void squeeze_sql(const char *in, char *out, size_t len)
{
	size_t o = 0;
	int space = 0;

	for (const char *p = in; *p && o + 2 < len; p++) {
		if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			if (!*p)
				break;
		}
		if (*p == ' ' || *p == '\t' || *p == '\n') {
			space = 1;
			continue;
		}
		if (space && o && out[o - 1] != '(' && *p != ')' && *p != ',')
			out[o++] = ' ';
		space = 0;
		out[o++] = *p;
	}
	out[o] = '\0';
}

/* Every schema object of db, one "type name: sql" per line. */
static void schema_dump(sqlite3 *db, char *out, size_t len)
{
	sqlite3_stmt *st;
	size_t o = 0;

	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT type, name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name", -1, &st,
		NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char sq[4096];
		squeeze_sql((const char *)sqlite3_column_text(st, 2), sq, sizeof(sq));
		o += (size_t)snprintf(out + o, len - o, "%s %s: %s\n", sqlite3_column_text(st, 0),
				      sqlite3_column_text(st, 1), sq);
		assert_true(o < len);
	}
	sqlite3_finalize(st);
}

static void test_migrations_give_schema(void **state)
{
	static char a[32768], b[32768];
	sqlite3 *m, *s;
	(void)state;

	assert_int_equal(sqlite3_open(":memory:", &m), SQLITE_OK);
	assert_int_equal(sqlite3_open(":memory:", &s), SQLITE_OK);
	assert_true(kmin_store_migrations_count >= 1);
	for (unsigned int i = 0; i < kmin_store_migrations_count; i++) {
		assert_int_equal(kmin_store_migrations[i].version, (int)i + 1);
		assert_int_equal(sqlite3_exec(m, kmin_store_migrations[i].sql, NULL, NULL, NULL),
				 SQLITE_OK);
	}
	assert_int_equal(kmin_store_migrations[kmin_store_migrations_count - 1].version,
			 KMIN_STORE_SCHEMA_VERSION);
	assert_int_equal(sqlite3_exec(s, kmin_store_schema_sql, NULL, NULL, NULL), SQLITE_OK);
	schema_dump(m, a, sizeof(a));
	schema_dump(s, b, sizeof(b));
	assert_non_null(strstr(a, "table builds:"));
	assert_non_null(strstr(a, "index builds_key:"));
	assert_string_equal(a, b);
	sqlite3_close(m);
	sqlite3_close(s);
}

static void test_open_creates(void **state)
{
	struct fixture f;
	struct kmin_store *s;
	char path[256], err[256];
	sqlite3 *db;
	(void)state;

	make_dir(&f);
	snprintf(path, sizeof(path), "%s/a/b/results.db", f.dir);
	assert_int_equal(kmin_store_open(&s, path, 0, err, sizeof(err)), 0);
	assert_string_equal(kmin_store_path(s), path);
	kmin_store_close(s);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sql_int(db, "PRAGMA application_id"), KMIN_STORE_APPLICATION_ID);
	assert_int_equal(sql_int(db, "PRAGMA user_version"), KMIN_STORE_SCHEMA_VERSION);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM builds"), 0);
	sqlite3_close(db);
	/* WAL is in the header (bytes 18 and 19 are 2), the temporary file is gone */
	{
		size_t len;
		char *bytes = read_file(path, &len);
		assert_int_equal(bytes[18], 2);
		assert_int_equal(bytes[19], 2);
		free(bytes);
	}
	run("test $(ls '%s/a/b' | grep -c new-) = 0", f.dir);
	/* reopening an existing database, read-only too */
	assert_int_equal(kmin_store_open(&s, path, 0, err, sizeof(err)), 0);
	kmin_store_close(s);
	assert_int_equal(kmin_store_open(&s, path, KMIN_STORE_READONLY, err, sizeof(err)), 0);
	kmin_store_close(s);
	tu_remove_tree(f.dir);
}

/* A -wal left by a deleted database would be read into a new one: refused. */
static void test_refuse_stale_log(void **state)
{
	struct fixture f;
	struct kmin_store *s = NULL;
	char wal[300], err[256];
	(void)state;

	make_dir(&f);
	snprintf(wal, sizeof(wal), "%s-wal", f.db);
	tu_write_str(f.dir, "results.db-wal", "log of a database that is gone");
	assert_int_equal(kmin_store_open(&s, f.db, 0, err, sizeof(err)), KMIN_STORE_EINVAL);
	assert_null(s);
	assert_non_null(strstr(err, wal));
	assert_int_equal(access(f.db, F_OK), -1);	/* nothing was created */
	unlink(wal);
	assert_int_equal(kmin_store_open(&s, f.db, 0, err, sizeof(err)), 0);
	kmin_store_close(s);
	tu_remove_tree(f.dir);
}

/* A run is claimed by one handle at a time, until it is closed. */
static void test_run_claim(void **state)
{
	struct fixture f;
	struct kmin_store *a, *b;
	char err[256];
	(void)state;

	make_dir(&f);
	assert_int_equal(kmin_store_open(&a, f.db, 0, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_open(&b, f.db, 0, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_run_claim(a, 1, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_run_claim(a, 1, err, sizeof(err)), 0);	/* ours already */
	assert_int_equal(kmin_store_run_claim(b, 1, err, sizeof(err)), 1);	/* taken */
	assert_int_equal(kmin_store_run_claim(b, 2, err, sizeof(err)), 0);	/* another run */
	assert_int_equal(kmin_store_run_claim(a, 2, err, sizeof(err)), 1);
	assert_true(kmin_store_run_claim(a, 0, err, sizeof(err)) < 0);
	kmin_store_close(a);
	assert_int_equal(kmin_store_run_claim(b, 1, err, sizeof(err)), 0);	/* released */
	kmin_store_close(b);
	tu_remove_tree(f.dir);
}

static void test_refuse_incomplete(void **state)
{
	struct fixture f;
	struct kmin_store *s;
	char err[256], sql[128];
	(void)state;

	/* A version-0 kmin file (id set, nothing else) is incomplete, not ours to fix. */
	make_dir(&f);
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; CREATE TABLE x(a);",
		 KMIN_STORE_APPLICATION_ID);
	sql_exec(f.db, sql);
	assert_int_equal(kmin_store_open(&s, f.db, 0, err, sizeof(err)), KMIN_STORE_ECORRUPT);
	assert_non_null(strstr(err, f.db));
	tu_remove_tree(f.dir);
}

/* ---- refusal: foreign, corrupt, newer, unwritable ---- */

/* Open must fail with `code`, name the file, and leave its bytes alone. */
static void assert_refused(const char *path, int code)
{
	struct kmin_store *s = (void *)1;
	size_t before_len, after_len;
	char *before = read_file(path, &before_len), *after;
	char err[512] = "";
	char side[300];

	assert_int_equal(kmin_store_open(&s, path, 0, err, sizeof(err)), code);
	assert_null(s);
	assert_non_null(strstr(err, path));
	after = read_file(path, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	snprintf(side, sizeof(side), "%s-journal", path);
	assert_int_equal(access(side, F_OK), -1);
	free(before);
	free(after);
}

static void test_refuse_not_sqlite(void **state)
{
	struct fixture f;
	static const char text[] = "CONFIG_MMU=y\nthis is a .config, not a database\n";
	(void)state;

	make_dir(&f);
	tu_write(f.dir, "results.db", text, sizeof(text) - 1);
	assert_refused(f.db, KMIN_STORE_ENOTKMIN);
	tu_write(f.dir, "results.db", "", 0);
	assert_refused(f.db, KMIN_STORE_ENOTKMIN);
	/* 100 bytes that start like SQLite but are not */
	{
		char junk[4096];
		memset(junk, 'x', sizeof(junk));
		memcpy(junk, "SQLite format 3", 16);
		tu_write(f.dir, "results.db", junk, sizeof(junk));
		assert_refused(f.db, KMIN_STORE_ENOTKMIN);
	}
	tu_remove_tree(f.dir);
}

static void test_refuse_foreign_sqlite(void **state)
{
	struct fixture f;
	char side[300];
	(void)state;

	make_dir(&f);
	sql_exec(f.db, "CREATE TABLE builds(id INTEGER PRIMARY KEY, x TEXT); INSERT INTO builds(x) VALUES ('mine');");
	assert_refused(f.db, KMIN_STORE_ENOTKMIN);
	snprintf(side, sizeof(side), "%s-wal", f.db);
	assert_int_equal(access(side, F_OK), -1);
	sql_exec(f.db, "PRAGMA application_id = 42;");
	assert_refused(f.db, KMIN_STORE_ENOTKMIN);
	assert_int_equal(db_int(f.db, "SELECT count(*) FROM sqlite_master"), 1);
	tu_remove_tree(f.dir);
}

static void test_refuse_newer(void **state)
{
	struct fixture f;
	struct kmin_store *s;
	char err[256];
	(void)state;

	make_dir(&f);
	assert_int_equal(kmin_store_open(&s, f.db, 0, err, sizeof(err)), 0);
	kmin_store_close(s);
	sql_exec(f.db, "PRAGMA user_version = 99;");
	assert_refused(f.db, KMIN_STORE_ENEWER);
	assert_int_equal(kmin_store_open(&s, f.db, KMIN_STORE_READONLY, err, sizeof(err)),
			 KMIN_STORE_ENEWER);
	assert_non_null(strstr(err, "newer"));
	assert_int_equal(db_int(f.db, "PRAGMA user_version"), 99);
	tu_remove_tree(f.dir);
}

/* An older kmin's database (schema 2): read-only opens refuse it, UPGRADE migrates it. */
/* A database of schema version 2, as kmin wrote it then, in a fresh directory. */
static void make_v2(struct fixture *f)
{
	char sql[128];

	make_dir(f);
	for (unsigned int i = 0; i < 2; i++)
		sql_exec(f->db, kmin_store_migrations[i].sql);
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = 2;",
		 KMIN_STORE_APPLICATION_ID);
	sql_exec(f->db, sql);
}

static void test_upgrade_old(void **state)
{
	struct fixture f;
	struct kmin_store *s;
	char err[256];
	(void)state;

	make_v2(&f);
	assert_int_equal(kmin_store_open(&s, f.db, KMIN_STORE_READONLY, err, sizeof(err)),
			 KMIN_STORE_EACCESS);
	assert_non_null(strstr(err, "old schema"));
	assert_int_equal(db_int(f.db, "PRAGMA user_version"), 2);
	assert_int_equal(kmin_store_open(&s, f.db, KMIN_STORE_READONLY | KMIN_STORE_UPGRADE, err,
					 sizeof(err)), 0);
	kmin_store_close(s);
	assert_int_equal(db_int(f.db, "PRAGMA user_version"), KMIN_STORE_SCHEMA_VERSION);
	tu_remove_tree(f.dir);
	/* a database with a row pointing nowhere cannot be upgraded: the message says which */
	make_v2(&f);
	sql_exec(f.db, "INSERT INTO sections VALUES (999, 0, '.text', 10)");
	assert_true(kmin_store_open(&s, f.db, 0, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "table sections names a row of builds that does not exist"));
	assert_int_equal(db_int(f.db, "PRAGMA user_version"), 2);	/* rolled back */
	tu_remove_tree(f.dir);
	/* UPGRADE never creates */
	make_dir(&f);
	assert_int_equal(kmin_store_open(&s, f.db, KMIN_STORE_READONLY | KMIN_STORE_UPGRADE, err,
					 sizeof(err)), KMIN_STORE_ENOENT);
	assert_int_equal(access(f.db, F_OK), -1);
	tu_remove_tree(f.dir);
}

static void test_refuse_corrupt(void **state)
{
	struct fixture *f = *state;
	struct kmin_build b = sample_build(f);
	char err[256], junk[2048];
	size_t len;
	char *bytes;
	int fd;

	for (int i = 0; i < 40; i++)
		assert_int_equal(kmin_store_build_record(f->s, &b, NULL, err, sizeof(err)), 0);
	kmin_store_close(f->s);
	f->s = NULL;
	bytes = read_file(f->db, &len);
	free(bytes);
	assert_true(len >= 4 * 4096);
	/* damage the b-tree pages after page 1, keep the header */
	memset(junk, 0xA5, sizeof(junk));
	fd = open(f->db, O_WRONLY);
	assert_true(fd >= 0);
	for (off_t off = 4096; off < (off_t)len; off += 4096)
		assert_int_equal(pwrite(fd, junk, sizeof(junk), off), (ssize_t)sizeof(junk));
	close(fd);
	assert_refused(f->db, KMIN_STORE_ECORRUPT);
	assert_int_equal(kmin_store_open(&f->s, f->db, KMIN_STORE_READONLY, err, sizeof(err)),
			 KMIN_STORE_ECORRUPT);
	assert_non_null(strstr(err, "corrupt"));
	/* a truncated file is corrupt too */
	assert_int_equal(truncate(f->db, 4096 + 100), 0);
	assert_refused(f->db, KMIN_STORE_ECORRUPT);
	f->s = NULL;
	unlink(f->db);
	assert_int_equal(kmin_store_open(&f->s, f->db, 0, err, sizeof(err)), 0);
}

static void test_refuse_unwritable(void **state)
{
	struct fixture f;
	struct kmin_store *s;
	char path[256], err[512];
	(void)state;

	make_dir(&f);
	/* a parent that is a regular file: the directory cannot be made */
	tu_write(f.dir, "results.db", "x", 1);
	snprintf(path, sizeof(path), "%s/sub/results.db", f.db);
	assert_int_equal(kmin_store_open(&s, path, 0, err, sizeof(err)), KMIN_STORE_EACCESS);
	assert_non_null(strstr(err, path));
	/* read-only open never creates */
	snprintf(path, sizeof(path), "%s/missing.db", f.dir);
	assert_int_equal(kmin_store_open(&s, path, KMIN_STORE_READONLY, err, sizeof(err)),
			 KMIN_STORE_ENOENT);
	assert_int_equal(access(path, F_OK), -1);
	/* a directory is not a database */
	assert_int_equal(kmin_store_open(&s, f.dir, 0, err, sizeof(err)), KMIN_STORE_ENOTKMIN);
	assert_int_equal(kmin_store_open(&s, "", 0, err, sizeof(err)), KMIN_STORE_EINVAL);
	tu_remove_tree(f.dir);
}

/* In a child running as nobody when we are root: open path for writing; the store's code. */
static int open_as_other_user(const char *path)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct kmin_store *s;
		char err[512];
		int rc;
		if (getuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(100);
		rc = kmin_store_open(&s, path, 0, err, sizeof(err));
		if (rc == 0)
			kmin_store_close(s);
		else if (!strstr(err, path))
			_exit(101);
		_exit(-rc);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return -WEXITSTATUS(status);
}

static void test_refuse_unwritable_file(void **state)
{
	struct fixture f;
	struct kmin_store *s;
	char err[256];
	size_t before_len, after_len;
	char *before, *after;
	(void)state;

	make_dir(&f);
	assert_int_equal(kmin_store_open(&s, f.db, 0, err, sizeof(err)), 0);
	kmin_store_close(s);
	/* readable, not writable: file 0444 in a 0555 directory */
	assert_int_equal(chmod(f.db, 0444), 0);
	assert_int_equal(chmod(f.dir, 0555), 0);
	before = read_file(f.db, &before_len);
	assert_int_equal(open_as_other_user(f.db), KMIN_STORE_EACCESS);
	after = read_file(f.db, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	free(before);
	free(after);
	/* a writable file in a directory where -wal cannot be made is refused too */
	assert_int_equal(chmod(f.db, 0666), 0);
	assert_int_equal(open_as_other_user(f.db), KMIN_STORE_EACCESS);
	assert_int_equal(chmod(f.dir, 0700), 0);
	tu_remove_tree(f.dir);
}

/* ---- identities and configs ---- */

static void test_upserts_idempotent(void **state)
{
	struct fixture *f = *state;
	struct kmin_kernel_id k;
	int64_t id = 0, id2 = 0;
	char sha[65], err[256];
	static const char same[] = "CONFIG_CC_VERSION_TEXT=\"arm-linux-gnueabi-gcc (Debian 12.2.0-14) 12.2.0\"\r\n"
				   "  CONFIG_MMU=y  \n# CONFIG_SWAP is not set\n# a comment\nCONFIG_LOG_BUF_SHIFT=14";

	fake_kernel(&k, "tree:aaaa");
	assert_int_equal(kmin_store_kernel_upsert(f->s, &k, &id, err, sizeof(err)), 0);
	assert_int_equal(id, f->kernel);
	snprintf(k.path, sizeof(k.path), "/elsewhere");	/* moved: same kernel, path updated */
	assert_int_equal(kmin_store_kernel_upsert(f->s, &k, &id, err, sizeof(err)), 0);
	assert_int_equal(id, f->kernel);
	fake_kernel(&k, "tree:bbbb");
	assert_int_equal(kmin_store_kernel_upsert(f->s, &k, &id2, err, sizeof(err)), 0);
	assert_true(id2 != f->kernel);

	assert_int_equal(kmin_store_toolchain_upsert(f->s, "gcc-12 /usr/bin", "gcc 12.2.0", &id, err,
						     sizeof(err)), 0);
	assert_int_equal(id, f->toolchain);
	assert_int_equal(kmin_store_toolchain_upsert(f->s, NULL, "gcc 13", &id2, err, sizeof(err)), 0);
	assert_true(id2 != f->toolchain);

	assert_int_equal(kmin_store_config_put(f->s, same, strlen(same), sha, &id, err, sizeof(err)), 0);
	assert_string_equal(sha, f->sha);
	assert_int_equal(kmin_store_config_put(f->s, config_text, strlen(config_text), NULL, &id2, err,
					       sizeof(err)), 0);
	assert_int_equal(id, id2);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM configs"), 1);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM kernels"), 2);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM toolchains"), 2);
}

static void test_normalize(void **state)
{
	static const char in[] =
		"#\n# Linux/arm 6.1 Kernel Configuration\n#\nCONFIG_A=y\r\n\n"
		"# CONFIG_B is not set\n#CONFIG_C is not set\n# CONFIG_D is not set, really\n"
		"\t CONFIG_E=\"a # b\"  \nCONFIG_=y\nCONFIG_F\nFOO=y\nCONFIG_G=m";
	char *out;
	size_t n;
	char hex[65];
	(void)state;

	assert_int_equal(kmin_config_normalize(in, strlen(in), &out, &n), 0);
	assert_string_equal(out, "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_E=\"a # b\"\nCONFIG_G=m\n");
	assert_int_equal(n, strlen(out));
	free(out);
	/* hashes checked against sha256sum(1) */
	assert_int_equal(kmin_config_sha256("CONFIG_A=y\n# CONFIG_B is not set\n", 33, hex), 0);
	assert_string_equal(hex, "c01348fa84bf2377838a55a513eb7d6185ffa6b0bff2af8d1c5678b531ec842d");
	assert_int_equal(kmin_config_sha256("# only a comment\n\n", 18, hex), 0);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* order is kept: a reordered config is another config */
	{
		char h1[65], h2[65];
		assert_int_equal(kmin_config_sha256("CONFIG_A=y\nCONFIG_B=y\n", 22, h1), 0);
		assert_int_equal(kmin_config_sha256("CONFIG_B=y\nCONFIG_A=y\n", 22, h2), 0);
		assert_string_not_equal(h1, h2);
	}
}

static void test_compress_roundtrip(void **state)
{
	size_t sizes[] = { 0, 1, 100, 250000 };
	(void)state;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i], zlen;
		char *src = malloc(n + 1), *back;
		void *z;

		for (size_t j = 0; j < n; j++)	/* config-like: repetitive text with variation */
			src[j] = "CONFIG_ABCDEFGH=y\n"[j % 18] + (char)((j / 997) % 3);
		assert_int_equal(kmin_store_compress(src, n, &z, &zlen), 0);
		if (n == 250000)
			assert_true(zlen < n / 20);
		assert_int_equal(kmin_store_decompress(z, zlen, n, &back), 0);
		assert_memory_equal(src, back, n);
		assert_int_equal(back[n], '\0');
		free(back);
		assert_int_equal(kmin_store_decompress(z, zlen, n + 1, &back), -1);	/* wrong size */
		if (zlen > 8) {
			((unsigned char *)z)[zlen / 2] ^= 0xff;
			((unsigned char *)z)[zlen - 1] ^= 0xff;
			if (kmin_store_decompress(z, zlen, n, &back) == 0) {
				assert_memory_not_equal(src, back, n);	/* never silently equal */
				free(back);
			}
		}
		free(z);
		free(src);
	}
}

static void test_config_get(void **state)
{
	struct fixture *f = *state;
	char *text, err[256];
	size_t n;

	assert_int_equal(kmin_store_config_get(f->s, f->sha, &text, &n, err, sizeof(err)), 0);
	assert_string_equal(text, "CONFIG_CC_VERSION_TEXT=\"arm-linux-gnueabi-gcc (Debian 12.2.0-14) 12.2.0\"\n"
				  "CONFIG_MMU=y\n# CONFIG_SWAP is not set\nCONFIG_LOG_BUF_SHIFT=14\n");
	assert_int_equal(n, strlen(text));
	free(text);
	assert_int_equal(kmin_store_config_get(f->s, "0000000000000000000000000000000000000000000000000000000000000000",
					       &text, &n, err, sizeof(err)), KMIN_STORE_ENOENT);
	assert_null(text);
	/* stored compressed: the blob is a zstd frame, not the text */
	assert_int_equal(db_int(f->db, "SELECT hex(substr(content, 1, 4)) = '28B52FFD' FROM configs"), 1);
}

/* ---- builds ---- */

static void test_record_and_lookup(void **state)
{
	struct fixture *f = *state;
	struct kmin_build b = sample_build(f), got;
	struct kmin_build_key key = b.key;
	int64_t id = 0, id2 = 0;
	char err[256];

	assert_int_equal(kmin_store_build_lookup(f->s, &key, &got, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_build_record(f->s, &b, &id, err, sizeof(err)), 0);
	assert_true(id > 0);
	assert_int_equal(kmin_store_build_lookup(f->s, &key, &got, err, sizeof(err)), 1);
	assert_int_equal(got.id, id);
	assert_int_equal(got.status, KMIN_BUILD_OK);
	assert_int_equal(got.text, 588816);
	assert_int_equal(got.data, 110600);
	assert_int_equal(got.bss, 23056);
	assert_int_equal(got.image_bytes, 419448);
	assert_true(got.seconds == 72.5);
	assert_string_equal(got.worker, "w1");
	assert_int_equal(got.started_ms, 1700000000000);
	assert_int_equal(got.finished_ms, 1700000072500);
	assert_null(got.first_error);
	assert_string_equal(got.log_tail, b.log_tail);
	assert_string_equal(got.key.arch, "arm");
	assert_string_equal(got.key.image, "zImage");
	assert_int_equal(got.nsections, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(got.sections[i].name, three_sections[i].name);
		assert_int_equal(got.sections[i].size, three_sections[i].size);
	}
	kmin_build_clear(&got);
	assert_null(got.mem_);

	/* every part of the key matters */
	key.arch = "arm64";
	assert_int_equal(kmin_store_build_lookup(f->s, &key, &got, err, sizeof(err)), 0);
	key = b.key;
	key.image = "Image";
	assert_int_equal(kmin_store_build_lookup(f->s, &key, &got, err, sizeof(err)), 0);
	key = b.key;
	key.kernel_id = f->kernel + 100;
	assert_int_equal(kmin_store_build_lookup(f->s, &key, &got, err, sizeof(err)), 0);
	key = b.key;
	key.toolchain_id = f->toolchain + 100;
	assert_int_equal(kmin_store_build_lookup(f->s, &key, &got, err, sizeof(err)), 0);
	key = b.key;
	key.config_sha256[0] = key.config_sha256[0] == 'a' ? 'b' : 'a';
	assert_int_equal(kmin_store_build_lookup(f->s, &key, &got, err, sizeof(err)), 0);

	/* a failed build is a result too; the newest real build answers */
	b.status = KMIN_BUILD_FAILED;
	b.text = b.data = b.bss = b.image_bytes = -1;
	b.first_error = "drivers/x.c:1:1: error: expected ';'";
	b.nsections = 0;
	assert_int_equal(kmin_store_build_record(f->s, &b, &id2, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_build_lookup(f->s, &b.key, &got, err, sizeof(err)), 1);
	assert_int_equal(got.id, id2);
	assert_int_equal(got.status, KMIN_BUILD_FAILED);
	assert_int_equal(got.text, -1);
	assert_int_equal(got.image_bytes, -1);
	assert_string_equal(got.first_error, b.first_error);
	assert_int_equal(got.nsections, 0);
	kmin_build_clear(&got);
}

static void test_record_rejects(void **state)
{
	struct fixture *f = *state;
	struct kmin_build b = sample_build(f);
	char err[256];

	memset(b.key.config_sha256, 'f', 64);
	assert_int_equal(kmin_store_build_record(f->s, &b, NULL, err, sizeof(err)), KMIN_STORE_EINVAL);
	assert_non_null(strstr(err, "not stored"));
	b = sample_build(f);
	b.key.kernel_id = 9999;
	assert_int_equal(kmin_store_build_record(f->s, &b, NULL, err, sizeof(err)), KMIN_STORE_EINVAL);
	assert_non_null(strstr(err, "FOREIGN KEY constraint failed"));
	assert_non_null(strstr(err, "unknown kernel 9999"));
	assert_non_null(strstr(err, f->db));
	b = sample_build(f);
	b.key.arch = "";
	assert_int_equal(kmin_store_build_record(f->s, &b, NULL, err, sizeof(err)), KMIN_STORE_EINVAL);
	assert_null(strstr(err, "unknown kernel"));	/* another constraint: SQLite's words */
	b = sample_build(f);
	b.status = (enum kmin_build_status)7;
	assert_int_equal(kmin_store_build_record(f->s, &b, NULL, err, sizeof(err)), KMIN_STORE_EINVAL);
	/* a failure leaves nothing behind */
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM builds"), 0);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM sections"), 0);
}

static void test_sections_stored(void **state)
{
	static const struct kmin_section twice[] = {
		{ ".text", 10 }, { ".data", 20 }, { ".text", 30 }, { "", 0 },
	};
	struct fixture *f = *state;
	struct kmin_build b = sample_build(f), got;
	char err[256];
	int64_t id;

	/* every section in ELF order, even two with one name */
	b.sections = twice;
	b.nsections = 4;
	assert_int_equal(kmin_store_build_record(f->s, &b, &id, err, sizeof(err)), 0);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM sections"), 4);
	assert_int_equal(db_int(f->db, "SELECT sum(size) FROM sections WHERE name = '.text'"), 40);
	assert_int_equal(kmin_store_build_lookup(f->s, &b.key, &got, err, sizeof(err)), 1);
	assert_int_equal(got.nsections, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(got.sections[i].name, twice[i].name);
		assert_int_equal(got.sections[i].size, twice[i].size);
	}
	kmin_build_clear(&got);
}

struct listing {
	int n;
	int64_t ids[8];
	int64_t cached_from[8];
	char status[8][16];
	char kernel[8][32];
};

static int collect(void *payload, const struct kmin_build_row *r)
{
	struct listing *l = payload;

	if (l->n == 8)
		return 5;
	l->ids[l->n] = r->id;
	l->cached_from[l->n] = r->cached_from;
	snprintf(l->status[l->n], sizeof(l->status[0]), "%s", kmin_build_status_name(r->status));
	snprintf(l->kernel[l->n], sizeof(l->kernel[0]), "%s", r->kernel);
	l->n++;
	return 0;
}

static void test_cached_and_list(void **state)
{
	struct fixture *f = *state;
	struct kmin_build b = sample_build(f), got;
	struct listing l = { 0 };
	int64_t id = 0, cid = 0;
	char err[256];

	assert_int_equal(kmin_store_build_record(f->s, &b, &id, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_build_record_cached(f->s, id, "w2", 1700000100000, 1700000100004,
							&cid, err, sizeof(err)), 0);
	assert_true(cid > id);
	assert_int_equal(kmin_store_build_record_cached(f->s, 4242, "w2", 0, 0, NULL, err,
							sizeof(err)), KMIN_STORE_EINVAL);
	/* the cached row never answers a lookup itself */
	assert_int_equal(kmin_store_build_lookup(f->s, &b.key, &got, err, sizeof(err)), 1);
	assert_int_equal(got.id, id);
	kmin_build_clear(&got);
	assert_int_equal(kmin_store_builds_foreach(f->s, collect, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.ids[0], id);
	assert_int_equal(l.cached_from[0], 0);
	assert_int_equal(l.ids[1], cid);
	assert_int_equal(l.cached_from[1], id);
	assert_string_equal(l.status[1], "ok");
	assert_string_equal(l.kernel[0], "6.1.158");
	assert_int_equal(db_int(f->db, "SELECT text_bytes FROM builds WHERE cached_from IS NOT NULL"), 588816);
	/* a callback's positive value stops the listing and is returned */
	l.n = 8;
	assert_int_equal(kmin_store_builds_foreach(f->s, collect, &l, err, sizeof(err)), 5);
}

/* ---- engine/make divergences (0004) ---- */

struct div_listing {
	int n;
	int64_t build[4];
	char symbol[4][32], engine[4][16], make[4][16];
	int64_t counts[4];	/* kmin_build_row.divergences per build row */
	int nrows;
};

static int collect_divergence(void *payload, const struct kmin_divergence_row *r)
{
	struct div_listing *l = payload;

	if (l->n == 4)
		return 7;
	l->build[l->n] = r->build_id;
	assert_int_equal(strlen(r->config_sha256), 64);
	snprintf(l->symbol[l->n], sizeof(l->symbol[0]), "%s", r->symbol);
	snprintf(l->engine[l->n], sizeof(l->engine[0]), "%s", r->engine);
	snprintf(l->make[l->n], sizeof(l->make[0]), "%s", r->make);
	l->n++;
	return 0;
}

static int collect_counts(void *payload, const struct kmin_build_row *r)
{
	struct div_listing *l = payload;

	if (l->nrows < 4)
		l->counts[l->nrows++] = r->divergences;
	return 0;
}

static void test_divergences(void **state)
{
	static const struct kmin_build_divergence two[] = {
		{ "I2C_COMPAT", "n", "y" }, { "NR_CPUS", "4", "2" },
	};
	struct fixture *f = *state;
	struct kmin_build b = sample_build(f), bad;
	struct div_listing l = { 0 };
	int64_t unchecked = 0, agree = 0, differ = 0, cached = 0;
	char err[256];

	/* not compared, compared and equal, compared with two differences */
	assert_int_equal(kmin_store_build_record(f->s, &b, &unchecked, err, sizeof(err)), 0);
	b.checked = true;
	assert_int_equal(kmin_store_build_record(f->s, &b, &agree, err, sizeof(err)), 0);
	b.divergences = two;
	b.ndivergences = 2;
	assert_int_equal(kmin_store_build_record(f->s, &b, &differ, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_build_record_cached(f->s, differ, "cache", 1, 2, &cached, err,
							sizeof(err)), 0);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM engine_checks"), 2);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM divergences"), 2);
	/* the listing: -1 not compared, 0 agree, 2 differ, and the cached row shows its source's */
	assert_int_equal(kmin_store_builds_foreach(f->s, collect_counts, &l, err, sizeof(err)), 0);
	assert_int_equal(l.nrows, 4);
	assert_int_equal(l.counts[0], -1);
	assert_int_equal(l.counts[1], 0);
	assert_int_equal(l.counts[2], 2);
	assert_int_equal(l.counts[3], 2);
	/* every symbol, sorted, with both values */
	assert_int_equal(kmin_store_divergences_foreach(f->s, collect_divergence, &l, err,
							sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.build[0], differ);
	assert_string_equal(l.symbol[0], "I2C_COMPAT");
	assert_string_equal(l.engine[0], "n");
	assert_string_equal(l.make[0], "y");
	assert_string_equal(l.symbol[1], "NR_CPUS");
	assert_string_equal(l.engine[1], "4");
	assert_string_equal(l.make[1], "2");
	/* a bad divergence (no symbol) fails the whole build's transaction: nothing half-written */
	bad = sample_build(f);
	bad.checked = true;
	bad.divergences = (const struct kmin_build_divergence[]){ { "", "y", "n" } };
	bad.ndivergences = 1;
	assert_true(kmin_store_build_record(f->s, &bad, NULL, err, sizeof(err)) < 0);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM builds"), 4);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM engine_checks"), 2);
	/* a callback's positive value stops the listing and is returned */
	l.n = 4;
	assert_int_equal(kmin_store_divergences_foreach(f->s, collect_divergence, &l, err,
							sizeof(err)), 7);
}

/* ---- concurrency and crashes ---- */

static void test_reader_during_write(void **state)
{
	struct fixture *f = *state;
	struct kmin_build b = sample_build(f), got;
	struct kmin_store *reader;
	struct listing l = { 0 };
	struct timespec t0, t1;
	sqlite3 *w;
	char err[256];

	assert_int_equal(kmin_store_build_record(f->s, &b, NULL, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_open(&reader, f->db, KMIN_STORE_READONLY, err, sizeof(err)), 0);
	/* another process's writer holds a write transaction with an uncommitted build */
	assert_int_equal(sqlite3_open(f->db, &w), SQLITE_OK);
	assert_int_equal(sqlite3_exec(w, "BEGIN IMMEDIATE; INSERT INTO builds(config_id, kernel_id,"
				      " toolchain_id, arch, image, status, seconds, started_ms, finished_ms)"
				      " SELECT config_id, kernel_id, toolchain_id, arch, image, 'ok', 1, 0, 0"
				      " FROM builds;", NULL, NULL, NULL), SQLITE_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(kmin_store_builds_foreach(reader, collect, &l, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_build_lookup(reader, &b.key, &got, err, sizeof(err)), 1);
	kmin_build_clear(&got);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(l.n, 1);		/* the uncommitted row is invisible */
	assert_true(t1.tv_sec - t0.tv_sec < 2);	/* and nobody waited for the writer */
	assert_int_equal(sqlite3_exec(w, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(w);
	l.n = 0;
	assert_int_equal(kmin_store_builds_foreach(reader, collect, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	kmin_store_close(reader);
}

#define KILL_SECTIONS 64

/* The child: record builds of KILL_SECTIONS sections each, forever. */
static void kill_child(const char *db)
{
	static struct kmin_section sec[KILL_SECTIONS];
	static char names[KILL_SECTIONS][16];
	struct kmin_store *s;
	struct kmin_kernel_id k;
	struct kmin_build b = { 0 };
	char err[256];

	if (kmin_store_open(&s, db, 0, err, sizeof(err)) < 0)
		_exit(2);
	fake_kernel(&k, "tree:kill");
	for (int i = 0; i < KILL_SECTIONS; i++) {
		snprintf(names[i], sizeof(names[i]), ".sec%d", i);
		sec[i].name = names[i];
		sec[i].size = 1000 + i;
	}
	if (kmin_store_kernel_upsert(s, &k, &b.key.kernel_id, err, sizeof(err)) < 0 ||
	    kmin_store_toolchain_upsert(s, NULL, "gcc", &b.key.toolchain_id, err, sizeof(err)) < 0)
		_exit(2);
	b.key.arch = "arm";
	b.key.image = "zImage";
	b.sections = sec;
	b.nsections = KILL_SECTIONS;
	for (long i = 0;; i++) {
		char cfg[64];
		int n = snprintf(cfg, sizeof(cfg), "CONFIG_N=%ld\n", i);
		if (kmin_store_config_put(s, cfg, (size_t)n, b.key.config_sha256, NULL, err,
					  sizeof(err)) < 0 ||
		    kmin_store_build_record(s, &b, NULL, err, sizeof(err)) < 0)
			_exit(3);
	}
}

static void test_kill9_mid_write(void **state)
{
	struct fixture *f = *state;
	struct kmin_store *s;
	sqlite3 *db;
	char err[256];
	int status = 0;
	int64_t builds = 0;
	pid_t pid;
	sqlite3_stmt *st;

	kmin_store_close(f->s);
	f->s = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		kill_child(f->db);
	/* let it write a few hundred builds, then kill it wherever it is */
	for (int i = 0; i < 200 && builds < 300; i++) {
		usleep(10000);
		assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		sqlite3_busy_timeout(db, 1000);
		builds = sql_int(db, "SELECT count(*) FROM builds");
		sqlite3_close(db);
	}
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	builds = sql_int(db, "SELECT count(*) FROM builds");
	assert_true(builds >= 300);
	/* every build that is there is complete */
	assert_int_equal(sql_int(db, "SELECT count(*) FROM builds b WHERE"
				     " (SELECT count(*) FROM sections WHERE build_id = b.id) <> 64"), 0);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM sections"), builds * KILL_SECTIONS);
	sqlite3_close(db);
	assert_int_equal(kmin_store_open(&s, f->db, 0, err, sizeof(err)), 0);
	f->s = s;
}

/* Record n builds of configs "CONFIG_<tag>=<i>" with 5 sections each; 0 or the error. */
static int record_many(struct kmin_store *s, const char *tag, int n, char *err, size_t errlen)
{
	static const struct kmin_section sec[5] = {
		{ ".text", 1 }, { ".rodata", 2 }, { ".data", 3 }, { ".bss", 4 }, { ".init", 5 },
	};
	struct kmin_kernel_id k;
	struct kmin_build b = { 0 };
	int rc;

	fake_kernel(&k, "tree:many");
	rc = kmin_store_kernel_upsert(s, &k, &b.key.kernel_id, err, errlen);
	if (!rc)
		rc = kmin_store_toolchain_upsert(s, NULL, "gcc", &b.key.toolchain_id, err, errlen);
	b.key.arch = "arm";
	b.key.image = "zImage";
	b.sections = sec;
	b.nsections = 5;
	for (int i = 0; !rc && i < n; i++) {
		char cfg[64];
		int len = snprintf(cfg, sizeof(cfg), "CONFIG_%s=%d\n", tag, i);
		rc = kmin_store_config_put(s, cfg, (size_t)len, b.key.config_sha256, NULL, err, errlen);
		if (!rc)
			rc = kmin_store_build_record(s, &b, NULL, err, errlen);
	}
	return rc;
}

static void test_two_processes(void **state)
{
	struct fixture f;
	pid_t pid[3];
	int status;
	(void)state;

	/* three processes create the same new database at once, then write side by side */
	make_dir(&f);
	snprintf(f.db, sizeof(f.db), "%s/new/results.db", f.dir);
	for (int i = 0; i < 3; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			struct kmin_store *s;
			char err[256], tag[8];
			snprintf(tag, sizeof(tag), "P%d", i);
			if (kmin_store_open(&s, f.db, 0, err, sizeof(err)) < 0)
				_exit(2);
			if (record_many(s, tag, 60, err, sizeof(err)) < 0) {
				fprintf(stderr, "child %d: %s\n", i, err);
				_exit(3);
			}
			kmin_store_close(s);
			_exit(0);
		}
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(db_int(f.db, "SELECT count(*) FROM builds"), 180);
	assert_int_equal(db_int(f.db, "SELECT count(*) FROM sections"), 900);
	assert_int_equal(db_int(f.db, "SELECT count(*) FROM kernels"), 1);
	run("test $(ls '%s/new' | grep -c new-) = 0", f.dir);
	tu_remove_tree(f.dir);
}

struct thread_arg {
	struct kmin_store *s;
	char tag[8];
	int rc;
	char err[256];
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;

	a->rc = record_many(a->s, a->tag, 40, a->err, sizeof(a->err));
	return NULL;
}

static void test_threads_share_handle(void **state)
{
	struct fixture *f = *state;
	struct thread_arg args[4];
	pthread_t th[4];

	for (int i = 0; i < 4; i++) {
		args[i].s = f->s;
		snprintf(args[i].tag, sizeof(args[i].tag), "T%d", i);
		assert_int_equal(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(args[i].rc, 0);
	}
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM builds"), 160);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM sections"), 800);
}

static void test_default_path(void **state)
{
	char buf[256];
	(void)state;

	setenv("KMIN_DB", "/x/y.db", 1);
	assert_int_equal(kmin_store_default_path(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/x/y.db");
	unsetenv("KMIN_DB");
	setenv("XDG_DATA_HOME", "/data", 1);
	assert_int_equal(kmin_store_default_path(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/data/kmin/results.db");
	setenv("XDG_DATA_HOME", "", 1);
	setenv("HOME", "/home/k", 1);
	assert_int_equal(kmin_store_default_path(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/home/k/.local/share/kmin/results.db");
	assert_int_equal(kmin_store_default_path(buf, 10), -1);
	unsetenv("XDG_DATA_HOME");
}

/* ---- kernel identity ---- */

static void make_tree(const char *dir)
{
	static const char mk[] = "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 158\nEXTRAVERSION =\n";

	tu_write_str(dir, "Makefile", mk);
	tu_write_str(dir, "init/main.c", "int main;\n");
}

static void test_kernel_id_plain(void **state)
{
	struct fixture f;
	struct kmin_kernel_id a, b;
	char err[256], path[256];
	(void)state;

	make_dir(&f);
	make_tree(f.dir);
	assert_int_equal(kmin_kernel_id_compute(&a, f.dir, err, sizeof(err)), 0);
	assert_string_equal(a.version, "6.1.158");
	assert_false(a.git);
	assert_int_equal(strlen(a.fingerprint), 64);
	assert_int_equal(strncmp(a.ident, "tree:", 5), 0);
	assert_int_equal(a.files, 3);
	assert_string_equal(kmin_kernel_id_label(&a), "6.1.158");
	assert_int_equal(kmin_kernel_id_compute(&b, f.dir, err, sizeof(err)), 0);
	assert_string_equal(a.ident, b.ident);
	/* an edit (same size, new mtime) is another kernel */
	snprintf(path, sizeof(path), "%s/init/main.c", f.dir);
	run("touch -d '2001-01-01' '%s'", path);
	assert_int_equal(kmin_kernel_id_compute(&b, f.dir, err, sizeof(err)), 0);
	assert_string_not_equal(a.ident, b.ident);
	/* so is a new file */
	tu_write(f.dir, "init/new.c", "", 0);
	assert_int_equal(kmin_kernel_id_compute(&a, f.dir, err, sizeof(err)), 0);
	assert_string_not_equal(a.ident, b.ident);
	/* a directory without a Makefile is not a kernel */
	snprintf(path, sizeof(path), "%s/init", f.dir);
	assert_int_equal(kmin_kernel_id_compute(&a, path, err, sizeof(err)), -1);
	tu_remove_tree(f.dir);
}

static void test_kernel_id_git(void **state)
{
	struct fixture f;
	struct kmin_kernel_id clean, dirty, dirty2, again;
	char err[256];
	(void)state;

	make_dir(&f);
	make_tree(f.dir);
	run("cd '%s' && git init -q && git add -A && git -c user.name=t -c user.email=t@t "
	    "commit -qm one && git tag v6.1", f.dir);
	assert_int_equal(kmin_kernel_id_compute(&clean, f.dir, err, sizeof(err)), 0);
	assert_true(clean.git);
	assert_false(clean.dirty);
	assert_int_equal(strlen(clean.commit), 40);
	assert_string_equal(clean.describe, "v6.1");
	assert_string_equal(kmin_kernel_id_label(&clean), "v6.1");
	assert_string_equal(clean.fingerprint, "");
	assert_int_equal(strncmp(clean.ident, "git:", 4), 0);
	assert_int_equal(strlen(clean.ident), 44);

	run("echo 'int x;' >> '%s/init/main.c'", f.dir);
	assert_int_equal(kmin_kernel_id_compute(&dirty, f.dir, err, sizeof(err)), 0);
	assert_true(dirty.dirty);
	assert_string_equal(dirty.describe, "v6.1-dirty");
	assert_string_not_equal(dirty.ident, clean.ident);
	assert_int_equal(strncmp(dirty.ident, clean.ident, 44), 0);
	/* other dirty content, other kernel */
	run("echo 'int y;' >> '%s/init/main.c'", f.dir);
	assert_int_equal(kmin_kernel_id_compute(&dirty2, f.dir, err, sizeof(err)), 0);
	assert_string_not_equal(dirty2.ident, dirty.ident);
	/* an untracked file makes it dirty too; ignored files do not */
	run("cd '%s' && git checkout -q init/main.c && echo x > junk.o && echo '*.o' > .git/info/exclude", f.dir);
	assert_int_equal(kmin_kernel_id_compute(&again, f.dir, err, sizeof(err)), 0);
	assert_string_equal(again.ident, clean.ident);
	run("echo new > '%s/init/new.c'", f.dir);
	assert_int_equal(kmin_kernel_id_compute(&again, f.dir, err, sizeof(err)), 0);
	assert_true(again.dirty);
	assert_string_not_equal(again.ident, clean.ident);
	tu_remove_tree(f.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations_give_schema),
		cmocka_unit_test(test_open_creates),
		cmocka_unit_test(test_refuse_incomplete),
		cmocka_unit_test(test_refuse_stale_log),
		cmocka_unit_test(test_run_claim),
		cmocka_unit_test(test_refuse_not_sqlite),
		cmocka_unit_test(test_refuse_foreign_sqlite),
		cmocka_unit_test(test_refuse_newer),
		cmocka_unit_test(test_upgrade_old),
		cmocka_unit_test_setup_teardown(test_refuse_corrupt, setup_store, teardown_store),
		cmocka_unit_test(test_refuse_unwritable),
		cmocka_unit_test(test_refuse_unwritable_file),
		cmocka_unit_test_setup_teardown(test_upserts_idempotent, setup_store, teardown_store),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_compress_roundtrip),
		cmocka_unit_test_setup_teardown(test_config_get, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_record_and_lookup, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_record_rejects, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_sections_stored, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_cached_and_list, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_divergences, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_reader_during_write, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_kill9_mid_write, setup_store, teardown_store),
		cmocka_unit_test(test_two_processes),
		cmocka_unit_test_setup_teardown(test_threads_share_handle, setup_store, teardown_store),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_kernel_id_plain),
		cmocka_unit_test(test_kernel_id_git),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
