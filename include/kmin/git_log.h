/*
 * git_log.h - what happened in a git work tree between two commits, for
 * `kmin nightly`: the commits (as `git log OLD..NEW`: count, short ids and
 * subjects) and the paths changed (as `git diff --name-only OLD NEW`).
 *
 * Both read the repository whose work tree is exactly `repo_path` (as
 * kernel_id.c recognises a git kernel tree) with libgit2; nothing is
 * written.  Commits are given as full hex ids.
 *
 * Errors: 0 or -1 with a message in the caller's err[errlen] (a commit
 * that is not in the repository any more, after a force push and gc, is
 * an error).  Ownership: the lists are the caller's, freed with their
 * _clear().
 */
#ifndef KMIN_GIT_LOG_H
#define KMIN_GIT_LOG_H

#include <stddef.h>

struct kmin_git_commit {
	char id[41];			/* full hex id */
	char short_id[41];		/* unique abbreviation, as git log --oneline */
	char *subject;			/* first line of the message */
};

struct kmin_git_log {
	struct kmin_git_commit *commits;	/* newest first, at most `max` of them */
	size_t n;			/* entries in commits */
	size_t total;			/* commits in OLD..NEW, also those not listed */
};

/*
 * The commits reachable from `to` but not from `from` (git log from..to),
 * newest first; at most max of them are listed, all are counted.
 */
int kmin_git_log_between(const char *repo_path, const char *from, const char *to, size_t max,
			 struct kmin_git_log *out, char *err, size_t errlen);
void kmin_git_log_clear(struct kmin_git_log *log);

struct kmin_git_paths {
	char **paths;			/* repository-relative, '/'-separated */
	size_t n;
};

/*
 * Every path that differs between the trees of commits from and to (both
 * sides of a rename are listed).
 */
int kmin_git_changed_paths(const char *repo_path, const char *from, const char *to,
			   struct kmin_git_paths *out, char *err, size_t errlen);
void kmin_git_paths_clear(struct kmin_git_paths *p);

#endif
