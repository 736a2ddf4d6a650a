/*
 * commands.h - the subcommands of the kmin program.
 *
 * Each subcommand lives in src/cmd_<name>.c and is reached through the
 * table in main.c.  A command gets argv with argv[0] = its own name,
 * parses its options with getopt_long, prints through output.h and returns
 * the process exit status:
 *   0  success
 *   1  the command ran but the answer is negative (a build failed, ...)
 *   2  usage error or bad input (message names the file and line)
 *   3  a tracked size grew (nightly)
 * Commands never call exit() themselves; main() returns what they return.
 */
#ifndef KMIN_COMMANDS_H
#define KMIN_COMMANDS_H

enum {
	KMIN_EXIT_OK = 0,
	KMIN_EXIT_FAIL = 1,
	KMIN_EXIT_USAGE = 2,
	KMIN_EXIT_GREW = 3,
};

int kmin_cmd_config(int argc, char **argv);
int kmin_cmd_build(int argc, char **argv);
int kmin_cmd_solve(int argc, char **argv);
int kmin_cmd_features(int argc, char **argv);
int kmin_cmd_explain(int argc, char **argv);
int kmin_cmd_builds(int argc, char **argv);
int kmin_cmd_run(int argc, char **argv);
int kmin_cmd_runs(int argc, char **argv);
int kmin_cmd_fit(int argc, char **argv);
int kmin_cmd_show(int argc, char **argv);
int kmin_cmd_best(int argc, char **argv);
int kmin_cmd_diff(int argc, char **argv);
int kmin_cmd_export(int argc, char **argv);
int kmin_cmd_nightly(int argc, char **argv);
int kmin_cmd_history(int argc, char **argv);
int kmin_cmd_report(int argc, char **argv);
int kmin_cmd_doctor(int argc, char **argv);

#endif
