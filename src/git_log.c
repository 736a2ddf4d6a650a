/*
 * git_log.c - commits and changed paths between two commits of a kernel
 * tree (git_log.h), with libgit2.
 *
 * Called by `kmin nightly` once per tracked job and night: a revwalk from
 * the new HEAD that hides the previous night's commit gives the commits in
 * between (nightly prints their count and subjects), and a tree-to-tree
 * diff gives the changed paths (nightly decides from them whether the
 * previous result still holds).  Both are cheap next to a build: the walk
 * reads one object per commit, the diff only the trees that differ.
 *
 * libgit2 is initialised and shut down around each call (reference
 * counted by libgit2), as kernel_id.c does, so no global state is left.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "kmin/error.h"
#include "kmin/git_log.h"

static int git_log_fail(char *err, size_t errlen, const char *what, const char *path)
{
	const git_error *e = git_error_last();

	return kmin_errf(err, errlen, "%s '%s': %s", what, path,
			 e && e->message ? e->message : "libgit2 error");
}

static int open_repo(git_repository **repo, const char *path, char *err, size_t errlen)
{
	if (git_repository_open_ext(repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return git_log_fail(err, errlen, "cannot open the git repository", path);
	return 0;
}

static int parse_oid(git_oid *oid, const char *hex, const char *path, char *err, size_t errlen)
{
	if (!hex || git_oid_fromstr(oid, hex) < 0)
		return kmin_errf(err, errlen, "'%s' is not a commit id (in '%s')", hex ? hex : "",
				 path);
	return 0;
}

/* First line of a commit's message, malloc'ed. */
static char *subject_of(const git_commit *c)
{
	const char *m = git_commit_summary((git_commit *)c);

	return strdup(m ? m : "");
}

static int add_commit(git_repository *repo, const git_oid *oid, struct kmin_git_log *out,
		      size_t max)
{
	struct kmin_git_commit *e;
	git_commit *c = NULL;
	git_buf buf = { 0 };

	out->total++;
	if (out->n >= max)
		return 0;
	if (git_commit_lookup(&c, repo, oid) < 0)
		return -1;
	e = &out->commits[out->n];
	git_oid_tostr(e->id, sizeof(e->id), oid);
	if (git_object_short_id(&buf, (const git_object *)c) == 0 && buf.ptr)
		snprintf(e->short_id, sizeof(e->short_id), "%s", buf.ptr);
	else
		snprintf(e->short_id, sizeof(e->short_id), "%.7s", e->id);
	git_buf_dispose(&buf);
	e->subject = subject_of(c);
	git_commit_free(c);
	if (!e->subject)
		return -1;
	out->n++;
	return 0;
}

static int walk(git_repository *repo, const char *path, const char *from, const char *to,
		size_t max, struct kmin_git_log *out, char *err, size_t errlen)
{
	git_revwalk *w = NULL;
	git_oid a, b, oid;
	int rc;

	if (parse_oid(&a, from, path, err, errlen) || parse_oid(&b, to, path, err, errlen))
		return -1;
	if (max && !(out->commits = calloc(max, sizeof(*out->commits))))
		return kmin_errf(err, errlen, "out of memory");
	if (git_revwalk_new(&w, repo) < 0 ||
	    git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) < 0 ||
	    git_revwalk_push(w, &b) < 0) {
		git_revwalk_free(w);
		return git_log_fail(err, errlen, "cannot walk the history of", path);
	}
	if (git_revwalk_hide(w, &a) < 0) {
		git_revwalk_free(w);
		return kmin_errf(err, errlen, "commit %.12s is not in '%s' any more", from, path);
	}
	while ((rc = git_revwalk_next(&oid, w)) == 0)
		if (add_commit(repo, &oid, out, max) < 0)
			break;
	git_revwalk_free(w);
	if (rc != GIT_ITEROVER)
		return git_log_fail(err, errlen, "cannot read the commits of", path);
	return 0;
}

int kmin_git_log_between(const char *repo_path, const char *from, const char *to, size_t max,
			 struct kmin_git_log *out, char *err, size_t errlen)
{
	git_repository *repo = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	git_libgit2_init();
	rc = open_repo(&repo, repo_path, err, errlen);
	if (rc == 0)
		rc = walk(repo, repo_path, from, to, max, out, err, errlen);
	git_repository_free(repo);
	git_libgit2_shutdown();
	if (rc)
		kmin_git_log_clear(out);
	return rc;
}

void kmin_git_log_clear(struct kmin_git_log *log)
{
	if (!log)
		return;
	for (size_t i = 0; i < log->n; i++)
		free(log->commits[i].subject);
	free(log->commits);
	memset(log, 0, sizeof(*log));
}

/* ---- changed paths ---- */

static int add_path(struct kmin_git_paths *p, const char *path)
{
	char **v;

	if (!path)
		return 0;
	if (p->n && !strcmp(p->paths[p->n - 1], path))
		return 0;
	v = realloc(p->paths, (p->n + 1) * sizeof(*v));
	if (!v)
		return -1;
	p->paths = v;
	if (!(p->paths[p->n] = strdup(path)))
		return -1;
	p->n++;
	return 0;
}

static int tree_of(git_tree **tree, git_repository *repo, const git_oid *oid)
{
	git_commit *c = NULL;
	int rc = git_commit_lookup(&c, repo, oid);

	if (rc == 0)
		rc = git_commit_tree(tree, c);
	git_commit_free(c);
	return rc;
}

static int diff_paths(git_repository *repo, const char *path, const char *from, const char *to,
		      struct kmin_git_paths *out, char *err, size_t errlen)
{
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	git_oid a, b;
	int rc = 0;

	if (parse_oid(&a, from, path, err, errlen) || parse_oid(&b, to, path, err, errlen))
		return -1;
	if (tree_of(&ta, repo, &a) < 0 || tree_of(&tb, repo, &b) < 0 ||
	    git_diff_tree_to_tree(&diff, repo, ta, tb, NULL) < 0) {
		rc = git_log_fail(err, errlen, "cannot compare commits in", path);
		goto out;
	}
	for (size_t i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (add_path(out, d->old_file.path) < 0 ||
		    (d->new_file.path && strcmp(d->new_file.path, d->old_file.path ? d->old_file.path : "") &&
		     add_path(out, d->new_file.path) < 0)) {
			rc = kmin_errf(err, errlen, "out of memory");
			break;
		}
	}
out:
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	return rc;
}

int kmin_git_changed_paths(const char *repo_path, const char *from, const char *to,
			   struct kmin_git_paths *out, char *err, size_t errlen)
{
	git_repository *repo = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	git_libgit2_init();
	rc = open_repo(&repo, repo_path, err, errlen);
	if (rc == 0)
		rc = diff_paths(repo, repo_path, from, to, out, err, errlen);
	git_repository_free(repo);
	git_libgit2_shutdown();
	if (rc)
		kmin_git_paths_clear(out);
	return rc;
}

void kmin_git_paths_clear(struct kmin_git_paths *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->paths[i]);
	free(p->paths);
	memset(p, 0, sizeof(*p));
}
