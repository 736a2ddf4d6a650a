/*
 * cmd_export.c - `kmin export`: every build in the results store joined
 * with its config, kernel and toolchain, one flat row per build, for
 * spreadsheets and scripts (CSV by default).
 *
 * Unlike `kmin builds` (a view for people), every column here is a
 * single value a spreadsheet can sort or plot: sizes in bytes with dec
 * (text + data + bss) precomputed, times both as ISO 8601 and as Unix
 * milliseconds, the kernel's version, describe and full commit.  Reads
 * the store read-only.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "output.h"
#include "query_out.h"
#include "kmin/store.h"
#include "kmin/store_query.h"

static const char export_usage[] =
	"usage: kmin export [--db FILE] [--format csv|json|table] [-o FILE]\n"
	"\n"
	"Export every build recorded in the results database, oldest first, joined\n"
	"with its config, kernel and toolchain: one row per build.\n"
	"\n"
	"options:\n"
	"  --db FILE          the results database (default: $KMIN_DB, else\n"
	"                     $XDG_DATA_HOME/kmin/results.db); only read, never\n"
	"                     created\n"
	"  --format FORMAT    csv (default: a header line, then one line per build,\n"
	"                     RFC 4180 quoting), json (an array of objects) or table\n"
	"  -o, --output FILE  write to FILE instead of standard output\n"
	"  -h, --help         show this help\n"
	"\n"
	"columns (csv header and json keys, in this order; unknown: empty / null):\n"
	"  build_id          the build's number\n"
	"  status            ok, failed or timeout\n"
	"  arch, image       ARCH= and the image target (zImage)\n"
	"  text, data, bss   vmlinux sizes in bytes as size(1) counts them\n"
	"  dec               text + data + bss\n"
	"  image_bytes       size of the boot image file\n"
	"  seconds           wall-clock time of the build\n"
	"  cached            true when answered from the database, not built\n"
	"  cached_from       the build that answered\n"
	"  worker            who built it\n"
	"  started, finished UTC, ISO 8601; started_ms, finished_ms: Unix ms\n"
	"  config_sha256     SHA-256 of the normalized .config (`kmin diff` takes it)\n"
	"  config_bytes      length of the normalized .config\n"
	"  kernel_ident      git:<commit> or tree:<sha256>: what identifies the tree\n"
	"  kernel_version    from the tree's Makefile\n"
	"  kernel_describe   git describe; empty for a plain tree\n"
	"  kernel_commit     the full git commit id; empty for a plain tree\n"
	"  kernel_dirty      true when the git tree had local changes\n"
	"  kernel_path       where the tree was last seen\n"
	"  toolchain         the compiler's version text\n"
	"  first_error       the first error line of a failed build\n"
	"\n"
	"A database that does not exist exports no rows and is not created.\n"
	"\n"
	"exit status: 0 exported; 1 the output cannot be written; 2 bad usage, or\n"
	"a file that is not a kmin database, is corrupt or is of a newer kmin (the\n"
	"message names it; it is left untouched).\n";

enum {
	EC_ID, EC_STATUS, EC_ARCH, EC_IMAGE, EC_TEXT, EC_DATA, EC_BSS, EC_DEC, EC_IMAGE_BYTES,
	EC_SECONDS, EC_CACHED, EC_CACHED_FROM, EC_WORKER, EC_STARTED, EC_FINISHED,
	EC_STARTED_MS, EC_FINISHED_MS, EC_SHA, EC_CONFIG_BYTES, EC_KIDENT, EC_KVERSION,
	EC_KDESCRIBE, EC_KCOMMIT, EC_KDIRTY, EC_KPATH, EC_TOOLCHAIN, EC_FIRST_ERROR, EC_COUNT
};

static const struct kmin_col export_cols[EC_COUNT] = {
	[EC_ID] = { "build_id", KMIN_COL_NUMBER, "BUILD", 0 },
	[EC_STATUS] = { "status", KMIN_COL_TEXT, "STATUS", 0 },
	[EC_ARCH] = { "arch", KMIN_COL_TEXT, "ARCH", 0 },
	[EC_IMAGE] = { "image", KMIN_COL_TEXT, NULL, 0 },
	[EC_TEXT] = { "text", KMIN_COL_NUMBER, "TEXT", 0 },
	[EC_DATA] = { "data", KMIN_COL_NUMBER, "DATA", 0 },
	[EC_BSS] = { "bss", KMIN_COL_NUMBER, "BSS", 0 },
	[EC_DEC] = { "dec", KMIN_COL_NUMBER, "DEC", 0 },
	[EC_IMAGE_BYTES] = { "image_bytes", KMIN_COL_NUMBER, "IMAGE", 0 },
	[EC_SECONDS] = { "seconds", KMIN_COL_NUMBER, "SECONDS", 0 },
	[EC_CACHED] = { "cached", KMIN_COL_BOOL, "CACHED", 0 },
	[EC_CACHED_FROM] = { "cached_from", KMIN_COL_NUMBER, NULL, 0 },
	[EC_WORKER] = { "worker", KMIN_COL_TEXT, NULL, 0 },
	[EC_STARTED] = { "started", KMIN_COL_TEXT, "STARTED", 19 },
	[EC_FINISHED] = { "finished", KMIN_COL_TEXT, NULL, 0 },
	[EC_STARTED_MS] = { "started_ms", KMIN_COL_NUMBER, NULL, 0 },
	[EC_FINISHED_MS] = { "finished_ms", KMIN_COL_NUMBER, NULL, 0 },
	[EC_SHA] = { "config_sha256", KMIN_COL_TEXT, "CONFIG", 12 },
	[EC_CONFIG_BYTES] = { "config_bytes", KMIN_COL_NUMBER, NULL, 0 },
	[EC_KIDENT] = { "kernel_ident", KMIN_COL_TEXT, NULL, 0 },
	[EC_KVERSION] = { "kernel_version", KMIN_COL_TEXT, "KERNEL", 0 },
	[EC_KDESCRIBE] = { "kernel_describe", KMIN_COL_TEXT, NULL, 0 },
	[EC_KCOMMIT] = { "kernel_commit", KMIN_COL_TEXT, "COMMIT", 12 },
	[EC_KDIRTY] = { "kernel_dirty", KMIN_COL_BOOL, NULL, 0 },
	[EC_KPATH] = { "kernel_path", KMIN_COL_TEXT, NULL, 0 },
	[EC_TOOLCHAIN] = { "toolchain", KMIN_COL_TEXT, NULL, 0 },
	[EC_FIRST_ERROR] = { "first_error", KMIN_COL_TEXT, "FIRST_ERROR", 40 },
};

static int on_build(void *payload, const struct kmin_query_export_row *r)
{
	struct kmin_rows *rows = payload;
	const struct kmin_query_sizes *z = &r->sizes;
	int64_t dec = z->text >= 0 && z->data >= 0 && z->bss >= 0 ? z->text + z->data + z->bss : -1;
	char b[EC_COUNT][40];
	const char *v[EC_COUNT] = {
		[EC_ID] = kmin_fmt_int(r->id, b[EC_ID], sizeof(b[0])),
		[EC_STATUS] = r->status,
		[EC_ARCH] = r->arch,
		[EC_IMAGE] = r->image,
		[EC_TEXT] = kmin_fmt_size(z->text, b[EC_TEXT], sizeof(b[0])),
		[EC_DATA] = kmin_fmt_size(z->data, b[EC_DATA], sizeof(b[0])),
		[EC_BSS] = kmin_fmt_size(z->bss, b[EC_BSS], sizeof(b[0])),
		[EC_DEC] = kmin_fmt_size(dec, b[EC_DEC], sizeof(b[0])),
		[EC_IMAGE_BYTES] = kmin_fmt_size(z->image, b[EC_IMAGE_BYTES], sizeof(b[0])),
		[EC_CACHED] = r->cached_from ? "true" : "false",
		[EC_CACHED_FROM] = r->cached_from ? kmin_fmt_int(r->cached_from, b[EC_CACHED_FROM],
								 sizeof(b[0])) : NULL,
		[EC_WORKER] = r->worker,
		[EC_STARTED] = kmin_fmt_time(r->started_ms, b[EC_STARTED], sizeof(b[0])),
		[EC_FINISHED] = kmin_fmt_time(r->finished_ms, b[EC_FINISHED], sizeof(b[0])),
		[EC_STARTED_MS] = kmin_fmt_int(r->started_ms, b[EC_STARTED_MS], sizeof(b[0])),
		[EC_FINISHED_MS] = kmin_fmt_int(r->finished_ms, b[EC_FINISHED_MS], sizeof(b[0])),
		[EC_SHA] = r->config_sha256,
		[EC_CONFIG_BYTES] = kmin_fmt_int(r->config_bytes, b[EC_CONFIG_BYTES], sizeof(b[0])),
		[EC_KIDENT] = r->kernel_ident,
		[EC_KVERSION] = r->kernel_version,
		[EC_KDESCRIBE] = r->kernel_describe,
		[EC_KCOMMIT] = r->kernel_commit,
		[EC_KDIRTY] = r->kernel_dirty ? "true" : "false",
		[EC_KPATH] = r->kernel_path,
		[EC_TOOLCHAIN] = r->toolchain,
		[EC_FIRST_ERROR] = r->first_error,
	};

	if (isfinite(r->seconds)) {
		snprintf(b[EC_SECONDS], sizeof(b[0]), "%.3f", r->seconds);
		v[EC_SECONDS] = b[EC_SECONDS];
	} else {
		v[EC_SECONDS] = NULL;
	}
	return kmin_rows_add(rows, v) ? 1 : 0;
}

int kmin_cmd_export(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_FORMAT };
	static const struct option options[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *output = NULL;
	enum kmin_format format = KMIN_FORMAT_CSV;
	struct kmin_store *store;
	struct kmin_rows rows;
	FILE *out = stdout;
	char err[512];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", options, NULL)) != -1) {
		switch (c) {
		case OPT_DB: db = optarg; break;
		case 'o': output = optarg; break;
		case OPT_FORMAT:
			if (kmin_format_parse(optarg, &format))
				return kmin_errorf("unknown format '%s'; use csv, json or table",
						   optarg), KMIN_EXIT_USAGE;
			break;
		case 'h': fputs(export_usage, stdout); return KMIN_EXIT_OK;
		default: fputs(export_usage, stderr); return KMIN_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return kmin_errorf("export takes no arguments, not '%s'; see 'kmin export --help'",
				   argv[optind]), KMIN_EXIT_USAGE;
	rc = kmin_query_open(db, true, &store);
	if (rc)
		return rc;
	kmin_rows_init(&rows, export_cols, EC_COUNT);
	rc = store ? kmin_store_query_export(store, on_build, &rows, err, sizeof(err)) : 0;
	kmin_store_close(store);
	if (rc != 0 || rows.oom) {
		kmin_rows_free(&rows);
		return kmin_errorf("%s", rc < 0 ? err : "out of memory"), KMIN_EXIT_FAIL;
	}
	if (output && !(out = fopen(output, "w"))) {
		kmin_rows_free(&rows);
		return kmin_errorf("cannot write '%s': %m", output), KMIN_EXIT_FAIL;
	}
	kmin_rows_print(&rows, format, out);
	kmin_rows_free(&rows);
	rc = ferror(out) | (out == stdout ? fflush(out) : fclose(out));
	if (rc)
		return kmin_errorf("cannot write '%s'", output ? output : "(standard output)"),
		       KMIN_EXIT_FAIL;
	return KMIN_EXIT_OK;
}
