/*
 * query_out.h - the three output formats of the query commands (`kmin
 * runs`, `show`, `best`, `diff`, `export`): an aligned table for people,
 * CSV (RFC 4180) and JSON for programs, from one set of rows.
 *
 * A command declares its columns once (name = the CSV header and JSON
 * key, the contract; kind = how JSON writes the value; title = the table
 * heading, NULL for a column the table leaves out), adds rows of text
 * values (NULL = unknown: "-" in the table, empty in CSV, null in JSON)
 * and prints.  Rows are kept in memory (a few thousand at most) so the
 * table can size its columns.  Text is written as valid UTF-8 (each
 * invalid byte becomes U+FFFD), so a log line from a compiler cannot
 * break the JSON.
 *
 * Ownership: values are copied by kmin_rows_add(); the column array is
 * borrowed and must outlive the rows.
 */
#ifndef KMIN_QUERY_OUT_H
#define KMIN_QUERY_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

enum kmin_format { KMIN_FORMAT_TABLE, KMIN_FORMAT_CSV, KMIN_FORMAT_JSON };

/* "table", "csv", "json" into *out: 0, or -1 for another name. */
int kmin_format_parse(const char *name, enum kmin_format *out);

enum kmin_col_kind {
	KMIN_COL_TEXT,		/* a JSON string */
	KMIN_COL_NUMBER,	/* written as is in JSON: "12", "3.5" */
	KMIN_COL_BOOL,		/* "true" / "false" */
};

struct kmin_col {
	const char *name;	/* CSV header, JSON key */
	enum kmin_col_kind kind;
	const char *title;	/* table heading; NULL: not in the table */
	int width;		/* table: at most this many characters (0: all) */
};

struct kmin_rows {
	const struct kmin_col *cols;	/* borrowed */
	size_t ncols;
	char **cells;			/* rows * ncols, owned; NULL = unknown */
	size_t rows, cap;
	bool oom;			/* an add failed: out of memory */
};

void kmin_rows_init(struct kmin_rows *r, const struct kmin_col *cols, size_t ncols);
/* Add a row of ncols values (copied; NULL = unknown).  0 or -1 (out of memory). */
int kmin_rows_add(struct kmin_rows *r, const char *const *values);
void kmin_rows_free(struct kmin_rows *r);

/* Print all rows: table (with a heading line), csv (with a header line) or a JSON array. */
void kmin_rows_print(const struct kmin_rows *r, enum kmin_format format, FILE *out);
/* The rows as a JSON array, as one value inside a document being written with j. */
void kmin_rows_json(const struct kmin_rows *r, struct kmin_json *j);
/* Row i as a JSON object inside a document being written with j. */
void kmin_rows_json_object(const struct kmin_rows *r, size_t i, struct kmin_json *j);

/* Value text helpers: into buf, returning buf, or NULL for unknown (v < 0). */
const char *kmin_fmt_size(int64_t v, char *buf, size_t len);
/* A signed integer, always known. */
const char *kmin_fmt_int(int64_t v, char *buf, size_t len);
/* UTC "2026-11-27T02:18:41.123Z" of Unix ms; NULL when ms is 0 (not yet). */
const char *kmin_fmt_time(int64_t ms, char *buf, size_t len);

/* ---- the database of a query ---- */

struct kmin_store;

/*
 * Open the results database of a query read-only: db, or the default path
 * when db is NULL.  A query never creates, migrates or changes a file.
 * Returns KMIN_EXIT_OK with *out set; KMIN_EXIT_OK with *out NULL when the
 * file does not exist and missing_ok (an empty listing); otherwise prints
 * the error (naming the file) and returns the exit status: 1 no such
 * database, 2 a file that is not a kmin database, is corrupt, of a newer
 * kmin, or cannot be read.
 */
int kmin_query_open(const char *db, bool missing_ok, struct kmin_store **out);

/*
 * A run id from text ("12", or "#12"): 0 and *id, or -1 after printing
 * "'X' is not a run id" (exit status 2 for the caller).
 */
int kmin_query_run_id(const char *text, int64_t *id);

/* ---- the fields of a run (cmd_runs.c), shared by runs, show and best ---- */

struct kmin_query_run;

/* The columns of `kmin runs` (the contract listed in its help); *n gets their count. */
const struct kmin_col *kmin_runs_columns(size_t *n);
/* Add run q as a row of kmin_runs_columns().  0 or -1 (out of memory). */
int kmin_runs_add(struct kmin_rows *rows, const struct kmin_query_run *q);

#endif
