# scripts/lib/kmin-test.sh - helpers shared by scripts/conformance and the
# Kconfig test runners in tests/kconfig/ (sourced, not run).
#
#   kt_cache_dir            kmin's cache directory (${XDG_CACHE_HOME:-~/.cache}/kmin)
#   kt_default_sources      the unpacked kernel trees in the cache, one per line
#   kt_kernel_version DIR   VERSION.PATCHLEVEL.SUBLEVEL[EXTRAVERSION] from DIR/Makefile
#   kt_conf_binary          path of the kernel's scripts/kconfig/conf (built once
#                           from the 6.1 tree into the cache when missing;
#                           $KMIN_CONF overrides)
#   kt_sha FILE...          sha256 of the files' contents (missing file = "-")
#   kt_pick_lines SEED PERCENT   stdin→stdout: keep about PERCENT% of the lines,
#                           chosen by a portable Park-Miller generator (same
#                           result under mawk and gawk)
#   kt_kmin_is_asan KMIN    true when KMIN was built with AddressSanitizer

kt_cache_dir() {
	printf '%s/kmin\n' "${XDG_CACHE_HOME:-$HOME/.cache}"
}

kt_default_sources() {
	local d
	for d in "$(kt_cache_dir)"/src/linux-source-*; do
		[ -f "$d/Makefile" ] && [ -d "$d/scripts/kconfig" ] && printf '%s\n' "$d"
	done
	return 0
}

kt_kernel_version() {
	awk -F' *= *' '
		$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
		$1 == "SUBLEVEL" { s = $2 } $1 == "EXTRAVERSION" { e = $2 }
		/^$/ && v != "" { exit }
		END { if (v == "") exit 1; printf "%s.%s.%s%s\n", v, p, s, e }' "$1/Makefile"
}

kt_conf_binary() {
	if [ -n "${KMIN_CONF:-}" ]; then
		[ -x "$KMIN_CONF" ] || { echo "KMIN_CONF=$KMIN_CONF is not executable" >&2; return 1; }
		printf '%s\n' "$KMIN_CONF"
		return 0
	fi
	local src obj
	src=$(kt_default_sources | grep -- '-6\.1$' | head -n 1)
	[ -n "$src" ] || src=$(kt_default_sources | head -n 1)
	[ -n "$src" ] || { echo "no kernel source in $(kt_cache_dir)/src (run scripts/setup)" >&2; return 1; }
	obj="$(kt_cache_dir)/conf/$(basename "$src")"
	if [ ! -x "$obj/scripts/kconfig/conf" ]; then
		echo "building the kernel's conf from $src into $obj (once)" >&2
		mkdir -p "$obj"
		make -s -C "$src" O="$obj" ARCH=x86_64 CROSS_COMPILE= allnoconfig >"$obj/build.log" 2>&1 || {
			echo "building conf failed; see $obj/build.log" >&2; return 1; }
	fi
	printf '%s\n' "$obj/scripts/kconfig/conf"
}

kt_sha() {
	local f
	for f in "$@"; do
		if [ -f "$f" ]; then sha256sum <"$f" | cut -c1-64; else echo -; fi
	done | sha256sum | cut -c1-16
}

kt_pick_lines() {
	awk -v seed="$1" -v pct="$2" '
		BEGIN { x = (seed % 2147483646) + 1 }
		{ x = (x * 16807) % 2147483647; if (x % 100 < pct) print }'
}

kt_kmin_is_asan() {
	nm -D "$1" 2>/dev/null | grep -q '__asan_init' || nm "$1" 2>/dev/null | grep -q '__asan_init'
}

# --- standalone Kconfig cases (tests/kconfig/golden, tests/kconfig/errors) ---
# A case directory holds Kconfig (and the files it sources), and optionally:
#   target        the target (default olddefconfig); NAME_defconfig reads
#                 arch/golden/configs/NAME_defconfig of the case; NAME.config
#                 merges the case's fragments (kt_merge_fragment)
#   input.config  copied to .config first (olddefconfig, savedefconfig, …)
#   allconfig     given as KCONFIG_ALLCONFIG
#   seed          KCONFIG_SEED (randconfig)
#   env           VAR=value lines put into the environment of both tools
#   gen           bash script run inside the copied case before the tools
#                 (to make big or binary inputs instead of committing them)
# Both tools run with a clean environment (PATH, HOME, ARCH=golden,
# SRCARCH=golden, srctree, the env lines) inside T/out, on a copy of the
# case in T/src.  The case's tree is called with the relative name
# "Kconfig", so file names in messages are relative to the case.

kt_case_target() {
	if [ -f "$1/target" ]; then tr -d ' \t\n' <"$1/target"; else echo olddefconfig; fi
}

# kt_prepare_case CASEDIR T: copy the case to T/src, run gen, seed T/out.
kt_prepare_case() {
	local c=$1 t=$2
	mkdir -p "$t/src" "$t/out"
	cp -r "$c/." "$t/src/"
	rm -f "$t/src"/expected.* "$t/src/expect" "$t/src/message" "$t/src/README"
	if [ -f "$t/src/gen" ]; then
		(cd "$t/src" && bash ./gen) || { echo "gen of $c failed" >&2; return 1; }
	fi
	[ ! -f "$t/src/input.config" ] || cp "$t/src/input.config" "$t/out/.config"
}

# kt_case_env CASEDIR T: print the environment (NAME=value lines) for the tools.
kt_case_env() {
	printf '%s\n' "PATH=$PATH" "HOME=$HOME" "ARCH=golden" "SRCARCH=golden" "srctree=$2/src"
	[ -z "${XDG_CACHE_HOME:-}" ] || printf 'XDG_CACHE_HOME=%s\n' "$XDG_CACHE_HOME"
	[ -z "${ASAN_OPTIONS:-}" ] || printf 'ASAN_OPTIONS=%s\n' "$ASAN_OPTIONS"
	[ -z "${UBSAN_OPTIONS:-}" ] || printf 'UBSAN_OPTIONS=%s\n' "$UBSAN_OPTIONS"
	if [ -f "$1/env" ]; then grep -v '^[[:space:]]*\(#\|$\)' "$1/env"; fi
	return 0
}

# kt_merge_fragment SRC ARCH TARGET DIR ENV...: the first half of `make
# NAME.config`: the 6.1 tree's merge_config.sh -m of SRC's fragments
# (kernel/configs/TARGET, arch/ARCH/configs/TARGET) into DIR/.config, in an
# environment of just the ENV lines; the caller runs conf --olddefconfig.
kt_merge_fragment() {
	local src=$1 arch=$2 target=$3 dir=$4 ksrc f
	shift 4
	local -a frags=()
	for f in "$src/kernel/configs/$target" "$src/arch/$arch/configs/$target"; do
		[ ! -e "$f" ] || frags+=("$f")
	done
	[ ${#frags[@]} -gt 0 ] ||
		{ echo "$target: No configuration exists for this target on this architecture" >&2; return 1; }
	ksrc=$(kt_default_sources | grep -- '-6\.1$' | head -n 1)
	[ -n "$ksrc" ] || ksrc=$(kt_default_sources | head -n 1)
	[ -n "$ksrc" ] || { echo "no kernel source for merge_config.sh (run scripts/setup)" >&2; return 1; }
	(cd "$dir" && env -i "$@" sh "$ksrc/scripts/kconfig/merge_config.sh" -m .config "${frags[@]}")
}

# kt_run_conf CASEDIR T CONF: run the kernel's conf; sets kt_rc and kt_out
# (the file it wrote: T/out/.config or T/out/defconfig); logs in T/conf.{out,err}.
kt_run_conf() {
	local c=$1 t=$2 conf=$3 target mode
	local -a envs=()
	target=$(kt_case_target "$c")
	case $target in
	olddefconfig|alldefconfig|allnoconfig|allyesconfig|allmodconfig|randconfig)
		mode=--$target; kt_out=$t/out/.config ;;
	savedefconfig) mode=--savedefconfig=defconfig; kt_out=$t/out/defconfig ;;
	*_defconfig) mode=--defconfig=arch/golden/configs/$target; kt_out=$t/out/.config ;;
	*.config) mode=--olddefconfig; kt_out=$t/out/.config ;;	# after merge_config.sh
	*) echo "unknown target '$target' in $c/target" >&2; return 1 ;;
	esac
	mapfile -t envs < <(kt_case_env "$c" "$t")
	envs+=("KCONFIG_CONFIG=.config")
	if [[ $target == *.config ]]; then
		kt_rc=0
		kt_merge_fragment "$t/src" golden "$target" "$t/out" "${envs[@]}" >"$t/merge.out" 2>&1 ||
			{ kt_rc=$?; cp "$t/merge.out" "$t/conf.err"; : >"$t/conf.out"; return 0; }
	fi
	[ ! -f "$t/src/allconfig" ] || envs+=("KCONFIG_ALLCONFIG=$t/src/allconfig")
	[ ! -f "$t/src/seed" ] || envs+=("KCONFIG_SEED=$(tr -d ' \n' <"$t/src/seed")")
	kt_rc=0
	(cd "$t/out" && env -i "${envs[@]}" timeout 120 "$conf" "$mode" Kconfig) \
		>"$t/conf.out" 2>"$t/conf.err" </dev/null || kt_rc=$?
}

# kt_run_kmin CASEDIR T KMIN: run `kmin config`; sets kt_rc and kt_out
# (T/out/kmin.out); output in T/kmin.log; kt_cmd is the command line.
kt_run_kmin() {
	local c=$1 t=$2 kmin=$3 target
	local -a envs=() args=()
	target=$(kt_case_target "$c")
	kt_out=$t/out/kmin.out
	args=(config "$target" --source "$t/src" --kconfig Kconfig --arch golden --cross-compile ""
		--no-cache -o "$kt_out")
	[ ! -f "$t/src/input.config" ] || args+=(--input "$t/src/input.config")
	[ ! -f "$t/src/allconfig" ] || args+=(--allconfig "$t/src/allconfig")
	[ ! -f "$t/src/seed" ] || args+=(--seed "$(tr -d ' \n' <"$t/src/seed")")
	mapfile -t envs < <(kt_case_env "$c" "$t")
	kt_cmd="kmin ${args[*]}"
	kt_rc=0
	(cd "$t/out" && env -i "${envs[@]}" timeout 120 "$kmin" "${args[@]}") \
		>"$t/kmin.log" 2>&1 </dev/null || kt_rc=$?
}

# kt_sanitizer_report LOG: true when LOG holds an ASan/UBSan/LSan report.
kt_sanitizer_report() {
	grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)' "$1"
}
