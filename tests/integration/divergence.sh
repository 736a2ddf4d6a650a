#!/bin/bash
# divergence.sh - `kmin build` records where kmin's Kconfig engine and the
# kernel's own `make olddefconfig` disagree (issue 5, schema 0004), and
# `kmin builds` shows them.
#
# A divergence is provoked honestly on a copy of the tinykernel fixture
# (tests/fixtures/tinykernel, a build takes about a second): its Kconfig
# gains
#
#     config TK_BUILT_BY_KMIN
#             def_bool "$(KBUILD_BUILD_USER)" = "kmin"
#
# The workers pin KBUILD_BUILD_USER=kmin in make's environment (for
# reproducible sizes) while kmin's engine reads the environment kmin was
# started with; run with KBUILD_BUILD_USER=alice, make's conf says y and
# the engine says n.  With KBUILD_BUILD_USER=kmin they agree.  At the end,
# an edited tree is built again although kmin guessed its identity from
# the last run while walking it (cmd_build.c, kid_start()).
#
# Usage: tests/integration/divergence.sh [--kmin PATH] [--quick]
#   --kmin PATH   the kmin binary (default: build/src/kmin of this checkout)
#   --quick       accepted for scripts/test (about eight fixture builds: seconds)
set -u

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_init divergence "$@"
tree=$tmp/tree
db=$tmp/results.db

# sql QUERY: one value from the database (python3's sqlite3, read-only).
sql() {
	python3 -c "import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True); print(c.execute(sys.argv[2]).fetchone()[0])" "$db" "$1"
}
tbuild() { "$kmin" build --source "$tree" --arch arm --jobs 2 --db "$db" "$@"; }

it_need_kmin
it_fixture_conf
cp -r "$top/tests/fixtures/tinykernel" "$tree"
printf '\nconfig TK_BUILT_BY_KMIN\n\tdef_bool "$(KBUILD_BUILD_USER)" = "kmin"\n' >>"$tree/Kconfig"

# Three different configs: the board and tiny defconfigs, and board with its first =y symbol unset.
"$kmin" config board_defconfig --source "$tree" --arch arm -o "$tmp/board.config" 2>/dev/null
"$kmin" config tiny_defconfig --source "$tree" --arch arm -o "$tmp/tiny.config" 2>/dev/null
sed '0,/^CONFIG_\([A-Z0-9_]*\)=y$/s//# CONFIG_\1 is not set/' "$tmp/board.config" >"$tmp/third.config"
check "three distinct configs made by kmin config" \
	[ "$(cat "$tmp"/board.config "$tmp"/tiny.config "$tmp"/third.config | grep -c CONFIG_)" -gt 3 ]
check "the configs differ" [ "$(md5sum "$tmp"/*.config | cut -c1-32 | sort -u | wc -l)" = 3 ]

# ---- 1. engine and make disagree: recorded with the build ----
KBUILD_BUILD_USER=alice tbuild "$tmp/board.config" >"$tmp/b1.out" 2>"$tmp/b1.err"
check "a diverging build still builds (exit 0)" [ $? = 0 ]
check "the divergence is reported, naming the symbol and both values" \
	grep -q "TK_BUILT_BY_KMIN (engine n, make y)" "$tmp/b1.err"
check "one engine check recorded, with one divergence" \
	[ "$(sql "SELECT count(*) || ':' || sum(divergences) FROM engine_checks")" = "1:1" ]
check "the divergence row: symbol, engine n, make y" \
	[ "$(sql "SELECT symbol || '=' || engine || '/' || make FROM divergences")" = "TK_BUILT_BY_KMIN=n/y" ]

# ---- 2. they agree: a check with no divergence ----
KBUILD_BUILD_USER=kmin tbuild "$tmp/tiny.config" >"$tmp/b2.out" 2>"$tmp/b2.err"
check "an agreeing build exits 0 and warns about nothing" \
	[ $? = 0 -a "$(grep -c 'differ in' "$tmp/b2.err")" = 0 ]

# ---- 3. --no-check: not compared, nothing recorded ----
KBUILD_BUILD_USER=alice tbuild --no-check "$tmp/third.config" >"$tmp/b3.out" 2>"$tmp/b3.err"
check "--no-check builds without comparing" [ $? = 0 -a "$(grep -c 'differ in' "$tmp/b3.err")" = 0 ]

# ---- 4. answered from the database: the cached row shows its source's count ----
KBUILD_BUILD_USER=alice tbuild "$tmp/board.config" >"$tmp/b4.out" 2>"$tmp/b4.err"
check "the same config again is answered from the database" \
	[ "$(awk '$NF ~ /board.config$/ { print $8 }' "$tmp/b4.out")" = yes ]

# ---- kmin builds: the count per build, and the list ----
"$kmin" builds --db "$db" --format json >"$tmp/builds.json"
check "builds --format json: divergences 1, 0, null (no check), 1 (cached)" \
	py "$tmp/builds.json" "assert [b['divergences'] for b in j] == [1, 0, None, 1], j"
"$kmin" builds --db "$db" --format csv >"$tmp/builds.csv"
check "builds --format csv has a divergences column" \
	python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); assert [x['divergences'] for x in r] == ['1','0','','1']" "$tmp/builds.csv"
"$kmin" builds --db "$db" >"$tmp/builds.txt"
check "the table shows a DIVERGENCES column" grep -q DIVERGENCES "$tmp/builds.txt"
"$kmin" builds --db "$db" --divergences --format json >"$tmp/div.json"
check "builds --divergences --format json lists the symbol of build 1" \
	py "$tmp/div.json" "assert len(j) == 1 and j[0]['build_id'] == 1 and j[0]['symbol'] == 'TK_BUILT_BY_KMIN' and j[0]['engine'] == 'n' and j[0]['make'] == 'y' and len(j[0]['config_sha256']) == 64, j"
"$kmin" builds --db "$db" --divergences --format csv >"$tmp/div.csv"
check "builds --divergences --format csv: header and one row" \
	[ "$(head -1 "$tmp/div.csv")" = "build_id,config_sha256,symbol,engine,make" -a \
	  "$(tail -n +2 "$tmp/div.csv" | cut -d, -f3-)" = "TK_BUILT_BY_KMIN,n,y" ]
"$kmin" builds --db "$tmp/none.db" --divergences --format json >"$tmp/none.json" 2>&1
check "builds --divergences on a missing database prints [] and creates nothing" \
	[ "$(tr -d ' \n' <"$tmp/none.json")" = "[]" -a ! -e "$tmp/none.db" ]

# ---- the search records its comparisons too (record.c is the common path) ----
KBUILD_BUILD_USER=alice "$kmin" run --source "$tree" --arch arm --jobs 2 --base board_defconfig \
	--db "$tmp/search.db" -q --require SPI --max-builds 2 --output "$tmp/search" \
	>"$tmp/run.log" 2>&1
check "a search on the diverging tree runs (exit 0)" [ $? = 0 ]
db=$tmp/search.db
check "every build of the search was compared and diverged in TK_BUILT_BY_KMIN" \
	[ "$(sql "SELECT count(*) FROM builds WHERE cached_from IS NULL")" -ge 1 -a \
	  "$(sql "SELECT count(*) FROM builds WHERE cached_from IS NULL")" = \
	  "$(sql "SELECT count(*) FROM divergences WHERE symbol = 'TK_BUILT_BY_KMIN' AND engine = 'n' AND make = 'y'")" ]
db=$tmp/results.db

# ---- the tree's identity is computed beside the builds: a guess never answers ----
# kmin build guesses the kernel from the last one recorded for the path while it
# walks the tree; an edited tree must be built again, then answered under its new identity.
echo "/* edited */" >>"$tree/init/main.c"
KBUILD_BUILD_USER=kmin tbuild "$tmp/tiny.config" >"$tmp/b5.out" 2>"$tmp/b5.err"
check "after an edit of the tree the config is built again, not answered" \
	[ "$(awk '$NF ~ /tiny.config$/ { print $1 $8 }' "$tmp/b5.out")" = okno ]
KBUILD_BUILD_USER=kmin tbuild "$tmp/tiny.config" >"$tmp/b6.out" 2>"$tmp/b6.err"
check "and then answered from the database under the new identity" \
	[ "$(awk '$NF ~ /tiny.config$/ { print $1 $8 }' "$tmp/b6.out")" = okyes ]
check "two kernels recorded for the one path" [ "$(sql "SELECT count(*) FROM kernels")" = 2 ]
# the same tree (cp -a keeps what the identity hashes) at a path the store has never seen:
# no guess, so kmin waits for the identity and answers from the database
cp -a "$tree" "$tmp/copy"
KBUILD_BUILD_USER=kmin "$kmin" build --source "$tmp/copy" --arch arm --jobs 2 --db "$db" \
	"$tmp/tiny.config" >"$tmp/b7.out" 2>"$tmp/b7.err"
check "the same tree at a new path is answered from the database" \
	[ "$(awk '$NF ~ /tiny.config$/ { print $1 $8 }' "$tmp/b7.out")" = okyes ]
check "the database is consistent" [ "$(sql "PRAGMA integrity_check")" = ok ]

if [ -s "$tmp/py.err" ]; then sed 's/^/# /' "$tmp/py.err"; fi
finish
