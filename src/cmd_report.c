/*
 * cmd_report.c - `kmin report RUN -o FILE.html`: one run of the search as a
 * self-contained HTML page.
 *
 * Reads the store read-only (it never creates or locks the database, so
 * it may run beside a search; a database of an older kmin is migrated
 * first, as any writing command would), loads the run with
 * kmin_report_load() and writes the page with kmin_report_write_html()
 * (src/report.c).  The file is written under a temporary name in the
 * same directory and renamed into place, so FILE is either the old file
 * or the whole new page, never half of one (a FILE that is not a regular
 * file, such as /dev/stdout, is written directly).  `-o -` writes to
 * stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "output.h"
#include "kmin/features.h"
#include "kmin/report.h"
#include "kmin/store.h"

static const char report_usage[] =
	"usage: kmin report RUN -o FILE.html [--db FILE]\n"
	"\n"
	"Write one search run (see 'kmin runs') as a single HTML page that needs\n"
	"nothing else: inline CSS and SVG, no script, no network.  It shows:\n"
	"  - the run: requirements, arch, base, strategy, metric, kernel,\n"
	"    toolchain, base and final size, builds, wall time;\n"
	"  - the requirements, each with the symbols it needs and their values\n"
	"    in the final config;\n"
	"  - the size of the metric against the step (build) number: one point\n"
	"    per step, accepted, rejected (hollow; a cross when nothing was\n"
	"    measured: the build failed) and the verification, with the size the\n"
	"    run held as a line; hover a point for its moves;\n"
	"  - the accepted steps that saved most, as bars;\n"
	"  - every allocated section of vmlinux in the base and final builds;\n"
	"  - the final config against the base: symbols turned off, turned on\n"
	"    and otherwise changed, each with the step that moved it or\n"
	"    'followed' when Kconfig changed it as a consequence;\n"
	"  - every step with its moves, size, change and result.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE  the page to write ('-': standard output); an existing\n"
	"                     file is replaced whole, only once the page is complete\n"
	"  --db FILE          the results database (default: $KMIN_DB, else\n"
	"                     $XDG_DATA_HOME/kmin/results.db, XDG_DATA_HOME\n"
	"                     defaulting to ~/.local/share); it is only read (one\n"
	"                     of an older kmin is brought to the current schema)\n"
	"  -h, --help         show this help\n"
	"\n"
	"The page is the same for the same run: no time of writing, no locale.\n"
	"The final build is the run's verification, else its last accepted build.\n"
	"\n"
	"example:\n"
	"  kmin runs                      # find the run's id\n"
	"  kmin report 3 -o run3.html     # then open run3.html in any browser\n"
	"\n"
	"exit status: 0 written; 1 no such run (the message names it) or no\n"
	"database, or the page cannot be written; 2 bad usage, or a database\n"
	"that cannot be read, is corrupt, is not a kmin database or is of a\n"
	"newer kmin (the message names the file, which is left untouched).\n";

struct report_args {
	const char *db;
	const char *output;
	int64_t run;
};

/* 1 after --help, 0 to go on, -1 on a usage error (message printed). */
static int parse_args(int argc, char **argv, struct report_args *args)
{
	enum { OPT_DB = 256 };
	static const struct option options[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", options, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			args->db = optarg;
			break;
		case 'o':
			args->output = optarg;
			break;
		case 'h':
			fputs(report_usage, stdout);
			return 1;
		default:
			fputs(report_usage, stderr);
			return -1;
		}
	}
	if (optind >= argc)
		return kmin_errorf("report needs a run id; see 'kmin runs' and 'kmin report --help'");
	if (optind + 1 < argc)
		return kmin_errorf("report takes one run, not also '%s'", argv[optind + 1]);
	errno = 0;
	args->run = strtoll(argv[optind], &end, 10);
	if (errno || end == argv[optind] || *end || args->run <= 0)
		return kmin_errorf("'%s' is not a run id (a positive number, see 'kmin runs')",
				   argv[optind]);
	if (!args->output || !*args->output)
		return kmin_errorf("report needs -o FILE.html (or -o - for standard output)");
	return 0;
}

/* Write the page straight to a stream: stdout, or a device or pipe given with -o. */
static int write_stream(FILE *f, const char *name, const struct kmin_report *r)
{
	char err[512];

	if (kmin_report_write_html(f, r, err, sizeof(err)))
		return kmin_errorf("cannot write '%s': %s", name, err);
	return 0;
}

/*
 * Write the page to path: a regular file (or a new one) through a
 * temporary file renamed into place; anything else (/dev/stdout, a FIFO)
 * directly.  0 or -1 (printed).
 */
static int write_file(const char *path, const struct kmin_report *r)
{
	char tmp[PATH_MAX], err[512];
	struct stat st;
	FILE *f;
	int fd;

	if (!strcmp(path, "-"))
		return write_stream(stdout, "standard output", r);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (!(f = fopen(path, "w")))
			return kmin_errorf("cannot write '%s': %s", path, strerror(errno));
		fd = write_stream(f, path, r);
		if (fclose(f) && fd == 0)
			return kmin_errorf("cannot write '%s': %s", path, strerror(errno));
		return fd;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp))
		return kmin_errorf("output path too long: '%s'", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return kmin_errorf("cannot create '%s': %s", tmp, strerror(errno));
	{
		mode_t um = umask(0);
		umask(um);
		fchmod(fd, 0666 & ~um);	/* as fopen would create it */
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return kmin_errorf("cannot write '%s': %s", tmp, strerror(errno));
	}
	if (kmin_report_write_html(f, r, err, sizeof(err))) {
		fclose(f);
		unlink(tmp);
		return kmin_errorf("cannot write '%s': %s", path, err);
	}
	if (fclose(f)) {
		unlink(tmp);
		return kmin_errorf("cannot write '%s': %s", path, strerror(errno));
	}
	if (rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return kmin_errorf("cannot write '%s': %s", path, strerror(e));
	}
	return 0;
}

int kmin_cmd_report(int argc, char **argv)
{
	struct report_args args = { 0 };
	struct kmin_store *s = NULL;
	struct kmin_features *fs = NULL;
	struct kmin_report r;
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
	if (rc == KMIN_STORE_ENOENT)
		return kmin_errorf("no run %lld: there is no database '%s'", (long long)args.run,
				   args.db), KMIN_EXIT_FAIL;
	if (rc < 0)
		return kmin_errorf("%s", err), KMIN_EXIT_USAGE;
	/* the built-in features explain requirement names; without them, names stay bare */
	if (kmin_features_new(&fs, err, sizeof(err)) < 0) {
		kmin_warnf("%s", err);
		fs = NULL;
	}
	rc = kmin_report_load(s, args.run, fs, &r, err, sizeof(err));
	kmin_features_free(fs);
	if (rc == 1) {
		kmin_errorf("no run %lld in '%s'; see 'kmin runs'", (long long)args.run, args.db);
		kmin_store_close(s);
		return KMIN_EXIT_FAIL;
	}
	if (rc < 0) {
		kmin_errorf("%s", err);
		kmin_store_close(s);
		return KMIN_EXIT_USAGE;
	}
	r.version = KMIN_VERSION;
	rc = write_file(args.output, &r);
	if (rc == 0 && strcmp(args.output, "-"))
		kmin_infof("wrote '%s' (run %lld, %zu steps)", args.output, (long long)args.run,
			   r.nsteps);
	kmin_report_clear(&r);
	kmin_store_close(s);
	return rc ? KMIN_EXIT_FAIL : KMIN_EXIT_OK;
}
