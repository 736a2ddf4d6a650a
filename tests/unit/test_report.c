/*
 * test_report.c - the HTML report (src/report.c) and its chart arithmetic
 * (src/svg.c): escaping, axes with no, one and many points, the config
 * difference, whole pages from hand-made models (an empty run, a run
 * with hostile text) written into memory, and a run loaded from a real
 * store in a temporary directory (sections of a cached build, the config
 * difference tied to the step that moved each symbol, a missing run).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kmin/report.h"
#include "svg.h"
#include "testutil.h"

/* ---- helpers ---- */

static char *escape(const char *s, size_t max)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	kmin_report_html_escape(f, s, max);
	fclose(f);
	return buf;
}

static char *page(const struct kmin_report *r)
{
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(kmin_report_write_html(f, r, err, sizeof(err)), 0);
	fclose(f);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* ---- escaping ---- */

static void test_escape_specials(void **state)
{
	(void)state;
	char *s = escape("<a href=\"x\">&'</a>", 0);
	assert_string_equal(s, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	free(s);
}

static void test_escape_controls_and_utf8(void **state)
{
	(void)state;
	/* a bell dropped, tab kept, an invalid byte replaced, valid UTF-8 kept */
	char *s = escape("a\x07\tb\xff\xc3\xa9", 0);
	assert_string_equal(s, "a\tb\xef\xbf\xbd\xc3\xa9");
	free(s);
	s = escape(NULL, 0);
	assert_string_equal(s, "");
	free(s);
}

static void test_escape_truncates_by_character(void **state)
{
	(void)state;
	char *s = escape("\xc3\xa9\xc3\xa9\xc3\xa9xyz", 2);
	assert_string_equal(s, "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
	free(s);
	s = escape("ab", 2);	/* exactly max: no ellipsis */
	assert_string_equal(s, "ab");
	free(s);
}

/* ---- axes ---- */

static void test_axis_no_points(void **state)
{
	(void)state;
	struct kmin_svg_axis a;

	kmin_svg_axis_fit(&a, 0, -1, 5, 0);	/* min > max: no data */
	assert_true(a.lo < a.hi);
	assert_true(a.step > 0);
	assert_true(kmin_svg_axis_nticks(&a) >= 2);
}

static void test_axis_one_point(void **state)
{
	(void)state;
	struct kmin_svg_axis a;
	double y;

	kmin_svg_axis_fit(&a, 59280, 59280, 5, 0);
	assert_true(a.lo < 59280 && a.hi > 59280);
	y = kmin_svg_map(&a, 59280, 300, 40);
	assert_true(y > 40 && y < 300);	/* inside the plot, not on an edge */
	kmin_svg_axis_fit(&a, 0, 0, 5, 0);
	assert_true(a.lo <= 0 && a.hi > 0);
	kmin_svg_axis_fit(&a, 1, 1, 12, 1);	/* one step */
	assert_true(a.lo < 1 && a.hi > 1 && a.step >= 1);
}

static void test_axis_many_points(void **state)
{
	(void)state;
	struct kmin_svg_axis a;

	kmin_svg_axis_fit(&a, 59280, 283948, 5, 0);
	assert_true(a.lo <= 59280 && a.hi >= 283948);
	assert_true(a.step == 50000);	/* 1, 2 or 5 x 10^k */
	assert_true(kmin_svg_axis_nticks(&a) >= 4 && kmin_svg_axis_nticks(&a) <= 8);
	assert_true(kmin_svg_map(&a, a.lo, 300, 40) == 300);
	assert_true(kmin_svg_map(&a, a.hi, 300, 40) == 40);
	/* integer axis over 7 steps: whole numbers */
	kmin_svg_axis_fit(&a, 1, 7, 12, 1);
	assert_true(a.step == 1 && a.lo <= 1 && a.hi >= 7);
	/* 3000 steps */
	kmin_svg_axis_fit(&a, 1, 3000, 12, 1);
	assert_true(a.step == 500 && a.lo == 0 && a.hi == 3000);
}

static void test_format_bytes(void **state)
{
	(void)state;
	char buf[48];

	kmin_svg_format_bytes(283948, 0, buf, sizeof(buf));
	assert_string_equal(buf, "283,948");
	kmin_svg_format_bytes(-8128, 0, buf, sizeof(buf));
	assert_string_equal(buf, "-8,128");
	kmin_svg_format_bytes(0, 0, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	kmin_svg_format_bytes(250000, 1, buf, sizeof(buf));
	assert_string_equal(buf, "250K");
	kmin_svg_format_bytes(1500000, 1, buf, sizeof(buf));
	assert_string_equal(buf, "1.5M");
	kmin_svg_format_bytes(59280, 1, buf, sizeof(buf));
	assert_string_equal(buf, "59.28K");
	kmin_svg_format_bytes(950, 1, buf, sizeof(buf));
	assert_string_equal(buf, "950");
}

/* ---- config difference ---- */

static void test_config_diff(void **state)
{
	(void)state;
	const char *base = "CONFIG_A=y\nCONFIG_B=y\n# CONFIG_C is not set\nCONFIG_N=8\n"
			   "CONFIG_S=\"x\"\nCONFIG_M=m\n";
	const char *final = "# CONFIG_A is not set\nCONFIG_C=y\nCONFIG_N=2\nCONFIG_S=\"x\"\n"
			    "CONFIG_M=m\n# CONFIG_HIDDEN is not set\n";
	struct kmin_report_change *c;
	size_t n;

	assert_int_equal(kmin_report_config_diff(base, final, &c, &n), 0);
	/* A off, B off (absent), C on, N changed; HIDDEN absent -> n is no change */
	assert_int_equal(n, 4);
	assert_string_equal(c[0].name, "A");
	assert_string_equal(c[0].before, "y");
	assert_string_equal(c[0].after, "n");
	assert_string_equal(c[1].name, "B");
	assert_string_equal(c[1].after, "");
	assert_string_equal(c[2].name, "C");
	assert_string_equal(c[2].after, "y");
	assert_string_equal(c[3].name, "N");
	assert_string_equal(c[3].before, "8");
	assert_string_equal(c[3].after, "2");
	for (size_t i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].before);
		free(c[i].after);
	}
	free(c);
	assert_int_equal(kmin_report_config_diff("", "", &c, &n), 0);
	assert_int_equal(n, 0);
	free(c);
}

/* ---- whole pages ---- */

static void test_page_empty_run(void **state)
{
	(void)state;
	struct kmin_report r = {
		.run_id = 7, .status = "running", .strategy = "greedy", .arch = "arm",
		.requirements_text = "", .base = "tinyconfig", .metric = "dec", .kernel = "",
		.toolchain = "", .base_size = -1, .final_size = -1,
	};
	char *html = page(&r);

	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_non_null(strstr(html, "kmin run 7"));
	assert_non_null(strstr(html, "id=\"size-chart\""));
	assert_non_null(strstr(html, "no steps recorded"));
	assert_int_equal(count(html, "data-seq="), 0);
	assert_non_null(strstr(html, "</html>\n"));
	assert_null(strstr(html, "nan"));
	assert_null(strstr(html, "inf\""));
	free(html);
}

static void test_page_points_and_escaping(void **state)
{
	(void)state;
	struct kmin_report_step steps[] = {
		{ .seq = 1, .kind = KMIN_STEP_BASE, .moves = "", .reason = "ok", .size = 1000,
		  .build_id = 1 },
		{ .seq = 2, .kind = KMIN_STEP_ACCEPT, .moves = "A=n B=n", .reason = "ok",
		  .size = 600, .saving = 400, .build_id = 2 },
		{ .seq = 3, .kind = KMIN_STEP_REJECT, .moves = "C=n", .reason = "failed: <x> & 'y'",
		  .size = -1 },
		{ .seq = 4, .kind = KMIN_STEP_VERIFY, .moves = "", .reason = "ok", .size = 600,
		  .build_id = 3 },
	};
	struct kmin_report_section sec[] = { { .name = ".text", .size = 800 },
					     { .name = ".evil<s>", .size = 200 } };
	char *syms[] = { "USB" }, *vals[] = { "y" };
	struct kmin_report_requirement req = { .name = "USB", .description = "USB <host>",
					       .symbols = syms, .values = vals, .nsymbols = 1 };
	struct kmin_report_change ch = { .name = "A", .before = "y", .after = "n", .step = 2 };
	struct kmin_report r = {
		.run_id = 1, .status = "done", .strategy = "greedy", .arch = "arm",
		.requirements_text = "USB", .base = "<script>alert(1)</script>", .metric = "dec",
		.kernel = "6.1", .toolchain = "gcc", .base_size = 1000, .final_size = 600,
		.steps = steps, .nsteps = 4, .reqs = &req, .nreqs = 1, .base_sections = sec,
		.nbase_sections = 2, .final_sections = sec, .nfinal_sections = 1, .changes = &ch,
		.nchanges = 1, .have_configs = true, .version = "0.1.0",
	};
	char *html = page(&r);

	assert_int_equal(count(html, "<g class=\"pt "), 4);	/* one point per step */
	assert_non_null(strstr(html, "class=\"pt reject\" data-seq=\"3\""));
	assert_null(strstr(html, "<script"));
	assert_non_null(strstr(html, "&lt;script&gt;"));
	assert_null(strstr(html, "<x>"));
	assert_null(strstr(html, ".evil<s>"));
	assert_non_null(strstr(html, "USB &lt;host&gt;"));
	assert_non_null(strstr(html, "moved in step 2"));
	assert_non_null(strstr(html, "40.0% of the base"));
	assert_int_equal(count(html, "<g class=\"bar\""), 1);
	assert_null(strstr(html, "http:"));
	assert_null(strstr(html, "https:"));
	assert_null(strstr(html, " src="));
	free(html);
}

static void test_write_error(void **state)
{
	(void)state;
	struct kmin_report r = {
		.status = "done", .strategy = "", .arch = "", .requirements_text = "", .base = "",
		.metric = "", .kernel = "", .toolchain = "", .base_size = -1, .final_size = -1,
	};
	char err[256] = "";
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		skip();
	assert_int_equal(kmin_report_write_html(f, &r, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');	/* the reason: "No space left on device" */
	fclose(f);
}

/* ---- loading from a real store ---- */

/* A store in a temporary directory with one run: base build, one accepted step, verify. */
static struct kmin_store *make_store(char dir[64], int64_t *run_id)
{
	struct kmin_store *s = NULL;
	struct kmin_kernel_id k = { .version = "6.1.0", .path = "/src/linux", .ident = "tree:abc" };
	const char *base = "CONFIG_USB=y\nCONFIG_NET=y\nCONFIG_WLAN=y\nCONFIG_N=8\n";
	const char *final = "CONFIG_USB=y\n# CONFIG_NET is not set\nCONFIG_N=8\n";
	struct kmin_section sec_base[] = { { ".text", 1000 }, { ".data", 200 } };
	struct kmin_section sec_final[] = { { ".text", 700 }, { ".data", 150 } };
	char err[512], path[128], bsha[65], fsha[65];
	int64_t kid, tid, b1, b2, b3;

	tu_tempdir(dir, 64, "report");
	snprintf(path, sizeof(path), "%s/r.db", dir);
	assert_int_equal(kmin_store_open(&s, path, 0, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_kernel_upsert(s, &k, &kid, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_toolchain_upsert(s, NULL, "gcc 12", &tid, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_config_put(s, base, strlen(base), bsha, NULL, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_config_put(s, final, strlen(final), fsha, NULL, err, sizeof(err)), 0);

	struct kmin_build b = { .key = { .kernel_id = kid, .toolchain_id = tid, .arch = "arm",
					 .image = "zImage" },
				.status = KMIN_BUILD_OK, .text = 1000, .data = 200, .bss = 0,
				.image_bytes = 900, .seconds = 1, .started_ms = 1, .finished_ms = 2,
				.sections = sec_base, .nsections = 2 };
	memcpy(b.key.config_sha256, bsha, 65);
	assert_int_equal(kmin_store_build_record(s, &b, &b1, err, sizeof(err)), 0);
	memcpy(b.key.config_sha256, fsha, 65);
	b.text = 700;
	b.data = 150;
	b.sections = sec_final;
	assert_int_equal(kmin_store_build_record(s, &b, &b2, err, sizeof(err)), 0);
	/* the verification answered from the database: sections are those of b2 */
	assert_int_equal(kmin_store_build_record_cached(s, b2, "w0", 3, 4, &b3, err, sizeof(err)), 0);

	struct kmin_run run = { .key = "k", .strategy = "greedy", .arch = "arm",
				.requirements = "USB", .base = "tinyconfig", .metric = "dec",
				.kernel_id = kid, .toolchain_id = tid, .status = KMIN_RUN_DONE,
				.base_sha256 = bsha, .base_size = 1200, .final_sha256 = fsha,
				.final_size = 850, .builds = 2, .cached = 1, .started_ms = 1000,
				.finished_ms = 5000 };
	assert_int_equal(kmin_store_run_create(s, &run, run_id, err, sizeof(err)), 0);
	struct kmin_run_step st[] = {
		{ .run_id = *run_id, .kind = KMIN_STEP_BASE, .moves = "", .config_sha256 = bsha,
		  .build_id = b1, .reason = "ok", .size = 1200 },
		{ .run_id = *run_id, .kind = KMIN_STEP_ACCEPT, .moves = "NET=n", .config_sha256 = fsha,
		  .build_id = b2, .reason = "ok", .size = 850, .saving = 350 },
		{ .run_id = *run_id, .kind = KMIN_STEP_REJECT, .moves = "USB=n", .reason = "lost USB",
		  .size = -1 },
		{ .run_id = *run_id, .kind = KMIN_STEP_VERIFY, .moves = "", .config_sha256 = fsha,
		  .build_id = b3, .reason = "ok", .size = 850, .cached = true },
	};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(kmin_store_step_add(s, &st[i], err, sizeof(err)), 0);
	return s;
}

static void remove_store(struct kmin_store *s, const char *dir)
{
	kmin_store_close(s);
	tu_remove_tree(dir);
}

static void test_load_from_store(void **state)
{
	(void)state;
	char dir[64], err[512];
	int64_t id;
	struct kmin_store *s = make_store(dir, &id);
	struct kmin_report r;

	assert_int_equal(kmin_report_load(s, id, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.nsteps, 4);
	assert_string_equal(r.kernel, "6.1.0 (/src/linux)");
	assert_string_equal(r.toolchain, "gcc 12");
	assert_int_equal(r.nbase_sections, 2);
	assert_int_equal(r.base_sections[0].size, 1000);
	assert_int_equal(r.nfinal_sections, 2);	/* the cached verification's: build b2's */
	assert_int_equal(r.final_sections[0].size, 700);
	assert_true(r.have_configs);
	assert_int_equal(r.nchanges, 2);	/* NET y -> n (moved in step 2), WLAN y -> absent */
	assert_string_equal(r.changes[0].name, "NET");
	assert_int_equal(r.changes[0].step, 2);
	assert_string_equal(r.changes[1].name, "WLAN");
	assert_int_equal(r.changes[1].step, 0);
	assert_int_equal(r.nreqs, 1);
	assert_string_equal(r.reqs[0].symbols[0], "USB");
	assert_string_equal(r.reqs[0].values[0], "y");
	char *html = page(&r);
	assert_int_equal(count(html, "<g class=\"pt "), 4);
	assert_non_null(strstr(html, "moved in step 2"));
	free(html);
	kmin_report_clear(&r);

	/* no such run: 1, nothing to free */
	assert_int_equal(kmin_report_load(s, id + 1, NULL, &r, err, sizeof(err)), 1);
	assert_int_equal(r.nsteps, 0);
	remove_store(s, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_specials),
		cmocka_unit_test(test_escape_controls_and_utf8),
		cmocka_unit_test(test_escape_truncates_by_character),
		cmocka_unit_test(test_axis_no_points),
		cmocka_unit_test(test_axis_one_point),
		cmocka_unit_test(test_axis_many_points),
		cmocka_unit_test(test_format_bytes),
		cmocka_unit_test(test_config_diff),
		cmocka_unit_test(test_page_empty_run),
		cmocka_unit_test(test_page_points_and_escaping),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_load_from_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
