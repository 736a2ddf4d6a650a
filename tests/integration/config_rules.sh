#!/bin/bash
# config_rules.sh - `kmin config` on fragment targets (NAME.config) and on
# the arch Makefile's explicit NAME_defconfig rules, through the CLI.
#
# On a small standalone Kconfig tree (--kconfig, arch "golden") with an
# arch/golden/Makefile written here:
#   - a rule `$(MAKE) -f $(srctree)/Makefile base_defconfig x.config` gives
#     what base_defconfig and then x.config with its output as --input give,
#     and wins over a file of the same name in arch/golden/configs (make
#     prefers the rule);
#   - `$(call merge_into_defconfig,BASE,FRAGS)` gives x.config merged into
#     the base file;
#   - a fragment target without --input merges into an empty .config;
#   - the script's "Value of CONFIG_A is redefined" message is printed,
#     and not with -q;
#   - errors, exit 2: a fragment that exists nowhere, a rule kmin cannot
#     read (the message names the Makefile line).
# The bytes of the merge itself are checked against the kernel's
# merge_config.sh by tests/kconfig/golden/fragment-*, the real rules by
# scripts/conformance (riscv rv32_defconfig, powerpc).
#
# Usage: tests/integration/config_rules.sh [--kmin PATH] [--quick]
# Prints ok/not ok lines and ends with "config_rules: N passed, N failed".
set -u

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_init config_rules "$@"
it_need_kmin

t=$tmp/tree
mkdir -p "$t/arch/golden/configs" "$t/kernel/configs"
cp "$top/tests/kconfig/golden/fragment-merge/Kconfig" "$t/Kconfig"
printf 'CONFIG_MODULES=y\n# CONFIG_D is not set\nCONFIG_C2=y\n' >"$t/arch/golden/configs/base_defconfig"
printf '# CONFIG_A is not set\nCONFIG_C1=y\n' >"$t/arch/golden/configs/x.config"
# a file make never reads: the rule of the same name wins
printf 'CONFIG_N=77\n' >"$t/arch/golden/configs/two_defconfig"
cat >"$t/arch/golden/Makefile" <<'EOF'
PHONY += two_defconfig
two_defconfig:
	$(Q)$(MAKE) -f $(srctree)/Makefile base_defconfig x.config

merged_defconfig:
	$(call merge_into_defconfig,base_defconfig,\
		x)

shell_defconfig:
	$(Q)echo no
	$(Q)false
EOF

kc() { "$kmin" config "$@" --source "$t" --kconfig Kconfig --arch golden --cross-compile "" --no-cache; }

kc two_defconfig -o "$tmp/two.config" 2>"$tmp/two.err"
check "a rule of the arch Makefile runs (exit 0)" [ $? = 0 ]
kc base_defconfig -q -o "$tmp/base.config"
kc x.config --input "$tmp/base.config" -q -o "$tmp/base-x.config"
check "... its steps one by one: base_defconfig, then x.config on its output" \
	cmp -s "$tmp/two.config" "$tmp/base-x.config"
check "... not the file of the same name" grep -qx 'CONFIG_N=4' "$tmp/two.config"
check "the script's message: CONFIG_A redefined by x.config" \
	grep -q 'Value of CONFIG_A is redefined by fragment .*x.config: previous value: CONFIG_A=y, new value: # CONFIG_A is not set' "$tmp/two.err"
kc two_defconfig -q -o "$tmp/two-q.config" 2>"$tmp/two-q.err"
check "-q: no message" [ ! -s "$tmp/two-q.err" ]

kc merged_defconfig -q -o "$tmp/merged.config"
check "merge_into_defconfig: C1 from the fragment, D off from the base" \
	grep -qx 'CONFIG_C1=y' "$tmp/merged.config"
check "... D off as the base file says" grep -qx '# CONFIG_D is not set' "$tmp/merged.config"

kc x.config -q -o "$tmp/x.config"
check "a fragment without --input: into an empty .config (D takes A's n)" \
	grep -qx '# CONFIG_D is not set' "$tmp/x.config"
check "... and its own values" grep -qx '# CONFIG_A is not set' "$tmp/x.config"

kc nope.config -q -o "$tmp/nope.config" 2>"$tmp/nope.err"
rc=$?
check "a fragment that exists nowhere: exit 2" [ $rc = 2 ]
check "... No configuration exists for this target" grep -q 'No configuration exists for this target' "$tmp/nope.err"

kc shell_defconfig -q -o "$tmp/shell.config" 2>"$tmp/shell.err"
rc=$?
check "a rule kmin cannot read: exit 2" [ $rc = 2 ]
check "... the message names the Makefile line" grep -q "arch/golden/Makefile:9)" "$tmp/shell.err"
check "... and writes nothing" [ ! -e "$tmp/shell.config" ]

finish
