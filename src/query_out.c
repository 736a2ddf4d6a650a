/*
 * query_out.c - table, CSV and JSON output of the query commands (see
 * query_out.h).
 *
 * The table pads each column to its widest cell (counted in characters,
 * not bytes) and writes no trailing blanks; numbers are right-aligned.
 * CSV quotes a field only when it holds a comma, quote, CR or LF, and
 * doubles its quotes.  JSON goes through json.h, with text first made
 * valid UTF-8 here (json.h escapes but does not check encodings).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "output.h"
#include "query_out.h"
#include "kmin/store.h"

int kmin_format_parse(const char *name, enum kmin_format *out)
{
	if (!strcmp(name, "table"))
		*out = KMIN_FORMAT_TABLE;
	else if (!strcmp(name, "csv"))
		*out = KMIN_FORMAT_CSV;
	else if (!strcmp(name, "json"))
		*out = KMIN_FORMAT_JSON;
	else
		return -1;
	return 0;
}

/* ---- value text ---- */

const char *kmin_fmt_size(int64_t v, char *buf, size_t len)
{
	if (v < 0)
		return NULL;
	snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

const char *kmin_fmt_int(int64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

const char *kmin_fmt_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char day[32];

	if (ms <= 0)
		return NULL;
	if (!gmtime_r(&t, &tm) || !strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm))
		return NULL;
	snprintf(buf, len, "%s.%03dZ", day, (int)(ms % 1000));
	return buf;
}

/* ---- UTF-8 ---- */

/* A malloc'ed copy of s that is valid UTF-8 (invalid bytes become U+FFFD). */
static char *utf8_dup(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(3 * len + 1), *o = out;

	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = kmin_utf8_len(p);
		if (!n) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		} else {
			memcpy(o, p, n);
			o += n;
			p += n;
		}
	}
	*o = '\0';
	return out;
}

/* Characters (code points) of a valid UTF-8 string. */
static size_t text_width(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xC0) != 0x80;
	return n;
}

/* ---- rows ---- */

void kmin_rows_init(struct kmin_rows *r, const struct kmin_col *cols, size_t ncols)
{
	memset(r, 0, sizeof(*r));
	r->cols = cols;
	r->ncols = ncols;
}

int kmin_rows_add(struct kmin_rows *r, const char *const *values)
{
	if (r->rows == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 32;
		char **cells = realloc(r->cells, cap * r->ncols * sizeof(*cells));
		if (!cells) {
			r->oom = true;
			return -1;
		}
		r->cells = cells;
		r->cap = cap;
	}
	for (size_t c = 0; c < r->ncols; c++) {
		char **cell = &r->cells[r->rows * r->ncols + c];
		*cell = NULL;
		if (values[c] && !(*cell = utf8_dup(values[c])))
			r->oom = true;
	}
	r->rows++;
	return r->oom ? -1 : 0;
}

void kmin_rows_free(struct kmin_rows *r)
{
	for (size_t i = 0; i < r->rows * r->ncols; i++)
		free(r->cells[i]);
	free(r->cells);
	memset(r, 0, sizeof(*r));
}

static const char *cell(const struct kmin_rows *r, size_t row, size_t col)
{
	return r->cells[row * r->ncols + col];
}

/* ---- table ---- */

/* The table's text of a cell into buf: "-" unknown, one line, cut to the column's width. */
static const char *table_text(const struct kmin_rows *r, size_t row, size_t col, char *buf,
			      size_t len)
{
	const char *v = cell(r, row, col);
	const struct kmin_col *c = &r->cols[col];
	size_t o = 0, chars = 0;

	if (!v)
		v = "-";
	else if (c->kind == KMIN_COL_BOOL)
		v = !strcmp(v, "true") ? "yes" : "no";
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		bool start = (*p & 0xC0) != 0x80;
		if (start && ((c->width && chars == (size_t)c->width) || o + 5 > len))
			break;	/* cut only before a character, never inside one */
		chars += start;
		buf[o++] = *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : (char)*p;
	}
	buf[o] = '\0';
	return buf;
}

static void pad(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

static void table_line(const struct kmin_rows *r, const size_t *width, size_t row, FILE *out)
{
	size_t last = 0;

	for (size_t c = 0; c < r->ncols; c++)
		if (r->cols[c].title)
			last = c;
	for (size_t c = 0; c < r->ncols; c++) {
		char buf[1024];
		const char *v;
		bool right = r->cols[c].kind == KMIN_COL_NUMBER;
		if (!r->cols[c].title)
			continue;
		v = row == (size_t)-1 ? r->cols[c].title : table_text(r, row, c, buf, sizeof(buf));
		if (right)
			pad(out, width[c] - text_width(v));
		fputs(v, out);
		if (c == last)
			break;
		if (!right)
			pad(out, width[c] - text_width(v));
		fputs("  ", out);
	}
	fputc('\n', out);
}

static void print_table(const struct kmin_rows *r, FILE *out)
{
	size_t *width = calloc(r->ncols ? r->ncols : 1, sizeof(*width));

	if (!width)
		return;
	for (size_t c = 0; c < r->ncols; c++) {
		if (!r->cols[c].title)
			continue;
		width[c] = text_width(r->cols[c].title);
		for (size_t i = 0; i < r->rows; i++) {
			char buf[1024];
			size_t w = text_width(table_text(r, i, c, buf, sizeof(buf)));
			if (w > width[c])
				width[c] = w;
		}
	}
	table_line(r, width, (size_t)-1, out);
	for (size_t i = 0; i < r->rows; i++)
		table_line(r, width, i, out);
	free(width);
}

/* ---- csv ---- */

static void csv_field(const char *s, FILE *out)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void print_csv(const struct kmin_rows *r, FILE *out)
{
	for (size_t c = 0; c < r->ncols; c++) {
		if (c)
			fputc(',', out);
		csv_field(r->cols[c].name, out);
	}
	fputc('\n', out);
	for (size_t i = 0; i < r->rows; i++) {
		for (size_t c = 0; c < r->ncols; c++) {
			if (c)
				fputc(',', out);
			if (cell(r, i, c))
				csv_field(cell(r, i, c), out);
		}
		fputc('\n', out);
	}
}

/* ---- json ---- */

void kmin_rows_json_object(const struct kmin_rows *r, size_t i, struct kmin_json *j)
{
	kmin_json_begin_object(j);
	for (size_t c = 0; c < r->ncols; c++) {
		const char *v = cell(r, i, c);
		kmin_json_key(j, r->cols[c].name);
		if (!v || (r->cols[c].kind != KMIN_COL_TEXT && !*v))
			kmin_json_null(j);
		else if (r->cols[c].kind == KMIN_COL_TEXT)
			kmin_json_string(j, v);
		else if (r->cols[c].kind == KMIN_COL_BOOL)
			kmin_json_bool(j, !strcmp(v, "true"));
		else if (strchr(v, '.'))
			kmin_json_double(j, strtod(v, NULL));
		else
			kmin_json_int(j, strtoll(v, NULL, 10));
	}
	kmin_json_end_object(j);
}

void kmin_rows_json(const struct kmin_rows *r, struct kmin_json *j)
{
	kmin_json_begin_array(j);
	for (size_t i = 0; i < r->rows; i++)
		kmin_rows_json_object(r, i, j);
	kmin_json_end_array(j);
}

void kmin_rows_print(const struct kmin_rows *r, enum kmin_format format, FILE *out)
{
	struct kmin_json j;

	switch (format) {
	case KMIN_FORMAT_TABLE:
		print_table(r, out);
		break;
	case KMIN_FORMAT_CSV:
		print_csv(r, out);
		break;
	case KMIN_FORMAT_JSON:
		kmin_json_init(&j, out);
		kmin_rows_json(r, &j);
		break;
	}
}

/* ---- the database of a query ---- */

int kmin_query_open(const char *db, bool missing_ok, struct kmin_store **out)
{
	char path[PATH_MAX], err[PATH_MAX + 256];
	int rc;

	*out = NULL;
	if (!db) {
		if (kmin_store_default_path(path, sizeof(path)) < 0)
			return kmin_errorf("cannot find the results database: set KMIN_DB, "
					   "XDG_DATA_HOME or HOME, or give --db"), KMIN_EXIT_USAGE;
		db = path;
	}
	rc = kmin_store_open(out, db, KMIN_STORE_READONLY | KMIN_STORE_UPGRADE, err, sizeof(err));
	if (rc == KMIN_STORE_ENOENT) {
		if (missing_ok)
			return KMIN_EXIT_OK;
		return kmin_errorf("%s", err), KMIN_EXIT_FAIL;
	}
	if (rc < 0)
		return kmin_errorf("%s", err), KMIN_EXIT_USAGE;
	return KMIN_EXIT_OK;
}

int kmin_query_run_id(const char *text, int64_t *id)
{
	const char *p = text[0] == '#' ? text + 1 : text;
	char *end;
	long long v;

	errno = 0;
	v = strtoll(p, &end, 10);
	if (!*p || *end || errno || v <= 0 || p[0] == '+' || p[0] == '-' || p[0] == ' ')
		return kmin_errorf("'%s' is not a run id (a positive number, as 'kmin runs' "
				   "lists)", text);
	*id = v;
	return 0;
}
