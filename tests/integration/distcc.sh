#!/bin/bash
# distcc.sh - kmin build through a real distcc cluster on this machine
# (issue 9): two distccd on loopback ports, a third whose
# arm-linux-gnueabi-gcc is another compiler (its objects say so in their
# .comment section).
#
#  1. a tinyconfig build through the two good daemons has the sizes of a
#     local build of the same config, and the daemons' logs show that
#     compiles went remote;
#  2. the busy daemon is killed in the middle of that build: the build
#     still ends ok with the same sizes (distcc compiles locally what the
#     dead host had, and kmin would retry locally what still failed), and
#     the other daemon takes the rest;
#  3. a host with a different compiler is refused (exit 2, the message names
#     the host and both versions), also when it comes from
#     KMIN_DISTCC_HOSTS, before anything builds;
#  4. kmin doctor lists the hosts with slots and compiler versions, reading
#     the cluster from the config file, and marks the bad host refused.
#
# Builds: the local reference is kept in a test database in kmin's cache
# (${XDG_CACHE_HOME:-~/.cache}/kmin/tests/distcc-ref.db) and reused while
# kernel and toolchain are the same, so a run costs one tinyconfig build
# through the cluster (two when the reference is cold), -j2.
#
# Usage: tests/integration/distcc.sh [--kmin PATH] [--quick]
# Environment: KMIN_SRC (default ~/.cache/kmin/src/linux-source-6.1).
set -u

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_init distcc "$@"
refdb=$(kt_cache_dir)/tests/distcc-ref.db
daemons=()

# distccd drops root to its own user: its pid and log files must be writable
chmod 1777 "$tmp"

stop_daemons() {
	local pid kid
	for pid in "${daemons[@]}"; do
		for kid in $(ps -o pid= --ppid "$pid" 2>/dev/null); do kill -9 "$kid" 2>/dev/null; done
		kill -9 "$pid" 2>/dev/null
	done
}
it_at_exit stop_daemons

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_daemon NAME PORT [PATH]: distccd on 127.0.0.1:PORT, logging to $tmp/NAME.log.
start_daemon() {
	local name=$1 port=$2 path=${3:-$PATH} pid insecure=()
	# the compiler whitelist is /usr/lib/distcc (update-distcc-symlinks); loopback only anyway
	[ -e /usr/lib/distcc/arm-linux-gnueabi-gcc ] || insecure=(--enable-tcp-insecure)
	PATH=$path distccd --daemon --allow 127.0.0.1 --listen 127.0.0.1 --port "$port" -j 2 \
		--pid-file "$tmp/$name.pid" --log-file "$tmp/$name.log" --log-level=info "${insecure[@]}"
	for _ in $(seq 1 50); do [ -s "$tmp/$name.pid" ] && break; sleep 0.1; done
	pid=$(cat "$tmp/$name.pid" 2>/dev/null)
	[ -n "$pid" ] && daemons+=("$pid")
	[ -n "$pid" ]
}

# Kill daemon NAME and the children it forked (by pid).
kill_daemon() {
	local pid kid
	pid=$(cat "$tmp/$1.pid")
	for kid in $(ps -o pid= --ppid "$pid"); do kill -9 "$kid" 2>/dev/null; done
	kill -9 "$pid" 2>/dev/null
}

compiles() { grep -c 'COMPILE_OK' "$1" 2>/dev/null || true; }

# Column K of config C's row in kmin build output F (1 status, 2 text, 3 data, 4 bss, 5 dec, 6 image, 8 cached).
col() { awk -v c="$2" -v k="$3" '$NF == c { print $k }' "$1"; }
sizes() { echo "$(col "$1" "$2" 2) $(col "$1" "$2" 3) $(col "$1" "$2" 4) $(col "$1" "$2" 6)"; }

it_need_kmin
it_need_tree
command -v distccd >/dev/null && command -v distcc >/dev/null ||
	{ not_ok "distcc is not installed (scripts/setup installs it)"; finish; }
echo "# kmin $kmin, source $src, scratch $tmp"
cd "$tmp" || exit 1

# kmin's worker directories go under a private cache, so the build through
# the cluster starts from scratch and really compiles; distcc's own state
# (host back-off) is private too
export XDG_CACHE_HOME=$tmp/cache XDG_CONFIG_HOME=$tmp/config DISTCC_DIR=$tmp/distcc
unset KMIN_DISTCC_HOSTS KMIN_ICECC DISTCC_HOSTS
mkdir -p "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME/kmin" "$DISTCC_DIR" "$(dirname "$refdb")"

# ---- the daemons: two good ones, one with a different compiler ----
p1=$(free_port); p2=$(free_port); p3=$(free_port)
mkdir -p fake
cat > fake/arm-linux-gnueabi-gcc <<'EOF'
#!/bin/sh
# The real compiler, then its .comment replaced: what another gcc release leaves.
out= prev=
for a in "$@"; do [ "$prev" = -o ] && out=$a; prev=$a; done
/usr/bin/arm-linux-gnueabi-gcc "$@" || exit $?
[ -n "$out" ] && [ -f "$out" ] || exit 0
printf 'GCC: (Fake 99.1.0-1) 99.1.0\0' > "$out.comment"
/usr/bin/arm-linux-gnueabi-objcopy --remove-section .comment --add-section .comment="$out.comment" "$out"
rc=$?
rm -f "$out.comment"
exit $rc
EOF
chmod 755 fake fake/arm-linux-gnueabi-gcc
check "distccd 1 listens on 127.0.0.1:$p1" start_daemon d1 "$p1"
check "distccd 2 listens on 127.0.0.1:$p2" start_daemon d2 "$p2"
check "distccd 3 (another compiler) listens on 127.0.0.1:$p3" start_daemon d3 "$p3" "$tmp/fake:$PATH"
good="127.0.0.1:$p1/2 127.0.0.1:$p2/2"

make -s -C "$src" O="$tmp/o" ARCH=arm CROSS_COMPILE=arm-linux-gnueabi- tinyconfig >/dev/null 2>&1
cp "$tmp/o/.config" tiny.config
rm -rf "$tmp/o"
check "tinyconfig made" grep -q '^CONFIG_CPU_V7M=y' tiny.config

# ---- 3. a different compiler is refused, before anything builds ----
"$kmin" build --source "$src" --arch arm --db "$tmp/bad.db" --workers 1 --jobs 2 \
	--distcc "$good 127.0.0.1:$p3/2" tiny.config > bad.out 2> bad.err
rc=$?
sed 's/^/# /' bad.err
check "--distcc with a host of another compiler: exit 2" [ $rc -eq 2 ]
check "the refusal names the host" grep -q "distcc host '127.0.0.1:$p3/2' has a different compiler" bad.err
check "the refusal names both versions" \
	grep -q "'GCC: (Fake 99.1.0-1) 99.1.0' there, 'GCC: (Debian.*' here" bad.err
check "nothing was built for the refused cluster" [ ! -s "$tmp/bad.db" ] || \
	[ "$(sqlite3 "$tmp/bad.db" 'SELECT count(*) FROM builds' 2>/dev/null || echo 0)" = 0 ]
KMIN_DISTCC_HOSTS="127.0.0.1:$p3" "$kmin" build --source "$src" --arch arm --db "$tmp/bad.db" \
	--workers 1 --jobs 2 tiny.config > bad2.out 2> bad2.err
check "KMIN_DISTCC_HOSTS with that host: exit 2 too" [ $? -eq 2 ]
check "the remote compile went to distccd 3 (its log)" [ "$(compiles d3.log)" -ge 1 ]

# ---- 4. kmin doctor, the cluster from the config file ----
printf '# kmin settings\ndistcc = %s 127.0.0.1:%s/3\n' "$good" "$p3" > "$XDG_CONFIG_HOME/kmin/config"
"$kmin" doctor --source "$src" --db "$tmp/doctor.db" > doctor.out 2> doctor.err
rc=$?
sed 's/^/# /' doctor.out doctor.err
check "doctor: exit 1 with a refused host" [ $rc -eq 1 ]
check "doctor lists host 1 with its 2 slots and compiler" \
	grep -Eq "^  127\.0\.0\.1:$p1/2 +tcp +2  GCC: \(Debian [^)]*\) [0-9.]+ +ok" doctor.out
check "doctor lists host 2 with its 2 slots and compiler" \
	grep -Eq "^  127\.0\.0\.1:$p2/2 +tcp +2  GCC: \(Debian [^)]*\) [0-9.]+ +ok" doctor.out
check "doctor marks host 3 (3 slots, the other compiler) refused" \
	grep -Eq "^  127\.0\.0\.1:$p3/3 +tcp +3  GCC: \(Fake 99.1.0-1\) 99.1.0 +REFUSED" doctor.out
check "doctor counts 4 usable slots of 7" grep -q '4 usable slots of 7' doctor.out
check "doctor checks the cross compiler and the tree" \
	grep -q 'test compile .*GCC: (Debian' doctor.out
printf 'distcc = %s\n' "$good" > "$XDG_CONFIG_HOME/kmin/config"
"$kmin" doctor --source "$src" --db "$tmp/doctor.db" > doctor2.out 2>&1
check "doctor: exit 0 with the two good hosts" [ $? -eq 0 ]
"$kmin" doctor --source "$src" --db "$tmp/doctor.db" --no-cluster > doctor3.out 2>&1
check "doctor --no-cluster ignores the config file" grep -q '^cluster: none' doctor3.out
rm -f "$XDG_CONFIG_HOME/kmin/config"

# ---- the local reference (kept in a test database while kernel and toolchain hold) ----
t0=$(date +%s)
"$kmin" build --source "$src" --arch arm --db "$refdb" --workers 1 --jobs 2 --no-cluster \
	tiny.config > ref.out 2> ref.err
rc=$?
t1=$(date +%s)
sed 's/^/# /' ref.out
check "the local reference build is ok ($([ "$(col ref.out tiny.config 8)" = yes ] && echo cached || echo "built in $((t1 - t0)) s"))" \
	[ $rc -eq 0 ] && [ "$(col ref.out tiny.config 1)" = ok ]

# ---- 1 + 2. through the cluster, the busy daemon killed half-way ----
before1=$(compiles d1.log) before2=$(compiles d2.log)
t0=$(date +%s)
"$kmin" build --source "$src" --arch arm --db "$tmp/cluster.db" --workers 1 --jobs 2 \
	--distcc "$good" tiny.config > cl.out 2> cl.err &
pid=$!
killed=0
for _ in $(seq 1 1500); do
	kill -0 $pid 2>/dev/null || break
	if [ "$(compiles d1.log)" -ge $((before1 + 40)) ]; then
		kill_daemon d1
		killed=1
		break
	fi
	sleep 0.2
done
at_kill1=$(compiles d1.log) at_kill2=$(compiles d2.log)
wait $pid
rc=$?
t1=$(date +%s)
sed 's/^/# /' cl.out cl.err
echo "# through the cluster: $((t1 - t0)) s; compiles on distccd 1 before its kill: $((at_kill1 - before1)), on distccd 2: $((at_kill2 - before2)) then $(( $(compiles d2.log) - at_kill2 )) after"
check "kmin says it builds through distcc" grep -q 'x make -j2 through distcc' cl.err
check "the build through the cluster exits 0" [ $rc -eq 0 ]
check "its status is ok" [ "$(col cl.out tiny.config 1)" = ok ]
check "it was built, not taken from a database" [ "$(col cl.out tiny.config 8)" = no ]
check "compiles went remote: distccd 1 compiled $((at_kill1 - before1)) files" [ $((at_kill1 - before1)) -ge 40 ]
check "distccd 1 was killed during the build" [ $killed = 1 ]
check "distccd 2 compiled files after the kill" [ "$(compiles d2.log)" -gt "$at_kill2" ]
check "text, data, bss and zImage equal the local build ($(sizes ref.out tiny.config))" \
	[ "$(sizes cl.out tiny.config)" = "$(sizes ref.out tiny.config)" ]
check "the cluster build is recorded ok (nothing recorded failed)" \
	[ "$(sqlite3 "$tmp/cluster.db" "SELECT group_concat(status) FROM builds")" = ok ]

finish
