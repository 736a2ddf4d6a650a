#!/bin/bash
# fit.sh - flash and RAM budgets end to end (issue 8, Budgets): `kmin fit`
# and `kmin run --budget`.
#
# On the tinykernel fixture (tests/fixtures/tinykernel, builds in a
# second; its vmlinux has .text, .rodata, .data and .bss):
#   - `kmin build` of board_defconfig with --artifacts, then `kmin fit` on
#     that .config with budgets that fit (exactly, and with K/M sizes:
#     exit 0, fits true) and that miss (exit 1, fits false), the numbers
#     checked independently against the image file's size and `size -A`
#     of the vmlinux kept (flash = zImage; RAM = every section; XIP flash
#     = every section but .bss, XIP RAM = .data + .bss), and the
#     shortfall = bytes - budget;
#   - `kmin fit RUN`: the final config's build of a `kmin run`;
#   - errors (exit 2): bad budget strings, no --budget, a config never
#     built, a run that does not exist;
#   - `kmin run --budget`: a base that already fits stops after 1 build;
#     a budget reached mid-search stops early (fewer builds than the plain
#     run); a budget no config meets ends with the smallest shortfall,
#     reported in summary.json.
#   - a boot figure (a boots row as `--boot` writes it, mps2's Memory:
#     line): RAM grows by reserved minus the kernel's parts (329K);
#     without one the verdict says "no boot figure".
#
# Usage: tests/integration/fit.sh [--kmin PATH] [--quick]
#   --kmin PATH   the kmin binary (default: build/src/kmin of this checkout)
#   --quick       accepted for scripts/test (everything here is quick)
# Prints ok/not ok lines and ends with "fit: N passed, N failed".
set -u

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_init fit "$@"

it_fixture_conf

db=$tmp/fit.db
art=$tmp/art

# ---- a build to judge ----
"$kmin" config board_defconfig --source "$tk" --arch arm -o "$tmp/board.config" >/dev/null 2>&1
"$kmin" build --source "$tk" --arch arm --db "$db" --jobs 2 --artifacts "$art" \
	"$tmp/board.config" >"$tmp/build.log" 2>&1
check "kmin build of board_defconfig exits 0" [ $? = 0 ]
dir=$(ls -d "$art"/*/ 2>/dev/null | head -n 1)
check "the build kept vmlinux and zImage" test -f "$dir/vmlinux" -a -f "$dir/zImage"

# The model's numbers, computed here from the files themselves.
python3 - "$dir" >"$tmp/expect.env" <<'EOF'
import os, subprocess, sys
d = sys.argv[1]
out = subprocess.run(["size", "-A", os.path.join(d, "vmlinux")], capture_output=True,
                     text=True, check=True).stdout
sec = {}
for line in out.splitlines()[2:]:
    f = line.split()
    if len(f) >= 2 and f[0] != "Total" and f[1].isdigit():
        sec[f[0]] = int(f[1])
assert set(sec) == {".text", ".rodata", ".data", ".bss"}, sec
print("image=%d" % os.path.getsize(os.path.join(d, "zImage")))
print("ram=%d" % sum(sec.values()))
print("xflash=%d" % (sec[".text"] + sec[".rodata"] + sec[".data"]))
print("xram=%d" % (sec[".data"] + sec[".bss"]))
EOF
check "size -A of the fixture's vmlinux read" [ $? = 0 ]
image=-1 ram=-1 xflash=-1 xram=-1	# when the build failed: every check below fails, none crashes
. "$tmp/expect.env"
echo "# image $image, ram $ram, xip flash $xflash, xip ram $xram"

fit() { "$kmin" fit "$@" --db "$db"; }

# ---- fits: exactly at the budget, table output ----
fit "$tmp/board.config" --budget "flash=$image,ram=$ram" >"$tmp/f1.out" 2>"$tmp/f1.err"
check "a budget met exactly: exit 0" [ $? = 0 ]
check "the table says it fits" grep -qx 'fits' "$tmp/f1.out"
check "the table says there is no boot figure" grep -q 'no boot figure' "$tmp/f1.out"

fit "$tmp/board.config" --budget flash=2M,ram=1M --format json >"$tmp/f2.json" 2>"$tmp/f2.err"
check "flash=2M,ram=1M: exit 0" [ $? = 0 ]
check "json: fits true, budgets in bytes (K = 1024)" \
	[ "$(jget "$tmp/f2.json" "(j['fits'], j['flash_budget'], j['ram_budget'])")" = "(True, 2097152, 1048576)" ]
check "json: flash is the image file, ram every section" \
	[ "$(jget "$tmp/f2.json" "(j['flash_bytes'], j['ram_bytes'])")" = "($image, $ram)" ]
check "json: the breakdown has every class, the image and reserved_other" \
	[ "$(jget "$tmp/f2.json" "sorted(j['breakdown'])")" = "['bss', 'code', 'data', 'image', 'init_code', 'init_data', 'init_ro', 'reserved_other', 'rodata']" ]
check "json: no boot, and a note says so" \
	[ "$(jget "$tmp/f2.json" "(j['boot'], 'no boot figure' in j['note'])")" = "(False, True)" ]

# ---- misses: one byte of flash, most of the RAM ----
fb=$((image - 1))
fit "$tmp/board.config" --budget "flash=$fb,ram=1K" --format json >"$tmp/f3.json" 2>"$tmp/f3.err"
check "a budget missed: exit 1" [ $? = 1 ]
check "json: fits false" [ "$(jget "$tmp/f3.json" "j['fits']")" = False ]
check "json: flash misses by 1 byte (margin = budget - bytes = -1)" \
	[ "$(jget "$tmp/f3.json" "(j['flash_over'], j['flash_margin'])")" = "(1, -1)" ]
check "json: ram misses by bytes - 1024" \
	[ "$(jget "$tmp/f3.json" "(j['ram_over'], j['ram_margin'])")" = "($((ram - 1024)), $((1024 - ram)))" ]
fit "$tmp/board.config" --budget "flash=$fb,ram=1K" >"$tmp/f3.out" 2>&1
check "the table says by how much it misses" grep -q "misses by 1\$" "$tmp/f3.out"

# ---- XIP: flash = everything but .bss, RAM = .data + .bss ----
fit "$tmp/board.config" --budget flash=10K,ram=1M,xip --format json >"$tmp/f4.json" 2>"$tmp/f4.err"
check "xip, flash too small: exit 1" [ $? = 1 ]
check "xip json: flash = .text+.rodata+.data, ram = .data+.bss" \
	[ "$(jget "$tmp/f4.json" "(j['xip'], j['flash_bytes'], j['ram_bytes'])")" = "(True, $xflash, $xram)" ]
check "xip json: flash shortfall = bytes - 10240, ram fits" \
	[ "$(jget "$tmp/f4.json" "(j['flash_over'], j['ram_over'], j['fits'])")" = "($((xflash - 10240)), 0, False)" ]
fit "$tmp/board.config" --budget "ram=$xram,xip" --format json >"$tmp/f5.json" 2>/dev/null
check "xip, ram only, exactly: exit 0, no flash budget" \
	[ $? = 0 -a "$(jget "$tmp/f5.json" "(j['fits'], j['flash_budget'])")" = "(True, None)" ]

# ---- a boot figure: the fixture cannot boot, so a boot row is written as
# `--boot` would (db/migrations/0005-boots.sql), with mps2's Memory: line:
# 3224K reserved, 1789+288+604+96+118 = 2895K of it the kernel: 329K more ----
bid=$(jget "$tmp/f2.json" "j['build']")
python3 - "$db" "$bid" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT OR REPLACE INTO boots (build_id, board, status, seconds, marker, available_k,"
          " total_k, code_k, rwdata_k, rodata_k, init_k, bss_k, reserved_k, cma_reserved_k,"
          " created_ms) VALUES (?, 'mps2-an385', 'ok', 0.3, 1, 13160, 16384, 1789, 288, 604,"
          " 96, 118, 3224, 0, 0)", (int(sys.argv[2]),))
c.commit()
EOF
fit "$tmp/board.config" --budget "flash=$image,ram=$ram" --format json >"$tmp/f6.json" 2>"$tmp/f6.err"
check "with a boot figure, the exact budget misses: exit 1" [ $? = 1 ]
check "... RAM adds reserved - kernel = 329K, and boot is true" \
	[ "$(jget "$tmp/f6.json" "(j['boot'], j['breakdown']['reserved_other'], j['ram_bytes'], j['ram_over'], j['note'])")" = "(True, 336896, $((ram + 336896)), 336896, None)" ]
fit "$tmp/board.config" --budget "flash=$image,ram=$ram" >"$tmp/f6.out" 2>&1
check "... and the table names the Memory: line" grep -q "from the boot's Memory: line" "$tmp/f6.out"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DELETE FROM boots'); c.commit()" "$db"

# ---- errors: exit 2 ----
for bad in "flash=" "ram=12Q" "rom=1M" "flash=1M,flash=2M" "xip" ""; do
	fit "$tmp/board.config" --budget "$bad" >/dev/null 2>"$tmp/bad.err"
	rc=$?
	check "bad budget '$bad': exit 2 ($(head -c 70 "$tmp/bad.err"))" [ "$rc" = 2 ]
done
fit "$tmp/board.config" >/dev/null 2>&1
check "no --budget: exit 2" [ $? = 2 ]
"$kmin" config tinyconfig --source "$tk" --arch arm -o "$tmp/tiny.config" >/dev/null 2>&1
fit "$tmp/tiny.config" --budget flash=1M >/dev/null 2>"$tmp/nb.err"
check "a config never built: exit 2" [ $? = 2 ]
check "... and the message says how to build it" grep -q 'kmin build' "$tmp/nb.err"
fit "$tmp/board.config" --arch x86 --budget flash=1M >/dev/null 2>&1
check "--arch narrowing to no build: exit 2" [ $? = 2 ]
fit 99 --budget flash=1M >/dev/null 2>"$tmp/nr.err"
check "no such run: exit 2" [ $? = 2 ]
"$kmin" fit "$tmp/board.config" --budget flash=1M --db "$tmp/none.db" >/dev/null 2>&1
check "no such database: exit 2" [ $? = 2 ]
"$kmin" fit --help >"$tmp/help.out" 2>&1
check "kmin fit --help documents the boot figure (the Memory: line)" \
	grep -q "Memory: ...K/...K available" "$tmp/help.out"

# ---- kmin fit RUN ----
trun() { "$kmin" run --source "$tk" --arch arm --jobs 2 --require USB,SPI --base board_defconfig -q "$@"; }
trun --db "$db" --output "$tmp/plain" >"$tmp/plain.log" 2>&1
check "a plain run: exit 0" [ $? = 0 ]
rid=$("$kmin" runs --db "$db" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])')
fit "$rid" --budget flash=1M,ram=1M --format json >"$tmp/r1.json" 2>"$tmp/r1.err"
check "fit RUN: exit 0" [ $? = 0 ]
check "fit RUN: the run's final config, its image and sizes" \
	[ "$(jget "$tmp/r1.json" "(j['run'], j['flash_bytes'], j['ram_bytes'])")" = \
	  "($rid, $(jget "$tmp/plain/summary.json" "j['final']['image']"), $(jget "$tmp/plain/summary.json" "j['final']['dec']"))" ]
fin_img=$(jget "$tmp/plain/summary.json" "j['final']['image']")
fit "$rid" --budget "flash=$((fin_img - 100))" >/dev/null 2>&1
check "fit RUN, 100 bytes short: exit 1" [ $? = 1 ]

# ---- kmin run --budget ----
trun --db "$tmp/b1.db" --output "$tmp/b1" --budget flash=1M,ram=1M >"$tmp/b1.log" 2>&1
check "run --budget, the base fits: exit 0" [ $? = 0 ]
check "... one build, done, fits" \
	[ "$(jget "$tmp/b1/summary.json" "(j['builds'], j['status'], j['budget']['fits'])")" = "(1, 'done', True)" ]

# linear, one move per build, so that "early" shows: greedy reaches the
# fixture's optimum in one batch, where no run could stop sooner
mid=$(( $(jget "$tmp/plain/summary.json" "j['base']['image']") - 1 ))
trun --strategy linear --db "$tmp/l.db" --output "$tmp/l" >"$tmp/l.log" 2>&1
plain_builds=$(jget "$tmp/l/summary.json" "j['builds']")
trun --strategy linear --db "$tmp/b2.db" --output "$tmp/b2" --budget "flash=$mid" >"$tmp/b2.log" 2>&1
check "run --budget met mid-search: exit 0, fits" \
	[ $? = 0 -a "$(jget "$tmp/b2/summary.json" "j['budget']['fits']")" = True ]
b2=$(jget "$tmp/b2/summary.json" "j['builds']")
echo "# builds (linear): plain run $plain_builds, run stopped when it fit $b2"
check "... stopped early: fewer builds than the plain run" [ "${b2:-99}" -lt "${plain_builds:-0}" ]

trun --db "$tmp/b3.db" --output "$tmp/b3" --budget flash=1K,ram=1M >"$tmp/b3.log" 2>&1
check "run --budget no config can meet: exit 0 (a verified result)" [ $? = 0 ]
check "... summary: fits false, status done" \
	[ "$(jget "$tmp/b3/summary.json" "(j['budget']['fits'], j['status'])")" = "(False, 'done')" ]
check "... the shortfall is the final image minus 1024" \
	[ "$(jget "$tmp/b3/summary.json" "j['budget']['shortfall'] == j['final']['image'] - 1024 == j['budget']['flash_over']")" = True ]
check "... the smallest shortfall: no larger than the plain run's final image - 1024" \
	[ "$(jget "$tmp/b3/summary.json" "j['final']['image'] <= $fin_img")" = True ]
check "... and the summary line reports it" grep -q '^shortfall ' "$tmp/b3.log"
"$kmin" run --arch arm --require USB --budget ram=12Q >/dev/null 2>&1
check "run --budget ram=12Q: exit 2" [ $? = 2 ]

finish
