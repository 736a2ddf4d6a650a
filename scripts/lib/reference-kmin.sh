#!/usr/bin/env bash
# scripts/lib/reference-kmin.sh - a stand-in for `kmin config` that runs the
# kernel's own tools instead of kmin's engine.  It exists to test the test
# runners themselves: scripts/conformance, tests/kconfig/run-golden and
# run-errors given `--kmin scripts/lib/reference-kmin.sh` must report every
# case as passing (except error messages the kernel does not print).
#
# usage: scripts/lib/reference-kmin.sh config TARGET --source DIR --arch ARCH
#          [--cross-compile PFX] [--kconfig FILE] [--input FILE]
#          [--allconfig FILE] [--seed N] [-o FILE] [--no-cache] [-q]
# With --kconfig (a standalone Kconfig tree) it runs the kernel's conf binary
# (see kt_conf_binary); otherwise `make -C DIR O=<cache obj dir> TARGET`.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=kmin-test.sh
source "$top/scripts/lib/kmin-test.sh"
die() { echo "reference-kmin: $*" >&2; exit 2; }

[ "${1:-}" = config ] || { [ "${1:-}" = -h ] || [ "${1:-}" = --help ] && { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0; }; die "only 'config' is supported"; }
shift
target="" src="" arch="" cross="" kconfig="" input="" allconfig="" seed="" out=""
while [ $# -gt 0 ]; do
	case $1 in
	--source) src=$2; shift ;;
	--arch) arch=$2; shift ;;
	--cross-compile) cross=$2; shift ;;
	--kconfig) kconfig=$2; shift ;;
	--input) input=$(realpath "$2"); shift ;;
	--allconfig) allconfig=$(realpath "$2"); shift ;;
	--seed) seed=$2; shift ;;
	-o|--output) out=$2; shift ;;
	--no-cache|-q|--quiet) ;;
	-*) die "unknown option '$1'" ;;
	*) [ -z "$target" ] || die "one TARGET only"; target=$1 ;;
	esac
	shift
done
[ -n "$target" ] && [ -n "$src" ] && [ -n "$arch" ] || die "need TARGET, --source and --arch"
[ -n "$out" ] || { [ "$target" = savedefconfig ] && out=defconfig || out=.config; }
out=$(realpath -m "$out")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/reference-kmin.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
src=$(cd "$src" && pwd)
envs=()
[ -z "$allconfig" ] || envs+=("KCONFIG_ALLCONFIG=$allconfig")
[ -z "$seed" ] || envs+=("KCONFIG_SEED=$seed")

if [ -n "$kconfig" ]; then
	conf=$(kt_conf_binary)
	case $target in
	savedefconfig) mode=--savedefconfig=defconfig; res=defconfig ;;
	*_defconfig) mode=--defconfig=arch/$arch/configs/$target; res=.config ;;
	*.config) mode=--olddefconfig; res=.config ;;	# after merge_config.sh
	*) mode=--$target; res=.config ;;
	esac
	[ -z "$input" ] || cp "$input" "$tmp/.config"
	if [[ $target == *.config ]]; then
		kt_merge_fragment "$src" "$arch" "$target" "$tmp" "PATH=$PATH" >/dev/null || exit 2
	fi
	rc=0
	(cd "$tmp" && env "${envs[@]}" srctree="$src" SRCARCH="$arch" ARCH="$arch" KCONFIG_CONFIG=.config \
		"$conf" "$mode" "$kconfig") >/dev/null 2>"$tmp/err" || rc=$?
	sed "s|$src/||g" "$tmp/err" >&2
	[ $rc = 0 ] || exit $rc
	cp "$tmp/$res" "$out"
	exit 0
fi

ver=$(kt_kernel_version "$src")
obj="$(kt_cache_dir)/reference-kmin/$ver/$arch"
mkdir -p "$obj"
exec 9>"$obj.lock"
flock 9
rm -f "$obj/.config" "$obj/defconfig"
[ -z "$input" ] || cp "$input" "$obj/.config"
env "${envs[@]}" make -s -C "$src" O="$obj" ARCH="$arch" CROSS_COMPILE="$cross" "$target" >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log" >&2; exit 2; }
if [ "$target" = savedefconfig ]; then cp "$obj/defconfig" "$out"; else cp "$obj/.config" "$out"; fi
