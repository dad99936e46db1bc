#!/bin/bash
# Checks of the bash completion script: each tool's completion function is
# called with prepared COMP_WORDS on a small module tree (made by mkfixture
# and depmod), and every option that a tool's --help lists must be offered.
#
#   completion.sh BUILD_DIR COMPLETION_FILE
set -euo pipefail
. "$(dirname "$0")/wrap.sh"
build=$(cd "$1" && pwd)
script=$(realpath "$2")
mkfixture=$build/testsuite/mkfixture
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# our binary, through $KMODLITE_TEST_WRAPPER if set (wrap.sh)
kmod=$(wrapped_dir "$build/src" "$work/wrap")/kmod
failures=0
checks=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# the tools under their names, first in PATH (parameter completion runs modinfo)
mkdir bin
for t in modinfo modprobe insmod rmmod depmod lsmod; do
	ln -s "$kmod" "bin/$t"
done
export PATH=$work/bin:$PATH

kver=6.1.0-compl
moddir=root/lib/modules/$kver
mkdir -p "$moddir/kernel" root/lib/modules/5.10.0-other
"$mkfixture" -o "$moddir/kernel/snd-foo.ko" --modinfo name=snd_foo \
	--modinfo "parm=index:Index value" --modinfo parmtype=index:int \
	--modinfo "parm=enable:Enable it" --modinfo parmtype=enable:bool
"$mkfixture" -o "$moddir/kernel/snd_bar.ko" --modinfo name=snd_bar
"$mkfixture" -o "$moddir/kernel/other.ko" --modinfo name=other
"$kmod" depmod -b root "$kver" 2>/dev/null
touch System.map-$kver Module.symvers

# complete FUNCTION WORD... : the sorted replies, one per line; the last
# WORD is the one being completed
complete_words() {
	local fn=$1
	shift
	bash -c '
		source "$1"
		fn=$2
		shift 2
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		"$fn"
		for r in "${COMPREPLY[@]}"; do
			[ -n "$r" ] && printf "%s\n" "$r"
		done
	' completion "$script" "$fn" "$@" | sort
}

# expect "REPLIES" FUNCTION WORD... : REPLIES space-separated, any order
expect() {
	local want
	want=$(tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort)
	shift
	checks=$((checks + 1))
	local got
	got=$(complete_words "$@")
	if [ "$got" != "$want" ]; then
		fail "$*: got [$(tr '\n' ' ' <<<"$got")], expected [$(tr '\n' ' ' <<<"$want")]"
	fi
}

# --- modprobe
r=(-d "$work/root" -S "$kver")
expect "snd_foo snd_bar" _modprobe modprobe "${r[@]}" snd
expect "snd_foo snd_bar" _modprobe modprobe "${r[@]}" snd-
expect "other" _modprobe modprobe "${r[@]}" -a snd_foo o
expect "$kver 5.10.0-other" _modprobe modprobe -d "$work/root" -S ""
expect "$kver" _modprobe modprobe -d "$work/root" --set-version = 6
expect "--set-version=$kver" _modprobe modprobe -d "$work/root" --set-version=6
expect "--first-time" _modprobe modprobe --fi
expect "--show-depends --show-config --show-modversions --show-exports --show-alias --show --showconfig" \
	_modprobe modprobe --sho
expect "index= enable=" _modprobe modprobe "${r[@]}" snd_foo ""
expect "enable=" _modprobe modprobe "${r[@]}" snd-foo index=1 e
expect "" _modprobe modprobe "${r[@]}" -w ""
expect "$moddir/kernel/snd-foo.ko" _modprobe modprobe --dump-modversions "$moddir/kernel/snd-f"
expect "./$moddir/kernel/snd-foo.ko" _modprobe modprobe "./$moddir/kernel/snd-f"
expect "root" _modprobe modprobe -d ro

# --- modinfo
expect "sig_hashalgo sig_id sig_key signature signer" _modinfo modinfo -F sig
expect "snd_foo snd_bar" _modinfo modinfo -b "$work/root" -k "$kver" snd
expect "$moddir/kernel/snd_bar.ko" _modinfo modinfo "$moddir/kernel/snd_b"
expect "--field --filename" _modinfo modinfo --fi

# --- insmod
expect "$moddir/kernel/snd-foo.ko" _insmod insmod "$moddir/kernel/snd-"
expect "index= enable=" _insmod insmod "$moddir/kernel/snd-foo.ko" ""
expect "--force --force-modversion --force-vermagic" _insmod insmod --f

# --- rmmod: the loaded modules, when this system has any
if [ -r /proc/modules ]; then
	want=$(cut -d ' ' -f 1 /proc/modules | sort | tr '\n' ' ')
else
	want=
fi
expect "$want" _rmmod rmmod ""
expect "--verbose --version" _rmmod rmmod --ver

# --- depmod
expect "$kver 5.10.0-other" _depmod depmod -b "$work/root" ""
expect "$moddir/kernel/other.ko" _depmod depmod -b "$work/root" "$kver" "$moddir/kernel/ot"
expect "System.map-$kver" _depmod depmod -F Sys
expect "Module.symvers" _depmod depmod -E Mod
expect "--quick" _depmod depmod --q

# --- kmod
expect "help list static-nodes params why verify lsmod modprobe rmmod insmod modinfo depmod" _kmod kmod ""
expect "static-nodes" _kmod kmod st
expect "human tmpfiles devname" _kmod kmod static-nodes --format ""
expect "--format=tmpfiles" _kmod kmod static-nodes --format=t
expect "tmpfiles" _kmod kmod static-nodes --format = t
expect "--format --output --help -f -o -h" _kmod kmod static-nodes -
expect "snd_foo snd_bar" _kmod kmod modprobe "${r[@]}" snd
expect "-V --version -h --help" _kmod kmod -
expect "--json" _lsmod lsmod --j
expect "--json" _kmod kmod list --j
expect "--json" _kmod kmod lsmod --j
expect "--json" _modinfo modinfo --j
expect "params" _kmod kmod par
expect "snd_foo snd_bar" _kmod kmod why -d "$work/root" -S "$kver" snd
expect "--json" _kmod kmod why --js
expect "$kver 5.10.0-other" _kmod kmod params -d "$work/root" -S ""

# --- every option of every --help is offered
help_options() {
	sed -nE 's/^[[:space:]]+(-[^[:space:]].*)$/\1/p' |
		sed -E 's/ {2,}.*$//' |
		grep -oE '(^|[[:space:],[|])--?[[:alnum:]][[:alnum:]-]*' |
		sed -E 's/^[[:space:],[|]+//' | sort -u
}
check_help() {
	local fn=$1
	shift
	checks=$((checks + 1))
	local offered missing
	offered=$(complete_words "$fn" "$@" -)
	missing=$(comm -23 <(cat | help_options) <(sort -u <<<"$offered"))
	[ -z "$missing" ] || fail "$fn: options of --help not completed: $(tr '\n' ' ' <<<"$missing")"
}
# (fed by process substitution: a pipe would run check_help in a subshell
# and lose its failures)
for t in lsmod modprobe modinfo insmod rmmod depmod; do
	check_help "_$t" "$t" < <("bin/$t" --help)
done
check_help _kmod kmod < <("$kmod" --help)
check_help _kmod kmod static-nodes < <("$kmod" static-nodes --help)
check_help _kmod kmod list < <("$kmod" list --help)
check_help _kmod kmod params < <("$kmod" params --help)
check_help _kmod kmod why < <("$kmod" why --help)
check_help _kmod kmod verify < <("$kmod" verify --help)

if [ $failures -ne 0 ]; then
	echo "$failures of $checks checks failed"
	exit 1
fi
echo "completion: $checks checks passed"
