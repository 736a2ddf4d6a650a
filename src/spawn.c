/*
 * spawn.c - run one external program in its own process group, with a
 * timeout, a cancel flag and (through a trampoline) death with kmin.
 *
 * See include/kmin/spawn.h for the contract.  How it works:
 *
 *   kmin thread ──posix_spawn──▶ trampoline (group leader, pgid = its pid)
 *                                   │ prctl(PR_SET_PDEATHSIG, SIGHUP)
 *                                   └─posix_spawn──▶ make ─▶ gcc, as, ld ...
 *
 * Everything below the trampoline stays in its process group (make and
 * the compilers never create groups of their own), so kill(-pgid, sig)
 * reaches all of it.  When kmin dies, the kernel sends SIGHUP to the
 * trampoline, whose handler sends SIGKILL to its own group.
 *
 * The waiting thread sleeps in poll() on a pidfd (Linux >= 5.3) for at
 * most 100 ms at a time, to notice the timeout and the cancel flag; where
 * pidfd_open is missing it polls waitpid(WNOHANG) every 100 ms instead.
 * Only the thread that spawned a child waits for it (waitpid(pid), never
 * waitpid(-1)), so several workers can spawn at once.
 *
 * Called by worker.c; the trampoline's main is called by the program that
 * owns the hidden subcommand.  No global state except in the trampoline
 * process (which is a program of its own).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kmin/error.h"
#include "kmin/spawn.h"

extern char **environ;

#define POLL_SLICE_MS 100	/* how often the timeout and cancel flag are checked */
#define REAP_LIMIT_S 10.0	/* how long to wait for a killed group to vanish */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Value of NAME in a "NAME=VALUE" array, or NULL. */
static const char *envp_get(const char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* 0 if prog can be executed through PATH (as posix_spawnp would find it). */
static int find_program(const char *prog, const char *path)
{
	char buf[PATH_MAX];

	if (strchr(prog, '/'))
		return access(prog, X_OK);
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *colon = strchrnul(path, ':');
		int n = snprintf(buf, sizeof(buf), "%.*s/%s", (int)(colon - path), path, prog);

		if (n > 0 && (size_t)n < sizeof(buf) && !access(buf, X_OK))
			return 0;
		path = *colon ? colon + 1 : colon;
	}
	return -1;
}

/*
 * The argv actually spawned: the trampoline prefix, "--ppid PID --", then
 * the program's argv.  *out is malloc'ed (the strings are borrowed, except
 * the pid, written into pidbuf).
 */
static int build_argv(const struct kmin_spawn_options *o, char *pidbuf, size_t pidlen,
		      char ***out)
{
	size_t np = 0, na = 0, k = 0;
	char **v;

	while (o->trampoline && o->trampoline[np])
		np++;
	while (o->argv[na])
		na++;
	v = calloc(np + na + 4, sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < np; i++)
		v[k++] = (char *)o->trampoline[i];
	if (np) {
		snprintf(pidbuf, pidlen, "%ld", (long)getpid());
		v[k++] = "--ppid";
		v[k++] = pidbuf;
		v[k++] = "--";
	}
	for (size_t i = 0; i < na; i++)
		v[k++] = (char *)o->argv[i];
	v[k] = NULL;
	*out = v;
	return 0;
}

/* Signals reset to their default action in every child. */
static void default_signals(sigset_t *set)
{
	sigfillset(set);
	sigdelset(set, SIGKILL);
	sigdelset(set, SIGSTOP);
}

static int setup_files(posix_spawn_file_actions_t *fa, const struct kmin_spawn_options *o,
		       int logfd)
{
	int rc = posix_spawn_file_actions_addopen(fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

	if (!rc && logfd >= 0) {
		rc = posix_spawn_file_actions_adddup2(fa, logfd, STDOUT_FILENO);
		if (!rc)
			rc = posix_spawn_file_actions_adddup2(fa, logfd, STDERR_FILENO);
	} else if (!rc) {
		rc = posix_spawn_file_actions_addopen(fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
		if (!rc)
			rc = posix_spawn_file_actions_adddup2(fa, STDOUT_FILENO, STDERR_FILENO);
	}
	if (!rc && o->cwd)
		rc = posix_spawn_file_actions_addchdir_np(fa, o->cwd);
	return rc;
}

static int setup_attr(posix_spawnattr_t *attr, int new_group)
{
	sigset_t none, dfl;
	short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	int rc;

	sigemptyset(&none);
	default_signals(&dfl);
	if (new_group)
		flags |= POSIX_SPAWN_SETPGROUP;
	rc = posix_spawnattr_setflags(attr, flags);
	if (!rc)
		rc = posix_spawnattr_setsigmask(attr, &none);
	if (!rc)
		rc = posix_spawnattr_setsigdefault(attr, &dfl);
	if (!rc && new_group)
		rc = posix_spawnattr_setpgroup(attr, 0);
	return rc;
}

/* waitpid(pid, WNOHANG) without EINTR: 1 reaped (*status set), 0 running, -1 error. */
static int try_reap(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, WNOHANG);
	while (r < 0 && errno == EINTR);
	return r == pid ? 1 : r == 0 ? 0 : -1;
}

/* Sleep until pid may have changed state or ms passed. */
static void wait_slice(int pidfd, int ms)
{
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		poll(&p, 1, ms);
	} else {
		sleep_ms(ms < 10 ? ms : 10);
	}
}

static int group_alive(pid_t pgid)
{
	return kill(-pgid, 0) == 0 || errno == EPERM;
}

/*
 * Kill the group of leader pid: SIGTERM, grace, SIGKILL; reap the leader
 * and wait (bounded) until no process of the group is left.
 */
static void kill_group(pid_t pid, int pidfd, double grace, int *reaped, int *status)
{
	double t0 = now();

	kill(-pid, SIGTERM);
	while (now() - t0 < grace) {
		if (!*reaped && try_reap(pid, status) != 0)
			*reaped = 1;
		if (*reaped && !group_alive(pid))
			return;
		wait_slice(*reaped ? -1 : pidfd, 20);
	}
	kill(-pid, SIGKILL);
	t0 = now();
	while (now() - t0 < REAP_LIMIT_S) {
		if (!*reaped && try_reap(pid, status) != 0)
			*reaped = 1;
		if (*reaped && !group_alive(pid))
			return;
		wait_slice(*reaped ? -1 : pidfd, 20);
	}
}

/* Wait for pid, honouring timeout and cancel; fills res. */
static void wait_child(const struct kmin_spawn_options *o, pid_t pid, double t0,
		       struct kmin_spawn_result *res)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int status = 0, reaped = 0;
	double grace = o->grace > 0 ? o->grace : 5.0;

	res->end = KMIN_SPAWN_EXITED;
	for (;;) {
		int r = try_reap(pid, &status);

		if (r != 0) {
			reaped = 1;
			break;
		}
		if (o->cancel && atomic_load(o->cancel)) {
			res->end = KMIN_SPAWN_CANCELLED;
			break;
		}
		double left = o->timeout > 0 ? o->timeout - (now() - t0) : POLL_SLICE_MS / 1000.0;
		if (left <= 0) {
			res->end = KMIN_SPAWN_TIMEOUT;
			break;
		}
		int ms = (int)(left * 1000) + 1;
		wait_slice(pidfd, ms < POLL_SLICE_MS ? ms : POLL_SLICE_MS);
	}
	if (res->end != KMIN_SPAWN_EXITED) {
		kill_group(pid, pidfd, grace, &reaped, &status);
		res->code = 0;
	} else {
		/* Leftovers of a finished program (daemons, stray compilers) die too. */
		kill(-pid, SIGKILL);
		if (WIFSIGNALED(status)) {
			res->end = KMIN_SPAWN_SIGNALED;
			res->code = WTERMSIG(status);
		} else {
			res->code = WEXITSTATUS(status);
		}
		/*
		 * A stop that reached the program too (systemd's SIGTERM to
		 * every process of the unit kills the compilers, make exits 2
		 * before the flag is seen): cancelled, not a failure of the
		 * program, which a caller would record as the result.
		 */
		if (o->cancel && atomic_load(o->cancel) &&
		    (res->end == KMIN_SPAWN_SIGNALED || res->code != 0)) {
			res->end = KMIN_SPAWN_CANCELLED;
			res->code = 0;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
}

int kmin_spawn_run(const struct kmin_spawn_options *o, struct kmin_spawn_result *res,
		   char *err, size_t errlen)
{
	const char *const *envp = o->envp ? o->envp : (const char *const *)environ;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char pidbuf[32], **argv = NULL;
	int logfd = -1, rc;
	pid_t pid;
	double t0;

	memset(res, 0, sizeof(*res));
	if (!o->argv || !o->argv[0])
		return kmin_errf(err, errlen, "no program to run");
	if (find_program(o->argv[0], envp_get(envp, "PATH")))
		return kmin_errf(err, errlen, "cannot run '%s': not found in PATH", o->argv[0]);
	if (o->log_path) {
		logfd = open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (logfd < 0)
			return kmin_errf(err, errlen, "cannot open '%s': %s", o->log_path, strerror(errno));
	}
	if (build_argv(o, pidbuf, sizeof(pidbuf), &argv)) {
		if (logfd >= 0)
			close(logfd);
		return kmin_errf(err, errlen, "out of memory");
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	rc = setup_files(&fa, o, logfd);
	if (!rc)
		rc = setup_attr(&attr, 1);
	t0 = now();
	if (!rc)
		rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, (char *const *)envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (logfd >= 0)
		close(logfd);
	if (rc) {
		kmin_errf(err, errlen, "cannot run '%s': %s", argv[0], strerror(rc));
		free(argv);
		return -1;
	}
	free(argv);
	res->pid = (int)pid;
	wait_child(o, pid, t0, res);
	res->seconds = now() - t0;
	return 0;
}

/* ---- the trampoline (a process of its own: globals are fine here) ---- */

static void trampoline_parent_died(int sig)
{
	(void)sig;
	kill(0, SIGKILL);	/* the whole group, this process included */
	_exit(137);
}

int kmin_spawn_exec_main(int argc, char **argv)
{
	posix_spawnattr_t attr;
	struct sigaction sa;
	long ppid = 0;
	int i = 1, status, rc;
	pid_t pid;

	if (i + 1 < argc && !strcmp(argv[i], "--ppid")) {
		ppid = strtol(argv[i + 1], NULL, 10);
		i += 2;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc)
		return 127;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = trampoline_parent_died;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGHUP);
	if (ppid && getppid() != (pid_t)ppid)	/* the parent died before prctl */
		trampoline_parent_died(SIGHUP);
	posix_spawnattr_init(&attr);
	rc = setup_attr(&attr, 0);
	if (!rc)
		rc = posix_spawnp(&pid, argv[i], NULL, &attr, argv + i, environ);
	posix_spawnattr_destroy(&attr);
	if (rc)
		return 127;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 127;
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}
