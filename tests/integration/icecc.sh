#!/bin/bash
# icecc.sh - kmin build through a real icecream cluster on this machine
# (issue 9): icecc-scheduler and two iceccd on loopback with a private
# network name, started here and stopped at exit.
#
#  - "local" is the daemon icecc talks to (--no-remote: it never compiles
#    for others); "remote" takes remote jobs on its own TCP port, in a
#    chroot holding the compiler that icecc ships: kmin's environment
#    tarball of arm-linux-gnueabi-gcc (made once, cached in kmin's cache);
#  - kmin doctor --icecc reports the scheduler, both daemons with their
#    slots, the environment and a test compile that ran on "remote";
#  - a build through icecc (--quick: the fixture kernel compiled with the
#    real cross compiler, TK_CC='$(CC)'; otherwise: the real 6.1
#    tinyconfig) has the sizes of a local build, and "remote" compiled its
#    files (its log names them);
#  - "remote" is killed in the middle of a build: the build still ends ok
#    with the same sizes (icecc compiles locally what the dead daemon had,
#    and kmin would retry with ICECC=disable what still failed) and the
#    config is recorded ok, not failed;
#  - a fresh daemon given an environment whose gcc leaves another
#    release's .comment is refused by kmin build (exit 2, naming the
#    daemon and both compilers) and by kmin doctor, before anything builds.
#
# Icecream on one machine: every daemon has the address 127.0.0.1, and
# icecc compiles a job given to 127.0.0.1 itself ("building myself") -
# on a real network the daemons have their own addresses.  So, as
# icecream's own tests/test.sh does, the builds run with
# ICECC_TEST_REMOTEBUILD=1 and ICECC_PREFERRED_HOST=<remote daemon>, the
# daemons with ICECC_TESTS=1 (scheduler discovery on lo) and
# ICECC_TEST_SOCKET (a private socket instead of /var/run/icecc).  The
# daemons bind their TCP port on all interfaces: iceccd 1.4 with -i lo
# binds lo twice and exits ("Address already in use"); the private
# network name keeps other hosts' daemons out.  iceccd must run as root
# to chroot; it drops to the icecc user, so its files live in a
# directory that user owns.
#
# Real builds: the local reference of the real tinyconfig is shared with
# distcc.sh (${XDG_CACHE_HOME:-~/.cache}/kmin/tests/distcc-ref.db), so a
# full run costs one tinyconfig build through icecc (two when cold), -j2.
#
# Usage: tests/integration/icecc.sh [--kmin PATH] [--quick]
# Environment: KMIN_SRC (default ~/.cache/kmin/src/linux-source-6.1).
set -u

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_init icecc "$@"
refdb=$(kt_cache_dir)/tests/distcc-ref.db
envcache=$(kt_cache_dir)/icecc
conf=$(kt_cache_dir)/conf-6.1
pids=()

# Stop every daemon this script started: its process group (iceccd and
# the scheduler lead their own and put their compile children in it).
stop_ice() {
	local pid
	for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null; done
	sleep 0.3
	for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null; done
	pids=()
}
it_at_exit stop_ice

# A port P with TCP P, TCP P+1 (the scheduler's text interface) and UDP P free.
free_ports() {
	python3 - <<'EOF'
import socket
for _ in range(200):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    if p > 65000:
        continue
    try:
        for kind, port in ((socket.SOCK_STREAM, p), (socket.SOCK_STREAM, p + 1), (socket.SOCK_DGRAM, p)):
            t = socket.socket(socket.AF_INET, kind); t.bind(("0.0.0.0", port)); t.close()
    except OSError:
        continue
    print(p)
    break
EOF
}

# Column K of config C's row in kmin build output F (1 status, 2 text, 3 data, 4 bss, 6 image, 8 cached).
col() { awk -v c="$2" -v k="$3" '$NF == c { print $k }' "$1"; }
sizes() { echo "$(col "$1" "$2" 2) $(col "$1" "$2" 3) $(col "$1" "$2" 4) $(col "$1" "$2" 6)"; }
# Files the remote daemon compiled whose path contains $1.
remote_files() { grep -c "remote compile for file .*$1" "$tmp/ice/remote/log" 2>/dev/null || true; }
daemon_ready() { grep -q 'Connected to scheduler' "$tmp/ice/$1/log" 2>/dev/null; }

it_need_kmin
for prog in icecc iceccd icecc-scheduler icecc-create-env arm-linux-gnueabi-gcc; do
	command -v "$prog" >/dev/null || { not_ok "$prog is not installed (scripts/setup installs it)"; finish; }
done
if [ "$(id -u)" != 0 ]; then
	skip "iceccd compiles remote jobs in a chroot and so must start as root (this is uid $(id -u))"
	finish
fi
iceuser=icecc
id -u icecc >/dev/null 2>&1 || iceuser=nobody
echo "# kmin $kmin, scratch $tmp"
cd "$tmp" || exit 1

# ---- the cluster ----
net=kminit$$
sp=$(free_ports)
rp=$(free_ports)
[ -n "$sp" ] && [ -n "$rp" ] && [ "$rp" != "$sp" ] && [ "$rp" != $((sp + 1)) ] ||
	{ not_ok "no free ports for the cluster"; finish; }
mkdir -p ice/sched ice/local ice/remote
chown "$iceuser" ice/sched ice/local ice/remote
chmod 755 "$tmp" ice
ICECC_TESTS=1 icecc-scheduler -i lo -p "$sp" -n "$net" -l "$tmp/ice/sched/log" -vvv &
pids+=($!)
disown $!
sleep 0.5
ICECC_TESTS=1 ICECC_TEST_SOCKET=$tmp/ice/local/sock iceccd --no-remote -s "127.0.0.1:$sp" -n "$net" \
	-N "$net-local" -b "$tmp/ice/local/envs" -l "$tmp/ice/local/log" -m 2 -vvv &
pids+=($!)
disown $!
ICECC_TESTS=1 ICECC_TEST_SOCKET=$tmp/ice/remote/sock iceccd -s "127.0.0.1:$sp" -n "$net" \
	-N "$net-remote" -p "$rp" -b "$tmp/ice/remote/envs" -l "$tmp/ice/remote/log" -m 2 -vvv &
remote_pid=$!
pids+=($remote_pid)
disown $remote_pid
for _ in $(seq 1 60); do daemon_ready local && daemon_ready remote && break; sleep 0.5; done
check "icecc-scheduler listens on 127.0.0.1:$sp (network $net)" kill -0 "${pids[0]}"
check "both daemons logged in to the scheduler" bash -c "daemon_ready() { grep -q 'Connected to scheduler' \"$tmp/ice/\$1/log\"; }; daemon_ready local && daemon_ready remote"
if grep -q 'Cannot use chroot' ice/remote/log; then
	skip "iceccd cannot chroot here ('Cannot use chroot, no remote jobs accepted'): no remote compiles to test"
	finish
fi
check "the remote daemon takes jobs on port $rp" \
	python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 5).close()" "$rp"

# what icecc and kmin see of the cluster (see the top of the file)
export ICECC_TEST_SOCKET=$tmp/ice/local/sock ICECC_SCHEDULER=127.0.0.1:$sp
export ICECC_TEST_REMOTEBUILD=1 ICECC_PREFERRED_HOST=$net-remote
# kmin's worker directories under a private cache (builds start from
# scratch); the icecc environments are shared with kmin's real cache
export XDG_CACHE_HOME=$tmp/cache XDG_CONFIG_HOME=$tmp/config
unset KMIN_DISTCC_HOSTS KMIN_ICECC KMIN_ICECC_SLOTS DISTCC_HOSTS ICECC_VERSION ICECC ICECC_DEBUG
mkdir -p "$XDG_CACHE_HOME/kmin" "$XDG_CONFIG_HOME/kmin" "$envcache" "$(dirname "$refdb")"
ln -s "$envcache" "$XDG_CACHE_HOME/kmin/icecc"

# ---- kmin doctor --icecc ----
"$kmin" doctor --icecc --source "$src" --db "$tmp/doctor.db" > doctor.out 2> doctor.err
rc=$?
sed 's/^/# /' doctor.out doctor.err
check "doctor --icecc: exit 0" [ $rc -eq 0 ]
check "doctor finds the local daemon's socket" grep -Eq "^  iceccd +$tmp/ice/local/sock +ok" doctor.out
check "doctor reports the scheduler" grep -Eq "^  scheduler +127\.0\.0\.1:$sp: ICECC [0-9.]+: .*2 hosts" doctor.out
check "doctor lists the local daemon (2 slots, no remote jobs)" \
	grep -Eq "^  $net-local +127\.0\.0\.1:0 +$(uname -m) +2 +[0-9]+ +no " doctor.out
check "doctor lists the remote daemon (2 slots, remote jobs)" \
	grep -Eq "^  $net-remote +127\.0\.0\.1:$rp +$(uname -m) +2 +[0-9]+ +yes" doctor.out
check "doctor names the environment, keyed by the compiler identity" \
	grep -Eq "^  environment +$XDG_CACHE_HOME/kmin/icecc/arm-linux-gnueabi-gcc-[0-9a-f]{16}\.tar\.gz \([0-9.]+ MB, (made now|cached)\) +ok" doctor.out
check "doctor gives ICECC_VERSION with the platform and the target" \
	grep -Eq "ICECC_VERSION=$(uname -m):.*/arm-linux-gnueabi-gcc-[0-9a-f]{16}\.tar\.gz=arm-linux-gnueabi$" doctor.out
check "doctor's test compile ran on the remote daemon, with the local compiler" \
	grep -Eq "^  test +compile through icecc on 127\.0\.0\.1:$rp .*GCC: \(Debian" doctor.out
check "the remote daemon compiled doctor's test file" [ "$(remote_files kmin-probe.c)" -ge 1 ]
check "doctor counts 2 slots for remote jobs" grep -q '^  2 slots for remote jobs' doctor.out
printf '# kmin settings\nicecc = yes\n' > "$XDG_CONFIG_HOME/kmin/config"
"$kmin" doctor --source "$src" --db "$tmp/doctor.db" > doctor2.out 2>&1
check "\`icecc = yes\` in the config file: doctor checks icecream, the environment now cached" \
	bash -c "grep -q '^cluster: icecream' doctor2.out && grep -Eq '^  environment .*cached\) +ok' doctor2.out"
rm -f "$XDG_CONFIG_HOME/kmin/config"

# ---- builds: local reference, then through icecc with the remote daemon killed half-way ----
if [ $quick = 1 ]; then
	what="the fixture kernel"
	[ -x "$conf/conf" ] || XDG_CACHE_HOME=$(dirname "$(kt_cache_dir)") "$top/tests/fixtures/build-conf" >/dev/null 2>&1
	# the fixture runs the kernel's conf from kmin's cache: share it
	mkdir -p "$tmp/cache-local/kmin"
	ln -s "$conf" "$tmp/cache/kmin/conf-6.1"
	ln -s "$conf" "$tmp/cache-local/kmin/conf-6.1"
	# the fixture compiles with TK_CC: kmin's CC (icecc arm-linux-gnueabi-gcc),
	# each compile 0.4 s late so that the kill lands in the middle of the build
	export TK_CC='sleep 0.4; $(CC)' TK_LD=arm-linux-gnueabi-ld TK_OBJCOPY=arm-linux-gnueabi-objcopy
	tree=$tk refdb=$tmp/ref.db pattern=/tinykernel/ kill_after=3 min_remote=3
	make -s -C "$tk" O="$tmp/o" ARCH=arm CROSS_COMPILE=arm-linux-gnueabi- tinyconfig >/dev/null 2>&1
else
	what="the real tinyconfig"
	tree=$src pattern=/linux-source kill_after=60 min_remote=60
	it_need_tree
	make -s -C "$src" O="$tmp/o" ARCH=arm CROSS_COMPILE=arm-linux-gnueabi- tinyconfig >/dev/null 2>&1
fi
cp "$tmp/o/.config" tiny.config
rm -rf "$tmp/o"
check "tinyconfig made for $what" test -s tiny.config

t0=$(date +%s)
XDG_CACHE_HOME=$tmp/cache-local "$kmin" build --source "$tree" --arch arm --db "$refdb" \
	--workers 1 --jobs 2 --no-cluster tiny.config > ref.out 2> ref.err
rc=$?
t1=$(date +%s)
sed 's/^/# /' ref.out
check "the local build of $what is ok ($([ "$(col ref.out tiny.config 8)" = yes ] && echo "from $refdb" || echo "built in $((t1 - t0)) s"))" \
	[ "$rc $(col ref.out tiny.config 1)" = "0 ok" ]

before=$(remote_files "$pattern")
t0=$(date +%s)
KMIN_ICECC=1 "$kmin" build --source "$tree" --arch arm --db "$tmp/icecc.db" --workers 1 --jobs 2 \
	tiny.config > ice.out 2> ice.err &
pid=$!
killed=0
for _ in $(seq 1 6000); do
	kill -0 $pid 2>/dev/null || break
	if [ "$(remote_files "$pattern")" -ge $((before + kill_after)) ]; then
		kill -KILL -- "-$remote_pid" 2>/dev/null || kill -KILL "$remote_pid"
		killed=1
		break
	fi
	sleep 0.05
done
at_kill=$(remote_files "$pattern")
wait $pid
rc=$?
t1=$(date +%s)
sed 's/^/# /' ice.out ice.err
echo "# through icecc: $((t1 - t0)) s; the remote daemon compiled $((at_kill - before)) files of $what before it was killed"
check "kmin (KMIN_ICECC=1) says it builds through icecc" grep -q 'x make -j2 through icecc' ice.err
check "kmin found the scheduler and its 2 remote slots" \
	grep -q "icecc: scheduler 127.0.0.1:$sp, 2 daemons, 2 slots for remote jobs" ice.err
check "the build through icecc exits 0" [ $rc -eq 0 ]
check "its status is ok" [ "$(col ice.out tiny.config 1)" = ok ]
check "it was built, not taken from a database" [ "$(col ice.out tiny.config 8)" = no ]
check "the remote daemon compiled $((at_kill - before)) files of $what (its log)" \
	[ $((at_kill - before)) -ge $min_remote ]
check "the remote daemon was killed during the build" \
	bash -c "[ $killed = 1 ] && ! kill -0 $remote_pid 2>/dev/null"
check "text, data, bss and zImage equal the local build ($(sizes ref.out tiny.config))" \
	bash -c "[[ '$(sizes ice.out tiny.config)' =~ ^[0-9]+\ [0-9]+\ [0-9]+\ [0-9]+$ ]] && [ '$(sizes ice.out tiny.config)' = '$(sizes ref.out tiny.config)' ]"
check "the config is recorded ok (nothing recorded failed)" \
	[ "$(sqlite3 "$tmp/icecc.db" "SELECT group_concat(status) FROM builds")" = ok ]

# ---- a daemon whose environment holds another compiler is refused ----
# The environment kmin would send, with its gcc wrapped so that objects
# say another release in .comment (a /bin/sh added to run the wrapper),
# under the same name in another cache; a fresh daemon receives it.
if [ ! -x /bin/dash ]; then
	skip "no /bin/dash to run a wrapper compiler in the daemon's chroot"
	finish
fi
tarball=$(sed -n 's/^  environment  *\([^ ]*\) (.*/\1/p' doctor.out)
fake=$tmp/cache-fake/kmin/icecc
mkdir -p "$fake" "$tmp/fakeenv"
tar -xzf "$tarball" -C "$tmp/fakeenv"
mv "$tmp/fakeenv/usr/bin/gcc" "$tmp/fakeenv/usr/bin/gcc.real"
cp /bin/dash "$tmp/fakeenv/bin/sh"
cat > "$tmp/fakeenv/usr/bin/gcc" <<'WRAPPER'
#!/bin/sh
# The real compiler, then its .comment replaced: what another gcc release leaves.
out= prev=
for a in "$@"; do [ "$prev" = -o ] && out=$a; prev=$a; done
/usr/bin/gcc.real "$@" || exit $?
[ -n "$out" ] && [ -f "$out" ] || exit 0
printf 'GCC: (Fake 99.1.0-1) 99.1.0\0' > "$out.comment"
# (the chroot has no rm: the scratch file stays with the daemon's job)
exec /usr/bin/objcopy --remove-section .comment --add-section .comment="$out.comment" "$out"
WRAPPER
chmod 755 "$tmp/fakeenv/usr/bin/gcc"
tar -czf "$fake/$(basename "$tarball")" -C "$tmp/fakeenv" .
mkdir -p "$tmp/ice/other"
chown "$iceuser" "$tmp/ice/other"
ICECC_TESTS=1 ICECC_TEST_SOCKET=$tmp/ice/other/sock iceccd -s "127.0.0.1:$sp" -n "$net" \
	-N "$net-other" -p "$rp" -b "$tmp/ice/other/envs" -l "$tmp/ice/other/log" -m 2 -vvv &
pids+=($!)
disown $!
for _ in $(seq 1 60); do daemon_ready other && break; sleep 0.5; done
XDG_CACHE_HOME=$tmp/cache-fake ICECC_PREFERRED_HOST=$net-other "$kmin" build --source "$tree" \
	--arch arm --db "$tmp/bad.db" --workers 1 --jobs 2 --icecc tiny.config > bad.out 2> bad.err
rc=$?
sed 's/^/# /' bad.err
check "a daemon compiling with another compiler: exit 2" [ $rc -eq 2 ]
check "the refusal names the daemon and both compilers" \
	grep -q "different compiler on 127.0.0.1:$rp: 'GCC: (Fake 99.1.0-1) 99.1.0' there, 'GCC: (Debian" bad.err
check "nothing was built for the refused cluster" \
	[ "$(sqlite3 "$tmp/bad.db" 'SELECT count(*) FROM builds' 2>/dev/null || echo 0)" = 0 ]
XDG_CACHE_HOME=$tmp/cache-fake ICECC_PREFERRED_HOST=$net-other "$kmin" doctor --icecc \
	--source "$src" --db "$tmp/doctor.db" > doctor3.out 2>&1
rc=$?
check "doctor marks the test compile refused (exit 1)" \
	bash -c "[ $rc -eq 1 ] && grep -Eq '^  test +a different compiler answered +REFUSED' $tmp/doctor3.out"

finish
