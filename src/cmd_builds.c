/*
 * cmd_builds.c - `kmin builds`: list the builds recorded in the results store.
 *
 * Reads the store (include/kmin/store.h) read-only, so it never creates,
 * migrates or locks the database and may run while a search writes to it.
 * Three formats: an aligned table for people, CSV (RFC 4180 quoting) and a
 * JSON array for programs.  CSV and JSON escaping is written here rather
 * than taken from a library: it is a few lines, and log text may hold
 * invalid UTF-8, which is written as U+FFFD so the JSON stays valid.
 * Workload: a few thousand rows; the table keeps them all in memory to
 * size its columns, CSV and JSON stream.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "json.h"
#include "output.h"
#include "kmin/store.h"
#include "kmin/store_boot.h"

static const char builds_usage[] =
	"usage: kmin builds [--db FILE] [--format table|csv|json] [--divergences]\n"
	"\n"
	"List every build recorded in kmin's results store, oldest first: each\n"
	"real build, and each request that was answered from the store without\n"
	"running make (cached).\n"
	"\n"
	"options:\n"
	"  --db FILE          the results database (default: $KMIN_DB, else\n"
	"                     $XDG_DATA_HOME/kmin/results.db, XDG_DATA_HOME\n"
	"                     defaulting to ~/.local/share); it is only read\n"
	"  --format FORMAT    table (default; aligned columns for people), csv\n"
	"                     (a header row, then one row per build, RFC 4180\n"
	"                     quoting) or json (an array of objects)\n"
	"  --divergences      list instead every symbol where kmin's engine and\n"
	"                     make's olddefconfig disagreed: build_id,\n"
	"                     config_sha256, symbol, engine, make\n"
	"  -h, --help         show this help\n"
	"\n"
	"fields (csv and json; the table shows most of them):\n"
	"  id             the build's number in the database\n"
	"  config_sha256  SHA-256 of the normalized .config\n"
	"  kernel         git describe of the source tree, or its version\n"
	"  arch           ARCH= of the build\n"
	"  status         ok, failed or timeout\n"
	"  text, data, bss  vmlinux sizes in bytes as size(1) counts them;\n"
	"                 empty (csv) or null (json) when unknown\n"
	"  image_bytes    size of the boot image; empty or null when unknown\n"
	"  seconds        wall-clock time of the build\n"
	"  cached         true when answered from the store, not built\n"
	"  image, toolchain, worker, started, finished (UTC, ISO 8601),\n"
	"  cached_from (the build that answered, or empty/null), first_error,\n"
	"  divergences (symbols where kmin's engine and make's olddefconfig\n"
	"  differ; empty/null when not compared),\n"
	"  boot (ok, failed or timeout: how the build booted in QEMU with --boot;\n"
	"  empty when it was not booted), boot_seconds (QEMU start to user space,\n"
	"  or to the end; empty/null when not booted)\n"
	"\n"
	"A database that does not exist lists no builds and is not created.\n"
	"\n"
	"exit status: 0 listed; 2 bad usage, or a database that cannot be read,\n"
	"is corrupt, is not a kmin database or is of a newer kmin (the message\n"
	"names the file, which is left untouched).\n";

enum format { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON };

struct builds_args {
	const char *db;
	enum format format;
	bool divergences;	/* --divergences: list those instead of builds */
};

/* 1 after --help, 0 to go on, -1 on a usage error (message printed). */
static int parse_args(int argc, char **argv, struct builds_args *args)
{
	enum { OPT_DB = 256, OPT_FORMAT, OPT_DIVERGENCES };
	static const struct option options[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "divergences", no_argument, NULL, OPT_DIVERGENCES },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			args->db = optarg;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "table"))
				args->format = FORMAT_TABLE;
			else if (!strcmp(optarg, "csv"))
				args->format = FORMAT_CSV;
			else if (!strcmp(optarg, "json"))
				args->format = FORMAT_JSON;
			else
				return kmin_errorf("unknown format '%s'; use table, csv or json", optarg);
			break;
		case OPT_DIVERGENCES:
			args->divergences = true;
			break;
		case 'h':
			fputs(builds_usage, stdout);
			return 1;
		default:
			fputs(builds_usage, stderr);
			return -1;
		}
	}
	if (optind < argc)
		return kmin_errorf("builds takes no arguments, not '%s'; see 'kmin builds --help'",
				   argv[optind]);
	return 0;
}

/* ---- field text ---- */

/* UTC "2026-11-27T02:18:41.123Z" of Unix milliseconds into buf. */
static void format_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char day[32];

	if (!gmtime_r(&t, &tm) || !strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%s.%03dZ", day, (int)(ms % 1000));
}

/* A size as text: "" when unknown (-1). */
static void format_size(int64_t v, char *buf, size_t len)
{
	if (v < 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%lld", (long long)v);
}

/*
 * s as valid UTF-8: each byte that does not start a valid sequence becomes
 * U+FFFD.  double_quotes: write '"' as '""' (inside a quoted CSV field).
 */
static void utf8_write(FILE *out, const char *s, bool double_quotes)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = kmin_utf8_len(p);
		if (!n)
			fputs("\xef\xbf\xbd", out);
		else if (*p == '"' && double_quotes)
			fputs("\"\"", out);
		else
			fwrite(p, 1, n, out);
		p += n ? n : 1;
	}
}

/*
 * s as one CSV field (RFC 4180): quoted, with quotes doubled, when it
 * holds a comma, quote, CR or LF; invalid UTF-8 becomes U+FFFD.
 */
static void csv_field(FILE *out, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		fputc('"', out);
	utf8_write(out, s, quote);
	if (quote)
		fputc('"', out);
}

/* ---- one row, as fields ---- */

enum field_kind { F_TEXT, F_NUMBER, F_BOOL };

struct field {
	const char *name;
	enum field_kind kind;
	char text[96];		/* the value; F_NUMBER "" means unknown */
	const char *long_text;	/* used instead of text when set (borrowed) */
};

enum {
	FI_ID, FI_SHA, FI_KERNEL, FI_ARCH, FI_STATUS, FI_TEXT, FI_DATA, FI_BSS, FI_IMAGE_BYTES,
	FI_SECONDS, FI_CACHED, FI_IMAGE, FI_TOOLCHAIN, FI_WORKER, FI_STARTED, FI_FINISHED,
	FI_CACHED_FROM, FI_FIRST_ERROR, FI_DIVERGENCES, FI_BOOT, FI_BOOT_SECONDS, FI_COUNT
};

/*
 * The boot of row r (of the build it was answered from, for a cached row)
 * into boot and boot_seconds; both stay "" when it was never booted or
 * the database predates boots.
 */
static void row_boot(struct kmin_store *s, const struct kmin_build_row *r, struct field f[FI_COUNT])
{
	struct kmin_store_boot b;
	char err[256];

	if (!s || kmin_store_boot_get(s, r->id, &b, err, sizeof(err)) != 1)
		return;
	snprintf(f[FI_BOOT].text, sizeof(f[0].text), "%s", b.status);
	snprintf(f[FI_BOOT_SECONDS].text, sizeof(f[0].text), "%.3f", b.seconds);
	kmin_store_boot_clear(&b);
}

static void row_fields(struct kmin_store *s, const struct kmin_build_row *r,
		       struct field f[FI_COUNT])
{
	static const struct { const char *name; enum field_kind kind; } spec[FI_COUNT] = {
		{ "id", F_NUMBER }, { "config_sha256", F_TEXT }, { "kernel", F_TEXT },
		{ "arch", F_TEXT }, { "status", F_TEXT }, { "text", F_NUMBER },
		{ "data", F_NUMBER }, { "bss", F_NUMBER }, { "image_bytes", F_NUMBER },
		{ "seconds", F_NUMBER }, { "cached", F_BOOL }, { "image", F_TEXT },
		{ "toolchain", F_TEXT }, { "worker", F_TEXT }, { "started", F_TEXT },
		{ "finished", F_TEXT }, { "cached_from", F_NUMBER }, { "first_error", F_TEXT },
		{ "divergences", F_NUMBER }, { "boot", F_TEXT }, { "boot_seconds", F_NUMBER },
	};

	for (int i = 0; i < FI_COUNT; i++) {
		f[i].name = spec[i].name;
		f[i].kind = spec[i].kind;
		f[i].text[0] = '\0';
		f[i].long_text = NULL;
	}
	snprintf(f[FI_ID].text, sizeof(f[0].text), "%lld", (long long)r->id);
	f[FI_SHA].long_text = r->config_sha256;
	f[FI_KERNEL].long_text = r->kernel;
	f[FI_ARCH].long_text = r->arch;
	snprintf(f[FI_STATUS].text, sizeof(f[0].text), "%s", kmin_build_status_name(r->status));
	format_size(r->text, f[FI_TEXT].text, sizeof(f[0].text));
	format_size(r->data, f[FI_DATA].text, sizeof(f[0].text));
	format_size(r->bss, f[FI_BSS].text, sizeof(f[0].text));
	format_size(r->image_bytes, f[FI_IMAGE_BYTES].text, sizeof(f[0].text));
	if (isfinite(r->seconds))
		snprintf(f[FI_SECONDS].text, sizeof(f[0].text), "%.3f", r->seconds);
	snprintf(f[FI_CACHED].text, sizeof(f[0].text), "%s", r->cached_from ? "true" : "false");
	f[FI_IMAGE].long_text = r->image;
	f[FI_TOOLCHAIN].long_text = r->toolchain;
	f[FI_WORKER].long_text = r->worker;
	format_time(r->started_ms, f[FI_STARTED].text, sizeof(f[0].text));
	format_time(r->finished_ms, f[FI_FINISHED].text, sizeof(f[0].text));
	format_size(r->cached_from ? r->cached_from : -1, f[FI_CACHED_FROM].text, sizeof(f[0].text));
	f[FI_FIRST_ERROR].long_text = r->first_error;
	format_size(r->divergences, f[FI_DIVERGENCES].text, sizeof(f[0].text));
	row_boot(s, r, f);
}

static const char *field_value(const struct field *f)
{
	return f->long_text ? f->long_text : f->text;
}

/* ---- csv and json: streamed ---- */

struct stream {
	FILE *out;
	long rows;
	struct kmin_store *store;	/* for the boot fields (borrowed) */
};

static int csv_row(void *payload, const struct kmin_build_row *r)
{
	struct stream *st = payload;
	struct field f[FI_COUNT];

	row_fields(st->store, r, f);
	for (int i = 0; i < FI_COUNT; i++) {
		if (i)
			fputc(',', st->out);
		csv_field(st->out, field_value(&f[i]));
	}
	fputc('\n', st->out);
	st->rows++;
	return 0;
}

static void csv_header(FILE *out)
{
	struct kmin_build_row r = { 0 };
	struct field f[FI_COUNT];

	row_fields(NULL, &r, f);
	for (int i = 0; i < FI_COUNT; i++)
		fprintf(out, "%s%s", i ? "," : "", f[i].name);
	fputc('\n', out);
}

static int json_row(void *payload, const struct kmin_build_row *r)
{
	struct stream *st = payload;
	struct field f[FI_COUNT];

	row_fields(st->store, r, f);
	fputs(st->rows ? ",\n  {" : "\n  {", st->out);
	for (int i = 0; i < FI_COUNT; i++) {
		const char *v = field_value(&f[i]);
		fprintf(st->out, "%s\"%s\": ", i ? ", " : "", f[i].name);
		if (f[i].kind == F_TEXT)
			kmin_json_write_string(st->out, v);
		else
			fputs(*v ? v : "null", st->out);
	}
	fputc('}', st->out);
	st->rows++;
	return 0;
}

/* ---- table: collected, then printed with sized columns ---- */

static const struct {
	int field;
	const char *title;
	bool right;
} table_cols[] = {
	{ FI_ID, "ID", true },		{ FI_SHA, "CONFIG", false },
	{ FI_KERNEL, "KERNEL", false },	{ FI_ARCH, "ARCH", false },
	{ FI_IMAGE, "IMAGE", false },	{ FI_STATUS, "STATUS", false },
	{ FI_TEXT, "TEXT", true },	{ FI_DATA, "DATA", true },
	{ FI_BSS, "BSS", true },	{ FI_IMAGE_BYTES, "IMAGE_BYTES", true },
	{ FI_SECONDS, "SECONDS", true },	{ FI_CACHED, "CACHED", false },
	{ FI_WORKER, "WORKER", false },	{ FI_FINISHED, "FINISHED", false },
	{ FI_DIVERGENCES, "DIVERGENCES", true },	{ FI_BOOT, "BOOT", false },
};
#define NCOLS (sizeof(table_cols) / sizeof(table_cols[0]))

struct table {
	char **cells;		/* rows * NCOLS strings, owned */
	size_t rows, cap;
	size_t width[NCOLS];
	bool oom;
	struct kmin_store *store;	/* for the boot fields (borrowed) */
};

/* Columns s takes as utf8_write() prints it: one per character or invalid byte. */
static size_t text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, len;

	for (; *p; p += len ? len : 1, n++)
		len = kmin_utf8_len(p);
	return n;
}

/* The table's text for a field: short forms for people. */
static void table_cell(const struct field *f, int field, char *buf, size_t len)
{
	const char *v = field_value(f);

	if (field == FI_SHA)
		snprintf(buf, len, "%.12s", v);
	else if (field == FI_SECONDS)
		snprintf(buf, len, *v ? "%.1f" : "-", atof(v));
	else if (field == FI_CACHED)
		snprintf(buf, len, "%s", !strcmp(v, "true") ? "yes" : "");
	else if (field == FI_FINISHED)
		snprintf(buf, len, "%.10s %.8s", v, v + (strlen(v) > 11 ? 11 : strlen(v)));
	else if (f->kind == F_NUMBER && !*v)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s", v);
	/* a table row stays on one line */
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

static int table_row(void *payload, const struct kmin_build_row *r)
{
	struct table *t = payload;
	struct field f[FI_COUNT];

	if (t->rows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		char **cells = realloc(t->cells, cap * NCOLS * sizeof(*cells));
		if (!cells) {
			t->oom = true;
			return 1;
		}
		t->cells = cells;
		t->cap = cap;
	}
	row_fields(t->store, r, f);
	for (size_t c = 0; c < NCOLS; c++) {
		char buf[256];
		size_t n;
		table_cell(&f[table_cols[c].field], table_cols[c].field, buf, sizeof(buf));
		t->cells[t->rows * NCOLS + c] = strdup(buf);
		if (!t->cells[t->rows * NCOLS + c])
			t->oom = true;
		n = text_width(buf);
		if (n > t->width[c])
			t->width[c] = n;
	}
	t->rows++;
	return t->oom ? 1 : 0;
}

static void pad(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

static void table_print_line(FILE *out, const struct table *t, char *const *cells)
{
	for (size_t c = 0; c < NCOLS; c++) {
		const char *v = cells[c] ? cells[c] : "";
		size_t w = text_width(v);
		if (table_cols[c].right)
			pad(out, t->width[c] - w);
		utf8_write(out, v, false);
		if (c == NCOLS - 1)	/* no trailing blanks after the last column */
			break;
		if (!table_cols[c].right)
			pad(out, t->width[c] - w);
		fputs("  ", out);
	}
	fputc('\n', out);
}

static void table_print(FILE *out, struct table *t)
{
	char *titles[NCOLS];

	for (size_t c = 0; c < NCOLS; c++) {
		titles[c] = (char *)table_cols[c].title;
		if (text_width(titles[c]) > t->width[c])
			t->width[c] = text_width(titles[c]);
	}
	table_print_line(out, t, titles);
	for (size_t r = 0; r < t->rows; r++)
		table_print_line(out, t, &t->cells[r * NCOLS]);
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->rows * NCOLS; i++)
		free(t->cells[i]);
	free(t->cells);
}

/* ---- --divergences: engine against make, one row per symbol ---- */

struct div_stream {
	FILE *out;
	enum format format;
	long rows;
};

static int divergence_row(void *payload, const struct kmin_divergence_row *r)
{
	static const char *const names[] = { "config_sha256", "symbol", "engine", "make" };
	struct div_stream *st = payload;
	const char *text[] = { r->config_sha256, r->symbol, r->engine, r->make };

	switch (st->format) {
	case FORMAT_TABLE:
		if (!st->rows)
			fprintf(st->out, "%8s  %-12s  %-32s  %-10s  %s\n", "BUILD", "CONFIG", "SYMBOL",
				"ENGINE", "MAKE");
		fprintf(st->out, "%8lld  %-12.12s  %-32s  %-10s  %s\n", (long long)r->build_id,
			r->config_sha256, r->symbol, r->engine, r->make);
		break;
	case FORMAT_CSV:
		fprintf(st->out, "%lld", (long long)r->build_id);
		for (int i = 0; i < 4; i++) {
			fputc(',', st->out);
			csv_field(st->out, text[i]);
		}
		fputc('\n', st->out);
		break;
	case FORMAT_JSON:
		fprintf(st->out, "%s{\"build_id\": %lld", st->rows ? ",\n  " : "\n  ",
			(long long)r->build_id);
		for (int i = 0; i < 4; i++) {
			fprintf(st->out, ", \"%s\": ", names[i]);
			kmin_json_write_string(st->out, text[i]);
		}
		fputc('}', st->out);
		break;
	}
	st->rows++;
	return 0;
}

/* The --divergences listing in the format asked; rc of kmin_store_divergences_foreach. */
static int list_divergences(struct kmin_store *s, enum format format, char *err, size_t errlen)
{
	struct div_stream st = { .out = stdout, .format = format };
	int rc;

	if (format == FORMAT_CSV)
		fputs("build_id,config_sha256,symbol,engine,make\n", stdout);
	if (format == FORMAT_JSON)
		fputc('[', stdout);
	rc = s ? kmin_store_divergences_foreach(s, divergence_row, &st, err, errlen) : 0;
	if (format == FORMAT_JSON)
		fputs(st.rows ? "\n]\n" : "]\n", stdout);
	if (rc == 0 && format == FORMAT_TABLE && !st.rows)
		kmin_infof("no divergences between kmin's engine and make recorded in '%s'",
			   s ? kmin_store_path(s) : "(none)");
	return rc;
}

/* ---- the command ---- */

/* List with the format's callback; rc of kmin_store_builds_foreach. */
static int list(struct kmin_store *s, enum format format, char *err, size_t errlen)
{
	struct stream st = { .out = stdout, .store = s };
	struct table t = { .store = s };
	int rc;

	switch (format) {
	case FORMAT_CSV:
		csv_header(stdout);
		return s ? kmin_store_builds_foreach(s, csv_row, &st, err, errlen) : 0;
	case FORMAT_JSON:
		fputc('[', stdout);
		rc = s ? kmin_store_builds_foreach(s, json_row, &st, err, errlen) : 0;
		fputs(st.rows ? "\n]\n" : "]\n", stdout);
		return rc;
	case FORMAT_TABLE:
		break;
	}
	rc = s ? kmin_store_builds_foreach(s, table_row, &t, err, errlen) : 0;
	if (t.oom) {
		table_free(&t);
		return snprintf(err, errlen, "out of memory"), -1;
	}
	if (rc == 0 && t.rows)
		table_print(stdout, &t);
	else if (rc == 0)
		kmin_infof("no builds recorded in '%s'", s ? kmin_store_path(s) : "(none)");
	table_free(&t);
	return rc;
}

int kmin_cmd_builds(int argc, char **argv)
{
	struct builds_args args = { 0 };
	struct kmin_store *s = NULL;
	char path[PATH_MAX], err[PATH_MAX + 256];
	int rc = parse_args(argc, argv, &args);

	if (rc)
		return rc > 0 ? KMIN_EXIT_OK : KMIN_EXIT_USAGE;
	if (!args.db) {
		if (kmin_store_default_path(path, sizeof(path)) < 0)
			return kmin_errorf("cannot find the results database: set KMIN_DB, "
					   "XDG_DATA_HOME or HOME, or give --db"), KMIN_EXIT_USAGE;
		args.db = path;
	}
	rc = kmin_store_open(&s, args.db, KMIN_STORE_READONLY | KMIN_STORE_UPGRADE, err, sizeof(err));
	if (rc == KMIN_STORE_ENOENT) {
		if (args.format == FORMAT_TABLE)
			kmin_infof("no builds recorded: there is no database '%s'", args.db);
		else if (args.divergences)
			list_divergences(NULL, args.format, err, sizeof(err));
		else
			list(NULL, args.format, err, sizeof(err));
		return KMIN_EXIT_OK;
	}
	if (rc < 0)
		return kmin_errorf("%s", err), KMIN_EXIT_USAGE;
	if (args.divergences)
		rc = list_divergences(s, args.format, err, sizeof(err));
	else
		rc = list(s, args.format, err, sizeof(err));
	if (rc < 0)
		kmin_errorf("%s", err);
	kmin_store_close(s);
	if (fflush(stdout) != 0 || ferror(stdout))
		return kmin_errorf("cannot write the listing"), KMIN_EXIT_FAIL;
	return rc < 0 ? KMIN_EXIT_USAGE : KMIN_EXIT_OK;
}
