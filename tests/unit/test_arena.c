/*
 * test_arena.c - the engine context's arena, errors and environment lookup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"

static void test_alloc_zeroed_aligned(void **state)
{
	struct kc_arena a = { 0 };
	(void)state;
	for (int i = 1; i < 5000; i++) {
		unsigned char *p = kc_arena_alloc(&a, (size_t)i);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		for (int j = 0; j < i; j++)
			assert_int_equal(p[j], 0);
		memset(p, 0xff, (size_t)i);
	}
	char *big = kc_arena_alloc(&a, 1 << 20);	/* larger than a block */
	assert_non_null(big);
	big[(1 << 20) - 1] = 1;
	kc_arena_free(&a);
	assert_null(a.head);
}

static void test_strdup(void **state)
{
	struct kc_arena a = { 0 };
	(void)state;
	assert_string_equal(kc_arena_strdup(&a, "abc"), "abc");
	assert_string_equal(kc_arena_strndup(&a, "abcdef", 2), "ab");
	assert_string_equal(kc_arena_strdup(&a, ""), "");
	kc_arena_free(&a);
}

static void test_env_table(void **state)
{
	struct kconfig kc;
	const char *env[] = { "ARCH=arm", "ARCHX=no", "CC=arm-linux-gnueabi-gcc", "EMPTY=", NULL };
	(void)state;
	memset(&kc, 0, sizeof(kc));
	kc.opts.env = env;
	assert_string_equal(kc_getenv(&kc, "ARCH"), "arm");
	assert_string_equal(kc_getenv(&kc, "CC"), "arm-linux-gnueabi-gcc");
	assert_string_equal(kc_getenv(&kc, "EMPTY"), "");
	assert_null(kc_getenv(&kc, "ARC"));
	assert_null(kc_getenv(&kc, "SRCARCH"));
	assert_int_equal(kc_error(&kc, KCONFIG_EINVAL, "bad '%s'", "x"), KCONFIG_EINVAL);
	assert_string_equal(kc.errmsg, "bad 'x'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_zeroed_aligned),
		cmocka_unit_test(test_strdup),
		cmocka_unit_test(test_env_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
