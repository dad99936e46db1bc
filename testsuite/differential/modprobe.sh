#!/bin/bash
# Differential test: our modprobe against the reference (Debian's kmod 30,
# /usr/sbin/modprobe) on every module of a real Debian kernel.
#
# Usage: testsuite/differential/modprobe.sh BUILD_DIR
#        testsuite/differential/kmod34.sh modprobe.sh BUILD_DIR
#        (the second reference: Debian 13's kmod 34.2, in a chroot; it reads
#        the same /proc and /sys, bind-mounted)
#
#   BUILD_DIR/src/modprobe is the tool under test. The kernel tree comes from
#   tools/fetch-debian-kernel (cache in ${KMODLITE_CACHE:-/var/cache/kmodlite},
#   outside the repository); modprobe runs on a copy of it (hard links) with
#   indexes made by the reference depmod, and a config directory of its own
#   (-C) with options, install, remove, blacklist, softdep and alias lines.
#   Both tools also read this machine's /proc/cmdline and /sys/module: the
#   same for both.
#
# Environment:
#   KMODLITE_CACHE     cache directory (see tools/fetch-debian-kernel)
#   REF_MODPROBE       reference modprobe (default /usr/sbin/modprobe)
#   REF_DEPMOD         reference depmod   (default /usr/sbin/depmod)
#   DIFF_SHOW          how many differing items to show per step (default 3)
#   DIFF_KEEP          if set to a directory, all diff reports are copied there
#
# Steps, each with both tools, comparing stdout, stderr and exit status:
#   - `-a --show-depends NAME...` for every module and built-in name and the
#     config's aliases (batches; a differing batch is bisected to single items);
#   - `-a -R ALIAS...` for an alias string made from every modules.alias pattern
#     (`*` -> "", `?` -> "a", `[...]` -> its first character);
#   - `-c`.
# Each step prints
#   modprobe-diff: <what>: N compared, N identical, N different[, N deliberate]
# and the first differences.
#
# Deliberate differences, the same with kmod 30 and 34.2 (checked: 34.2 still
# has all three):
#  - several softdep lines for one module are merged (kmod 30 keeps only the
#    first: kmod bug #33). modules.softdep has several lines for btrfs, cifs
#    and ksmbd, and the config has two for dummy (the one documented case); a
#    --show-depends item that differs is counted as "deliberate" when our
#    output on a copy whose modules.softdep and config keep only the first
#    softdep line of each module is the reference's;
#  - kmod 30 dumps `softdep M pre: A post: B` as `softdep M pre: Apost: B` (-c),
#    and a softdep line without dependencies with a trailing space: the
#    reference's line is compared with the space put back, the trailing one
#    dropped;
#  - kmod 30's --show-depends can list a module twice (crc32c_generic for xfs:
#    once as the softdep of libcrc32c reached through an alias, once as a
#    dependency); we list each module once. Counted as deliberate when the
#    reference's output without its repeated lines is ours.
# Exit status 1 if anything else differs, 2 on setup errors.

set -euo pipefail

START=$SECONDS
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
srcroot=$(cd "$here/../.." && pwd -P)

die() { printf 'modprobe-diff: ERROR: %s\n' "$*" >&2; exit 2; }

(( $# == 1 )) || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD_DIR=$(cd "$1" && pwd -P) || die "no build directory $1"
OURS=$BUILD_DIR/src/modprobe
REF=${REF_MODPROBE:-/usr/sbin/modprobe}
REF_DEPMOD=${REF_DEPMOD:-/usr/sbin/depmod}
[[ -x $OURS ]] || die "$OURS not found (build first)"
[[ -x $REF ]] || die "reference $REF not found (apt-get install kmod)"
[[ -x $REF_DEPMOD ]] || die "reference $REF_DEPMOD not found (apt-get install kmod)"
for t in cmp diff xargs timeout awk sed split; do
	command -v "$t" >/dev/null || die "$t not found"
done

fetch_out=$("$srcroot/tools/fetch-debian-kernel") || die "tools/fetch-debian-kernel failed"
ROOT=$(sed -n 's/^ROOT=//p' <<<"$fetch_out")
KVER=$(sed -n 's/^KVER=//p' <<<"$fetch_out")
[[ -n $ROOT && -n $KVER && -d $ROOT/lib/modules/$KVER ]] || die "bad fetch-debian-kernel output: $fetch_out"
CACHE=$(dirname "$ROOT")
MODDIR=$ROOT/lib/modules/$KVER

case $CACHE/ in
"$srcroot"/*) die "cache $CACHE is inside the repository" ;;
esac

# shellcheck disable=SC2034 # used by lib.sh
NPROC=$(nproc 2>/dev/null || echo 2)
DIFF_SHOW=${DIFF_SHOW:-3}

# shellcheck disable=SC2034 # used by lib.sh
LIB_TAG=modprobe-diff
# shellcheck source=testsuite/differential/lib.sh
source "$here/lib.sh"

WORK=$(mktemp -d "$CACHE/modprobe-diff.XXXXXX")
cleanup() { rm -rf -- "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
[[ $WORK != *[[:space:]#]* ]] || die "work directory $WORK: blanks or # not supported"

echo "modprobe-diff: ours=$OURS ref=$REF ($("$REF" --version | head -1))"
echo "modprobe-diff: tree=$MODDIR"

STATUS=0

# ---------------------------------------------------------------- the copies

# COPY: the tree with the reference's indexes. FIRST: the same with
# modules.softdep keeping only the first line of each module (kmod 30's view),
# for telling the deliberate differences apart.
COPY=$WORK/root
mkdir -p "$COPY/lib/modules"
cp -al -- "$MODDIR" "$COPY/lib/modules/"
"$REF_DEPMOD" -b "$COPY" "$KVER" || die "reference depmod failed"
CMOD=$COPY/lib/modules/$KVER
FIRST=$WORK/first
mkdir -p "$FIRST/lib/modules"
cp -al -- "$CMOD" "$FIRST/lib/modules/"
rm -f -- "$FIRST/lib/modules/$KVER/modules.softdep"
awk '$1 != "softdep" || !seen[$2]++' "$CMOD/modules.softdep" >"$FIRST/lib/modules/$KVER/modules.softdep"

CONF=$WORK/conf.d
CONF_FIRST=$WORK/conf-first.d
mkdir -p "$CONF" "$CONF_FIRST"
cat >"$CONF/test.conf" <<'EOF'
# options: accumulated, also for an alias used for the lookup
options e1000e InterruptThrottleRate=3000,3000 debug=1
options e1000e copybreak=128
options snd-hda-intel model=auto power_save=1
options my-net-alias SmartPowerDownEnable=1
options sctp "cookie_preserve_enable=1"
# aliases: plain, wildcard, two targets
alias my-net-alias e1000e
alias my-wild* dummy
alias my-multi tun
alias my-multi loop
# install and remove commands (-D shows install commands; nothing runs)
install pcspkr /bin/true
install floppy /sbin/modprobe --ignore-install floppy $CMDLINE_OPTS
remove floppy /sbin/modprobe -r --ignore-remove floppy
# the blacklist (alias lookups only)
blacklist nouveau
blacklist pcspkr
# softdeps: one line per module
softdep e1000e pre: crc32c_generic post: ptp
softdep xfs pre: crc32c_generic
softdep sctp pre: loop post: tun dummy
EOF
cp -- "$CONF/test.conf" "$CONF_FIRST/test.conf"
# the documented case of several softdep lines for one module (merged by us)
printf 'softdep dummy pre: loop\nsoftdep dummy post: tun\n' >"$CONF/merge.conf"
printf 'softdep dummy pre: loop\n' >"$CONF_FIRST/merge.conf"

# weakdep lines: kmod 33 and later understand them, as we do (kmod 30 calls
# them bad lines: that difference is the tool tests' business); with such a
# reference -c must print them as we do, and --show-depends ignore them
if ref_at_least "$REF" 33; then
	printf 'weakdep e1000e ptp\nweakdep sctp loop tun\n' >"$CONF/weakdep.conf"
	cp -- "$CONF/weakdep.conf" "$CONF_FIRST/weakdep.conf"
fi

# modules with several softdep lines: where the deliberate differences are
DELIBERATE_MODULES=$( (awk '$1 == "softdep" { print $2 }' "$CMOD/modules.softdep";
	awk '$1 == "softdep" { print $2 }' "$CONF"/*.conf) | sort | uniq -d | tr '\n' ' ')
echo "modprobe-diff: modules with several softdep lines: $DELIBERATE_MODULES"

# ---------------------------------------------------------------- the items

sed 's/:.*//; s|.*/||; s/\.ko\(\..*\)\{0,1\}$//' "$CMOD/modules.dep" >"$WORK/names.items"
sed 's|.*/||; s/\.ko$//' "$CMOD/modules.builtin" >>"$WORK/names.items"
printf '%s\n' my-net-alias my-wild-card my-multi >>"$WORK/names.items"
awk '$1 == "alias" { print $2 }' "$CMOD/modules.alias" |
	sed -E 's/\[([^]])[^]]*\]/\1/g; s/\*//g; s/\?/a/g' | grep -v '^$' >"$WORK/aliases.items" || true

# ------------------------------------------------------------- comparisons

mkdir -p "$WORK/diffs"

# run TOOL ROOT CONFDIR OUT ARGS...: OUT.{out,err,rc}
run() {
	local tool=$1 root=$2 conf=$3 out=$4 rc=0
	shift 4
	timeout -k 5 600 "$tool" -C "$conf" -d "$root" -S "$KVER" "$@" >"$out.out" 2>"$out.err" || rc=$?
	echo "$rc" >"$out.rc"
}
# kmod 30's -c softdep lines with the space before post: put back, and
# without the trailing space of a line that lists no dependency
norm_ref() {
	sed -E -i -e 's/^(softdep .*[^ ])(post:)/\1 \2/' -e 's/^(softdep [^ ]+) $/\1/' "$1.out"
}
# The reference's result of A with repeated stdout lines dropped is B's.
same_without_repeats() {
	awk '!seen[$0]++' "$1.out" | cmp -s - "$2.out" && cmp -s "$1.err" "$2.err" &&
		cmp -s "$1.rc" "$2.rc"
}
same_result() { cmp -s "$1.out" "$2.out" && cmp -s "$1.err" "$2.err" && cmp -s "$1.rc" "$2.rc"; }
view() {
	echo "== stdout =="
	cat -- "$1.out"
	echo "== stderr =="
	cat -- "$1.err"
	echo "== exit status $(cat -- "$1.rc") =="
}
# record KIND WHAT ITEMS_FILE A B: a report file for a difference
record() {
	local kind=$1 what=$2 items=$3 a=$4 b=$5 f
	f=$WORK/diffs/$(printf '%05d' "$(find "$WORK/diffs" -type f | wc -l)")-$kind
	{
		echo "$what: $kind: $(head -c 300 "$items" | tr '\n' ' ')"
		diff -u --label "reference" --label "ours" <(view "$b") <(view "$a") | head -n 60 || true
	} >"$f"
}

# compare_items WHAT ITEMS BATCH ARGS...: `TOOL ARGS... ITEMS` for batches of
# the items; a differing batch is bisected down to single items.
SAME=0 DIFF=0 DELIB=0
bisect() {
	local what=$1 items=$2
	shift 2
	local n half
	n=$(wc -l <"$items")
	(( n > 0 )) || return 0
	local -a args
	mapfile -t args <"$items"
	run "$OURS" "$COPY" "$CONF" "$items.a" "$@" -- "${args[@]}"
	run "$REF" "$COPY" "$CONF" "$items.b" "$@" -- "${args[@]}"
	norm_ref "$items.b"
	if same_result "$items.a" "$items.b"; then
		SAME=$((SAME + n))
		return 0
	fi
	if (( n == 1 )); then
		# kmod 30's view of the softdeps: equal then, the difference is deliberate
		run "$OURS" "$FIRST" "$CONF_FIRST" "$items.f" "$@" -- "${args[@]}"
		sed -i "s#$FIRST/#$COPY/#g" "$items.f.out" "$items.f.err"
		if same_result "$items.f" "$items.b" || same_without_repeats "$items.b" "$items.a"; then
			DELIB=$((DELIB + 1))
			record deliberate "$what" "$items" "$items.a" "$items.b"
		else
			DIFF=$((DIFF + 1))
			record different "$what" "$items" "$items.a" "$items.b"
		fi
		return 0
	fi
	half=$((n / 2))
	head -n "$half" "$items" >"$items.h"
	tail -n +"$((half + 1))" "$items" >"$items.t"
	local d0=$((DIFF + DELIB))
	bisect "$what" "$items.h" "$@"
	bisect "$what" "$items.t" "$@"
	if (( DIFF + DELIB == d0 )); then
		# each half alone is identical: the batch differs only as a whole
		DIFF=$((DIFF + 1))
		record different-as-a-batch "$what" "$items" "$items.a" "$items.b"
	fi
}
report() {
	local what=$1 total=$2 t0=$3
	printf 'modprobe-diff: %s: %d compared, %d identical, %d different' "$what" "$total" "$SAME" "$DIFF"
	(( DELIB == 0 )) || printf ', %d deliberate' "$DELIB"
	printf ' (%ds)\n' $((SECONDS - t0))
	(( DIFF == 0 )) || STATUS=1
	local f shown=0 names=
	for f in "$WORK"/diffs/*-deliberate; do
		[[ -f $f ]] && names+=" $(head -n 1 -- "$f" | sed 's/.*: deliberate: //; s/ *$//')"
	done
	[[ -z $names ]] ||
		printf 'modprobe-diff: %s: deliberate (several softdep lines, or a module listed twice by kmod):%s\n' \
			"$what" "$names"
	for f in "$WORK"/diffs/*-different*; do
		[[ -f $f ]] || continue
		(( shown < DIFF_SHOW )) || break
		shown=$((shown + 1))
		sed 's/^/    /' -- "$f"
	done
	if [[ -n ${DIFF_KEEP:-} ]]; then
		mkdir -p "$DIFF_KEEP"
		cp -- "$WORK"/diffs/* "$DIFF_KEEP/" 2>/dev/null || true
	fi
	rm -f -- "$WORK"/diffs/*
}
compare_items() {
	local what=$1 list=$2 batch=$3 t0=$SECONDS total b
	shift 3
	SAME=0 DIFF=0 DELIB=0
	total=$(wc -l <"$list")
	rm -rf -- "$WORK/batches"
	mkdir -p "$WORK/batches"
	split -l "$batch" -a 4 -d -- "$list" "$WORK/batches/b"
	for b in "$WORK"/batches/b[0-9][0-9][0-9][0-9]; do
		bisect "$what" "$b" "$@"
	done
	(( SAME + DIFF + DELIB >= total )) || { echo "modprobe-diff: internal error: counts do not add up" >&2; STATUS=2; }
	report "$what" "$total" "$t0"
}

compare_items "--show-depends NAME (every module, built-in and config alias name)" \
	"$WORK/names.items" 500 -a --show-depends
compare_items "-R ALIAS (every modules.alias pattern)" "$WORK/aliases.items" 2000 -a -R

t0=$SECONDS
SAME=0 DIFF=0 DELIB=0
run "$OURS" "$COPY" "$CONF" "$WORK/c.a" -c
run "$REF" "$COPY" "$CONF" "$WORK/c.b" -c
norm_ref "$WORK/c.b"
echo "-c" >"$WORK/c.items"
if same_result "$WORK/c.a" "$WORK/c.b"; then
	SAME=1
else
	DIFF=1
	record different "-c" "$WORK/c.items" "$WORK/c.a" "$WORK/c.b"
fi
report "-c (the config and the indexes)" 1 "$t0"

printf 'modprobe-diff: done in %ds: %s\n' $((SECONDS - START)) \
	"$( ((STATUS == 0)) && echo "no difference but the deliberate ones" || echo "DIFFERENCES")"
exit "$STATUS"
