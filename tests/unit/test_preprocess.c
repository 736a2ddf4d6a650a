/*
 * test_preprocess.c - unit tests of the macro language (kconfig/preprocess.c).
 *
 * Each test builds a bare struct kconfig (zeroed, options filled in) so
 * the preprocessor runs without the rest of the engine.  Expected values
 * were checked against the kernel's own conf (6.1) where conf's behaviour
 * is subtle: the "+=" spacing, "$( 1)", $(shell) output clean-up.  The
 * $(shell) tests run tiny /bin/sh commands in a private temporary
 * directory; the whole file runs in well under a second.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

#define MAX_DIAGS 8

struct fixture {
	struct kconfig *kc;
	struct kc_pp *pp;
	char tmpdir[64];
	const char *env[8];
	char envbuf[4][256];
	/* diagnostics seen */
	int ndiags;
	enum kconfig_diag_level level[MAX_DIAGS];
	char file[MAX_DIAGS][64];
	int line[MAX_DIAGS];
	char msg[MAX_DIAGS][256];
};

static void capture(void *payload, const struct kconfig_diag *d)
{
	struct fixture *f = payload;

	if (f->ndiags >= MAX_DIAGS)
		return;
	f->level[f->ndiags] = d->level;
	snprintf(f->file[f->ndiags], sizeof(f->file[0]), "%s", d->file ? d->file : "(null)");
	f->line[f->ndiags] = d->line;
	snprintf(f->msg[f->ndiags], sizeof(f->msg[0]), "%s", d->message);
	f->ndiags++;
}

/* A new context sharing f's options (for the cross-context cache tests). */
static struct kconfig *context_new(struct fixture *f)
{
	struct kconfig *kc = calloc(1, sizeof(*kc));
	assert_non_null(kc);
	kc->opts.version = KCONFIG_OPTIONS_VERSION;
	kc->opts.env = f->env;
	kc->opts.diag = capture;
	kc->opts.diag_payload = f;
	return kc;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	tu_tempdir(f->tmpdir, sizeof(f->tmpdir), "preprocess");
	f->env[0] = "PATH=/usr/bin:/bin";
	f->env[1] = "GREETING=hello";
	f->env[2] = "CC=cc-from-env";
	f->env[3] = NULL;
	f->kc = context_new(f);
	assert_int_equal(kc_pp_new(f->kc, &f->pp), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	kc_pp_free(f->pp);
	free(f->kc);
	tu_remove_tree(f->tmpdir);
	free(f);
	return 0;
}

/* Expand text at Kconfig:7 and compare; frees the result. */
static void expect(struct fixture *f, const char *text, const char *want)
{
	char *out = NULL;
	int rc = kc_pp_expand(f->pp, text, "Kconfig", 7, &out);

	if (rc)
		fail_msg("expanding '%s': %s", text, f->kc->errmsg);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void expect_error(struct fixture *f, const char *text, int code, const char *msg)
{
	char *out = NULL;

	assert_int_equal(kc_pp_expand(f->pp, text, "arch/x/Kconfig", 42, &out), code);
	assert_null(out);
	assert_string_equal(f->kc->errmsg, msg);
}

static void assign(struct fixture *f, const char *name, const char *value,
		   enum kc_pp_flavor flavor)
{
	assert_int_equal(kc_pp_assign(f->pp, name, value, flavor, "Kconfig", 3), 0);
}

static void test_plain_text(void **state)
{
	struct fixture *f = *state;

	expect(f, "", "");
	expect(f, "no references", "no references");
	expect(f, "cost $5 and $", "cost $5 and $");
	expect(f, "$(undefined)x", "x");
}

static void test_recursive_vs_simple(void **state)
{
	struct fixture *f = *state;

	assign(f, "B", "one", KC_PP_RECURSIVE);
	assign(f, "R", "[$(B)]", KC_PP_RECURSIVE);
	assign(f, "S", "[$(B)]", KC_PP_SIMPLE);
	assign(f, "B", "two", KC_PP_RECURSIVE);
	expect(f, "$(R) $(S)", "[two] [one]");
	/* a simple variable ignores arguments but they are still expanded */
	expect(f, "$(S,x,y)", "[one]");
}

static void test_append(void **state)
{
	struct fixture *f = *state;

	assign(f, "B", "b1", KC_PP_RECURSIVE);
	assign(f, "S", "s", KC_PP_SIMPLE);
	assign(f, "S", "$(B)", KC_PP_APPEND);	/* simple: expanded now */
	assign(f, "R", "r", KC_PP_RECURSIVE);
	assign(f, "R", "$(B)", KC_PP_APPEND);	/* recursive: expanded later */
	assign(f, "U", "$(B)", KC_PP_APPEND);	/* undefined: becomes recursive */
	assign(f, "E", "", KC_PP_SIMPLE);
	assign(f, "E", "a", KC_PP_APPEND);	/* conf keeps the space */
	assign(f, "B", "b2", KC_PP_RECURSIVE);
	expect(f, "$(S)|$(R)|$(U)|[$(E)]", "s b1|r b2|b2|[ a]");
}

static void test_user_functions(void **state)
{
	struct fixture *f = *state;

	assign(f, "f", "<$(0)|$(1)|$( 1)|$(01)|$(2)|$(3)>", KC_PP_RECURSIVE);
	expect(f, "$(f,p,q)", "<|p|p|p|q|>");
	assign(f, "swap", "$(2),$(1)", KC_PP_RECURSIVE);
	expect(f, "$(swap,a,b)", "b,a");
	/* arguments are not visible to variables referenced from the body */
	assign(f, "inner", "($(1))", KC_PP_RECURSIVE);
	assign(f, "outer", "$(inner)$(inner,$(1))", KC_PP_RECURSIVE);
	expect(f, "$(outer,z)", "()(z)");
	/* whitespace after the commas is kept */
	expect(f, "$(swap, a, b)", " b, a");
}

static void test_nesting_and_commas(void **state)
{
	struct fixture *f = *state;

	assign(f, "comma", ",", KC_PP_SIMPLE);
	assign(f, "first", "$(1)", KC_PP_RECURSIVE);
	assign(f, "pair", "$(1)+$(2)", KC_PP_RECURSIVE);
	assign(f, "NAME", "first", KC_PP_SIMPLE);
	/* commas inside a nested call do not split the outer call */
	expect(f, "$(pair,$(pair,a,b),c)", "a+b+c");
	expect(f, "$(first,x(y,z),w)", "x(y,z)");
	/* an expanded comma is data, not a separator */
	expect(f, "$(first,a$(comma)b)", "a,b");
	/* the name itself may be a reference */
	expect(f, "$($(NAME),picked,ignored)", "picked");
	expect(f, "$(fi$(empty)rst,ok)", "ok");
}

static void test_too_many_arguments(void **state)
{
	struct fixture *f = *state;

	assign(f, "f", "$(15)", KC_PP_RECURSIVE);
	expect(f, "$(f,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15)", "15");
	expect_error(f, "$(f,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16)", KCONFIG_EPARSE,
		     "arch/x/Kconfig:42: too many function arguments");
}

static void test_environment(void **state)
{
	struct fixture *f = *state;
	const char *name, *value;

	expect(f, "$(GREETING) $(NOPE) $(GREETING)", "hello  hello");
	/* with arguments the environment is not consulted */
	expect(f, "[$(CC,x)]", "[]");
	/* a variable hides the environment */
	assign(f, "CC", "gcc-var", KC_PP_SIMPLE);
	expect(f, "$(CC)", "gcc-var");

	/* only variables found in the environment are recorded, once each */
	assert_int_equal(kc_pp_env_count(f->pp), 1);
	kc_pp_env_at(f->pp, 0, &name, &value);
	assert_string_equal(name, "GREETING");
	assert_string_equal(value, "hello");
}

static void test_filename_lineno(void **state)
{
	struct fixture *f = *state;
	char *out;

	expect(f, "$(filename):$(lineno)", "Kconfig:7");
	assert_int_equal(kc_pp_assign(f->pp, "AT", "$(lineno)", KC_PP_SIMPLE, "a/Kconfig", 12), 0);
	assign(f, "LATER", "$(filename)@$(lineno)", KC_PP_RECURSIVE);
	assert_int_equal(kc_pp_expand(f->pp, "$(AT) $(LATER)", "b/Kconfig", 99, &out), 0);
	assert_string_equal(out, "12 b/Kconfig@99");
	free(out);
	expect_error(f, "$(lineno,1)", KCONFIG_EPARSE,
		     "arch/x/Kconfig:42: too many function arguments passed to 'lineno'");
}

static void test_builtin_argument_counts(void **state)
{
	struct fixture *f = *state;

	expect_error(f, "$(shell)", KCONFIG_EPARSE,
		     "arch/x/Kconfig:42: too few function arguments passed to 'shell'");
	expect_error(f, "$(info,a,b)", KCONFIG_EPARSE,
		     "arch/x/Kconfig:42: too many function arguments passed to 'info'");
	expect_error(f, "$(warning-if,y)", KCONFIG_EPARSE,
		     "arch/x/Kconfig:42: too few function arguments passed to 'warning-if'");
	/* a user variable overrides a built-in of the same name */
	assign(f, "info", "mine:$(1)", KC_PP_RECURSIVE);
	expect(f, "$(info,a,b)", "mine:a");
	assert_int_equal(f->ndiags, 0);
}

static void test_info_warning_error(void **state)
{
	struct fixture *f = *state;
	char *out = NULL;

	expect(f, "a$(info,hello world)b", "ab");
	expect(f, "$(warning-if,y,careful)$(warning-if,n,silent)$(warning-if,yes,silent)", "");
	expect(f, "$(error-if,n,fine)$(error-if, y,fine)", "");
	assert_int_equal(f->ndiags, 2);
	assert_int_equal(f->level[0], KCONFIG_DIAG_INFO);
	assert_string_equal(f->file[0], "(null)");
	assert_string_equal(f->msg[0], "hello world");
	assert_int_equal(f->level[1], KCONFIG_DIAG_WARNING);
	assert_string_equal(f->file[1], "Kconfig");
	assert_int_equal(f->line[1], 7);
	assert_string_equal(f->msg[1], "careful");

	assign(f, "comma", ",", KC_PP_SIMPLE);
	expect_error(f, "$(error-if,y,Sorry$(comma) not supported.)", KCONFIG_EPARSE,
		     "arch/x/Kconfig:42: Sorry, not supported.");
	/* an error in a := assignment is reported at the assignment */
	assert_int_equal(kc_pp_assign(f->pp, "X", "$(error-if,y,stop)", KC_PP_SIMPLE,
				      "init/Kconfig", 5), KCONFIG_EPARSE);
	assert_string_equal(f->kc->errmsg, "init/Kconfig:5: stop");
	assert_int_equal(kc_pp_expand(f->pp, "$(X)", "K", 1, &out), 0);
	assert_string_equal(out, "");	/* X was never defined */
	free(out);
}

static void test_recursion_errors(void **state)
{
	struct fixture *f = *state;

	assign(f, "A", "x$(B)", KC_PP_RECURSIVE);
	assign(f, "B", "y$(A)", KC_PP_RECURSIVE);
	expect_error(f, "ok $(A)", KCONFIG_EPARSE,
		     "arch/x/Kconfig:42: Recursive variable 'A' references itself (eventually)");
	assign(f, "S", "s", KC_PP_RECURSIVE);
	assign(f, "S", "$(S)", KC_PP_APPEND);
	expect_error(f, "$(S)", KCONFIG_EPARSE,
		     "arch/x/Kconfig:42: Recursive variable 'S' references itself (eventually)");
	/* a function calling itself with arguments is cut at depth 1000 */
	assign(f, "loop", "$(loop,$(1))", KC_PP_RECURSIVE);
	expect_error(f, "$(loop,1)", KCONFIG_EPARSE,
		     "arch/x/Kconfig:42: Too deep recursive expansion");
	/* the depth counters were unwound: the context is still usable */
	expect(f, "$(GREETING)", "hello");
}

static void test_unterminated(void **state)
{
	struct fixture *f = *state;

	expect_error(f, "a $(foo,$(bar) b", KCONFIG_EPARSE,
		     "arch/x/Kconfig:42: unterminated reference to 'foo,$(bar) b': missing ')'");
	expect_error(f, "$(", KCONFIG_EPARSE,
		     "arch/x/Kconfig:42: unterminated reference to '': missing ')'");
}

static void test_expand_token(void **state)
{
	struct fixture *f = *state;
	const char *line = "$(W)-x_$(SP)2 rest)";
	const char *p = line;
	char *out;

	assign(f, "W", "w o", KC_PP_SIMPLE);
	assign(f, "SP", "a b", KC_PP_SIMPLE);
	assert_int_equal(kc_pp_expand_token(f->pp, &p, "K", 1, &out), 0);
	assert_string_equal(out, "w o-x_a b2");
	assert_string_equal(p, " rest)");
	free(out);
	p = "$foo";
	assert_int_equal(kc_pp_expand_token(f->pp, &p, "K", 1, &out), 0);
	assert_string_equal(out, "$foo");
	assert_string_equal(p, "");
	free(out);
}

static void test_expand_dollar(void **state)
{
	struct fixture *f = *state;
	const char *p = "(GREETING), \\\"world\\\"\"";
	char *out;

	assert_int_equal(kc_pp_expand_dollar(f->pp, &p, "K", 1, &out), 0);
	assert_string_equal(out, "hello");
	assert_string_equal(p, ", \\\"world\\\"\"");
	free(out);
	p = "5 only\"";
	assert_int_equal(kc_pp_expand_dollar(f->pp, &p, "K", 1, &out), 0);
	assert_string_equal(out, "$");
	assert_string_equal(p, "5 only\"");
	free(out);
}

static void test_shell_output(void **state)
{
	struct fixture *f = *state;

	expect(f, "[$(shell,echo a; echo b)]", "[a b]");
	expect(f, "[$(shell,printf 'a\\n\\nb\\n\\n\\n')]", "[a  b]");
	expect(f, "[$(shell,printf '\\n\\n')]", "[]");
	expect(f, "[$(shell,printf 'x\\n\\ny')]", "[x  y]");
	expect(f, "[$(shell,printf 'cut\\000here')]", "[cut]");
	expect(f, "[$(shell,echo out; exit 3)]", "[out]");
	/* stdin is /dev/null and the environment is opts.env */
	expect(f, "[$(shell,cat)|$(shell,echo $GREETING $HOME)]", "[|hello]");
}

static void test_shell_long_output(void **state)
{
	struct fixture *f = *state;
	char *out;

	/* conf keeps 4095 bytes of a full 4096-byte read */
	assert_int_equal(kc_pp_expand(f->pp, "$(shell,head -c 10000 /dev/zero | tr '\\0' x)",
				      "K", 1, &out), 0);
	assert_int_equal(strlen(out), 4095);
	assert_int_equal(strspn(out, "x"), 4095);
	free(out);
	assert_int_equal(kc_pp_expand(f->pp, "$(shell,head -c 4095 /dev/zero | tr '\\0' x)",
				      "K", 1, &out), 0);
	assert_int_equal(strlen(out), 4095);
	free(out);
}

static void test_shell_cwd(void **state)
{
	struct fixture *f = *state;
	char *out, *real = realpath(f->tmpdir, NULL);

	assert_non_null(real);
	f->kc->opts.shell_cwd = f->tmpdir;
	assert_int_equal(kc_pp_expand(f->pp, "$(shell,pwd -P)", "K", 1, &out), 0);
	assert_string_equal(out, real);
	free(out);
	free(real);

	/* a working directory that does not exist: the command cannot start */
	struct kc_pp *pp;
	assert_int_equal(kc_pp_new(f->kc, &pp), 0);
	f->kc->opts.shell_cwd = "/nonexistent/dir";
	assert_int_equal(kc_pp_expand(pp, "$(shell,true)", "K", 4, &out), KCONFIG_ESHELL);
	assert_non_null(strstr(f->kc->errmsg, "K:4: true: "));
	kc_pp_free(pp);
}

/* Run the counting command in a fresh context; returns the count file's lines. */
static int count_runs(struct fixture *f, const char *salt, struct kc_pp_shell_stats *st)
{
	char cmd[256], path[128], *out;
	struct kconfig *kc = context_new(f);
	struct kc_pp *pp;
	int n = 0, c;

	kc->opts.shell_cwd = f->tmpdir;
	snprintf(path, sizeof(path), "%s/cache/shell", f->tmpdir); /* made by kc_pp */
	kc->opts.shell_cache_dir = path;
	kc->opts.shell_cache_salt = salt;
	assert_int_equal(kc_pp_new(kc, &pp), 0);
	snprintf(cmd, sizeof(cmd), "$(shell,echo run >> count; echo probe\necho done)");
	for (int i = 0; i < 2; i++) {
		assert_int_equal(kc_pp_expand(pp, cmd, "K", 1, &out), 0);
		assert_string_equal(out, "probe done");
		free(out);
	}
	kc_pp_shell_stats(pp, st);
	kc_pp_free(pp);
	free(kc);

	snprintf(path, sizeof(path), "%s/count", f->tmpdir);
	FILE *fp = fopen(path, "r");
	if (fp) {
		while ((c = fgetc(fp)) != EOF)
			n += c == '\n';
		fclose(fp);
	}
	return n;
}

static void test_shell_disk_cache(void **state)
{
	struct fixture *f = *state;
	struct kc_pp_shell_stats st;

	/* first context runs once (the second use hits memory) and stores */
	assert_int_equal(count_runs(f, "gcc-12", &st), 1);
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.mem_hits, 1);
	assert_int_equal(st.disk_stores, 1);
	/* a second context answers from disk: the side effect does not repeat */
	assert_int_equal(count_runs(f, "gcc-12", &st), 1);
	assert_int_equal(st.runs, 0);
	assert_int_equal(st.disk_hits, 1);
	/* another salt is another key */
	assert_int_equal(count_runs(f, "gcc-13", &st), 2);
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.disk_hits, 0);
	/* so is another environment (scripts read $RUSTC, $CC... from there) */
	f->env[1] = "GREETING=bye";
	assert_int_equal(count_runs(f, "gcc-12", &st), 3);
	assert_int_equal(st.runs, 1);
	f->env[1] = "GREETING=hello";
	assert_int_equal(count_runs(f, "gcc-12", &st), 3);
	assert_int_equal(st.disk_hits, 1);
}

static void test_shell_disk_cache_corrupt(void **state)
{
	struct fixture *f = *state;
	struct kc_pp_shell_stats st;
	char cmd[512];

	assert_int_equal(count_runs(f, "s", &st), 1);
	/* damage every entry: one byte of payload flipped, one truncated */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s/cache/shell' && for e in *; do sed -i 's/probe/probe!/' \"$e\"; done && "
		 "ls -A | grep -v '^.tmp' | wc -l | grep -qx 1", f->tmpdir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(count_runs(f, "s", &st), 2);
	assert_int_equal(st.disk_hits, 0);
	assert_int_equal(st.disk_stores, 1);
	snprintf(cmd, sizeof(cmd), "cd '%s/cache/shell' && for e in *; do truncate -s 20 \"$e\"; done",
		 f->tmpdir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(count_runs(f, "s", &st), 3);
	/* the rewritten entry is good again, and no temporary files are left */
	assert_int_equal(count_runs(f, "s", &st), 3);
	assert_int_equal(st.disk_hits, 1);
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s/cache/shell' | grep '^\\.tmp')\"", f->tmpdir);
	assert_int_equal(system(cmd), 0);
}

static void test_shell_cache_unusable(void **state)
{
	struct fixture *f = *state;
	struct kc_pp_shell_stats st;
	char *out;

	/* a cache that cannot be created costs time, never the answer */
	f->kc->opts.shell_cache_dir = "/dev/null/cache";
	assert_int_equal(kc_pp_expand(f->pp, "$(shell,echo ok)", "K", 1, &out), 0);
	assert_string_equal(out, "ok");
	free(out);
	kc_pp_shell_stats(f->pp, &st);
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.disk_stores, 0);
	/* a command that is not found is not an error either: sh reports it */
	assert_int_equal(kc_pp_expand(f->pp, "[$(shell,no-such-cmd-kmin 2>/dev/null)]", "K", 1,
				      &out), 0);
	assert_string_equal(out, "[]");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recursive_vs_simple, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nesting_and_commas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filename_lineno, setup, teardown),
		cmocka_unit_test_setup_teardown(test_builtin_argument_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info_warning_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recursion_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unterminated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expand_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expand_dollar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shell_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shell_long_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shell_cwd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shell_disk_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shell_disk_cache_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shell_cache_unusable, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
