/*
 * nightly.c - what `kmin nightly` decides without printing (nightly.h).
 *
 * A nightly job is cheap only if it rebuilds nothing when nothing changed.
 * The build cache keys results on the kernel's identity, which for a git
 * tree is its commit: a new commit is a new kernel, even when it only
 * touched a README.  So before running a job, nightly asks here whether
 * last night's result still holds:
 *
 *   - the same identity (commit, and the same dirty state) and the same
 *     compiler: it holds, nothing to build;
 *   - another commit, both trees clean, same compiler: the two commits'
 *     trees are compared (git_log.h) and if every changed path is one the
 *     build never reads, it holds.  "Never reads" is a short list of
 *     documentation and repository metadata, on purpose: a file not on it
 *     (a C file whose change is only a comment, a Kconfig help text) is
 *     taken as read and the job runs; the cost of a wrong "holds" would be
 *     a wrong size in the history, the cost of a needless run is a few
 *     builds that the warm start keeps small.
 *
 * Also here: the symbols a new kernel turns on by default (in the
 * olddefconfig of last night's config on the new tree, and not named by
 * that config), and the growth threshold.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmin/file.h"
#include "kmin/error.h"
#include "kmin/git_log.h"
#include "kmin/nightly.h"

/* ---- threshold ---- */

int kmin_threshold_parse(const char *s, struct kmin_threshold *out)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0 || !isfinite(v))
		return -1;
	out->percent = *end == '%';
	if (out->percent)
		end++;
	if (*end)
		return -1;
	if (!out->percent && v != floor(v))
		return -1;	/* bytes are whole */
	out->value = v;
	return 0;
}

bool kmin_threshold_exceeded(const struct kmin_threshold *t, int64_t before, int64_t after)
{
	double limit = t->percent ? (double)before * t->value / 100.0 : t->value;

	return after > before && (double)(after - before) > limit;
}

/* ---- which paths the build never reads ---- */

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

bool kmin_nightly_path_is_inert(const char *path)
{
	static const char *const top_files[] = { "COPYING", "CREDITS", "MAINTAINERS", ".mailmap",
						  NULL };
	static const char *const any_files[] = { ".gitignore", ".gitattributes", NULL };
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (!strncmp(path, "Documentation/", 14) || !strncmp(path, "LICENSES/", 9))
		return true;
	for (size_t i = 0; top_files[i]; i++)
		if (!strcmp(path, top_files[i]))
			return true;
	for (size_t i = 0; any_files[i]; i++)
		if (!strcmp(base, any_files[i]))
			return true;
	if (!strcmp(base, "README") || !strncmp(base, "README.", 7))
		return true;
	return has_suffix(base, ".rst") || has_suffix(base, ".md");
}

/* ---- may last night's result be reused? ---- */

static bool same_text(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

int kmin_nightly_reuse(const struct kmin_night *last, const struct kmin_kernel_id *now,
		       const char *toolchain_ident, struct kmin_reuse_answer *out, char *err,
		       size_t errlen)
{
	struct kmin_git_paths paths;
	char derr[512];
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!same_text(last->toolchain_ident, toolchain_ident)) {
		snprintf(out->why, sizeof(out->why), "the compiler changed");
		return 0;
	}
	if (same_text(last->kernel_ident, now->ident)) {
		out->reuse = KMIN_REUSE_SAME_TREE;
		snprintf(out->why, sizeof(out->why), "same tree (%s)", now->ident);
		return 0;
	}
	if (!now->git || now->dirty || last->dirty || !last->commit || !*now->commit) {
		snprintf(out->why, sizeof(out->why), "the tree changed");
		return 0;
	}
	if (kmin_git_changed_paths(now->path, last->commit, now->commit, &paths, derr,
				   sizeof(derr))) {
		snprintf(out->why, sizeof(out->why), "cannot compare with the last night: %.200s", derr);
		return 0;
	}
	(void)err;
	(void)errlen;
	out->changed = paths.n;
	for (i = 0; i < paths.n && kmin_nightly_path_is_inert(paths.paths[i]); i++)
		;
	if (paths.n == 0) {
		out->reuse = KMIN_REUSE_INERT;
		snprintf(out->why, sizeof(out->why), "no file differs from the last night's commit");
	} else if (i == paths.n) {
		out->reuse = KMIN_REUSE_INERT;
		snprintf(out->why, sizeof(out->why), "%zu changed path%s, none read by the build",
			 paths.n, paths.n == 1 ? "" : "s");
	} else {
		snprintf(out->why, sizeof(out->why), "%zu changed path%s, e.g. '%s'", paths.n,
			 paths.n == 1 ? "" : "s", paths.paths[i]);
	}
	kmin_git_paths_clear(&paths);
	return 0;
}

/* ---- new symbols on by default ---- */

/*
 * The symbol a .config line names ("CONFIG_X=..." or "# CONFIG_X is not
 * set"): start and length, or NULL.  *on tells whether the value is y or m.
 */
static const char *line_symbol(const char *line, size_t len, size_t *n, bool *on)
{
	const char *p = line, *end = line + len, *s;

	*on = false;
	if (len > 9 && !strncmp(p, "# CONFIG_", 9)) {
		s = p + 9;
		for (p = s; p < end && *p != ' '; p++)
			;
		if (end - p < 11 || strncmp(p, " is not set", 11))
			return NULL;
		*n = (size_t)(p - s);
		return *n ? s : NULL;
	}
	if (len < 8 || strncmp(p, "CONFIG_", 7))
		return NULL;
	s = p + 7;
	for (p = s; p < end && *p != '='; p++)
		;
	if (p == end || p == s)
		return NULL;
	*n = (size_t)(p - s);
	*on = end - p >= 2 && (p[1] == 'y' || p[1] == 'm') && (end - p == 2 || isspace((unsigned char)p[2]));
	return s;
}

/* Does text name the symbol s[0..n)? */
static bool names_symbol(const char *text, const char *s, size_t n)
{
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line), m;
		bool on;
		const char *t = line_symbol(line, len, &m, &on);

		if (t && m == n && !strncmp(t, s, n))
			return true;
		if (!nl)
			break;
		line = nl + 1;
	}
	return false;
}

int kmin_nightly_new_symbols(const char *old_config, const char *new_config, char ***names,
			     size_t *n)
{
	*names = NULL;
	*n = 0;
	for (const char *line = new_config; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line), m;
		bool on;
		const char *s = line_symbol(line, len, &m, &on);

		if (s && on && !names_symbol(old_config, s, m)) {
			char **v = realloc(*names, (*n + 1) * sizeof(*v));
			if (!v || !(v[*n] = strndup(s, m))) {
				if (v)
					*names = v;
				kmin_nightly_names_free(*names, *n);
				*names = NULL;
				*n = 0;
				return -1;
			}
			*names = v;
			(*n)++;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return 0;
}

void kmin_nightly_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int kmin_nightly_olddefconfig(struct kconfig *kc, const char *scratch, const char *config,
			      char **out, char *err, size_t errlen)
{
	struct kconfig_target_options t = { 0 };
	char in[4200], res[4200];
	FILE *f;

	*out = NULL;
	snprintf(in, sizeof(in), "%s/nightly-last.config", scratch);
	snprintf(res, sizeof(res), "%s/nightly-new.config", scratch);
	f = fopen(in, "we");
	if (!f)
		return kmin_errf(err, errlen, "cannot write '%s'", in);
	if ((fputs(config, f) < 0) | (fclose(f) != 0))
		return kmin_errf(err, errlen, "cannot write '%s'", in);
	t.input = in;
	if (kconfig_target_run(kc, KCONFIG_TARGET_OLDDEFCONFIG, &t) ||
	    kconfig_config_write(kc, res))
		return kmin_errf(err, errlen, "%s", kconfig_errmsg(kc));
	if (!(*out = kmin_file_read(res, NULL)))
		return kmin_errf(err, errlen, "cannot read '%s'", res);
	return 0;
}
