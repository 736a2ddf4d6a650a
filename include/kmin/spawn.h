/*
 * spawn.h - run one external program (make, a compiler probe) safely.
 *
 * kmin runs the kernel's own make thousands of times from several worker
 * threads.  Every run here:
 *  - starts the program with posix_spawn() and an argv (never a shell), with
 *    an explicit environment, stdin from /dev/null and stdout+stderr
 *    appended to a log file;
 *  - puts it in a process group of its own (POSIX_SPAWN_SETPGROUP), so a
 *    timeout or a cancel can kill make and every compiler below it with one
 *    kill(-pgid, ...): SIGTERM first, SIGKILL after a grace period, and the
 *    call returns only when the group is empty;
 *  - optionally goes through a trampoline (see kmin_spawn_exec_main()) so
 *    that the whole group also dies when kmin itself dies, even by kill -9.
 *
 * Why a trampoline: posix_spawn() cannot set PR_SET_PDEATHSIG in the child,
 * and PDEATHSIG would reach only the direct child anyway (make), not the
 * compilers make starts.  The trampoline is kmin itself, re-executed with a
 * hidden subcommand (argv prefix given by the caller, e.g. {"/proc/self/exe",
 * "__exec"}).  It becomes the group leader, asks the kernel for SIGHUP when
 * its parent dies, spawns the real program in its own group, and when that
 * signal comes kills its whole group with SIGKILL.  Note: Linux delivers
 * PDEATHSIG when the parent *thread* exits, so the thread that calls
 * kmin_spawn_run() must live until the call returns (it does: the call
 * blocks until the program ends).
 *
 * Callers: worker.c (make olddefconfig, make vmlinux zImage), tests.
 * Workload: a handful of runs per build, each seconds to minutes long; the
 * waiting costs one poll() per 100 ms.
 *
 * Errors: functions return 0 or -1 and write a message into the caller's
 * buffer `err` of size `errlen` (as in kernel.h).  A program that runs and
 * fails is not an error of kmin_spawn_run(): it returns 0 and says how the
 * program ended in the result.
 */
#ifndef KMIN_SPAWN_H
#define KMIN_SPAWN_H

#include <stdatomic.h>
#include <stddef.h>

enum kmin_spawn_end {
	KMIN_SPAWN_EXITED = 0,	/* exited; code = exit status */
	KMIN_SPAWN_SIGNALED,	/* killed by a signal kmin did not send; code = signal */
	KMIN_SPAWN_TIMEOUT,	/* ran past timeout: the group was killed */
	KMIN_SPAWN_CANCELLED,	/* *cancel became non-zero: the group was killed */
};

struct kmin_spawn_options {
	const char *const *argv;	/* program and arguments; argv[0] searched in PATH */
	const char *const *envp;	/* NULL-terminated "NAME=VALUE"; NULL: environ */
	const char *log_path;		/* stdout+stderr appended here; NULL: /dev/null */
	const char *cwd;		/* working directory; NULL: kmin's */
	double timeout;			/* seconds; <= 0: none */
	double grace;			/* seconds between SIGTERM and SIGKILL; <= 0: 5 */
	/*
	 * argv prefix of the trampoline, NULL-terminated, e.g.
	 * {"/proc/self/exe", "__exec", NULL}; NULL: spawn argv directly (no
	 * protection against kmin's death).
	 */
	const char *const *trampoline;
	const atomic_int *cancel;	/* non-NULL: kill the group when it turns non-zero */
};

struct kmin_spawn_result {
	enum kmin_spawn_end end;
	int code;			/* exit status or signal number */
	double seconds;			/* wall clock, spawn to reap */
	int pid;			/* the group leader's pid (= pgid), for tests */
};

/*
 * Run o->argv to its end (or its timeout or cancel) and fill *res.
 * Returns -1 only when the program could not be started or waited for
 * (no such program, cannot open the log...); the message says which.
 */
int kmin_spawn_run(const struct kmin_spawn_options *o, struct kmin_spawn_result *res,
		   char *err, size_t errlen);

/*
 * The trampoline's main: argv = {"__exec", "--ppid", PID, "--", PROGRAM,
 * ARGS..., NULL} as kmin_spawn_run() builds it.  The program that owns
 * the hidden subcommand (kmin's main, a test's main) calls this and
 * returns its value from main().  It exits like PROGRAM: the same exit
 * code, or the same signal.  Returns 127 when PROGRAM cannot be started.
 */
int kmin_spawn_exec_main(int argc, char **argv);

/* Name of the hidden subcommand: "__exec". */
#define KMIN_SPAWN_EXEC_COMMAND "__exec"

#endif
