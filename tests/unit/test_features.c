/*
 * test_features.c - the feature list: built-in file, user files, lookups, errors.
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

#include "kmin/features.h"

static void test_builtin(void **state)
{
	struct kmin_features *fs;
	char err[256];
	(void)state;

	assert_int_equal(kmin_features_new(&fs, err, sizeof(err)), 0);
	assert_true(kmin_features_count(fs) >= 15);
	static const char *const required[] = { "USB", "WIFI", "SPI", "I2C", "NET", "ETHERNET",
		"BLUETOOTH", "MMC", "GPIO", "SERIAL", "BLOCK", "INPUT", "RTC", "WATCHDOG", "CAN" };
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const struct kmin_feature *f = kmin_features_find(fs, required[i]);
		assert_non_null(f);
		assert_true(f->nsymbols > 0);
		assert_true(f->nelf > 0);
		assert_non_null(f->description);
	}
	/* case, '-' and '_' do not matter; aliases work */
	assert_ptr_equal(kmin_features_find(fs, "wi-fi"), kmin_features_find(fs, "WIFI"));
	assert_ptr_equal(kmin_features_find(fs, "Wlan"), kmin_features_find(fs, "WIFI"));
	assert_ptr_equal(kmin_features_find(fs, "usb"), kmin_features_find(fs, "USB"));
	assert_null(kmin_features_find(fs, "USBB"));
	const struct kmin_feature *usb = kmin_features_find(fs, "usb");
	assert_string_equal(usb->symbols[0], "USB");
	assert_string_equal(usb->elf[0], "usb_add_hcd");
	const struct kmin_feature *wifi = kmin_features_find(fs, "wifi");
	assert_int_equal(wifi->nsymbols, 3);
	assert_string_equal(wifi->symbols[1], "MAC80211");
	kmin_features_free(fs);
}

static void test_user_file_overrides(void **state)
{
	struct kmin_features *fs;
	char err[256], path[] = "/tmp/kmin-features-XXXXXX";
	(void)state;

	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("# mine\n[usb]\nsymbols = CONFIG_USB, USB_EHCI_HCD\nelf = ehci_init_driver\n\n"
	      "[Camera]\naliases = cam\nsymbols = MEDIA_SUPPORT\n", f);
	fclose(f);
	assert_int_equal(kmin_features_new(&fs, err, sizeof(err)), 0);
	size_t before = kmin_features_count(fs);
	assert_int_equal(kmin_features_load(fs, path, err, sizeof(err)), 0);
	assert_int_equal(kmin_features_count(fs), before + 1);
	const struct kmin_feature *usb = kmin_features_find(fs, "USB");
	assert_int_equal(usb->nsymbols, 2);
	assert_string_equal(usb->symbols[0], "USB");	/* CONFIG_ dropped */
	assert_string_equal(usb->symbols[1], "USB_EHCI_HCD");
	assert_string_equal(usb->file, path);
	assert_int_equal(usb->line, 2);
	assert_non_null(kmin_features_find(fs, "CAM"));
	assert_string_equal(kmin_features_find(fs, "camera")->name, "CAMERA");
	kmin_features_free(fs);
	unlink(path);
}

static void expect_error(const char *text, const char *message)
{
	struct kmin_features *fs;
	char err[256];

	assert_int_equal(kmin_features_new(&fs, err, sizeof(err)), 0);
	assert_int_equal(kmin_features_parse(fs, text, "my.conf", err, sizeof(err)), -1);
	if (!strstr(err, message))
		fail_msg("expected '%s' in '%s'", message, err);
	kmin_features_free(fs);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("symbols = USB\n", "my.conf:1: 'key = value' before the first '[NAME]'");
	expect_error("[A]\nsymbols = X\nfoo = bar\n", "my.conf:3: unknown key 'foo'");
	expect_error("[A]\njunk line\n", "my.conf:2: expected '[NAME]' or 'key = value'");
	expect_error("[A\n", "my.conf:1: expected '[NAME]'");
	expect_error("[A]\ndescription = nothing\n", "my.conf:1: feature 'A' has no 'symbols'");
	expect_error("[A]\nsymbols = X, Y Z\n", "my.conf:2: expected a name in 'symbols'");
	expect_error("[]\n", "my.conf:1: expected a feature name");

	struct kmin_features *fs;
	char err[256];
	assert_int_equal(kmin_features_new(&fs, err, sizeof(err)), 0);
	assert_int_equal(kmin_features_load(fs, "/nonexistent/f.conf", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open '/nonexistent/f.conf'"));
	kmin_features_free(fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_user_file_overrides),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
