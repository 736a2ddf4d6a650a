/*
 * budget.h - flash and RAM budgets: does a built kernel fit a board?
 *
 * The seed's question is not "how small" but "does it fit": a Cortex-M3
 * with 700 KiB of flash and 256 KiB of RAM, perhaps executing in place.
 * `kmin fit` (src/cmd_fit.c) gives the verdict on a config already built,
 * and `kmin run --budget` (src/search.c) searches until the config fits.
 * Both compute the same model from what the store keeps of a build: the
 * image's bytes, every allocated section of vmlinux (name, size) and,
 * when the build was booted, the kernel's own `Memory:` line.
 *
 * The model.  Sections are put in classes by name (kmin_budget_class();
 * the names are arm's, from arch/arm/kernel/vmlinux.lds.S and
 * vmlinux-xip.lds.S of 6.1; a kbuild-like tree with only .text, .rodata,
 * .data and .bss is covered too):
 *
 *   code       .head.text, .text, .fixup, .vectors, .stubs, any "*text"
 *   rodata     .rodata, __ksymtab*, __param, __ex_table, .ARM.unwind_*,
 *              .notes ... (everything not named otherwise)
 *   init_code  .init.text, .exit.text (freed after boot)
 *   init_ro    .init.proc.info, .init.arch.info, .init.tagtable,
 *              .init.rodata ... (read-only init tables)
 *   init_data  .init.data, .exit.data (written during init)
 *   data       .data, .data..*, .sdata, .tcm data: initialised RW data
 *   bss        any name holding "bss" (no bytes in the file)
 *
 *   flash, no XIP = the image file the build made (zImage): a bootloader
 *                   copies and decompresses it into RAM
 *   flash, XIP    = code + rodata + init_code + init_ro + init_data + data:
 *                   vmlinux-xip.lds.S keeps everything up to _exiprom in
 *                   flash and stores there the initial copy of every RW
 *                   section (.data, .data..ro_after_init, .init.data,
 *                   percpu), which head-common code copies to RAM
 *   RAM, no XIP   = code + rodata + init_code + init_ro + init_data + data
 *                   + bss (the decompressed kernel as it sits in RAM, init
 *                   not yet freed) + other reserved
 *   RAM, XIP      = data + init_data + bss + other reserved
 *
 *   other reserved: from a boot of the build, the kernel's line
 *     Memory: …K/…K available (…K kernel code, …K rwdata, …K rodata,
 *             …K init, …K bss, …K reserved, …K cma-reserved)
 *   printed by mem_init_print_info() (mm/page_alloc.c).  Its "reserved"
 *   is physpages − totalram − cma, which counts the kernel image itself
 *   (arm_memblock_init() reserves KERNEL_START.._end), so kmin uses
 *   reserved − (kernel code + rwdata + rodata + init + bss): what the boot
 *   reserved beyond the kernel (mem_map, the vectors page, the DTB ...),
 *   never below 0.  Without a boot it is 0 and the fit says "no boot
 *   figure".
 *
 * Known approximations (the builds are not XIP links): in a non-XIP
 * vmlinux .init.data also holds the initcall tables and a built-in
 * initramfs, which an XIP link keeps in flash (.init.rodata), and
 * .rodata holds .data..ro_after_init, which an XIP link puts in RAM; the
 * Memory: figures are whole KiB, rounded down.
 *
 * Who calls it: cmd_fit.c and cmd_run.c (parsing, verdicts), search.c
 * (kmin_budget_measure() per build, kmin_budget_score() as the metric).
 * Errors: 0 or -1 with a one-line message in err[errlen]; nothing here
 * prints.  No state: every function works on what it is given.
 */
#ifndef KMIN_BUDGET_H
#define KMIN_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmin/store.h"

/* A budget: bytes, -1 when the budget does not limit that memory. */
struct kmin_budget {
	int64_t flash;
	int64_t ram;
	bool xip;			/* the kernel executes in place from flash */
};

/*
 * "700K", "2M", "1G", "4096": bytes into *out; K, M, G (either case,
 * optionally followed by "B" or "iB") are powers of 1024.  -1 for
 * anything else (empty, "12Q", negative, overflow).
 */
int kmin_budget_size_parse(const char *text, int64_t *out);

/*
 * "flash=SIZE,ram=SIZE[,xip]" (either size may be left out, not both;
 * items in any order) into *out.  Refused with a message: an empty or bad
 * size, an unknown key, a key given twice, no size at all.
 */
int kmin_budget_parse(const char *text, struct kmin_budget *out, char *err, size_t errlen);

/* The canonical form "flash=716800,ram=262144,xip" (bytes) into buf. */
void kmin_budget_format(const struct kmin_budget *b, char *buf, size_t len);

enum kmin_budget_class {
	KMIN_BUDGET_CODE = 0,
	KMIN_BUDGET_RODATA,
	KMIN_BUDGET_INIT_CODE,
	KMIN_BUDGET_INIT_RO,
	KMIN_BUDGET_INIT_DATA,
	KMIN_BUDGET_DATA,
	KMIN_BUDGET_BSS,
	KMIN_BUDGET_NCLASSES
};

/* The class of an allocated section of vmlinux, by its name (see above). */
enum kmin_budget_class kmin_budget_class(const char *section);

/* "code", "rodata", "init_code", "init_ro", "init_data", "data", "bss". */
const char *kmin_budget_class_name(enum kmin_budget_class c);

/* The kernel's Memory: line of a boot, in KiB as printed. */
struct kmin_budget_boot {
	int64_t code_k, rwdata_k, rodata_k, init_k, bss_k, reserved_k;
};

/* What the model reads of one build. */
struct kmin_budget_input {
	int64_t image_bytes;		/* the image file; -1 unknown */
	const struct kmin_section *sections;	/* every allocated section of vmlinux */
	size_t nsections;
	int64_t text, data, bss;	/* size(1), used only when there are no sections */
	const struct kmin_budget_boot *boot;	/* NULL: the build was not booted */
};

/* The model's answer, bytes. */
struct kmin_budget_fit {
	int64_t cls[KMIN_BUDGET_NCLASSES];	/* per class (enum kmin_budget_class) */
	int64_t image;			/* image file bytes; -1 unknown */
	bool boot;			/* a boot figure was used */
	int64_t reserved_other;		/* see above; 0 without a boot */
	bool xip;
	int64_t flash, ram;		/* what must fit; flash -1 when unknown */
	int64_t flash_budget, ram_budget;	/* -1: none */
	int64_t flash_over, ram_over;	/* bytes beyond the budget; 0 when within or none */
	bool fits;			/* within every budget given */
};

/* The model for one build under budget b (b NULL: only the sizes).  0 or -1. */
int kmin_budget_compute(const struct kmin_budget *b, const struct kmin_budget_input *in,
			struct kmin_budget_fit *out, char *err, size_t errlen);

/*
 * The search's metric under a budget: flash_over + ram_over, bytes beyond
 * the budget (a byte too many is a byte too many, in flash or RAM); 0
 * exactly when the build fits.  -1 when flash or RAM is unknown.
 */
int64_t kmin_budget_score(const struct kmin_budget_fit *f);

/*
 * The model for build build_id of the store: its sections
 * (kmin_store_sections_foreach(), a cached row answers with those of its
 * source) and the image bytes given, plus the build's boot when the store
 * has one.  sizes text/data/bss/image as the caller knows them.
 */
int kmin_budget_measure(struct kmin_store *s, const struct kmin_budget *b, int64_t build_id,
			int64_t text, int64_t data, int64_t bss, int64_t image_bytes,
			struct kmin_budget_fit *out, char *err, size_t errlen);

#endif
