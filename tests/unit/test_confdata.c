/*
 * test_confdata.c - unit tests of .config I/O, the *config targets and the
 * public API glue (kconfig/confdata.c, targets.c, kconfig.c).
 *
 * Each test builds a small Kconfig tree in a temporary directory and runs
 * the engine on it.  The expected texts were produced by the kernel's own
 * conf (6.1 and 6.12 builds of scripts/kconfig/conf) on the same trees, so
 * they pin conf's exact bytes and warnings, not our reading of them.
 * Everything runs in a few milliseconds.
 */
#include <errno.h>
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

/* ---- fixtures ---- */

static const char test_kconfig[] =
	"mainmenu \"Test Config\"\n"
	"\n"
	"config MODULES\n"
	"\tbool \"modules\"\n"
	"\tdefault y\n"
	"\tmodules\n"
	"\n"
	"menu \"Basics\"\n"
	"\n"
	"config A\n"
	"\tbool \"a\"\n"
	"\tdefault y\n"
	"\n"
	"config B\n"
	"\ttristate \"b\"\n"
	"\tdefault m\n"
	"\tdepends on A\n"
	"\n"
	"comment \"a comment\"\n"
	"\n"
	"config N\n"
	"\tint \"number\"\n"
	"\trange 1 100\n"
	"\tdefault 42\n"
	"\n"
	"config H\n"
	"\thex \"hex\"\n"
	"\tdefault 0x1000\n"
	"\n"
	"config S\n"
	"\tstring \"string\"\n"
	"\tdefault \"he said \\\"hi\\\" \\\\o/\"\n"
	"\n"
	"endmenu\n"
	"\n"
	"menuconfig MC\n"
	"\tbool \"menuconfig\"\n"
	"\n"
	"if MC\n"
	"config MC_CHILD\n"
	"\tbool \"child\"\n"
	"endif\n"
	"\n"
	"choice\n"
	"\tprompt \"pick\"\n"
	"\tdefault C2\n"
	"config C1\n"
	"\tbool \"c1\"\n"
	"config C2\n"
	"\tbool \"c2\"\n"
	"endchoice\n"
	"\n"
	"config HIDDEN\n"
	"\tbool\n"
	"\tdefault y if A\n";

#define HEADING "#\n# Automatically generated file; DO NOT EDIT.\n# Test Config\n#\n"

/* conf --alldefconfig on test_kconfig (6.1 and 6.12 agree). */
static const char expect_alldef[] =
	HEADING
	"CONFIG_MODULES=y\n"
	"\n#\n# Basics\n#\n"
	"CONFIG_A=y\n"
	"CONFIG_B=m\n"
	"\n#\n# a comment\n#\n"
	"CONFIG_N=42\n"
	"CONFIG_H=0x1000\n"
	"CONFIG_S=\"he said \\\"hi\\\" \\\\o/\"\n"
	"# end of Basics\n"
	"\n"
	"# CONFIG_MC is not set\n"
	"# CONFIG_C1 is not set\n"
	"CONFIG_C2=y\n"
	"CONFIG_HIDDEN=y\n";

static const char expect_allno[] =
	HEADING
	"# CONFIG_MODULES is not set\n"
	"\n#\n# Basics\n#\n"
	"# CONFIG_A is not set\n"
	"\n#\n# a comment\n#\n"
	"CONFIG_N=42\n"
	"CONFIG_H=0x1000\n"
	"CONFIG_S=\"he said \\\"hi\\\" \\\\o/\"\n"
	"# end of Basics\n"
	"\n"
	"# CONFIG_MC is not set\n"
	"# CONFIG_C1 is not set\n"
	"CONFIG_C2=y\n";

static const char expect_allmod[] =
	HEADING
	"CONFIG_MODULES=y\n"
	"\n#\n# Basics\n#\n"
	"CONFIG_A=y\n"
	"CONFIG_B=m\n"
	"\n#\n# a comment\n#\n"
	"CONFIG_N=42\n"
	"CONFIG_H=0x1000\n"
	"CONFIG_S=\"he said \\\"hi\\\" \\\\o/\"\n"
	"# end of Basics\n"
	"\n"
	"CONFIG_MC=y\n"
	"CONFIG_MC_CHILD=y\n"
	"# CONFIG_C1 is not set\n"
	"CONFIG_C2=y\n"
	"CONFIG_HIDDEN=y\n";

struct diag_log {
	char lines[64][256];
	int n;
};

static void collect_diag(void *payload, const struct kconfig_diag *d)
{
	struct diag_log *log = payload;

	if (log->n < 64 && d->level == KCONFIG_DIAG_WARNING)
		snprintf(log->lines[log->n++], sizeof(log->lines[0]), "%s:%d:%.120s",
			 d->file ? d->file : "", d->line, d->message);
}

struct tree {
	char dir[64];
	char srctree_var[128];
	const char *env[8];
	struct diag_log log;
	struct kconfig *kc;
};

static char *slurp(const char *path)
{
	char *buf;
	size_t len;

	assert_int_equal(kc_conf_slurp(path, &buf, &len), 0);
	return buf;
}

/* A tree of kconfig in a fresh directory; dialect 6.12 if patchlevel >= 11. */
static struct tree *tree_new_kconfig(int patchlevel, const char *extra_env, const char *kconfig)
{
	struct tree *t = calloc(1, sizeof(*t));
	struct kconfig_options opts = KCONFIG_OPTIONS_INIT;
	int n = 0;

	assert_non_null(t);
	tu_tempdir(t->dir, sizeof(t->dir), "confdata");
	tu_write_str(t->dir, "Kconfig", kconfig);
	if (patchlevel) {
		char mk[128];

		snprintf(mk, sizeof(mk), "VERSION = 6\nPATCHLEVEL = %d\nSUBLEVEL = 0\n", patchlevel);
		tu_write_str(t->dir, "Makefile", mk);
	}
	snprintf(t->srctree_var, sizeof(t->srctree_var), "srctree=%s", t->dir);
	t->env[n++] = t->srctree_var;
	t->env[n++] = "SRCARCH=test";
	if (extra_env)
		t->env[n++] = extra_env;
	t->env[n] = NULL;
	opts.srctree = t->dir;
	opts.env = t->env;
	opts.diag = collect_diag;
	opts.diag_payload = &t->log;
	assert_int_equal(kconfig_open(&t->kc, &opts), 0);
	assert_int_equal(t->kc->dialect, patchlevel >= 11 ? KC_DIALECT_6_12 : KC_DIALECT_6_1);
	return t;
}

static struct tree *tree_new(int patchlevel, const char *extra_env)
{
	return tree_new_kconfig(patchlevel, extra_env, test_kconfig);
}

static void tree_free(struct tree *t)
{
	kconfig_free(t->kc);
	tu_remove_tree(t->dir);
	free(t);
}

/* Run target, write .config (or defconfig) and return its text (free it). */
static char *run(struct tree *t, enum kconfig_target target,
		 const struct kconfig_target_options *o)
{
	const char *out = tu_path(t->dir, target == KCONFIG_TARGET_SAVEDEFCONFIG ? "defconfig"
										 : ".config");

	assert_int_equal(kconfig_target_run(t->kc, target, o), 0);
	if (target == KCONFIG_TARGET_SAVEDEFCONFIG)
		assert_int_equal(kconfig_defconfig_write(t->kc, out), 0);
	else
		assert_int_equal(kconfig_config_write(t->kc, out), 0);
	return slurp(out);
}

static char *run_simple(struct tree *t, enum kconfig_target target)
{
	struct kconfig_target_options o = { 0 };

	return run(t, target, &o);
}

/* ---- the write format and the all*config targets ---- */

static void test_write_format_alldefconfig(void **state)
{
	struct tree *t = tree_new(0, NULL);
	char *text = run_simple(t, KCONFIG_TARGET_ALLDEFCONFIG);

	(void)state;
	assert_string_equal(text, expect_alldef);
	free(text);
	tree_free(t);
}

static void test_allno_allyes_allmod(void **state)
{
	struct tree *t = tree_new(0, NULL);
	char *text;

	(void)state;
	text = run_simple(t, KCONFIG_TARGET_ALLNOCONFIG);
	assert_string_equal(text, expect_allno);
	free(text);
	text = run_simple(t, KCONFIG_TARGET_ALLMODCONFIG);
	assert_string_equal(text, expect_allmod);
	free(text);
	/* allyesconfig differs from allmodconfig only in B */
	text = run_simple(t, KCONFIG_TARGET_ALLYESCONFIG);
	assert_non_null(strstr(text, "CONFIG_B=y\n"));
	assert_null(strstr(text, "CONFIG_B=m\n"));
	free(text);
	/* the same context again: a fresh start each time */
	text = run_simple(t, KCONFIG_TARGET_ALLNOCONFIG);
	assert_string_equal(text, expect_allno);
	free(text);
	tree_free(t);
}

static void test_allconfig_file(void **state)
{
	struct tree *t = tree_new(0, NULL);
	struct kconfig_target_options o = { 0 };
	char *text;

	(void)state;
	tu_write_str(t->dir, "all.cfg", "CONFIG_MC=y\nCONFIG_C1=y\nCONFIG_N=7\n");
	o.allconfig = tu_path(t->dir, "all.cfg");
	text = run(t, KCONFIG_TARGET_ALLNOCONFIG, &o);
	assert_non_null(strstr(text, "\nCONFIG_N=7\n"));
	assert_non_null(strstr(text, "CONFIG_MC=y\n# CONFIG_MC_CHILD is not set\n"));
	assert_non_null(strstr(text, "CONFIG_C1=y\n# CONFIG_C2 is not set\n"));
	free(text);

	/* "1": allno.config of the tree for allnoconfig, all.config for the others */
	tu_write_str(t->dir, "allno.config", "CONFIG_A=y\n");
	tu_write_str(t->dir, "all.config", "CONFIG_MC=y\n");
	o.allconfig = "1";
	text = run(t, KCONFIG_TARGET_ALLNOCONFIG, &o);
	assert_non_null(strstr(text, "\nCONFIG_A=y\n"));
	assert_non_null(strstr(text, "# CONFIG_MC is not set\n"));
	free(text);
	o.allconfig = "";
	text = run(t, KCONFIG_TARGET_ALLDEFCONFIG, &o);
	assert_non_null(strstr(text, "\nCONFIG_MC=y\n"));
	free(text);

	o.allconfig = tu_path(t->dir, "missing.cfg");
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_ALLNOCONFIG, &o),
			 KCONFIG_ENOENT);
	assert_non_null(strstr(kconfig_errmsg(t->kc), "Can't read seed configuration"));
	tree_free(t);
}

/* ---- reading ---- */

/* Every kind of bad line; conf 6.1 and 6.12 warnings recorded from the kernel. */
static char *warn_input(size_t *len)
{
	static const char head[] =
		"CONFIG_A=y\nCONFIG_A=n\nCONFIG_B=x\nCONFIG_N=abc\ngarbage here\r\n\r\n"
		"CONFIG_UNKNOWN=y\nCONFIG_C1=y\nCONFIG_C2=y\nCONFIG_S=\"unterminated\n"
		"CONFIG_H=0x20\r\nCONFIG_N=7\0junk\n# CONFIG_MC is not set\n#CONFIG_X is not set\n"
		"CONFIG_MODULES\n";
	static const char tail[] = "\0\nCONFIG_A=y";
	size_t hl = sizeof(head) - 1, big = 200000, tl = sizeof(tail) - 1;
	char *buf = malloc(hl + 12 + big + 1 + tl);

	assert_non_null(buf);
	memcpy(buf, head, hl);
	memcpy(buf + hl, "CONFIG_LONG=", 12);
	memset(buf + hl + 12, 'x', big);
	buf[hl + 12 + big] = '\n';
	memcpy(buf + hl + 12 + big + 1, tail, tl);
	*len = hl + 12 + big + 1 + tl;
	return buf;
}

static const char *const warn_61[] = {
	"in.cfg:2:override: reassigning to symbol A",
	"in.cfg:3:symbol value 'x' invalid for B",
	"in.cfg:4:symbol value 'abc' invalid for N",
	"in.cfg:5:unexpected data: garbage here",
	"in.cfg:7:unknown symbol: UNKNOWN",
	"in.cfg:9:override: C2 changes choice state",
	"in.cfg:10:invalid string found",
	"in.cfg:16:unknown symbol: LONG",
	"in.cfg:17:unexpected data: ",
	"in.cfg:18:override: reassigning to symbol A",
};

static const char *const warn_612[] = {
	"in.cfg:2:override: reassigning to symbol A",
	"in.cfg:3:symbol value 'x' invalid for B",
	"in.cfg:4:symbol value 'abc' invalid for N",
	"in.cfg:5:unexpected data: garbage here",
	"in.cfg:7:unknown symbol: UNKNOWN",
	"in.cfg:10:invalid string found",
	"in.cfg:15:unexpected data: CONFIG_MODULES",
	"in.cfg:16:unknown symbol: LONG",
	"in.cfg:18:override: reassigning to symbol A",
};

static void check_read_warnings(int patchlevel, const char *const *expect, int n)
{
	struct tree *t = tree_new(patchlevel, "KCONFIG_WARN_UNKNOWN_SYMBOLS=1");
	size_t len;
	char *in = warn_input(&len), *text, *cwd = getcwd(NULL, 0);
	struct kconfig_target_options o = { .input = "in.cfg" };

	tu_write(t->dir, "in.cfg", in, len);
	free(in);
	assert_int_equal(chdir(t->dir), 0);
	text = run(t, KCONFIG_TARGET_OLDDEFCONFIG, &o);
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
	assert_int_equal(t->log.n, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(t->log.lines[i], expect[i]);
	/* the values that survived: A=y (last), N=7, H=0x20, the default string */
	assert_non_null(strstr(text, "CONFIG_A=y\nCONFIG_B=m\n"));
	assert_non_null(strstr(text, "CONFIG_N=7\nCONFIG_H=0x20\n"));
	assert_non_null(strstr(text, "# CONFIG_C1 is not set\nCONFIG_C2=y\n"));
	free(text);
	tree_free(t);
}

static void test_read_warnings_61(void **state)
{
	(void)state;
	check_read_warnings(0, warn_61, (int)(sizeof(warn_61) / sizeof(warn_61[0])));
}

static void test_read_warnings_612(void **state)
{
	(void)state;
	check_read_warnings(12, warn_612, (int)(sizeof(warn_612) / sizeof(warn_612[0])));
}

/* 6.1: a later 'y' member wins with a warning; 6.12: the last one wins silently. */
static void test_choice_last_wins(void **state)
{
	for (int pl = 0; pl <= 12; pl += 12) {
		struct tree *t = tree_new(pl, NULL);
		struct kconfig_target_options o = { .input = tu_path(t->dir, "in.cfg") };
		char *text;

		tu_write_str(t->dir, "in.cfg", "CONFIG_C2=y\nCONFIG_C1=y\n");
		text = run(t, KCONFIG_TARGET_OLDDEFCONFIG, &o);
		assert_non_null(strstr(text, "CONFIG_C1=y\n# CONFIG_C2 is not set\n"));
		assert_int_equal(t->log.n, pl ? 0 : 1);
		free(text);
		tree_free(t);
	}
	(void)state;
}

static void test_string_escapes_round_trip(void **state)
{
	struct tree *t = tree_new(0, NULL);
	struct kconfig_target_options o = { .input = tu_path(t->dir, "in.cfg") };
	struct kconfig_symbol *s;
	char *text;

	(void)state;
	tu_write_str(t->dir, "in.cfg", "CONFIG_S=\"a\\\"b\\\\c\\d\" trailing\n");
	text = run(t, KCONFIG_TARGET_OLDDEFCONFIG, &o);
	s = kconfig_symbol_find(t->kc, "S");
	assert_non_null(s);
	assert_string_equal(kconfig_symbol_string(t->kc, s), "a\"b\\cd");
	assert_non_null(strstr(text, "\nCONFIG_S=\"a\\\"b\\\\cd\"\n"));
	free(text);
	tree_free(t);
}

/* An out-of-range number is dropped for its default (conf_read's last pass). */
static void test_out_of_range_reset(void **state)
{
	struct tree *t = tree_new(0, NULL);
	struct kconfig_target_options o = { .input = tu_path(t->dir, "in.cfg") };
	char *text;

	(void)state;
	tu_write_str(t->dir, "in.cfg", "CONFIG_N=500\nCONFIG_H=0x20\n");
	text = run(t, KCONFIG_TARGET_OLDDEFCONFIG, &o);
	assert_non_null(strstr(text, "CONFIG_N=42\nCONFIG_H=0x20\n"));
	free(text);
	tree_free(t);
}

/* Random text built from .config pieces never crashes the reader or the writer. */
static void test_read_garbage(void **state)
{
	static const char *const pieces[] = {
		"CONFIG_", "# CONFIG_", " is not set", "=", "y", "m", "n", "\"", "\\", "\n",
		"\r\n", "A", "B", "N", "H", "S", "C1", "C2", "MC", "0x", "12", "-", " ", "#",
	};
	struct tree *t = tree_new(0, NULL);
	uint32_t x = 12345;

	(void)state;
	for (int round = 0; round < 300; round++) {
		char buf[512], *out = NULL;
		size_t len = 0, n;
		FILE *mem;

		x = x * 1103515245u + 12345u;
		n = (x >> 16) % 60;
		for (size_t i = 0; i < n; i++) {
			const char *p;

			x = x * 1103515245u + 12345u;
			if ((x >> 16) % 17 == 0) {
				buf[len++] = (char)(x >> 24);	/* any byte, NUL included */
				continue;
			}
			p = pieces[(x >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
			if (len + strlen(p) >= sizeof(buf) - 1)
				break;
			memcpy(buf + len, p, strlen(p));
			len += strlen(p);
		}
		buf[len] = '\0';
		kc_conf_reset(t->kc);
		t->kc->conf_changed = false;
		assert_int_equal(kc_conf_read_buffer(t->kc, "g", buf, len, KC_DEF_USER), 0);
		assert_int_equal(kc_conf_after_read(t->kc), 0);
		mem = open_memstream(&out, &len);
		assert_non_null(mem);
		assert_int_equal(kc_conf_write_fp(t->kc, mem), 0);
		assert_int_equal(fclose(mem), 0);
		assert_memory_equal(out, HEADING, strlen(HEADING));
		/* whatever was read, the choice has exactly one member set */
		assert_true(!strstr(out, "CONFIG_C1=y\n") != !strstr(out, "CONFIG_C2=y\n"));
		free(out);
	}
	tree_free(t);
}

/* ---- savedefconfig ---- */

static void test_savedefconfig_minimal(void **state)
{
	struct tree *t = tree_new(0, NULL);
	struct kconfig_target_options o = { 0 };
	char *text;

	(void)state;
	free(run_simple(t, KCONFIG_TARGET_ALLDEFCONFIG));
	text = run(t, KCONFIG_TARGET_SAVEDEFCONFIG, &o);
	assert_string_equal(text, "");
	free(text);

	free(run_simple(t, KCONFIG_TARGET_ALLMODCONFIG));
	text = run(t, KCONFIG_TARGET_SAVEDEFCONFIG, &o);
	assert_string_equal(text, "CONFIG_MC=y\nCONFIG_MC_CHILD=y\n");
	free(text);

	/* non-default choice member and values are kept; the rest goes */
	tu_write_str(t->dir, "in.cfg", "CONFIG_C1=y\nCONFIG_N=7\nCONFIG_A=y\nCONFIG_B=y\n");
	o.input = tu_path(t->dir, "in.cfg");
	text = run(t, KCONFIG_TARGET_SAVEDEFCONFIG, &o);
	assert_string_equal(text, "CONFIG_B=y\nCONFIG_N=7\nCONFIG_C1=y\n");
	free(text);

	/* savedefconfig of it gives the same .config back through defconfig */
	o.input = NULL;
	o.defconfig_file = tu_path(t->dir, "defconfig");
	text = run(t, KCONFIG_TARGET_DEFCONFIG, &o);
	assert_non_null(strstr(text, "CONFIG_B=y\n"));
	assert_non_null(strstr(text, "CONFIG_N=7\n"));
	assert_non_null(strstr(text, "CONFIG_C1=y\n# CONFIG_C2 is not set\n"));
	free(text);
	tree_free(t);
}

/* A number without a default: 6.1 keeps "CONFIG_HX=0x0", 6.12 calls it the default. */
static void test_savedefconfig_number_without_default(void **state)
{
	static const char kconfig[] =
		"config HX\n\thex \"hx\"\n\nconfig IX\n\tint \"ix\"\n\n"
		"config SX\n\tstring \"sx\"\n";

	(void)state;
	for (int pl = 0; pl <= 12; pl += 12) {
		struct tree *t = tree_new_kconfig(pl, NULL, kconfig);
		struct kconfig_target_options o = { .input = tu_path(t->dir, "in.cfg") };
		char *text;

		text = run_simple(t, KCONFIG_TARGET_ALLDEFCONFIG);
		/* 6.12 also writes 0x0 and 0 where 6.1 leaves the values empty */
		assert_string_equal(text, pl ? "#\n# Automatically generated file; DO NOT EDIT.\n"
					       "# Main menu\n#\nCONFIG_HX=0x0\nCONFIG_IX=0\n"
					       "CONFIG_SX=\"\"\n"
					     : "#\n# Automatically generated file; DO NOT EDIT.\n"
					       "# Main menu\n#\nCONFIG_HX=\nCONFIG_IX=\n"
					       "CONFIG_SX=\"\"\n");
		free(text);
		tu_write_str(t->dir, "in.cfg", "CONFIG_HX=0x0\nCONFIG_IX=0\nCONFIG_SX=\"\"\n");
		text = run(t, KCONFIG_TARGET_SAVEDEFCONFIG, &o);
		assert_string_equal(text, pl ? "" : "CONFIG_HX=0x0\nCONFIG_IX=0\n");
		free(text);
		tree_free(t);
	}
}

static void test_defconfig_missing(void **state)
{
	struct tree *t = tree_new(0, NULL);
	struct kconfig_target_options o = { .defconfig_file = "/nonexistent/x_defconfig" };

	(void)state;
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_DEFCONFIG, &o), KCONFIG_ENOENT);
	assert_non_null(strstr(kconfig_errmsg(t->kc), "Can't find default configuration"));
	tree_free(t);
}

/* ---- randconfig ---- */

/* kc_rand must be glibc's srand/rand: compare with the re-entrant random_r. */
static void test_rand_is_glibc(void **state)
{
	static const unsigned int seeds[] = { 0, 1, 42, 0x7fffffffu, 0x80000000u, 0xdeadbeefu,
					      0xffffffffu };

	(void)state;
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		struct random_data rd = { 0 };
		char statebuf[128];
		struct kc_rand rng;

		assert_int_equal(initstate_r(seeds[i], statebuf, sizeof(statebuf), &rd), 0);
		assert_int_equal(srandom_r(seeds[i], &rd), 0);
		kc_rand_seed(&rng, seeds[i]);
		for (int k = 0; k < 1000; k++) {
			int32_t want;

			random_r(&rd, &want);
			assert_int_equal(kc_rand_next(&rng), want);
		}
	}
}

static void test_randconfig_deterministic(void **state)
{
	struct tree *t = tree_new(0, NULL);
	struct kconfig_target_options o = { .seed = 7, .has_seed = true };
	char *a, *b, *c;
	int differ = 0;

	(void)state;
	a = run(t, KCONFIG_TARGET_RANDCONFIG, &o);
	b = run(t, KCONFIG_TARGET_RANDCONFIG, &o);
	assert_string_equal(a, b);
	/* the result is a fixed point of olddefconfig */
	tu_write_str(t->dir, "rand.cfg", a);
	o.input = tu_path(t->dir, "rand.cfg");
	c = run(t, KCONFIG_TARGET_OLDDEFCONFIG, &o);
	assert_string_equal(a, c);
	free(b);
	free(c);
	/* other seeds give other configurations */
	o.input = NULL;
	for (unsigned long s = 1; s <= 8; s++) {
		o.seed = s;
		b = run(t, KCONFIG_TARGET_RANDCONFIG, &o);
		differ += strcmp(a, b) != 0;
		free(b);
	}
	assert_true(differ > 0);
	free(a);

	/* KCONFIG_PROBABILITY=0: every bool and tristate the user can set is n */
	o.seed = 3;
	o.probability = "0";
	a = run(t, KCONFIG_TARGET_RANDCONFIG, &o);
	assert_non_null(strstr(a, "# CONFIG_MODULES is not set\n"));
	assert_non_null(strstr(a, "# CONFIG_A is not set\n"));
	free(a);
	o.probability = "60:50";
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_RANDCONFIG, &o), KCONFIG_EINVAL);
	tree_free(t);
}

/* ---- merge_config.sh and tinyconfig ---- */

static void test_merge_fragments(void **state)
{
	struct tree *t = tree_new(0, NULL);
	static const char base[] =
		"CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_AB=y\nCONFIG_XCONFIG_A=y\n"
		"# see CONFIG_C.\nCONFIG_C=1";
	const char *frags[2];
	char *out;
	size_t len;

	(void)state;
	tu_write_str(t->dir, "f1", "CONFIG_A=n\n# CONFIG_B is not set\nCONFIG_C=2\nnoise\n");
	tu_write_str(t->dir, "f2", "# CONFIG_AB is not set");
	frags[0] = tu_path(t->dir, "f1");
	frags[1] = tu_path(t->dir, "f2");
	assert_int_equal(kc_merge_fragments(t->kc, base, sizeof(base) - 1, frags, 2, &out, &len), 0);
	/*
	 * What merge_config.sh -m gives: A's line goes, and so does
	 * CONFIG_XCONFIG_A (sed matches "CONFIG_A=" anywhere); AB stays for f1;
	 * "# see CONFIG_C." stays (grep -w finds C, but no "CONFIG_C " or
	 * "CONFIG_C="); a newline before each fragment.
	 */
	assert_string_equal(out,
			    "# see CONFIG_C.\n"
			    "\nCONFIG_A=n\n# CONFIG_B is not set\nCONFIG_C=2\nnoise\n"
			    "\n# CONFIG_AB is not set");
	assert_int_equal(len, strlen(out));
	free(out);
	frags[0] = tu_path(t->dir, "nope");
	assert_int_equal(kc_merge_fragments(t->kc, base, 3, frags, 1, &out, &len), KCONFIG_EIO);
	tree_free(t);
}

static void test_tinyconfig(void **state)
{
	struct tree *t = tree_new(0, NULL);
	char *text;

	(void)state;
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_TINYCONFIG, NULL),
			 KCONFIG_ENOENT);
	tu_write_str(t->dir, "kernel/configs/tiny-base.config", "CONFIG_MODULES=y\nCONFIG_A=y\n");
	tu_write_str(t->dir, "kernel/configs/tiny.config",
	    "CONFIG_B=y\n# CONFIG_MODULES is not set\nCONFIG_N=5\n");
	tu_write_str(t->dir, "arch/test/configs/tiny.config", "CONFIG_C1=y\nCONFIG_N=9");
	text = run_simple(t, KCONFIG_TARGET_TINYCONFIG);
	/* make tinyconfig on this tree (kernel 6.1 conf + merge_config.sh) */
	assert_string_equal(text,
			    HEADING
			    "# CONFIG_MODULES is not set\n"
			    "\n#\n# Basics\n#\n"
			    "CONFIG_A=y\nCONFIG_B=y\n"
			    "\n#\n# a comment\n#\n"
			    "CONFIG_N=9\nCONFIG_H=0x1000\n"
			    "CONFIG_S=\"he said \\\"hi\\\" \\\\o/\"\n"
			    "# end of Basics\n\n"
			    "# CONFIG_MC is not set\n"
			    "CONFIG_C1=y\n# CONFIG_C2 is not set\n"
			    "CONFIG_HIDDEN=y\n");
	/* the olddefconfig step read the merged .config: C1 overrides C2 there */
	assert_int_equal(t->log.n, 1);
	assert_string_equal(t->log.lines[0], ".config:25:override: C1 changes choice state");
	free(text);
	tree_free(t);
}

/* ---- writing files ---- */

static void test_write_replaces_and_keeps_old(void **state)
{
	struct tree *t = tree_new(0, NULL);
	const char *out = tu_path(t->dir, "sub/dir/.config");
	struct stat st;
	char *text;

	(void)state;
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_ALLNOCONFIG, NULL), 0);
	assert_int_equal(kconfig_config_write(t->kc, out), 0);	/* parents created */
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_ALLDEFCONFIG, NULL), 0);
	assert_int_equal(kconfig_config_write(t->kc, out), 0);
	text = slurp(out);
	assert_string_equal(text, expect_alldef);
	free(text);
	text = slurp(tu_path(t->dir, "sub/dir/.config.old"));
	assert_string_equal(text, expect_allno);
	free(text);
	/* a directory is refused */
	assert_int_equal(kconfig_config_write(t->kc, t->dir), KCONFIG_EIO);
	assert_int_equal(kconfig_config_write(t->kc, ""), KCONFIG_EINVAL);
	assert_int_equal(stat(tu_path(t->dir, "sub/dir"), &st), 0);
	tree_free(t);
}

static void test_prefix_from_env(void **state)
{
	struct tree *t = tree_new(0, "CONFIG_=KC_");
	struct kconfig_target_options o = { .input = tu_path(t->dir, "in.cfg") };
	char *text;

	(void)state;
	tu_write_str(t->dir, "in.cfg", "KC_N=9\nCONFIG_N=8\n");
	text = run(t, KCONFIG_TARGET_OLDDEFCONFIG, &o);
	assert_non_null(strstr(text, "\nKC_N=9\n"));
	assert_non_null(strstr(text, "# KC_MC is not set\n"));
	assert_null(strstr(text, "CONFIG_"));
	assert_int_equal(t->log.n, 1);	/* CONFIG_N=8 is unexpected data */
	free(text);
	tree_free(t);
}

/* ---- the public API ---- */

static void test_api_symbols_and_targets(void **state)
{
	struct tree *t = tree_new(0, NULL);
	struct kconfig_symbol *a, *b, *n;
	enum kconfig_target target;
	char *text;

	(void)state;
	assert_int_equal(kconfig_target_parse("olddefconfig", &target), 0);
	assert_int_equal(target, KCONFIG_TARGET_OLDDEFCONFIG);
	assert_int_equal(kconfig_target_parse("versatile_defconfig", &target), 0);
	assert_int_equal(target, KCONFIG_TARGET_DEFCONFIG);
	assert_int_equal(kconfig_target_parse("_defconfig", &target), KCONFIG_ENOENT);
	assert_int_equal(kconfig_target_parse("menuconfig", &target), KCONFIG_ENOENT);

	assert_null(kconfig_symbol_find(t->kc, "y"));
	assert_null(kconfig_symbol_find(t->kc, "NOPE"));
	a = kconfig_symbol_find(t->kc, "A");
	b = kconfig_symbol_find(t->kc, "B");
	n = kconfig_symbol_find(t->kc, "N");
	assert_non_null(a);
	assert_string_equal(kconfig_symbol_name(a), "A");
	assert_int_equal(kconfig_symbol_type(b), KCONFIG_TRISTATE);
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_ALLDEFCONFIG, NULL), 0);
	assert_int_equal(kconfig_symbol_tristate(t->kc, b), KCONFIG_MOD);
	assert_int_equal(kconfig_symbol_set_tristate(t->kc, a, KCONFIG_NO), 0);
	assert_int_equal(kconfig_symbol_tristate(t->kc, b), KCONFIG_NO);
	assert_int_equal(kconfig_symbol_set_tristate(t->kc, b, KCONFIG_YES), KCONFIG_EINVAL);
	assert_int_equal(kconfig_symbol_set_string(t->kc, n, "101"), KCONFIG_EINVAL);
	assert_int_equal(kconfig_symbol_set_string(t->kc, n, "64"), 0);
	assert_string_equal(kconfig_symbol_string(t->kc, n), "64");
	/* olddefconfig without input works on the context's values */
	text = run_simple(t, KCONFIG_TARGET_OLDDEFCONFIG);
	assert_non_null(strstr(text, "# CONFIG_A is not set\n"));
	assert_non_null(strstr(text, "CONFIG_N=64\n"));
	assert_null(strstr(text, "CONFIG_HIDDEN"));
	free(text);

	/*
	 * Without input, olddefconfig takes the values as make would: through
	 * a .config.  MC_CHILD's user value dies with MC=n there, so it comes
	 * back as its default when MC is set again.
	 */
	struct kconfig_symbol *mc = kconfig_symbol_find(t->kc, "MC");
	struct kconfig_symbol *child = kconfig_symbol_find(t->kc, "MC_CHILD");

	assert_int_equal(kconfig_symbol_set_tristate(t->kc, mc, KCONFIG_YES), 0);
	assert_int_equal(kconfig_symbol_set_tristate(t->kc, child, KCONFIG_YES), 0);
	assert_int_equal(kconfig_symbol_set_tristate(t->kc, mc, KCONFIG_NO), 0);
	assert_int_equal(kconfig_target_run(t->kc, KCONFIG_TARGET_OLDDEFCONFIG, NULL), 0);
	assert_int_equal(kconfig_symbol_set_tristate(t->kc, mc, KCONFIG_YES), 0);
	assert_int_equal(kconfig_symbol_tristate(t->kc, child), KCONFIG_NO);
	assert_string_equal(kconfig_symbol_string(t->kc, n), "64");
	tree_free(t);
}

static void test_open_errors(void **state)
{
	struct kconfig_options opts = KCONFIG_OPTIONS_INIT;
	struct kconfig *kc;

	(void)state;
	assert_int_equal(kconfig_open(&kc, &opts), KCONFIG_EINVAL);
	assert_non_null(kc);
	assert_non_null(strstr(kconfig_errmsg(kc), "srctree"));
	kconfig_free(kc);
	opts.version = 99;
	assert_int_equal(kconfig_open(&kc, &opts), KCONFIG_EINVAL);
	kconfig_free(kc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_format_alldefconfig),
		cmocka_unit_test(test_allno_allyes_allmod),
		cmocka_unit_test(test_allconfig_file),
		cmocka_unit_test(test_read_warnings_61),
		cmocka_unit_test(test_read_warnings_612),
		cmocka_unit_test(test_choice_last_wins),
		cmocka_unit_test(test_string_escapes_round_trip),
		cmocka_unit_test(test_out_of_range_reset),
		cmocka_unit_test(test_read_garbage),
		cmocka_unit_test(test_savedefconfig_minimal),
		cmocka_unit_test(test_savedefconfig_number_without_default),
		cmocka_unit_test(test_defconfig_missing),
		cmocka_unit_test(test_rand_is_glibc),
		cmocka_unit_test(test_randconfig_deterministic),
		cmocka_unit_test(test_merge_fragments),
		cmocka_unit_test(test_tinyconfig),
		cmocka_unit_test(test_write_replaces_and_keeps_old),
		cmocka_unit_test(test_prefix_from_env),
		cmocka_unit_test(test_api_symbols_and_targets),
		cmocka_unit_test(test_open_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
