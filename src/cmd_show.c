/*
 * cmd_show.c - `kmin show RUN`: one search run and every step it took,
 * in the order it took them: the base, each batch of moves accepted or
 * rejected (and why: failed to build, grew, lost a requirement), the
 * final verification, with the size and the saving each measured.
 *
 * Reads the store read-only: the run through store_query.h, its steps
 * through kmin_store_steps_foreach() (store.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "json.h"
#include "output.h"
#include "query_out.h"
#include "kmin/store.h"
#include "kmin/store_query.h"

static const char show_usage[] =
	"usage: kmin show RUN [--db FILE] [--format table|csv|json]\n"
	"\n"
	"Show search run RUN (its id, as `kmin runs` lists) and its steps: what\n"
	"was tried, whether it was accepted or rejected and why, and the size\n"
	"and saving measured.\n"
	"\n"
	"options:\n"
	"  --db FILE          the results database (default: $KMIN_DB, else\n"
	"                     $XDG_DATA_HOME/kmin/results.db); only read\n"
	"  --format FORMAT    table (default: the run, then one line per step),\n"
	"                     csv (one line per step) or json (an object)\n"
	"  -h, --help         show this help\n"
	"\n"
	"json: {\"run\": {...}, \"steps\": [{...}, ...]}, where run has the fields of\n"
	"`kmin runs` and each step (also the csv columns) has:\n"
	"  run_id         the run\n"
	"  seq            1, 2, ... in the order the steps happened\n"
	"  kind           base (the solved base, built), accept (the moves were\n"
	"                 kept), reject (they were not) or verify (the final\n"
	"                 config built once more)\n"
	"  moves          what was applied: \"SYM=n SYM2=y ...\" (empty for the base\n"
	"                 and the verification)\n"
	"  reason         why: ok; grew (the metric did not shrink); failed: the\n"
	"                 first error of the build; lost X (requirement X did not\n"
	"                 hold after olddefconfig, or its functions were missing\n"
	"                 from vmlinux); or what the engine refused\n"
	"  size           the run's metric of the config built, bytes; null when\n"
	"                 nothing was measured\n"
	"  saving         the state's metric before the step minus size: bytes\n"
	"                 saved (negative: it grew); null when nothing was measured\n"
	"  cached         true when the build was answered from the database\n"
	"  build_id       the build that answered (`kmin export`); null: none\n"
	"  config_sha256  the config built; null: refused without a build\n"
	"  created        UTC, ISO 8601\n"
	"\n"
	"exit status: 0 shown; 1 no such run (the message names the id) or no\n"
	"such database; 2 bad usage, or a file that is not a kmin database, is\n"
	"corrupt or is of a newer kmin (named; left untouched).\n";

enum {
	SC_RUN, SC_SEQ, SC_KIND, SC_MOVES, SC_REASON, SC_SIZE, SC_SAVING, SC_CACHED, SC_BUILD,
	SC_SHA, SC_CREATED, SC_COUNT
};

/* The table shows kind, reason, size, saving, cached and moves; moves last (long). */
static const struct kmin_col step_cols[SC_COUNT] = {
	[SC_RUN] = { "run_id", KMIN_COL_NUMBER, NULL, 0 },
	[SC_SEQ] = { "seq", KMIN_COL_NUMBER, "SEQ", 0 },
	[SC_KIND] = { "kind", KMIN_COL_TEXT, "KIND", 0 },
	[SC_MOVES] = { "moves", KMIN_COL_TEXT, "MOVES", 0 },
	[SC_REASON] = { "reason", KMIN_COL_TEXT, "REASON", 48 },
	[SC_SIZE] = { "size", KMIN_COL_NUMBER, "SIZE", 0 },
	[SC_SAVING] = { "saving", KMIN_COL_NUMBER, "SAVING", 0 },
	[SC_CACHED] = { "cached", KMIN_COL_BOOL, "CACHED", 0 },
	[SC_BUILD] = { "build_id", KMIN_COL_NUMBER, "BUILD", 0 },
	[SC_SHA] = { "config_sha256", KMIN_COL_TEXT, NULL, 0 },
	[SC_CREATED] = { "created", KMIN_COL_TEXT, NULL, 0 },
};

/* The table order: the moves at the end of the line, where their length does no harm. */
static const struct kmin_col step_table_cols[SC_COUNT] = {
	{ "seq", KMIN_COL_NUMBER, "SEQ", 0 },
	{ "kind", KMIN_COL_TEXT, "KIND", 0 },
	{ "reason", KMIN_COL_TEXT, "REASON", 48 },
	{ "size", KMIN_COL_NUMBER, "SIZE", 0 },
	{ "saving", KMIN_COL_NUMBER, "SAVING", 0 },
	{ "cached", KMIN_COL_BOOL, "CACHED", 0 },
	{ "build_id", KMIN_COL_NUMBER, "BUILD", 0 },
	{ "moves", KMIN_COL_TEXT, "MOVES", 0 },
	{ "run_id", KMIN_COL_NUMBER, NULL, 0 },
	{ "config_sha256", KMIN_COL_TEXT, NULL, 0 },
	{ "created", KMIN_COL_TEXT, NULL, 0 },
};
static const int table_order[SC_COUNT] = {
	SC_SEQ, SC_KIND, SC_REASON, SC_SIZE, SC_SAVING, SC_CACHED, SC_BUILD, SC_MOVES,
	SC_RUN, SC_SHA, SC_CREATED,
};

struct show_ctx {
	struct kmin_rows steps;
	bool table;
	bool found;
	struct kmin_rows run;		/* one row: the run's fields */
	int64_t base_size, final_size, builds, cached;
	char head[512];			/* the table's summary lines */
};

static int on_step(void *payload, const struct kmin_run_step *t)
{
	struct show_ctx *ctx = payload;
	char b[SC_COUNT][40];
	const char *v[SC_COUNT] = {
		[SC_RUN] = kmin_fmt_int(t->run_id, b[SC_RUN], sizeof(b[0])),
		[SC_SEQ] = kmin_fmt_int(t->seq, b[SC_SEQ], sizeof(b[0])),
		[SC_KIND] = kmin_step_kind_name(t->kind),
		[SC_MOVES] = t->moves ? t->moves : "",
		[SC_REASON] = t->reason ? t->reason : "",
		[SC_SIZE] = kmin_fmt_size(t->size, b[SC_SIZE], sizeof(b[0])),
		[SC_SAVING] = t->size >= 0 ? kmin_fmt_int(t->saving, b[SC_SAVING], sizeof(b[0]))
					   : NULL,
		[SC_CACHED] = t->cached ? "true" : "false",
		[SC_BUILD] = t->build_id > 0 ? kmin_fmt_int(t->build_id, b[SC_BUILD], sizeof(b[0]))
					     : NULL,
		[SC_SHA] = t->config_sha256,
		[SC_CREATED] = kmin_fmt_time(t->created_ms, b[SC_CREATED], sizeof(b[0])),
	};
	const char *w[SC_COUNT];

	if (!ctx->table)
		return kmin_rows_add(&ctx->steps, v) ? 1 : 0;
	for (int i = 0; i < SC_COUNT; i++)
		w[i] = v[table_order[i]];
	return kmin_rows_add(&ctx->steps, w) ? 1 : 0;
}

static int on_run(void *payload, const struct kmin_query_run *q)
{
	struct show_ctx *ctx = payload;
	const struct kmin_run *r = &q->run;
	char saved[64] = "";

	ctx->found = true;
	if (r->base_size > 0 && r->final_size >= 0)
		snprintf(saved, sizeof(saved), " (-%lld bytes, -%.1f%%)",
			 (long long)(r->base_size - r->final_size),
			 100.0 * (double)(r->base_size - r->final_size) / (double)r->base_size);
	snprintf(ctx->head, sizeof(ctx->head),
		 "run %lld: %s; %s on %s %s, --require %s, --base %s, metric %s\n"
		 "%s %lld -> %lld%s; %lld builds, %lld from the database; "
		 "%lld accepted, %lld rejected\n",
		 (long long)r->id, kmin_run_status_name(r->status), r->strategy, r->arch,
		 *q->kernel ? q->kernel : "(unknown kernel)", r->requirements, r->base, r->metric,
		 r->metric, (long long)r->base_size, (long long)r->final_size, saved,
		 (long long)r->builds, (long long)r->cached, (long long)q->accepted,
		 (long long)q->rejected);
	return kmin_runs_add(&ctx->run, q) ? 1 : 0;
}

static void print(struct show_ctx *ctx, enum kmin_format format)
{
	struct kmin_json j;

	switch (format) {
	case KMIN_FORMAT_TABLE:
		fputs(ctx->head, stdout);
		if (ctx->steps.rows) {
			putchar('\n');
			kmin_rows_print(&ctx->steps, format, stdout);
		}
		break;
	case KMIN_FORMAT_CSV:
		kmin_rows_print(&ctx->steps, format, stdout);
		break;
	case KMIN_FORMAT_JSON:
		kmin_json_init(&j, stdout);
		kmin_json_begin_object(&j);
		kmin_json_key(&j, "run");
		kmin_rows_json_object(&ctx->run, 0, &j);
		kmin_json_key(&j, "steps");
		kmin_rows_json(&ctx->steps, &j);
		kmin_json_end_object(&j);
		break;
	}
}

int kmin_cmd_show(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_FORMAT };
	static const struct option options[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL;
	enum kmin_format format = KMIN_FORMAT_TABLE;
	struct kmin_store *store;
	struct show_ctx ctx = { 0 };
	const struct kmin_col *rcols;
	size_t nrcols;
	int64_t id;
	char err[512];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_DB: db = optarg; break;
		case OPT_FORMAT:
			if (kmin_format_parse(optarg, &format))
				return kmin_errorf("unknown format '%s'; use table, csv or json",
						   optarg), KMIN_EXIT_USAGE;
			break;
		case 'h': fputs(show_usage, stdout); return KMIN_EXIT_OK;
		default: fputs(show_usage, stderr); return KMIN_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fputs(show_usage, stderr);
		return KMIN_EXIT_USAGE;
	}
	if (kmin_query_run_id(argv[optind], &id))
		return KMIN_EXIT_USAGE;
	rc = kmin_query_open(db, false, &store);
	if (rc)
		return rc;
	rcols = kmin_runs_columns(&nrcols);
	kmin_rows_init(&ctx.run, rcols, nrcols);
	ctx.table = format == KMIN_FORMAT_TABLE;
	kmin_rows_init(&ctx.steps, ctx.table ? step_table_cols : step_cols, SC_COUNT);
	rc = kmin_store_query_runs(store, id, on_run, &ctx, err, sizeof(err));
	if (rc == 0 && !ctx.found) {
		snprintf(err, sizeof(err), "no run %lld in database '%s'", (long long)id,
			 kmin_store_path(store));
		rc = -1;
	}
	if (rc == 0)
		rc = kmin_store_steps_foreach(store, id, on_step, &ctx, err, sizeof(err));
	if (rc >= 0 && (ctx.run.oom || ctx.steps.oom)) {
		snprintf(err, sizeof(err), "out of memory");
		rc = -1;
	}
	kmin_store_close(store);
	if (rc == 0)
		print(&ctx, format);
	kmin_rows_free(&ctx.run);
	kmin_rows_free(&ctx.steps);
	if (rc)
		return kmin_errorf("%s", err), KMIN_EXIT_FAIL;
	if (fflush(stdout) != 0 || ferror(stdout))
		return kmin_errorf("cannot write the listing"), KMIN_EXIT_FAIL;
	return KMIN_EXIT_OK;
}
