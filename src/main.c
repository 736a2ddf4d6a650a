/*
 * main.c - the kmin program: global options and the subcommand table.
 *
 * Like git.c, every subcommand is one row of a table and one file
 * (src/cmd_<name>.c).  `kmin --arch arm --require USB,SPI`, with options
 * but no subcommand, means `kmin run ...`.  main() returns what the
 * command returns; nothing else in kmin calls exit().
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "commands.h"
#include "output.h"
#include "kmin/spawn.h"

struct kmin_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct kmin_command commands[] = {
	{ "config", kmin_cmd_config, "run a *config target with kmin's Kconfig engine" },
	{ "explain", kmin_cmd_explain, "why a symbol has its value, and how to turn it on" },
	{ "features", kmin_cmd_features, "list the features --require accepts" },
	{ "solve", kmin_cmd_solve, "write a valid .config that keeps the requirements" },
	{ "build", kmin_cmd_build, "build configs in parallel workers and record their sizes" },
	{ "builds", kmin_cmd_builds, "list recorded builds" },
	{ "run", kmin_cmd_run, "search for the smallest config that keeps the requirements" },
	{ "runs", kmin_cmd_runs, "list recorded search runs" },
	{ "fit", kmin_cmd_fit, "does a built config fit a flash and RAM budget" },
	{ "show", kmin_cmd_show, "a search run's steps: what was tried, kept or refused, and why" },
	{ "best", kmin_cmd_best, "the smallest known config that keeps the requirements" },
	{ "diff", kmin_cmd_diff, "symbols and sizes that differ between two runs or configs" },
	{ "export", kmin_cmd_export, "every build with its config and kernel, for spreadsheets" },
	{ "nightly", kmin_cmd_nightly, "re-run tracked jobs on the current commit, report growth" },
	{ "history", kmin_cmd_history, "size per night of a tracked job" },
	{ "report", kmin_cmd_report, "write a search run as a self-contained HTML page" },
	{ "doctor", kmin_cmd_doctor, "check the tools, the tree, the database and the compile cluster" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"usage: kmin [--version] [--help] <command> [<options>]\n"
		"       kmin --arch ARCH --require LIST [<run options>]\n"
		"\n"
		"kmin finds the smallest Linux kernel configuration that keeps the\n"
		"features a board needs.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "   %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'kmin <command> --help' describes a command.\n");
}

/*
 * The engine walks dependency chains recursively, as conf does; a tree
 * with very deep chains, or a sanitizer build with its larger frames,
 * needs more than the default 8 MB.  The main thread's stack grows on
 * demand up to the soft limit, so raising it here is enough.
 */
static void raise_stack_limit(void)
{
	struct rlimit rl;
	const rlim_t want = 256UL << 20;

	if (getrlimit(RLIMIT_STACK, &rl) || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	setrlimit(RLIMIT_STACK, &rl);
}

int main(int argc, char **argv)
{
	/* the build trampoline (spawn.h): `kmin __exec --ppid PID -- PROGRAM ...` */
	if (argc > 1 && !strcmp(argv[1], KMIN_SPAWN_EXEC_COMMAND))
		return kmin_spawn_exec_main(argc - 1, argv + 1);
	raise_stack_limit();
	if (argc < 2) {
		usage(stderr);
		return KMIN_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return KMIN_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("kmin %s\n", KMIN_VERSION);
		return KMIN_EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	if (argv[1][0] == '-') {
		/* `kmin --arch arm --require USB`: options without a command mean run */
		argv[0] = "run";
		return kmin_cmd_run(argc, argv);
	}
	kmin_errorf("'%s' is not a kmin command; see 'kmin --help'", argv[1]);
	return KMIN_EXIT_USAGE;
}
