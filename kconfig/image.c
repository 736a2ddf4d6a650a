/*
 * image.c - parsed Kconfig trees kept on disk, so that a warm
 * kconfig_open() maps the tree instead of parsing it.
 *
 * Who calls it: kconfig.c (kconfig_open, kconfig_free), the lexer and the
 * parser (every file they read is noted as a dependency), when
 * opts.shell_cache_dir is set: images live next to the $(shell,...)
 * answers, so removing that cache removes them too.
 *
 * Why: parsing, finalizing and checking ~1,700 files of arm costs ~190M
 * instructions and ~1,650 open/read/close calls: three quarters of a warm
 * `kmin config olddefconfig`.  A loaded image costs one mmap and one
 * stat() per file read while parsing.
 *
 * How: everything a parse builds lives in the context's arena, and the
 * context itself is a few pages.  When an image may be written, the
 * context and its arena are placed in one private anonymous mapping at a
 * fixed address (KC_IMAGE_BASE), so the whole parsed tree is one
 * contiguous memory image whose internal pointers are valid at that
 * address.  Storing writes those bytes; loading maps the file privately
 * (copy on write) at the same address, and the tree is there, pointers
 * and all.  Fields that point outside (options, the preprocessor, the
 * arena's bookkeeping, this file's state) are cleared in the stored copy
 * and set afresh on load.
 *
 * When an image is used, and why a stale one cannot give a wrong result:
 *   - The header carries the whole key, compared byte for byte (the file
 *     name is a hash of it): the program (its ELF build-id: any code
 *     change, any layout change), srctree,
 *     the top Kconfig file, the whole environment given to the engine,
 *     the $(shell,...) working directory and salt (kmin's toolchain
 *     fingerprint), and the current directory when a path is relative.
 *     No build-id: no images.
 *   - Every file the parse read (each Kconfig file, the top Makefile the
 *     dialect comes from) is listed with device, inode, size, mtime and
 *     ctime; a load stat()s each and any difference is a miss.  A file
 *     changed less than two seconds before the parse started could change
 *     again within the same timestamp tick, so such a parse stores no image
 *     (git's "racy" entries).
 *   - $(shell,...) answers are frozen in the image exactly as the
 *     $(shell,...) cache of the same directory freezes them (same key
 *     material); emptying that directory empties both.
 *   - Before storing, every 8-byte word of the image (pointers are 8-byte
 *     aligned in the arena's 16-byte aligned objects) is checked: a value
 *     that points into any readable mapping of the process other than the
 *     image itself (the program's constants, the heap, the stack,
 *     libraries; not sanitizer shadow memory, see kc_image_mappings)
 *     means the image is not self-contained, and nothing is stored.  A
 *     string that happens to look like such a pointer costs the image,
 *     never correctness.
 *   - A load maps at KC_IMAGE_BASE or not at all (MAP_FIXED_NOREPLACE,
 *     then a plain hint); a second context in the same process, or
 *     anything else at that address, just parses.
 *   - Files are written to a private temporary file, fsync()ed, and
 *     published with rename(); they end with the header's random nonce: a
 *     torn or foreign file is a miss.
 *   - Diagnostics the parse gave are stored and replayed on load, so the
 *     caller sees the same warnings.
 * Any failure while storing is silent (it costs time, never correctness);
 * any doubt while loading is a miss and a normal parse.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/*
 * Where images live: far from the program and heap (0x55..-0x56.. with
 * PIE), from shared libraries and mmap's top-down area (0x7f..), and from
 * the address ranges AddressSanitizer reserves (shadow below 0x1000_8000_0000,
 * its allocator at 0x6000_0000_0000-0x6400_0000_0000).
 */
#define KC_IMAGE_BASE ((uintptr_t)(0x6b6b00000000ULL & UINTPTR_MAX))
/* address space reserved while parsing (not memory: MAP_NORESERVE) */
#define KC_IMAGE_RESERVE ((size_t)1 << 30)
#define KC_IMAGE_MAGIC "KMINKCI\1"
#define KC_IMAGE_VERSION 1
#define KC_IMAGE_RACY_SEC 2
/* images kept per directory (each ~23 MB for 6.1 arm) */
#define KC_IMAGE_KEEP 8

struct kc_image_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;		/* sizeof(struct kc_image_header) */
	uint64_t key_off, key_len;	/* the key material, compared whole */
	uint64_t base;			/* address the image was made at */
	uint64_t kconfig_size;		/* sizeof(struct kconfig) */
	uint64_t meta_off, meta_len;	/* dependencies and diagnostics */
	uint64_t image_off, image_len;	/* the memory image (page aligned offset) */
	uint64_t file_size;		/* total, trailer included */
	uint64_t nonce;			/* repeated in the file's last 8 bytes */
};

/* A file the parse read (present) or looked for (absent). */
struct kc_image_dep {
	uint64_t dev, ino, size;
	int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
	uint32_t present;
	uint32_t path_len;		/* then the path, not NUL-terminated */
};

struct kc_image_diag {
	int32_t level, line;
	int32_t file_len;		/* -1: no file */
	int32_t msg_len;		/* then file and message */
};

/* This file's state for one context; malloc'ed, outside the image. */
struct kc_image {
	char *keybuf;			/* the key material (see kc_image_key) */
	size_t key_len, key_cap;
	char *path;			/* the image file */
	size_t mapped;			/* bytes mapped at KC_IMAGE_BASE */
	bool building;			/* recording dependencies and diagnostics */
	bool broken;			/* something could not be recorded */
	struct timespec start;		/* when the parse started */
	char *meta;			/* building: the meta section */
	size_t meta_len, meta_cap;
	kconfig_diag_fn diag;		/* building: the caller's callback */
	void *diag_payload;
};

/* ---- key ---- */

struct kc_image_buildid {
	const unsigned char *id;
	size_t len;
};

static int kc_image_find_buildid(struct dl_phdr_info *info, size_t size, void *data)
{
	struct kc_image_buildid *b = data;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
			const char *name = p + sizeof(*n);
			const char *desc = name + ((n->n_namesz + 3) & ~3u);

			if (desc + n->n_descsz > end)
				break;
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
			    !memcmp(name, "GNU", 4) && n->n_descsz) {
				b->id = (const unsigned char *)desc;
				b->len = n->n_descsz;
				return 1;
			}
			p = desc + ((n->n_descsz + 3) & ~3u);
		}
	}
	return 1;	/* the first object is the program: stop there */
}

/* Key material: length-prefixed fields, appended to img->keybuf. */
static int kc_image_field(struct kc_image *img, const void *data, size_t len)
{
	uint64_t n = len;

	if (img->key_len + sizeof(n) + len > img->key_cap) {
		size_t cap = img->key_cap ? img->key_cap : 4096;
		char *b;

		while (cap < img->key_len + sizeof(n) + len)
			cap *= 2;
		b = realloc(img->keybuf, cap);
		if (!b)
			return -1;
		img->keybuf = b;
		img->key_cap = cap;
	}
	memcpy(img->keybuf + img->key_len, &n, sizeof(n));
	memcpy(img->keybuf + img->key_len + sizeof(n), data, len);
	img->key_len += sizeof(n) + len;
	return 0;
}

static int kc_image_str(struct kc_image *img, const char *s)
{
	return s ? kc_image_field(img, s, strlen(s)) : kc_image_field(img, "\1(null)", 7);
}

static int kc_image_key(const struct kconfig_options *opts, struct kc_image *img)
{
	struct kc_image_buildid b = { NULL, 0 };
	const char *const *env = opts->env ? opts->env : (const char *const *)environ;
	const char *top = opts->kconfig ? opts->kconfig : "Kconfig";

	dl_iterate_phdr(kc_image_find_buildid, &b);
	if (!b.id)
		return -1;
	if (kc_image_str(img, "kmin kconfig image") ||
	    kc_image_str(img, opts->srctree) || kc_image_str(img, top) ||
	    kc_image_str(img, opts->shell_cwd) || kc_image_str(img, opts->shell_cache_salt))
		return -1;
#ifndef KC_IMAGE_PROFILE_IGNORE_ENV
	/*
	 * (A build with -DKC_IMAGE_PROFILE_IGNORE_ENV leaves the environment
	 * out, only to measure warm runs under valgrind, which adds
	 * LD_PRELOAD and friends: never for use.)
	 */
	for (const char *const *e = env; *e; e++)
		if (kc_image_str(img, *e))
			return -1;
#else
	(void)env;
#endif
	/* a relative srctree or command directory resolves against the current one */
	if (opts->srctree[0] != '/' || !opts->shell_cwd || opts->shell_cwd[0] != '/') {
		char *cwd = getcwd(NULL, 0);
		int rc = cwd ? kc_image_str(img, cwd) : -1;

		free(cwd);
		if (rc)
			return rc;
	}
	return kc_image_field(img, b.id, b.len);
}

/*
 * The file name: two FNV-1a sums of the key material.  Only a name: the
 * header holds the whole material and a load compares it byte for byte,
 * so a collision is a miss, never a wrong tree.  Two kmin binaries (a
 * sanitizer build next to a plain one) keep one image each.
 */
static char *kc_image_path(const char *dir, const struct kc_image *img)
{
	uint64_t h1 = 0xcbf29ce484222325ULL, h2 = 0x84222325cbf29ce4ULL;
	char *path = NULL;

	for (size_t i = 0; i < img->key_len; i++) {
		unsigned char c = (unsigned char)img->keybuf[i];

		h1 = (h1 ^ c) * 0x100000001b3ULL;
		h2 = (h2 ^ c) * 0x100000001b3ULL;
		h2 ^= h2 >> 29;
	}
	if (asprintf(&path, "%s/tree-%016llx%016llx.img", dir, (unsigned long long)h1,
		     (unsigned long long)h2) < 0)
		return NULL;
	return path;
}

/* ---- mapping ---- */

/* Map at KC_IMAGE_BASE exactly, or return NULL. */
static void *kc_image_map(size_t len, int prot, int flags, int fd, off_t off)
{
	void *want = (void *)KC_IMAGE_BASE;
	void *p = mmap(want, len, prot, flags | MAP_FIXED_NOREPLACE, fd, off);

	if (p == want)
		return p;
	if (p != MAP_FAILED)
		munmap(p, len);	/* a kernel before 4.17 took the flag as a hint */
	else if (errno == EEXIST)
		return NULL;	/* the address is taken: this process has a context there */
	p = mmap(want, len, prot, flags, fd, off);	/* a hint (valgrind, old kernels) */
	if (p == want)
		return p;
	if (p != MAP_FAILED)
		munmap(p, len);
	return NULL;
}

static size_t kc_image_page(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (size_t)ps : 4096;
}

/* ---- loading ---- */

static bool kc_image_dep_same(const struct kc_image_dep *d, const struct stat *st)
{
	return d->dev == (uint64_t)st->st_dev && d->ino == (uint64_t)st->st_ino &&
	       d->size == (uint64_t)st->st_size && d->mtime_sec == st->st_mtim.tv_sec &&
	       d->mtime_nsec == st->st_mtim.tv_nsec && d->ctime_sec == st->st_ctim.tv_sec &&
	       d->ctime_nsec == st->st_ctim.tv_nsec;
}

/*
 * Check the dependencies of meta; count the diagnostics.  false if any
 * file changed or the section is malformed.
 */
static bool kc_image_meta_valid(const char *meta, size_t len, const char *srctree)
{
	size_t off = 0, slen = strlen(srctree);
	char path[4096];
	/* paths under srctree are looked up from it: a third of the path walks */
	int dfd = open(srctree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	bool ok = false;

	while (off < len) {
		char tag = meta[off++];

		if (tag == 'F') {
			struct kc_image_dep d;
			struct stat st;

			if (len - off < sizeof(d))
				goto out;
			memcpy(&d, meta + off, sizeof(d));
			off += sizeof(d);
			if (d.path_len >= sizeof(path) || len - off < d.path_len)
				goto out;
			memcpy(path, meta + off, d.path_len);
			path[d.path_len] = '\0';
			off += d.path_len;
			bool under = dfd >= 0 && slen && !strncmp(path, srctree, slen) &&
				     path[slen] == '/' && path[slen + 1] && path[slen + 1] != '/';
			if (under ? fstatat(dfd, path + slen + 1, &st, 0) : stat(path, &st))
				st.st_ino = 0;
			if (d.present ? (st.st_ino == 0 || !kc_image_dep_same(&d, &st)) : st.st_ino != 0)
				goto out;
		} else if (tag == 'D') {
			struct kc_image_diag g;

			if (len - off < sizeof(g))
				goto out;
			memcpy(&g, meta + off, sizeof(g));
			off += sizeof(g);
			if (g.msg_len < 0 || g.file_len < -1 ||
			    len - off < (size_t)g.msg_len + (size_t)(g.file_len > 0 ? g.file_len : 0))
				goto out;
			off += (size_t)g.msg_len + (size_t)(g.file_len > 0 ? g.file_len : 0);
		} else {
			goto out;
		}
	}
	ok = true;
out:
	if (dfd >= 0)
		close(dfd);
	return ok;
}

static void kc_image_replay(struct kconfig *kc, const char *meta, size_t len)
{
	size_t off = 0;

	while (off < len) {
		char tag = meta[off++];

		if (tag == 'F') {
			struct kc_image_dep d;

			memcpy(&d, meta + off, sizeof(d));
			off += sizeof(d) + d.path_len;
			continue;
		}
		struct kc_image_diag g;
		char *file = NULL, *msg;

		memcpy(&g, meta + off, sizeof(g));
		off += sizeof(g);
		if (g.file_len >= 0) {
			file = kc_arena_strndup(&kc->arena, meta + off, (size_t)g.file_len);
			off += (size_t)g.file_len;
		}
		msg = kc_arena_strndup(&kc->arena, meta + off, (size_t)g.msg_len);
		off += (size_t)g.msg_len;
		if (kc->opts.diag && msg) {
			struct kconfig_diag d = { (enum kconfig_diag_level)g.level, file, g.line, msg };

			kc->opts.diag(kc->opts.diag_payload, &d);
		}
	}
}

static bool kc_image_read_at(int fd, void *buf, size_t len, off_t off)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf = (char *)buf + n;
		len -= (size_t)n;
		off += n;
	}
	return true;
}

/* A loaded image's context, or NULL. */
static struct kconfig *kc_image_load(const struct kconfig_options *opts, struct kc_image *img)
{
	struct kc_image_header h;
	struct stat st;
	uint64_t trailer;
	char *meta = NULL;
	struct kconfig *kc = NULL;
	int fd = open(img->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !kc_image_read_at(fd, &h, sizeof(h), 0) ||
	    memcmp(h.magic, KC_IMAGE_MAGIC, 8) || h.version != KC_IMAGE_VERSION ||
	    h.header_size != sizeof(h) || h.key_len != img->key_len ||
	    h.base != KC_IMAGE_BASE || h.kconfig_size != sizeof(struct kconfig) ||
	    h.file_size != (uint64_t)st.st_size || h.file_size < sizeof(h) + 8 ||
	    h.meta_off > h.file_size || h.meta_len > h.file_size - h.meta_off ||
	    h.image_off % kc_image_page() || h.image_off > h.file_size ||
	    h.image_len != h.file_size - 8 - h.image_off || h.image_len < sizeof(struct kconfig) ||
	    h.image_len > KC_IMAGE_RESERVE ||
	    !kc_image_read_at(fd, &trailer, sizeof(trailer), (off_t)h.file_size - 8) ||
	    trailer != h.nonce)
		goto out;
	if (h.key_off != sizeof(h) || h.meta_off != h.key_off + h.key_len)
		goto out;
	meta = malloc(h.key_len + h.meta_len + 1);
	if (!meta || !kc_image_read_at(fd, meta, h.key_len + h.meta_len, (off_t)h.key_off) ||
	    memcmp(meta, img->keybuf, h.key_len) ||
	    !kc_image_meta_valid(meta + h.key_len, h.meta_len, opts->srctree))
		goto out;
	kc = kc_image_map(h.image_len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, (off_t)h.image_off);
	if (!kc)
		goto out;
	img->mapped = h.image_len;
	/* what points outside the image, set afresh */
	kc->opts = *opts;
	kc->pp = NULL;
	kc->errmsg[0] = '\0';
	memset(&kc->arena, 0, sizeof(kc->arena));
	kc->image = img;
	kc_image_replay(kc, meta + h.key_len, h.meta_len);
out:
	free(meta);
	close(fd);
	return kc;
}

/* ---- building ---- */

static void kc_image_meta_add(struct kc_image *img, const void *data, size_t len)
{
	if (img->broken)
		return;
	if (img->meta_len + len > img->meta_cap) {
		size_t cap = img->meta_cap ? img->meta_cap : 65536;
		char *n;

		while (cap < img->meta_len + len)
			cap *= 2;
		n = realloc(img->meta, cap);
		if (!n) {
			img->broken = true;
			return;
		}
		img->meta = n;
		img->meta_cap = cap;
	}
	memcpy(img->meta + img->meta_len, data, len);
	img->meta_len += len;
}

void kc_image_note_file(struct kconfig *kc, const char *path, const struct stat *st)
{
	struct kc_image *img = kc->image;
	struct kc_image_dep d;
	size_t n = strlen(path);

	if (!img || !img->building)
		return;
	memset(&d, 0, sizeof(d));
	if (n >= 4096) {
		img->broken = true;
		return;
	}
	if (st) {
		d.present = 1;
		d.dev = (uint64_t)st->st_dev;
		d.ino = (uint64_t)st->st_ino;
		d.size = (uint64_t)st->st_size;
		d.mtime_sec = st->st_mtim.tv_sec;
		d.mtime_nsec = st->st_mtim.tv_nsec;
		d.ctime_sec = st->st_ctim.tv_sec;
		d.ctime_nsec = st->st_ctim.tv_nsec;
		/* racy: changed too close to the parse to trust the timestamps */
		if (st->st_mtim.tv_sec >= img->start.tv_sec - KC_IMAGE_RACY_SEC ||
		    st->st_ctim.tv_sec >= img->start.tv_sec - KC_IMAGE_RACY_SEC)
			img->broken = true;
	}
	d.path_len = (uint32_t)n;
	kc_image_meta_add(img, "F", 1);
	kc_image_meta_add(img, &d, sizeof(d));
	kc_image_meta_add(img, path, n);
}

static void kc_image_diag_tap(void *payload, const struct kconfig_diag *d)
{
	struct kconfig *kc = payload;
	struct kc_image *img = kc->image;
	struct kc_image_diag g;

	g.level = (int32_t)d->level;
	g.line = d->line;
	g.file_len = d->file ? (int32_t)strlen(d->file) : -1;
	g.msg_len = (int32_t)strlen(d->message);
	kc_image_meta_add(img, "D", 1);
	kc_image_meta_add(img, &g, sizeof(g));
	if (d->file)
		kc_image_meta_add(img, d->file, strlen(d->file));
	kc_image_meta_add(img, d->message, strlen(d->message));
	if (img->diag)
		img->diag(img->diag_payload, d);
}

/* A context in a fresh reservation at KC_IMAGE_BASE, recording; or NULL. */
static struct kconfig *kc_image_reserve(const struct kconfig_options *opts, struct kc_image *img)
{
	struct kconfig *kc = kc_image_map(KC_IMAGE_RESERVE, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	size_t head;

	if (!kc)
		return NULL;
	img->mapped = KC_IMAGE_RESERVE;
	img->building = true;
	img->diag = opts->diag;
	img->diag_payload = opts->diag_payload;
	clock_gettime(CLOCK_REALTIME, &img->start);
	/* the arena goes on right after the context, in the same mapping */
	head = (sizeof(*kc) + 63) & ~(size_t)63;
	kc->arena.next = (char *)kc + head;
	kc->arena.limit = (char *)kc + KC_IMAGE_RESERVE;
	kc->image = img;
	return kc;
}

int kc_image_open(struct kconfig **out, const struct kconfig_options *opts)
{
	struct kc_image *img;
	struct kconfig *kc;

	*out = NULL;
	/* KC_IMAGE_BASE needs a 64-bit address space */
	if (!opts->shell_cache_dir || !*opts->shell_cache_dir || UINTPTR_MAX <= 0xffffffffu)
		return 0;
	img = calloc(1, sizeof(*img));
	if (!img)
		return 0;
	if (kc_image_key(opts, img) || !(img->path = kc_image_path(opts->shell_cache_dir, img))) {
		free(img->keybuf);
		free(img->path);
		free(img);
		return 0;
	}
	kc = kc_image_load(opts, img);
	if (kc) {
		*out = kc;
		return 1;
	}
	kc = kc_image_reserve(opts, img);
	if (!kc) {
		free(img->keybuf);
		free(img->path);
		free(img);
		return 0;
	}
	/* record diagnostics on their way to the caller */
	kc->opts = *opts;
	kc->opts.diag = kc_image_diag_tap;
	kc->opts.diag_payload = kc;
	*out = kc;
	return 0;
}

/* ---- storing ---- */

struct kc_image_range {
	uintptr_t lo, hi;
};

static int kc_image_range_cmp(const void *a, const void *b)
{
	const struct kc_image_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The process's readable mappings, sorted; *n ranges, malloc'ed. */
static struct kc_image_range *kc_image_mappings(size_t *n)
{
	FILE *f = fopen("/proc/self/maps", "re");
	struct kc_image_range *r = NULL;
	size_t cap = 0;
	char line[4096];

	*n = 0;
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perm[8];

		/*
		 * No valid pointer points into memory that cannot be read
		 * (guard pages, ASan's shadow gap), nor into a mapping of a
		 * terabyte or more: only sanitizers' shadow memory is that
		 * large, and strings in the image look like pointers into it.
		 */
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) != 3 || perm[0] != 'r' ||
		    (uint64_t)(hi - lo) >= ((uint64_t)1 << 40))
			continue;
		if (*n == cap) {
			struct kc_image_range *nr = realloc(r, (cap ? 2 * cap : 64) * sizeof(*r));

			if (!nr) {
				free(r);
				fclose(f);
				return NULL;
			}
			r = nr;
			cap = cap ? 2 * cap : 64;
		}
		r[*n].lo = lo;
		r[(*n)++].hi = hi;
	}
	fclose(f);
	if (r)
		qsort(r, *n, sizeof(*r), kc_image_range_cmp);
	return r;
}

/* true if no word of [p, p+len) points into a mapping other than [lo, hi) */
static bool kc_image_self_contained(const void *p, size_t len, uintptr_t lo, uintptr_t hi,
				    const struct kc_image_range *maps, size_t nmaps)
{
	const unsigned char *b = p;
	uintptr_t first = nmaps ? maps[0].lo : 0, last = nmaps ? maps[nmaps - 1].hi : 0;

	for (size_t off = 0; off + 8 <= len; off += 8) {
		uint64_t v;

		memcpy(&v, b + off, 8);
		if ((v >= lo && v < hi) || v < first || v >= last)
			continue;
		size_t a = 0, z = nmaps;

		while (a < z) {
			size_t m = (a + z) / 2;

			if (v < maps[m].lo)
				z = m;
			else if (v >= maps[m].hi)
				a = m + 1;
			else
				return false;
		}
	}
	return true;
}

static bool kc_image_write_all(int fd, const void *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p = (const char *)p + n;
		len -= (size_t)n;
	}
	return true;
}

struct kc_image_old {
	char *name;
	time_t mtime;
};

static int kc_image_old_cmp(const void *a, const void *b)
{
	const struct kc_image_old *x = a, *y = b;

	return x->mtime > y->mtime ? -1 : x->mtime < y->mtime;	/* newest first */
}

/*
 * Keep the directory bounded: the KC_IMAGE_KEEP most recently used images
 * (one per tree, arch, environment and kmin binary in use; a rebuilt kmin
 * leaves its old ones to this), and no temporary file of a writer that
 * died (older than an hour).  Best effort.
 */
static void kc_image_prune(const char *dir)
{
	DIR *d = opendir(dir);
	struct kc_image_old *old = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	time_t now = time(NULL);

	if (!d)
		return;
	while ((e = readdir(d))) {
		bool img = !strncmp(e->d_name, "tree-", 5), tmp = !strncmp(e->d_name, ".tree-", 6);
		struct stat st;

		if ((!img && !tmp) || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		if (tmp) {
			if (st.st_mtime < now - 3600)
				unlinkat(dirfd(d), e->d_name, 0);
			continue;
		}
		if (n == cap) {
			struct kc_image_old *o = realloc(old, (cap ? 2 * cap : 16) * sizeof(*old));

			if (!o)
				break;
			old = o;
			cap = cap ? 2 * cap : 16;
		}
		old[n].name = strdup(e->d_name);
		/* last written, or read (relatime moves atime about daily) */
		old[n].mtime = st.st_atime > st.st_mtime ? st.st_atime : st.st_mtime;
		if (old[n].name)
			n++;
	}
	if (n > KC_IMAGE_KEEP) {
		qsort(old, n, sizeof(*old), kc_image_old_cmp);
		for (size_t i = KC_IMAGE_KEEP; i < n; i++)
			unlinkat(dirfd(d), old[i].name, 0);
	}
	for (size_t i = 0; i < n; i++)
		free(old[i].name);
	free(old);
	closedir(d);
}

void kc_image_store(struct kconfig *kc, const struct kconfig_options *opts)
{
	struct kc_image *img = kc->image;
	struct kc_image_header h;
	struct kconfig *copy = NULL;
	struct kc_image_range *maps = NULL;
	size_t nmaps = 0, page = kc_image_page(), head, len;
	char *tmp = NULL;
	int fd = -1;

	if (!img || !img->building)
		return;
	img->building = false;
	if (img->broken || kc->arena.head || !kc->arena.next)
		goto out;	/* racy files, or memory outside the image */
	len = (size_t)(kc->arena.next - (char *)kc);
	head = (sizeof(*kc) + 63) & ~(size_t)63;
	copy = malloc(sizeof(*copy));
	maps = kc_image_mappings(&nmaps);
	if (!copy || !maps)
		goto out;
	memcpy(copy, kc, sizeof(*copy));
	memset(&copy->opts, 0, sizeof(copy->opts));
	copy->pp = NULL;
	memset(copy->errmsg, 0, sizeof(copy->errmsg));
	memset(&copy->arena, 0, sizeof(copy->arena));
	copy->image = NULL;
	if (!kc_image_self_contained(copy, sizeof(*copy), KC_IMAGE_BASE, KC_IMAGE_BASE + len,
				     maps, nmaps) ||
	    !kc_image_self_contained((char *)kc + head, len - head, KC_IMAGE_BASE,
				     KC_IMAGE_BASE + len, maps, nmaps))
		goto out;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, KC_IMAGE_MAGIC, 8);
	h.version = KC_IMAGE_VERSION;
	h.header_size = sizeof(h);
	h.base = KC_IMAGE_BASE;
	h.kconfig_size = sizeof(struct kconfig);
	h.key_off = sizeof(h);
	h.key_len = img->key_len;
	h.meta_off = h.key_off + h.key_len;
	h.meta_len = img->meta_len;
	h.image_off = (h.meta_off + img->meta_len + page - 1) / page * page;
	h.image_len = len;
	h.file_size = h.image_off + len + 8;
	clock_gettime(CLOCK_REALTIME, &img->start);
	h.nonce = ((uint64_t)img->start.tv_nsec << 32) ^ (uint64_t)img->start.tv_sec ^
		  ((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)&h;
	h.nonce |= 1;	/* never zero: a file of zeros does not end with it */

	if (asprintf(&tmp, "%s/.tree-XXXXXX", opts->shell_cache_dir) < 0) {
		tmp = NULL;
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto out;
	static const char zeros[4096];
	size_t pad = h.image_off - h.meta_off - img->meta_len;
	bool ok = !fchmod(fd, 0644) && kc_image_write_all(fd, &h, sizeof(h)) &&
		  kc_image_write_all(fd, img->keybuf, img->key_len) &&
		  kc_image_write_all(fd, img->meta, img->meta_len);
	while (ok && pad) {
		size_t n = pad < sizeof(zeros) ? pad : sizeof(zeros);

		ok = kc_image_write_all(fd, zeros, n);
		pad -= n;
	}
	ok = ok && kc_image_write_all(fd, copy, sizeof(*copy)) &&
	     kc_image_write_all(fd, zeros, head - sizeof(*copy)) &&
	     kc_image_write_all(fd, (char *)kc + head, len - head) &&
	     kc_image_write_all(fd, &h.nonce, sizeof(h.nonce));
	/* on disk before it has its name: a power loss leaves no named half image */
	ok = ok && !fsync(fd);
	ok = !close(fd) && ok;
	fd = -1;
	if (!ok || rename(tmp, img->path))
		unlink(tmp);
	else
		kc_image_prune(opts->shell_cache_dir);
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	free(maps);
	free(copy);
	free(img->meta);
	img->meta = NULL;
	img->meta_len = img->meta_cap = 0;
}

void kc_image_release(struct kconfig *kc)
{
	struct kc_image *img = kc->image;
	size_t mapped = img->mapped;

	free(img->meta);
	free(img->keybuf);
	free(img->path);
	free(img);
	munmap(kc, mapped);	/* the context itself lives there */
}
