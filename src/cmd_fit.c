/*
 * cmd_fit.c - `kmin fit CONFIG|RUN --budget flash=SIZE,ram=SIZE[,xip]`:
 * does a config kmin has built fit a board's flash and RAM?
 *
 * The verdict comes from the store alone, without make: CONFIG is a
 * .config file, looked up by its normalized SHA-256 (store.h) among the
 * ok builds (the newest; --arch and --source narrow it to one arch and
 * one kernel tree); RUN is a run number of `kmin runs`, whose final
 * config's build is used.  A config never built is an error (exit 2)
 * that says how to build it: `kmin fit` never starts make, so it is
 * instant and never changes the database.  The model (what counts as
 * flash and RAM, with and without XIP, and the boot figure it uses) is
 * budget.h's; the help repeats it.
 *
 * Exit status: 0 it fits, 1 it does not, 2 bad usage, no such config,
 * run or database.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "json.h"
#include "output.h"
#include "kmin/file.h"
#include "kmin/budget.h"
#include "kmin/kernel_id.h"
#include "kmin/store.h"
#include "kmin/store_query.h"

static const char fit_usage[] =
	"usage: kmin fit CONFIG|RUN --budget flash=SIZE,ram=SIZE[,xip] [--db FILE]\n"
	"                [--format table|json] [--arch ARCH] [--source DIR]\n"
	"\n"
	"Does a config kmin has built fit a flash and RAM budget?  CONFIG is a\n"
	".config file, found in the database by its normalized SHA-256 (the newest\n"
	"ok build; --arch and --source narrow it); RUN is a run number of\n"
	"'kmin runs' (its final config's build).  A config never built is an error:\n"
	"build it first with 'kmin build --source DIR --arch ARCH CONFIG'.\n"
	"\n"
	"The model (sections of vmlinux by name):\n"
	"  flash          the image file the build made (zImage), compressed\n"
	"  flash, xip     code + rodata + init code and tables + the initial copy of\n"
	"                 .data and .init.data: everything of vmlinux but .bss\n"
	"  RAM            the decompressed kernel (code, rodata, init, data) + bss\n"
	"                 + other reserved\n"
	"  RAM, xip       .data + .init.data + bss + other reserved\n"
	"  other reserved from a boot of the build (kmin build/run --boot), the\n"
	"                 kernel's line 'Memory: ...K/...K available (...K kernel code,\n"
	"                 ...K rwdata, ...K rodata, ...K init, ...K bss, ...K reserved\n"
	"                 ...)': reserved minus code, rwdata, rodata, init and bss\n"
	"                 (the kernel counts its own image as reserved); 0 without a\n"
	"                 boot, and the verdict says \"no boot figure\"\n"
	"\n"
	"options:\n"
	"  --budget B        flash=SIZE and/or ram=SIZE, and xip when the kernel runs\n"
	"                    from flash; SIZE in bytes or with K, M, G (1024): 700K, 2M\n"
	"  --db FILE         results database (default: $KMIN_DB, else\n"
	"                    $XDG_DATA_HOME/kmin/results.db)\n"
	"  --format F        table (default) or json (fits, flash_bytes, flash_budget,\n"
	"                    ram_bytes, ram_budget, the shortfalls and the breakdown)\n"
	"  --arch ARCH       only builds for ARCH (CONFIG)\n"
	"  --source DIR      only builds of this kernel tree (CONFIG)\n"
	"  -h, --help        show this help\n"
	"\n"
	"exit status: 0 it fits; 1 it does not; 2 bad usage, unknown config or run.\n";

struct fit_args {
	const char *target, *budget_text, *db, *arch, *source;
	bool json;
	struct kmin_budget budget;
};

/* What was measured: which build, of what. */
struct fit_subject {
	int64_t run_id;			/* 0: a CONFIG */
	int64_t build_id;
	char sha[65];
	char arch[64], image[64];
	struct kmin_query_sizes sizes;
};

static int parse_args(int argc, char **argv, struct fit_args *a)
{
	static const struct option options[] = {
		{ "arch", required_argument, NULL, 'A' },
		{ "budget", required_argument, NULL, 'b' },
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "source", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	char err[512];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(fit_usage, stdout); return 1;
		case 'A': a->arch = optarg; break;
		case 'b': a->budget_text = optarg; break;
		case 'D': a->db = optarg; break;
		case 'S': a->source = optarg; break;
		case 'f':
			if (strcmp(optarg, "table") && strcmp(optarg, "json"))
				return kmin_errorf("unknown format '%s': table or json", optarg);
			a->json = !strcmp(optarg, "json");
			break;
		default: fputs(fit_usage, stderr); return -1;
		}
	}
	if (optind == argc)
		return kmin_errorf("fit needs a CONFIG file or a RUN number; see 'kmin fit --help'");
	if (optind + 1 != argc)
		return kmin_errorf("unexpected argument '%s'", argv[optind + 1]);
	a->target = argv[optind];
	if (!a->budget_text)
		return kmin_errorf("fit needs --budget flash=SIZE,ram=SIZE[,xip]");
	if (kmin_budget_parse(a->budget_text, &a->budget, err, sizeof(err)))
		return kmin_errorf("%s", err);
	return 0;
}

static int open_store(const struct fit_args *a, struct kmin_store **out)
{
	char path[PATH_MAX], err[PATH_MAX + 256];
	const char *db = a->db;

	if (!db) {
		if (kmin_store_default_path(path, sizeof(path)))
			return kmin_errorf("no database path: set --db, KMIN_DB or HOME");
		db = path;
	}
	if (kmin_store_open(out, db, KMIN_STORE_READONLY | KMIN_STORE_UPGRADE, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err);
	return 0;
}

/* A run number: all digits (optionally "#12") and no file of that name. */
static bool is_run_id(const char *s, int64_t *id)
{
	struct stat st;
	const char *p = s[0] == '#' ? s + 1 : s;
	char *end;
	long long v;

	if (!*p || (p == s && !stat(s, &st)))
		return false;
	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno || *end || v <= 0)
		return false;
	*id = v;
	return true;
}

/* ---- RUN ---- */

static int on_run(void *payload, const struct kmin_query_run *q)
{
	struct fit_subject *f = payload;

	f->build_id = q->final_build_id;
	f->sizes = q->final;
	snprintf(f->sha, sizeof(f->sha), "%s", q->run.final_sha256 ? q->run.final_sha256 : "");
	snprintf(f->arch, sizeof(f->arch), "%s", q->run.arch ? q->run.arch : "");
	return 1;
}

static int subject_of_run(struct kmin_store *s, int64_t id, struct fit_subject *f)
{
	char err[512];
	int rc;

	f->run_id = id;
	f->build_id = -1;
	rc = kmin_store_query_runs(s, id, on_run, f, err, sizeof(err));
	if (rc < 0)
		return kmin_errorf("%s", err);
	if (f->build_id < 0)
		return kmin_errorf("no run %" PRId64 " in '%s'", id, kmin_store_path(s));
	if (!f->build_id)
		return kmin_errorf("run %" PRId64 " has no built final config (yet)", id);
	return 0;
}

/* ---- CONFIG ---- */

struct config_find {
	struct fit_subject *f;
	const char *arch;
	const char *kernel_ident;	/* NULL: any */
	bool found;
};

static int on_export(void *payload, const struct kmin_query_export_row *row)
{
	struct config_find *c = payload;

	if (strcmp(row->config_sha256, c->f->sha) || strcmp(row->status, "ok") ||
	    row->cached_from || (c->arch && strcmp(row->arch, c->arch)) ||
	    (c->kernel_ident && strcmp(row->kernel_ident, c->kernel_ident)))
		return 0;
	/* oldest first: the last match is the newest */
	c->found = true;
	c->f->build_id = row->id;
	c->f->sizes = row->sizes;
	snprintf(c->f->arch, sizeof(c->f->arch), "%s", row->arch);
	snprintf(c->f->image, sizeof(c->f->image), "%s", row->image);
	return 0;
}

static int subject_of_config(struct kmin_store *s, const struct fit_args *a,
			     struct fit_subject *f)
{
	struct config_find c = { .f = f, .arch = a->arch };
	struct kmin_kernel_id kid;
	char err[4400];
	size_t len = 0;
	char *text = kmin_file_read(a->target, &len);
	int rc;

	if (!text)
		return kmin_errorf("cannot read '%s': %s", a->target, strerror(errno));
	rc = kmin_config_sha256(text, len, f->sha);
	free(text);
	if (rc)
		return kmin_errorf("cannot hash '%s'", a->target);
	if (a->source) {
		if (kmin_kernel_id_compute(&kid, a->source, err, sizeof(err)))
			return kmin_errorf("%s", err);
		c.kernel_ident = kid.ident;
	}
	if (kmin_store_query_export(s, on_export, &c, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err);
	if (!c.found)
		return kmin_errorf("'%s' (config %.12s) has no ok build in '%s'%s%s%s; build it "
				   "first: kmin build --source DIR --arch ARCH '%s'",
				   a->target, f->sha, kmin_store_path(s),
				   a->arch || a->source ? " for" : "", a->arch ? " that arch" : "",
				   a->source ? (a->arch ? " and tree" : " that tree") : "", a->target);
	return 0;
}

/* ---- output ---- */

static void json_opt(struct kmin_json *j, const char *key, int64_t v)
{
	kmin_json_key(j, key);
	if (v < 0)
		kmin_json_null(j);
	else
		kmin_json_int(j, v);
}

static void print_json(const struct fit_args *a, const struct fit_subject *s,
		       const struct kmin_budget_fit *f)
{
	struct kmin_json j;
	char canon[128];

	kmin_budget_format(&a->budget, canon, sizeof(canon));
	kmin_json_init(&j, stdout);
	kmin_json_begin_object(&j);
	kmin_json_key(&j, "fits");
	kmin_json_bool(&j, f->fits);
	json_opt(&j, "flash_bytes", f->flash);
	json_opt(&j, "flash_budget", f->flash_budget);
	json_opt(&j, "ram_bytes", f->ram);
	json_opt(&j, "ram_budget", f->ram_budget);
	kmin_json_key(&j, "flash_over");
	kmin_json_int(&j, f->flash_over);
	kmin_json_key(&j, "ram_over");
	kmin_json_int(&j, f->ram_over);
	kmin_json_key(&j, "flash_margin");
	if (f->flash_budget >= 0 && f->flash >= 0)
		kmin_json_int(&j, f->flash_budget - f->flash);
	else
		kmin_json_null(&j);
	kmin_json_key(&j, "ram_margin");
	if (f->ram_budget >= 0)
		kmin_json_int(&j, f->ram_budget - f->ram);
	else
		kmin_json_null(&j);
	kmin_json_key(&j, "xip");
	kmin_json_bool(&j, f->xip);
	kmin_json_key(&j, "budget");
	kmin_json_string(&j, canon);
	kmin_json_key(&j, "run");
	if (s->run_id)
		kmin_json_int(&j, s->run_id);
	else
		kmin_json_null(&j);
	kmin_json_key(&j, "build");
	kmin_json_int(&j, s->build_id);
	kmin_json_key(&j, "config_sha256");
	kmin_json_string(&j, s->sha);
	kmin_json_key(&j, "arch");
	kmin_json_string(&j, s->arch);
	kmin_json_key(&j, "breakdown");
	kmin_json_begin_object(&j);
	for (unsigned c = 0; c < KMIN_BUDGET_NCLASSES; c++) {
		kmin_json_key(&j, kmin_budget_class_name((enum kmin_budget_class)c));
		kmin_json_int(&j, f->cls[c]);
	}
	json_opt(&j, "image", f->image);
	kmin_json_key(&j, "reserved_other");
	kmin_json_int(&j, f->reserved_other);
	kmin_json_end_object(&j);
	kmin_json_key(&j, "boot");
	kmin_json_bool(&j, f->boot);
	kmin_json_key(&j, "note");
	kmin_json_string(&j, f->boot ? NULL : "no boot figure: RAM counts no reserved memory");
	kmin_json_end_object(&j);
	fputc('\n', stdout);
}

static void print_line(const char *what, int64_t bytes, int64_t budget, int64_t over)
{
	char b[32] = "-", m[48] = "";

	if (budget >= 0) {
		snprintf(b, sizeof(b), "%" PRId64, budget);
		if (over)
			snprintf(m, sizeof(m), "misses by %" PRId64, over);
		else
			snprintf(m, sizeof(m), "fits, %" PRId64 " to spare", budget - bytes);
	}
	printf("%-6s %10" PRId64 " %10s  %s\n", what, bytes, b, m);
}

static void print_table(const struct fit_args *a, const struct fit_subject *s,
			const struct kmin_budget_fit *f)
{
	if (s->run_id)
		printf("run %" PRId64 ": final config %.12s, build %" PRId64 " (%s)\n", s->run_id,
		       s->sha, s->build_id, s->arch);
	else
		printf("%s: config %.12s, build %" PRId64 " (%s %s)\n", a->target, s->sha,
		       s->build_id, s->arch, s->image);
	printf("budget %s%s\n", a->budget_text, f->xip ? " (executes in place)" : "");
	printf("%-6s %10s %10s\n", "", "bytes", "budget");
	print_line("flash", f->flash, f->flash_budget, f->flash_over);
	print_line("ram", f->ram, f->ram_budget, f->ram_over);
	printf("breakdown:");
	for (unsigned c = 0; c < KMIN_BUDGET_NCLASSES; c++)
		printf(" %s %" PRId64, kmin_budget_class_name((enum kmin_budget_class)c), f->cls[c]);
	printf(", image %" PRId64 "\n", f->image);
	if (f->boot)
		printf("other reserved (from the boot's Memory: line): %" PRId64 "\n",
		       f->reserved_other);
	else
		printf("no boot figure: RAM counts no reserved memory (boot it with --boot)\n");
	if (f->fits)
		printf("fits\n");
	else
		printf("does not fit: %" PRId64 " bytes too many (flash %" PRId64 ", ram %" PRId64 ")\n",
		       f->flash_over + f->ram_over, f->flash_over, f->ram_over);
}

int kmin_cmd_fit(int argc, char **argv)
{
	struct fit_args a = { 0 };
	struct fit_subject subj = { 0 };
	struct kmin_budget_fit fit;
	struct kmin_store *s = NULL;
	char err[512];
	int64_t id;
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc > 0 ? KMIN_EXIT_OK : KMIN_EXIT_USAGE;
	if (open_store(&a, &s))
		return KMIN_EXIT_USAGE;
	if (is_run_id(a.target, &id))
		rc = subject_of_run(s, id, &subj);
	else
		rc = subject_of_config(s, &a, &subj);
	if (!rc && kmin_budget_measure(s, &a.budget, subj.build_id, subj.sizes.text,
				       subj.sizes.data, subj.sizes.bss, subj.sizes.image, &fit, err,
				       sizeof(err)))
		rc = kmin_errorf("build %" PRId64 ": %s", subj.build_id, err);
	kmin_store_close(s);
	if (rc)
		return KMIN_EXIT_USAGE;
	if (a.json)
		print_json(&a, &subj, &fit);
	else
		print_table(&a, &subj, &fit);
	fflush(stdout);
	return fit.fits ? KMIN_EXIT_OK : KMIN_EXIT_FAIL;
}
