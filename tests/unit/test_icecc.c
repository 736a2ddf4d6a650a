/*
 * test_icecc.c - what kmin reads of an icecream cluster (cluster.h):
 * the scheduler's "listcs" lines, the slots they offer, ICECC_VERSION's
 * value, the socket search, and a whole query against a stand-in
 * scheduler on a loopback port (a thread speaking the text protocol as
 * icecc-scheduler 1.4 does).  Real daemons: tests/integration/icecc.sh.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cmocka.h>

#include "kmin/cluster.h"
#include "kmin/icecc.h"

/* What icecc-scheduler 1.4 answered to listcs on a two-daemon network. */
static const char listcs[] =
	" kminlocal (127.0.0.1:0) [x86_64] speed=0.00 jobs=0/2 load=999\n"
	" kminr1 (127.0.0.1:10282) [x86_64] speed=12.50 jobs=1/2 load=1000\n"
	" farm3 (10.0.0.3:10245) [aarch64] speed=80.00 jobs=0/16 load=20\n"
	"200 done\n";

static void test_listcs(void **state)
{
	struct kmin_icecc_cluster *c = calloc(1, sizeof(*c));
	char err[256] = "";

	(void)state;
	assert_int_equal(kmin_icecc_listcs_parse(c, listcs, err, sizeof(err)), 0);
	assert_int_equal(c->nhosts, 3);
	assert_string_equal(c->hosts[0].name, "kminlocal");
	assert_string_equal(c->hosts[0].address, "127.0.0.1");
	assert_int_equal(c->hosts[0].port, 0);
	assert_int_equal(c->hosts[0].max_jobs, 2);
	assert_string_equal(c->hosts[1].name, "kminr1");
	assert_int_equal(c->hosts[1].port, 10282);
	assert_int_equal(c->hosts[1].jobs, 1);
	assert_string_equal(c->hosts[2].address, "10.0.0.3");
	assert_string_equal(c->hosts[2].platform, "aarch64");
	assert_int_equal(c->hosts[2].max_jobs, 16);
	/* the --no-remote daemon's slots are its own, not the cluster's */
	assert_int_equal(kmin_icecc_slots(c), 18);
	kmin_icecc_cluster_free(c);

	c = calloc(1, sizeof(*c));
	assert_int_equal(kmin_icecc_listcs_parse(c, "200 done\n", err, sizeof(err)), 0);
	assert_int_equal(c->nhosts, 0);
	assert_int_equal(kmin_icecc_slots(c), 0);
	assert_int_equal(kmin_icecc_listcs_parse(c, "hello there\n200 done\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'hello there'"));
	kmin_icecc_cluster_free(c);
	assert_int_equal(kmin_icecc_slots(NULL), 0);
}

static void test_version_value(void **state)
{
	struct utsname u;
	char buf[512], want[512];

	(void)state;
	assert_int_equal(uname(&u), 0);
	assert_int_equal(kmin_icecc_version_value(buf, sizeof(buf), "/c/arm.tar.gz",
						  "arm-linux-gnueabi-"), 0);
	snprintf(want, sizeof(want), "%s:/c/arm.tar.gz=arm-linux-gnueabi", u.machine);
	assert_string_equal(buf, want);
	assert_int_equal(kmin_icecc_version_value(buf, sizeof(buf), "/c/n.tar.gz", ""), 0);
	snprintf(want, sizeof(want), "%s:/c/n.tar.gz", u.machine);
	assert_string_equal(buf, want);
	assert_int_equal(kmin_icecc_version_value(buf, 8, "/c/arm.tar.gz", "arm-"), -1);
}

static void test_socket(void **state)
{
	char buf[256];
	bool alive = true;

	(void)state;
	/* ICECC_TEST_SOCKET is the only place icecc looks when it is set */
	setenv("ICECC_TEST_SOCKET", "/nonexistent/kmin-test.sock", 1);
	assert_int_equal(kmin_icecc_socket(buf, sizeof(buf), &alive), 0);
	assert_false(alive);
	assert_string_equal(buf, "");
	unsetenv("ICECC_TEST_SOCKET");
}

/* ---- a stand-in scheduler ---- */

struct fake {
	int listen_fd;
	const char *answer;	/* to listcs */
};

static void *fake_scheduler(void *arg)
{
	struct fake *f = arg;
	char buf[256];
	int fd = accept(f->listen_fd, NULL, NULL);
	ssize_t n;

	if (fd < 0)
		return NULL;
	dprintf(fd, "200-ICECC 1.4.0: 33s uptime, 3 hosts, 0 jobs in queue (6 total).\r\n"
		    "200 Use 'help' for help and 'quit' to quit.\r\n");
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		if (strstr(buf, "listcs"))
			dprintf(fd, "%s", f->answer);
		if (strstr(buf, "quit"))
			break;
	}
	close(fd);
	return NULL;
}

static void test_query(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	struct kmin_icecc_cluster *c = NULL;
	struct fake f = { .answer = listcs };
	pthread_t t;
	char spec[64], err[256] = "";

	(void)state;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(f.listen_fd >= 0);
	assert_int_equal(bind(f.listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f.listen_fd, 1), 0);
	assert_int_equal(getsockname(f.listen_fd, (struct sockaddr *)&sa, &sl), 0);
	/* the text interface is the scheduler's port + 1 */
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", ntohs(sa.sin_port) - 1);
	assert_int_equal(pthread_create(&t, NULL, fake_scheduler, &f), 0);
	if (kmin_icecc_scheduler_query(&c, spec, 5, err, sizeof(err)))
		fail_msg("query: %s", err);
	pthread_join(t, NULL);
	close(f.listen_fd);
	assert_string_equal(c->scheduler, spec);
	assert_string_equal(c->banner, "ICECC 1.4.0: 33s uptime, 3 hosts, 0 jobs in queue (6 total).");
	assert_int_equal(c->nhosts, 3);
	assert_int_equal(kmin_icecc_slots(c), 18);
	kmin_icecc_cluster_free(c);

	/* nobody there: an error naming the address, no cluster */
	c = (struct kmin_icecc_cluster *)1;
	assert_int_equal(kmin_icecc_scheduler_query(&c, spec, 2, err, sizeof(err)), -1);
	assert_null(c);
	assert_non_null(strstr(err, spec));
	assert_int_equal(kmin_icecc_scheduler_query(&c, "host:notaport", 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad icecream scheduler"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listcs),
		cmocka_unit_test(test_version_value),
		cmocka_unit_test(test_socket),
		cmocka_unit_test(test_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
