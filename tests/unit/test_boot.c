/*
 * test_boot.c - the boot oracle's pure parts (src/boot.c): the kernel's
 * Memory: line (real lines from 6.1 boots, and malformed ones), the board
 * table and --boot's argument, the boot config, and a boot record in the
 * store read back through a cached row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kmin/boot.h"
#include "kmin/store.h"
#include "kmin/store_boot.h"
#include "testutil.h"

/* versatilepb, kmin's smallest boot config (6.1.192, measured) */
static const char vpb_line[] =
	"Memory: 127960K/131072K available (994K kernel code, 440K rwdata, 100K rodata, "
	"108K init, 163K bss, 3112K reserved, 0K cma-reserved)";
/* mps2-an385, mps2_defconfig (6.1, see kernel-facts) */
static const char mps2_line[] =
	"Memory: 13160K/16384K available (1789K kernel code, 288K rwdata, 604K rodata, "
	"96K init, 118K bss, 3224K reserved, 0K cma-reserved)";

static void test_memory_real(void **state)
{
	struct kmin_boot_memory m;
	char log[1024];

	(void)state;
	assert_int_equal(kmin_boot_parse_memory(vpb_line, &m), 1);
	assert_int_equal(m.available_k, 127960);
	assert_int_equal(m.total_k, 131072);
	assert_int_equal(m.code_k, 994);
	assert_int_equal(m.rwdata_k, 440);
	assert_int_equal(m.rodata_k, 100);
	assert_int_equal(m.init_k, 108);
	assert_int_equal(m.bss_k, 163);
	assert_int_equal(m.reserved_k, 3112);
	assert_int_equal(m.cma_reserved_k, 0);

	/* inside a console log, after printk time stamps */
	snprintf(log, sizeof(log), "[    0.000000] Zone ranges:\n[    0.000000] %s\n"
		 "[    0.012000] Run /init as init process\n", mps2_line);
	assert_int_equal(kmin_boot_parse_memory(log, &m), 1);
	assert_int_equal(m.code_k, 1789);
	assert_int_equal(m.rodata_k, 604);
	assert_int_equal(m.reserved_k, 3224);
	assert_int_equal(m.total_k, 16384);
}

static void test_memory_variants(void **state)
{
	struct kmin_boot_memory m;

	(void)state;
	/* highmem kernels print one more figure */
	assert_int_equal(kmin_boot_parse_memory(
		"Memory: 2000K/4096K available (10K kernel code, 2K rwdata, 3K rodata, 4K init, "
		"5K bss, 2096K reserved, 0K cma-reserved, 0K highmem)", &m), 1);
	assert_int_equal(m.reserved_k, 2096);
	assert_int_equal(m.cma_reserved_k, 0);
	/* no cma figure */
	assert_int_equal(kmin_boot_parse_memory(
		"Memory: 2000K/4096K available (10K kernel code, 2K rwdata, 3K rodata, 4K init, "
		"5K bss, 2096K reserved)", &m), 1);
	assert_int_equal(m.cma_reserved_k, -1);
	/* a malformed Memory: line first, a good one later: the good one */
	char two[512];
	snprintf(two, sizeof(two), "Memory: 128MB\n%s\n", vpb_line);
	assert_int_equal(kmin_boot_parse_memory(two, &m), 1);
	assert_int_equal(m.bss_k, 163);
}

static void test_memory_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"no memory line at all",
		"Memory: 128MB",
		"Memory: 127960K/131072K available",
		"Memory: 127960K/131072K available (994K kernel code, 440K rwdata)",
		"Memory: 127960K/131072K available (994K kernel code, 440K rwdata, 100K rodata, "
		"108K init, 163K bss)",
		"Memory: 127960/131072K available (994K kernel code, 440K rwdata, 100K rodata, "
		"108K init, 163K bss, 3112K reserved)",
		"Memory: 127960K/131072K available (994K kernel code, 440K rwdata, 100K rodata, "
		"108K init, 163K bss, 3112M reserved)",
		"Memory: 127960K/131072K available (994K kernel code, 440K rwdata, 100K rodata, "
		"108K init, 163K bss, 3112K reserved",
		"Memory: 127960K/131072K available (994K code, 440K rwdata, 100K rodata, "
		"108K init, 163K bss, 3112K reserved)",
		"Memory: 1K/2K available (xK kernel code, 440K rwdata, 100K rodata, "
		"108K init, 163K bss, 3112K reserved)",
	};
	struct kmin_boot_memory m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(kmin_boot_parse_memory(bad[i], &m), 0);
}

static void test_boards(void **state)
{
	const struct kmin_board *b;
	char err[256];

	(void)state;
	b = kmin_board_find("versatilepb");
	assert_non_null(b);
	assert_string_equal(b->dtb, "versatile-pb.dtb");
	assert_string_equal(b->console, "ttyAMA0");
	assert_true(b->mmu);
	assert_false(b->shim);
	assert_string_equal(b->kernel, "arch/arm/boot/zImage");
	b = kmin_board_find("mps2-an385");
	assert_non_null(b);
	assert_false(b->mmu);
	assert_true(b->shim);
	assert_string_equal(b->dtb, "mps2-an385.dtb");
	assert_int_equal(b->dtb_addr, 0x21800000);
	assert_null(kmin_board_find("vexpress-a9"));

	assert_int_equal(kmin_boot_spec_parse("qemu", &b, err, sizeof(err)), 0);
	assert_string_equal(b->name, "versatilepb");
	assert_int_equal(kmin_boot_spec_parse("qemu:mps2-an385", &b, err, sizeof(err)), 0);
	assert_string_equal(b->name, "mps2-an385");
	assert_int_equal(kmin_boot_spec_parse("qemu:pc", &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown QEMU machine 'pc'"));
	assert_int_equal(kmin_boot_spec_parse("kvm", &b, err, sizeof(err)), -1);
	assert_int_equal(kmin_boot_spec_parse("qemux", &b, err, sizeof(err)), -1);
	assert_string_equal(kmin_boot_status_name(KMIN_BOOT_OK), "ok");
	assert_string_equal(kmin_boot_status_name(KMIN_BOOT_TIMEOUT), "timeout");
	assert_string_equal(kmin_boot_status_name(KMIN_BOOT_FAILED), "failed");
}

static void test_boot_config(void **state)
{
	struct kmin_boot_files f = { 0 };
	char list[] = "/cache/boot/versatilepb/initramfs.list";
	size_t len = 0;
	char *s;

	(void)state;
	f.board = kmin_board_find("versatilepb");
	f.initramfs_list = list;
	s = kmin_boot_config("CONFIG_A=y", 10, &f, &len);
	assert_non_null(s);
	assert_int_equal(len, strlen(s));
	assert_non_null(strstr(s, "CONFIG_A=y\n"));
	assert_non_null(strstr(s, "\nCONFIG_BLK_DEV_INITRD=y\n"));
	assert_non_null(strstr(s, "\nCONFIG_INITRAMFS_SOURCE=\"/cache/boot/versatilepb/initramfs.list\"\n"));
	assert_non_null(strstr(s, "\nCONFIG_BINFMT_ELF=y\n"));
	assert_non_null(strstr(s, "\nCONFIG_AEABI=y\n"));
	/* no initrd before: none of its decompressors come with it */
	assert_non_null(strstr(s, "\n# CONFIG_RD_GZIP is not set\n"));
	assert_non_null(strstr(s, "\n# CONFIG_RD_ZSTD is not set\n"));
	free(s);
	/* initrd before: its own choices stay */
	const char *had = "CONFIG_BLK_DEV_INITRD=y\nCONFIG_RD_GZIP=y\n";
	s = kmin_boot_config(had, strlen(had), &f, &len);
	assert_non_null(s);
	assert_null(strstr(s, "RD_GZIP is not set"));
	free(s);
	f.board = kmin_board_find("mps2-an385");
	s = kmin_boot_config("CONFIG_A=y\n", 11, &f, &len);
	assert_non_null(s);
	assert_non_null(strstr(s, "\nCONFIG_BINFMT_FLAT=y\n"));
	assert_null(strstr(s, "BINFMT_ELF"));
	assert_null(strstr(s, "\n\n"));
	free(s);
}

static void test_store_boot(void **state)
{
	char dir[64], path[256], err[512];
	struct kmin_store *s = NULL;
	struct kmin_store_boot b = { 0 }, got;
	struct kmin_build build = { 0 };
	struct kmin_kernel_id kid = { 0 };
	int64_t id = 0, cached = 0;

	(void)state;
	tu_tempdir(dir, sizeof(dir), "boot");
	snprintf(path, sizeof(path), "%s/r.db", dir);
	assert_true(kmin_store_open(&s, path, 0, err, sizeof(err)) >= 0);
	assert_true(kmin_store_config_put(s, "CONFIG_A=y\n", 11, build.key.config_sha256, NULL, err,
					  sizeof(err)) >= 0);
	snprintf(kid.version, sizeof(kid.version), "6.1");
	snprintf(kid.path, sizeof(kid.path), "/src");
	snprintf(kid.ident, sizeof(kid.ident), "tree:boot");
	assert_true(kmin_store_kernel_upsert(s, &kid, &build.key.kernel_id, err, sizeof(err)) >= 0);
	assert_true(kmin_store_toolchain_upsert(s, "gcc", "gcc 12", &build.key.toolchain_id, err,
						sizeof(err)) >= 0);
	build.key.arch = "arm";
	build.key.image = "zImage";
	build.status = KMIN_BUILD_OK;
	build.text = build.data = build.bss = build.image_bytes = 1;
	build.worker = "w0";
	assert_true(kmin_store_build_record(s, &build, &id, err, sizeof(err)) >= 0);
	assert_int_equal(kmin_store_boot_get(s, id, &got, err, sizeof(err)), 0);

	b.build_id = id;
	b.board = "versatilepb";
	b.status = "ok";
	b.seconds = 2.5;
	b.marker = true;
	b.has_memory = true;
	b.reserved_k = 3112;
	b.code_k = 994;
	b.cma_reserved_k = -1;
	assert_int_equal(kmin_store_boot_record(s, &b, err, sizeof(err)), 0);
	assert_true(kmin_store_build_record_cached(s, id, "cache", 1, 2, &cached, err, sizeof(err)) >= 0);
	/* the cached row answers with the boot of the build it came from */
	assert_int_equal(kmin_store_boot_get(s, cached, &got, err, sizeof(err)), 1);
	assert_int_equal(got.build_id, id);
	assert_string_equal(got.status, "ok");
	assert_string_equal(got.board, "versatilepb");
	assert_true(got.marker);
	assert_true(got.has_memory);
	assert_int_equal(got.reserved_k, 3112);
	assert_int_equal(got.code_k, 994);
	assert_int_equal(got.cma_reserved_k, -1);
	assert_null(got.message);
	kmin_store_boot_clear(&got);

	/* a later boot of the same build replaces it */
	b.status = "timeout";
	b.message = "no user space within 60 s";
	b.has_memory = false;
	assert_int_equal(kmin_store_boot_record(s, &b, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_boot_get(s, id, &got, err, sizeof(err)), 1);
	assert_string_equal(got.status, "timeout");
	assert_string_equal(got.message, "no user space within 60 s");
	assert_false(got.has_memory);
	assert_int_equal(got.reserved_k, -1);
	kmin_store_boot_clear(&got);
	kmin_store_close(s);
	tu_remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_real),
		cmocka_unit_test(test_memory_variants),
		cmocka_unit_test(test_memory_malformed),
		cmocka_unit_test(test_boards),
		cmocka_unit_test(test_boot_config),
		cmocka_unit_test(test_store_boot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
