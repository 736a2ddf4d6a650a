/*
 * test_budget.c - the flash/RAM budget model (src/budget.c): sizes and
 * budget strings (and their errors), the classes of arm's and the
 * fixture's vmlinux sections, the arithmetic with and without XIP and a
 * boot figure, the search's score, and kmin_budget_measure() reading a
 * build's sections back from a real store.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmin/budget.h"
#include "kmin/store.h"
#include "kmin/store_boot.h"
#include "testutil.h"

/* ---- sizes ---- */

static void test_size_parse(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(kmin_budget_size_parse("700K", &v), 0);
	assert_int_equal(v, 700 * 1024);
	assert_int_equal(kmin_budget_size_parse("256k", &v), 0);
	assert_int_equal(v, 256 * 1024);
	assert_int_equal(kmin_budget_size_parse("2M", &v), 0);
	assert_int_equal(v, 2 * 1024 * 1024);
	assert_int_equal(kmin_budget_size_parse("1G", &v), 0);
	assert_int_equal(v, 1024LL * 1024 * 1024);
	assert_int_equal(kmin_budget_size_parse("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(kmin_budget_size_parse("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(kmin_budget_size_parse("64KiB", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(kmin_budget_size_parse("64KB", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(kmin_budget_size_parse("", &v), -1);
	assert_int_equal(kmin_budget_size_parse("12Q", &v), -1);
	assert_int_equal(kmin_budget_size_parse("-1", &v), -1);
	assert_int_equal(kmin_budget_size_parse("K", &v), -1);
	assert_int_equal(kmin_budget_size_parse("1.5M", &v), -1);
	assert_int_equal(kmin_budget_size_parse("10 K", &v), -1);
	assert_int_equal(kmin_budget_size_parse("4096B", &v), -1);
	assert_int_equal(kmin_budget_size_parse("99999999999999999999", &v), -1);
	assert_int_equal(kmin_budget_size_parse("9999999999999G", &v), -1);
}

/* ---- budget strings ---- */

static void test_parse_ok(void **state)
{
	struct kmin_budget b;
	char err[256], buf[128];

	(void)state;
	assert_int_equal(kmin_budget_parse("flash=700K,ram=256K,xip", &b, err, sizeof(err)), 0);
	assert_int_equal(b.flash, 716800);
	assert_int_equal(b.ram, 262144);
	assert_true(b.xip);
	kmin_budget_format(&b, buf, sizeof(buf));
	assert_string_equal(buf, "flash=716800,ram=262144,xip");

	assert_int_equal(kmin_budget_parse("xip,ram=1M", &b, err, sizeof(err)), 0);
	assert_int_equal(b.flash, -1);
	assert_int_equal(b.ram, 1048576);
	assert_true(b.xip);
	kmin_budget_format(&b, buf, sizeof(buf));
	assert_string_equal(buf, "ram=1048576,xip");

	assert_int_equal(kmin_budget_parse("flash=2M", &b, err, sizeof(err)), 0);
	assert_int_equal(b.flash, 2097152);
	assert_int_equal(b.ram, -1);
	assert_false(b.xip);
	kmin_budget_format(&b, buf, sizeof(buf));
	assert_string_equal(buf, "flash=2097152");
}

static void expect_error(const char *text, const char *needle)
{
	struct kmin_budget b = { .flash = 5, .ram = 7, .xip = false };
	char err[256] = "";

	assert_int_equal(kmin_budget_parse(text, &b, err, sizeof(err)), -1);
	if (!strstr(err, needle))
		fail_msg("'%s': error '%s' lacks '%s'", text, err, needle);
	/* *out is untouched on error */
	assert_int_equal(b.flash, 5);
	assert_int_equal(b.ram, 7);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_error("flash=", "needs a size");
	expect_error("flash", "needs a size");
	expect_error("ram=12Q", "bad size '12Q' for ram");
	expect_error("flash=-5K", "bad size");
	expect_error("rom=1M", "unknown budget item 'rom'");
	expect_error("flash=1M,flash=2M", "'flash' given twice");
	expect_error("ram=1M,xip,xip", "'xip' given twice");
	expect_error("xip=1", "takes no value");
	expect_error("xip", "limits nothing");
	expect_error("", "empty item");
	expect_error("flash=1M,", "empty item");
	expect_error(",ram=1M", "empty item");
	expect_error("flash=1M,,ram=1M", "empty item");
	expect_error("flash=11111111111111111111111111111111111111111111111111111111111111111111",
		     "bad size");
}

/* ---- sections ---- */

static void test_classes(void **state)
{
	static const struct {
		const char *name;
		enum kmin_budget_class c;
	} cases[] = {
		/* arm 6.1 tinyconfig (nommu, Cortex-M) vmlinux, in ELF order */
		{ ".head.text", KMIN_BUDGET_CODE },
		{ ".text", KMIN_BUDGET_CODE },
		{ ".rodata", KMIN_BUDGET_RODATA },
		{ "__param", KMIN_BUDGET_RODATA },
		{ ".notes", KMIN_BUDGET_RODATA },
		{ ".ARM.unwind_idx", KMIN_BUDGET_RODATA },
		{ ".ARM.unwind_tab", KMIN_BUDGET_RODATA },
		{ ".init.text", KMIN_BUDGET_INIT_CODE },
		{ ".init.proc.info", KMIN_BUDGET_INIT_RO },
		{ ".init.arch.info", KMIN_BUDGET_INIT_RO },
		{ ".init.data", KMIN_BUDGET_INIT_DATA },
		{ ".data", KMIN_BUDGET_DATA },
		{ ".bss", KMIN_BUDGET_BSS },
		/* more of arm (MMU, SMP, XIP links) */
		{ ".fixup", KMIN_BUDGET_CODE },
		{ ".vectors", KMIN_BUDGET_CODE },
		{ ".stubs", KMIN_BUDGET_CODE },
		{ ".exit.text", KMIN_BUDGET_INIT_CODE },
		{ ".exit.data", KMIN_BUDGET_INIT_DATA },
		{ ".init.tagtable", KMIN_BUDGET_INIT_RO },
		{ ".init.rodata", KMIN_BUDGET_INIT_RO },
		{ ".init.smpalt", KMIN_BUDGET_INIT_RO },
		{ ".init.pv_table", KMIN_BUDGET_INIT_RO },
		{ ".data..percpu", KMIN_BUDGET_DATA },
		{ ".data.ro_after_init", KMIN_BUDGET_DATA },
		{ "__ksymtab", KMIN_BUDGET_RODATA },
		{ "__ksymtab_gpl", KMIN_BUDGET_RODATA },
		{ "__ksymtab_strings", KMIN_BUDGET_RODATA },
		{ "__ex_table", KMIN_BUDGET_RODATA },
		{ "__bug_table", KMIN_BUDGET_RODATA },
		{ ".text_itcm", KMIN_BUDGET_CODE },
		{ ".data_dtcm", KMIN_BUDGET_DATA },
		{ ".sbss", KMIN_BUDGET_BSS },
		{ ".bss..page_aligned", KMIN_BUDGET_BSS },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (kmin_budget_class(cases[i].name) != cases[i].c)
			fail_msg("'%s' is %s, expected %s", cases[i].name,
				 kmin_budget_class_name(kmin_budget_class(cases[i].name)),
				 kmin_budget_class_name(cases[i].c));
	assert_string_equal(kmin_budget_class_name(KMIN_BUDGET_INIT_DATA), "init_data");
}

/* The sections of arm 6.1 tinyconfig's vmlinux (arm-linux-gnueabi-size -A): text 611968, data 114136, bss 25312. */
static const struct kmin_section arm_tiny[] = {
	{ ".head.text", 96 },	    { ".text", 533088 },	   { ".rodata", 57664 },
	{ "__param", 320 },	    { ".notes", 84 },		   { ".ARM.unwind_idx", 43856 },
	{ ".ARM.unwind_tab", 5808 }, { ".init.text", 28300 },	   { ".init.proc.info", 312 },
	{ ".init.arch.info", 104 }, { ".init.data", 15000 },	   { ".data", 41472 },
	{ ".bss", 25312 },
};

#define NARM (sizeof(arm_tiny) / sizeof(arm_tiny[0]))

/* mps2_defconfig's boot in QEMU (kernel-facts.md). */
static const struct kmin_budget_boot mps2_boot = {
	.code_k = 1789, .rwdata_k = 288, .rodata_k = 604, .init_k = 96, .bss_k = 118,
	.reserved_k = 3224,
};

static void test_arithmetic_xip(void **state)
{
	struct kmin_budget b = { .flash = 700 * 1024, .ram = 64 * 1024, .xip = true };
	struct kmin_budget_input in = { .image_bytes = 419448, .sections = arm_tiny,
					.nsections = NARM, .text = -1, .data = -1, .bss = -1 };
	struct kmin_budget_fit f;
	char err[256];

	(void)state;
	assert_int_equal(kmin_budget_compute(&b, &in, &f, err, sizeof(err)), 0);
	assert_int_equal(f.cls[KMIN_BUDGET_CODE], 533184);
	assert_int_equal(f.cls[KMIN_BUDGET_RODATA], 107732);
	assert_int_equal(f.cls[KMIN_BUDGET_INIT_CODE], 28300);
	assert_int_equal(f.cls[KMIN_BUDGET_INIT_RO], 416);
	assert_int_equal(f.cls[KMIN_BUDGET_INIT_DATA], 15000);
	assert_int_equal(f.cls[KMIN_BUDGET_DATA], 41472);
	assert_int_equal(f.cls[KMIN_BUDGET_BSS], 25312);
	/* XIP flash: every byte with contents = size(1)'s text + data */
	assert_int_equal(f.flash, 611968 + 114136);
	/* XIP RAM: RW data, init data, bss; no boot: nothing reserved */
	assert_int_equal(f.ram, 41472 + 15000 + 25312);
	assert_false(f.boot);
	assert_int_equal(f.reserved_other, 0);
	assert_int_equal(f.flash_over, 726104 - 716800);
	assert_int_equal(f.ram_over, 81784 - 65536);
	assert_false(f.fits);
	assert_int_equal(kmin_budget_score(&f), (726104 - 716800) + (81784 - 65536));

	/* with the boot figure: reserved beyond the kernel (3224K - 2895K) */
	in.boot = &mps2_boot;
	b.ram = 512 * 1024;
	b.flash = 1024 * 1024;
	assert_int_equal(kmin_budget_compute(&b, &in, &f, err, sizeof(err)), 0);
	assert_true(f.boot);
	assert_int_equal(f.reserved_other, 329 * 1024);
	assert_int_equal(f.ram, 81784 + 329 * 1024);
	assert_true(f.fits);
	assert_int_equal(f.flash_over, 0);
	assert_int_equal(f.ram_over, 0);
	assert_int_equal(kmin_budget_score(&f), 0);
}

static void test_arithmetic_no_xip(void **state)
{
	struct kmin_budget b = { .flash = 400 * 1024, .ram = 700 * 1024, .xip = false };
	struct kmin_budget_input in = { .image_bytes = 419448, .sections = arm_tiny,
					.nsections = NARM, .text = -1, .data = -1, .bss = -1,
					.boot = &mps2_boot };
	struct kmin_budget_fit f;
	char err[256];

	(void)state;
	assert_int_equal(kmin_budget_compute(&b, &in, &f, err, sizeof(err)), 0);
	/* flash: the image file */
	assert_int_equal(f.flash, 419448);
	assert_int_equal(f.flash_over, 419448 - 409600);
	/* RAM: the whole kernel (= size(1)'s dec) plus the other reserved */
	assert_int_equal(f.ram, 751416 + 329 * 1024);
	assert_int_equal(f.ram_over, 751416 + 329 * 1024 - 716800);
	assert_false(f.fits);

	/* a reserved figure below the kernel's own parts counts 0, not negative */
	struct kmin_budget_boot small = mps2_boot;
	small.reserved_k = 100;
	in.boot = &small;
	assert_int_equal(kmin_budget_compute(&b, &in, &f, err, sizeof(err)), 0);
	assert_int_equal(f.reserved_other, 0);
	assert_int_equal(f.ram, 751416);

	/* a flash-only budget: RAM is computed, never over */
	b.ram = -1;
	b.flash = 419448;		/* exactly: fits */
	assert_int_equal(kmin_budget_compute(&b, &in, &f, err, sizeof(err)), 0);
	assert_true(f.fits);
	assert_int_equal(f.ram_budget, -1);
	assert_int_equal(f.ram_over, 0);
	b.flash = 419447;		/* one byte short */
	assert_int_equal(kmin_budget_compute(&b, &in, &f, err, sizeof(err)), 0);
	assert_false(f.fits);
	assert_int_equal(kmin_budget_score(&f), 1);
}

/* The fixture kernel's four sections, and a build without sections (size(1) only). */
static void test_fixture_and_fallback(void **state)
{
	static const struct kmin_section tk[] = {
		{ ".text", 40000 }, { ".rodata", 9000 }, { ".data", 6000 }, { ".bss", 4280 },
	};
	struct kmin_budget b = { .flash = 1000, .ram = -1, .xip = true };
	struct kmin_budget_input in = { .image_bytes = 20000, .sections = tk, .nsections = 4,
					.text = -1, .data = -1, .bss = -1 };
	struct kmin_budget_fit f;
	char err[256];

	(void)state;
	assert_int_equal(kmin_budget_compute(&b, &in, &f, err, sizeof(err)), 0);
	assert_int_equal(f.flash, 55000);
	assert_int_equal(f.ram, 10280);
	assert_int_equal(f.flash_over, 54000);

	in.nsections = 0;
	in.text = 49000;
	in.data = 6000;
	in.bss = 4280;
	assert_int_equal(kmin_budget_compute(&b, &in, &f, err, sizeof(err)), 0);
	assert_int_equal(f.flash, 55000);
	assert_int_equal(f.ram, 10280);

	in.text = -1;
	assert_int_equal(kmin_budget_compute(&b, &in, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no sizes"));

	/* no image size: flash unknown, an error only when flash is budgeted */
	in.text = 49000;
	in.image_bytes = -1;
	b.xip = false;
	assert_int_equal(kmin_budget_compute(&b, &in, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no image size"));
	b.flash = -1;
	b.ram = 1;
	assert_int_equal(kmin_budget_compute(&b, &in, &f, err, sizeof(err)), 0);
	assert_int_equal(f.flash, -1);
	assert_int_equal(kmin_budget_score(&f), 59280 - 1);

	/* no budget at all: only the sizes */
	in.image_bytes = 20000;
	assert_int_equal(kmin_budget_compute(NULL, &in, &f, err, sizeof(err)), 0);
	assert_true(f.fits);
	assert_int_equal(f.flash, 20000);
	assert_int_equal(f.ram, 59280);
}

/* ---- from the store ---- */

static void test_measure_store(void **state)
{
	char dir[64], path[256], err[512], sha[65];
	const char *config = "CONFIG_A=y\n";
	struct kmin_store *s = NULL;
	struct kmin_kernel_id kid;
	struct kmin_build bld;
	struct kmin_budget b = { .flash = -1, .ram = 100000, .xip = true };
	struct kmin_budget_fit f;
	int64_t kernel, tc, id, cached;

	(void)state;
	tu_tempdir(dir, sizeof(dir), "budget");
	snprintf(path, sizeof(path), "%s/t.db", dir);
	assert_int_equal(kmin_store_open(&s, path, 0, err, sizeof(err)), 0);
	memset(&kid, 0, sizeof(kid));
	snprintf(kid.ident, sizeof(kid.ident), "tree:test");
	snprintf(kid.version, sizeof(kid.version), "6.1.0");
	snprintf(kid.path, sizeof(kid.path), "/src");
	assert_int_equal(kmin_store_kernel_upsert(s, &kid, &kernel, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_toolchain_upsert(s, "gcc", "gcc 12", &tc, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_config_put(s, config, strlen(config), sha, NULL, err,
					       sizeof(err)), 0);
	memset(&bld, 0, sizeof(bld));
	memcpy(bld.key.config_sha256, sha, 65);
	bld.key.kernel_id = kernel;
	bld.key.toolchain_id = tc;
	bld.key.arch = "arm";
	bld.key.image = "zImage";
	bld.status = KMIN_BUILD_OK;
	bld.text = 611968;
	bld.data = 114136;
	bld.bss = 25312;
	bld.image_bytes = 419448;
	bld.sections = arm_tiny;
	bld.nsections = NARM;
	assert_int_equal(kmin_store_build_record(s, &bld, &id, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_build_record_cached(s, id, "t", 0, 0, &cached, err,
							sizeof(err)), 0);

	assert_int_equal(kmin_budget_measure(s, &b, id, bld.text, bld.data, bld.bss,
					     bld.image_bytes, &f, err, sizeof(err)), 0);
	assert_int_equal(f.cls[KMIN_BUDGET_INIT_RO], 416);
	assert_int_equal(f.ram, 81784);
	assert_true(f.fits);
	/* a cached row answers with the sections of its source */
	assert_int_equal(kmin_budget_measure(s, &b, cached, bld.text, bld.data, bld.bss,
					     bld.image_bytes, &f, err, sizeof(err)), 0);
	assert_int_equal(f.ram, 81784);
	assert_int_equal(f.flash, 726104);
	/* no build id: size(1)'s split (.rodata counted as data, as size does) */
	assert_int_equal(kmin_budget_measure(s, &b, 0, bld.text, bld.data, bld.bss,
					     bld.image_bytes, &f, err, sizeof(err)), 0);
	assert_int_equal(f.ram, 114136 + 25312);

	/* a boot with its Memory: line: the reserved beyond the kernel counts in RAM */
	struct kmin_store_boot boot = { .build_id = id, .board = "mps2-an385", .status = "ok",
					.seconds = 0.3, .marker = true, .has_memory = true,
					.available_k = 13160, .total_k = 16384, .code_k = 1789,
					.rwdata_k = 288, .rodata_k = 604, .init_k = 96, .bss_k = 118,
					.reserved_k = 3224, .cma_reserved_k = 0 };
	assert_int_equal(kmin_store_boot_record(s, &boot, err, sizeof(err)), 0);
	assert_int_equal(kmin_budget_measure(s, &b, cached, bld.text, bld.data, bld.bss,
					     bld.image_bytes, &f, err, sizeof(err)), 0);
	assert_true(f.boot);
	assert_int_equal(f.reserved_other, 329 * 1024);
	assert_int_equal(f.ram, 81784 + 329 * 1024);
	assert_false(f.fits);
	assert_int_equal(f.ram_over, 81784 + 329 * 1024 - 100000);
	/* a boot whose console printed no Memory: line is no figure */
	boot.has_memory = false;
	assert_int_equal(kmin_store_boot_record(s, &boot, err, sizeof(err)), 0);
	assert_int_equal(kmin_budget_measure(s, &b, id, bld.text, bld.data, bld.bss,
					     bld.image_bytes, &f, err, sizeof(err)), 0);
	assert_false(f.boot);
	assert_int_equal(f.ram, 81784);
	kmin_store_close(s);
	tu_remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_parse),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_arithmetic_xip),
		cmocka_unit_test(test_arithmetic_no_xip),
		cmocka_unit_test(test_fixture_and_fallback),
		cmocka_unit_test(test_measure_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
