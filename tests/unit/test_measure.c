/*
 * test_measure.c - kmin_measure_elf() against binutils' `size` on real ELF
 * files compiled here by the host gcc (and by arm-linux-gnueabi-gcc when it
 * is installed): a relocatable object, a dynamic and a static executable,
 * with the corner cases of size.c's rules (read-only NOBITS, writable code,
 * TLS).  With KMIN_TEST_VMLINUX=path in the environment it also checks a
 * real vmlinux against arm-linux-gnueabi-size.  Fast: a few compiles.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmin/measure.h"
#include "testutil.h"

static char tmpdir[64];

static const char host_source[] =
	"int data_var = 1;\n"
	"int bss_var;\n"
	"static char big_bss[4096];\n"
	"const int ro_var = 5;\n"
	"__thread int tls_data = 3;\n"
	"__thread int tls_bss;\n"
	/* read-only NOBITS: size counts it as text */
	"__attribute__((section(\".ronobits,\\\"a\\\",@nobits#\"))) char ro_nobits[100];\n"
	/* writable code: text (SEC_CODE) */
	"__attribute__((section(\".wcode,\\\"awx\\\",@progbits#\"))) char w_code[24] = {1};\n"
	"int main(void) { big_bss[bss_var] = 1; return big_bss[data_var] + data_var + ro_var + tls_data + tls_bss"
	" + ro_nobits[0] + w_code[0]; }\n";

static const char arm_source[] =
	"int data_var = 1;\nint bss_var;\nstatic char big_bss[777];\nconst int ro = 5;\n"
	"int f(void) { big_bss[bss_var] = 1; return data_var + ro; }\n";

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* text, data, bss from `<tool> FILE` (Berkeley format, the default). */
static int tool_size(const char *tool, const char *file, uint64_t *t, uint64_t *d, uint64_t *b)
{
	char cmd[1024], line[1024];
	unsigned long long a, c, e;
	FILE *p;
	int ok = 0;

	snprintf(cmd, sizeof(cmd), "%s '%s'", tool, file);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fgets(line, sizeof(line), p) && fgets(line, sizeof(line), p) &&
	    sscanf(line, "%llu %llu %llu", &a, &c, &e) == 3) {
		*t = a;
		*d = c;
		*b = e;
		ok = 1;
	}
	pclose(p);
	return ok ? 0 : -1;
}

static void assert_like_size(const char *tool, const char *file)
{
	struct kmin_sizes s;
	uint64_t t = 0, d = 0, b = 0;
	char err[256];

	assert_int_equal(tool_size(tool, file, &t, &d, &b), 0);
	assert_int_equal(kmin_measure_elf(file, &s, err, sizeof(err)), 0);
	assert_int_equal(s.text, t);
	assert_int_equal(s.data, d);
	assert_int_equal(s.bss, b);
	assert_int_equal(kmin_sizes_dec(&s), t + d + b);
	/* the section list adds up to the same totals */
	uint64_t sum[3] = { 0, 0, 0 };
	for (size_t i = 0; i < s.nsections; i++)
		sum[s.sections[i].kind] += s.sections[i].size;
	assert_int_equal(sum[KMIN_SECTION_TEXT], t);
	assert_int_equal(sum[KMIN_SECTION_DATA], d);
	assert_int_equal(sum[KMIN_SECTION_BSS], b);
	kmin_sizes_release(&s);
}

static const struct kmin_elf_section *find(const struct kmin_sizes *s, const char *name)
{
	for (size_t i = 0; i < s->nsections; i++)
		if (!strcmp(s->sections[i].name, name))
			return &s->sections[i];
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	tu_tempdir(tmpdir, sizeof(tmpdir), "measure");
	tu_write_str(tmpdir, "x.c", host_source);
	tu_write_str(tmpdir, "arm.c", arm_source);
	if (run("cd %s && gcc -c -O1 x.c -o x.o && gcc -O1 x.c -o x.dyn", tmpdir))
		return -1;
	run("cd %s && gcc -O1 -static x.c -o x.static 2>/dev/null", tmpdir);
	if (!run("command -v arm-linux-gnueabi-gcc >/dev/null"))
		run("cd %s && arm-linux-gnueabi-gcc -c -O2 arm.c -o arm.o && "
		    "arm-linux-gnueabi-gcc -O2 -nostdlib -Wl,-e,f arm.c -o arm.elf", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_remove_tree(tmpdir);
	return 0;
}

static void test_object_like_size(void **state)
{
	char p[512];

	(void)state;
	path_of(p, sizeof(p), "x.o");
	assert_like_size("size", p);
}

static void test_dynamic_executable_like_size(void **state)
{
	char p[512];

	(void)state;
	path_of(p, sizeof(p), "x.dyn");
	assert_like_size("size", p);
}

static void test_static_executable_like_size(void **state)
{
	char p[512];

	(void)state;
	path_of(p, sizeof(p), "x.static");
	if (access(p, F_OK))
		skip();
	assert_like_size("size", p);
}

static void test_corner_sections(void **state)
{
	struct kmin_sizes s;
	char p[512], err[256];
	const struct kmin_elf_section *sec;

	(void)state;
	path_of(p, sizeof(p), "x.o");
	assert_int_equal(kmin_measure_elf(p, &s, err, sizeof(err)), 0);
	sec = find(&s, ".ronobits");
	assert_non_null(sec);
	assert_int_equal(sec->kind, KMIN_SECTION_TEXT);	/* read-only NOBITS is text */
	assert_int_equal(sec->size, 100);
	sec = find(&s, ".wcode");
	assert_non_null(sec);
	assert_int_equal(sec->kind, KMIN_SECTION_TEXT);	/* writable code is text */
	sec = find(&s, ".tbss");
	assert_non_null(sec);
	assert_int_equal(sec->kind, KMIN_SECTION_BSS);
	sec = find(&s, ".tdata");
	assert_non_null(sec);
	assert_int_equal(sec->kind, KMIN_SECTION_DATA);
	sec = find(&s, ".bss");
	assert_non_null(sec);
	assert_true(sec->size >= 4096 + 4);
	assert_null(find(&s, ".comment"));		/* not allocated: not listed */
	kmin_sizes_release(&s);
	assert_null(s.sections);
}

static void test_arm_like_arm_size(void **state)
{
	char p[512];

	(void)state;
	path_of(p, sizeof(p), "arm.o");
	if (access(p, F_OK))
		skip();
	assert_like_size("arm-linux-gnueabi-size", p);
	path_of(p, sizeof(p), "arm.elf");
	assert_like_size("arm-linux-gnueabi-size", p);
}

static void test_real_vmlinux(void **state)
{
	const char *v = getenv("KMIN_TEST_VMLINUX");

	(void)state;
	if (!v || !*v)
		skip();
	assert_like_size("arm-linux-gnueabi-size", v);
}

static void test_errors(void **state)
{
	struct kmin_sizes s;
	char p[512], q[512], err[256];
	uint64_t bytes;

	(void)state;
	path_of(p, sizeof(p), "x.c");
	assert_int_equal(kmin_measure_elf(p, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an ELF file"));
	assert_null(s.sections);

	path_of(p, sizeof(p), "missing");
	assert_int_equal(kmin_measure_elf(p, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));

	/* the ELF header alone: section headers point past the end */
	path_of(p, sizeof(p), "x.o");
	path_of(q, sizeof(q), "truncated.o");
	assert_int_equal(run("head -c 64 '%s' > '%s'", p, q), 0);
	assert_int_equal(kmin_measure_elf(q, &s, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);

	assert_int_equal(kmin_measure_file(q, &bytes, err, sizeof(err)), 0);
	assert_int_equal(bytes, 64);
	path_of(p, sizeof(p), "missing");
	assert_int_equal(kmin_measure_file(p, &bytes, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot stat"));
	assert_int_equal(kmin_measure_file(tmpdir, &bytes, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object_like_size),
		cmocka_unit_test(test_dynamic_executable_like_size),
		cmocka_unit_test(test_static_executable_like_size),
		cmocka_unit_test(test_corner_sections),
		cmocka_unit_test(test_arm_like_arm_size),
		cmocka_unit_test(test_real_vmlinux),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
