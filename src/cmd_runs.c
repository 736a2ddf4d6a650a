/*
 * cmd_runs.c - `kmin runs`: one row per search run recorded in the
 * results store, as a table, CSV or JSON.
 *
 * Reads the store read-only (store_query.h), so it never creates,
 * migrates or locks the database and may run while a search writes to
 * it.  The fields are a contract (issue 7): their names and meaning are
 * listed in the help text and only ever added to.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "output.h"
#include "query_out.h"
#include "kmin/store.h"
#include "kmin/store_query.h"

static const char runs_usage[] =
	"usage: kmin runs [--db FILE] [--format table|csv|json]\n"
	"\n"
	"List the search runs (`kmin run`) recorded in the results database,\n"
	"oldest first, one row per run.\n"
	"\n"
	"options:\n"
	"  --db FILE          the results database (default: $KMIN_DB, else\n"
	"                     $XDG_DATA_HOME/kmin/results.db, XDG_DATA_HOME\n"
	"                     defaulting to ~/.local/share); it is only read,\n"
	"                     never created or upgraded\n"
	"  --format FORMAT    table (default; the main fields, aligned), csv (a\n"
	"                     header line, then one line per run) or json (an\n"
	"                     array of objects)\n"
	"  -h, --help         show this help\n"
	"\n"
	"fields (csv columns and json keys, in this order; unknown values are\n"
	"empty in csv and null in json):\n"
	"  id             the run's number: what `kmin show`, `kmin diff` and\n"
	"                 `kmin run --resume` take\n"
	"  started, finished  UTC, ISO 8601 with milliseconds; finished is null\n"
	"                 while the run is going on (or was killed)\n"
	"  status         running, done (no candidate left), budget (stopped by\n"
	"                 --max-builds or --time-budget) or failed\n"
	"  arch           ARCH= of the run\n"
	"  kernel         git describe of the source tree, else its version\n"
	"  kernel_version the version from the tree's Makefile\n"
	"  commit         the full git commit id of the tree; null: not a git tree\n"
	"  dirty          true when the git tree had uncommitted changes\n"
	"  requirements   the --require list as given\n"
	"  base           the --base as given\n"
	"  strategy       greedy or linear\n"
	"  metric         the size the run minimized: dec, text, data, bss,\n"
	"                 image, ram or flash\n"
	"  base_size      that metric of the solved base config, bytes\n"
	"  final_size     that metric of the best config found, bytes\n"
	"  builds         real builds the run started\n"
	"  cached         answers the run took from the database instead\n"
	"  accepted       steps whose moves were kept\n"
	"  rejected       steps whose moves were refused (failed, grew, lost a\n"
	"                 requirement)\n"
	"  base_sha256, final_sha256  SHA-256 of the normalized base and final\n"
	"                 .config (what `kmin diff` and `kmin best -o` read)\n"
	"  toolchain      the compiler's version text\n"
	"  track          the nightly job the run belongs to; null: none\n"
	"  started_ms     started, as Unix milliseconds\n"
	"\n"
	"A database that does not exist lists no runs and is not created.\n"
	"\n"
	"exit status: 0 listed; 2 bad usage, or a file that cannot be read, is\n"
	"corrupt, is not a kmin database or is of a newer kmin (the message\n"
	"names the file, which is left untouched).\n";

enum {
	RC_ID, RC_STARTED, RC_FINISHED, RC_STATUS, RC_ARCH, RC_KERNEL, RC_KVERSION, RC_COMMIT,
	RC_DIRTY, RC_REQ, RC_BASE, RC_STRATEGY, RC_METRIC, RC_BASE_SIZE, RC_FINAL_SIZE,
	RC_BUILDS, RC_CACHED, RC_ACCEPTED, RC_REJECTED, RC_BASE_SHA, RC_FINAL_SHA, RC_TOOLCHAIN,
	RC_TRACK, RC_STARTED_MS, RC_COUNT
};

static const struct kmin_col runs_cols[RC_COUNT] = {
	[RC_ID] = { "id", KMIN_COL_NUMBER, "ID", 0 },
	[RC_STARTED] = { "started", KMIN_COL_TEXT, "STARTED", 19 },
	[RC_FINISHED] = { "finished", KMIN_COL_TEXT, NULL, 0 },
	[RC_STATUS] = { "status", KMIN_COL_TEXT, "STATUS", 0 },
	[RC_ARCH] = { "arch", KMIN_COL_TEXT, "ARCH", 0 },
	[RC_KERNEL] = { "kernel", KMIN_COL_TEXT, "KERNEL", 24 },
	[RC_KVERSION] = { "kernel_version", KMIN_COL_TEXT, NULL, 0 },
	[RC_COMMIT] = { "commit", KMIN_COL_TEXT, "COMMIT", 12 },
	[RC_DIRTY] = { "dirty", KMIN_COL_BOOL, NULL, 0 },
	[RC_REQ] = { "requirements", KMIN_COL_TEXT, "REQUIREMENTS", 0 },
	[RC_BASE] = { "base", KMIN_COL_TEXT, "BASE", 0 },
	[RC_STRATEGY] = { "strategy", KMIN_COL_TEXT, "STRATEGY", 0 },
	[RC_METRIC] = { "metric", KMIN_COL_TEXT, "METRIC", 0 },
	[RC_BASE_SIZE] = { "base_size", KMIN_COL_NUMBER, "BASE_SIZE", 0 },
	[RC_FINAL_SIZE] = { "final_size", KMIN_COL_NUMBER, "FINAL_SIZE", 0 },
	[RC_BUILDS] = { "builds", KMIN_COL_NUMBER, "BUILDS", 0 },
	[RC_CACHED] = { "cached", KMIN_COL_NUMBER, "CACHED", 0 },
	[RC_ACCEPTED] = { "accepted", KMIN_COL_NUMBER, NULL, 0 },
	[RC_REJECTED] = { "rejected", KMIN_COL_NUMBER, NULL, 0 },
	[RC_BASE_SHA] = { "base_sha256", KMIN_COL_TEXT, NULL, 0 },
	[RC_FINAL_SHA] = { "final_sha256", KMIN_COL_TEXT, NULL, 0 },
	[RC_TOOLCHAIN] = { "toolchain", KMIN_COL_TEXT, NULL, 0 },
	[RC_TRACK] = { "track", KMIN_COL_TEXT, NULL, 0 },
	[RC_STARTED_MS] = { "started_ms", KMIN_COL_NUMBER, NULL, 0 },
};

struct runs_ctx {
	struct kmin_rows rows;
	bool any_track;		/* some run has a track: the table shows the column */
};

const struct kmin_col *kmin_runs_columns(size_t *n)
{
	*n = RC_COUNT;
	return runs_cols;
}

int kmin_runs_add(struct kmin_rows *rows, const struct kmin_query_run *q)
{
	const struct kmin_run *r = &q->run;
	char b[RC_COUNT][40];
	const char *v[RC_COUNT] = {
		[RC_ID] = kmin_fmt_int(r->id, b[RC_ID], sizeof(b[0])),
		[RC_STARTED] = kmin_fmt_time(r->started_ms, b[RC_STARTED], sizeof(b[0])),
		[RC_FINISHED] = kmin_fmt_time(r->finished_ms, b[RC_FINISHED], sizeof(b[0])),
		[RC_STATUS] = kmin_run_status_name(r->status),
		[RC_ARCH] = r->arch,
		[RC_KERNEL] = *q->kernel ? q->kernel : NULL,
		[RC_KVERSION] = *q->kernel_version ? q->kernel_version : NULL,
		[RC_COMMIT] = q->commit,
		[RC_DIRTY] = q->dirty ? "true" : "false",
		[RC_REQ] = r->requirements,
		[RC_BASE] = r->base,
		[RC_STRATEGY] = r->strategy,
		[RC_METRIC] = r->metric,
		[RC_BASE_SIZE] = kmin_fmt_size(r->base_size, b[RC_BASE_SIZE], sizeof(b[0])),
		[RC_FINAL_SIZE] = kmin_fmt_size(r->final_size, b[RC_FINAL_SIZE], sizeof(b[0])),
		[RC_BUILDS] = kmin_fmt_int(r->builds, b[RC_BUILDS], sizeof(b[0])),
		[RC_CACHED] = kmin_fmt_int(r->cached, b[RC_CACHED], sizeof(b[0])),
		[RC_ACCEPTED] = kmin_fmt_int(q->accepted, b[RC_ACCEPTED], sizeof(b[0])),
		[RC_REJECTED] = kmin_fmt_int(q->rejected, b[RC_REJECTED], sizeof(b[0])),
		[RC_BASE_SHA] = r->base_sha256,
		[RC_FINAL_SHA] = r->final_sha256,
		[RC_TOOLCHAIN] = *q->toolchain ? q->toolchain : NULL,
		[RC_TRACK] = q->track,
		[RC_STARTED_MS] = kmin_fmt_int(r->started_ms, b[RC_STARTED_MS], sizeof(b[0])),
	};

	return kmin_rows_add(rows, v);
}

static int on_run(void *payload, const struct kmin_query_run *q)
{
	struct runs_ctx *ctx = payload;

	if (q->track)
		ctx->any_track = true;
	return kmin_runs_add(&ctx->rows, q) ? 1 : 0;
}

int kmin_cmd_runs(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_FORMAT };
	static const struct option options[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kmin_col cols[RC_COUNT];
	const char *db = NULL;
	enum kmin_format format = KMIN_FORMAT_TABLE;
	struct kmin_store *store;
	struct runs_ctx ctx;
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
		case 'h': fputs(runs_usage, stdout); return KMIN_EXIT_OK;
		default: fputs(runs_usage, stderr); return KMIN_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return kmin_errorf("runs takes no arguments, not '%s'; see 'kmin runs --help'",
				   argv[optind]), KMIN_EXIT_USAGE;
	rc = kmin_query_open(db, true, &store);
	if (rc)
		return rc;
	memcpy(cols, runs_cols, sizeof(cols));
	kmin_rows_init(&ctx.rows, cols, RC_COUNT);
	ctx.any_track = false;
	rc = store ? kmin_store_query_runs(store, 0, on_run, &ctx, err, sizeof(err)) : 0;
	kmin_store_close(store);
	if (rc < 0 || ctx.rows.oom) {
		kmin_rows_free(&ctx.rows);
		return kmin_errorf("%s", rc < 0 ? err : "out of memory"), KMIN_EXIT_FAIL;
	}
	if (ctx.any_track)
		cols[RC_TRACK].title = "TRACK";
	if (format == KMIN_FORMAT_TABLE && !ctx.rows.rows)
		kmin_infof("no runs recorded%s", store ? "" : ": there is no database");
	else
		kmin_rows_print(&ctx.rows, format, stdout);
	kmin_rows_free(&ctx.rows);
	if (fflush(stdout) != 0 || ferror(stdout))
		return kmin_errorf("cannot write the listing"), KMIN_EXIT_FAIL;
	return KMIN_EXIT_OK;
}
