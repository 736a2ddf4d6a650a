/*
 * test_require.c - the --require language and "did you mean".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kmin/require.h"

static const char *const tree_symbols[] = { "USB", "USB_SUPPORT", "SPI", "I2C", "USB_ACM",
					    "TTY", "EXPERT", "MODULES", NULL };

static bool exists(void *payload, const char *name)
{
	(void)payload;
	for (const char *const *s = tree_symbols; *s; s++)
		if (!strcmp(*s, name))
			return true;
	return false;
}

static struct kmin_features *features(void)
{
	struct kmin_features *fs;
	char err[256];
	assert_int_equal(kmin_features_new(&fs, err, sizeof(err)), 0);
	return fs;
}

static void test_features_and_symbols(void **state)
{
	struct kmin_features *fs = features();
	struct kmin_requirements r;
	char err[256];
	(void)state;

	assert_int_equal(kmin_requirements_parse(&r, "usb, Wi-Fi,CONFIG_USB_ACM=m,EXPERT=n,TTY",
						 fs, exists, NULL, tree_symbols, err, sizeof(err)), 0);
	assert_int_equal(r.n, 5);
	assert_non_null(r.items[0].feature);
	assert_string_equal(r.items[0].feature->name, "USB");
	assert_null(r.items[0].symbol);
	assert_string_equal(r.items[1].feature->name, "WIFI");
	assert_null(r.items[2].feature);
	assert_string_equal(r.items[2].symbol, "USB_ACM");
	assert_int_equal(r.items[2].value, 'm');
	assert_true(r.items[2].value_given);
	assert_string_equal(r.items[3].symbol, "EXPERT");
	assert_int_equal(r.items[3].value, 'n');
	assert_string_equal(r.items[4].symbol, "TTY");
	assert_int_equal(r.items[4].value, 'y');
	assert_false(r.items[4].value_given);
	assert_string_equal(r.items[4].text, "TTY");
	kmin_requirements_clear(&r);

	/* CONFIG_ or a value makes a feature name a symbol */
	assert_int_equal(kmin_requirements_parse(&r, "CONFIG_USB,USB=y", fs, exists, NULL,
						 tree_symbols, err, sizeof(err)), 0);
	assert_null(r.items[0].feature);
	assert_string_equal(r.items[0].symbol, "USB");
	assert_null(r.items[1].feature);
	kmin_requirements_clear(&r);
	kmin_features_free(fs);
}

static void expect_error(const char *list, const char *message)
{
	struct kmin_features *fs = features();
	struct kmin_requirements r;
	char err[256];

	assert_int_equal(kmin_requirements_parse(&r, list, fs, exists, NULL, tree_symbols, err,
						 sizeof(err)), -1);
	if (!strstr(err, message))
		fail_msg("expected '%s' in '%s'", message, err);
	assert_int_equal(r.n, 0);
	kmin_features_free(fs);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("USBB", "unknown requirement 'USBB'; did you mean 'USB'?");
	expect_error("SPI,USB_SUPPRT", "unknown requirement 'USB_SUPPRT'; did you mean 'USB_SUPPORT'?");
	expect_error("CONFIG_EXPRT", "did you mean 'EXPERT'?");
	expect_error("ZZZZZZZZZZZZ", "unknown requirement 'ZZZZZZZZZZZZ': not a feature");
	expect_error("USB=x", "requirement 'USB=x': expected =y, =m or =n");
	expect_error("USB=yes", "expected =y, =m or =n");
	expect_error("A-B=y", "'A-B' is not a symbol name");
	expect_error(" , ,", "--require needs at least one");
}

static void test_suggest(void **state)
{
	static const char *const c[] = { "USB", "SPI", "I2C", "BLUETOOTH", "WATCHDOG" };
	(void)state;
	assert_string_equal(kmin_suggest("usb", c, 5), "USB");
	assert_string_equal(kmin_suggest("BLUETOTH", c, 5), "BLUETOOTH");
	assert_string_equal(kmin_suggest("WACHDOG", c, 5), "WATCHDOG");
	assert_null(kmin_suggest("QQQ", c, 5));
	assert_null(kmin_suggest("ETHERNET", c, 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_and_symbols),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_suggest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
