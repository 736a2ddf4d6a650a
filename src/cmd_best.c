/*
 * cmd_best.c - `kmin best`: the smallest known config that keeps a set
 * of requirements on an arch, from the runs in the results store.
 *
 * What "keeps the requirements" means here (also in the help text): a
 * search run proves it.  A candidate is the final config of a run on ARCH
 * whose --require list contains every requirement asked for (as sets:
 * order, case, "CONFIG_" and "=y" do not matter; with --exact the sets
 * must be equal), that ended verified (status done or budget: the final
 * config was built once more, kept its requirements and its functions in
 * vmlinux), and whose final config has an ok build on the run's kernel,
 * toolchain and arch (its sizes).  A run that asked for more kept at
 * least what is asked now, so its result counts too.  Among the
 * candidates the smallest by --metric wins (default dec, whatever metric
 * each run minimized); a tie goes to the newest run.
 *
 * Reads the store read-only; -o writes the winning config's full text.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "json.h"
#include "output.h"
#include "query_out.h"
#include "kmin/search.h"
#include "kmin/store.h"
#include "kmin/store_query.h"

static const char best_usage[] =
	"usage: kmin best --arch ARCH --require LIST [--kernel K] [--exact]\n"
	"                 [--metric dec|text|data|bss|image|ram|flash] [-o FILE]\n"
	"                 [--db FILE] [--format table|csv|json]\n"
	"\n"
	"The smallest config known to keep the requirements LIST on ARCH, with\n"
	"its sizes, from the search runs in the results database.\n"
	"\n"
	"A config counts when a `kmin run` on ARCH proved it: the run's --require\n"
	"list contains every item of LIST (compared as sets: order, case, a\n"
	"CONFIG_ prefix and =y do not matter; a run that required more kept\n"
	"LIST too), the run ended verified (status done or budget: its final\n"
	"config was built again, kept every requirement and their functions in\n"
	"vmlinux) and that final config has an ok build on the run's kernel\n"
	"and toolchain.  Unfinished or failed runs do not count.  The smallest\n"
	"by --metric wins; a tie goes to the newest run.\n"
	"\n"
	"options:\n"
	"  --arch ARCH        the architecture (ARCH=) of the runs\n"
	"  --require LIST     comma-separated features or symbols, as `kmin run`\n"
	"  --kernel K         only runs on kernel K: its version (6.1.158), git\n"
	"                     describe, or a commit id (at least 4 hex digits)\n"
	"  --exact            only runs that required exactly LIST\n"
	"  --metric M         compare by dec (text+data+bss, default), text, data,\n"
	"                     bss, image, ram (data+bss) or flash (text+data)\n"
	"  -o, --output FILE  write the config's full .config text to FILE\n"
	"  --db FILE          the results database (default: $KMIN_DB, else\n"
	"                     $XDG_DATA_HOME/kmin/results.db); only read\n"
	"  --format FORMAT    table (default: field and value lines), csv (a\n"
	"                     header line and one line) or json (one object)\n"
	"  -h, --help         show this help\n"
	"\n"
	"fields (csv columns, json keys):\n"
	"  run_id         the run that found the config (`kmin show`)\n"
	"  arch, kernel, commit (full git id; null: not a git tree)\n"
	"  requirements   that run's --require list\n"
	"  metric         the metric compared (--metric)\n"
	"  size           the config's value of that metric, bytes\n"
	"  text, data, bss, dec, image  the config's sizes in bytes (vmlinux as\n"
	"                 size(1) counts them; image: the boot image file)\n"
	"  base_size, final_size  the run's own metric (run_metric) before and after\n"
	"  run_metric     the metric the run minimized\n"
	"  config_sha256  SHA-256 of the normalized .config\n"
	"  build_id       the build that measured it (`kmin export`)\n"
	"  candidates     how many runs qualified\n"
	"  output         the file written by -o; null without -o\n"
	"\n"
	"exit status: 0 found (and written); 1 no run keeps LIST on ARCH, no such\n"
	"database, or -o cannot be written; 2 bad usage, or a file that is not a\n"
	"kmin database, is corrupt or is of a newer kmin (named; left untouched).\n";

struct best_args {
	const char *db, *arch, *require, *kernel, *output;
	bool exact;
	enum kmin_metric metric;
	enum kmin_format format;
};

struct best_ctx {
	const struct best_args *a;
	size_t candidates;
	int64_t best_size;
	struct kmin_rows row;		/* the winner (replaced while searching) */
	char sha[65];
	bool oom;
};

/* Does the user's K name this run's kernel? */
static bool kernel_matches(const char *k, const struct kmin_query_run *q)
{
	size_t n = strlen(k);

	if (!strcmp(k, q->kernel) || !strcmp(k, q->kernel_version))
		return true;
	return q->commit && n >= 4 && strspn(k, "0123456789abcdef") == n &&
	       !strncmp(q->commit, k, n);
}

enum {
	BC_RUN, BC_ARCH, BC_KERNEL, BC_COMMIT, BC_REQ, BC_METRIC, BC_SIZE, BC_TEXT, BC_DATA,
	BC_BSS, BC_DEC, BC_IMAGE, BC_BASE_SIZE, BC_FINAL_SIZE, BC_RUN_METRIC, BC_SHA, BC_BUILD,
	BC_CANDIDATES, BC_OUTPUT, BC_COUNT
};

static const struct kmin_col best_cols[BC_COUNT] = {
	[BC_RUN] = { "run_id", KMIN_COL_NUMBER, "run_id", 0 },
	[BC_ARCH] = { "arch", KMIN_COL_TEXT, "arch", 0 },
	[BC_KERNEL] = { "kernel", KMIN_COL_TEXT, "kernel", 0 },
	[BC_COMMIT] = { "commit", KMIN_COL_TEXT, "commit", 0 },
	[BC_REQ] = { "requirements", KMIN_COL_TEXT, "requirements", 0 },
	[BC_METRIC] = { "metric", KMIN_COL_TEXT, "metric", 0 },
	[BC_SIZE] = { "size", KMIN_COL_NUMBER, "size", 0 },
	[BC_TEXT] = { "text", KMIN_COL_NUMBER, "text", 0 },
	[BC_DATA] = { "data", KMIN_COL_NUMBER, "data", 0 },
	[BC_BSS] = { "bss", KMIN_COL_NUMBER, "bss", 0 },
	[BC_DEC] = { "dec", KMIN_COL_NUMBER, "dec", 0 },
	[BC_IMAGE] = { "image", KMIN_COL_NUMBER, "image", 0 },
	[BC_BASE_SIZE] = { "base_size", KMIN_COL_NUMBER, "base_size", 0 },
	[BC_FINAL_SIZE] = { "final_size", KMIN_COL_NUMBER, "final_size", 0 },
	[BC_RUN_METRIC] = { "run_metric", KMIN_COL_TEXT, "run_metric", 0 },
	[BC_SHA] = { "config_sha256", KMIN_COL_TEXT, "config_sha256", 0 },
	[BC_BUILD] = { "build_id", KMIN_COL_NUMBER, "build_id", 0 },
	[BC_CANDIDATES] = { "candidates", KMIN_COL_NUMBER, "candidates", 0 },
	[BC_OUTPUT] = { "output", KMIN_COL_TEXT, "output", 0 },
};

static int on_run(void *payload, const struct kmin_query_run *q)
{
	struct best_ctx *ctx = payload;
	const struct best_args *a = ctx->a;
	const struct kmin_run *r = &q->run;
	struct kmin_search_sizes z = { q->final.text, q->final.data, q->final.bss, q->final.image };
	int64_t size = kmin_search_metric(&z, a->metric);
	char b[BC_COUNT][40];
	const char *v[BC_COUNT];

	if (strcmp(r->arch, a->arch) || !q->final_build_id || !r->final_sha256 ||
	    (r->status != KMIN_RUN_DONE && r->status != KMIN_RUN_BUDGET) || size < 0)
		return 0;
	if (a->exact ? !kmin_requirements_equal(r->requirements, a->require)
		     : !kmin_requirements_cover(r->requirements, a->require))
		return 0;
	if (a->kernel && !kernel_matches(a->kernel, q))
		return 0;
	ctx->candidates++;
	if (ctx->row.rows && size > ctx->best_size)
		return 0;
	ctx->best_size = size;
	snprintf(ctx->sha, sizeof(ctx->sha), "%s", r->final_sha256);
	kmin_rows_free(&ctx->row);
	kmin_rows_init(&ctx->row, best_cols, BC_COUNT);
	v[BC_RUN] = kmin_fmt_int(r->id, b[BC_RUN], sizeof(b[0]));
	v[BC_ARCH] = r->arch;
	v[BC_KERNEL] = *q->kernel ? q->kernel : NULL;
	v[BC_COMMIT] = q->commit;
	v[BC_REQ] = r->requirements;
	v[BC_METRIC] = kmin_metric_name(a->metric);
	v[BC_SIZE] = kmin_fmt_size(size, b[BC_SIZE], sizeof(b[0]));
	v[BC_TEXT] = kmin_fmt_size(q->final.text, b[BC_TEXT], sizeof(b[0]));
	v[BC_DATA] = kmin_fmt_size(q->final.data, b[BC_DATA], sizeof(b[0]));
	v[BC_BSS] = kmin_fmt_size(q->final.bss, b[BC_BSS], sizeof(b[0]));
	v[BC_DEC] = kmin_fmt_size(kmin_search_metric(&z, KMIN_METRIC_DEC), b[BC_DEC], sizeof(b[0]));
	v[BC_IMAGE] = kmin_fmt_size(q->final.image, b[BC_IMAGE], sizeof(b[0]));
	v[BC_BASE_SIZE] = kmin_fmt_size(r->base_size, b[BC_BASE_SIZE], sizeof(b[0]));
	v[BC_FINAL_SIZE] = kmin_fmt_size(r->final_size, b[BC_FINAL_SIZE], sizeof(b[0]));
	v[BC_RUN_METRIC] = r->metric;
	v[BC_SHA] = r->final_sha256;
	v[BC_BUILD] = kmin_fmt_int(q->final_build_id, b[BC_BUILD], sizeof(b[0]));
	v[BC_CANDIDATES] = "0";		/* set when printing */
	v[BC_OUTPUT] = a->output;
	return kmin_rows_add(&ctx->row, v) ? 1 : 0;
}

/* 1 after --help, 0 to go on, -1 on a usage error (message printed). */
static int parse_args(int argc, char **argv, struct best_args *a)
{
	enum { OPT_DB = 256, OPT_FORMAT, OPT_ARCH, OPT_REQUIRE, OPT_KERNEL, OPT_EXACT, OPT_METRIC };
	static const struct option options[] = {
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "db", required_argument, NULL, OPT_DB },
		{ "exact", no_argument, NULL, OPT_EXACT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "metric", required_argument, NULL, OPT_METRIC },
		{ "output", required_argument, NULL, 'o' },
		{ "require", required_argument, NULL, OPT_REQUIRE },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", options, NULL)) != -1) {
		switch (c) {
		case OPT_ARCH: a->arch = optarg; break;
		case OPT_DB: a->db = optarg; break;
		case OPT_EXACT: a->exact = true; break;
		case OPT_KERNEL: a->kernel = optarg; break;
		case OPT_REQUIRE: a->require = optarg; break;
		case 'o': a->output = optarg; break;
		case OPT_FORMAT:
			if (kmin_format_parse(optarg, &a->format))
				return kmin_errorf("unknown format '%s'; use table, csv or json", optarg);
			break;
		case OPT_METRIC:
			if (kmin_metric_parse(optarg, &a->metric))
				return kmin_errorf("unknown metric '%s'; use dec, text, data, bss, "
						   "image, ram or flash", optarg);
			break;
		case 'h': fputs(best_usage, stdout); return 1;
		default: fputs(best_usage, stderr); return -1;
		}
	}
	if (optind < argc)
		return kmin_errorf("best takes no arguments, not '%s'; see 'kmin best --help'",
				   argv[optind]);
	if (!a->arch || !a->require)
		return kmin_errorf("best needs --arch and --require; see 'kmin best --help'");
	if (strspn(a->require, ", \t") == strlen(a->require))
		return kmin_errorf("--require '%s' names no requirement", a->require);
	return 0;
}

/* Write the config's text to path.  0 or -1 (message printed). */
static int write_config(struct kmin_store *store, const char *sha, const char *path)
{
	char err[512], *text;
	size_t len;
	FILE *f;
	int bad;

	if (kmin_store_config_get(store, sha, &text, &len, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err);
	f = fopen(path, "w");
	if (!f) {
		free(text);
		return kmin_errorf("cannot write '%s': %m", path);
	}
	bad = fwrite(text, 1, len, f) != len;
	bad |= fclose(f) != 0;
	free(text);
	if (bad)
		return kmin_errorf("cannot write '%s': %m", path);
	return 0;
}

static void print(const struct kmin_rows *row, enum kmin_format format)
{
	struct kmin_json j;

	switch (format) {
	case KMIN_FORMAT_TABLE:
		for (size_t c = 0; c < row->ncols; c++)
			printf("%-14s %s\n", row->cols[c].name,
			       row->cells[c] ? row->cells[c] : "-");
		break;
	case KMIN_FORMAT_CSV:
		kmin_rows_print(row, format, stdout);
		break;
	case KMIN_FORMAT_JSON:
		kmin_json_init(&j, stdout);
		kmin_rows_json_object(row, 0, &j);
		break;
	}
}

int kmin_cmd_best(int argc, char **argv)
{
	struct best_args a = { .metric = KMIN_METRIC_DEC, .format = KMIN_FORMAT_TABLE };
	struct best_ctx ctx = { .a = &a };
	struct kmin_store *store;
	char err[512], count[32];
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc > 0 ? KMIN_EXIT_OK : KMIN_EXIT_USAGE;
	rc = kmin_query_open(a.db, false, &store);
	if (rc)
		return rc;
	kmin_rows_init(&ctx.row, best_cols, BC_COUNT);
	rc = kmin_store_query_runs(store, 0, on_run, &ctx, err, sizeof(err));
	if (rc > 0 || ctx.row.oom)
		rc = -1, snprintf(err, sizeof(err), "out of memory");
	if (rc == 0 && !ctx.row.rows) {
		rc = -1;
		snprintf(err, sizeof(err), "no verified run on %s keeps %s%s%s in database '%s'",
			 a.arch, a.require, a.kernel ? " on kernel " : "", a.kernel ? a.kernel : "",
			 kmin_store_path(store));
	}
	if (rc == 0 && a.output && write_config(store, ctx.sha, a.output))
		rc = 1;
	kmin_store_close(store);
	if (rc == 0) {
		snprintf(count, sizeof(count), "%zu", ctx.candidates);
		free(ctx.row.cells[BC_CANDIDATES]);
		ctx.row.cells[BC_CANDIDATES] = strdup(count);
		print(&ctx.row, a.format);
	} else if (rc < 0) {
		kmin_errorf("%s", err);
	}
	kmin_rows_free(&ctx.row);
	if (rc)
		return KMIN_EXIT_FAIL;
	if (fflush(stdout) != 0 || ferror(stdout))
		return kmin_errorf("cannot write the answer"), KMIN_EXIT_FAIL;
	return KMIN_EXIT_OK;
}
