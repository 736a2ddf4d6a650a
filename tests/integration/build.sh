#!/bin/bash
# build.sh - `kmin build` on the real 6.1 tree for arm (the acceptance of
# the build workers): sizes equal to arm-linux-gnueabi-size and the image's
# length, the second run answered from the database, a timeout recorded
# with no process left, kill -9 in mid-build leaving a consistent database
# and a build that completes on the next run, clear errors for a missing
# cross compiler and a tree that is not a kernel.
#
# Usage: tests/integration/build.sh [--kmin PATH] [--quick]
#   --kmin PATH   the kmin binary (default: build/src/kmin of this checkout)
#   --quick       accepted for scripts/test; every check here is acceptance
#                 and CI-sized already (tinyconfig-sized builds)
# Environment: KMIN_SRC (default ~/.cache/kmin/src/linux-source-6.1).
# Takes minutes (kernel builds, -j2 in all); worker directories in kmin's
# cache are reused, so later runs are faster.  Prints TAP-like ok/not ok
# lines and exits non-zero when anything failed.
# (the functions run through check look unreachable to shellcheck)
# shellcheck disable=SC2317
set -u

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_init build "$@"
db=$tmp/results.db
art=$tmp/artifacts

kbuild() { "$kmin" build --source "$src" --arch arm --db "$db" "$@"; }

# Column of the row for config $2 in kmin build output file $1 (1: status, 2: text ...).
col() { awk -v c="$2" -v k="$3" '$NF == c { print $k }' "$1"; }

# DIR/<config-sha256> of --artifacts: SHA-256 of the config's CONFIG_ lines (store.h's normalization).
artdir() {
	echo "$art/$(grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' "$1" |
		sha256sum | cut -c1-64)"
}

# The sizes kmin printed for config $2 (output $1) equal arm-linux-gnueabi-size and stat of the kept image.
sizes_match() {
	local out=$1 cfg=$2 dir t d b img
	dir=$(artdir "$cfg")
	[ -f "$dir/vmlinux" ] || { echo "# no artifacts for $cfg in $dir"; return 1; }
	read -r t d b < <(arm-linux-gnueabi-size "$dir/vmlinux" | awk 'NR == 2 { print $1, $2, $3 }')
	img=$(stat -c %s "$dir/zImage")
	echo "# $cfg: kmin text $(col "$out" "$cfg" 2) data $(col "$out" "$cfg" 3) bss $(col "$out" "$cfg" 4) zImage $(col "$out" "$cfg" 6); size: $t $d $b; stat: $img"
	[ "$(col "$out" "$cfg" 1)" = ok ] && [ "$(col "$out" "$cfg" 2)" = "$t" ] &&
		[ "$(col "$out" "$cfg" 3)" = "$d" ] && [ "$(col "$out" "$cfg" 4)" = "$b" ] &&
		[ "$(col "$out" "$cfg" 5)" = $((t + d + b)) ] && [ "$(col "$out" "$cfg" 6)" = "$img" ]
}

# Processes still running in worker directory $1 (none expected): cwd inside it, or make's O=.
leftovers() {
	local dir=$1 p
	for p in /proc/[0-9]*; do
		case "$(readlink "$p/cwd" 2>/dev/null)" in "$dir"|"$dir"/*) echo "${p#/proc/}";; esac
		{ tr '\0' ' ' < "$p/cmdline"; } 2>/dev/null | grep -q "O=$dir " && echo "${p#/proc/}"
	done | sort -u
}

it_need_kmin
it_need_tree
echo "# kmin $kmin, source $src, scratch $tmp"

# ---- configs: tinyconfig, tinyconfig + SPI + I2C, tinyconfig + PRINTK (a near-full rebuild) ----
make -s -C "$src" O="$tmp/o" ARCH=arm CROSS_COMPILE=arm-linux-gnueabi- tinyconfig >/dev/null 2>&1
cp "$tmp/o/.config" "$tmp/tiny.config"
{ cat "$tmp/tiny.config"; echo CONFIG_SPI=y; echo CONFIG_I2C=y; } > "$tmp/tiny-spi-i2c.config"
sed 's/^# CONFIG_PRINTK is not set/CONFIG_PRINTK=y/' "$tmp/tiny.config" > "$tmp/tiny-printk.config"
check "tinyconfig made" grep -q '^CONFIG_CPU_V7M=y' "$tmp/tiny.config"
cd "$tmp" || exit 1

# ---- errors come before any build ----
kbuild --cross-compile no-such- tiny.config > out.err 2>&1
check "a missing cross compiler: exit 2" [ $? -eq 2 ]
mkdir -p bin && ln -sf "$(command -v make)" bin/make
PATH=$tmp/bin "$kmin" build --source "$src" --arch arm --db "$db" tiny.config > out.err 2>&1
check "a missing default cross compiler names its Debian package" grep -q 'gcc-arm-linux-gnueabi' out.err
"$kmin" build --source "$tmp" --arch arm --db "$db" tiny.config > out.err 2>&1
check "not a kernel tree: exit 2 and says so" grep -q 'is not a kernel source tree' out.err

# ---- two configs on two workers ----
t0=$(date +%s)
kbuild --workers 2 --jobs 1 --artifacts "$art" tiny.config tiny-spi-i2c.config > out1 2> err1
rc=$?
t1=$(date +%s)
cat out1 | sed 's/^/# /'
check "tinyconfig and +SPI+I2C build on two workers (exit 0)" [ $rc -eq 0 ]
echo "# two configs on two workers: $((t1 - t0)) s"
check "tinyconfig: sizes equal arm-linux-gnueabi-size and the zImage" sizes_match out1 tiny.config
check "tinyconfig+SPI+I2C: sizes equal arm-linux-gnueabi-size and the zImage" sizes_match out1 tiny-spi-i2c.config
check "the two configs differ in size" [ "$(col out1 tiny.config 5)" != "$(col out1 tiny-spi-i2c.config 5)" ]
check "both recorded with their sections" \
	[ "$(sqlite3 "$db" "SELECT count(DISTINCT build_id) FROM sections")" = 2 ]

# ---- the same command again: from the database, in seconds ----
t0=$(date +%s%N)
kbuild --workers 2 --jobs 1 --artifacts "$art" tiny.config tiny-spi-i2c.config > out2 2> err2
rc=$?
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
echo "# cached run: $ms ms"
check "the second run exits 0" [ $rc -eq 0 ]
check "the second run is answered from the database" [ "$(col out2 tiny.config 8)$(col out2 tiny-spi-i2c.config 8)" = yesyes ]
check "the second run takes seconds ($ms ms)" [ $ms -lt 10000 ]
check "the cached sizes are the built ones" [ "$(col out1 tiny.config 5)" = "$(col out2 tiny.config 5)" ]

root=$(sed -n 's/^kmin: building in \(.*\) with .*/\1/p' err1)
echo "# build root $root"

# ---- a timeout: recorded, nothing left running ----
kbuild --workers 1 --jobs 2 --timeout 15 tiny-printk.config > out3 2> err3
rc=$?
sed 's/^/# /' out3 err3
check "a timeout exits 1" [ $rc -eq 1 ]
check "a timeout is printed as timeout" [ "$(col out3 tiny-printk.config 1)" = timeout ]
check "a timeout is recorded" [ "$(sqlite3 "$db" "SELECT count(*) FROM builds WHERE status = 'timeout'")" = 1 ]
wdir=$root/$(sed -n 's/^kmin: \(w[0-9]*\): .*make build$/\1/p' err3 | head -1)
left=$(leftovers "$wdir")
check "no process left after the timeout${left:+ (left: $left)}" [ -z "$left" ]

# ---- kill -9 in the middle of a build ----
"$kmin" build --source "$src" --arch arm --db "$db" --workers 1 --jobs 2 tiny-printk.config \
	> out4 2> err4 &
pid=$!	# kmin itself, not a subshell
for _ in $(seq 1 300); do grep -q 'make build' err4 && break; sleep 0.2; done
sleep 20
kill -9 $pid
wait $pid 2>/dev/null
sleep 2
wdir=$root/$(sed -n 's/^kmin: \(w[0-9]*\): .*make build$/\1/p' err4 | head -1)
left=$(leftovers "$wdir")
check "kill -9 of kmin leaves no make or compiler running${left:+ (left: $left)}" [ -z "$left" ]
check "PRAGMA integrity_check is ok after kill -9" [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ]
kbuild --workers 1 --jobs 2 --artifacts "$art" tiny-printk.config > out5 2> err5
rc=$?
sed 's/^/# /' out5
check "the killed build completes on the next run" [ $rc -eq 0 ]
check "tinyconfig+PRINTK: sizes equal arm-linux-gnueabi-size and the zImage" sizes_match out5 tiny-printk.config
check "PRAGMA integrity_check is ok at the end" [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ]

finish
