/*
 * test_solve.c - the requirement solver on small Kconfig trees.
 *
 * Each case writes a Kconfig file, loads a base (allnoconfig or
 * alldefconfig, written and read back like `kmin solve` does), solves and
 * checks the values, the list of changes, minimality and that the result
 * is a fixed point of olddefconfig.
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

#include "kconfig/kconfig.h"
#include "kconfig/solve.h"
#include "testutil.h"

static char dir[64];

static char *read_file(const char *name)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *buf = calloc(1, 1 << 16);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static struct kconfig *open_tree(const char *kconfig)
{
	static const char *const env[] = { "ARCH=arm", "SRCARCH=arm", NULL };
	struct kconfig_options opts = KCONFIG_OPTIONS_INIT;
	struct kconfig *kc = NULL;

	tu_write_str(dir, "Kconfig", kconfig);
	opts.srctree = dir;
	opts.env = env;
	opts.shell_cwd = dir;
	int rc = kconfig_open(&kc, &opts);
	if (rc)
		fail_msg("kconfig_open: %s", kc ? kconfig_errmsg(kc) : "oom");
	return kc;
}

/* Run a target, write it and read it back: user values are the file's. */
static void load_base(struct kconfig *kc, enum kconfig_target target)
{
	struct kconfig_target_options topts = { 0 };
	char path[128];

	snprintf(path, sizeof(path), "%s/base.config", dir);
	assert_int_equal(kconfig_target_run(kc, target, &topts), 0);
	assert_int_equal(kconfig_config_write(kc, path), 0);
	assert_int_equal(kconfig_config_read(kc, path), 0);
}

static const char *value(struct kconfig *kc, const char *name)
{
	struct kconfig_symbol *sym = kconfig_symbol_find(kc, name);
	assert_non_null(sym);
	return kconfig_symbol_string(kc, sym);
}

static const struct kconfig_change *change(const struct kconfig_solution *sol, const char *name)
{
	for (size_t i = 0; i < sol->nchanges; i++)
		if (!strcmp(sol->changes[i].symbol, name))
			return &sol->changes[i];
	return NULL;
}

static size_t count_set(const struct kconfig_solution *sol)
{
	size_t n = 0;
	for (size_t i = 0; i < sol->nchanges; i++)
		n += sol->changes[i].set_by_solver;
	return n;
}

/* The written result read back through olddefconfig gives the same file. */
static void assert_fixed_point(struct kconfig *kc, const char *kconfig)
{
	char out[128], again[128];
	struct kconfig_target_options topts = { 0 };

	snprintf(out, sizeof(out), "%s/solved.config", dir);
	snprintf(again, sizeof(again), "%s/again.config", dir);
	assert_int_equal(kconfig_config_write(kc, out), 0);
	struct kconfig *kc2 = open_tree(kconfig);
	topts.input = out;
	assert_int_equal(kconfig_target_run(kc2, KCONFIG_TARGET_OLDDEFCONFIG, &topts), 0);
	assert_int_equal(kconfig_config_write(kc2, again), 0);
	char *a = read_file("solved.config"), *b = read_file("again.config");
	assert_string_equal(a, b);
	free(a);
	free(b);
	kconfig_free(kc2);
}

static int solve(struct kconfig *kc, const char *spec, enum kconfig_new_symbols mode,
		 struct kconfig_solution **sol)
{
	struct kconfig_requirement reqs[8];
	char buf[256], *save = NULL;
	size_t n = 0;
	struct kconfig_solve_options opts = KCONFIG_SOLVE_OPTIONS_INIT;

	opts.new_symbols = mode;
	snprintf(buf, sizeof(buf), "%s", spec);
	static char names[8][64];
	for (char *t = strtok_r(buf, ",", &save); t && n < 8; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		reqs[n].value = KCONFIG_YES;
		if (eq) {
			*eq = '\0';
			reqs[n].value = eq[1] == 'n' ? KCONFIG_NO : eq[1] == 'm' ? KCONFIG_MOD : KCONFIG_YES;
		}
		snprintf(names[n], sizeof(names[n]), "%s", t);
		reqs[n].symbol = names[n];
		n++;
	}
	int rc = kconfig_solve(kc, reqs, n, &opts, sol);
	if (rc)
		print_message("solve '%s': %s\n", spec, kconfig_errmsg(kc));
	return rc;
}

static const char usb_tree[] =
	"config MODULES\n\tbool \"modules\"\n\tmodules\n"
	"menuconfig USB_SUPPORT\n\tbool \"USB support\"\n"
	"if USB_SUPPORT\n"
	"config USB_COMMON\n\ttristate\n"
	"config USB\n\ttristate \"USB host\"\n\tselect USB_COMMON\n"
	"config USB_EXTRA\n\tbool \"extra\"\n\tdepends on USB\n\tdefault y\n"
	"endif\n";

static void test_chain(void **state)
{
	struct kconfig_solution *sol;
	(void)state;
	struct kconfig *kc = open_tree(usb_tree);
	load_base(kc, KCONFIG_TARGET_ALLNOCONFIG);
	assert_string_equal(value(kc, "USB"), "n");
	assert_int_equal(solve(kc, "USB", KCONFIG_NEW_NO, &sol), 0);
	assert_string_equal(value(kc, "USB_SUPPORT"), "y");
	assert_string_equal(value(kc, "USB"), "y");
	assert_string_equal(value(kc, "USB_COMMON"), "y");
	/* allnoconfig style: the newly visible USB_EXTRA stays n */
	assert_string_equal(value(kc, "USB_EXTRA"), "n");
	assert_int_equal(count_set(sol), 2);
	assert_true(change(sol, "USB_SUPPORT")->set_by_solver);
	assert_true(change(sol, "USB")->set_by_solver);
	assert_false(change(sol, "USB_COMMON")->set_by_solver);
	assert_string_equal(change(sol, "USB")->from, "n");
	assert_string_equal(change(sol, "USB")->to, "y");
	kconfig_solution_free(sol);
	assert_fixed_point(kc, usb_tree);
	kconfig_free(kc);

	/* olddefconfig style: new symbols take their defaults */
	kc = open_tree(usb_tree);
	load_base(kc, KCONFIG_TARGET_ALLNOCONFIG);
	assert_int_equal(solve(kc, "USB", KCONFIG_NEW_DEFAULT, &sol), 0);
	assert_string_equal(value(kc, "USB_EXTRA"), "y");
	kconfig_solution_free(sol);
	kconfig_free(kc);
}

static const char or_tree[] =
	"config A\n\tbool \"a\"\nconfig B\n\tbool \"b\"\nconfig C\n\tbool \"c\"\n"
	"config X\n\tbool \"x\"\n\tdepends on (B && C) || A\n";

static void test_cheapest_or(void **state)
{
	struct kconfig_solution *sol;
	(void)state;
	struct kconfig *kc = open_tree(or_tree);
	load_base(kc, KCONFIG_TARGET_ALLNOCONFIG);
	assert_int_equal(solve(kc, "X", KCONFIG_NEW_NO, &sol), 0);
	assert_string_equal(value(kc, "A"), "y");
	assert_string_equal(value(kc, "B"), "n");
	assert_string_equal(value(kc, "C"), "n");
	assert_int_equal(count_set(sol), 2);
	kconfig_solution_free(sol);
	kconfig_free(kc);
}

static const char select_tree[] =
	"config HIDDEN\n\tbool\n"
	"config SELECTOR\n\tbool \"selector\"\n\tselect HIDDEN\n"
	"config S\n\tbool \"s\"\n"
	"config T\n\tbool \"t\"\n\tdefault y\n\tselect S\n"
	"config BAR\n\tbool \"bar\"\n\tdefault y\n"
	"config W\n\tbool \"w\"\n\tdepends on !BAR\n";

static void test_select_and_not(void **state)
{
	struct kconfig_solution *sol;
	(void)state;
	struct kconfig *kc = open_tree(select_tree);
	load_base(kc, KCONFIG_TARGET_ALLDEFCONFIG);
	assert_string_equal(value(kc, "T"), "y");
	assert_string_equal(value(kc, "S"), "y");
	assert_int_equal(solve(kc, "HIDDEN,S=n,W", KCONFIG_NEW_DEFAULT, &sol), 0);
	assert_string_equal(value(kc, "SELECTOR"), "y");	/* only way to HIDDEN */
	assert_string_equal(value(kc, "HIDDEN"), "y");
	assert_string_equal(value(kc, "T"), "n");		/* its select kept S on */
	assert_string_equal(value(kc, "S"), "n");
	assert_string_equal(value(kc, "BAR"), "n");		/* !BAR */
	assert_string_equal(value(kc, "W"), "y");
	kconfig_solution_free(sol);
	assert_fixed_point(kc, select_tree);
	kconfig_free(kc);
}

static const char gate_tree[] =
	"config EXPERT\n\tbool \"expert\"\n"
	"config PRINTK\n\tbool \"printk\" if EXPERT\n\tdefault y\n";

static void test_visibility_gate(void **state)
{
	struct kconfig_solution *sol;
	(void)state;
	struct kconfig *kc = open_tree(gate_tree);
	load_base(kc, KCONFIG_TARGET_ALLDEFCONFIG);
	assert_string_equal(value(kc, "PRINTK"), "y");
	assert_int_equal(solve(kc, "PRINTK=n", KCONFIG_NEW_DEFAULT, &sol), 0);
	assert_string_equal(value(kc, "EXPERT"), "y");
	assert_string_equal(value(kc, "PRINTK"), "n");
	assert_int_equal(count_set(sol), 2);
	kconfig_solution_free(sol);
	assert_fixed_point(kc, gate_tree);
	kconfig_free(kc);
}

static const char choice_tree[] =
	"choice\n\tprompt \"pick\"\n\tdefault CA\n"
	"config CA\n\tbool \"a\"\nconfig CB\n\tbool \"b\"\nendchoice\n"
	"config NEEDB\n\tbool \"needs b\"\n\tdepends on CB\n";

static void test_choice(void **state)
{
	struct kconfig_solution *sol;
	(void)state;
	struct kconfig *kc = open_tree(choice_tree);
	load_base(kc, KCONFIG_TARGET_ALLDEFCONFIG);
	assert_string_equal(value(kc, "CA"), "y");
	assert_int_equal(solve(kc, "NEEDB", KCONFIG_NEW_DEFAULT, &sol), 0);
	assert_string_equal(value(kc, "CB"), "y");
	assert_string_equal(value(kc, "CA"), "n");
	assert_string_equal(value(kc, "NEEDB"), "y");
	kconfig_solution_free(sol);
	assert_fixed_point(kc, choice_tree);
	kconfig_free(kc);
}

static const char impossible_tree[] =
	"config X86\n\tdef_bool n\n"
	"config ONLYX86\n\tbool \"x86 only\"\n\tdepends on X86\n";

static void test_errors(void **state)
{
	struct kconfig_solution *sol = NULL;
	(void)state;
	struct kconfig *kc = open_tree(usb_tree);
	load_base(kc, KCONFIG_TARGET_ALLNOCONFIG);
	assert_int_equal(solve(kc, "USB,USB_SUPPORT=n", KCONFIG_NEW_NO, &sol), KCONFIG_EINVAL);
	assert_null(sol);
	const char *msg = kconfig_errmsg(kc);
	assert_non_null(strstr(msg, "USB"));
	assert_non_null(strstr(msg, "USB_SUPPORT"));
	/* the base is back */
	assert_string_equal(value(kc, "USB_SUPPORT"), "n");
	assert_int_equal(solve(kc, "NOSUCH", KCONFIG_NEW_NO, &sol), KCONFIG_ENOENT);
	assert_non_null(strstr(kconfig_errmsg(kc), "unknown symbol 'NOSUCH'"));
	kconfig_free(kc);

	kc = open_tree(impossible_tree);
	load_base(kc, KCONFIG_TARGET_ALLNOCONFIG);
	assert_int_equal(solve(kc, "ONLYX86", KCONFIG_NEW_NO, &sol), KCONFIG_EINVAL);
	msg = kconfig_errmsg(kc);
	assert_non_null(strstr(msg, "requirement 'ONLYX86' cannot hold"));
	assert_non_null(strstr(msg, "X86"));
	kconfig_free(kc);
}

static int setup(void **state)
{
	(void)state;
	tu_tempdir(dir, sizeof(dir), "solve");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_remove_tree(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_cheapest_or),
		cmocka_unit_test(test_select_and_not),
		cmocka_unit_test(test_visibility_gate),
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
