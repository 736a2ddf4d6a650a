/*
 * search_estimate.c - how much a move should save, and what it costs to
 * find out, so that the search builds the promising moves first.
 *
 * Called by search.c once per run (kmin_estimator_new, after the base
 * build) and once per candidate per round (kmin_estimator_score).  The
 * three sources, per symbol:
 *
 *  learned   the mean saving that single-symbol steps measured in earlier
 *            runs on this kernel and arch with the same metric (and in
 *            this run), from the store's steps;
 *  objects   the bytes (text+data+bss) of the objects Kbuild builds for
 *            the symbol: every `<x>-$(CONFIG_SYM) += a.o dir/` line of the
 *            tree's Makefile and Kbuild files, measured in the O= directory
 *            of the base build (a directory counts all its objects);
 *  rebuilds  how many *.o.cmd files of that O= directory name
 *            include/config/SYM (fixdep's dependencies): the objects a
 *            change of SYM recompiles.  A symbol that autoconf.h spreads
 *            everywhere costs a near-full rebuild even when it saves
 *            nothing.
 *
 * and for choice switches (which may grow the kernel) one more hint:
 *
 *  tiny      the members the kernel's own tiny.config fragments set to y
 *            (kernel/configs/tiny.config, arch/ARCH/configs/tiny.config:
 *            CC_OPTIMIZE_FOR_SIZE, SLOB, KERNEL_XZ on 6.1), the kernel
 *            maintainers' word on which member is the small one.
 *
 * estimate = learned if known, else objects; cost = 1 + 20 * rebuilds /
 * objects built (1: a relink; 21: everything recompiled).  Workload on
 * 6.1: one walk of the tree (~2,800 Makefiles) and of O= (~1,000 .cmd
 * files) per run, about a second; scoring is a hash lookup.
 */
#include <ctype.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kmin/file.h"
#include "kmin/kernel.h"
#include "kmin/measure.h"
#include "search_internal.h"

struct sym_info {
	char *name;
	int64_t learned_sum;
	unsigned int learned_n;
	unsigned int rebuilds;
	char **paths;		/* objects and directories, relative to the tree */
	size_t npaths;
	int64_t object_bytes;	/* -1: not measured yet */
	bool tiny;		/* =y in the tree's tiny.config */
};

struct kmin_estimator {
	struct sym_info *tab;	/* open addressing, power-of-two size */
	size_t cap, n;
	char *objdir;		/* NULL: no object sizes */
	unsigned int objects;	/* .o.cmd files seen */
	const char *metric;
	size_t source_len;	/* strlen of the tree's path, to make paths relative */
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int grow(struct kmin_estimator *e);

/* The entry of name, created on demand (NULL only out of memory). */
static struct sym_info *sym_get(struct kmin_estimator *e, const char *name, bool create)
{
	if (create && (e->n + 1) * 2 > e->cap && grow(e))
		return NULL;
	for (size_t i = name_hash(name) & (e->cap - 1);; i = (i + 1) & (e->cap - 1)) {
		struct sym_info *s = &e->tab[i];
		if (!s->name) {
			if (!create || !(s->name = strdup(name)))
				return NULL;
			s->object_bytes = -1;
			e->n++;
			return s;
		}
		if (!strcmp(s->name, name))
			return s;
	}
}

static int grow(struct kmin_estimator *e)
{
	struct sym_info *old = e->tab;
	size_t oldcap = e->cap;

	e->cap = oldcap ? oldcap * 2 : 1024;
	e->tab = calloc(e->cap, sizeof(*e->tab));
	if (!e->tab) {
		e->tab = old;
		e->cap = oldcap;
		return -1;
	}
	e->n = 0;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].name)
			continue;
		for (size_t j = name_hash(old[i].name) & (e->cap - 1);; j = (j + 1) & (e->cap - 1)) {
			if (!e->tab[j].name) {
				e->tab[j] = old[i];
				e->n++;
				break;
			}
		}
	}
	free(old);
	return 0;
}

/* ---- learned savings ---- */


/*
 * A step measured before: learn from those that moved one symbol off or
 * lowered it ("SYM=n", "SYM=12"); not from choice switches ("SYM=y"), whose
 * saving depends on the member they left.
 */
static void on_saving(void *payload, const char *moves, const char *metric, int64_t saving)
{
	struct kmin_estimator *e = payload;
	char sym[256];
	size_t n = strcspn(moves, "=");

	if (strcmp(metric, e->metric) || strchr(moves, ' ') || !n || n >= sizeof(sym) ||
	    !strcmp(moves + n, "=y"))
		return;
	memcpy(sym, moves, n);
	sym[n] = '\0';
	kmin_estimator_learn(e, sym, saving);
}

void kmin_estimator_learn(struct kmin_estimator *e, const char *symbol, int64_t saving)
{
	struct sym_info *s = sym_get(e, symbol, true);

	if (s) {
		s->learned_sum += saving;
		s->learned_n++;
	}
}

/* ---- Kbuild: obj-$(CONFIG_X) += ... ---- */

static int add_path(struct sym_info *s, const char *dir, const char *word, size_t len)
{
	char **v = realloc(s->paths, (s->npaths + 1) * sizeof(*v));

	if (!v)
		return -1;
	s->paths = v;
	if (asprintf(&v[s->npaths], "%s%s%.*s", dir, *dir ? "/" : "", (int)len, word) < 0)
		return -1;
	s->npaths++;
	return 0;
}

/* One logical line of a Makefile in directory dir (relative to the tree). */
static void kbuild_line(struct kmin_estimator *e, const char *dir, const char *line)
{
	const char *p = strstr(line, "-$(CONFIG_"), *q;
	char sym[128];
	size_t n;
	struct sym_info *s;

	if (!p)
		return;
	p += strlen("-$(CONFIG_");
	for (n = 0; (isalnum((unsigned char)p[n]) || p[n] == '_') && n < sizeof(sym) - 1; n++)
		sym[n] = p[n];
	sym[n] = '\0';
	q = strchr(p + n, '=');
	if (p[n] != ')' || !q || !(s = sym_get(e, sym, true)))
		return;
	for (q++; *q;) {
		while (*q == ' ' || *q == '\t' || *q == '\n')
			q++;
		size_t w = strcspn(q, " \t\n");
		if (!w)
			break;
		if (w > 2 && (!strncmp(q + w - 2, ".o", 2) || q[w - 1] == '/'))
			add_path(s, dir, q, q[w - 1] == '/' ? w - 1 : w);
		q += w;
	}
}

static void kbuild_file(struct kmin_estimator *e, const char *path, const char *dir)
{
	FILE *f = fopen(path, "re");
	char buf[4096], line[16384];
	size_t used = 0;

	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		size_t n = strlen(buf);
		bool cont = n >= 2 && buf[n - 2] == '\\' && buf[n - 1] == '\n';
		if (cont)
			buf[n - 2] = ' ', n--;
		if (used + n < sizeof(line)) {
			memcpy(line + used, buf, n);
			used += n;
		}
		line[used] = '\0';
		if (!cont) {
			kbuild_line(e, dir, line);
			used = 0;
		}
	}
	fclose(f);
}

/* nftw has no payload: walk directories ourselves. */
static void kbuild_walk(struct kmin_estimator *e, const char *root, const char *rel, int depth)
{
	char path[4200];
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	if (depth > 12 || !(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		char sub[4200], full[8500];
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "Documentation") ||
		    !strcmp(de->d_name, "tools") || !strcmp(de->d_name, "scripts"))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
				     de->d_name) >= sizeof(sub) ||
		    (size_t)snprintf(full, sizeof(full), "%s/%s", root, sub) >= sizeof(full))
			continue;	/* no kernel path is that long: not a Kbuild file */
		if (de->d_type == DT_DIR) {
			kbuild_walk(e, root, sub, depth + 1);
		} else if (!strcmp(de->d_name, "Makefile") || !strcmp(de->d_name, "Kbuild")) {
			kbuild_file(e, full, rel);
		}
	}
	closedir(d);
}

/* ---- .o.cmd files: what a symbol's change recompiles ---- */

static void cmd_file(struct kmin_estimator *e, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[8192];

	if (!f)
		return;
	e->objects++;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "include/config/");
		if (!p)
			continue;
		p += strlen("include/config/");
		char sym[128];
		size_t n = 0;
		for (; (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '/') &&
		       n < sizeof(sym) - 1; n++)
			sym[n] = p[n] == '/' ? '_' : (char)toupper((unsigned char)p[n]);
		sym[n] = '\0';
		struct sym_info *s = n ? sym_get(e, sym, true) : NULL;
		if (s)
			s->rebuilds++;
	}
	fclose(f);
}

static void cmd_walk(struct kmin_estimator *e, const char *dir, int depth)
{
	DIR *d = depth < 16 ? opendir(dir) : NULL;
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char full[4200];
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' && (n < 6 || strcmp(de->d_name + n - 6, ".o.cmd")))
			continue;
		snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR && strcmp(de->d_name, "include"))
			cmd_walk(e, full, depth + 1);
		else if (de->d_type == DT_REG && n > 6 && !strcmp(de->d_name + n - 6, ".o.cmd"))
			cmd_file(e, full);
	}
	closedir(d);
}

/* ---- the kernel's tiny.config ---- */

/* Mark every CONFIG_X=y of the fragment at path (a missing file: none). */
static void tiny_read(struct kmin_estimator *e, const char *path)
{
	char *text = kmin_file_read(path, NULL);

	for (char *line = text, *next; line && *line; line = next) {
		char *eq;
		struct sym_info *s;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (strncmp(line, "CONFIG_", 7) || !(eq = strchr(line, '=')) || strcmp(eq, "=y"))
			continue;
		*eq = '\0';
		if ((s = sym_get(e, line + 7, true)))
			s->tiny = true;
	}
	free(text);
}

static void tiny_load(struct kmin_estimator *e, const char *source, const char *arch)
{
	const struct kmin_arch *a = kmin_arch_find(arch);
	char path[4200];

	snprintf(path, sizeof(path), "%s/kernel/configs/tiny.config", source);
	tiny_read(e, path);
	snprintf(path, sizeof(path), "%s/arch/%s/configs/tiny.config", source,
		 a ? a->srcarch : arch);
	tiny_read(e, path);
}

int kmin_estimator_new(struct kmin_estimator **out, const char *source, const char *objdir,
		       struct kmin_store *store, int64_t kernel_id, const char *arch,
		       const char *metric)
{
	struct kmin_estimator *e = calloc(1, sizeof(*e));
	char err[256];

	*out = e;
	if (!e || grow(e))
		return -1;
	e->metric = metric;
	if (store)
		kmin_store_savings_foreach(store, kernel_id, arch, on_saving, e, err, sizeof(err));
	if (source) {
		kbuild_walk(e, source, "", 0);
		tiny_load(e, source, arch);
	}
	if (objdir && (e->objdir = strdup(objdir)))
		cmd_walk(e, objdir, 0);
	return 0;
}

void kmin_estimator_free(struct kmin_estimator *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->cap; i++) {
		for (size_t j = 0; j < e->tab[i].npaths; j++)
			free(e->tab[i].paths[j]);
		free(e->tab[i].paths);
		free(e->tab[i].name);
	}
	free(e->tab);
	free(e->objdir);
	free(e);
}

/* ---- object sizes in O= ---- */

static int64_t object_bytes(const char *path)
{
	struct kmin_sizes sz;
	char err[256];
	int64_t n;

	if (kmin_measure_elf(path, &sz, err, sizeof(err)))
		return 0;
	n = (int64_t)kmin_sizes_dec(&sz);
	kmin_sizes_release(&sz);
	return n;
}

static int64_t dir_bytes(const char *dir, int depth)
{
	DIR *d = depth < 12 ? opendir(dir) : NULL;
	struct dirent *de;
	int64_t sum = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char full[4200];
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			sum += dir_bytes(full, depth + 1);
		else if (n > 2 && !strcmp(de->d_name + n - 2, ".o") && strcmp(de->d_name, "built-in.o"))
			sum += object_bytes(full);
	}
	closedir(d);
	return sum;
}

static int64_t symbol_object_bytes(struct kmin_estimator *e, struct sym_info *s)
{
	if (s->object_bytes >= 0)
		return s->object_bytes;
	s->object_bytes = 0;
	for (size_t i = 0; e->objdir && i < s->npaths; i++) {
		char full[4200];
		struct stat st;
		snprintf(full, sizeof(full), "%s/%s", e->objdir, s->paths[i]);
		if (stat(full, &st))
			continue;
		s->object_bytes += S_ISDIR(st.st_mode) ? dir_bytes(full, 0) : object_bytes(full);
	}
	return s->object_bytes;
}

void kmin_estimator_score(struct kmin_estimator *e, struct kmin_move *m)
{
	const struct kmin_assign *a = &m->set[m->nset - 1];	/* a gate's unlocked symbol */
	struct sym_info *s = sym_get(e, a->symbol, false);

	m->estimate = 0;
	m->cost = 1.0;
	if (!s)
		return;
	m->preferred = m->lateral && s->tiny;
	if (s->learned_n)
		m->estimate = s->learned_sum / (int64_t)s->learned_n;
	else if (!strcmp(a->value, "n"))
		m->estimate = symbol_object_bytes(e, s);
	if (e->objects)
		m->cost = 1.0 + 20.0 * (double)s->rebuilds / (double)e->objects;
}

/* A move's rank: known savings, tiny.config's members, unknown, losses. */
static int move_class(const struct kmin_move *m)
{
	return m->estimate > 0 ? 0 : m->preferred ? 1 : m->estimate == 0 ? 2 : 3;
}

bool kmin_estimator_tiny(struct kmin_estimator *e, const char *symbol)
{
	struct sym_info *s = sym_get(e, symbol, false);
	return s && s->tiny;
}

static int move_cmp(const void *pa, const void *pb)
{
	const struct kmin_move *a = pa, *b = pb;
	/*
	 * known savings first (by bytes per cost), then tiny.config's members,
	 * then unknown, then losses; within one class the cheaper build first,
	 * then Kconfig order
	 */
	int ca = move_class(a), cb = move_class(b);

	if (ca != cb)
		return ca - cb;
	if (ca == 0) {
		double ra = (double)a->estimate / a->cost, rb = (double)b->estimate / b->cost;
		if (ra != rb)
			return ra > rb ? -1 : 1;
	} else if (a->cost != b->cost) {	/* nothing known: the cheaper build first */
		return a->cost < b->cost ? -1 : 1;
	}
	return a->order < b->order ? -1 : a->order > b->order;
}

void kmin_moves_sort(struct kmin_move *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), move_cmp);
}
