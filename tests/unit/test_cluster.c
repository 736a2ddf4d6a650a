/*
 * test_cluster.c - distcc host specs, slots, pool sizing, the config file
 * and .comment reading (cluster.h).  The probe through a real distccd is
 * in tests/integration/distcc.sh; here a local test compile only, when the
 * host compiler is there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kmin/cluster.h"
#include "testutil.h"

static struct kmin_cluster *parse_ok(const char *spec, unsigned int cores)
{
	struct kmin_cluster *c = NULL;
	char err[256] = "";

	if (kmin_cluster_parse(&c, spec, cores, err, sizeof(err)))
		fail_msg("'%s' should parse: %s", spec, err);
	assert_non_null(c);
	return c;
}

/* SPEC must be refused with a message containing WANT. */
static void parse_bad(const char *spec, const char *want)
{
	struct kmin_cluster *c = (struct kmin_cluster *)1;
	char err[256] = "";

	assert_int_equal(kmin_cluster_parse(&c, spec, 2, err, sizeof(err)), -1);
	assert_null(c);
	if (!strstr(err, want))
		fail_msg("'%s': message '%s' lacks '%s'", spec, err, want);
}

static void test_tcp(void **state)
{
	struct kmin_cluster *c;
	(void)state;

	c = parse_ok("build1 10.0.0.2:3633/8 build3/6:4000 build4/3", 2);
	assert_int_equal(c->nhosts, 4);
	assert_int_equal(c->hosts[0].transport, KMIN_CLUSTER_TCP);
	assert_string_equal(c->hosts[0].name, "build1");
	assert_int_equal(c->hosts[0].port, 3632);
	assert_int_equal(c->hosts[0].limit, 4);
	assert_false(c->hosts[0].limit_given);
	assert_string_equal(c->hosts[1].name, "10.0.0.2");
	assert_int_equal(c->hosts[1].port, 3633);
	assert_int_equal(c->hosts[1].limit, 8);
	assert_true(c->hosts[1].limit_given);
	/* the old order: /LIMIT before :PORT */
	assert_string_equal(c->hosts[2].name, "build3");
	assert_int_equal(c->hosts[2].port, 4000);
	assert_int_equal(c->hosts[2].limit, 6);
	assert_int_equal(c->hosts[3].port, 3632);
	assert_int_equal(c->hosts[3].limit, 3);
	assert_string_equal(c->hosts[1].word, "10.0.0.2:3633/8");
	assert_int_equal(kmin_cluster_slots(c), 4 + 8 + 6 + 3);
	kmin_cluster_free(c);
}

static void test_localhost(void **state)
{
	struct kmin_cluster *c;
	(void)state;

	c = parse_ok("localhost/2 127.0.0.1:36321/3", 8);
	assert_int_equal(c->nhosts, 2);
	assert_int_equal(c->hosts[0].transport, KMIN_CLUSTER_LOCAL);
	assert_int_equal(c->hosts[0].limit, 2);
	assert_int_equal(c->hosts[0].port, 0);
	/* 127.0.0.1 is a daemon over TCP, not "localhost" */
	assert_int_equal(c->hosts[1].transport, KMIN_CLUSTER_TCP);
	assert_int_equal(kmin_cluster_slots(c), 5);
	kmin_cluster_free(c);
	/* localhost without /LIMIT: the local cores */
	c = parse_ok("localhost", 6);
	assert_int_equal(c->hosts[0].limit, 6);
	kmin_cluster_free(c);
	c = parse_ok("localhost", 0);
	assert_int_equal(c->hosts[0].limit, 1);
	kmin_cluster_free(c);
}

static void test_options(void **state)
{
	struct kmin_cluster *c;
	char *s;
	(void)state;

	c = parse_ok("--randomize --localslots=3 --localslots_cpp=10 a,lzo b:4000/2,lzo,cpp "
		     "c/5,auth=distcc@EXAMPLE",
		     2);
	assert_true(c->randomize);
	assert_int_equal(c->localslots, 3);
	assert_int_equal(c->localslots_cpp, 10);
	assert_int_equal(c->nhosts, 3);
	assert_true(c->hosts[0].lzo);
	assert_false(c->hosts[0].cpp);
	assert_true(c->hosts[1].lzo);
	assert_true(c->hosts[1].cpp);
	assert_int_equal(c->hosts[1].port, 4000);
	assert_int_equal(c->hosts[1].limit, 2);
	assert_true(c->hosts[2].auth);
	assert_int_equal(c->hosts[2].transport, KMIN_CLUSTER_TCP);
	assert_int_equal(c->hosts[2].limit, 5);
	/* the string given back to distcc keeps options and words */
	s = kmin_cluster_hosts_string(c, NULL);
	assert_string_equal(s, "--randomize --localslots=3 --localslots_cpp=10 a,lzo b:4000/2,lzo,cpp "
			       "c/5,auth=distcc@EXAMPLE");
	free(s);
	bool keep[] = { false, true, false };
	s = kmin_cluster_hosts_string(c, keep);
	assert_string_equal(s, "--randomize --localslots=3 --localslots_cpp=10 b:4000/2,lzo,cpp");
	free(s);
	bool none[] = { false, false, false };
	s = kmin_cluster_hosts_string(c, none);
	assert_string_equal(s, "");
	free(s);
	kmin_cluster_free(c);
	/* no options by default */
	c = parse_ok(" \t a\n b ", 2);
	assert_false(c->randomize);
	assert_int_equal(c->localslots, -1);
	assert_int_equal(c->localslots_cpp, -1);
	assert_int_equal(c->nhosts, 2);
	kmin_cluster_free(c);
}

static void test_ssh(void **state)
{
	struct kmin_cluster *c;
	(void)state;

	c = parse_ok("@farm1 builder@farm2/10 @farm3:/opt/distcc/bin/distccd,lzo "
		     "me@farm4/2:/usr/sbin/distccd",
		     2);
	assert_int_equal(c->nhosts, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(c->hosts[i].transport, KMIN_CLUSTER_SSH);
	assert_null(c->hosts[0].user);
	assert_string_equal(c->hosts[0].name, "farm1");
	assert_int_equal(c->hosts[0].limit, 4);
	assert_int_equal(c->hosts[0].port, 0);
	assert_string_equal(c->hosts[1].user, "builder");
	assert_string_equal(c->hosts[1].name, "farm2");
	assert_int_equal(c->hosts[1].limit, 10);
	assert_string_equal(c->hosts[2].command, "/opt/distcc/bin/distccd");
	assert_true(c->hosts[2].lzo);
	assert_string_equal(c->hosts[3].user, "me");
	assert_int_equal(c->hosts[3].limit, 2);
	assert_string_equal(c->hosts[3].command, "/usr/sbin/distccd");
	kmin_cluster_free(c);
}

static void test_ipv6(void **state)
{
	struct kmin_cluster *c;
	(void)state;

	c = parse_ok("[::1]:3700/3,lzo [fe80::2]", 2);
	assert_string_equal(c->hosts[0].name, "::1");
	assert_int_equal(c->hosts[0].port, 3700);
	assert_int_equal(c->hosts[0].limit, 3);
	assert_true(c->hosts[0].lzo);
	assert_string_equal(c->hosts[1].name, "fe80::2");
	kmin_cluster_free(c);
}

static void test_bad(void **state)
{
	(void)state;
	parse_bad("", "no distcc host");
	parse_bad("   ", "no distcc host");
	parse_bad("--randomize", "no distcc host");
	parse_bad("host:port", ":PORT takes");
	parse_bad("host:0", ":PORT takes");
	parse_bad("host:70000", ":PORT takes");
	parse_bad("host/0", "/LIMIT takes");
	parse_bad("host/x", "/LIMIT takes");
	parse_bad("host/99999", "/LIMIT takes");
	parse_bad("localhost/0", "/LIMIT takes");
	parse_bad("host,zip", "unknown option 'zip'");
	parse_bad("host:1:2", "given twice");
	parse_bad("host/2/3", "given twice");
	parse_bad("host:3632x", "unexpected 'x'");
	parse_bad("@", "no host after '@'");
	parse_bad("user@/2", "no host after '@'");
	parse_bad("@farm:", "empty :COMMAND");
	parse_bad(":3632", "no host name");
	parse_bad("[::1", "no host name");
	parse_bad("+zeroconf", "not supported");
	parse_bad("--bogus", "unknown distcc option '--bogus'");
	parse_bad("--localslots=x a", "takes a number");
	/* one bad word spoils the spec, and is named */
	parse_bad("good1 good2:3632/4 bad:", "'bad:'");
}

static void test_pool_size(void **state)
{
	unsigned int w, j;
	(void)state;

	/* loopback cluster of 4 slots on 2 cores: one worker of -j4 */
	kmin_cluster_pool_size(4, 2, 24ULL << 30, &w, &j);
	assert_int_equal(w, 1);
	assert_int_equal(j, 4);
	/* 40 slots, 8 cores: 5 workers of -j8 */
	kmin_cluster_pool_size(40, 8, 24ULL << 30, &w, &j);
	assert_int_equal(w, 5);
	assert_int_equal(j, 8);
	/* 100 slots but 2 local cores: 2 workers, the slots shared */
	kmin_cluster_pool_size(100, 2, 0, &w, &j);
	assert_int_equal(w, 2);
	assert_int_equal(j, 50);
	/* memory caps the workers: 1 GB = 2 x 512 MB */
	kmin_cluster_pool_size(100, 16, 1ULL << 30, &w, &j);
	assert_int_equal(w, 2);
	/* tiny or nothing: one worker of -j2 */
	kmin_cluster_pool_size(1, 1, 100ULL << 20, &w, &j);
	assert_int_equal(w, 1);
	assert_int_equal(j, 2);
	kmin_cluster_pool_size(0, 0, 0, &w, &j);
	assert_int_equal(w, 1);
	assert_int_equal(j, 2);
}

static void test_config(void **state)
{
	char *distcc = NULL, err[256];
	int icecc = 7;
	(void)state;

	assert_int_equal(kmin_cluster_config_parse("# kmin\n\n  distcc =  a/4 b:3633/2  \n"
						   "other = ignored\nicecc=no\n",
						   &distcc, &icecc, err, sizeof(err)),
			 0);
	assert_string_equal(distcc, "a/4 b:3633/2");
	assert_int_equal(icecc, 0);
	free(distcc);
	assert_int_equal(kmin_cluster_config_parse("icecc = yes\n", &distcc, &icecc, err, sizeof(err)),
			 0);
	assert_null(distcc);
	assert_int_equal(icecc, 1);
	assert_int_equal(kmin_cluster_config_parse("distcc = none\n", &distcc, &icecc, err,
						   sizeof(err)),
			 0);
	assert_string_equal(distcc, "");
	assert_int_equal(icecc, -1);
	free(distcc);
	assert_int_equal(kmin_cluster_config_parse("", &distcc, &icecc, err, sizeof(err)), 0);
	assert_null(distcc);
	assert_int_equal(kmin_cluster_config_parse("distcc = a\n\n\nicecc = maybe\n", &distcc,
						   &icecc, err, sizeof(err)),
			 -1);
	assert_null(distcc);
	assert_non_null(strstr(err, "line 4"));
	assert_non_null(strstr(err, "'maybe'"));
}

/* A local test compile with the host's cc: .comment names the compiler. */
static void test_probe_local(void **state)
{
	struct kmin_cluster_probe p;
	char dir[64], err[256], path[300];
	(void)state;

	if (access("/usr/bin/gcc", X_OK))
		skip();
	tu_tempdir(dir, sizeof(dir), "cluster");
	assert_int_equal(kmin_cluster_probe(&p, NULL, NULL, "gcc", dir, 60, err, sizeof(err)), 0);
	assert_true(p.ok);
	assert_non_null(strstr(p.comment, "GCC: ("));
	assert_true(p.seconds > 0);
	kmin_cluster_probe_clear(&p);
	/* a compiler that is not there: the probe runs and says why */
	assert_int_equal(kmin_cluster_probe(&p, NULL, NULL, "/nonexistent/gcc", dir, 60, err,
					    sizeof(err)) == 0 ||
			 strlen(err) > 0,
			 1);
	assert_false(p.ok && p.comment);
	kmin_cluster_probe_clear(&p);
	/* not an ELF file */
	char *comment = NULL;
	snprintf(path, sizeof(path), "%s/kmin-probe.c", dir);
	assert_int_equal(kmin_elf_comment(&comment, path, err, sizeof(err)), -1);
	assert_null(comment);
	assert_non_null(strstr(err, "not an ELF"));
	tu_remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_localhost),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_ssh),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_pool_size),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_probe_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
