#!/bin/bash
# solve.sh - `kmin solve` on the real 6.1 arm tree, checked with the kernel.
#
# For each case kmin writes a .config; the kernel's own `make olddefconfig`
# must leave it unchanged (a fixed point), every required symbol must be
# =y, the symbols kmin set must be within a careful hand solution, and each
# of them, put back to its base value, must lose a requirement after the
# kernel's olddefconfig (minimality, checked by the kernel, not by kmin).
#
# usage: tests/integration/solve.sh [--kmin PATH] [--quick]
#   --quick   the CI subset (USB,SPI and all four features from tinyconfig)
# Environment: KMIN_SRC (default ~/.cache/kmin/src/linux-source-6.1).
# Prints ok/not ok lines and "solve: N passed, N failed".
set -u

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_init --unnumbered solve "$@"

[ -f "$src/Makefile" ] || { not_ok "kernel source $src missing (run scripts/setup)"; finish; }

# The kernel's olddefconfig of file $1 into directory $2 (result: $2/.config).
kernel_olddef() {
	rm -rf "$2" && mkdir -p "$2" && cp "$1" "$2/.config" &&
		make -s -C "$src" O="$2" ARCH=arm CROSS_COMPILE=arm-linux-gnueabi- olddefconfig \
			>/dev/null 2>&1
}

# holds CONFIG REQS...: every symbol in REQS (SYM or SYM=n) holds in CONFIG
holds() {
	local cfg=$1; shift
	for r in "$@"; do
		case $r in
		*=n) grep -q "^CONFIG_${r%=n}=[ym]" "$cfg" && return 1 ;;
		*) grep -q "^CONFIG_$r=y" "$cfg" || return 1 ;;
		esac
	done
	return 0
}

# case NAME BASE LIST "REQUIRED SYMBOLS" "HAND SOLUTION SYMBOLS"
run_case() {
	local name=$1 base=$2 list=$3 reqs=$4 hand=$5
	local out=$tmp/$name.config log=$tmp/$name.log
	if ! "$kmin" solve --source "$src" --arch arm --base "$base" --require "$list" \
		-o "$out" >"$log" 2>&1; then
		not_ok "$name: kmin solve failed: $(tail -n 1 "$log")"
		return
	fi
	kernel_olddef "$out" "$tmp/k-$name"
	if cmp -s "$out" "$tmp/k-$name/.config"; then
		ok "$name: a fixed point of the kernel's olddefconfig"
	else
		not_ok "$name: the kernel's olddefconfig changes it"
		diff "$out" "$tmp/k-$name/.config" | head -n 5
	fi
	# shellcheck disable=SC2086
	if holds "$out" $reqs; then ok "$name: requirements hold ($reqs)"; else not_ok "$name: a requirement is missing"; fi
	local set
	set=$(awk '$1 == "set" { print $2 }' "$log")
	if [ -n "$hand" ]; then
		local extra=""
		for s in $set; do
			case " $hand " in *" $s "*) ;; *) extra="$extra $s" ;; esac
		done
		if [ -z "$extra" ]; then
			ok "$name: set only hand-solution symbols ($(echo $set | tr '\n' ' '))"
		else
			not_ok "$name: set more than a hand solution:$extra"
		fi
	fi
	# minimality: each set symbol back to its base value loses a requirement
	local s from
	for s in $set; do
		from=$(awk -v s="$s" '$1 == "set" && $2 == s { print $3 }' "$log")
		sed -e "/^CONFIG_$s=/d" -e "/^# CONFIG_$s is not set/d" "$out" >"$tmp/rev.config"
		if [ "$from" = n ]; then
			echo "# CONFIG_$s is not set" >>"$tmp/rev.config"
		else
			echo "CONFIG_$s=$from" >>"$tmp/rev.config"
		fi
		kernel_olddef "$tmp/rev.config" "$tmp/k-rev"
		# shellcheck disable=SC2086
		if holds "$tmp/k-rev/.config" $reqs; then
			not_ok "$name: $s could go back to $from with the requirements held"
		else
			ok "$name: $s is needed"
		fi
	done
}

run_case usb-spi tinyconfig USB,SPI "USB SPI" "USB_SUPPORT USB SPI SPI_MASTER"
run_case all4 tinyconfig USB,WIFI,SPI,I2C "USB SPI I2C CFG80211 MAC80211 WLAN" \
	"USB_SUPPORT USB SPI SPI_MASTER I2C NET WIRELESS NETDEVICES CFG80211 MAC80211 WLAN"
if [ "$quick" = 0 ]; then
	run_case usb tinyconfig USB "USB" "USB_SUPPORT USB"
	run_case wifi tinyconfig WIFI "CFG80211 MAC80211 WLAN" \
		"NET WIRELESS NETDEVICES CFG80211 MAC80211 WLAN"
	run_case spi tinyconfig SPI "SPI" "SPI SPI_MASTER"
	run_case i2c tinyconfig I2C "I2C" "I2C"
	run_case usb-acm tinyconfig USB_ACM "USB_ACM" "USB_SUPPORT USB USB_ACM TTY"
	run_case versatile versatile_defconfig USB,SPI "USB SPI" ""
	run_case versatile-i2c versatile_defconfig I2C,SPI,PRINTK=n "I2C SPI PRINTK=n" ""
	run_case mps2 mps2_defconfig USB,SPI "USB SPI" ""
fi

# errors: exit status and message
"$kmin" solve --source "$src" --arch arm --require USBB -o "$tmp/x" >"$tmp/e1" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "unknown requirement 'USBB'; did you mean 'USB'?" "$tmp/e1"; then
	ok "unknown requirement: exit 2 with a suggestion"
else
	not_ok "unknown requirement: exit $rc: $(cat "$tmp/e1")"
fi
"$kmin" solve --source "$src" --arch arm --require USB,USB_SUPPORT=n -o "$tmp/x" >"$tmp/e2" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "USB_SUPPORT" "$tmp/e2"; then
	ok "contradiction: exit 1 naming the chain ($(tail -n 1 "$tmp/e2"))"
else
	not_ok "contradiction: exit $rc: $(cat "$tmp/e2")"
fi
"$kmin" solve --source "$src" --arch arm --require TELCLOCK -o "$tmp/x" >"$tmp/e3" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "X86" "$tmp/e3"; then
	ok "impossible on this arch: exit $rc ($(tail -n 1 "$tmp/e3"))"
else
	not_ok "impossible on this arch: exit $rc"
fi
[ -e "$tmp/x" ] && not_ok "a failed solve wrote its output" || ok "a failed solve writes nothing"

# --base defconfig: arm's KBUILD_DEFCONFIG (multi_v7_defconfig), as make defconfig starts
"$kmin" solve --source "$src" --arch arm --require SPI --base defconfig -o "$tmp/d.config" \
	>/dev/null 2>"$tmp/d.err"
rc=$?
"$kmin" solve --source "$src" --arch arm --require SPI --base multi_v7_defconfig \
	-o "$tmp/v7.config" -q >/dev/null 2>&1
if [ $rc = 0 ] && cmp -s "$tmp/d.config" "$tmp/v7.config" &&
	grep -q "base defconfig is 'multi_v7_defconfig'" "$tmp/d.err"; then
	ok "--base defconfig: solves from KBUILD_DEFCONFIG (multi_v7_defconfig) and says so"
else
	not_ok "--base defconfig: exit $rc: $(head -n 3 "$tmp/d.err")"
fi

# kmin explain: the chain to USB from tinyconfig, as text and JSON
"$kmin" solve --source "$src" --arch arm --require SPI -o "$tmp/spi.config" -q >/dev/null 2>&1
"$kmin" explain USB --source "$src" --arch arm --config "$tmp/spi.config" >"$tmp/ex.txt" 2>&1
if grep -q "^USB: tristate = n" "$tmp/ex.txt" && grep -q "defined at drivers/usb/Kconfig:" "$tmp/ex.txt" &&
	grep -q "USB_SUPPORT \[=n\]" "$tmp/ex.txt" && grep -q "^    USB_SUPPORT n -> y" "$tmp/ex.txt"; then
	ok "explain USB: value, definition, dependency tree and the change that turns it on"
else
	not_ok "explain USB: $(head -n 3 "$tmp/ex.txt")"
fi
"$kmin" explain CONFIG_USB --source "$src" --arch arm --config "$tmp/spi.config" --format json >"$tmp/ex.json" 2>&1
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["symbol"]=="USB" and d["type"]=="tristate" and d["value"]=="n"; assert {"symbol":"USB_SUPPORT","from":"n","to":"y"} in d["enable"]; assert d["definitions"][0]["file"]=="drivers/usb/Kconfig"' "$tmp/ex.json"; then
	ok "explain --format json: parses, with the same facts"
else
	not_ok "explain --format json: $(head -c 300 "$tmp/ex.json")"
fi
"$kmin" explain NO_SUCH_SYMBOL --source "$src" --arch arm >"$tmp/ex.err" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "unknown symbol 'NO_SUCH_SYMBOL'" "$tmp/ex.err"; then
	ok "explain of an unknown symbol: exit 2"
else
	not_ok "explain of an unknown symbol: exit $rc"
fi
"$kmin" features --source "$src" --arch arm >"$tmp/features.txt" 2>&1
if grep -q "^USB: " "$tmp/features.txt" && grep -q "USB_SUPPORT\|    USB " "$tmp/features.txt" &&
	grep -q "drivers/usb/Kconfig" "$tmp/features.txt" && ! grep -q "not in this tree" "$tmp/features.txt"; then
	ok "features --arch arm: every feature symbol is defined in the tree"
else
	not_ok "features --arch arm: $(grep 'not in this tree' "$tmp/features.txt" | head -n 3)"
fi

finish
