/*
 * refs.c - the index of CONFIG_ symbols named by a kernel tree's code
 * (see refs.h).
 *
 * The scan walks the tree once with openat()/fdopendir() and reads the
 * files that kbuild compiles or reads (*.c, *.h, *.S, *.lds, Makefile*,
 * Kbuild*), collecting every token CONFIG_[A-Za-z0-9_]+.  Names found
 * only in the boot wrapper (arch/<arch>/boot/, the EFI zboot files)
 * are kept apart: they shape the compressed image, never vmlinux.  Each
 * set is a sorted array of names (without CONFIG_), searched by
 * bisection; the cache file holds one name per line, "NAME" for vmlinux
 * code and "NAME boot" for the boot wrapper only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmin/error.h"
#include "kmin/refs.h"

struct name_set {
	char **names;		/* sorted, unique (after set_seal); owned */
	size_t n, cap;
};

struct kmin_refs {
	struct name_set code;	/* named by code that goes into vmlinux */
	struct name_set boot;	/* named by the boot wrapper only (after sealing) */
};

static int set_add(struct name_set *r, const char *name, size_t len)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 4096;
		char **v = realloc(r->names, cap * sizeof(*v));
		if (!v)
			return -1;
		r->names = v;
		r->cap = cap;
	}
	r->names[r->n] = strndup(name, len);
	return r->names[r->n] ? (r->n++, 0) : -1;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop duplicates. */
static void set_seal(struct name_set *r)
{
	size_t k = 0;

	if (r->n > 1)
		qsort(r->names, r->n, sizeof(*r->names), name_cmp);
	for (size_t i = 0; i < r->n; i++) {
		if (k && !strcmp(r->names[k - 1], r->names[i])) {
			free(r->names[i]);
			continue;
		}
		r->names[k++] = r->names[i];
	}
	r->n = k;
}

static bool is_word(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static bool set_has(const struct name_set *r, const char *name)
{
	return r->n && bsearch(&name, r->names, r->n, sizeof(*r->names), name_cmp);
}

static void set_free(struct name_set *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->names[i]);
	free(r->names);
}

/* Seal both sets; a name in vmlinux code is not also a boot-only name. */
static int refs_seal(struct kmin_refs *r)
{
	size_t k = 0;

	set_seal(&r->code);
	set_seal(&r->boot);
	for (size_t i = 0; i < r->boot.n; i++) {
		if (set_has(&r->code, r->boot.names[i]))
			free(r->boot.names[i]);
		else
			r->boot.names[k++] = r->boot.names[i];
	}
	r->boot.n = k;
	return 0;
}

/* Every CONFIG_ token of buf. */
static int scan_text(struct name_set *r, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while ((p = memmem(p, (size_t)(end - p), "CONFIG_", 7))) {
		const char *s = p + 7, *e = s;
		bool starts_word = p == buf || !is_word(p[-1]);

		while (e < end && is_word(*e))
			e++;
		p = e;
		if (!starts_word || e == s)
			continue;
		if (set_add(r, s, (size_t)(e - s)))
			return -1;
		/* CONFIG_X_MODULE names X (and maybe a symbol X_MODULE: both are kept) */
		if (e - s > 7 && !memcmp(e - 7, "_MODULE", 7) && set_add(r, s, (size_t)(e - s - 7)))
			return -1;
	}
	return 0;
}

static bool wanted_file(const char *name)
{
	size_t n = strlen(name);

	if (!strncmp(name, "Makefile", 8) || !strncmp(name, "Kbuild", 6))
		return true;
	if (n > 2 && name[n - 2] == '.' && strchr("chS", name[n - 1]))
		return true;
	return n > 4 && !strcmp(name + n - 4, ".lds");
}

static int scan_file(struct name_set *r, int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	ssize_t got = 0;
	int rc = 0;

	if (fd < 0)
		return 0;	/* unreadable: nothing kbuild could read either */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return 0;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		close(fd);
		return -1;
	}
	while (got < st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)(st.st_size - got));
		if (k <= 0)
			break;
		got += k;
	}
	close(fd);
	rc = scan_text(r, buf, (size_t)got);
	free(buf);
	return rc;
}

/* Directories at the top that are not the kernel's code, and arches not ours. */
static bool skip_dir(const char *rel, const char *name, const char *srcarch)
{
	if (name[0] == '.')
		return true;
	if (!*rel)
		return !strcmp(name, "Documentation") || !strcmp(name, "tools");
	if (!strcmp(rel, "arch"))
		return strcmp(name, srcarch) != 0;
	return false;
}

/* The boot wrapper: arch/<arch>/boot/ and the EFI zboot decompressor. */
static bool is_boot(const char *rel, const char *name, const char *srcarch)
{
	size_t n = strlen(srcarch);

	if (!strncmp(rel, "arch/", 5) && !strncmp(rel + 5, srcarch, n) &&
	    !strncmp(rel + 5 + n, "/boot", 5) && (!rel[10 + n] || rel[10 + n] == '/'))
		return true;
	/* the EFI zboot decompressor (Makefile.zboot, zboot.c, zboot-header.S) */
	return name && (!strncmp(name, "zboot", 5) || !strcmp(name, "Makefile.zboot"));
}

static int scan_dir(struct kmin_refs *r, int fd, const char *rel, const char *srcarch,
		    int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		close(fd);
		return 0;
	}
	while (!rc && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type == DT_DIR) {
			char sub[PATH_MAX];
			int subfd;
			if (depth > 32 || skip_dir(rel, e->d_name, srcarch))
				continue;
			if ((size_t)snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
					     e->d_name) >= sizeof(sub))
				continue;	/* a name too long for a kernel path */
			subfd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (subfd < 0)
				continue;
			rc = scan_dir(r, subfd, sub, srcarch, depth + 1);
		} else if ((e->d_type == DT_REG || e->d_type == DT_UNKNOWN) && wanted_file(e->d_name)) {
			rc = scan_file(is_boot(rel, e->d_name, srcarch) ? &r->boot : &r->code,
				       dirfd(d), e->d_name);
		}
	}
	closedir(d);
	return rc;
}

static int cache_read(struct kmin_refs *r, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[512];
	int rc = 0;

	if (!f)
		return 1;
	while (!rc && fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, " \n");
		if (n)
			rc = set_add(strncmp(line + n, " boot", 5) ? &r->code : &r->boot, line, n);
	}
	if (ferror(f))
		rc = -1;
	fclose(f);
	return rc;
}

/* Write to PATH.tmp and rename: a reader sees the whole index or none. */
static void cache_write(const struct kmin_refs *r, const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;
	bool ok;

	if (snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof(tmp))
		return;
	f = fopen(tmp, "we");
	if (!f)
		return;
	for (size_t i = 0; i < r->code.n; i++)
		fprintf(f, "%s\n", r->code.names[i]);
	for (size_t i = 0; i < r->boot.n; i++)
		fprintf(f, "%s boot\n", r->boot.names[i]);
	ok = !ferror(f);
	ok = !fclose(f) && ok;
	if (!ok || rename(tmp, path))
		unlink(tmp);
}

int kmin_refs_load(struct kmin_refs **out, const char *source, const char *srcarch,
		   const char *cache_path, char *err, size_t errlen)
{
	struct kmin_refs *r = calloc(1, sizeof(*r));
	int rc, fd;

	*out = NULL;
	if (!r)
		return kmin_errf(err, errlen, "out of memory");
	rc = cache_path ? cache_read(r, cache_path) : 1;
	if (rc > 0) {
		fd = open(source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			kmin_refs_free(r);
			return kmin_errf(err, errlen, "cannot read '%s': %s", source, strerror(errno));
		}
		rc = scan_dir(r, fd, "", srcarch, 0);
		if (!rc && !(rc = refs_seal(r))) {
			if (cache_path)
				cache_write(r, cache_path);
		}
	} else if (!rc) {
		rc = refs_seal(r);
	}
	if (rc) {
		kmin_refs_free(r);
		return kmin_errf(err, errlen, "out of memory indexing '%s'", source);
	}
	*out = r;
	return 0;
}

bool kmin_refs_has(const struct kmin_refs *refs, const char *symbol)
{
	return set_has(&refs->code, symbol) || set_has(&refs->boot, symbol);
}

bool kmin_refs_in_vmlinux(const struct kmin_refs *refs, const char *symbol)
{
	return set_has(&refs->code, symbol);
}

size_t kmin_refs_count(const struct kmin_refs *refs)
{
	return refs->code.n + refs->boot.n;
}

void kmin_refs_free(struct kmin_refs *refs)
{
	if (!refs)
		return;
	set_free(&refs->code);
	set_free(&refs->boot);
	free(refs);
}
