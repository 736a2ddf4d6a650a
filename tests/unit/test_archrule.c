/*
 * test_archrule.c - unit tests of the fragment targets NAME.config and of
 * the arch Makefile's explicit NAME_defconfig rules (kconfig/targets.c,
 * kconfig/archdefconfig.c, the kconfig_target_parse() spelling).
 *
 * Each test writes a small tree in a temporary directory.  The merged
 * outputs checked here are what the 6.1 tree's merge_config.sh -m and conf
 * --olddefconfig give on the same files (the golden cases
 * tests/kconfig/golden/fragment-* check the bytes against the real tools);
 * the arch rules are read from Makefile texts shaped like riscv's, powerpc's
 * (6.1 and 6.12) and mips' of those trees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "testutil.h"

static const char frag_kconfig[] =
	"config MODULES\n\tbool \"modules\"\n\tdefault y\n\tmodules\n"
	"config A\n\tbool \"a\"\n\tdefault y\n"
	"config B\n\ttristate \"b\"\n\tdepends on A\n\tdefault m\n"
	"config N\n\tint \"n\"\n\tdefault 4 if A\n\tdefault 8\n"
	"config S\n\tstring \"s\"\n\tdefault \"plain\"\n"
	"config D\n\tbool \"d\"\n\tdefault A\n";

struct infos {
	char lines[16][512];
	int n;
};

struct tree {
	char dir[64];
	char srctree_var[128];
	const char *env[4];
	struct infos infos;
	struct kconfig *kc;
};

static void collect(void *payload, const struct kconfig_diag *d)
{
	struct infos *in = payload;

	if (in->n < 16 && d->level == KCONFIG_DIAG_INFO)
		snprintf(in->lines[in->n++], sizeof(in->lines[0]), "%s", d->message);
}

static struct tree *tree_new(void)
{
	struct tree *t = calloc(1, sizeof(*t));
	struct kconfig_options opts = KCONFIG_OPTIONS_INIT;

	assert_non_null(t);
	tu_tempdir(t->dir, sizeof(t->dir), "archrule");
	tu_write_str(t->dir, "Kconfig", frag_kconfig);
	snprintf(t->srctree_var, sizeof(t->srctree_var), "srctree=%s", t->dir);
	t->env[0] = t->srctree_var;
	t->env[1] = "SRCARCH=test";
	t->env[2] = NULL;
	opts.srctree = t->dir;
	opts.env = t->env;
	opts.diag = collect;
	opts.diag_payload = &t->infos;
	assert_int_equal(kconfig_open(&t->kc, &opts), 0);
	return t;
}

static void tree_free(struct tree *t)
{
	kconfig_free(t->kc);
	tu_remove_tree(t->dir);
	free(t);
}

/* The .config of the context's values (free it). */
static char *config_text(struct tree *t)
{
	const char *out = tu_path(t->dir, "out.config");
	char *text;
	size_t len;

	assert_int_equal(kconfig_config_write(t->kc, out), 0);
	assert_int_equal(kc_conf_slurp(out, &text, &len), 0);
	return text;
}

#define HEAD "#\n# Automatically generated file; DO NOT EDIT.\n# Main menu\n#\n"

static void test_parse_names(void **state)
{
	enum kconfig_target t;

	(void)state;
	assert_int_equal(kconfig_target_parse("tiny.config", &t), 0);
	assert_int_equal(t, KCONFIG_TARGET_FRAGMENT);
	assert_int_equal(kconfig_target_parse("32-bit.config", &t), 0);
	assert_int_equal(t, KCONFIG_TARGET_FRAGMENT);
	assert_int_equal(kconfig_target_parse(".config", &t), KCONFIG_ENOENT);
	assert_int_equal(kconfig_target_parse("a/b.config", &t), KCONFIG_ENOENT);
	assert_int_equal(kconfig_target_parse("tinyconfig", &t), 0);
	assert_int_equal(t, KCONFIG_TARGET_TINYCONFIG);
}

/*
 * kernel/configs then arch/test/configs, merged into the input: lines of a
 * redefined symbol go, even a string that mentions "CONFIG_A " (sed), the
 * arch fragment wins over the generic one, then olddefconfig.
 */
static void test_fragment_merge(void **state)
{
	struct tree *t = tree_new();
	struct kconfig_target_options o = { 0 };
	char *text;

	(void)state;
	tu_write_str(t->dir, "in.config", "CONFIG_MODULES=y\nCONFIG_A=y\nCONFIG_B=m\nCONFIG_N=4\n"
					  "CONFIG_S=\"mentions CONFIG_A here\"\nCONFIG_D=y\n");
	tu_write_str(t->dir, "kernel/configs/extra.config", "# CONFIG_A is not set\nCONFIG_N=5\n");
	tu_write_str(t->dir, "arch/test/configs/extra.config", "CONFIG_N=6\n# comment CONFIG_D\n");
	o.input = tu_path(t->dir, "in.config");
	o.fragment = "extra.config";
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_FRAGMENT, &o), 0);
	text = config_text(t);
	assert_string_equal(text, HEAD "CONFIG_MODULES=y\n# CONFIG_A is not set\nCONFIG_N=6\n"
				       "CONFIG_S=\"plain\"\nCONFIG_D=y\n");
	free(text);
	/* the script's messages: A and N (twice); none for an equal value */
	assert_int_equal(t->infos.n, 3);
	assert_non_null(strstr(t->infos.lines[0], "Value of CONFIG_A is redefined by fragment "));
	assert_non_null(strstr(t->infos.lines[0], "kernel/configs/extra.config: previous value: "
				  "CONFIG_A=y CONFIG_S=\"mentions CONFIG_A here\", new value: "
				  "# CONFIG_A is not set"));
	assert_non_null(strstr(t->infos.lines[2], "arch/test/configs/extra.config: previous "
				  "value: CONFIG_N=5, new value: CONFIG_N=6"));
	tree_free(t);
}

/* An empty .config (make without one), NULL input (the context's values), no fragment. */
static void test_fragment_inputs(void **state)
{
	struct tree *t = tree_new();
	struct kconfig_target_options o = { 0 };
	char *text;

	(void)state;
	tu_write_str(t->dir, "empty.config", "");
	tu_write_str(t->dir, "kernel/configs/off.config", "# CONFIG_A is not set\n");
	o.fragment = "off.config";
	o.input = tu_path(t->dir, "empty.config");
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_FRAGMENT, &o), 0);
	text = config_text(t);
	/* N and D take A's new value: nothing pinned them */
	assert_string_equal(text, HEAD "CONFIG_MODULES=y\n# CONFIG_A is not set\nCONFIG_N=8\n"
				       "CONFIG_S=\"plain\"\n# CONFIG_D is not set\n");
	free(text);

	/* after alldefconfig in the same context, N=4 and D=y are in its .config */
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_ALLDEFCONFIG, NULL), 0);
	o.input = NULL;
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_FRAGMENT, &o), 0);
	text = config_text(t);
	assert_string_equal(text, HEAD "CONFIG_MODULES=y\n# CONFIG_A is not set\nCONFIG_N=4\n"
				       "CONFIG_S=\"plain\"\nCONFIG_D=y\n");
	free(text);

	o.fragment = "nope.config";
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_FRAGMENT, &o), KCONFIG_ENOENT);
	assert_non_null(strstr(kconfig_errmsg(t->kc), "No configuration exists for this target"));
	o.fragment = "off.config";
	o.input = tu_path(t->dir, "missing.config");
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_FRAGMENT, &o), KCONFIG_ENOENT);
	tree_free(t);
}

/* merge_into_defconfig: a base file and explicit fragment files. */
static void test_fragment_files(void **state)
{
	struct tree *t = tree_new();
	struct kconfig_target_options o = { 0 };
	const char *files[3];
	char *text;

	(void)state;
	tu_write_str(t->dir, "base_defconfig", "# CONFIG_MODULES is not set\nCONFIG_N=7\n");
	tu_write_str(t->dir, "le.config", "CONFIG_N=9\n");
	tu_write_str(t->dir, "guest.config", "# CONFIG_D is not set\n");
	files[0] = tu_path(t->dir, "le.config");
	files[1] = tu_path(t->dir, "guest.config");
	files[2] = NULL;
	o.input = tu_path(t->dir, "base_defconfig");
	o.fragment_files = files;
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_FRAGMENT, &o), 0);
	text = config_text(t);
	/* B's m is y without MODULES */
	assert_string_equal(text, HEAD "# CONFIG_MODULES is not set\nCONFIG_A=y\n"
				       "CONFIG_B=y\nCONFIG_N=9\nCONFIG_S=\"plain\"\n"
				       "# CONFIG_D is not set\n");
	free(text);
	tree_free(t);
}

static const char arch_makefile[] =
	"KBUILD_DEFCONFIG := defconfig\n"
	"\n"
	"PHONY += rv32_defconfig\n"
	"rv32_defconfig:\n"
	"\t$(Q)$(MAKE) -f $(srctree)/Makefile defconfig 32-bit.config\n"
	"\n"
	"define merge_into_defconfig\n"
	"inner_defconfig:\n"
	"\t$(Q)true\n"
	"endef\n"
	"\n"
	"ppc64le_defconfig:\n"
	"\t$(call merge_into_defconfig,ppc64_defconfig,\\\n"
	"\t\tle   guest)\n"
	"ppc_defconfig:\n"
	"\t$(call merge_into_defconfig,book3s_32.config,)\n"
	"\n"
	"generated_configs += alias_defconfig\n"
	"alias_defconfig: ppc64le_defconfig\n"
	"PHONY += $(generated_configs)\n"
	"plain_defconfig: ppc64le_defconfig\n"
	"\n"
	".PHONY: generic_defconfig\n"
	"generic_defconfig:\n"
	"\t$(Q)echo not for direct use\n"
	"\t$(Q)false\n"
	"boards_defconfig:\n"
	"\t$(Q)$(MAKE) -f $(srctree)/Makefile 32r2el_defconfig BOARDS=x\n";

static void test_arch_rules(void **state)
{
	struct tree *t = tree_new();
	struct kconfig_arch_rule *r;

	(void)state;
	/* no Makefile: no rule, the file is what counts */
	assert_int_equal(kconfig_arch_rule(t->kc, "rv32_defconfig", &r), KCONFIG_ENOENT);
	assert_null(r);
	tu_write_str(t->dir, "arch/test/Makefile", arch_makefile);

	assert_int_equal(kconfig_arch_rule(t->kc, "rv32_defconfig", &r), 0);
	assert_int_equal(r->nsteps, 2);
	assert_string_equal(r->steps[0].target, "defconfig");
	assert_string_equal(r->steps[1].target, "32-bit.config");
	kconfig_arch_rule_free(r);

	assert_int_equal(kconfig_arch_rule(t->kc, "ppc64le_defconfig", &r), 0);
	assert_int_equal(r->nsteps, 1);
	assert_null(r->steps[0].target);
	assert_string_equal(r->steps[0].base, "arch/test/configs/ppc64_defconfig");
	assert_string_equal(r->steps[0].fragments[0], "arch/test/configs/le.config");
	assert_string_equal(r->steps[0].fragments[1], "arch/test/configs/guest.config");
	assert_null(r->steps[0].fragments[2]);
	kconfig_arch_rule_free(r);

	assert_int_equal(kconfig_arch_rule(t->kc, "ppc_defconfig", &r), 0);
	assert_string_equal(r->steps[0].base, "arch/test/configs/book3s_32.config");
	assert_null(r->steps[0].fragments[0]);
	kconfig_arch_rule_free(r);

	/* a phony target with only a prerequisite (6.12's pseries_defconfig) */
	assert_int_equal(kconfig_arch_rule(t->kc, "alias_defconfig", &r), 0);
	assert_int_equal(r->nsteps, 1);
	assert_string_equal(r->steps[0].target, "ppc64le_defconfig");
	kconfig_arch_rule_free(r);

	/* the rest are errors that name the rule, or no rule at all */
	assert_int_equal(kconfig_arch_rule(t->kc, "plain_defconfig", &r), KCONFIG_EINVAL);
	assert_null(r);
	assert_non_null(strstr(kconfig_errmsg(t->kc), "'plain_defconfig' is a target of the arch "
				  "Makefile (arch/test/Makefile:21)"));
	assert_int_equal(kconfig_arch_rule(t->kc, "generic_defconfig", &r), KCONFIG_EINVAL);
	assert_non_null(strstr(kconfig_errmsg(t->kc), "arch/test/Makefile:24"));
	assert_int_equal(kconfig_arch_rule(t->kc, "boards_defconfig", &r), KCONFIG_EINVAL);
	assert_int_equal(kconfig_arch_rule(t->kc, "inner_defconfig", &r), KCONFIG_ENOENT);
	assert_int_equal(kconfig_arch_rule(t->kc, "versatile_defconfig", &r), KCONFIG_ENOENT);
	assert_int_equal(kconfig_arch_rule(t->kc, NULL, &r), KCONFIG_EINVAL);
	tree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_names),
		cmocka_unit_test(test_fragment_merge),
		cmocka_unit_test(test_fragment_inputs),
		cmocka_unit_test(test_fragment_files),
		cmocka_unit_test(test_arch_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
