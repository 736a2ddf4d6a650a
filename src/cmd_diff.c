/*
 * cmd_diff.c - `kmin diff A [B]`: what differs between two configs, and
 * what that did to the sizes.
 *
 * A and B are each a run id (its final config), a .config file, or the
 * SHA-256 (or a unique prefix of at least 4 hex digits) of a config in the
 * results store; with only A, a run, its base is compared with its final
 * config: what the run removed.  The output has three parts: every symbol
 * whose value differs (from the normalized texts, store.h), the sizes of
 * each side for every metric (search.h), and the size of every section of
 * vmlinux.  Sizes come from the newest ok build of each config in the
 * store (for a run: on the run's own kernel and toolchain); a config never
 * built has its symbols compared and no sizes.
 *
 * An argument is tried as an existing file first, then as a run id (all
 * digits), then as a config hash.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "json.h"
#include "output.h"
#include "query_out.h"
#include "kmin/file.h"
#include "kmin/search.h"
#include "kmin/store.h"
#include "kmin/store_query.h"

static const char diff_usage[] =
	"usage: kmin diff A [B] [--db FILE] [--format table|csv|json]\n"
	"\n"
	"Compare two configs: the symbols whose values differ, and the sizes of\n"
	"each for every metric and every section of vmlinux.  A and B are each\n"
	"  RUN       a run id (as `kmin runs` lists): the run's final config\n"
	"  FILE      a .config file\n"
	"  SHA256    a config in the database, by its SHA-256 or a unique prefix\n"
	"            of at least 4 hex digits (`kmin export` lists them)\n"
	"An existing file wins over a run id or hash of the same name.  With only\n"
	"A, a run, its base config is compared with its final one: what the run\n"
	"removed.  Sizes are those of the newest ok build of each config in the\n"
	"database (for a run, on its own kernel and toolchain); a config never\n"
	"built shows its symbols only.\n"
	"\n"
	"options:\n"
	"  --db FILE          the results database (default: $KMIN_DB, else\n"
	"                     $XDG_DATA_HOME/kmin/results.db); only read\n"
	"  --format FORMAT    table (default), csv or json\n"
	"  -h, --help         show this help\n"
	"\n"
	"json: one object\n"
	"  a, b       each side: {\"arg\": as given, \"kind\": \"run\", \"run_base\",\n"
	"             \"file\" or \"config\", \"run_id\" (null unless a run),\n"
	"             \"config_sha256\", \"build_id\" (null: never built),\n"
	"             \"kernel\" (null: unknown)}\n"
	"  symbols    [{\"symbol\" (without CONFIG_), \"a\", \"b\"}] sorted by name; a\n"
	"             value is as in the .config (y, m, a number, a string in\n"
	"             quotes), \"n\" for `# CONFIG_X is not set`, null when the\n"
	"             config does not mention the symbol (not visible)\n"
	"  sizes      [{\"metric\", \"a\", \"b\", \"delta\" (b - a)}] for dec, text, data,\n"
	"             bss, image, ram, flash; null when unknown\n"
	"  sections   [{\"name\", \"a\", \"b\", \"delta\"}] every section of either side\n"
	"csv: one line per item with the columns part (symbol, size or section),\n"
	"name, a, b, delta (empty for symbols); then a and b are also listed as\n"
	"part \"side\" lines (name a or b, a: its description).\n"
	"\n"
	"exit status: 0 compared; 1 no such run (named), config or file, or no\n"
	"such database; 2 bad usage, or a file that is not a kmin database, is\n"
	"corrupt or is of a newer kmin (named; left untouched).\n";

struct section_size {
	char *name;			/* owned */
	int64_t size;			/* bytes */
};

/* One side of the comparison. */
struct side {
	const char *arg;		/* as given (borrowed) */
	const char *kind;		/* "run", "run_base", "file", "config" */
	int64_t run_id;			/* 0: not a run */
	char sha[65];
	char *text;			/* normalized .config, owned */
	size_t len;
	int64_t build_id;		/* 0: never built */
	struct kmin_query_sizes sizes;
	char kernel[128];		/* "" unknown */
	struct section_size *sections;	/* owned */
	size_t nsections;
};

/* What a run operand needs from kmin_store_query_runs(). */
struct run_pick {
	bool found, base;
	struct side *side;
	int64_t kernel_id, toolchain_id;
	char arch[64];
	char err[256];
};

static int on_run(void *payload, const struct kmin_query_run *q)
{
	struct run_pick *p = payload;
	const char *sha = p->base ? q->run.base_sha256 : q->run.final_sha256;

	p->found = true;
	if (!sha) {
		snprintf(p->err, sizeof(p->err), "run %lld has no %s config yet",
			 (long long)q->run.id, p->base ? "base" : "final");
		return 0;
	}
	snprintf(p->side->sha, sizeof(p->side->sha), "%s", sha);
	snprintf(p->side->kernel, sizeof(p->side->kernel), "%s", q->kernel);
	snprintf(p->arch, sizeof(p->arch), "%s", q->run.arch);
	p->kernel_id = q->run.kernel_id;
	p->toolchain_id = q->run.toolchain_id;
	if (!p->base) {
		p->side->build_id = q->final_build_id;
		p->side->sizes = q->final;
	}
	return 0;
}

/* A run's final (or base) config into side.  0, or -1 after printing. */
static int side_from_run(struct kmin_store *store, struct side *side, int64_t id, bool base)
{
	struct run_pick p = { .base = base, .side = side };
	char err[512];

	side->kind = base ? "run_base" : "run";
	side->run_id = id;
	if (kmin_store_query_runs(store, id, on_run, &p, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err);
	if (!p.found)
		return kmin_errorf("no run %lld in database '%s'", (long long)id,
				   kmin_store_path(store));
	if (*p.err)
		return kmin_errorf("%s", p.err);
	if (base && kmin_store_query_config_build(store, side->sha, p.kernel_id, p.toolchain_id,
						  p.arch, &side->build_id, &side->sizes, err,
						  sizeof(err)) < 0)
		return kmin_errorf("%s", err);
	if (kmin_store_config_get(store, side->sha, &side->text, &side->len, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err);
	return 0;
}

/* A .config file into side; its sizes when the store has built it.  0 or -1. */
static int side_from_file(struct kmin_store *store, struct side *side)
{
	char err[512];
	size_t len;
	char *raw = kmin_file_read(side->arg, &len);

	side->kind = "file";
	if (!raw)
		return kmin_errorf("cannot read '%s': %s", side->arg, strerror(errno));
	if (kmin_config_normalize(raw, len, &side->text, &side->len) ||
	    kmin_config_sha256(raw, len, side->sha)) {
		free(raw);
		return kmin_errorf("out of memory");
	}
	free(raw);
	if (store && kmin_store_query_config_build(store, side->sha, 0, 0, NULL, &side->build_id,
						   &side->sizes, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err);
	return 0;
}

/* A stored config by hash (prefix) into side.  0 or -1. */
static int side_from_sha(struct kmin_store *store, struct side *side)
{
	char err[512];
	int rc = kmin_store_query_config_sha(store, side->arg, side->sha, err, sizeof(err));

	side->kind = "config";
	if (rc < 0)
		return kmin_errorf("%s", err);
	if (rc == 0)
		return kmin_errorf("no config %s in database '%s'", side->arg,
				   kmin_store_path(store));
	if (kmin_store_query_config_build(store, side->sha, 0, 0, NULL, &side->build_id,
					  &side->sizes, err, sizeof(err)) < 0 ||
	    kmin_store_config_get(store, side->sha, &side->text, &side->len, err, sizeof(err)) < 0)
		return kmin_errorf("%s", err);
	return 0;
}

static int on_section(void *payload, const struct kmin_section *sec)
{
	struct side *side = payload;
	struct section_size *s = realloc(side->sections,
					       (side->nsections + 1) * sizeof(*s));

	if (!s)
		return 1;
	side->sections = s;
	s[side->nsections].name = strdup(sec->name);
	s[side->nsections].size = sec->size;
	if (!s[side->nsections].name)
		return 1;
	side->nsections++;
	return 0;
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* Resolve arg into side (file, run, hash).  0 or -1 after printing. */
static int side_resolve(struct kmin_store *store, struct side *side)
{
	char err[512];
	FILE *f = fopen(side->arg, "r");
	int rc;

	if (f) {
		fclose(f);
		rc = side_from_file(store, side);
	} else if (strspn(side->arg, "0123456789abcdefABCDEF") != strlen(side->arg)) {
		return kmin_errorf("cannot read '%s': %s (and it is no run id or config hash)",
				   side->arg, strerror(errno));
	} else if (!store) {
		return kmin_errorf("no %s '%s': there is no database",
				   all_digits(side->arg) ? "run" : "config", side->arg);
	} else if (all_digits(side->arg)) {
		rc = side_from_run(store, side, strtoll(side->arg, NULL, 10), false);
	} else {
		rc = side_from_sha(store, side);
	}
	if (rc == 0 && side->build_id &&
	    kmin_store_sections_foreach(store, side->build_id, on_section, side, err,
				      sizeof(err)) != 0)
		return kmin_errorf("%s", side->build_id ? err : "out of memory");
	return rc;
}

static void side_free(struct side *side)
{
	free(side->text);
	for (size_t i = 0; i < side->nsections; i++)
		free(side->sections[i].name);
	free(side->sections);
}

/* ---- symbols ---- */

struct sym {
	const char *name;		/* into the side's text (NUL-terminated in place) */
	const char *value;
};

static int sym_cmp(const void *x, const void *y)
{
	return strcmp(((const struct sym *)x)->name, ((const struct sym *)y)->name);
}

/*
 * The symbols of a normalized text, sorted by name.  Cuts the text into
 * strings in place.  *out is malloc'ed; NULL with *n 0 on out of memory.
 */
static struct sym *symbols(char *text, size_t *n)
{
	size_t cap = 1;
	struct sym *v;
	char *line, *next;

	for (const char *p = text; *p; p++)
		cap += *p == '\n';
	v = malloc(cap * sizeof(*v));
	*n = 0;
	if (!v)
		return NULL;
	for (line = text; *line; line = next) {
		char *eol = strchr(line, '\n');
		next = eol ? eol + 1 : line + strlen(line);
		if (eol)
			*eol = '\0';
		if (!strncmp(line, "CONFIG_", 7)) {
			char *eq = strchr(line, '=');
			if (!eq)
				continue;
			*eq = '\0';
			v[*n] = (struct sym){ line + 7, eq + 1 };
		} else if (!strncmp(line, "# CONFIG_", 9)) {
			char *sp = strchr(line + 9, ' ');
			if (!sp)
				continue;
			*sp = '\0';
			v[*n] = (struct sym){ line + 9, "n" };
		} else {
			continue;
		}
		(*n)++;
	}
	qsort(v, *n, sizeof(*v), sym_cmp);
	return v;
}

enum { DC_PART, DC_NAME, DC_A, DC_B, DC_DELTA, DC_COUNT };

static const struct kmin_col diff_cols[DC_COUNT] = {
	[DC_PART] = { "part", KMIN_COL_TEXT, NULL, 0 },
	[DC_NAME] = { "name", KMIN_COL_TEXT, "NAME", 0 },
	[DC_A] = { "a", KMIN_COL_TEXT, "A", 40 },
	[DC_B] = { "b", KMIN_COL_TEXT, "B", 40 },
	[DC_DELTA] = { "delta", KMIN_COL_NUMBER, "DELTA", 0 },
};

/* The table's three parts: a and b are numbers for sizes and sections. */
static const struct kmin_col symbol_cols[DC_COUNT] = {
	[DC_PART] = { "part", KMIN_COL_TEXT, NULL, 0 },
	[DC_NAME] = { "name", KMIN_COL_TEXT, "SYMBOL", 0 },
	[DC_A] = { "a", KMIN_COL_TEXT, "A", 40 },
	[DC_B] = { "b", KMIN_COL_TEXT, "B", 40 },
	[DC_DELTA] = { "delta", KMIN_COL_NUMBER, NULL, 0 },
};

static const struct kmin_col metric_cols[DC_COUNT] = {
	[DC_PART] = { "part", KMIN_COL_TEXT, NULL, 0 },
	[DC_NAME] = { "name", KMIN_COL_TEXT, "METRIC", 0 },
	[DC_A] = { "a", KMIN_COL_NUMBER, "A", 0 },
	[DC_B] = { "b", KMIN_COL_NUMBER, "B", 0 },
	[DC_DELTA] = { "delta", KMIN_COL_NUMBER, "DELTA", 0 },
};

static const struct kmin_col section_cols[DC_COUNT] = {
	[DC_PART] = { "part", KMIN_COL_TEXT, NULL, 0 },
	[DC_NAME] = { "name", KMIN_COL_TEXT, "SECTION", 0 },
	[DC_A] = { "a", KMIN_COL_NUMBER, "A", 0 },
	[DC_B] = { "b", KMIN_COL_NUMBER, "B", 0 },
	[DC_DELTA] = { "delta", KMIN_COL_NUMBER, "DELTA", 0 },
};

struct diff {
	struct kmin_rows syms, sizes, sections;
};

static int add_symbols(struct diff *d, struct side *a, struct side *b)
{
	size_t na, nb, i = 0, k = 0;
	struct sym *va = symbols(a->text, &na), *vb = symbols(b->text, &nb);
	int rc = va && vb ? 0 : -1;

	while (rc == 0 && (i < na || k < nb)) {
		int c = i == na ? 1 : k == nb ? -1 : strcmp(va[i].name, vb[k].name);
		const char *v[DC_COUNT] = { "symbol" };
		if (c == 0 && !strcmp(va[i].value, vb[k].value)) {
			i++, k++;
			continue;
		}
		v[DC_NAME] = c <= 0 ? va[i].name : vb[k].name;
		v[DC_A] = c <= 0 ? va[i].value : NULL;
		v[DC_B] = c >= 0 ? vb[k].value : NULL;
		rc = kmin_rows_add(&d->syms, v);
		i += c <= 0;
		k += c >= 0;
	}
	free(va);
	free(vb);
	return rc;
}

static int add_size(struct kmin_rows *rows, const char *part, const char *name, int64_t a,
		    int64_t b)
{
	char ba[32], bb[32], bd[32];
	const char *v[DC_COUNT] = {
		part, name, kmin_fmt_size(a, ba, sizeof(ba)), kmin_fmt_size(b, bb, sizeof(bb)),
		a >= 0 && b >= 0 ? kmin_fmt_int(b - a, bd, sizeof(bd)) : NULL,
	};

	return kmin_rows_add(rows, v);
}

static int add_sizes(struct diff *d, const struct side *a, const struct side *b)
{
	struct kmin_search_sizes za = { a->sizes.text, a->sizes.data, a->sizes.bss, a->sizes.image };
	struct kmin_search_sizes zb = { b->sizes.text, b->sizes.data, b->sizes.bss, b->sizes.image };
	int rc = 0;

	for (int m = 0; m < KMIN_METRIC_COUNT && rc == 0; m++)
		rc = add_size(&d->sizes, "size", kmin_metric_name((enum kmin_metric)m),
			      kmin_search_metric(&za, (enum kmin_metric)m),
			      kmin_search_metric(&zb, (enum kmin_metric)m));
	return rc;
}

static int64_t section_size(const struct side *s, const char *name)
{
	for (size_t i = 0; i < s->nsections; i++)
		if (!strcmp(s->sections[i].name, name))
			return s->sections[i].size;
	return -1;
}

/* Every section of a in its order, then those only b has; a missing section counts 0. */
static int add_sections(struct diff *d, const struct side *a, const struct side *b)
{
	int rc = 0;

	for (size_t i = 0; i < a->nsections && rc == 0; i++) {
		int64_t sb = section_size(b, a->sections[i].name);
		rc = add_size(&d->sections, "section", a->sections[i].name, a->sections[i].size,
			      sb < 0 && b->build_id ? 0 : sb);
	}
	for (size_t i = 0; i < b->nsections && rc == 0; i++)
		if (section_size(a, b->sections[i].name) < 0)
			rc = add_size(&d->sections, "section", b->sections[i].name,
				      a->build_id ? 0 : -1, b->sections[i].size);
	return rc;
}

/* ---- output ---- */

static void side_describe(const struct side *s, char *buf, size_t len)
{
	char built[64] = "never built";

	if (s->build_id)
		snprintf(built, sizeof(built), "build %lld", (long long)s->build_id);
	if (s->run_id)
		snprintf(buf, len, "run %lld %s config %.12s, %s%s%s", (long long)s->run_id,
			 strcmp(s->kind, "run") ? "base" : "final", s->sha, built,
			 *s->kernel ? ", kernel " : "", s->kernel);
	else
		snprintf(buf, len, "%s '%s': config %.12s, %s", s->kind, s->arg, s->sha, built);
}

static void side_json(struct kmin_json *j, const struct side *s)
{
	kmin_json_begin_object(j);
	kmin_json_key(j, "arg");
	kmin_json_string(j, s->arg);
	kmin_json_key(j, "kind");
	kmin_json_string(j, s->kind);
	kmin_json_key(j, "run_id");
	if (s->run_id)
		kmin_json_int(j, s->run_id);
	else
		kmin_json_null(j);
	kmin_json_key(j, "config_sha256");
	kmin_json_string(j, s->sha);
	kmin_json_key(j, "build_id");
	if (s->build_id)
		kmin_json_int(j, s->build_id);
	else
		kmin_json_null(j);
	kmin_json_key(j, "kernel");
	kmin_json_string(j, *s->kernel ? s->kernel : NULL);
	kmin_json_end_object(j);
}

/* The rows without their "part" column, as JSON objects with the given key names. */
static void part_json(struct kmin_json *j, const struct kmin_rows *r, const char *name_key,
		      bool delta)
{
	kmin_json_begin_array(j);
	for (size_t i = 0; i < r->rows; i++) {
		const char *const keys[DC_COUNT] = { NULL, name_key, "a", "b", "delta" };
		kmin_json_begin_object(j);
		for (int c = DC_NAME; c < (delta ? DC_COUNT : DC_DELTA); c++) {
			const char *v = r->cells[i * r->ncols + c];
			kmin_json_key(j, keys[c]);
			if (!v)
				kmin_json_null(j);
			else if (r->cols[c].kind == KMIN_COL_NUMBER)
				kmin_json_int(j, strtoll(v, NULL, 10));
			else
				kmin_json_string(j, v);
		}
		kmin_json_end_object(j);
	}
	kmin_json_end_array(j);
}

static void print_table(const struct diff *d, const struct side *a, const struct side *b)
{
	char da[512], db[512];

	side_describe(a, da, sizeof(da));
	side_describe(b, db, sizeof(db));
	printf("a: %s\nb: %s\n", da, db);
	if (a->build_id || b->build_id) {
		printf("\nsizes (bytes):\n");
		kmin_rows_print(&d->sizes, KMIN_FORMAT_TABLE, stdout);
	}
	if (d->sections.rows) {
		printf("\nsections (bytes):\n");
		kmin_rows_print(&d->sections, KMIN_FORMAT_TABLE, stdout);
	}
	printf("\n%zu symbol%s changed%s\n", d->syms.rows, d->syms.rows == 1 ? "" : "s",
	       d->syms.rows ? ":" : "");
	if (d->syms.rows)
		kmin_rows_print(&d->syms, KMIN_FORMAT_TABLE, stdout);
}

static void print_csv(const struct diff *d, const struct side *a, const struct side *b)
{
	struct kmin_rows all;
	char da[512], db[512];
	const char *va[DC_COUNT] = { "side", "a", da }, *vb[DC_COUNT] = { "side", "b", db };
	const struct kmin_rows *parts[] = { &d->syms, &d->sizes, &d->sections };

	side_describe(a, da, sizeof(da));
	side_describe(b, db, sizeof(db));
	kmin_rows_init(&all, diff_cols, DC_COUNT);
	kmin_rows_add(&all, va);
	kmin_rows_add(&all, vb);
	for (size_t p = 0; p < 3; p++)
		for (size_t i = 0; i < parts[p]->rows; i++)
			kmin_rows_add(&all, (const char *const *)&parts[p]->cells[i * DC_COUNT]);
	kmin_rows_print(&all, KMIN_FORMAT_CSV, stdout);
	kmin_rows_free(&all);
}

static void print_json(const struct diff *d, const struct side *a, const struct side *b)
{
	struct kmin_json j;

	kmin_json_init(&j, stdout);
	kmin_json_begin_object(&j);
	kmin_json_key(&j, "a");
	side_json(&j, a);
	kmin_json_key(&j, "b");
	side_json(&j, b);
	kmin_json_key(&j, "symbols");
	part_json(&j, &d->syms, "symbol", false);
	kmin_json_key(&j, "sizes");
	part_json(&j, &d->sizes, "metric", true);
	kmin_json_key(&j, "sections");
	part_json(&j, &d->sections, "name", true);
	kmin_json_end_object(&j);
}

int kmin_cmd_diff(int argc, char **argv)
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
	struct kmin_store *store = NULL;
	struct side a = { 0 }, b = { 0 };
	struct diff d;
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
		case 'h': fputs(diff_usage, stdout); return KMIN_EXIT_OK;
		default: fputs(diff_usage, stderr); return KMIN_EXIT_USAGE;
		}
	}
	if (argc - optind < 1 || argc - optind > 2) {
		fputs(diff_usage, stderr);
		return KMIN_EXIT_USAGE;
	}
	a.arg = argv[optind];
	b.arg = argc - optind == 2 ? argv[optind + 1] : argv[optind];
	if (argc - optind == 1) {
		int64_t id;
		if (kmin_query_run_id(a.arg, &id))
			return KMIN_EXIT_USAGE;
	}
	/* two files need no database; a missing one is then fine */
	rc = kmin_query_open(db, true, &store);
	if (rc)
		return rc;
	if (argc - optind == 1) {
		int64_t id = strtoll(a.arg[0] == '#' ? a.arg + 1 : a.arg, NULL, 10);
		if (!store)
			rc = kmin_errorf("no run %lld: there is no database", (long long)id);
		else
			rc = side_from_run(store, &a, id, true);
		if (rc == 0)
			rc = side_from_run(store, &b, id, false);
		for (struct side *s = &a; rc == 0 && s; s = s == &a ? &b : NULL) {
			char err[512];
			if (s->build_id && kmin_store_sections_foreach(store, s->build_id, on_section, s,
								     err, sizeof(err)) != 0)
				rc = kmin_errorf("%s", err);
		}
	} else {
		rc = side_resolve(store, &a);
		if (rc == 0)
			rc = side_resolve(store, &b);
	}
	kmin_store_close(store);
	kmin_rows_init(&d.syms, symbol_cols, DC_COUNT);
	kmin_rows_init(&d.sizes, metric_cols, DC_COUNT);
	kmin_rows_init(&d.sections, section_cols, DC_COUNT);
	if (rc == 0 && (add_sizes(&d, &a, &b) || add_sections(&d, &a, &b) ||
			add_symbols(&d, &a, &b)))
		rc = kmin_errorf("out of memory");
	if (rc == 0) {
		if (format == KMIN_FORMAT_TABLE)
			print_table(&d, &a, &b);
		else if (format == KMIN_FORMAT_CSV)
			print_csv(&d, &a, &b);
		else
			print_json(&d, &a, &b);
	}
	kmin_rows_free(&d.syms);
	kmin_rows_free(&d.sizes);
	kmin_rows_free(&d.sections);
	side_free(&a);
	side_free(&b);
	if (rc)
		return KMIN_EXIT_FAIL;
	if (fflush(stdout) != 0 || ferror(stdout))
		return kmin_errorf("cannot write the comparison"), KMIN_EXIT_FAIL;
	return KMIN_EXIT_OK;
}
