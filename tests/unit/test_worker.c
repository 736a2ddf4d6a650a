/*
 * test_worker.c - spawn.c (process groups, timeouts, cancel, the
 * trampoline and death with the parent) and worker.c (the pool) without a
 * kernel: a fake `make` shell script plays olddefconfig and the build,
 * copying a tiny ELF compiled here by the host gcc as vmlinux.
 *
 * This program is also its own trampoline: run as `test_worker __exec
 * ...` it calls kmin_spawn_exec_main(), as kmin does.  Each test takes
 * well under a second except the kill tests (about one second each).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kmin/measure.h"
#include "kmin/spawn.h"
#include "kmin/worker.h"
#include "testutil.h"

static char tmpdir[64];
static char self[PATH_MAX];
static const char *trampoline[3];

/*
 * The fake make: understands O=, olddefconfig (adds CONFIG_ADDED=y) and
 * vmlinux zImage (CONFIG_FAIL: a compiler error; CONFIG_SLOW: sleeps in a
 * child; CONFIG_IMAGE_BYTES=N: the zImage's length).  It records its
 * environment and pid in O= for the tests.
 */
static const char fake_make[] =
	"#!/bin/sh\n"
	"O=; T=\n"
	"for a in \"$@\"; do case \"$a\" in O=*) O=${a#O=};; -*|*=*) ;; *) T=\"$T $a\";; esac; done\n"
	"echo \"$$\" > \"$O/make.pid\"\n"
	"printf '%s|%s|%s|%s|%s\\n' \"$KBUILD_BUILD_TIMESTAMP\" \"$LC_ALL\" \"$ARCH\" \"$MAKEFLAGS\" \"$KCONFIG_ALLCONFIG\" > \"$O/make.env\"\n"
	"case \"$T\" in\n"
	"*olddefconfig*)\n"
	"  grep -q CONFIG_BADCONF=y \"$O/.config\" && { echo 'Kconfig:1: syntax error' >&2; exit 2; }\n"
	"  grep -q '^CONFIG_ADDED=y' \"$O/.config\" || echo CONFIG_ADDED=y >> \"$O/.config\"\n"
	"  echo '# configuration written to .config'; exit 0;;\n"
	"esac\n"
	"echo '  CC      init/main.o'\n"
	"if grep -q CONFIG_FAIL=y \"$O/.config\"; then\n"
	"  echo 'init/main.c:1:2: error: boom' >&2\n"
	"  echo 'make[1]: *** [init/main.o] Error 1' >&2; exit 2\n"
	"fi\n"
	"if grep -q CONFIG_NOSPACE=y \"$O/.config\"; then\n"
	"  echo 'ld: final link failed: No space left on device' >&2; exit 2\n"
	"fi\n"
	"if grep -q CONFIG_OOM=y \"$O/.config\"; then\n"
	"  echo 'gcc: fatal error: Killed signal terminated program cc1' >&2\n"
	"  echo 'make[1]: *** [init/main.o] Error 1' >&2; exit 2\n"
	"fi\n"
	"if grep -q CONFIG_CLUSTER=y \"$O/.config\"; then\n"
	"  echo \"$* $CCACHE_PREFIX\" >> \"$O/make.args\"\n"
	"  case \" $* \" in *' KMIN_LOCAL=1 '*) ;; *)\n"
	"    echo 'distcc[1] ERROR: compile init/main.c on dead/4 failed' >&2; exit 2;; esac\n"
	"fi\n"
	"if grep -q CONFIG_SLOW=y \"$O/.config\"; then sleep 30 & echo $! > \"$O/sleep.pid\"; wait; fi\n"
	"cp \"$KMIN_TEST_ELF\" \"$O/vmlinux\"\n"
	"n=$(sed -n 's/^CONFIG_IMAGE_BYTES=//p' \"$O/.config\"); mkdir -p \"$O/arch/arm/boot\"\n"
	"head -c \"${n:-1000}\" /dev/zero > \"$O/arch/arm/boot/zImage\"\n"
	"echo '  LD      vmlinux'\n";

static char make_path[PATH_MAX], elf_path[PATH_MAX], elf_env[PATH_MAX + 32];

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static char *slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static long read_pid(const char *path)
{
	char *s = slurp(path);

	return s ? strtol(s, NULL, 10) : -1;
}

/* Dead or a zombie (a zombie no longer runs; init reaps it). */
static int process_gone(long pid)
{
	char path[64], *s;

	if (kill((pid_t)pid, 0) && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	s = slurp(path);
	if (!s)
		return 1;
	s = strrchr(s, ')');
	return s && s[1] == ' ' && s[2] == 'Z';
}

static int wait_gone(long pid, double seconds)
{
	for (int i = 0; i < (int)(seconds * 100); i++) {
		if (process_gone(pid))
			return 1;
		usleep(10000);
	}
	return process_gone(pid);
}

static int setup(void **state)
{
	(void)state;
	tu_tempdir(tmpdir, sizeof(tmpdir), "worker");
	tu_write_str(tmpdir, "fake-make", fake_make);
	snprintf(make_path, sizeof(make_path), "%s/fake-make", tmpdir);
	chmod(make_path, 0755);
	snprintf(elf_path, sizeof(elf_path), "%s/tiny.elf", tmpdir);
	if (run("printf 'int d = 1; int b[10]; const int r = 2;\\nint main(void) { return d + r + b[0]; }\\n'"
		" > %s/tiny.c && gcc -O1 %s/tiny.c -o %s", tmpdir, tmpdir, elf_path))
		return -1;
	snprintf(elf_env, sizeof(elf_env), "KMIN_TEST_ELF=%s", elf_path);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_remove_tree(tmpdir);
	return 0;
}

/* ---- spawn ---- */

static void spawn_sh(const char *script, double timeout, int tramp, struct kmin_spawn_result *r)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	struct kmin_spawn_options o = { 0 };
	char log[PATH_MAX], err[256];

	snprintf(log, sizeof(log), "%s/spawn.log", tmpdir);
	o.argv = argv;
	o.log_path = log;
	o.timeout = timeout;
	o.grace = 0.3;
	o.trampoline = tramp ? trampoline : NULL;
	assert_int_equal(kmin_spawn_run(&o, r, err, sizeof(err)), 0);
}

static void test_spawn_exit_and_log(void **state)
{
	struct kmin_spawn_result r;
	char log[PATH_MAX];

	(void)state;
	snprintf(log, sizeof(log), "%s/spawn.log", tmpdir);
	unlink(log);
	spawn_sh("echo out; echo err >&2; exit 3", 0, 0, &r);
	assert_int_equal(r.end, KMIN_SPAWN_EXITED);
	assert_int_equal(r.code, 3);
	assert_string_equal(slurp(log), "out\nerr\n");
	spawn_sh("kill -SEGV $$", 0, 0, &r);
	assert_int_equal(r.end, KMIN_SPAWN_SIGNALED);
	assert_int_equal(r.code, SIGSEGV);
	/* its own process group */
	spawn_sh("test \"$(ps -o pgid= -p $$ | tr -d ' ')\" = $$", 0, 0, &r);
	assert_int_equal(r.code, 0);
}

static void test_spawn_trampoline_passes_status(void **state)
{
	struct kmin_spawn_result r;

	(void)state;
	spawn_sh("exit 7", 0, 1, &r);
	assert_int_equal(r.end, KMIN_SPAWN_EXITED);
	assert_int_equal(r.code, 7);
	spawn_sh("kill -TERM $$", 0, 1, &r);
	assert_int_equal(r.end, KMIN_SPAWN_SIGNALED);
	assert_int_equal(r.code, SIGTERM);
}

static void test_spawn_missing_program(void **state)
{
	const char *argv[] = { "kmin-no-such-program", NULL };
	struct kmin_spawn_options o = { 0 };
	struct kmin_spawn_result r;
	char err[256];

	(void)state;
	o.argv = argv;
	assert_int_equal(kmin_spawn_run(&o, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot run 'kmin-no-such-program': not found in PATH");
}

static void test_spawn_timeout_kills_group(void **state)
{
	struct kmin_spawn_result r;
	char pidfile[1024], script[4096];

	(void)state;
	for (int tramp = 0; tramp < 2; tramp++) {
		snprintf(pidfile, sizeof(pidfile), "%s/bg.pid", tmpdir);
		unlink(pidfile);
		/* a grandchild that ignores SIGTERM: needs the SIGKILL */
		snprintf(script, sizeof(script),
			 "trap '' TERM; sleep 30 & echo $! > %s; wait", pidfile);
		spawn_sh(script, 0.3, tramp, &r);
		assert_int_equal(r.end, KMIN_SPAWN_TIMEOUT);
		assert_true(r.seconds < 5);
		assert_true(r.seconds >= 0.3);
		long bg = read_pid(pidfile);
		assert_true(bg > 0);
		assert_true(wait_gone(bg, 2));
		errno = 0;
		assert_int_equal(kill(-r.pid, 0), -1);
		assert_int_equal(errno, ESRCH);
	}
}

struct canceller {
	atomic_int *flag;
};

static void *cancel_later(void *arg)
{
	struct canceller *c = arg;

	usleep(200000);
	atomic_store(c->flag, 1);
	return NULL;
}

static void test_spawn_cancel(void **state)
{
	const char *argv[] = { "sleep", "30", NULL };
	struct kmin_spawn_options o = { 0 };
	struct kmin_spawn_result r;
	atomic_int flag = 0;
	struct canceller c = { &flag };
	pthread_t t;
	char err[256];

	(void)state;
	o.argv = argv;
	o.cancel = &flag;
	pthread_create(&t, NULL, cancel_later, &c);
	assert_int_equal(kmin_spawn_run(&o, &r, err, sizeof(err)), 0);
	pthread_join(t, NULL);
	assert_int_equal(r.end, KMIN_SPAWN_CANCELLED);
	assert_true(r.seconds < 3);
	assert_true(process_gone(r.pid));
}

/* The stop reaches the program too: it sets the flag, then kills the program. */
struct stopper {
	atomic_int *flag;
	const char *pidfile;
};

static void *stop_all(void *arg)
{
	struct stopper *st = arg;
	long pid = -1;

	for (int i = 0; i < 300 && pid <= 0; i++) {
		usleep(10000);
		pid = read_pid(st->pidfile);
	}
	atomic_store(st->flag, 1);
	if (pid > 0)
		kill((pid_t)pid, SIGTERM);
	return NULL;
}

/*
 * systemd stops a unit with SIGTERM to every process: the program dies of
 * it before the poll sees the flag.  That is a cancel, not a program that
 * failed (which a build worker would record as the config's result).
 */
static void test_spawn_cancel_kills_program(void **state)
{
	char pidfile[1024], script[4096];
	const char *argv[] = { "sh", "-c", script, NULL };
	struct kmin_spawn_options o = { 0 };
	struct kmin_spawn_result r;
	atomic_int flag = 0;
	struct stopper st = { &flag, pidfile };
	pthread_t t;
	char err[256];

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/stopped.pid", tmpdir);
	unlink(pidfile);
	snprintf(script, sizeof(script), "echo $$ > %s.tmp; mv %s.tmp %s; exec sleep 30", pidfile,
		 pidfile, pidfile);
	o.argv = argv;
	o.cancel = &flag;
	pthread_create(&t, NULL, stop_all, &st);
	assert_int_equal(kmin_spawn_run(&o, &r, err, sizeof(err)), 0);
	pthread_join(t, NULL);
	assert_int_equal(r.end, KMIN_SPAWN_CANCELLED);
	assert_true(r.seconds < 5);
}

/* kill -9 of the spawning process takes the whole group with it. */
static void test_spawn_dies_with_parent(void **state)
{
	char pidfile[1024], script[4096];
	pid_t parent;
	long sh, bg;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/death.pid", tmpdir);
	unlink(pidfile);
	snprintf(script, sizeof(script), "sleep 30 & echo $$ $! > %s.tmp; mv %s.tmp %s; wait",
		 pidfile, pidfile, pidfile);
	parent = fork();
	assert_true(parent >= 0);
	if (parent == 0) {
		struct kmin_spawn_result r;
		const char *argv[] = { "sh", "-c", script, NULL };
		struct kmin_spawn_options o = { 0 };
		char err[256];

		o.argv = argv;
		o.trampoline = trampoline;
		kmin_spawn_run(&o, &r, err, sizeof(err));
		_exit(0);
	}
	for (int i = 0; i < 500 && access(pidfile, F_OK); i++)
		usleep(10000);
	char *s = slurp(pidfile);
	assert_non_null(s);
	assert_int_equal(sscanf(s, "%ld %ld", &sh, &bg), 2);
	kill(parent, SIGKILL);
	waitpid(parent, NULL, 0);
	assert_true(wait_gone(sh, 3));
	assert_true(wait_gone(bg, 3));
}

/* ---- the pool ---- */

static void pool_options(struct kmin_pool_options *o, const char *root, unsigned int workers)
{
	static const char *extra[2];

	extra[0] = elf_env;
	extra[1] = NULL;
	memset(o, 0, sizeof(*o));
	o->srctree = tmpdir;
	o->arch = "arm";
	o->cross_compile = "arm-linux-gnueabi-";
	o->image = "zImage";
	o->image_path = "arch/arm/boot/zImage";
	o->build_root = root;
	o->workers = workers;
	o->jobs = 1;
	o->make = make_path;
	o->trampoline = trampoline;
	o->extra_env = extra;
}

static void submit(struct kmin_pool *p, const char *config, const char *expected,
		   const char *artifacts, intptr_t id)
{
	struct kmin_job j = { config, strlen(config), expected, artifacts, (void *)id };
	char err[256];

	assert_int_equal(kmin_pool_submit(p, &j, err, sizeof(err)), 0);
}

/* Collect n results, indexed by their job id. */
static void collect(struct kmin_pool *p, struct kmin_job_result **out, int n)
{
	struct kmin_job_result *r;

	for (int i = 0; i < n; i++) {
		assert_int_equal(kmin_pool_next(p, &r), 1);
		intptr_t id = (intptr_t)r->user;
		assert_true(id >= 0 && id < n);
		out[id] = r;
	}
	assert_int_equal(kmin_pool_next(p, &r), 0);
}

static void test_pool_builds_and_measures(void **state)
{
	struct kmin_pool_options o;
	struct kmin_pool *p;
	struct kmin_job_result *r[3];
	struct kmin_sizes want;
	char root[1024], err[256];

	(void)state;
	snprintf(root, sizeof(root), "%s/build-ok", tmpdir);
	pool_options(&o, root, 2);
	setenv("MAKEFLAGS", "-j99", 1);
	setenv("KCONFIG_ALLCONFIG", "/nonexistent", 1);
	assert_int_equal(kmin_pool_new(&p, &o, err, sizeof(err)), 0);
	unsetenv("MAKEFLAGS");
	unsetenv("KCONFIG_ALLCONFIG");
	assert_string_equal(kmin_pool_dir(p, 0) + strlen(root), "/w0");
	assert_string_equal(kmin_pool_dir(p, 1) + strlen(root), "/w1");
	submit(p, "CONFIG_A=y\nCONFIG_IMAGE_BYTES=1234\n", NULL, NULL, 0);
	submit(p, "CONFIG_B=y\nCONFIG_IMAGE_BYTES=99\n", NULL, NULL, 1);
	submit(p, "CONFIG_C=y\n", NULL, NULL, 2);
	collect(p, r, 3);
	assert_int_equal(kmin_measure_elf(elf_path, &want, err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(r[i]->status, KMIN_JOB_OK);
		assert_int_equal(r[i]->stage, KMIN_STAGE_DONE);
		assert_null(r[i]->message);
		assert_int_equal(r[i]->sizes.text, want.text);
		assert_int_equal(r[i]->sizes.data, want.data);
		assert_int_equal(r[i]->sizes.bss, want.bss);
		assert_int_equal(r[i]->sizes.nsections, want.nsections);
		assert_true(r[i]->worker <= 1);
		assert_non_null(strstr(r[i]->config, "CONFIG_ADDED=y"));
		assert_false(r[i]->checked);
		assert_true(r[i]->seconds >= r[i]->build_seconds);
	}
	assert_int_equal(r[0]->image_bytes, 1234);
	assert_int_equal(r[1]->image_bytes, 99);
	assert_int_equal(r[2]->image_bytes, 1000);
	/* make's environment: pinned, MAKEFLAGS and KCONFIG_* dropped */
	char envfile[PATH_MAX];
	snprintf(envfile, sizeof(envfile), "%s/make.env", kmin_pool_dir(p, r[0]->worker));
	assert_string_equal(slurp(envfile), "Thu Jan  1 00:00:00 UTC 1970|C|arm||\n");
	for (int i = 0; i < 3; i++)
		kmin_job_result_free(r[i]);
	kmin_sizes_release(&want);
	kmin_pool_free(p);
}

static void test_pool_failure_and_divergence(void **state)
{
	struct kmin_pool_options o;
	struct kmin_pool *p;
	struct kmin_job_result *r[5];
	char root[1024], err[256];

	(void)state;
	snprintf(root, sizeof(root), "%s/build-fail", tmpdir);
	pool_options(&o, root, 1);
	assert_int_equal(kmin_pool_new(&p, &o, err, sizeof(err)), 0);
	submit(p, "CONFIG_FAIL=y\n", NULL, NULL, 0);
	submit(p, "CONFIG_A=y\n", "CONFIG_A=y\n# CONFIG_ADDED is not set\nCONFIG_GONE=m\n", NULL, 1);
	submit(p, "CONFIG_BADCONF=y\n", NULL, NULL, 2);
	submit(p, "CONFIG_NOSPACE=y\n", NULL, NULL, 3);
	submit(p, "CONFIG_OOM=y\n", NULL, NULL, 4);
	collect(p, r, 5);

	assert_int_equal(r[0]->status, KMIN_JOB_FAILED);
	assert_int_equal(r[0]->stage, KMIN_STAGE_BUILD);
	assert_string_equal(r[0]->message, "init/main.c:1:2: error: boom");
	assert_non_null(strstr(r[0]->log_tail, "Error 1"));

	assert_int_equal(r[1]->status, KMIN_JOB_OK);
	assert_true(r[1]->checked);
	assert_int_equal(r[1]->ndivergences, 2);
	assert_string_equal(r[1]->divergences[0].symbol, "ADDED");
	assert_string_equal(r[1]->divergences[0].engine, "n");
	assert_string_equal(r[1]->divergences[0].make, "y");
	assert_string_equal(r[1]->divergences[1].symbol, "GONE");
	assert_string_equal(r[1]->divergences[1].engine, "m");
	assert_string_equal(r[1]->divergences[1].make, "n");

	assert_int_equal(r[2]->status, KMIN_JOB_FAILED);
	assert_int_equal(r[2]->stage, KMIN_STAGE_OLDDEFCONFIG);
	assert_string_equal(r[2]->message, "make olddefconfig exited with status 2");
	assert_non_null(strstr(r[2]->log_tail, "Kconfig:1: syntax error"));
	/* a full disk is not the config's fault */
	assert_int_equal(r[3]->status, KMIN_JOB_NOSPACE);
	assert_string_equal(r[3]->message, "ld: final link failed: No space left on device");
	/* nor a compiler killed for memory: an error, never recorded as the config's */
	assert_int_equal(r[4]->status, KMIN_JOB_ERROR);
	assert_non_null(strstr(r[4]->message, "Killed signal terminated program cc1"));
	assert_non_null(strstr(r[4]->message, "fewer --jobs"));
	for (int i = 0; i < 5; i++)
		kmin_job_result_free(r[i]);
	kmin_pool_free(p);
}

/*
 * A compile wrapper (distcc): CC carries it; a build that fails through it
 * runs once more with the local-retry variable on make's command line, so
 * a cluster fault is not a failed config, while a real failure still is.
 */
static void test_pool_cluster_retry(void **state)
{
	struct kmin_pool_options o;
	struct kmin_pool *p;
	struct kmin_job_result *r[2];
	char root[1024], err[256], path[PATH_MAX], *args;

	(void)state;
	snprintf(root, sizeof(root), "%s/build-cluster", tmpdir);
	pool_options(&o, root, 1);
	o.cc_wrapper = "wrap";
	o.local_retry = "KMIN_LOCAL=1";
	assert_int_equal(kmin_pool_new(&p, &o, err, sizeof(err)), 0);
	submit(p, "CONFIG_CLUSTER=y\n", NULL, NULL, 0);
	submit(p, "CONFIG_CLUSTER=y\nCONFIG_FAIL=y\n", NULL, NULL, 1);
	collect(p, r, 2);
	assert_int_equal(r[0]->status, KMIN_JOB_OK);
	assert_null(r[0]->message);
	snprintf(path, sizeof(path), "%s/make.args", kmin_pool_dir(p, 0));
	args = slurp(path);
	assert_non_null(args);
	/* first through the wrapper, then the same CC with the wrapper told to stay local */
	assert_non_null(strstr(args, "CC=wrap arm-linux-gnueabi-gcc -j1 vmlinux zImage \n"));
	assert_non_null(strstr(args, "CC=wrap arm-linux-gnueabi-gcc KMIN_LOCAL=1 -j1 vmlinux zImage"));
	assert_int_equal(r[1]->status, KMIN_JOB_FAILED);
	assert_string_equal(r[1]->message, "init/main.c:1:2: error: boom");
	for (int i = 0; i < 2; i++)
		kmin_job_result_free(r[i]);
	kmin_pool_free(p);

	/* with ccache: ccache keeps CC, the wrapper becomes CCACHE_PREFIX */
	snprintf(root, sizeof(root), "%s/build-cluster-ccache", tmpdir);
	pool_options(&o, root, 1);
	o.ccache = true;
	o.cc_wrapper = "wrap";
	o.local_retry = "KMIN_LOCAL=1";
	assert_int_equal(kmin_pool_new(&p, &o, err, sizeof(err)), 0);
	submit(p, "CONFIG_CLUSTER=y\n", NULL, NULL, 0);
	collect(p, r, 1);
	assert_int_equal(r[0]->status, KMIN_JOB_OK);
	snprintf(path, sizeof(path), "%s/make.args", kmin_pool_dir(p, 0));
	args = slurp(path);
	assert_non_null(strstr(args, "CC=ccache arm-linux-gnueabi-gcc -j1 vmlinux zImage wrap\n"));
	kmin_job_result_free(r[0]);
	kmin_pool_free(p);
}

static void test_pool_timeout_leaves_nothing(void **state)
{
	struct kmin_pool_options o;
	struct kmin_pool *p;
	struct kmin_job_result *r[2];
	char root[1024], path[PATH_MAX], err[256];

	(void)state;
	snprintf(root, sizeof(root), "%s/build-timeout", tmpdir);
	pool_options(&o, root, 1);
	o.timeout = 1.0;
	assert_int_equal(kmin_pool_new(&p, &o, err, sizeof(err)), 0);
	submit(p, "CONFIG_SLOW=y\n", NULL, NULL, 0);
	submit(p, "CONFIG_A=y\n", NULL, NULL, 1);
	collect(p, r, 2);
	assert_int_equal(r[0]->status, KMIN_JOB_TIMEOUT);
	assert_int_equal(r[0]->stage, KMIN_STAGE_BUILD);
	assert_true(r[0]->seconds < 8);
	snprintf(path, sizeof(path), "%s/w0/sleep.pid", root);
	assert_true(wait_gone(read_pid(path), 2));
	/* the killed build left the marker; the next job cleaned up and built */
	assert_int_equal(r[1]->status, KMIN_JOB_OK);
	snprintf(path, sizeof(path), "%s/w0/.kmin-building", root);
	assert_int_equal(access(path, F_OK), -1);
	kmin_job_result_free(r[0]);
	kmin_job_result_free(r[1]);
	kmin_pool_free(p);
}

static void test_pool_recovers_after_kill(void **state)
{
	struct kmin_pool_options o;
	struct kmin_pool *p;
	struct kmin_job_result *r;
	char root[1024], stale[PATH_MAX], old[PATH_MAX], marker[PATH_MAX], err[256];
	struct timespec t[2];

	(void)state;
	snprintf(root, sizeof(root), "%s/build-recover", tmpdir);
	snprintf(marker, sizeof(marker), "%s/w0/.kmin-building", root);
	snprintf(stale, sizeof(stale), "%s/w0/init/half.o", root);
	snprintf(old, sizeof(old), "%s/w0/init/old.o", root);
	assert_int_equal(run("mkdir -p %s/w0/init && touch %s %s %s", root, old, marker, stale), 0);
	/* old.o from a finished build (now - 100 s), the marker (now - 50 s), half.o (now) */
	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec -= 100;
	t[1] = t[0];
	assert_int_equal(utimensat(AT_FDCWD, old, t, 0), 0);
	t[0].tv_sec += 50;
	t[1] = t[0];
	assert_int_equal(utimensat(AT_FDCWD, marker, t, 0), 0);
	pool_options(&o, root, 1);
	assert_int_equal(kmin_pool_new(&p, &o, err, sizeof(err)), 0);
	submit(p, "CONFIG_A=y\n", NULL, NULL, 0);
	assert_int_equal(kmin_pool_next(p, &r), 1);
	assert_int_equal(r->status, KMIN_JOB_OK);
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(access(old, F_OK), 0);
	assert_int_equal(access(marker, F_OK), -1);
	kmin_job_result_free(r);
	kmin_pool_free(p);
}

static void test_pool_artifacts(void **state)
{
	struct kmin_pool_options o;
	struct kmin_pool *p;
	struct kmin_job_result *r;
	char root[1024], art[PATH_MAX], err[256];

	(void)state;
	snprintf(root, sizeof(root), "%s/build-art", tmpdir);
	snprintf(art, sizeof(art), "%s/artifacts/abc", tmpdir);
	pool_options(&o, root, 1);
	assert_int_equal(kmin_pool_new(&p, &o, err, sizeof(err)), 0);
	submit(p, "CONFIG_A=y\nCONFIG_IMAGE_BYTES=4321\n", NULL, art, 0);
	assert_int_equal(kmin_pool_next(p, &r), 1);
	assert_int_equal(r->status, KMIN_JOB_OK);
	assert_null(r->artifacts_error);
	assert_int_equal(run("cmp -s %s %s/vmlinux", elf_path, art), 0);
	assert_int_equal(run("test $(stat -c %%s %s/zImage) = 4321", art), 0);
	assert_int_equal(run("grep -q CONFIG_ADDED=y %s/.config", art), 0);
	assert_int_equal(run("grep -q 'LD      vmlinux' %s/build.log", art), 0);
	kmin_job_result_free(r);
	kmin_pool_free(p);
}

static void test_pool_dirs_are_locked(void **state)
{
	struct kmin_pool_options o;
	struct kmin_pool *a, *b;
	char root[1024], err[256];

	(void)state;
	snprintf(root, sizeof(root), "%s/build-lock", tmpdir);
	pool_options(&o, root, 1);
	assert_int_equal(kmin_pool_new(&a, &o, err, sizeof(err)), 0);
	assert_int_equal(kmin_pool_new(&b, &o, err, sizeof(err)), 0);
	assert_non_null(kmin_pool_dir(a, 0));
	assert_null(kmin_pool_dir(b, 0));
	assert_non_null(kmin_pool_dir(b, 1));
	kmin_pool_free(a);
	kmin_pool_free(b);
}

static void test_pool_cancel(void **state)
{
	struct kmin_pool_options o;
	struct kmin_pool *p;
	struct kmin_job_result *r[3];
	char root[1024], err[256];

	(void)state;
	snprintf(root, sizeof(root), "%s/build-cancel", tmpdir);
	pool_options(&o, root, 1);
	assert_int_equal(kmin_pool_new(&p, &o, err, sizeof(err)), 0);
	submit(p, "CONFIG_SLOW=y\n", NULL, NULL, 0);
	submit(p, "CONFIG_A=y\n", NULL, NULL, 1);
	submit(p, "CONFIG_B=y\n", NULL, NULL, 2);
	usleep(300000);
	kmin_pool_cancel(p);
	collect(p, r, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(r[i]->status, KMIN_JOB_CANCELLED);
		kmin_job_result_free(r[i]);
	}
	kmin_pool_free(p);
}

static void test_pool_missing_make(void **state)
{
	struct kmin_pool_options o;
	struct kmin_pool *p;
	struct kmin_job_result *r;
	char root[1024], err[256];

	(void)state;
	snprintf(root, sizeof(root), "%s/build-nomake", tmpdir);
	pool_options(&o, root, 1);
	o.make = "/nonexistent/make";
	assert_int_equal(kmin_pool_new(&p, &o, err, sizeof(err)), 0);
	submit(p, "CONFIG_A=y\n", NULL, NULL, 0);
	assert_int_equal(kmin_pool_next(p, &r), 1);
	assert_int_equal(r->status, KMIN_JOB_ERROR);
	assert_string_equal(r->message, "cannot run '/nonexistent/make': not found in PATH");
	kmin_job_result_free(r);
	kmin_pool_free(p);
}

static void test_pool_bad_options(void **state)
{
	struct kmin_pool_options o;
	struct kmin_pool *p;
	char err[256];

	(void)state;
	pool_options(&o, "relative/root", 1);
	assert_int_equal(kmin_pool_new(&p, &o, err, sizeof(err)), -1);
	assert_null(p);
	pool_options(&o, "/tmp", 0);
	assert_int_equal(kmin_pool_new(&p, &o, err, sizeof(err)), -1);
}

static void test_config_diff(void **state)
{
	struct kmin_divergence *d;
	size_t n;

	(void)state;
	/* comments, order, absent vs "is not set" do not matter */
	assert_int_equal(kmin_config_diff("# top\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_S=\"x\"\n",
					  "CONFIG_S=\"x\"\nCONFIG_A=y\n", &d, &n), 0);
	assert_int_equal(n, 0);
	assert_null(d);
	assert_int_equal(kmin_config_diff("CONFIG_A=y\nCONFIG_HZ=100\nCONFIG_S=\"x\"\n",
					  "CONFIG_A=m\nCONFIG_HZ=250\nCONFIG_S=\"x\"\nCONFIG_NEW=y\n",
					  &d, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(d[0].symbol, "A");
	assert_string_equal(d[0].engine, "y");
	assert_string_equal(d[0].make, "m");
	assert_string_equal(d[1].symbol, "HZ");
	assert_string_equal(d[1].make, "250");
	assert_string_equal(d[2].symbol, "NEW");
	assert_string_equal(d[2].engine, "n");
	kmin_divergences_free(d, n);
	/*
	 * a later line overrides (a boot config appends CONFIG_INITRAMFS_SOURCE
	 * to a config that has it): one entry per symbol, its last value, so the
	 * divergences table's key (build, symbol) holds
	 */
	assert_int_equal(kmin_config_diff("CONFIG_S=\"\"\nCONFIG_B=y\nCONFIG_S=\"/x.list\"\n"
					  "# CONFIG_B is not set\n",
					  "CONFIG_S=\"/x.list\"\nCONFIG_B=y\n", &d, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(d[0].symbol, "B");
	assert_string_equal(d[0].engine, "n");
	assert_string_equal(d[0].make, "y");
	kmin_divergences_free(d, n);
}

static void test_default_size(void **state)
{
	unsigned int w, j, cores;
	uint64_t mem;

	(void)state;
	kmin_pool_default_size(2, 24ULL << 30, &w, &j);
	assert_true(w == 1 && j == 2);
	kmin_pool_default_size(1, 24ULL << 30, &w, &j);
	assert_true(w == 1 && j == 1);
	kmin_pool_default_size(4, 24ULL << 30, &w, &j);
	assert_true(w == 2 && j == 2);
	kmin_pool_default_size(8, 1ULL << 30, &w, &j);	/* memory for 4 slots */
	assert_true(w == 2 && j == 2);
	kmin_pool_default_size(16, 0, &w, &j);		/* memory unknown */
	assert_true(w == 8 && j == 2);
	kmin_pool_default_size(3, 24ULL << 30, &w, &j);
	assert_true(w == 1 && j == 3);
	kmin_pool_default_size(4, 100ULL << 20, &w, &j);	/* too little memory: still one */
	assert_true(w == 1 && j == 1);
	kmin_pool_probe_machine(&cores, &mem);
	assert_true(cores >= 1);
	assert_true(mem > 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], KMIN_SPAWN_EXEC_COMMAND))
		return kmin_spawn_exec_main(argc - 1, argv + 1);
	if (!realpath(argv[0], self))
		return 1;
	trampoline[0] = self;
	trampoline[1] = KMIN_SPAWN_EXEC_COMMAND;
	trampoline[2] = NULL;

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spawn_exit_and_log),
		cmocka_unit_test(test_spawn_trampoline_passes_status),
		cmocka_unit_test(test_spawn_missing_program),
		cmocka_unit_test(test_spawn_timeout_kills_group),
		cmocka_unit_test(test_spawn_cancel),
		cmocka_unit_test(test_spawn_cancel_kills_program),
		cmocka_unit_test(test_spawn_dies_with_parent),
		cmocka_unit_test(test_pool_builds_and_measures),
		cmocka_unit_test(test_pool_failure_and_divergence),
		cmocka_unit_test(test_pool_cluster_retry),
		cmocka_unit_test(test_pool_timeout_leaves_nothing),
		cmocka_unit_test(test_pool_recovers_after_kill),
		cmocka_unit_test(test_pool_artifacts),
		cmocka_unit_test(test_pool_dirs_are_locked),
		cmocka_unit_test(test_pool_cancel),
		cmocka_unit_test(test_pool_missing_make),
		cmocka_unit_test(test_pool_bad_options),
		cmocka_unit_test(test_config_diff),
		cmocka_unit_test(test_default_size),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
