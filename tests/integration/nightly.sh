#!/bin/bash
# nightly.sh - `kmin run --track`, `kmin nightly` and `kmin history` end to
# end (issue 7, the nightly part of its acceptance).
#
# The tinykernel fixture (tests/fixtures/tinykernel, builds in a second) is
# copied to a temporary directory and committed to a git repository made
# here; `kmin run --track fix` (USB,SPI from tinyconfig: dec 59280) creates
# the job.  Then, one night per step:
#   (a) no new commit: exit 0, not rebuilt (no new build row in the database);
#   (b) a commit that changes only the README: exit 0, still no build;
#   (c) a commit that grows an array of a linked object (USB's hcd.c, +256
#       bytes of .data): exit 3, the report names the commit's short id and
#       subject, the night's size is 59536;
#   (d) a commit adding a Kconfig option that defaults to y: it is listed as
#       a new symbol on by default; exit 0 (it costs nothing);
#   (e) growth under --threshold 1%: exit 0; over --threshold 100: exit 3;
#   (f) `kmin history --track fix` as json, csv and table: every night, with
#       sizes, statuses and deltas;
#   (h) a commit that breaks the build: exit 1, a failed night; its revert:
#       exit 0, compared with the last good night, nothing built;
#   (g) errors: an unknown track (history and nightly) exits 1 naming it;
#       `kmin run --track fix` with other requirements exits 2; a database
#       without jobs: exit 0.
#
# Usage: tests/integration/nightly.sh [--kmin PATH] [--quick]
#   --kmin PATH   the kmin binary (default: build/src/kmin of this checkout)
#   --quick       accepted for scripts/test (everything here is fixture-sized:
#                 about 15 fixture builds, well under a minute)
# Prints ok/not ok lines and ends with "nightly: N passed, N failed".
set -u

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
KMIN_TEST_KEEP=${KMIN_TEST_KEEP:-${KEEP:-}}	# KEEP=1 keeps the scratch directory too
it_init nightly "$@"
tree=$tmp/tree
db=$tmp/results.db

# Real builds in the database (rows answered from the cache excluded).
real_builds() {
	python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
		'SELECT count(*) FROM builds WHERE cached_from IS NULL').fetchone()[0])" "$db"
}
# A python expression on the history's JSON list h.
hist() {
	"$kmin" history --db "$db" --track "${track:-fix}" --format json >"$tmp/h.json" 2>"$tmp/h.err"
	python3 -c "import json,sys; h=json.load(open(sys.argv[1])); print($1)" "$tmp/h.json" 2>/dev/null
}
gitc() { git -C "$tree" -c user.name=kmin-test -c user.email=kmin-test@example.com \
	-c commit.gpgsign=false "$@"; }
nightly() { "$kmin" nightly --db "$db" --output "$tmp/nightly" --jobs 2 "$@"; }

it_fixture_conf
if ! command -v git >/dev/null; then
	echo "# skipped: no git command to make the test repository"
	finish
fi

cp -r "$top/tests/fixtures/tinykernel" "$tree"
git -C "$tree" init -q .
gitc add -A
gitc commit -qm "tinykernel: the first night"

# ---- the job and its first night ----
"$kmin" run --source "$tree" --arch arm --jobs 2 --require USB,SPI --db "$db" \
	--output "$tmp/first" --track fix -q >"$tmp/run.log" 2>&1
rc=$?
check "kmin run --track fix: exit 0" [ "$rc" = 0 ]
check "the run is the job's first night (ok, dec 59280)" \
	[ "$(hist "[(x['status'], x['size']) for x in h]")" = "[('ok', 59280)]" ]
check "the first night names its commit" \
	[ "$(hist "h[0]['commit']")" = "$(git -C "$tree" rev-parse HEAD)" ]

# ---- (a) no new commit ----
b0=$(real_builds)
nightly >"$tmp/a.out" 2>"$tmp/a.err"
rc=$?
check "(a) same commit: exit 0" [ "$rc" = 0 ]
check "(a) nothing built" [ "$(real_builds)" = "$b0" ]
check "(a) reported as not rebuilt, no new commit" \
	bash -c "grep -q 'not rebuilt: same tree' '$tmp/a.out' && grep -q 'no new commit' '$tmp/a.out'"
check "(a) the night is carried over ('same', 59280)" \
	[ "$(hist "(len(h), h[-1]['status'], h[-1]['size'], h[-1]['carried_from'] == h[0]['night'])")" = "(2, 'same', 59280, True)" ]

# ---- (b) a commit that changes nothing the build reads ----
echo "A line for the nightly test." >>"$tree/README.md"
gitc commit -qam "README: a sentence"
nightly >"$tmp/b.out" 2>"$tmp/b.err"
rc=$?
check "(b) README-only commit: exit 0" [ "$rc" = 0 ]
check "(b) nothing built" [ "$(real_builds)" = "$b0" ]
check "(b) reported: 1 commit, none of its paths read by the build" \
	bash -c "grep -q '1 commit since' '$tmp/b.out' && grep -q 'none read by the build' '$tmp/b.out'"
check "(b) the night has the new commit and the same size" \
	[ "$(hist "(h[-1]['commit'], h[-1]['status'], h[-1]['size'])")" = "('$(git -C "$tree" rev-parse HEAD)', 'same', 59280)" ]

# ---- (c) a commit that adds bytes to a linked object ----
sed -i 's/TK_DATA(usb_hcd_state, 704);/TK_DATA(usb_hcd_state, 960);/' "$tree/drivers/usb/core/hcd.c"
gitc commit -qam "usb: grow the hcd state"
short=$(git -C "$tree" rev-parse --short HEAD)
nightly >"$tmp/c.out" 2>"$tmp/c.err"
rc=$?
check "(c) a commit that grows USB: exit 3" [ "$rc" = 3 ]
check "(c) the report names the commit ($short) and its subject" \
	grep -q "$short usb: grow the hcd state" "$tmp/c.out"
check "(c) the report gives the growth (+256 bytes)" grep -q 'dec 59280 -> 59536: +256 bytes' "$tmp/c.out"
check "(c) it was rebuilt" [ "$(real_builds)" -gt "$b0" ]
check "(c) the night: ok, 59536, delta 256, a run with builds" \
	[ "$(hist "(h[-1]['status'], h[-1]['size'], h[-1]['delta'], h[-1]['run'] is not None, h[-1]['builds'] > 0)")" = "('ok', 59536, 256, True, True)" ]
check "(c) the run's outputs are under --output/NAME" test -s "$tmp/nightly/fix/min.config"

# the same commit again: nothing built, no growth against the previous night
b1=$(real_builds)
nightly >"$tmp/c2.out" 2>&1
rc=$?
check "(c) the grown commit again: exit 0, nothing built" [ "$rc:$(real_builds)" = "0:$b1" ]

# ---- (d) a new option that defaults to y ----
sed -i 's/^menu "Library routines"$/menu "Library routines"\n\nconfig KMIN_NIGHTLY_NEW\n\tbool "an option new in this commit"\n\tdefault y/' \
	"$tree/lib/Kconfig"
gitc commit -qam "lib: a new option"
nightly >"$tmp/d.out" 2>"$tmp/d.err"
rc=$?
check "(d) a new option without code: exit 0" [ "$rc" = 0 ]
check "(d) listed as a new symbol on by default" \
	grep -q 'new symbols on by default (1): KMIN_NIGHTLY_NEW' "$tmp/d.out"

# ---- (e) thresholds ----
sed -i 's/TK_DATA(usb_hcd_state, 960);/TK_DATA(usb_hcd_state, 1216);/' "$tree/drivers/usb/core/hcd.c"
gitc commit -qam "usb: grow the hcd state again"
nightly --threshold 1% >"$tmp/e.out" 2>"$tmp/e.err"
rc=$?
check "(e) +256 bytes (0.43%) under --threshold 1%: exit 0" [ "$rc" = 0 ]
check "(e) the growth is still reported" grep -q '+256 bytes' "$tmp/e.out"
sed -i 's/TK_DATA(usb_hcd_state, 1216);/TK_DATA(usb_hcd_state, 1472);/' "$tree/drivers/usb/core/hcd.c"
gitc commit -qam "usb: and again"
nightly --threshold 100 --track fix >"$tmp/e2.out" 2>"$tmp/e2.err"
rc=$?
check "(e) +256 bytes over --threshold 100 (bytes), --track fix: exit 3" [ "$rc" = 3 ]
nightly --threshold 10KB >/dev/null 2>&1
check "(e) a bad threshold: exit 2" [ $? = 2 ]

# ---- (f) history ----
check "(f) history json: every night with its size" \
	[ "$(hist "[(x['status'], x['size']) for x in h]")" = "[('ok', 59280), ('same', 59280), ('same', 59280), ('ok', 59536), ('same', 59536), ('ok', 59536), ('ok', 59792), ('ok', 60048)]" ]
check "(f) history json: the contract's fields" \
	[ "$(hist "all({'night','created','commit','describe','dirty','status','size','delta','run','builds','metric'} <= set(x) for x in h)")" = True ]
"$kmin" history --db "$db" --track fix --format csv >"$tmp/h.csv"
check "(f) history csv: a header and 8 rows" \
	[ "$(head -1 "$tmp/h.csv"):$(wc -l <"$tmp/h.csv")" = "night,created,commit,describe,dirty,status,size,delta,run,builds:9" ]
"$kmin" history --db "$db" --track fix >"$tmp/h.txt"
check "(f) history table shows the sizes" grep -q ' 60048 ' "$tmp/h.txt"

# ---- (h) a commit that breaks the build, then its revert ----
echo 'this does not compile' >>"$tree/drivers/usb/core/hcd.c"
gitc commit -qam "usb: break the build"
nightly >"$tmp/h1.out" 2>"$tmp/h1.err"
rc=$?
check "(h) a commit that breaks the build: exit 1, reported" \
	bash -c "[ $rc = 1 ] && grep -q 'FAILED' '$tmp/h1.out'"
check "(h) the failed night is in the history, without a size" \
	[ "$(hist "(h[-1]['status'], h[-1]['size'], len(h))")" = "('failed', None, 9)" ]
gitc revert --no-edit HEAD >/dev/null
b2=$(real_builds)
nightly >"$tmp/h2.out" 2>"$tmp/h2.err"
rc=$?
check "(h) the revert: exit 0, compared with the last good night, nothing built" \
	bash -c "[ $rc:$(real_builds) = 0:$b2 ] && grep -q 'dec 60048 -> 60048: +0 bytes' '$tmp/h2.out'"

# ---- (g) errors ----
"$kmin" history --db "$db" --track nope >/dev/null 2>"$tmp/g.err"
rc=$?
check "(g) history of an unknown track: exit 1, named" \
	bash -c "[ $rc = 1 ] && grep -q \"no track 'nope'\" '$tmp/g.err'"
nightly --track nope >/dev/null 2>"$tmp/g2.err"
rc=$?
check "(g) nightly --track nope: exit 1, named" \
	bash -c "[ $rc = 1 ] && grep -q \"no track 'nope'\" '$tmp/g2.err'"
"$kmin" run --source "$tree" --arch arm --jobs 2 --require USB --db "$db" --output "$tmp/x" \
	--track fix -q >/dev/null 2>"$tmp/g3.err"
rc=$?
check "(g) run --track fix with other requirements: exit 2" \
	bash -c "[ $rc = 2 ] && grep -q \"track 'fix' is another job\" '$tmp/g3.err'"
"$kmin" history --db "$db" >/dev/null 2>&1
check "(g) history without --track: exit 2" [ $? = 2 ]
"$kmin" nightly --db "$tmp/empty.db" >"$tmp/g4.out" 2>"$tmp/g4.err"
check "(g) nightly on a database without jobs: exit 0, 0 jobs" \
	bash -c "[ $? = 0 ] && grep -q 'nightly: 0 jobs' '$tmp/g4.out'"

# ---- (i) a job with a board budget keeps it (the boot board: test_store_track) ----
"$kmin" run --source "$tree" --arch arm --jobs 2 --require USB,SPI --db "$db" \
	--output "$tmp/fit" --budget flash=1M,ram=1M --track fit -q >"$tmp/i.log" 2>&1
rc=$?
check "(i) run --budget ... --track fit: exit 0, the night's size is the shortfall (0: fits)" \
	[ "$rc:$(track=fit hist "[(x['status'], x['size']) for x in h]")" = "0:[('ok', 0)]" ]
"$kmin" run --source "$tree" --arch arm --jobs 2 --require USB,SPI --db "$db" --output "$tmp/x" \
	--budget flash=2M,ram=1M --track fit -q >/dev/null 2>"$tmp/i2.err"
rc=$?
check "(i) the same track with another budget: exit 2, 'budget differ'" \
	bash -c "[ $rc = 2 ] && grep -q 'budget differ' '$tmp/i2.err'"
echo '/* night (i) */' >>"$tree/drivers/usb/core/hcd.c"
gitc commit -qam "usb: a comment"
nightly --track fit >"$tmp/i.out" 2>"$tmp/i.err"
rc=$?
check "(i) nightly --track fit: exit 0, a second night that fits" \
	[ "$rc:$(track=fit hist "[(x['status'], x['size']) for x in h]")" = "0:[('ok', 0), ('ok', 0)]" ]
check "(i) the night's run searched under the budget (metric 'budget')" \
	bash -c "'$kmin' runs --db '$db' --format json | python3 -c 'import json,sys; r=json.load(sys.stdin)[-1]; assert r[\"metric\"] == \"budget\" and r[\"track\"] == \"fit\", r'"

# ---- sanitizers: nightly's and history's own output (an ASan/UBSan build reports there;
# the runs' logs belong to the search and are not checked here) ----
check "no sanitizer report from nightly or history" bash -c "! grep -lqE \
	'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' '$tmp'/*.out '$tmp'/*.err"

finish
