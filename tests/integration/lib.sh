# tests/integration/lib.sh - the harness every tests/integration/*.sh shares
# (sourced).  Run directly (scripts/test runs every *.sh here), it tests
# itself and ends with "lib: N passed, N failed".
#
# A test script is
#
#     #!/bin/bash
#     # NAME.sh - what it checks ...
#     set -u
#     . "$(dirname "$0")/lib.sh"
#     it_init NAME "$@"
#     ...
#     check "what must hold" CMD ARGS...
#     ...
#     finish
#
# and prints "ok N - what" / "not ok N - what" lines, "# ..." comments,
# and last exactly "NAME: P passed, F failed"; it exits 0 when nothing
# failed, 1 when something did, 2 on a usage error.
#
# it_init [--unnumbered] NAME ARGS...
#     Parse the script's arguments: --kmin PATH (made absolute), --quick.
#     A script with options of its own sets it_usage (its part of the
#     usage line, "[--keep DIR]") and defines it_option before it_init:
#     it_option gets the remaining words and sets it_used to how many of
#     them are its own (0: not an option it knows).  Anything else:
#     "usage: $0 [--kmin PATH] [--quick] $it_usage" on stderr, exit 2,
#     before anything is created.  Then it makes the scratch directory and
#     the EXIT trap, and sets:
#       top     the checkout
#       kmin    the kmin binary (default: $top/build/src/kmin)
#       quick   1 with --quick, else 0
#       src     the real kernel tree: $KMIN_SRC, default
#               ~/.cache/kmin/src/linux-source-6.1
#       tk      the fixture kernel, $top/tests/fixtures/tinykernel
#       tmp     a new directory /tmp/kmin-NAME-it-XXXXXX, removed at exit
#               unless KMIN_TEST_KEEP is set
#     --unnumbered: "ok - what" lines without numbers (solve.sh's format).
# ok WHAT, not_ok WHAT    one result line
# skip WHY                "ok N - # SKIP WHY"; counts as passed
# check WHAT CMD ARGS...  ok WHAT when CMD succeeds, else not_ok WHAT
# finish                  the result line, then exit (0 when nothing failed, else 1)
# it_at_exit CMD...       run CMD at exit (stopping daemons), before tmp goes
# it_need_kmin            not ok and finish when $kmin is not executable
# it_need_tree            not ok and finish when $src has no Makefile
# it_fixture_conf         build the kernel's conf the fixture kernel uses,
#                         once (tests/fixtures/build-conf), quietly
# jget FILE EXPR          print the Python expression EXPR on j, the JSON in
#                         FILE (nothing when that fails)
# py FILE CODE            run Python CODE with j = the JSON in FILE; its exit
#                         status (assert ...); Python's errors go to $tmp/py.err
# The helpers of scripts/lib/kmin-test.sh (kt_cache_dir, ...) come with it.
# Names starting with it_ are the harness's own.

it_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../scripts/lib/kmin-test.sh source-path=SCRIPTDIR
. "$top/scripts/lib/kmin-test.sh"

it_usage_error() {
	echo "usage: $0 [--kmin PATH] [--quick]${it_usage:+ $it_usage}" >&2
	exit 2
}

# (quick, src and tk are for the scripts that source this file)
# shellcheck disable=SC2034
it_init() {
	it_numbered=1
	if [ "$1" = --unnumbered ]; then
		it_numbered=0
		shift
	fi
	it_name=$1
	shift
	it_n=0 it_pass=0 it_fail=0
	it_exit_hooks=()
	kmin=$top/build/src/kmin
	quick=0
	while [ $# -gt 0 ]; do
		case $1 in
		--kmin) shift; kmin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") ;;
		--quick) quick=1 ;;
		*)
			it_used=0
			if declare -F it_option >/dev/null; then it_option "$@"; fi
			[ "$it_used" -gt 0 ] || it_usage_error
			shift $((it_used - 1)) ;;
		esac
		shift
	done
	src=${KMIN_SRC:-$HOME/.cache/kmin/src/linux-source-6.1}
	tk=$top/tests/fixtures/tinykernel
	tmp=$(mktemp -d "/tmp/kmin-$it_name-it-XXXXXX")
	trap it_exit EXIT
}

it_exit() {
	local hook
	for hook in "${it_exit_hooks[@]}"; do eval "$hook"; done
	[ -n "${KMIN_TEST_KEEP:-}" ] || rm -rf "$tmp"
}

it_at_exit() { it_exit_hooks+=("$*"); }

# "ok N - " or "ok - ": the numbered line of the it_n-th result
it_line() {
	it_n=$((it_n + 1))
	if [ "$it_numbered" = 1 ]; then echo "$1 $it_n - $2"; else echo "$1 - $2"; fi
}

ok() { it_pass=$((it_pass + 1)); it_line ok "$*"; }
not_ok() { it_fail=$((it_fail + 1)); it_line "not ok" "$*"; }
skip() { it_pass=$((it_pass + 1)); it_line ok "# SKIP $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

finish() {
	echo "$it_name: $it_pass passed, $it_fail failed"
	[ "$it_fail" = 0 ]
	exit
}

it_need_kmin() { [ -x "$kmin" ] || { not_ok "no kmin at $kmin"; finish; }; }
it_need_tree() { [ -f "$src/Makefile" ] || { not_ok "no kernel tree at $src"; finish; }; }

it_fixture_conf() {
	if [ ! -x "$(kt_cache_dir)/conf-6.1/conf" ]; then
		"$top/tests/fixtures/build-conf" >/dev/null 2>&1
	fi
}

jget() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }
py() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); $2" "$1" 2>>"$tmp/py.err"; }

# ---- run directly: the harness tests itself ----

# it_selftest_run NAME SCRIPT-BODY [ARGS...]: a script sourcing this file,
# run from $tmp; its stdout in $tmp/NAME.out, stderr in $tmp/NAME.err, status in it_rc.
it_selftest_run() {
	local name=$1 body=$2
	shift 2
	mkdir -p "$tmp/t"
	printf 'set -u\n. %q\n%s\n' "$it_lib" "$body" >"$tmp/t/$name.sh"
	it_rc=0
	(cd "$tmp" && bash "t/$name.sh" "$@") >"$tmp/$name.out" 2>"$tmp/$name.err" || it_rc=$?
}

# (the scripts it runs are in single quotes: their $ expand there)
# shellcheck disable=SC2016
it_selftest() {
	local keep
	it_init lib "$@"
	it_selftest_run numbered 'it_init demo "$@"
ok a; not_ok b c; skip d; check e true; check f false; finish'
	check "numbered lines and the result line" \
		[ "$(cat "$tmp/numbered.out")" = "$(printf '%s\n' 'ok 1 - a' 'not ok 2 - b c' \
			'ok 3 - # SKIP d' 'ok 4 - e' 'not ok 5 - f' 'demo: 3 passed, 2 failed')" ]
	check "a failure: exit 1" [ "$it_rc" = 1 ]

	it_selftest_run unnumbered 'it_init --unnumbered demo "$@"; ok a; check b true; finish'
	check "unnumbered lines (solve.sh's format)" \
		[ "$(cat "$tmp/unnumbered.out")" = "$(printf '%s\n' 'ok - a' 'ok - b' 'demo: 2 passed, 0 failed')" ]
	check "nothing failed: exit 0" [ "$it_rc" = 0 ]

	it_selftest_run none 'it_init demo "$@"; echo "# nothing to do"; finish'
	check "no test at all: 0 passed, 0 failed, exit 0" \
		[ "$(tail -n 1 "$tmp/none.out") $it_rc" = "demo: 0 passed, 0 failed 0" ]

	mkdir -p "$tmp/rel"
	it_selftest_run args 'it_init demo "$@"; echo "$top|$kmin|$quick|$src|$tk"; finish' \
		--kmin rel/kmin --quick
	check "--kmin made absolute, --quick, src and tk" \
		[ "$(head -n 1 "$tmp/args.out")" = "$top|$tmp/rel/kmin|1|${KMIN_SRC:-$HOME/.cache/kmin/src/linux-source-6.1}|$top/tests/fixtures/tinykernel" ]
	it_selftest_run defaults 'it_init demo "$@"; echo "$kmin|$quick"; finish'
	check "defaults: build/src/kmin of the checkout, not quick" \
		[ "$(head -n 1 "$tmp/defaults.out")" = "$top/build/src/kmin|0" ]

	it_selftest_run usage 'it_init demo "$@"; ok "not reached"; finish' --bogus
	check "an unknown option: exit 2, the usage line on stderr, nothing on stdout" \
		[ "$it_rc:$(cat "$tmp/usage.err"):$(cat "$tmp/usage.out")" = "2:usage: t/usage.sh [--kmin PATH] [--quick]:" ]

	it_selftest_run extra 'keep=none
it_usage="[--keep DIR]"
it_option() { case $1 in --keep) keep=$2; it_used=2 ;; esac; }
it_init demo "$@"; echo "keep=$keep quick=$quick"; finish' --keep here --quick
	check "a script's own option with its value" \
		[ "$(head -n 1 "$tmp/extra.out") $it_rc" = "keep=here quick=1 0" ]
	it_selftest_run extra2 'it_usage="[--keep DIR]"
it_option() { case $1 in --keep) it_used=2 ;; esac; }
it_init demo "$@"; finish' --other
	check "... and its part of the usage line" \
		[ "$it_rc:$(cat "$tmp/extra2.err")" = "2:usage: t/extra2.sh [--kmin PATH] [--quick] [--keep DIR]" ]

	it_selftest_run scratch 'it_init demo "$@"; it_at_exit "echo hook \$tmp >&2"; echo "$tmp"; finish'
	keep=$(head -n 1 "$tmp/scratch.out")
	check "the scratch directory is /tmp/kmin-NAME-it-*, removed at exit" \
		bash -c "case '$keep' in /tmp/kmin-demo-it-??????) [ ! -e '$keep' ] ;; *) false ;; esac"
	check "exit hooks run, with tmp still set" [ "$(cat "$tmp/scratch.err")" = "hook $keep" ]
	KMIN_TEST_KEEP=1 it_selftest_run kept 'it_init demo "$@"; echo "$tmp"; finish'
	keep=$(head -n 1 "$tmp/kept.out")
	check "KMIN_TEST_KEEP keeps it" [ -d "$keep" ]
	rm -rf "$keep"

	it_selftest_run need 'it_init demo "$@"; it_need_kmin; ok "not reached"' --kmin /tmp/no-kmin-here
	check "it_need_kmin: one not ok, the result line, exit 1" \
		[ "$(cat "$tmp/need.out") $it_rc" = "$(printf '%s\n' 'not ok 1 - no kmin at /tmp/no-kmin-here' 'demo: 0 passed, 1 failed') 1" ]
	KMIN_SRC=/nonexistent it_selftest_run tree 'it_init demo; it_need_tree; ok "not reached"'
	check "it_need_tree: names the tree" \
		[ "$(head -n 1 "$tmp/tree.out") $it_rc" = "not ok 1 - no kernel tree at /nonexistent 1" ]

	printf '{"a": [1, 2]}\n' >"$tmp/j.json"
	check "jget: a value of the JSON" [ "$(jget "$tmp/j.json" "j['a'][1]")" = 2 ]
	check "jget: nothing on an error" [ -z "$(jget "$tmp/j.json" "j['b']")" ]
	check "py: an assert that holds" py "$tmp/j.json" "assert j['a'] == [1, 2]"
	py "$tmp/j.json" "assert not j"
	check "py: one that does not: status 1, Python's words in py.err" \
		[ "$?:$(grep -c AssertionError "$tmp/py.err")" = 1:1 ]
	finish
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	it_selftest "$@"
fi
