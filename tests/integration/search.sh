#!/bin/bash
# search.sh - `kmin run`, the search, end to end (the acceptance of issue 6).
#
# On the tinykernel fixture (tests/fixtures/tinykernel, builds in a second,
# optimum known by exhaustive search: dec 59280 for USB,SPI from either
# tinyconfig or board_defconfig):
#   - greedy from board_defconfig reaches the optimum, writes min.config,
#     min_defconfig and summary.json, and meets the fixture's link failures
#     on the way (a build that fails is rejected, not accepted);
#   - linear reaches it too, with more builds;
#   - a choice switch saving less than --min-switch-saving is rejected,
#     and not tried again; a member greedy left for a smaller one is not
#     tried again, nor after a resume (the steps are replayed); once a
#     switch moved the size by less than that, greedy
#     builds no other member of its choice (a copy of the fixture with a
#     timer-rate choice whose members are all the same size);
#   - a requirement is never dropped (I2C kept when required);
#   - a config that built but failed the ELF check is not accepted later
#     from the store (a copy of the fixture hiding usb_add_hcd);
#   - --max-builds is honoured (the verification included), status budget;
#   - kill -9 in mid-run, then the same command resumes the run and
#     finishes at the optimum; a second kmin on a run still going is
#     refused; --resume of a finished run is refused;
#   - `kmin runs --format json` lists the runs with their fields;
#   - bare `kmin --arch ... --require ...` is `kmin run`;
#   - from tinyconfig + USB,SPI (already minimal) the engine finds no
#     candidate and the run ends after the base build.
# On the real 6.1 tree (skipped when it is missing): --plan from tinyconfig
# + USB,SPI finds no move (already minimal), from versatile_defconfig many
# (compression switches only when the image is measured);
# arm tinyconfig +
# SPI,I2C with --max-builds 3: a verified result no larger than the base.
#
# Usage: tests/integration/search.sh [--kmin PATH] [--quick]
#   --kmin PATH   the kmin binary (default: build/src/kmin of this checkout)
#   --quick       accepted for scripts/test (the real-kernel run is already
#                 CI-sized: 3 builds, a few minutes at -j2)
# Environment: KMIN_SRC (default ~/.cache/kmin/src/linux-source-6.1).
# Prints ok/not ok lines and ends with "search: N passed, N failed".
set -u

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_init search "$@"

trun() { "$kmin" run --source "$tk" --arch arm --jobs 2 "$@"; }

optimum=59280

it_fixture_conf

# ---- greedy from board_defconfig ----
trun --require USB,SPI --base board_defconfig --db "$tmp/g.db" --output "$tmp/g" >"$tmp/g.log" 2>&1
rc=$?
check "greedy run exits 0" [ "$rc" = 0 ]
check "greedy reaches the optimum ($optimum)" [ "$(jget "$tmp/g/summary.json" "j['final']['dec']")" = "$optimum" ]
check "min.config keeps USB and SPI_MASTER" grep -q '^CONFIG_USB=y' "$tmp/g/min.config"
check "min_defconfig written" test -s "$tmp/g/min_defconfig"
check "summary.json has base sizes for every metric" \
	[ "$(jget "$tmp/g/summary.json" "sorted(j['base'].keys())")" = "['bss', 'data', 'dec', 'flash', 'image', 'ram', 'text']" ]
check "summary lists removed moves with savings" \
	[ "$(jget "$tmp/g/summary.json" "len(j['removed']) > 0 and all('saving' in r for r in j['removed'])")" = True ]
check "the final config was verified" [ "$(jget "$tmp/g/summary.json" "j['verified']")" = True ]
gbuilds=$(jget "$tmp/g/summary.json" "j['builds']")

# ---- linear ----
trun --strategy linear --require USB,SPI --base board_defconfig --db "$tmp/l.db" \
	--output "$tmp/l" >"$tmp/l.log" 2>&1
check "linear reaches the optimum" [ "$(jget "$tmp/l/summary.json" "j['final']['dec']")" = "$optimum" ]
lbuilds=$(jget "$tmp/l/summary.json" "j['builds']")
echo "# builds: greedy $gbuilds, linear $lbuilds"
check "greedy needs at most 25% of linear's builds" [ $((4 * ${gbuilds:-99})) -le "${lbuilds:-0}" ]
check "greedy builds no switch away from tiny.config's member (SLOB)" \
	bash -c "grep -q 'reject SLUB=y: would leave SLOB' '$tmp/g.log' && ! grep -q 'accept.* SLUB=y' '$tmp/g.log'"
check "linear still builds every switch (the baseline)" grep -q 'SLUB=y: grew' "$tmp/l.log"

# ---- a choice switch must save --min-switch-saving (default 0.1 %) ----
trun --strategy linear --require USB,SPI --base board_defconfig --db "$tmp/l.db" \
	--output "$tmp/ms" --min-switch-saving 10% >"$tmp/ms.log" 2>&1
check "a switch saving less than --min-switch-saving is rejected (SLUB=y: 6169 < 10%)" \
	grep -q 'reject SLUB=y: saves only 6169 (a choice switch must save [0-9]*)' "$tmp/ms.log"
check "a switch saving more is taken (EXPERT=y SLOB=y: 14297)" grep -q 'accept EXPERT=y SLOB=y' "$tmp/ms.log"
check "a switch rejected for its size is not tried again after an acceptance" \
	[ "$(grep -c ' SLUB=y: ' "$tmp/ms.log")" = 1 ]

# ---- a requirement is never lost ----
trun --require USB,SPI,I2C --base board_defconfig --db "$tmp/g.db" --output "$tmp/i" >"$tmp/i.log" 2>&1
check "a required symbol stays (I2C)" grep -q '^CONFIG_I2C=y' "$tmp/i/min.config"
check "no move dropping I2C was built" bash -c "! grep -q 'accept.*I2C=n' '$tmp/i.log'"

# ---- builds that fail: with SLAB required, SMP=n does not link (slab.c) ----
trun --require USB,SPI,SLAB --base board_defconfig --db "$tmp/f.db" --output "$tmp/f" >"$tmp/f.log" 2>&1
check "a failing build is rejected" grep -q 'reject SMP=n: failed: .*undefined reference' "$tmp/f.log"
check "the run with failing builds ends verified" [ "$(jget "$tmp/f/summary.json" "j['verified']")" = True ]
check "the required SLAB is kept" grep -q '^CONFIG_SLAB=y' "$tmp/f/min.config"

# ---- budgets ----
trun --require USB,SPI --base board_defconfig --db "$tmp/b.db" --output "$tmp/b" --max-builds 3 \
	>"$tmp/b.log" 2>&1
rc=$?
check "--max-builds 3: exit 0" [ "$rc" = 0 ]
check "--max-builds 3: at most 3 builds" [ "$(jget "$tmp/b/summary.json" "j['builds'] <= 3")" = True ]
check "--max-builds 3: status budget" [ "$(jget "$tmp/b/summary.json" "j['status']")" = budget ]

# ---- resume after kill -9 (make slowed down so the kill lands mid-run) ----
mkdir -p "$tmp/bin"
printf '#!/bin/sh\nsleep 1\nexec /usr/bin/make "$@"\n' >"$tmp/bin/make"
chmod +x "$tmp/bin/make"
# (exec: $! is kmin itself, not a subshell that kill -9 would leave kmin running under)
(PATH=$tmp/bin:$PATH exec "$kmin" run --source "$tk" --arch arm --jobs 2 --require USB,SPI \
	--base board_defconfig --db "$tmp/r.db" --output "$tmp/r" >"$tmp/r1.log" 2>&1) &
pid=$!
for _ in $(seq 1 60); do
	sleep 0.5
	grep -q 'accept' "$tmp/r1.log" && break
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
check "the killed run left an unfinished run" \
	bash -c "'$kmin' runs --db '$tmp/r.db' --format json | grep -q '\"status\":\"running\"'"
trun --require USB,SPI --base board_defconfig --db "$tmp/r.db" --output "$tmp/r" >"$tmp/r2.log" 2>&1
check "the same command resumes" grep -q 'resuming run 1' "$tmp/r2.log"
check "the resumed run reaches the optimum" [ "$(jget "$tmp/r/summary.json" "j['final']['dec']")" = "$optimum" ]
check "resume did not start a second run" \
	[ "$("$kmin" runs --db "$tmp/r.db" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 1 ]

# ---- a member left for a smaller one is not tried again (greedy) ----
# SLOB=n: greedy switches SLAB -> SLUB alone (saves 6169); SLAB=y comes back
# as a candidate once SMP is gone and must not cost a build
trun --require USB,SPI,SLOB=n --base board_defconfig --db "$tmp/left.db" --output "$tmp/left" \
	>"$tmp/left.log" 2>&1
check "greedy takes SLUB=y alone, then refuses SLAB=y without a build" \
	bash -c "grep -q 'accept SLUB=y' '$tmp/left.log' &&
		grep -q 'reject SLAB=y: SLAB was left for a smaller member' '$tmp/left.log'"
check "... and keeps SLUB (SLOB=n required)" \
	bash -c "grep -q '^CONFIG_SLUB=y' '$tmp/left/min.config' && ! grep -q '^CONFIG_SLOB=y' '$tmp/left/min.config'"
# stopped by its budget after SLUB=y, then resumed with a larger one: the
# run knows from its steps which member it left, and SLAB=y is refused
# without asking the store (one worker: the same order every time)
trun --workers 1 --require USB,SPI,SLOB=n --base board_defconfig --db "$tmp/left1.db" \
	--output "$tmp/left1" --max-builds 18 >"$tmp/left1.log" 2>&1
trun --workers 1 --require USB,SPI,SLOB=n --base board_defconfig --db "$tmp/left1.db" \
	--output "$tmp/left1" --max-builds 40 --resume 1 >"$tmp/left2.log" 2>&1
check "stopped by --max-builds 18 after SLUB=y (status budget)" \
	bash -c "grep -q 'accept SLUB=y' '$tmp/left1.log' && grep -q '^run 1 (greedy, dec): budget' '$tmp/left1.log'"
check "resumed with --resume 1: SLAB=y refused from the replayed steps, not asked of the store" \
	bash -c "grep -q 'reject SLAB=y: SLAB was left for a smaller member' '$tmp/left2.log' &&
		! grep -q 'reject SLAB=y: failed' '$tmp/left2.log' && grep -q '(resumed)' '$tmp/left2.log'"
check "... its summary lists what was removed before the resume too (SLUB=y)" \
	py "$tmp/left1/summary.json" "assert any(r['moves'] == 'SLUB=y' for r in j['removed'])"
trun --workers 1 --require USB,SPI,SLOB=n --base board_defconfig --db "$tmp/left1.db" \
	--output "$tmp/left1" --resume 1 >"$tmp/left3.log" 2>&1
rc=$?
check "--resume of a finished run is refused (exit $rc)" \
	bash -c "[ $rc != 0 ] && grep -q 'run 1 is finished (done)' '$tmp/left3.log'"

# ---- the run row's count of answers from the database after kill -9 ----
# A kill -9 between a step and the run row's update leaves the row's
# `cached` behind its steps (simulated: set to 0); the resumed run counts
# them from its steps.  The base is answered by the greedy run's build.
cp "$tmp/g.db" "$tmp/c.db"
trun --strategy linear --require USB,SPI --base board_defconfig --db "$tmp/c.db" \
	--output "$tmp/c" --max-builds 3 >"$tmp/c1.log" 2>&1
crun=$(sqlite3 "$tmp/c.db" "SELECT max(id) FROM runs")
sqlite3 "$tmp/c.db" "UPDATE runs SET cached = 0 WHERE id = $crun"
trun --strategy linear --require USB,SPI --base board_defconfig --db "$tmp/c.db" \
	--output "$tmp/c" --max-builds 5 --resume "$crun" >"$tmp/c2.log" 2>&1
csteps=$(sqlite3 "$tmp/c.db" "SELECT count(*) FROM steps WHERE run_id = $crun AND cached")
crow=$(sqlite3 "$tmp/c.db" "SELECT cached FROM runs WHERE id = $crun")
check "resumed: the run row counts every answer from the database in its steps ($crow of $csteps)" \
	bash -c "grep -q '(resumed)' '$tmp/c2.log' && [ '$crow' = '$csteps' ] && [ '${csteps:-0}' -ge 1 ]"
check "... and so does its summary" [ "$(jget "$tmp/c/summary.json" "j['cached']")" = "$csteps" ]

# ---- a choice whose members are the same size: one build, not one per member ----
# A copy of the fixture with a timer-rate choice (HZ_100 default, HZ_250,
# HZ_1000) that only changes a constant in kernel/sched.o: 0 bytes either
# way.  Greedy builds one switch and refuses the other without a build;
# linear, the baseline, builds both.  Two workers: a switch waits while
# another of its choice is being built, so the second is never started.
cp -r "$tk" "$tmp/tk-hz"
cat >>"$tmp/tk-hz/init/Kconfig" <<'KC'

choice
	prompt "Timer frequency"
	default HZ_100

config HZ_100
	bool "100 HZ"

config HZ_250
	bool "250 HZ"

config HZ_1000
	bool "1000 HZ"

endchoice
KC
cat >>"$tmp/tk-hz/kernel/sched.c" <<'C'

#if defined(CONFIG_HZ_1000)
const unsigned int tk_hz = 1000;
#elif defined(CONFIG_HZ_250)
const unsigned int tk_hz = 250;
#else
const unsigned int tk_hz = 100;
#endif
C
for strategy in greedy linear; do
	"$kmin" run --source "$tmp/tk-hz" --arch arm --jobs 1 --workers 2 --strategy $strategy \
		--require USB,SPI --base board_defconfig --db "$tmp/hz-$strategy.db" \
		--output "$tmp/hz-$strategy" >"$tmp/hz-$strategy.log" 2>&1
	echo "$strategy exit $?" >>"$tmp/hz.rc"
done
hz_built() { grep -c "reject HZ_[0-9]*=y: \(no saving\|grew\|saves only\)" "$tmp/hz-$1.log"; }
hz_refused=$(grep -c 'reject HZ_[0-9]*=y: its choice hardly changes the size (HZ_[0-9]*: +0 bytes)' \
	"$tmp/hz-greedy.log")
check "greedy builds one timer-rate switch ($(hz_built greedy)), refuses the other without a build" \
	[ "$(hz_built greedy)" = 1 -a "$hz_refused" -ge 1 ]
check "linear builds both (exit codes: $(tr '\n' ' ' <"$tmp/hz.rc"))" [ "$(hz_built linear)" = 2 ]
# the choice changes no size: the copy's optimum is the fixture's plus tk_hz
check "greedy still reaches the optimum with the choice ($optimum + 4 bytes of tk_hz)" \
	[ "$(jget "$tmp/hz-greedy/summary.json" "j['final']['dec']")" = "$((optimum + 4))" ]

# ---- a config that built but failed the oracle is not accepted from the store ----
# A copy of the fixture whose usb_add_hcd (the proof of USB) is compiled
# only with CFG80211, which Kconfig does not say: every config without
# CFG80211 builds and fails the ELF check.  Halves of a rejected batch
# often come to the same config (MAC80211 goes with CFG80211), which the
# store knows as a good build: the run must remember the verdict, or it
# accepts that config and fails its verification.
cp -r "$tk" "$tmp/tk-elf"
python3 - "$tmp/tk-elf/drivers/usb/core/hcd.c" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("/* Proof of the USB feature", "#ifdef CONFIG_CFG80211\n/* Proof of the USB feature", 1)
s = s.replace("void usb_init(void)\n{\n\tusb_add_hcd(0, 1);\n}",
              "#endif\n\nvoid usb_init(void)\n{\n#ifdef CONFIG_CFG80211\n\tusb_add_hcd(0, 1);\n#endif\n}", 1)
open(p, "w").write(s)
PY
"$kmin" run --source "$tmp/tk-elf" --arch arm --jobs 1 --workers 2 --require USB,SPI \
	--base board_defconfig --db "$tmp/elf.db" --output "$tmp/elf" >"$tmp/elf.log" 2>&1
rc=$?
check "the fixture copy hides usb_add_hcd without CFG80211 (the ELF check rejects)" \
	grep -q "'usb_add_hcd' is not in vmlinux" "$tmp/elf.log"
check "the run ends verified with CFG80211 kept (exit $rc)" \
	bash -c "[ $rc = 0 ] && grep -q '^kmin: verification: ok' '$tmp/elf.log' &&
		grep -q '^CONFIG_CFG80211=y' '$tmp/elf/min.config'"
check "no accepted step lost usb_add_hcd" \
	bash -c "! grep -q 'accept.*CFG80211=n' '$tmp/elf.log'"

# ---- SIGTERM while the base builds: interrupted, not failed; resumable ----
printf '#!/bin/sh\nsleep 4\nexec /usr/bin/make "$@"\n' >"$tmp/bin/make"
(PATH=$tmp/bin:$PATH exec "$kmin" run --source "$tk" --arch arm --jobs 2 --require USB,SPI \
	--base board_defconfig --db "$tmp/t.db" --output "$tmp/t" >"$tmp/t1.log" 2>&1) &
pid=$!
sleep 2
kill -TERM $pid 2>/dev/null
wait $pid
rc=$?
check "SIGTERM during the base build: exit 1, 'interrupted', not 'does not pass' (exit $rc)" \
	bash -c "[ $rc = 1 ] && grep -q 'interrupted; run the same command again' '$tmp/t1.log' &&
		! grep -q 'does not pass' '$tmp/t1.log'"
check "... the run stays resumable (status running, no base step)" \
	bash -c "'$kmin' runs --db '$tmp/t.db' --format json | grep -q '\"status\":\"running\"'"
trun --require USB,SPI --base board_defconfig --db "$tmp/t.db" --output "$tmp/t" >"$tmp/t2.log" 2>&1
check "... and the same command finishes it at the optimum" \
	bash -c "grep -q 'resuming run 1' '$tmp/t2.log' &&
		[ \"\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"final\"][\"dec\"])' '$tmp/t/summary.json')\" = $optimum ]"

# ---- a step that cannot be stored stops the run (resume needs every step) ----
# a copy of a database with two runs done; a trigger refuses a new run's
# steps after its third
cp "$tmp/g.db" "$tmp/steps.db"
python3 -c "
import sqlite3, sys
d = sqlite3.connect(sys.argv[1])
d.execute(\"CREATE TRIGGER no_steps BEFORE INSERT ON steps WHEN NEW.run_id > 2 AND NEW.seq > 3 \"
          \"BEGIN SELECT RAISE(ABORT, 'steps refused by the test'); END\")
d.commit()" "$tmp/steps.db"
trun --require USB,SPI,I2C --base board_defconfig --db "$tmp/steps.db" --output "$tmp/steps" \
	>"$tmp/steps.log" 2>&1
rc=$?
check "a step the database refuses stops the run: exit 1, the reason said, the run resumable (exit $rc)" \
	bash -c "[ $rc = 1 ] && grep -q 'steps refused by the test' '$tmp/steps.log' &&
		'$kmin' runs --db '$tmp/steps.db' --format json | grep -q '\"status\":\"running\"'"

# ---- bad option values: exit 2, naming the option and the value ----
for bad in "--time-budget nan" "--time-budget 0x10" "--time-budget 1e3" "--max-builds abc" \
	"--metric foo" "--strategy best" "--min-switch-saving 5x"; do
	# shellcheck disable=SC2086
	trun --require USB,SPI --base board_defconfig --db "$tmp/bad.db" $bad --plan \
		>"$tmp/bad.log" 2>&1
	rc=$?
	check "$bad is refused (exit $rc)" \
		bash -c "[ $rc = 2 ] && grep -q -- '${bad#* }' '$tmp/bad.log'"
done

# ---- two kmin on one command and database: the second does not join the run ----
(PATH=$tmp/bin:$PATH exec "$kmin" run --source "$tk" --arch arm --jobs 2 --require USB,SPI \
	--base board_defconfig --db "$tmp/two.db" --output "$tmp/two" >"$tmp/two1.log" 2>&1) &
pid=$!
sleep 2
trun --require USB,SPI --base board_defconfig --db "$tmp/two.db" --output "$tmp/two" \
	>"$tmp/two2.log" 2>&1
rc=$?
check "a second kmin on a run still going is refused (exit $rc)" \
	bash -c "[ $rc != 0 ] && grep -q 'run 1 is being run by another kmin process' '$tmp/two2.log'"
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
trun --require USB,SPI --base board_defconfig --db "$tmp/two.db" --output "$tmp/two" \
	>"$tmp/two3.log" 2>&1
rc=$?
check "after kill -9 of the first, the claim is gone: the same command resumes run 1 (exit $rc)" \
	bash -c "[ $rc = 0 ] && grep -q 'resuming run 1' '$tmp/two3.log'"

# ---- kmin runs ----
"$kmin" runs --db "$tmp/g.db" --format json >"$tmp/runs.json"
check "kmin runs --format json has the contract's fields" python3 -c "
import json, sys
runs = json.load(open(sys.argv[1]))
need = {'id', 'strategy', 'requirements', 'base_size', 'final_size', 'builds', 'status'}
assert len(runs) == 2 and all(need <= set(r) for r in runs)
assert runs[0]['status'] == 'done' and runs[0]['final_size'] == $optimum
" "$tmp/runs.json"

# ---- bare kmin with options is run ----
"$kmin" --source "$tk" --arch arm --require USB,SPI --db "$tmp/g.db" --output "$tmp/bare" -q \
	>"$tmp/bare.log" 2>&1
check "bare 'kmin --arch ... --require ...' runs the search" test -s "$tmp/bare/min.config"
check "from tinyconfig the solve is already the optimum" \
	[ "$(jget "$tmp/bare/summary.json" "j['final']['dec']")" = "$optimum" ]

# ---- an already minimal base: seen in the engine, done after the base build ----
trun --require USB,SPI --db "$tmp/m.db" --output "$tmp/m" -q >/dev/null 2>&1
check "minimal base (tinyconfig + USB,SPI): one build, the base's" \
	[ "$(jget "$tmp/m/summary.json" "(j['builds'], j['final']['dec'], j['status'])")" = "(1, $optimum, 'done')" ]

# ---- usage errors ----
"$kmin" run --arch arm >/dev/null 2>&1
check "run without --require: exit 2" [ $? = 2 ]
"$kmin" run --arch arm --require USB --metric size >/dev/null 2>&1
check "unknown metric: exit 2" [ $? = 2 ]

# ---- the real kernel: 6.1 arm tinyconfig + SPI,I2C, 3 builds ----
if [ -f "$src/Makefile" ] && command -v arm-linux-gnueabi-gcc >/dev/null; then
	# the engine sees that an allnoconfig-style solve is minimal: no move
	# is left to build (EMBEDDED, which names no code, is left out)
	"$kmin" run --source "$src" --arch arm --require USB,SPI --plan >"$tmp/plan.out" 2>"$tmp/plan.err"
	check "real: --plan exits 0" [ $? = 0 ]
	check "real: tinyconfig + USB,SPI leaves no move to build" \
		bash -c "[ ! -s '$tmp/plan.out' ] && grep -q '0 candidate moves' '$tmp/plan.err'"
	"$kmin" run --source "$src" --arch arm --require I2C,SPI --base versatile_defconfig --plan \
		>"$tmp/plan2.out" 2>/dev/null
	check "real: versatile_defconfig leaves moves to try" [ "$(wc -l <"$tmp/plan2.out")" -gt 100 ]
	# the zImage compression (read only by arch/arm/boot) cannot change vmlinux:
	# not tried for dec, tried when the image is the metric
	check "real: no compression switch when vmlinux is measured" bash -c "! grep -q '^KERNEL_XZ=y' '$tmp/plan2.out'"
	"$kmin" run --source "$src" --arch arm --require I2C,SPI --base versatile_defconfig --plan \
		--metric image >"$tmp/plan3.out" 2>/dev/null
	check "real: compression switches tried for --metric image" grep -q '^KERNEL_XZ=y' "$tmp/plan3.out"
	check "real: the byte order is never switched" bash -c "! grep -q 'CPU_BIG_ENDIAN' '$tmp/plan2.out'"
	check "real: no move that only chooses the debug information (DEBUG_INFO_DWARF4)" \
		bash -c "! grep -q '^DEBUG_INFO' '$tmp/plan2.out'"
	# a user-edited base: tiny.config's fragment and the features' symbols on
	# allnoconfig, without tinyconfig's EMBEDDED, so EXPERT is off
	cat "$src/kernel/configs/tiny.config" - >"$tmp/edited.frag" <<'CFG'
CONFIG_USB_SUPPORT=y
CONFIG_USB=y
CONFIG_SPI=y
CONFIG_I2C=y
CFG
	"$kmin" config allnoconfig --source "$src" --arch arm --allconfig "$tmp/edited.frag" \
		-o "$tmp/edited.config" 2>/dev/null
	"$kmin" run --source "$src" --arch arm --require USB,SPI,I2C --base "$tmp/edited.config" \
		--plan >"$tmp/plan4.out" 2>/dev/null
	check "real: EXPERT opened to turn off what it forces on (PRINTK, FUTEX)" \
		bash -c "grep -qx 'EXPERT=y PRINTK=n' '$tmp/plan4.out' && grep -qx 'EXPERT=y FUTEX=n' '$tmp/plan4.out'"
	check "real: EXPERT opened to pick tiny.config's SLOB" grep -qx 'EXPERT=y SLOB=y' "$tmp/plan4.out"
	# booting a board keeps what it needs: its platform, mps2's memory layout
	"$kmin" run --source "$src" --arch arm --require SPI --base mps2_defconfig \
		--boot qemu:mps2-an385 --plan >"$tmp/plan5.out" 2>"$tmp/plan5.err"
	check "real: --boot qemu:mps2-an385 never turns ARCH_MPS2 or SET_MEM_PARAM off" \
		bash -c "[ -s '$tmp/plan5.out' ] && ! grep -qE '^(ARCH_MPS2|SET_MEM_PARAM)=n' '$tmp/plan5.out'"
	"$kmin" run --source "$src" --arch arm --require SPI,I2C --max-builds 3 --db "$tmp/real.db" \
		--output "$tmp/real" >"$tmp/real.log" 2>&1
	rc=$?
	check "real 6.1 arm SPI,I2C: exit 0" [ "$rc" = 0 ]
	check "real: at most 3 builds" [ "$(jget "$tmp/real/summary.json" "j['builds'] <= 3")" = True ]
	check "real: final no larger than the base" \
		[ "$(jget "$tmp/real/summary.json" "j['final']['dec'] <= j['base']['dec']")" = True ]
	check "real: SPI and I2C kept" bash -c "grep -q '^CONFIG_SPI=y' '$tmp/real/min.config' && grep -q '^CONFIG_I2C=y' '$tmp/real/min.config'"
	tail -5 "$tmp/real.log" | sed 's/^/# /'
else
	echo "# skipped the real-kernel run: no tree at $src or no arm-linux-gnueabi-gcc"
fi

finish
