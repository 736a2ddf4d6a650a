/*
 * kernel_id.c - the identity of a kernel source tree (see kernel_id.h).
 *
 * Called once per kmin run, before the first build, by whoever opens the
 * results store for a tree (the build command, the search).  Two cases:
 *
 *   - a git work tree: libgit2 gives HEAD, `describe --tags --dirty` and
 *     the status; if anything is changed, the changed paths and their
 *     work-tree content are hashed so two different dirty states never
 *     share results;
 *   - anything else (the unpacked linux-source tarball): every entry is
 *     stat'ed in a sorted, depth-first walk with openat/fstatat and the
 *     (path, type, mode, size, mtime) list is hashed.  Content is not read,
 *     so the walk costs one fstatat per entry (~80k on 6.1).
 *
 * SHA-256 comes from OpenSSL's EVP interface.  Nothing is cached: no
 * cheap key (path plus top-level mtime, say) changes when a file deep in
 * the tree is edited, so a cache could hand out stale results.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <openssl/evp.h>

#include "kmin/error.h"
#include "kmin/kernel.h"
#include "kmin/kernel_id.h"

static void hex_digest(EVP_MD_CTX *ctx, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(ctx, md, &n);
	for (unsigned int i = 0; i < n && i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

/* ---- plain trees: a sorted walk hashing (path, type, mode, size, mtime) ---- */

struct walk {
	EVP_MD_CTX *ctx;
	char path[PATH_MAX];	/* relative path of the current directory, "" at the top */
	size_t files;
	char *err;
	size_t errlen;
	const char *top;
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory fd (not . and ..), sorted; *names freed by the caller. */
static int read_names(int fd, char ***names, size_t *n)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!d) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (*n == cap) {
			char **nn = realloc(*names, (cap = cap ? 2 * cap : 64) * sizeof(*nn));
			if (!nn)
				break;
			*names = nn;
		}
		if (!((*names)[*n] = strdup(e->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	if (e)
		return -1;
	qsort(*names, *n, sizeof(**names), name_cmp);
	return 0;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int walk_dir(struct walk *w, int dfd);

/* Hash one entry of directory dfd; descend into directories. */
static int walk_entry(struct walk *w, int dfd, const char *name)
{
	size_t base = strlen(w->path);
	struct stat st;
	char line[PATH_MAX + 128], target[PATH_MAX];
	int n, rc = 0;

	if (base + strlen(name) + 2 >= sizeof(w->path))
		return kmin_errf(w->err, w->errlen, "path too long under '%s'", w->top);
	snprintf(w->path + base, sizeof(w->path) - base, "%s%s", base ? "/" : "", name);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = kmin_errf(w->err, w->errlen, "cannot stat '%s/%s': %s", w->top, w->path,
			  strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		n = snprintf(line, sizeof(line), "%s%cd %o\n", w->path, 0, st.st_mode & 07777);
	} else {
		n = snprintf(line, sizeof(line), "%s%c%c %o %lld %lld.%09ld\n", w->path, 0,
			     S_ISREG(st.st_mode) ? 'f' : S_ISLNK(st.st_mode) ? 'l' : 'o',
			     st.st_mode & 07777, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			     st.st_mtim.tv_nsec);
	}
	EVP_DigestUpdate(w->ctx, line, (size_t)n);
	w->files++;
	if (S_ISLNK(st.st_mode)) {
		ssize_t t = readlinkat(dfd, name, target, sizeof(target));
		if (t > 0)
			EVP_DigestUpdate(w->ctx, target, (size_t)t);
	} else if (S_ISDIR(st.st_mode)) {
		int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			rc = kmin_errf(w->err, w->errlen, "cannot open '%s/%s': %s", w->top, w->path,
				  strerror(errno));
		else
			rc = walk_dir(w, fd);
	}
out:
	w->path[base] = '\0';
	return rc;
}

/* Walk the directory open at dfd (taken over and closed). */
static int walk_dir(struct walk *w, int dfd)
{
	char **names = NULL;
	size_t n = 0;
	int rfd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);	/* read_names() hands its fd to closedir() */
	int rc = 0;

	if (rfd < 0 || read_names(rfd, &names, &n) < 0)
		rc = kmin_errf(w->err, w->errlen, "cannot read directory '%s/%s': %s", w->top, w->path,
			  strerror(errno));
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = walk_entry(w, dfd, names[i]);
	close(dfd);
	free_names(names, n);
	return rc;
}

static int tree_fingerprint(struct kmin_kernel_id *out, const char *srctree, char *err,
			    size_t errlen)
{
	struct walk w = { .err = err, .errlen = errlen, .top = srctree };
	int fd, rc;

	w.ctx = EVP_MD_CTX_new();
	if (!w.ctx || !EVP_DigestInit_ex(w.ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(w.ctx);
		return kmin_errf(err, errlen, "cannot hash '%s': libcrypto failed", srctree);
	}
	fd = open(srctree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = fd < 0 ? kmin_errf(err, errlen, "cannot open '%s': %s", srctree, strerror(errno))
		    : walk_dir(&w, fd);
	if (rc == 0) {
		hex_digest(w.ctx, out->fingerprint);
		out->files = w.files;
	}
	EVP_MD_CTX_free(w.ctx);
	return rc;
}

/* ---- git work trees ---- */

static int git_fail(char *err, size_t errlen, const char *what, const char *srctree)
{
	const git_error *e = git_error_last();

	return kmin_errf(err, errlen, "%s '%s': %s", what, srctree, e && e->message ? e->message : "libgit2 error");
}

/* Hash the work-tree state of one path: its content, link target or absence. */
static void hash_workdir_file(EVP_MD_CTX *ctx, const char *workdir, const char *path)
{
	char full[PATH_MAX * 2], buf[65536];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(full, sizeof(full), "%s%s", workdir, path);
	if (lstat(full, &st) < 0) {
		EVP_DigestUpdate(ctx, "deleted\n", 8);
		return;
	}
	n = snprintf(buf, sizeof(buf), "%o %lld\n", st.st_mode & 0170777, (long long)st.st_size);
	EVP_DigestUpdate(ctx, buf, (size_t)n);
	if (S_ISLNK(st.st_mode)) {
		n = readlink(full, buf, sizeof(buf));
		if (n > 0)
			EVP_DigestUpdate(ctx, buf, (size_t)n);
		return;
	}
	if (!S_ISREG(st.st_mode) || (fd = open(full, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	close(fd);
}

/* The path of a status entry (work-tree side if it has one). */
static const char *status_path(const git_status_entry *e)
{
	if (e->index_to_workdir && e->index_to_workdir->new_file.path)
		return e->index_to_workdir->new_file.path;
	if (e->head_to_index && e->head_to_index->new_file.path)
		return e->head_to_index->new_file.path;
	return "";
}

/* dirty flag and fingerprint from git status (ignored files excepted). */
static int git_dirty_state(struct kmin_kernel_id *out, git_repository *repo, const char *srctree,
			   char *err, size_t errlen)
{
	git_status_options opts;
	git_status_list *list = NULL;
	const char *workdir = git_repository_workdir(repo);
	EVP_MD_CTX *ctx;
	size_t n;

	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		     GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX | GIT_STATUS_OPT_SORT_CASE_SENSITIVELY;
	if (git_status_list_new(&list, repo, &opts) < 0)
		return git_fail(err, errlen, "cannot read the git status of", srctree);
	n = git_status_list_entrycount(list);
	out->dirty = n > 0;
	if (!out->dirty) {
		git_status_list_free(list);
		return 0;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(ctx);
		git_status_list_free(list);
		return kmin_errf(err, errlen, "cannot hash '%s': libcrypto failed", srctree);
	}
	for (size_t i = 0; i < n; i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		const char *path = status_path(e);
		char head[32];
		int len = snprintf(head, sizeof(head), "%c%x%c", 0, (unsigned)e->status, 0);

		EVP_DigestUpdate(ctx, path, strlen(path));
		EVP_DigestUpdate(ctx, head, (size_t)len);
		if (e->head_to_index && e->head_to_index->old_file.path)
			EVP_DigestUpdate(ctx, e->head_to_index->old_file.path,
					 strlen(e->head_to_index->old_file.path) + 1);
		hash_workdir_file(ctx, workdir, path);
	}
	hex_digest(ctx, out->fingerprint);
	out->files = n;
	EVP_MD_CTX_free(ctx);
	git_status_list_free(list);
	return 0;
}

static void git_head(struct kmin_kernel_id *out, git_repository *repo)
{
	git_describe_options dopts;
	git_describe_format_options fopts;
	git_describe_result *res = NULL;
	git_buf buf = { 0 };
	git_oid oid;

	if (git_reference_name_to_id(&oid, repo, "HEAD") < 0)
		return;		/* no commit yet: commit and describe stay "" */
	git_oid_tostr(out->commit, sizeof(out->commit), &oid);
	git_describe_options_init(&dopts, GIT_DESCRIBE_OPTIONS_VERSION);
	git_describe_format_options_init(&fopts, GIT_DESCRIBE_FORMAT_OPTIONS_VERSION);
	dopts.describe_strategy = GIT_DESCRIBE_TAGS;
	dopts.show_commit_oid_as_fallback = 1;
	fopts.dirty_suffix = "-dirty";
	if (git_describe_workdir(&res, repo, &dopts) == 0 &&
	    git_describe_format(&buf, res, &fopts) == 0)
		snprintf(out->describe, sizeof(out->describe), "%s", buf.ptr);
	git_buf_dispose(&buf);
	git_describe_result_free(res);
}

/* Is srctree itself the top of repo's work tree? */
static bool is_top(git_repository *repo, const char *srctree)
{
	const char *workdir = git_repository_workdir(repo);
	char a[PATH_MAX], b[PATH_MAX];

	return workdir && realpath(workdir, a) && realpath(srctree, b) && !strcmp(a, b);
}

/* 1 and the git fields filled if srctree is a git work tree, 0 if not, -1 on error. */
static int git_identity(struct kmin_kernel_id *out, const char *srctree, char *err, size_t errlen)
{
	git_repository *repo = NULL;
	int rc = git_repository_open_ext(&repo, srctree, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);

	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return git_fail(err, errlen, "cannot open the git repository", srctree);
	if (git_repository_is_bare(repo) || !is_top(repo, srctree)) {
		git_repository_free(repo);
		return 0;
	}
	out->git = true;
	git_head(out, repo);
	rc = git_dirty_state(out, repo, srctree, err, errlen);
	git_repository_free(repo);
	return rc < 0 ? -1 : 1;
}

int kmin_kernel_id_compute(struct kmin_kernel_id *out, const char *srctree, char *err,
			   size_t errlen)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (strlen(srctree) >= sizeof(out->path))
		return kmin_errf(err, errlen, "path too long: '%s'", srctree);
	snprintf(out->path, sizeof(out->path), "%s", srctree);
	if (kmin_kernel_version(srctree, out->version, sizeof(out->version), err, errlen) < 0)
		return -1;
	git_libgit2_init();
	rc = git_identity(out, srctree, err, errlen);
	git_libgit2_shutdown();
	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (tree_fingerprint(out, srctree, err, errlen) < 0)
			return -1;
		snprintf(out->ident, sizeof(out->ident), "tree:%s", out->fingerprint);
	} else if (out->dirty) {
		snprintf(out->ident, sizeof(out->ident), "git:%s+%s",
			 *out->commit ? out->commit : "none", out->fingerprint);
	} else {
		snprintf(out->ident, sizeof(out->ident), "git:%s", *out->commit ? out->commit : "none");
	}
	return 0;
}

const char *kmin_kernel_id_label(const struct kmin_kernel_id *id)
{
	return id->git && *id->describe ? id->describe : id->version;
}
