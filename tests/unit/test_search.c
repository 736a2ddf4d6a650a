/*
 * test_search.c - unit tests of the search's parts that need no build:
 * metrics and names, the engine's candidate moves and batch application
 * on the tinykernel fixture's Kconfig (board_defconfig: SMP, SLAB, PRINTK
 * hidden behind EXPERT), the ELF oracle, and the store's runs and steps.
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

#include "kmin/refs.h"
#include "kmin/search.h"
#include "kmin/store.h"
#include "kmin/tree.h"
#include "search_internal.h"
#include "testutil.h"

static void test_metrics(void **state)
{
	struct kmin_search_sizes s = { 100, 20, 3, 50 };
	enum kmin_metric m;
	enum kmin_search_strategy st;

	(void)state;
	assert_int_equal(kmin_search_metric(&s, KMIN_METRIC_DEC), 123);
	assert_int_equal(kmin_search_metric(&s, KMIN_METRIC_RAM), 23);
	assert_int_equal(kmin_search_metric(&s, KMIN_METRIC_FLASH), 120);
	assert_int_equal(kmin_search_metric(&s, KMIN_METRIC_IMAGE), 50);
	assert_int_equal(kmin_metric_parse("bss", &m), 0);
	assert_int_equal(m, KMIN_METRIC_BSS);
	assert_int_equal(kmin_metric_parse("size", &m), -1);
	assert_string_equal(kmin_metric_name(KMIN_METRIC_FLASH), "flash");
	assert_int_equal(kmin_search_strategy_parse("linear", &st), 0);
	assert_int_equal(st, KMIN_STRATEGY_LINEAR);
	assert_int_equal(kmin_search_strategy_parse("random", &st), -1);
	s.text = -1;
	assert_int_equal(kmin_search_metric(&s, KMIN_METRIC_DEC), -1);
}

static void test_moves_format(void **state)
{
	struct kmin_move a = { 0 }, b = { 0 };
	const struct kmin_move *v[2] = { &a, &b };
	const char *g = "EXPERT";
	char buf[64];

	(void)state;
	a.set[0].symbol = g;
	strcpy(a.set[0].value, "y");
	a.set[1].symbol = "PRINTK";
	strcpy(a.set[1].value, "n");
	a.nset = 2;
	b.set[0].symbol = g;
	strcpy(b.set[0].value, "y");
	b.set[1].symbol = "BUG";
	strcpy(b.set[1].value, "n");
	b.nset = 2;
	kmin_search_moves_format(v, 2, buf, sizeof(buf));
	assert_string_equal(buf, "EXPERT=y PRINTK=n BUG=n");	/* the shared gate once */
	kmin_search_moves_format(v, 2, buf, 12);
	assert_string_equal(buf + strlen(buf) - 3, "...");
}

/* ---- the engine on the fixture ---- */

struct fixture {
	struct kmin_tree *tree;
	char *board;		/* board_defconfig as a full .config */
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	buf[fread(buf, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return buf;
}

static int fixture_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct kmin_tree_options o = { 0 };
	char err[512], path[4200];

	o.source = KMIN_TEST_SRCDIR "/fixtures/tinykernel";
	o.arch = "arm";
	if (kmin_tree_open(&fx->tree, &o, err, sizeof(err)) ||
	    kmin_tree_load_base(fx->tree, "board_defconfig", err, sizeof(err))) {
		fprintf(stderr, "fixture: %s\n", err);
		return -1;
	}
	kmin_tree_scratch_path(fx->tree, "base.config", path, sizeof(path));
	fx->board = slurp(path);
	*state = fx;
	return fx->board ? 0 : -1;
}

static int fixture_teardown(void **state)
{
	struct fixture *fx = *state;

	kmin_tree_close(fx->tree);
	free(fx->board);
	free(fx);
	return 0;
}

static const struct kmin_move *find_move(const struct kmin_move *v, size_t n, const char *text)
{
	char buf[128];

	for (size_t i = 0; i < n; i++) {
		const struct kmin_move *one[1] = { &v[i] };
		kmin_search_moves_format(one, 1, buf, sizeof(buf));
		if (!strcmp(buf, text))
			return &v[i];
	}
	return NULL;
}

static const struct kconfig_requirement usb_spi[] = {
	{ "USB", KCONFIG_YES }, { "SPI", KCONFIG_YES }, { "SPI_MASTER", KCONFIG_YES },
};

static void test_candidates(void **state)
{
	struct fixture *fx = *state;
	struct kmin_move *v = NULL;
	size_t n = 0;
	char err[512];

	assert_int_equal(kmin_search_candidates(fx->tree->kc, fx->tree->scratch, fx->board, usb_spi,
						3, 0, &v, &n, err, sizeof(err)), 0);
	/* off moves of leaves, a choice switch, numbers lowered, gated defaults */
	assert_non_null(find_move(v, n, "SMP=n"));
	assert_non_null(find_move(v, n, "KALLSYMS=n"));
	assert_non_null(find_move(v, n, "SLUB=y"));
	assert_non_null(find_move(v, n, "LOG_BUF_SHIFT=8"));
	assert_non_null(find_move(v, n, "EXPERT=y PRINTK=n"));
	assert_non_null(find_move(v, n, "EXPERT=y BASE_FULL=n"));
	/* a member only the gate lets a user pick (SLOB depends on EXPERT) */
	assert_non_null(find_move(v, n, "EXPERT=y SLOB=y"));
	/* choice switches may grow the kernel: marked lateral, removals not */
	assert_true(find_move(v, n, "SLUB=y")->lateral);
	assert_true(find_move(v, n, "EXPERT=y SLOB=y")->lateral);
	assert_false(find_move(v, n, "SMP=n")->lateral);
	assert_false(find_move(v, n, "EXPERT=y PRINTK=n")->lateral);
	assert_false(find_move(v, n, "LOG_BUF_SHIFT=8")->lateral);
	/* a switch knows its choice, the same for every member; a removal has none */
	assert_non_null(find_move(v, n, "SLUB=y")->choice);
	assert_ptr_equal(find_move(v, n, "SLUB=y")->choice, find_move(v, n, "EXPERT=y SLOB=y")->choice);
	assert_null(find_move(v, n, "SMP=n")->choice);
	/* refused in the engine: requirements and what comes back */
	assert_null(find_move(v, n, "USB=n"));
	assert_null(find_move(v, n, "USB_SUPPORT=n"));
	assert_null(find_move(v, n, "PRINTK=n"));	/* invisible without EXPERT */
	assert_null(find_move(v, n, "USB_COMMON=n"));	/* selected by USB */
	free(v);
}

/* The kernel's tiny.config members rank before unknown switches; losses last. */
static void test_estimate_order(void **state)
{
	struct fixture *fx = *state;
	struct kmin_estimator *e = NULL;
	struct kmin_move *v = NULL, sorted[4];
	size_t n = 0;
	char err[512], buf[64];

	assert_int_equal(kmin_estimator_new(&e, KMIN_TEST_SRCDIR "/fixtures/tinykernel", NULL, NULL,
					    0, "arm", "dec"), 0);
	assert_true(kmin_estimator_tiny(e, "SLOB"));	/* kernel/configs/tiny.config */
	assert_false(kmin_estimator_tiny(e, "SLUB"));
	assert_int_equal(kmin_search_candidates(fx->tree->kc, fx->tree->scratch, fx->board, usb_spi,
						3, 0, &v, &n, err, sizeof(err)), 0);
	sorted[0] = *find_move(v, n, "SLUB=y");
	sorted[1] = *find_move(v, n, "EXPERT=y SLOB=y");
	sorted[2] = *find_move(v, n, "SMP=n");
	sorted[3] = *find_move(v, n, "KALLSYMS=n");
	for (int i = 0; i < 4; i++)
		kmin_estimator_score(e, &sorted[i]);
	assert_true(sorted[1].preferred);
	assert_false(sorted[0].preferred);
	kmin_estimator_learn(e, "KALLSYMS", 5000);	/* measured: a known saving */
	kmin_estimator_learn(e, "SMP", -100);		/* measured: it grew */
	kmin_estimator_score(e, &sorted[2]);
	kmin_estimator_score(e, &sorted[3]);
	kmin_moves_sort(sorted, 4);
	const char *want[] = { "KALLSYMS=n", "EXPERT=y SLOB=y", "SLUB=y", "SMP=n" };
	for (int i = 0; i < 4; i++) {
		const struct kmin_move *one[1] = { &sorted[i] };
		kmin_search_moves_format(one, 1, buf, sizeof(buf));
		assert_string_equal(buf, want[i]);
	}
	kmin_estimator_free(e);
	free(v);
}

static void test_apply(void **state)
{
	struct fixture *fx = *state;
	struct kmin_move *v = NULL;
	const struct kmin_move *batch[3];
	size_t n = 0;
	char err[512], *out = NULL;
	const char *lost = NULL;
	bool changed = false;

	assert_int_equal(kmin_search_candidates(fx->tree->kc, fx->tree->scratch, fx->board, usb_spi,
						3, 0, &v, &n, err, sizeof(err)), 0);
	batch[0] = find_move(v, n, "NET=n");
	batch[1] = find_move(v, n, "EXPERT=y PRINTK=n");
	batch[2] = find_move(v, n, "KALLSYMS=n");
	assert_non_null(batch[0]);
	assert_non_null(batch[1]);
	assert_non_null(batch[2]);
	assert_int_equal(kmin_search_apply(fx->tree->kc, fx->tree->scratch, fx->board, batch, 3,
					   usb_spi, 3, &out, &changed, &lost, err, sizeof(err)), 0);
	assert_true(changed);
	assert_null(lost);
	assert_non_null(strstr(out, "# CONFIG_NET is not set"));
	assert_non_null(strstr(out, "CONFIG_EXPERT=y"));
	assert_non_null(strstr(out, "# CONFIG_PRINTK is not set"));
	assert_null(strstr(out, "CONFIG_MAC80211=y"));	/* gone with NET */
	free(out);
	free(v);
}

/* ---- the ELF oracle ---- */

static void test_elf_check(void **state)
{
	const char *names[] = { "main", "test_elf_check" };
	const char *missing_names[] = { "main", "no_such_function_kmin" };
	const char *missing = (const char *)1;
	char err[256];

	(void)state;
	assert_int_equal(kmin_search_elf_check("/proc/self/exe", names, 2, &missing, err,
					       sizeof(err)), 0);
	assert_null(missing);
	assert_int_equal(kmin_search_elf_check("/proc/self/exe", missing_names, 2, &missing, err,
					       sizeof(err)), 0);
	assert_string_equal(missing, "no_such_function_kmin");
	assert_int_equal(kmin_search_elf_check("/nonexistent", names, 2, &missing, err,
					       sizeof(err)), -1);
}

/* ---- runs and steps in the store ---- */

static int count_steps(void *payload, const struct kmin_run_step *st)
{
	int *n = payload;
	(*n)++;
	return st->kind == KMIN_STEP_REJECT ? 0 : 0;
}

static void test_store_runs(void **state)
{
	char dir[64], path[128], err[512];
	struct kmin_store *s = NULL;
	struct kmin_run r = { 0 }, got;
	struct kmin_run_step st = { 0 };
	int64_t id = 0, found = 0;
	int nsteps = 0;

	(void)state;
	tu_tempdir(dir, sizeof(dir), "search");
	snprintf(path, sizeof(path), "%s/r.db", dir);
	assert_int_equal(kmin_store_open(&s, path, 0, err, sizeof(err)), 0);
	r.key = "k1";
	r.strategy = "greedy";
	r.arch = "arm";
	r.requirements = "USB,SPI";
	r.base = "tinyconfig";
	r.metric = "dec";
	r.base_size = r.final_size = -1;
	assert_int_equal(kmin_store_run_create(s, &r, &id, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_run_find_unfinished(s, "k1", &found, err, sizeof(err)), 1);
	assert_int_equal(found, id);
	assert_int_equal(kmin_store_run_find_unfinished(s, "k2", &found, err, sizeof(err)), 0);
	st.run_id = id;
	st.kind = KMIN_STEP_BASE;
	st.moves = "";
	st.size = 100;
	assert_int_equal(kmin_store_step_add(s, &st, err, sizeof(err)), 0);
	assert_int_equal(st.seq, 1);
	st.kind = KMIN_STEP_ACCEPT;
	st.moves = "SMP=n";
	st.size = 90;
	st.saving = 10;
	assert_int_equal(kmin_store_step_add(s, &st, err, sizeof(err)), 0);
	assert_int_equal(st.seq, 2);
	assert_int_equal(kmin_store_steps_foreach(s, id, count_steps, &nsteps, err, sizeof(err)), 0);
	assert_int_equal(nsteps, 2);
	r.id = id;
	r.status = KMIN_RUN_DONE;
	r.base_size = 100;
	r.final_size = 90;
	r.builds = 3;
	r.finished_ms = 1;
	assert_int_equal(kmin_store_run_update(s, &r, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_run_get(s, id, &got, err, sizeof(err)), 1);
	assert_int_equal(got.status, KMIN_RUN_DONE);
	assert_int_equal(got.final_size, 90);
	assert_string_equal(got.requirements, "USB,SPI");
	kmin_run_clear(&got);
	assert_int_equal(kmin_store_run_find_unfinished(s, "k1", &found, err, sizeof(err)), 0);
	kmin_store_close(s);
	tu_remove_tree(dir);
}

/*
 * Two configs that differ only in the debug format and in symbols no code
 * names measure the same; one more symbol the code names, and they do not.
 */
static void test_inert_diff(void **state)
{
	const char *base = "CONFIG_USED=y\nCONFIG_DEBUG_INFO_NONE=y\n"
			   "# CONFIG_DEBUG_INFO_DWARF4 is not set\n";
	const char *debug = "CONFIG_USED=y\n# CONFIG_DEBUG_INFO_NONE is not set\n"
			    "CONFIG_DEBUG_INFO_DWARF4=y\nCONFIG_DEBUG_INFO=y\nCONFIG_UNNAMED=y\n";
	const char *used = "# CONFIG_USED is not set\nCONFIG_DEBUG_INFO_NONE=y\n"
			   "# CONFIG_DEBUG_INFO_DWARF4 is not set\n";
	struct kmin_refs *refs = NULL;
	char dir[64], err[256];
	bool inert = false;

	(void)state;
	tu_tempdir(dir, sizeof(dir), "inert");
	tu_write_str(dir, "kernel/used.c", "#ifdef CONFIG_USED\nint used;\n#endif\n");
	tu_write_str(dir, "Makefile", "obj-$(CONFIG_DEBUG_INFO) += debug.o\n");
	assert_int_equal(kmin_refs_load(&refs, dir, "arm", NULL, err, sizeof(err)), 0);
	assert_int_equal(kmin_search_inert_diff(base, debug, refs, false, &inert), 0);
	assert_true(inert);		/* the debug format (named by a Makefile) and UNNAMED */
	assert_int_equal(kmin_search_inert_diff(base, base, refs, false, &inert), 0);
	assert_true(inert);		/* nothing differs */
	assert_int_equal(kmin_search_inert_diff(base, used, refs, true, &inert), 0);
	assert_false(inert);		/* USED is named by kernel/used.c */
	kmin_refs_free(refs);
	tu_remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_moves_format),
		cmocka_unit_test(test_elf_check),
		cmocka_unit_test(test_inert_diff),
		cmocka_unit_test(test_store_runs),
		cmocka_unit_test_setup_teardown(test_candidates, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_apply, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_estimate_order, fixture_setup, fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
