/*
 * report.c - a run of the search as one self-contained HTML page (see
 * include/kmin/report.h for what the page holds and why it is one file).
 *
 * Who calls it: `kmin report` (src/cmd_report.c), once.  Workload: a run
 * has a few to a few thousand steps, configs of up to ~10,000 lines and
 * ~50 sections; everything is loaded into memory, the page is written in
 * one pass.  Sizes: a greedy run on the fixture kernel gives ~20 KB of
 * HTML; a linear run on a real kernel (hundreds of steps) a few hundred KB.
 *
 * The page is HTML5 written so that every element is closed explicitly
 * (a strict parser sees well-formed nesting), all text escaped by
 * kmin_report_html_escape(), the charts as inline SVG with <title>
 * tooltips (browsers show them on hover, no script needed).  Colours:
 * green for what was kept (accepted), red for what was rejected, blue
 * for the size the run held at each step.
 *
 * Loading reads the run, its steps, the sections of the base build (the
 * step of kind base) and of the final one (the last verify, else the last
 * accepted build), and both configs, whose difference is computed here
 * (kmin_report_config_diff()) and tied to the accepted step that named
 * each symbol.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "kmin/features.h"
#include "kmin/report.h"
#include "svg.h"

/* ---- small helpers ---- */

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int oom(char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "out of memory");
	return KMIN_STORE_EGENERIC;
}

/* Grow *arr (of elem bytes) to hold n + 1 items; 0 or -1. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 16;
	void *p = realloc(*arr, c * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = c;
	return 0;
}

/* ---- config difference ---- */

struct cfg_line {
	const char *name;	/* after CONFIG_, not NUL-terminated */
	size_t nlen;
	const char *value;	/* not NUL-terminated; "n" for "is not set" */
	size_t vlen;
};

/* Parse normalized config text into lines; *out malloc'ed.  0 or -1. */
static int cfg_parse(const char *text, struct cfg_line **out, size_t *n)
{
	struct cfg_line *v = NULL;
	size_t cap = 0, cnt = 0;
	const char *p = text ? text : "";

	while (*p) {
		const char *eol = strchr(p, '\n'), *end = eol ? eol : p + strlen(p);
		struct cfg_line l = { 0 };

		if (!strncmp(p, "CONFIG_", 7)) {
			const char *eq = memchr(p, '=', (size_t)(end - p));
			if (eq) {
				l.name = p + 7;
				l.nlen = (size_t)(eq - l.name);
				l.value = eq + 1;
				l.vlen = (size_t)(end - eq - 1);
			}
		} else if (!strncmp(p, "# CONFIG_", 9)) {
			const char *sp = memchr(p + 9, ' ', (size_t)(end - p - 9));
			if (sp && (size_t)(end - sp) == 11 && !strncmp(sp, " is not set", 11)) {
				l.name = p + 9;
				l.nlen = (size_t)(sp - l.name);
				l.value = "n";
				l.vlen = 1;
			}
		}
		if (l.name && l.nlen) {
			if (grow((void **)&v, &cap, cnt, sizeof(*v))) {
				free(v);
				return -1;
			}
			v[cnt++] = l;
		}
		p = eol ? eol + 1 : end;
	}
	*out = v;
	*n = cnt;
	return 0;
}

static int cfg_name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	return c ? c : (alen > blen) - (alen < blen);
}

static int cfg_line_cmp(const void *x, const void *y)
{
	const struct cfg_line *a = x, *b = y;
	return cfg_name_cmp(a->name, a->nlen, b->name, b->nlen);
}

/* 0 removed (on -> off), 1 added (off -> on), 2 other change. */
static int change_class(const char *before, const char *after)
{
	bool bon = !strcmp(before, "y") || !strcmp(before, "m");
	bool aon = !strcmp(after, "y") || !strcmp(after, "m");
	bool boff = !*before || !strcmp(before, "n");
	bool aoff = !*after || !strcmp(after, "n");

	if (bon && aoff)
		return 0;
	if (boff && aon)
		return 1;
	return 2;
}

static int change_cmp(const void *x, const void *y)
{
	const struct kmin_report_change *a = x, *b = y;
	int ca = change_class(a->before, a->after), cb = change_class(b->before, b->after);

	return ca != cb ? ca - cb : strcmp(a->name, b->name);
}

static void changes_free(struct kmin_report_change *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].before);
		free(c[i].after);
	}
	free(c);
}

/* Append one change; 0 or -1. */
static int change_add(struct kmin_report_change **v, size_t *cap, size_t *n,
		      const struct cfg_line *a, const struct cfg_line *b)
{
	const struct cfg_line *named = a ? a : b;
	struct kmin_report_change c = { 0 };

	if (grow((void **)v, cap, *n, sizeof(**v)))
		return -1;
	c.name = strndup(named->name, named->nlen);
	c.before = a ? strndup(a->value, a->vlen) : strdup("");
	c.after = b ? strndup(b->value, b->vlen) : strdup("");
	if (!c.name || !c.before || !c.after) {
		free(c.name);
		free(c.before);
		free(c.after);
		return -1;
	}
	(*v)[(*n)++] = c;
	return 0;
}

/* Absent and n are the same for a bool or tristate: not a change. */
static bool same_value(const struct cfg_line *a, const struct cfg_line *b)
{
	const char *av = a ? a->value : "n", *bv = b ? b->value : "n";
	size_t al = a ? a->vlen : 1, bl = b ? b->vlen : 1;

	return al == bl && !memcmp(av, bv, al);
}

int kmin_report_config_diff(const char *base, const char *final, struct kmin_report_change **out,
			    size_t *n)
{
	struct cfg_line *a = NULL, *b = NULL;
	struct kmin_report_change *v = NULL;
	size_t na = 0, nb = 0, i = 0, j = 0, cap = 0, cnt = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (cfg_parse(base, &a, &na) || cfg_parse(final, &b, &nb)) {
		free(a);
		return -1;
	}
	if (na)		/* an empty config parses to NULL, which qsort must not get */
		qsort(a, na, sizeof(*a), cfg_line_cmp);
	if (nb)
		qsort(b, nb, sizeof(*b), cfg_line_cmp);
	while (rc == 0 && (i < na || j < nb)) {
		int c = i == na ? 1 : j == nb ? -1 : cfg_line_cmp(&a[i], &b[j]);
		const struct cfg_line *x = c <= 0 ? &a[i] : NULL, *y = c >= 0 ? &b[j] : NULL;
		if (!same_value(x, y))
			rc = change_add(&v, &cap, &cnt, x, y);
		i += c <= 0;
		j += c >= 0;
	}
	free(a);
	free(b);
	if (rc) {
		changes_free(v, cnt);
		return -1;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), change_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

/* ---- loading ---- */

struct step_load {
	struct kmin_report *r;
	size_t cap;
	bool oom;
};

static int load_step(void *payload, const struct kmin_run_step *t)
{
	struct step_load *l = payload;
	struct kmin_report_step *st;

	if (grow((void **)&l->r->steps, &l->cap, l->r->nsteps, sizeof(*st))) {
		l->oom = true;
		return 1;
	}
	st = &l->r->steps[l->r->nsteps];
	st->seq = t->seq;
	st->kind = t->kind;
	st->moves = dup_or_empty(t->moves);
	st->reason = dup_or_empty(t->reason);
	st->size = t->size;
	st->saving = t->saving;
	st->cached = t->cached;
	st->build_id = t->build_id;
	l->r->nsteps++;
	if (!st->moves || !st->reason) {
		l->oom = true;
		return 1;
	}
	return 0;
}

struct section_load {
	struct kmin_report_section **v;
	size_t *n, cap;
	bool oom;
};

static int load_section(void *payload, const struct kmin_section *sec)
{
	struct section_load *l = payload;

	if (grow((void **)l->v, &l->cap, *l->n, sizeof(**l->v))) {
		l->oom = true;
		return 1;
	}
	(*l->v)[*l->n].name = dup_or_empty(sec->name);
	(*l->v)[*l->n].size = sec->size;
	if (!(*l->v)[(*l->n)++].name) {
		l->oom = true;
		return 1;
	}
	return 0;
}

static int load_sections(struct kmin_store *s, int64_t build, struct kmin_report_section **v,
			 size_t *n, char *err, size_t errlen)
{
	struct section_load l = { .v = v, .n = n };
	int rc;

	if (!build)
		return 0;
	rc = kmin_store_sections_foreach(s, build, load_section, &l, err, errlen);
	return l.oom ? oom(err, errlen) : rc < 0 ? rc : 0;
}

/* The builds whose sections the page compares: base step's, and the verified or last accepted. */
static void pick_builds(struct kmin_report *r)
{
	int64_t verify = 0, accept = 0;

	for (size_t i = 0; i < r->nsteps; i++) {
		const struct kmin_report_step *t = &r->steps[i];
		if (!t->build_id || t->size < 0)
			continue;
		if (t->kind == KMIN_STEP_BASE && !r->base_build)
			r->base_build = t->build_id;
		else if (t->kind == KMIN_STEP_VERIFY)
			verify = t->build_id;
		else if (t->kind == KMIN_STEP_ACCEPT)
			accept = t->build_id;
	}
	r->final_build = verify ? verify : accept ? accept : r->base_build;
}

/* Does the move list name symbol (as "SYM=...")? */
static bool moves_name(const char *moves, const char *sym)
{
	size_t len = strlen(sym);
	const char *p = moves;

	while ((p = strstr(p, sym)) != NULL) {
		if ((p == moves || p[-1] == ' ') && p[len] == '=')
			return true;
		p += len;
	}
	return false;
}

static void tie_changes_to_steps(struct kmin_report *r)
{
	for (size_t c = 0; c < r->nchanges; c++)
		for (size_t i = 0; i < r->nsteps && !r->changes[c].step; i++)
			if (r->steps[i].kind == KMIN_STEP_ACCEPT &&
			    moves_name(r->steps[i].moves, r->changes[c].name))
				r->changes[c].step = r->steps[i].seq;
}

/* The value of CONFIG_<sym> in config text: malloc'ed, "" when absent, NULL out of memory. */
static char *config_value(const char *text, const char *sym)
{
	size_t len = strlen(sym);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, "CONFIG_", 7) && !strncmp(p + 7, sym, len) && p[7 + len] == '=')
			return strndup(p + 8 + len, strcspn(p + 8 + len, "\n"));
		if (!strncmp(p, "# CONFIG_", 9) && !strncmp(p + 9, sym, len) &&
		    !strncmp(p + 9 + len, " is not set", 11))
			return strdup("n");
	}
	return strdup("");
}

/* Each requirement symbol's value in the final config; 0 or -1. */
static int requirement_values(struct kmin_report *r, const char *final)
{
	for (size_t i = 0; i < r->nreqs; i++)
		for (size_t k = 0; k < r->reqs[i].nsymbols; k++)
			if (!(r->reqs[i].values[k] = config_value(final, r->reqs[i].symbols[k])))
				return -1;
	return 0;
}

static int load_configs(struct kmin_store *s, const struct kmin_run *run, struct kmin_report *r,
			char *err, size_t errlen)
{
	char *base = NULL, *final = NULL;
	size_t len;
	int rc;

	if (!run->base_sha256 || !run->final_sha256)
		return 0;
	rc = kmin_store_config_get(s, run->base_sha256, &base, &len, err, errlen);
	if (rc == 0)
		rc = kmin_store_config_get(s, run->final_sha256, &final, &len, err, errlen);
	if (rc == KMIN_STORE_ENOENT) {
		free(base);
		return 0;	/* the page says the configs are missing */
	}
	if (rc == 0) {
		rc = kmin_report_config_diff(base, final, &r->changes, &r->nchanges) ? oom(err, errlen) : 0;
		r->have_configs = rc == 0;
	}
	if (rc == 0 && requirement_values(r, final))
		rc = oom(err, errlen);
	free(base);
	free(final);
	if (rc == 0)
		tie_changes_to_steps(r);
	return rc;
}

/* One requirement: a feature's symbols, or the symbol named. */
static int load_requirement(struct kmin_report_requirement *q, const char *name,
			    const struct kmin_features *fs)
{
	const struct kmin_feature *f = fs ? kmin_features_find(fs, name) : NULL;
	size_t n = f ? f->nsymbols : 1;

	q->name = strdup(name);
	q->symbols = calloc(n ? n : 1, sizeof(*q->symbols));
	q->values = calloc(n ? n : 1, sizeof(*q->values));
	if (!q->name || !q->symbols || !q->values)
		return -1;
	if (f) {
		q->description = f->description ? strdup(f->description) : NULL;
		for (size_t i = 0; i < n; i++)
			if (!(q->symbols[q->nsymbols++] = strdup(f->symbols[i])))
				return -1;
		return 0;
	}
	const char *p = strncmp(name, "CONFIG_", 7) ? name : name + 7;
	q->symbols[0] = strndup(p, strcspn(p, "="));
	q->nsymbols = q->symbols[0] != NULL;
	return q->symbols[0] ? 0 : -1;
}

static int load_requirements(struct kmin_report *r, const struct kmin_features *fs)
{
	char *list = strdup(r->requirements_text), *save = NULL;
	size_t cap = 0;
	int rc = 0;

	if (!list)
		return -1;
	for (char *tok = strtok_r(list, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		for (size_t k = strlen(tok); k && tok[k - 1] == ' '; k--)
			tok[k - 1] = '\0';
		if (!*tok)
			continue;
		if (grow((void **)&r->reqs, &cap, r->nreqs, sizeof(*r->reqs))) {
			rc = -1;
			break;
		}
		memset(&r->reqs[r->nreqs], 0, sizeof(*r->reqs));
		rc = load_requirement(&r->reqs[r->nreqs++], tok, fs);
	}
	free(list);
	return rc;
}

static int load_run_fields(struct kmin_store *s, const struct kmin_run *run, struct kmin_report *r,
			   char *err, size_t errlen)
{
	char label[1024];
	int rc;

	r->run_id = run->id;
	r->status = strdup(kmin_run_status_name(run->status));
	r->strategy = dup_or_empty(run->strategy);
	r->arch = dup_or_empty(run->arch);
	r->requirements_text = dup_or_empty(run->requirements);
	r->base = dup_or_empty(run->base);
	r->metric = dup_or_empty(run->metric);
	r->base_size = run->base_size;
	r->final_size = run->final_size;
	r->builds = run->builds;
	r->cached = run->cached;
	r->started_ms = run->started_ms;
	r->finished_ms = run->finished_ms;
	rc = kmin_store_kernel_label(s, run->kernel_id, label, sizeof(label), err, errlen);
	if (rc < 0)
		return rc;
	r->kernel = strdup(label);
	rc = kmin_store_toolchain_label(s, run->toolchain_id, label, sizeof(label), err, errlen);
	if (rc < 0)
		return rc;
	r->toolchain = strdup(label);
	if (!r->status || !r->strategy || !r->arch || !r->requirements_text || !r->base ||
	    !r->metric || !r->kernel || !r->toolchain)
		return oom(err, errlen);
	return 0;
}

int kmin_report_load(struct kmin_store *s, int64_t run_id, const struct kmin_features *features,
		     struct kmin_report *out, char *err, size_t errlen)
{
	struct kmin_run run;
	struct step_load sl = { .r = out };
	int rc;

	memset(out, 0, sizeof(*out));
	rc = kmin_store_run_get(s, run_id, &run, err, errlen);
	if (rc <= 0)
		return rc < 0 ? rc : 1;
	rc = load_run_fields(s, &run, out, err, errlen);
	if (rc == 0 && load_requirements(out, features))
		rc = oom(err, errlen);
	if (rc == 0) {
		rc = kmin_store_steps_foreach(s, run_id, load_step, &sl, err, errlen);
		rc = sl.oom ? oom(err, errlen) : rc < 0 ? rc : 0;
	}
	if (rc == 0) {
		pick_builds(out);
		rc = load_sections(s, out->base_build, &out->base_sections, &out->nbase_sections,
				   err, errlen);
	}
	if (rc == 0)
		rc = load_sections(s, out->final_build, &out->final_sections,
				   &out->nfinal_sections, err, errlen);
	if (rc == 0)
		rc = load_configs(s, &run, out, err, errlen);
	kmin_run_clear(&run);
	if (rc)
		kmin_report_clear(out);
	return rc;
}

void kmin_report_clear(struct kmin_report *r)
{
	if (!r)
		return;
	free(r->status);
	free(r->strategy);
	free(r->arch);
	free(r->requirements_text);
	free(r->base);
	free(r->metric);
	free(r->kernel);
	free(r->toolchain);
	for (size_t i = 0; i < r->nsteps; i++) {
		free(r->steps[i].moves);
		free(r->steps[i].reason);
	}
	free(r->steps);
	for (size_t i = 0; i < r->nreqs; i++) {
		free(r->reqs[i].name);
		free(r->reqs[i].description);
		for (size_t k = 0; k < r->reqs[i].nsymbols; k++) {
			free(r->reqs[i].symbols[k]);
			if (r->reqs[i].values)
				free(r->reqs[i].values[k]);
		}
		free(r->reqs[i].symbols);
		free(r->reqs[i].values);
	}
	free(r->reqs);
	for (size_t i = 0; i < r->nbase_sections; i++)
		free(r->base_sections[i].name);
	free(r->base_sections);
	for (size_t i = 0; i < r->nfinal_sections; i++)
		free(r->final_sections[i].name);
	free(r->final_sections);
	changes_free(r->changes, r->nchanges);
	memset(r, 0, sizeof(*r));
}

/* ---- HTML text ---- */

void kmin_report_html_escape(FILE *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;

	if (!s)
		return;
	for (; *p; chars++) {
		size_t n = kmin_utf8_len(p);
		if (max && chars == max) {
			fputs("\xe2\x80\xa6", out);	/* … */
			return;
		}
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		case '\t': case '\n': fputc(*p, out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				break;	/* not allowed in HTML text */
			if (!n)
				fputs("\xef\xbf\xbd", out);
			else
				fwrite(p, 1, n, out);
		}
		p += n ? n : 1;
	}
}

/* Shorthands for the writer. */
#define ESC(out, s) kmin_report_html_escape((out), (s), 0)

static void put_bytes(FILE *out, int64_t v)
{
	char buf[48];

	if (v < 0) {
		fputs("&#8212;", out);	/* — unknown */
		return;
	}
	kmin_svg_format_bytes(v, 0, buf, sizeof(buf));
	fputs(buf, out);
}

/* A signed change: "-8,128" (smaller, good) or "+120". */
static void put_delta(FILE *out, int64_t d)
{
	char buf[48];

	kmin_svg_format_bytes(d, 0, buf, sizeof(buf));
	fprintf(out, "<span class=\"%s\">%s%s</span>", d < 0 ? "good" : d > 0 ? "bad" : "zero",
		d > 0 ? "+" : "", buf);
}

static void put_time(FILE *out, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[64];

	if (ms <= 0 || !gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm))
		fputs("&#8212;", out);
	else
		fputs(buf, out);
}

static void put_duration(FILE *out, int64_t ms)
{
	int64_t s = ms / 1000;

	if (ms <= 0)
		fputs("&#8212;", out);
	else if (s < 60)
		fprintf(out, "%.1f s", (double)ms / 1000);
	else if (s < 3600)
		fprintf(out, "%lldm %02llds", (long long)(s / 60), (long long)(s % 60));
	else
		fprintf(out, "%lldh %02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
}

/* ---- the page: head and style ---- */

static const char report_css[] =
	":root{--fg:#1d2330;--muted:#5f6b7a;--line:#d9dee5;--bg:#f5f7fa;--card:#fff;"
	"--accept:#1f9d55;--reject:#d64545;--base:#4a5568;--verify:#2b6cb0;--held:#2b6cb0}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:var(--bg);color:var(--fg);"
	"font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}\n"
	"main{max-width:1040px;margin:0 auto;padding:24px 20px 40px}\n"
	"h1{font-size:26px;margin:0 0 4px}\n"
	"h2{font-size:18px;margin:0 0 12px}\n"
	"h3{font-size:15px;margin:16px 0 6px}\n"
	".sub{color:var(--muted);margin:0 0 18px}\n"
	"section{background:var(--card);border:1px solid var(--line);border-radius:8px;"
	"padding:16px 18px;margin:0 0 18px}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;"
	"margin:0 0 18px}\n"
	".card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}\n"
	".card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}\n"
	".card .v{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums;"
	"white-space:nowrap}\n"
	".card .n{color:var(--muted);font-size:13px}\n"
	".card.win .v{color:var(--accept)}\n"
	"table{border-collapse:collapse;width:100%;font-size:14px}\n"
	"th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}\n"
	"th{color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;"
	"letter-spacing:.04em}\n"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"tr.total td{font-weight:600;border-top:2px solid var(--line)}\n"
	"table.meta td:first-child{color:var(--muted);width:130px}\n"
	"table.diff{table-layout:fixed}table.diff th:nth-child(1){width:38%}"
	"table.diff th:nth-child(2),table.diff th:nth-child(3){width:19%}\n"
	"table.diff td{overflow-wrap:anywhere}\n"
	"code,.mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:13px}\n"
	".moves{word-break:break-word}\n"
	".good{color:var(--accept)}.bad{color:var(--reject)}.zero{color:var(--muted)}\n"
	".kind{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;color:#fff}\n"
	".kind.base{background:var(--base)}.kind.accept{background:var(--accept)}"
	".kind.reject{background:var(--reject)}.kind.verify{background:var(--verify)}\n"
	"tr.reject td{color:var(--muted)}\n"
	".reqs{display:flex;flex-wrap:wrap;gap:10px;list-style:none;margin:0;padding:0}\n"
	".reqs li{border:1px solid var(--line);border-radius:8px;padding:6px 10px;min-width:160px}\n"
	".reqs .name{font-weight:600}.reqs .desc{color:var(--muted);font-size:13px}\n"
	".sym{display:inline-block;margin:2px 6px 0 0}\n"
	".legend{display:flex;gap:18px;flex-wrap:wrap;font-size:13px;color:var(--muted);margin:4px 0 0}\n"
	".legend i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:5px;"
	"vertical-align:-1px}\n"
	".chart{width:100%;height:auto;display:block}\n"
	".chart text{font-family:inherit;font-size:12px;fill:var(--muted)}\n"
	".chart .lbl{fill:var(--fg);font-family:ui-monospace,'DejaVu Sans Mono',monospace}\n"
	".chart .val{fill:var(--fg);font-weight:600}\n"
	".secbar{position:relative;height:14px;min-width:160px}\n"
	".secbar span{position:absolute;left:0;height:6px;border-radius:3px}\n"
	".secbar .b{top:0;background:#b8c2cc}.secbar .f{top:7px;background:var(--held)}\n"
	".note{color:var(--muted);font-size:13px;margin:8px 0 0}\n"
	"footer{color:var(--muted);font-size:12px;text-align:center}\n";

static void write_head(FILE *out, const struct kmin_report *r)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", out);
	fprintf(out, "<title>kmin run %lld: ", (long long)r->run_id);
	ESC(out, r->requirements_text);
	fputs(" on ", out);
	ESC(out, r->arch);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n", report_css);
}

/* ---- summary: title, cards, run facts ---- */

static void card(FILE *out, const char *key, const char *cls)
{
	fprintf(out, "<div class=\"card%s%s\"><div class=\"k\">%s</div><div class=\"v\">",
		cls ? " " : "", cls ? cls : "", key);
}

static size_t count_kind(const struct kmin_report *r, enum kmin_step_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nsteps; i++)
		n += r->steps[i].kind == kind;
	return n;
}

/* Title, one line of what the run was, and the headline numbers as cards. */
static void write_summary(FILE *out, const struct kmin_report *r)
{
	int64_t saved = r->base_size >= 0 && r->final_size >= 0 ? r->base_size - r->final_size : -1;

	fprintf(out, "<header>\n<h1>kmin run %lld</h1>\n<p class=\"sub\">", (long long)r->run_id);
	ESC(out, r->requirements_text);
	fputs(" on ", out);
	ESC(out, r->arch);
	fputs(" from ", out);
	ESC(out, r->base);
	fputs(" &#183; ", out);
	ESC(out, r->strategy);
	fputs(" search, metric ", out);
	ESC(out, r->metric);
	fputs(" &#183; ", out);
	ESC(out, r->status);
	fputs("</p>\n</header>\n<div class=\"cards\">\n", out);

	card(out, "base size", NULL);
	put_bytes(out, r->base_size);
	fputs("</div><div class=\"n\">bytes (", out);
	ESC(out, r->metric);
	fputs(")</div></div>\n", out);
	card(out, "final size", NULL);
	put_bytes(out, r->final_size);
	fputs("</div><div class=\"n\">bytes (", out);
	ESC(out, r->metric);
	fputs(")</div></div>\n", out);
	card(out, "saved", saved > 0 ? "win" : NULL);
	put_bytes(out, saved);
	fputs("</div><div class=\"n\">", out);
	if (saved >= 0 && r->base_size > 0)
		fprintf(out, "%.1f%% of the base", 100.0 * (double)saved / (double)r->base_size);
	else
		fputs("&#8212;", out);
	fputs("</div></div>\n", out);
	card(out, "builds", NULL);
	fprintf(out, "%lld</div><div class=\"n\">%lld answered from the database</div></div>\n",
		(long long)r->builds, (long long)r->cached);
	card(out, "steps", NULL);
	fprintf(out, "%zu</div><div class=\"n\">%zu accepted, %zu rejected</div></div>\n",
		r->nsteps, count_kind(r, KMIN_STEP_ACCEPT), count_kind(r, KMIN_STEP_REJECT));
	card(out, "wall time", NULL);
	put_duration(out, r->finished_ms ? r->finished_ms - r->started_ms : 0);
	fputs("</div><div class=\"n\">", out);
	ESC(out, r->status);
	fputs("</div></div>\n</div>\n", out);
}

/* The run's facts as a two-column table. */
static void write_run_facts(FILE *out, const struct kmin_report *r)
{
	fputs("<section>\n<h2>Run</h2>\n<table class=\"meta\">\n", out);
	fputs("<tr><td>kernel</td><td class=\"mono\">", out);
	fputs(*r->kernel ? "" : "&#8212;", out);
	ESC(out, r->kernel);
	fputs("</td></tr>\n<tr><td>toolchain</td><td class=\"mono\">", out);
	fputs(*r->toolchain ? "" : "&#8212;", out);
	ESC(out, r->toolchain);
	fputs("</td></tr>\n<tr><td>arch</td><td class=\"mono\">", out);
	ESC(out, r->arch);
	fputs("</td></tr>\n<tr><td>base</td><td class=\"mono\">", out);
	ESC(out, r->base);
	fputs("</td></tr>\n<tr><td>strategy</td><td>", out);
	ESC(out, r->strategy);
	fputs("</td></tr>\n<tr><td>metric</td><td>", out);
	ESC(out, r->metric);
	fputs("</td></tr>\n<tr><td>started</td><td>", out);
	put_time(out, r->started_ms);
	fputs("</td></tr>\n<tr><td>finished</td><td>", out);
	put_time(out, r->finished_ms);
	fputs("</td></tr>\n</table>\n</section>\n", out);
}

/* ---- requirements ---- */

static void write_requirements(FILE *out, const struct kmin_report *r)
{
	fputs("<section id=\"requirements\">\n<h2>Requirements</h2>\n", out);
	if (!r->nreqs) {
		fputs("<p class=\"note\">none</p>\n</section>\n", out);
		return;
	}
	fputs("<ul class=\"reqs\">\n", out);
	for (size_t i = 0; i < r->nreqs; i++) {
		const struct kmin_report_requirement *q = &r->reqs[i];
		fputs("<li><div class=\"name\">", out);
		ESC(out, q->name);
		fputs("</div>", out);
		if (q->description) {
			fputs("<div class=\"desc\">", out);
			ESC(out, q->description);
			fputs("</div>", out);
		}
		fputs("<div>", out);
		for (size_t k = 0; k < q->nsymbols; k++) {
			const char *v = q->values ? q->values[k] : NULL;
			fputs("<code class=\"sym\">", out);
			ESC(out, q->symbols[k]);
			if (v && *v) {
				fputs("=", out);
				ESC(out, v);
			}
			fputs("</code>", out);
		}
		fputs("</div></li>\n", out);
	}
	fputs("</ul>\n<p class=\"note\">Kept in every accepted step: the search builds only "
	      "configs that still hold them, and checks the built kernel.</p>\n</section>\n", out);
}

/* ---- size against build number ---- */

enum { CH_W = 960, CH_H = 350, CH_L = 74, CH_R = 16, CH_T = 50, CH_B = 42 };

static const char *kind_class(enum kmin_step_kind k)
{
	return kmin_step_kind_name(k);
}

/* A step's tooltip: "step 3, accept: SYM=n (size 59,280, saved 8,128)". */
static void point_title(FILE *out, const struct kmin_report_step *t)
{
	fprintf(out, "<title>step %lld, %s", (long long)t->seq, kmin_step_kind_name(t->kind));
	if (*t->moves) {
		fputs(": ", out);
		kmin_report_html_escape(out, t->moves, 300);
	}
	fputs("\n", out);
	if (t->size >= 0) {
		fputs("size ", out);
		put_bytes(out, t->size);
		if (t->kind == KMIN_STEP_ACCEPT || t->kind == KMIN_STEP_REJECT) {
			fputs(", change ", out);
			put_bytes(out, t->saving >= 0 ? t->saving : -t->saving);
			fputs(t->saving >= 0 ? " smaller" : " larger", out);
		}
	} else {
		fputs("no size", out);
	}
	if (*t->reason) {
		fputs(" &#8212; ", out);
		kmin_report_html_escape(out, t->reason, 200);
	}
	fputs(t->cached ? " (from the database)" : "", out);
	fputs("</title>", out);
}

static void write_point(FILE *out, const struct kmin_report_step *t, double x, double y, double r)
{
	fprintf(out, "<g class=\"pt %s\" data-seq=\"%lld\">", kind_class(t->kind), (long long)t->seq);
	point_title(out, t);
	if (t->size < 0) {
		/* nothing measured: a cross in the lane above the plot */
		fprintf(out, "<path d=\"M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f\" "
			"stroke=\"#d64545\" stroke-width=\"2\"/>",
			x - r, y - r, x + r, y + r, x - r, y + r, x + r, y - r);
	} else if (t->kind == KMIN_STEP_REJECT) {
		fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#fff\" "
			"stroke=\"#d64545\" stroke-width=\"2\"/>", x, y, r);
	} else if (t->kind == KMIN_STEP_VERIFY) {
		fprintf(out, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"#2b6cb0\" "
			"stroke=\"#fff\" stroke-width=\"1\"/>",
			x, y - r - 1.5, x + r + 1.5, y, x, y + r + 1.5, x - r - 1.5, y);
	} else {
		fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" stroke=\"#fff\" "
			"stroke-width=\"1\"/>", x, y, r,
			t->kind == KMIN_STEP_BASE ? "#4a5568" : "#1f9d55");
	}
	fputs("</g>\n", out);
}

/* The size chart's geometry: axes and the plot's pixel box. */
struct size_chart {
	struct kmin_svg_axis ax, ay;	/* steps; bytes */
	double px0, px1, py0, py1;	/* plot area: x left to right, y bottom to top */
	double lane;			/* y of the "no size" lane above the plot */
	double rad;			/* point radius */
	bool nosize;			/* some step has no size */
};

static void size_chart_fit(struct size_chart *c, const struct kmin_report *r)
{
	double lo = 0, hi = -1, n = r->nsteps ? (double)r->nsteps : 1;
	bool any = false;

	c->px0 = CH_L;
	c->px1 = CH_W - CH_R;
	c->py0 = CH_H - CH_B;
	c->py1 = CH_T;
	c->lane = 20;
	c->nosize = false;
	for (size_t i = 0; i < r->nsteps; i++) {
		double v = (double)r->steps[i].size;
		if (r->steps[i].size < 0) {
			c->nosize = true;
			continue;
		}
		lo = any && lo < v ? lo : v;
		hi = any && hi > v ? hi : v;
		any = true;
	}
	kmin_svg_axis_fit(&c->ay, lo, hi, 5, 0);
	/* steps 1..n with half a step of room on each side, ticks every nice step */
	kmin_svg_axis_fit(&c->ax, 1, n, 12, 1);
	c->ax.lo = 0.5;
	c->ax.hi = n + 0.5;
	c->rad = (c->px1 - c->px0) / n / 3;
	c->rad = c->rad < 2.5 ? 2.5 : c->rad > 5.5 ? 5.5 : c->rad;
}

static void size_chart_axes(FILE *out, const struct size_chart *c, const struct kmin_report *r)
{
	char buf[48];

	for (int i = 0; i < kmin_svg_axis_nticks(&c->ay); i++) {
		double v = c->ay.lo + i * c->ay.step, y = kmin_svg_map(&c->ay, v, c->py0, c->py1);
		kmin_svg_format_bytes((int64_t)(v + (v < 0 ? -0.5 : 0.5)), 1, buf, sizeof(buf));
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e9ee\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
			c->px0, y, c->px1, y, c->px0 - 8, y + 4, buf);
	}
	/* x ticks: multiples of the step, and 1 when that leaves room (1, 5, 10, ...) */
	for (double v = c->ax.step == 1 || c->ax.step >= 5 ? 1 : c->ax.step; v <= (double)r->nsteps;
	     v = v == 1 && c->ax.step > 1 ? c->ax.step : v + c->ax.step) {
		double x = kmin_svg_map(&c->ax, v, c->px0, c->px1);
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#aab3bf\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>\n",
			x, c->py0, x, c->py0 + 5, x, c->py0 + 19, v);
	}
	fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#aab3bf\"/>\n",
		c->px0, c->py0, c->px1, c->py0);
	fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">step (build number)</text>\n",
		(c->px0 + c->px1) / 2, CH_H - 4);
	fprintf(out, "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">"
		"bytes (", (c->py0 + c->py1) / 2, (c->py0 + c->py1) / 2);
	ESC(out, r->metric);
	fputs(")</text>\n", out);
	if (c->nosize)
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">no size</text>"
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#f3d4d4\" "
			"stroke-dasharray=\"3 3\"/>\n", c->px0 - 8, c->lane + 4, c->px0, c->lane,
			c->px1, c->lane);
}

/* The size the run held: a step line through base, accepted steps and verification. */
static void size_chart_held(FILE *out, const struct size_chart *c, const struct kmin_report *r)
{
	double last = kmin_svg_map(&c->ax, (double)r->nsteps, c->px0, c->px1), prevx = 0;
	bool started = false;

	fputs("<path class=\"held\" fill=\"none\" stroke=\"#2b6cb0\" stroke-width=\"2\" "
	      "stroke-linejoin=\"round\" d=\"", out);
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct kmin_report_step *t = &r->steps[i];
		double x = kmin_svg_map(&c->ax, (double)(i + 1), c->px0, c->px1), y;
		if (t->size < 0 || t->kind == KMIN_STEP_REJECT)
			continue;
		y = kmin_svg_map(&c->ay, (double)t->size, c->py0, c->py1);
		fprintf(out, started ? "H%.1fV%.1f" : "M%.1f %.1f", x, y);
		started = true;
		prevx = x;
	}
	if (started && prevx < last)
		fprintf(out, "H%.1f", last);
	fputs("\"/>\n", out);
}

static void write_size_chart(FILE *out, const struct kmin_report *r)
{
	struct size_chart c;

	size_chart_fit(&c, r);
	fputs("<section id=\"size\">\n<h2>Size by build</h2>\n", out);
	fprintf(out, "<svg id=\"size-chart\" class=\"chart\" "
		"viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"size of the run's metric after each "
		"step\">\n", CH_W, CH_H);
	size_chart_axes(out, &c, r);
	size_chart_held(out, &c, r);
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct kmin_report_step *t = &r->steps[i];
		double x = kmin_svg_map(&c.ax, (double)(i + 1), c.px0, c.px1);
		double y = t->size < 0 ? c.lane : kmin_svg_map(&c.ay, (double)t->size, c.py0, c.py1);
		write_point(out, t, x, y, c.rad);
	}
	if (!r->nsteps)
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">no steps recorded"
			"</text>\n", (c.px0 + c.px1) / 2, (c.py0 + c.py1) / 2);
	fputs("</svg>\n<div class=\"legend\">"
	      "<span><i style=\"background:#4a5568\"></i>base</span>"
	      "<span><i style=\"background:#1f9d55\"></i>accepted</span>"
	      "<span><i style=\"background:#fff;border:2px solid #d64545\"></i>rejected</span>"
	      "<span><b style=\"color:#d64545;margin-right:5px\">&#10005;</b>"
	      "no size: the build failed or was not made</span>"
	      "<span><i style=\"background:#2b6cb0;border-radius:1px;transform:rotate(45deg)\"></i>"
	      "verification</span>"
	      "<span><i style=\"background:#2b6cb0;height:3px;border-radius:0\"></i>size held</span>"
	      "</div>\n<p class=\"note\">One point per step; hover a point for its moves.</p>\n"
	      "</section>\n", out);
}

/* ---- top savings as bars ---- */

enum { BAR_MAX = 15, BAR_W = 960, BAR_LABEL = 330, BAR_ROW = 28, BAR_TOP = 6 };

static int saving_cmp(const void *x, const void *y)
{
	const struct kmin_report_step *a = *(const struct kmin_report_step *const *)x;
	const struct kmin_report_step *b = *(const struct kmin_report_step *const *)y;

	if (a->saving != b->saving)
		return a->saving < b->saving ? 1 : -1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The bar's label: the moves, or "SYM=n, SYM2=n +N more" when long. */
static void bar_label(FILE *out, const char *moves)
{
	size_t n = 1;

	for (const char *p = moves; *p; p++)
		n += *p == ' ';
	if (strlen(moves) <= 40) {
		ESC(out, moves);
		return;
	}
	/* as many whole moves as fit in ~30 characters */
	size_t cut = 0, shown = 0;
	for (size_t i = 0; moves[i] && i <= 30; i++)
		if (moves[i] == ' ') {
			cut = i;
			shown++;
		}
	if (!cut) {
		kmin_report_html_escape(out, moves, 36);
		return;
	}
	char *head = strndup(moves, cut);
	if (head) {
		ESC(out, head);
		free(head);
	}
	fprintf(out, " +%zu more", n - shown);
}

static void write_savings(FILE *out, const struct kmin_report *r)
{
	const struct kmin_report_step **v = calloc(r->nsteps ? r->nsteps : 1, sizeof(*v));
	size_t n = 0;
	int64_t max = 0, total = 0;
	double bx0 = BAR_LABEL, bx1 = BAR_W - 110;

	fputs("<section id=\"savings\">\n<h2>Biggest savings</h2>\n", out);
	for (size_t i = 0; v && i < r->nsteps; i++)
		if (r->steps[i].kind == KMIN_STEP_ACCEPT && r->steps[i].size >= 0 &&
		    r->steps[i].saving > 0)
			v[n++] = &r->steps[i];
	if (!n) {
		fputs("<p class=\"note\">No accepted step made the kernel smaller.</p>\n</section>\n", out);
		free(v);
		return;
	}
	qsort(v, n, sizeof(*v), saving_cmp);
	for (size_t i = 0; i < n; i++)
		total += v[i]->saving;
	max = v[0]->saving;
	if (n > BAR_MAX)
		n = BAR_MAX;
	fprintf(out, "<svg id=\"savings-chart\" class=\"chart\" "
		"viewBox=\"0 0 %d %zu\" role=\"img\" aria-label=\"bytes saved by each accepted "
		"step\">\n", BAR_W, BAR_TOP * 2 + n * BAR_ROW);
	for (size_t i = 0; i < n; i++) {
		const struct kmin_report_step *t = v[i];
		double y = BAR_TOP + (double)i * BAR_ROW;
		double w = (bx1 - bx0) * (double)t->saving / (double)max;
		char buf[48];
		kmin_svg_format_bytes(t->saving, 0, buf, sizeof(buf));
		fprintf(out, "<g class=\"bar\" data-seq=\"%lld\"><title>step %lld: ",
			(long long)t->seq, (long long)t->seq);
		ESC(out, t->moves);
		fprintf(out, "\nsaved %s bytes</title>", buf);
		fprintf(out, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
			bx0 - 10, y + 18);
		bar_label(out, t->moves);
		fprintf(out, "</text><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" rx=\"3\" "
			"fill=\"#1f9d55\"/><text class=\"val\" x=\"%.1f\" y=\"%.1f\">%s</text></g>\n",
			bx0, y + 5, w < 1 ? 1 : w, BAR_ROW - 10, bx0 + (w < 1 ? 1 : w) + 6, y + 18, buf);
	}
	fputs("</svg>\n<p class=\"note\">Bytes of the metric saved by each accepted step, "
	      "largest first (a step is one batch of moves built together; hover a bar for all "
	      "its moves", out);
	if (n == BAR_MAX)
		fprintf(out, "; the %d largest are shown", BAR_MAX);
	fputs("). In all: ", out);
	put_bytes(out, total);
	fputs(" bytes.</p>\n</section>\n", out);
	free(v);
}

/* ---- sections base vs final ---- */

static int64_t section_size(const struct kmin_report_section *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].size;
	return -1;
}

/* A change relative to of: "-72.8%", "+1.5%", "0%". */
static void put_percent(FILE *out, int64_t change, int64_t of)
{
	if (!change)
		fputs("0%", out);
	else
		fprintf(out, "%+.1f%%", 100.0 * (double)change / (double)of);
}

static void section_row(FILE *out, const char *name, int64_t b, int64_t f, int64_t max)
{
	fputs("<tr><td class=\"mono\">", out);
	ESC(out, name);
	fputs("</td><td class=\"num\">", out);
	put_bytes(out, b);
	fputs("</td><td class=\"num\">", out);
	put_bytes(out, f);
	fputs("</td><td class=\"num\">", out);
	put_delta(out, (f < 0 ? 0 : f) - (b < 0 ? 0 : b));
	fputs("</td><td class=\"num\">", out);
	if (b > 0)
		put_percent(out, (f < 0 ? 0 : f) - b, b);
	fputs("</td><td><div class=\"secbar\">", out);
	if (max > 0) {
		fprintf(out, "<span class=\"b\" style=\"width:%.1f%%\"></span>",
			b > 0 ? 100.0 * (double)b / (double)max : 0.0);
		fprintf(out, "<span class=\"f\" style=\"width:%.1f%%\"></span>",
			f > 0 ? 100.0 * (double)f / (double)max : 0.0);
	}
	fputs("</div></td></tr>\n", out);
}

static void write_sections(FILE *out, const struct kmin_report *r)
{
	int64_t max = 0, tb = 0, tf = 0;

	fputs("<section id=\"sections\">\n<h2>Sections, base and final</h2>\n", out);
	if (!r->nbase_sections && !r->nfinal_sections) {
		fputs("<p class=\"note\">No sections recorded (no build of the run succeeded).</p>\n"
		      "</section>\n", out);
		return;
	}
	for (size_t i = 0; i < r->nbase_sections; i++) {
		max = r->base_sections[i].size > max ? r->base_sections[i].size : max;
		tb += r->base_sections[i].size;
	}
	for (size_t i = 0; i < r->nfinal_sections; i++) {
		max = r->final_sections[i].size > max ? r->final_sections[i].size : max;
		tf += r->final_sections[i].size;
	}
	fputs("<table>\n<tr><th>section</th><th class=\"num\">base</th><th class=\"num\">final</th>"
	      "<th class=\"num\">change</th><th class=\"num\">%</th>"
	      "<th>base <span style=\"color:#8895a5\">&#9644;</span> final "
	      "<span style=\"color:#2b6cb0\">&#9644;</span></th></tr>\n", out);
	for (size_t i = 0; i < r->nbase_sections; i++) {
		const char *name = r->base_sections[i].name;
		section_row(out, name, r->base_sections[i].size,
			    section_size(r->final_sections, r->nfinal_sections, name), max);
	}
	for (size_t i = 0; i < r->nfinal_sections; i++) {
		const char *name = r->final_sections[i].name;
		if (section_size(r->base_sections, r->nbase_sections, name) < 0)
			section_row(out, name, -1, r->final_sections[i].size, max);
	}
	fputs("<tr class=\"total\"><td>all sections</td><td class=\"num\">", out);
	put_bytes(out, tb);
	fputs("</td><td class=\"num\">", out);
	put_bytes(out, tf);
	fputs("</td><td class=\"num\">", out);
	put_delta(out, tf - tb);
	fputs("</td><td class=\"num\">", out);
	if (tb > 0)
		put_percent(out, tf - tb, tb);
	fputs("</td><td></td></tr>\n</table>\n", out);
	fprintf(out, "<p class=\"note\">Allocated sections of vmlinux: base build %lld, final "
		"build %lld.</p>\n</section>\n", (long long)r->base_build, (long long)r->final_build);
}

/* ---- the final config against the base ---- */

static void put_value(FILE *out, const char *v)
{
	if (!*v)
		fputs("<span class=\"zero\" title=\"not in the config (invisible)\">absent</span>", out);
	else
		kmin_report_html_escape(out, v, 80);
}

static void write_change_table(FILE *out, const struct kmin_report *r, int cls, const char *title,
			       const char *id)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nchanges; i++)
		n += change_class(r->changes[i].before, r->changes[i].after) == cls;
	fprintf(out, "<h3 id=\"%s\">%s (%zu)</h3>\n", id, title, n);
	if (!n)
		return;
	fputs("<table class=\"diff\">\n<tr><th>symbol</th><th>base</th><th>final</th><th>why</th></tr>\n",
	      out);
	for (size_t i = 0; i < r->nchanges; i++) {
		const struct kmin_report_change *c = &r->changes[i];
		if (change_class(c->before, c->after) != cls)
			continue;
		fputs("<tr><td class=\"mono\">", out);
		ESC(out, c->name);
		fputs("</td><td class=\"mono\">", out);
		put_value(out, c->before);
		fputs("</td><td class=\"mono\">", out);
		put_value(out, c->after);
		if (c->step)
			fprintf(out, "</td><td>moved in step %lld</td></tr>\n", (long long)c->step);
		else
			fputs("</td><td class=\"zero\">followed (Kconfig)</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void write_config_diff(FILE *out, const struct kmin_report *r)
{
	fputs("<section id=\"config\">\n<h2>Final config against the base</h2>\n", out);
	if (!r->have_configs) {
		fputs("<p class=\"note\">The base or final config is not in the database.</p>\n"
		      "</section>\n", out);
		return;
	}
	if (!r->nchanges) {
		fputs("<p class=\"note\">The final config is the base config: no symbol differs.</p>\n"
		      "</section>\n", out);
		return;
	}
	fprintf(out, "<p class=\"note\">%zu symbols differ. &#8220;Moved&#8221; symbols were "
		"changed by an accepted step; the others followed through Kconfig "
		"dependencies and selects.</p>\n", r->nchanges);
	write_change_table(out, r, 0, "Turned off", "removed");
	write_change_table(out, r, 1, "Turned on", "added");
	write_change_table(out, r, 2, "Other values changed", "changed");
	fputs("</section>\n", out);
}

/* ---- every step ---- */

static void write_steps(FILE *out, const struct kmin_report *r)
{
	fputs("<section id=\"steps\">\n<h2>Steps</h2>\n", out);
	if (!r->nsteps) {
		fputs("<p class=\"note\">The run recorded no steps.</p>\n</section>\n", out);
		return;
	}
	fputs("<table>\n<tr><th class=\"num\">#</th><th>kind</th><th>moves</th>"
	      "<th class=\"num\">size</th><th class=\"num\">change</th>"
	      "<th style=\"min-width:10em\">result</th></tr>\n", out);
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct kmin_report_step *t = &r->steps[i];
		fprintf(out, "<tr class=\"%s\"><td class=\"num\">%lld</td><td><span class=\"kind %s\">"
			"%s</span></td><td class=\"mono moves\">", kind_class(t->kind),
			(long long)t->seq, kind_class(t->kind), kmin_step_kind_name(t->kind));
		ESC(out, t->moves);
		fputs("</td><td class=\"num\">", out);
		put_bytes(out, t->size);
		fputs("</td><td class=\"num\">", out);
		if (t->size >= 0 && (t->kind == KMIN_STEP_ACCEPT || t->kind == KMIN_STEP_REJECT))
			put_delta(out, -t->saving);
		fputs("</td><td>", out);
		kmin_report_html_escape(out, t->reason, 160);
		fputs(t->cached ? " <span class=\"zero\">(from the database)</span>" : "", out);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n</section>\n", out);
}

int kmin_report_write_html(FILE *out, const struct kmin_report *r, char *err, size_t errlen)
{
	write_head(out, r);
	fputs("<body>\n<main>\n", out);
	write_summary(out, r);
	write_run_facts(out, r);
	write_requirements(out, r);
	write_size_chart(out, r);
	write_savings(out, r);
	write_sections(out, r);
	write_config_diff(out, r);
	write_steps(out, r);
	fputs("<footer>written by kmin", out);
	if (r->version) {
		fputc(' ', out);
		ESC(out, r->version);
	}
	fputs("</footer>\n</main>\n</body>\n</html>\n", out);
	if (fflush(out) || ferror(out)) {
		if (err && errlen)
			snprintf(err, errlen, "%s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}
