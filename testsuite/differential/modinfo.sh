#!/bin/bash
# Differential test: our modinfo against the reference (Debian's kmod 30,
# /usr/sbin/modinfo) on every module of a real Debian kernel.
#
# Usage: testsuite/differential/modinfo.sh BUILD_DIR
#        testsuite/differential/kmod34.sh modinfo.sh BUILD_DIR
#        (the second reference: Debian 13's kmod 34.2, in a chroot; the same
#        expectations hold: kmod 34.2 prints no build-id either, and Debian
#        builds it without zlib too)
#
#   BUILD_DIR/src/modinfo is the tool under test. The kernel tree comes from
#   tools/fetch-debian-kernel (cache in ${KMODLITE_CACHE:-/var/cache/kmodlite},
#   outside the repository); compressed copies of the tree are cached there too.
#
# Environment:
#   KMODLITE_CACHE     cache directory (see tools/fetch-debian-kernel)
#   REF_MODINFO        reference modinfo (default /usr/sbin/modinfo)
#   REF_DEPMOD         reference depmod  (default /usr/sbin/depmod)
#   DIFF_SHOW          how many differing items to show per step (default 3)
#   DIFF_KEEP          if set to a directory, all diff reports are copied there
#
# Comparisons are byte-exact on stdout, stderr and exit status, except that
# `build-id:` records are removed from our output (kmod 30 and 34.2 lack that
# field).
# Each step prints
#   modinfo-diff: <what>: N compared, N identical, N different
# Exit status 1 if anything differs, 2 on setup errors.

set -euo pipefail

START=$SECONDS
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
srcroot=$(cd "$here/../.." && pwd -P)

die() { printf 'modinfo-diff: ERROR: %s\n' "$*" >&2; exit 2; }

(( $# == 1 )) || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD_DIR=$(cd "$1" && pwd -P) || die "no build directory $1"
OURS=$BUILD_DIR/src/modinfo
REF=${REF_MODINFO:-/usr/sbin/modinfo}
REF_DEPMOD=${REF_DEPMOD:-/usr/sbin/depmod}
[[ -x $OURS ]] || die "$OURS not found (build first)"
[[ -x $REF ]] || die "reference $REF not found (apt-get install kmod)"
[[ -x $REF_DEPMOD ]] || die "reference $REF_DEPMOD not found (apt-get install kmod)"
for t in perl xz zstd gzip cmp diff xargs timeout; do
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

NPROC=$(nproc 2>/dev/null || echo 2)
DIFF_SHOW=${DIFF_SHOW:-3}

WORK=$(mktemp -d "$CACHE/modinfo-diff.XXXXXX")
cleanup() { rm -rf -- "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "modinfo-diff: ours=$OURS ref=$REF ($("$REF" --version | head -1))"
echo "modinfo-diff: tree=$MODDIR"

# ---------------------------------------------------------------------------
# The comparator.
#
# An item list has one line per item: INDEX US OURS_ARG US REF_ARG (US is
# the ASCII unit separator \x1f, so empty arguments survive).
# The list is cut into batches of BATCH items; each batch is run once per
# side with all its arguments and compared as a whole (stdout, stderr, exit
# status). A differing batch is narrowed down to single items, so the number
# of differing items is exact while identical stretches cost one run:
#  - if every item printed exactly one record starting with `filename:` on
#    both sides (and stderr and exit status agree), the records are compared
#    one by one and only the differing items are rerun alone;
#  - otherwise the batch is bisected (halves of more than 8 items), then the
#    items of small pieces are run alone.
# Filters are perl substitutions applied (with -0777) to each side's stdout.

US=$'\x1f'

# Perl code removing whole records (ended by \n, or by \0 under -0) whose key
# is $1 (`key:` or, in kmod 30's -0 format, `key=`), with continuation lines.
rm_field() {
	printf 's/(?:^|(?<=[\\n\\0]))%s[:=][^\\n\\0]*[\\n\\0](?:\\t[^\\n\\0]*[\\n\\0])*//g;' "$1"
}
OURS_FILTER_DEFAULT=$(rm_field build-id)
REF_FILTER_DEFAULT=''

BATCH=200

# run_side SIDE ITEMS OUTPREFIX: leaves OUTPREFIX.{raw,out,err,rc}
run_side() {
	local side=$1 items=$2 out=$3 tool filt rc=0 idx a b
	local -a opts args=()
	if [[ $side == ours ]]; then tool=$OURS filt=$OURS_FILTER
	else tool=$REF filt=$REF_FILTER; fi
	read -r -a opts <<<"$CMP_OPTS"
	while IFS=$US read -r idx a b; do
		if [[ $side == ours ]]; then args+=("$a"); else args+=("$b"); fi
	done <"$items"
	timeout -k 5 120 "$tool" "${opts[@]}" "${args[@]}" >"$out.raw" 2>"$out.err" || rc=$?
	if [[ -n $filt ]]; then
		perl -0777 -pe "$filt" "$out.raw" >"$out.out"
	else
		cp -- "$out.raw" "$out.out"
	fi
	echo "$rc" >"$out.rc"
}

# A readable view of one run for diff reports: NULs made visible.
view() {
	echo "== stdout =="
	perl -0777 -pe 's/\0/\\0\n/g' "$1.out"
	echo "== stderr =="
	cat -- "$1.err"
	echo "== exit status $(cat -- "$1.rc") =="
}

same_runs() {
	cmp -s "$1.out" "$2.out" && cmp -s "$1.err" "$2.err" && cmp -s "$1.rc" "$2.rc"
}

# Records of both raw outputs split at `filename:`; prints the 1-based
# positions of the differing records (after filtering), or FAIL when the
# outputs cannot be split one record per item.
split_compare() {
	local items=$1 n=$2
	cmp -s "$items.o.err" "$items.r.err" && cmp -s "$items.o.rc" "$items.r.rc" || { echo FAIL; return; }
	perl -e '
		my ($o, $r, $n, $of, $rf) = @ARGV;
		local $/;
		open(my $fo, "<", $o) or die; my $ot = <$fo>;
		open(my $fr, "<", $r) or die; my $rt = <$fr>;
		my @or = split /(?:^|(?<=[\n\0]))(?=filename:)/, $ot;
		my @rr = split /(?:^|(?<=[\n\0]))(?=filename:)/, $rt;
		if (@or != $n || @rr != $n) { print "FAIL\n"; exit 0; }
		my $fo_sub = eval "sub { $of }" or die $@;
		my $fr_sub = eval "sub { $rf }" or die $@;
		for my $i (0 .. $n - 1) {
			local $_ = $or[$i]; $fo_sub->(); my $a = $_;
			$_ = $rr[$i]; $fr_sub->(); my $b = $_;
			print $i + 1, "\n" if $a ne $b;
		}' "$items.o.raw" "$items.r.raw" "$n" "$OURS_FILTER" "$REF_FILTER"
}

# single ITEMFILE RESULTS DIFFDIR: one item alone.
single() {
	local items=$1 res=$2 ddir=$3 idx ourarg refarg
	local -a opts
	run_side ours "$items" "$items.o"
	run_side ref "$items" "$items.r"
	if same_runs "$items.o" "$items.r"; then
		echo "S 1" >>"$res"
		return 0
	fi
	echo "D 1" >>"$res"
	IFS=$US read -r idx ourarg refarg <"$items"
	read -r -a opts <<<"$CMP_OPTS"
	{
		echo "ours: $OURS ${opts[*]:+${opts[*]} }'$ourarg'"
		echo "ref:  $REF ${opts[*]:+${opts[*]} }'$refarg'"
		diff -u --label reference --label ours <(view "$items.r") <(view "$items.o") || true
	} >"$ddir/$(printf '%07d' "$idx")"
}

# narrow ITEMS RESULTS DIFFDIR TOP
# Result lines: "S n" (n identical items), "D 1" (one differing item, with a
# report in DIFFDIR), "B n" (a set of n items that differs when run together
# although every item alone is identical; report in DIFFDIR too).
narrow() {
	local items=$1 res=$2 ddir=$3 top=${4:-0} n half i pos d0 d1 idx
	: >>"$res"
	n=$(wc -l <"$items")
	(( n > 0 )) || return 0
	if (( n == 1 )); then
		single "$items" "$res" "$ddir"
		return 0
	fi
	run_side ours "$items" "$items.o"
	run_side ref "$items" "$items.r"
	if same_runs "$items.o" "$items.r"; then
		echo "S $n" >>"$res"
		return 0
	fi
	if (( top )); then
		pos=$(split_compare "$items" "$n")
		if [[ $pos != *FAIL* ]]; then
			# Trust the split only if every flagged item differs alone too.
			local cnt=0 sres=$items.sres
			: >"$sres"
			for i in $pos; do
				sed -n "${i}p" -- "$items" >"$items.i$i"
				single "$items.i$i" "$sres" "$ddir"
				cnt=$((cnt + 1))
			done
			if (( cnt > 0 )) && ! grep -q '^S' "$sres"; then
				cat -- "$sres" >>"$res"
				(( n - cnt == 0 )) || echo "S $((n - cnt))" >>"$res"
				return 0
			fi
			# else: context-dependent output; fall back to bisection
			for i in $pos; do
				rm -f -- "$ddir/$(IFS=$US read -r idx _ <"$items.i$i"; printf '%07d' "$idx")"
			done
		fi
	fi
	d0=$(grep -c '^[DB]' "$res" || true)
	if (( n <= 8 )); then
		i=0
		while IFS= read -r line; do
			i=$((i + 1))
			printf '%s\n' "$line" >"$items.i$i"
			single "$items.i$i" "$res" "$ddir"
		done <"$items"
	else
		half=$(( n / 2 ))
		head -n "$half" -- "$items" >"$items.a"
		tail -n +"$((half + 1))" -- "$items" >"$items.b"
		narrow "$items.a" "$res" "$ddir"
		narrow "$items.b" "$res" "$ddir"
	fi
	d1=$(grep -c '^[DB]' "$res" || true)
	if (( d1 == d0 )); then
		# The set differs, no item does alone: keep the whole set's report.
		echo "B $n" >>"$res"
		IFS=$US read -r idx _ <"$items"
		local -a opts
		read -r -a opts <<<"$CMP_OPTS"
		{
			echo "these $n items differ only when run together (each alone is identical):"
			echo "ours: $OURS ${opts[*]} $(cut -d"$US" -f2 -- "$items" | head -n 3 | tr '\n' ' ')..."
			echo "ref:  $REF ${opts[*]} $(cut -d"$US" -f3 -- "$items" | head -n 3 | tr '\n' ' ')..."
			echo "items: $(cut -d"$US" -f1 -- "$items" | head -n 1) to $(cut -d"$US" -f1 -- "$items" | tail -n 1) of the list"
			diff -u --label reference --label ours <(view "$items.r") <(view "$items.o") || true
		} >"$ddir/$(printf '%07d' "$idx")-set"
	fi
}

# compare WHAT LISTFILE OPTS... — env OURS_FILTER/REF_FILTER may override.
STATUS=0
compare() {
	local what=$1 list=$2 t0=$SECONDS
	shift 2
	local step dir same=0 diff=0 sets=0 total k n f shown=0
	step=$(printf '%s' "$what" | tr -c 'A-Za-z0-9._-' '_')
	dir=$WORK/step.$step
	rm -rf -- "$dir"
	mkdir -p "$dir/batches" "$dir/diffs"
	total=$(wc -l <"$list")
	split -l "$BATCH" -a 4 -d -- "$list" "$dir/batches/b"
	export CMP_OPTS="$*" CMP_DIFFDIR=$dir/diffs
	export OURS_FILTER=${OURS_FILTER-$OURS_FILTER_DEFAULT}
	export REF_FILTER=${REF_FILTER-$REF_FILTER_DEFAULT}
	printf '%s\0' "$dir"/batches/b[0-9][0-9][0-9][0-9] |
		xargs -0 -r -n 1 -P "$NPROC" bash -c 'narrow "$1" "$1.res" "$CMP_DIFFDIR" 1' _ ||
		true
	for f in "$dir"/batches/b[0-9][0-9][0-9][0-9]; do
		[[ -f $f.res ]] || { echo "modinfo-diff: internal error: $f not processed" >&2; STATUS=2; continue; }
		while read -r k n; do
			case $k in
			S) same=$((same + n)) ;;
			D) diff=$((diff + n)) ;;
			B) sets=$((sets + 1)) ;;
			esac
		done <"$f.res"
	done
	printf 'modinfo-diff: %s: %d compared, %d identical, %d different (%ds)\n' \
		"$what" "$total" "$same" "$diff" $((SECONDS - t0))
	if (( sets > 0 )); then
		printf 'modinfo-diff: %s: %d sets of items differ only when run together\n' "$what" "$sets"
	fi
	if (( same + diff != total )); then
		echo "modinfo-diff: internal error: counts do not add up" >&2
		STATUS=2
	fi
	if (( diff > 0 || sets > 0 )); then
		(( STATUS == 0 )) && STATUS=1
		for f in "$dir"/diffs/*; do
			(( shown < DIFF_SHOW )) || break
			shown=$((shown + 1))
			sed -n '1,40p' -- "$f" | cut -c1-300 | sed 's/^/    /'
			(( $(wc -l <"$f") <= 40 )) || echo "    [...]"
		done
		if [[ -n ${DIFF_KEEP:-} ]]; then
			mkdir -p "$DIFF_KEEP/$step"
			cp -- "$dir"/diffs/* "$DIFF_KEEP/$step/"
		fi
	fi
	unset OURS_FILTER REF_FILTER
	rm -rf -- "$dir/batches"
}
export OURS REF US
export -f run_side view same_runs split_compare single narrow

# make_list OUT < lines of "OURS_ARG<TAB>REF_ARG" (or a single column used for both)
make_list() {
	awk -F'\t' -v us="$US" '{ o = $0; r = $0; if (NF > 1) { o = $1; r = $2 } printf "%d%s%s%s%s\n", NR, us, o, us, r }' >"$1"
}

# ---------------------------------------------------------------------------
# a. modinfo PATH on every module file.

find "$MODDIR" -name '*.ko' -type f | LC_ALL=C sort | make_list "$WORK/paths"
echo "modinfo-diff: $(wc -l <"$WORK/paths") modules"

compare "modinfo PATH" "$WORK/paths"
compare "modinfo -0 PATH" "$WORK/paths" -0
compare "modinfo -F firmware PATH" "$WORK/paths" -F firmware
compare "modinfo -F parm PATH" "$WORK/paths" -F parm
compare "modinfo -p PATH" "$WORK/paths" -p
compare "modinfo -F signature PATH" "$WORK/paths" -F signature
compare "modinfo -F sig_hashalgo PATH" "$WORK/paths" -F sig_hashalgo
compare "modinfo -F depends PATH" "$WORK/paths" -F depends
compare "modinfo -n PATH" "$WORK/paths" -n
compare "modinfo -a -d -l PATH" "$WORK/paths" -a -d -l
compare "modinfo -0 -F alias PATH" "$WORK/paths" -0 -F alias

# ---------------------------------------------------------------------------
# b. modinfo by name / alias against a tree indexed by the reference depmod.

TMPROOT=$WORK/root
mkdir -p "$TMPROOT/lib/modules/$KVER"
cp -al -- "$MODDIR/kernel" "$TMPROOT/lib/modules/$KVER/"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[[ -f $MODDIR/$f ]] && cp -- "$MODDIR/$f" "$TMPROOT/lib/modules/$KVER/"
done
t0=$SECONDS
"$REF_DEPMOD" -b "$TMPROOT" "$KVER" || die "reference depmod failed"
echo "modinfo-diff: reference depmod -b $TMPROOT $KVER: $((SECONDS - t0))s"
TMPMOD=$TMPROOT/lib/modules/$KVER

# Module names from modules.dep, plus the underscore spelling of dashed names.
sed 's/:.*//; s,.*/,,; s/\.ko\(\.[a-z]*\)\?$//' "$TMPMOD/modules.dep" | LC_ALL=C sort -u >"$WORK/names.raw"
{
	cat "$WORK/names.raw"
	grep -- - "$WORK/names.raw" | tr - _
} | make_list "$WORK/names"

# Built-in modules: modules.builtin, plus names only known from
# modules.builtin.modinfo (e.g. printk, workqueue).
{
	sed 's,.*/,,; s/\.ko$//' "$TMPMOD/modules.builtin"
	if [[ -f $TMPMOD/modules.builtin.modinfo ]]; then
		tr '\0' '\n' <"$TMPMOD/modules.builtin.modinfo" | sed -n 's/^\([^.=]*\)\..*/\1/p'
	fi
} | LC_ALL=C sort -u | make_list "$WORK/builtin"

# Alias strings made from every 10th modules.alias pattern, the built-in
# aliases, and some names that exist nowhere.
{
	awk '$1 == "alias" && (++n % 10) == 1 { print $2 }' "$TMPMOD/modules.alias" |
		sed 's/\[\(.\)[^]]*\]/\1/g; s/\*//g; s/?/a/g'
	if [[ -f $TMPMOD/modules.builtin.modinfo ]]; then
		tr '\0' '\n' <"$TMPMOD/modules.builtin.modinfo" | sed -n 's/^[^.=]*\.alias=//p' |
			sed 's/\[\(.\)[^]]*\]/\1/g; s/\*//g; s/?/a/g'
	fi
} | LC_ALL=C sort -u | make_list "$WORK/aliases"

printf '%s\n' no_such_module no-such-module 'pci:v0000DEADd0000BEEFsv0sd0bc0sc0i0' \
	'usb:v0000p0000d0000dc00dsc00dp00ic00isc00ip00in00' 'fs-nosuchfs' 'sctp.ko' \
	'kernel/net/sctp/sctp.ko' '' '-' 'a*' '*' 'platform:' 'x86cpu:' |
	make_list "$WORK/notfound"

B=(-b "$TMPROOT" -k "$KVER")
compare "modinfo -b -k NAME (modules.dep)" "$WORK/names" "${B[@]}"
compare "modinfo -b -k NAME (built-in)" "$WORK/builtin" "${B[@]}"
compare "modinfo -b -k ALIAS" "$WORK/aliases" "${B[@]}"
compare "modinfo -b -k NOT-FOUND" "$WORK/notfound" "${B[@]}"
compare "modinfo -b -k -F firmware NAME" "$WORK/names" "${B[@]}" -F firmware
compare "modinfo -b -k -0 NAME (built-in)" "$WORK/builtin" "${B[@]}" -0
compare "modinfo -b -k -F firmware ALIAS" "$WORK/aliases" "${B[@]}" -F firmware

rm -rf -- "$TMPROOT"

# ---------------------------------------------------------------------------
# c. Compressed copies (cached in CACHE/compressed-{xz,zst,gz}/KVER).

# shellcheck source=testsuite/differential/lib.sh
LIB_TAG=modinfo-diff
source "$here/lib.sh"
build_compressed_trees

for ext in xz zst; do
	(cd "$CACHE/compressed-$ext/$KVER" && find "$PWD" -name "*.ko.$ext" -type f) |
		LC_ALL=C sort | make_list "$WORK/paths.$ext"
	compare "modinfo PATH.ko.$ext" "$WORK/paths.$ext"
	compare "modinfo -F signature PATH.ko.$ext" "$WORK/paths.$ext" -F signature
done

# kmod 30 and 34.2 (Debian) are built without zlib: compare ours on .ko.gz with the
# reference on the uncompressed .ko, ignoring the filename: record.
gzdir=$CACHE/compressed-gz/$KVER
(cd "$gzdir" && find kernel -name '*.ko.gz' -type f) | LC_ALL=C sort |
	awk -v g="$gzdir/" -v m="$MODDIR/" '{ r = $0; sub(/\.gz$/, "", r); print g $0 "\t" m r }' |
	make_list "$WORK/paths.gz"
OURS_FILTER="$OURS_FILTER_DEFAULT$(rm_field filename)" REF_FILTER="$(rm_field filename)" \
	compare "modinfo PATH.ko.gz (ref: uncompressed)" "$WORK/paths.gz"

echo "modinfo-diff: total runtime $((SECONDS - START))s"
if (( STATUS != 0 )); then
	echo "modinfo-diff: FAIL"
else
	echo "modinfo-diff: PASS"
fi
exit "$STATUS"
