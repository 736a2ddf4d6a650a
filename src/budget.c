/*
 * budget.c - flash and RAM budgets: parsing `--budget`, classifying the
 * sections of vmlinux, the flash/RAM model and the verdict.
 *
 * include/kmin/budget.h states the model and why; this file only
 * computes it.  Called by `kmin fit` (cmd_fit.c), `kmin run --budget`
 * (cmd_run.c) and the search (search.c), which asks kmin_budget_measure()
 * once per build it decides: a read of the build's sections from the
 * store (tens of rows), nothing that costs next to a build.
 *
 * The boot figure: the boot oracle (issue 8, `--boot`) records the
 * kernel's Memory: line per build (store_boot.h); a build never booted
 * has none, and the model says so.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmin/budget.h"
#include "kmin/error.h"
#include "kmin/store_boot.h"

/* ---- sizes and the budget string ---- */

int kmin_budget_size_parse(const char *text, int64_t *out)
{
	const char *p = text;
	int64_t v = 0, mul = 1;

	if (!p || !isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	switch (*p) {
	case 'k': case 'K': mul = 1024; p++; break;
	case 'm': case 'M': mul = 1024 * 1024; p++; break;
	case 'g': case 'G': mul = 1024 * 1024 * 1024; p++; break;
	default: break;
	}
	if (mul > 1 && (!strcmp(p, "B") || !strcmp(p, "iB")))
		p += strlen(p);
	if (*p || v > INT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

/* One "key=value" or "xip" item of length n; 0 or -1. */
static int budget_item(const char *item, size_t n, struct kmin_budget *b, bool seen[3],
		       char *err, size_t errlen)
{
	static const char *const keys[] = { "flash", "ram", "xip" };
	const char *eq = memchr(item, '=', n);
	size_t klen = eq ? (size_t)(eq - item) : n;
	char value[64];
	unsigned k;

	for (k = 0; k < 3; k++)
		if (strlen(keys[k]) == klen && !strncmp(item, keys[k], klen))
			break;
	if (k == 3)
		return kmin_errf(err, errlen, "unknown budget item '%.*s': flash=SIZE, ram=SIZE or xip",
				 (int)klen, item);
	if (seen[k])
		return kmin_errf(err, errlen, "budget item '%s' given twice", keys[k]);
	seen[k] = true;
	if (k == 2) {
		if (eq)
			return kmin_errf(err, errlen, "budget item 'xip' takes no value");
		b->xip = true;
		return 0;
	}
	if (!eq || eq + 1 == item + n)
		return kmin_errf(err, errlen, "budget item '%s' needs a size (700K, 2M, bytes)",
				 keys[k]);
	snprintf(value, sizeof(value), "%.*s", (int)(item + n - eq - 1), eq + 1);
	if (n - klen - 1 >= sizeof(value) ||
	    kmin_budget_size_parse(value, k ? &b->ram : &b->flash))
		return kmin_errf(err, errlen, "bad size '%.*s' for %s: use bytes or K, M, G (1024)",
				 (int)(item + n - eq - 1), eq + 1, keys[k]);
	return 0;
}

int kmin_budget_parse(const char *text, struct kmin_budget *out, char *err, size_t errlen)
{
	struct kmin_budget b = { .flash = -1, .ram = -1, .xip = false };
	bool seen[3] = { false, false, false };
	const char *p = text ? text : "";

	for (;;) {
		size_t n = strcspn(p, ",");
		if (!n)
			return kmin_errf(err, errlen, "empty item in budget '%s'", text ? text : "");
		if (budget_item(p, n, &b, seen, err, errlen))
			return -1;
		if (!p[n])
			break;
		p += n + 1;
	}
	if (b.flash < 0 && b.ram < 0)
		return kmin_errf(err, errlen, "budget '%s' limits nothing: give flash=SIZE and/or ram=SIZE",
				 text);
	*out = b;
	return 0;
}

void kmin_budget_format(const struct kmin_budget *b, char *buf, size_t len)
{
	int n = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (b->flash >= 0)
		n = snprintf(buf, len, "flash=%" PRId64, b->flash);
	if (b->ram >= 0 && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "%sram=%" PRId64, n ? "," : "", b->ram);
	if (b->xip && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%sxip", n ? "," : "");
}

/* ---- sections ---- */

static const char *const class_names[KMIN_BUDGET_NCLASSES] = {
	"code", "rodata", "init_code", "init_ro", "init_data", "data", "bss",
};

const char *kmin_budget_class_name(enum kmin_budget_class c)
{
	return (unsigned)c < KMIN_BUDGET_NCLASSES ? class_names[c] : "?";
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

enum kmin_budget_class kmin_budget_class(const char *name)
{
	if (strstr(name, "bss"))
		return KMIN_BUDGET_BSS;
	if (starts(name, ".init.") || starts(name, ".exit.")) {
		if (ends(name, "text"))
			return KMIN_BUDGET_INIT_CODE;
		if (!strcmp(name + 5, ".data") || starts(name + 5, ".data.") ||
		    !strcmp(name, ".init.ramfs"))
			return KMIN_BUDGET_INIT_DATA;
		return KMIN_BUDGET_INIT_RO;
	}
	/* .data, .data..percpu, .data.ro_after_init (XIP), .sdata, .got, .data_dtcm */
	if (starts(name, ".data") || starts(name, ".sdata") || starts(name, ".got") ||
	    ends(name, "_dtcm"))
		return KMIN_BUDGET_DATA;
	if (starts(name, ".text") || ends(name, "text") || ends(name, "_itcm") ||
	    !strcmp(name, ".fixup") || !strcmp(name, ".vectors") || !strcmp(name, ".stubs"))
		return KMIN_BUDGET_CODE;
	return KMIN_BUDGET_RODATA;
}

/* ---- the model ---- */

static int64_t over(int64_t bytes, int64_t budget)
{
	return budget >= 0 && bytes > budget ? bytes - budget : 0;
}

/* What the boot reserved beyond the kernel image (budget.h), bytes. */
static int64_t reserved_other(const struct kmin_budget_boot *b)
{
	int64_t k = b->reserved_k - (b->code_k + b->rwdata_k + b->rodata_k + b->init_k + b->bss_k);
	return k > 0 ? k * 1024 : 0;
}

int kmin_budget_compute(const struct kmin_budget *b, const struct kmin_budget_input *in,
			struct kmin_budget_fit *out, char *err, size_t errlen)
{
	struct kmin_budget_fit f;
	const int64_t *c = f.cls;
	int64_t all;

	memset(&f, 0, sizeof(f));
	if (in->nsections) {
		for (size_t i = 0; i < in->nsections; i++) {
			if (in->sections[i].size < 0)
				return kmin_errf(err, errlen, "section '%s' has a negative size",
						 in->sections[i].name);
			f.cls[kmin_budget_class(in->sections[i].name)] += in->sections[i].size;
		}
	} else if (in->text >= 0 && in->data >= 0 && in->bss >= 0) {
		/* no sections recorded: size(1)'s split (text: code and read-only, data: RW) */
		f.cls[KMIN_BUDGET_CODE] = in->text;
		f.cls[KMIN_BUDGET_DATA] = in->data;
		f.cls[KMIN_BUDGET_BSS] = in->bss;
	} else {
		return kmin_errf(err, errlen, "the build has no sizes (did it fail?)");
	}
	f.image = in->image_bytes;
	f.boot = in->boot != NULL;
	f.reserved_other = in->boot ? reserved_other(in->boot) : 0;
	f.xip = b && b->xip;
	all = c[KMIN_BUDGET_CODE] + c[KMIN_BUDGET_RODATA] + c[KMIN_BUDGET_INIT_CODE] +
	      c[KMIN_BUDGET_INIT_RO] + c[KMIN_BUDGET_INIT_DATA] + c[KMIN_BUDGET_DATA];
	if (f.xip) {
		f.flash = all;
		f.ram = c[KMIN_BUDGET_DATA] + c[KMIN_BUDGET_INIT_DATA] + c[KMIN_BUDGET_BSS] +
			f.reserved_other;
	} else {
		f.flash = in->image_bytes >= 0 ? in->image_bytes : -1;
		f.ram = all + c[KMIN_BUDGET_BSS] + f.reserved_other;
	}
	f.flash_budget = b ? b->flash : -1;
	f.ram_budget = b ? b->ram : -1;
	if (f.flash < 0 && f.flash_budget >= 0)
		return kmin_errf(err, errlen, "the build has no image size: flash is unknown");
	f.flash_over = f.flash < 0 ? 0 : over(f.flash, f.flash_budget);
	f.ram_over = over(f.ram, f.ram_budget);
	f.fits = !f.flash_over && !f.ram_over;
	*out = f;
	return 0;
}

int64_t kmin_budget_score(const struct kmin_budget_fit *f)
{
	if ((f->flash_budget >= 0 && f->flash < 0) || f->ram < 0)
		return -1;
	return f->flash_over + f->ram_over;
}

/* ---- from the store ---- */

struct sections_acc {
	struct kmin_section *v;
	size_t n, cap;
	char *names;			/* one block: every name, NUL-separated */
	size_t nlen, ncap;
	bool oom;
};

static int on_section(void *payload, const struct kmin_section *sec)
{
	struct sections_acc *a = payload;
	size_t len = strlen(sec->name) + 1;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 32;
		struct kmin_section *v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return a->oom = true, 1;
		a->v = v;
		a->cap = cap;
	}
	if (a->nlen + len > a->ncap) {
		size_t cap = a->ncap ? 2 * a->ncap : 1024;
		char *p;
		while (cap < a->nlen + len)
			cap *= 2;
		if (!(p = realloc(a->names, cap)))
			return a->oom = true, 1;
		a->names = p;
		a->ncap = cap;
	}
	memcpy(a->names + a->nlen, sec->name, len);
	/* the name's offset for now; made a pointer once the block stops moving */
	a->v[a->n].name = (const char *)(uintptr_t)a->nlen;
	a->v[a->n].size = sec->size;
	a->nlen += len;
	a->n++;
	return 0;
}

/*
 * The boot figure of a build (store_boot.h; a cached row answers with the
 * boot of its source): 1 and *out, or 0 when it was never booted or its
 * console showed no Memory: line (whatever the boot's status: the line is
 * printed long before user space).  A store that cannot say (a database
 * of an older schema opened read-only has no boots table) counts as no
 * boot: the verdict then says "no boot figure" rather than failing.
 */
static int boot_lookup(struct kmin_store *s, int64_t build_id, struct kmin_budget_boot *out,
		       char *err, size_t errlen)
{
	struct kmin_store_boot b;
	int rc = kmin_store_boot_get(s, build_id, &b, err, errlen);

	if (rc != 1)
		return 0;
	rc = b.has_memory;
	if (rc)
		*out = (struct kmin_budget_boot){ .code_k = b.code_k, .rwdata_k = b.rwdata_k,
						  .rodata_k = b.rodata_k, .init_k = b.init_k,
						  .bss_k = b.bss_k, .reserved_k = b.reserved_k };
	kmin_store_boot_clear(&b);
	return rc;
}

int kmin_budget_measure(struct kmin_store *s, const struct kmin_budget *b, int64_t build_id,
			int64_t text, int64_t data, int64_t bss, int64_t image_bytes,
			struct kmin_budget_fit *out, char *err, size_t errlen)
{
	struct sections_acc a = { 0 };
	struct kmin_budget_boot boot;
	struct kmin_budget_input in = { .image_bytes = image_bytes, .text = text, .data = data,
					.bss = bss };
	int rc = 0;

	if (build_id > 0) {
		rc = kmin_store_sections_foreach(s, build_id, on_section, &a, err, errlen);
		if (a.oom)
			rc = kmin_errf(err, errlen, "out of memory");
		else if (rc < 0)
			rc = -1;
		if (!rc) {
			for (size_t i = 0; i < a.n; i++)
				a.v[i].name = a.names + (uintptr_t)a.v[i].name;
			in.sections = a.v;
			in.nsections = a.n;
			rc = boot_lookup(s, build_id, &boot, err, errlen);
			if (rc == 1)
				in.boot = &boot;
			rc = rc < 0 ? -1 : 0;
		}
	}
	if (!rc)
		rc = kmin_budget_compute(b, &in, out, err, errlen);
	free(a.v);
	free(a.names);
	return rc;
}
