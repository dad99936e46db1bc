#!/bin/bash
# Differential test: our depmod against the reference (Debian's kmod 30,
# /usr/sbin/depmod) on every module of a real Debian kernel, uncompressed and
# compressed with xz, zstd and gzip.
#
# Usage: testsuite/differential/depmod.sh BUILD_DIR
#        testsuite/differential/kmod34.sh depmod.sh BUILD_DIR
#        (the second reference: Debian 13's kmod 34.2, in a chroot)
#
#   BUILD_DIR/src/depmod is the tool under test (BUILD_DIR/src/modinfo reads
#   the indexes back). The kernel tree comes from tools/fetch-debian-kernel
#   (cache in ${KMODLITE_CACHE:-/var/cache/kmodlite}, outside the repository);
#   the compressed copies are the ones testsuite/differential/lib.sh keeps in
#   the cache. depmod never runs inside the cache's pristine tree: each run gets
#   its own copy (hard links of kernel/, copies of modules.order,
#   modules.builtin, modules.builtin.modinfo).
#
# Environment:
#   KMODLITE_CACHE     cache directory (see tools/fetch-debian-kernel)
#   REF_DEPMOD         reference depmod   (default /usr/sbin/depmod)
#   REF_MODPROBE       reference modprobe (default /usr/sbin/modprobe)
#   REF_MODINFO        reference modinfo  (default /usr/sbin/modinfo)
#   DIFF_SHOW          how many differing items to show per step (default 3)
#   DIFF_NARROW_MAX    per step, stop narrowing down differing batches once this
#                      many differing items are known; the items of the pieces
#                      left are all counted as different (default 50)
#   DIFF_KEEP          if set to a directory, all diff reports are copied there
#
# Per tree (plain, xz, zst) both depmods run (`depmod -b COPY KVER`, the
# host's depmod.d as the real invocation), then:
#   - exit status and stderr must be equal (copy paths replaced by ROOT);
#   - the files in the module directory: ours = the reference's + modules.weakdep
#     (kmod 30 does not write it; kmod 34.2 does: then the sets are equal and
#     the two modules.weakdep must be byte-identical too);
#   - modules.dep, .alias, .softdep, .devname byte-identical, modules.symbols
#     identical once sorted;
#   - modules.weakdep: the header, then `weakdep MODNAME VALUE` for each
#     weakdep= of each module (from the reference modinfo, in modules.dep order);
#   - the five .bin indexes: identical content, dumped with python3 (every key
#     with its values, priorities and value order; layout ignored); SKIP
#     without python3;
#   - cross-reading: the reference modprobe (-C an empty directory, so only the
#     indexes answer) on our copy and on the reference's copy must print the
#     same for `-a --show-depends` of every module and built-in name, `-a -R`
#     of an alias string made from every modules.alias pattern (`*` -> "",
#     `?` -> "a", `[...]` -> its first character), of `symbol:SYM` for every
#     line of modules.symbols, and of every built-in name and alias; and our
#     modinfo `-F filename` of every name must print the same from either copy.
# The gzip tree is compared with our own plain tree instead, `.ko.gz` read as
# `.ko` (Debian's kmod 30 is built without zlib): our depmod on the .ko.gz copy
# must produce what it produces on the plain copy, and the cross-reading runs
# on our gz copy against our plain copy.
#
# Cross-reading runs in batches (one process per side per batch); a differing
# batch is bisected down to single items. Each step prints
#   depmod-diff: <tree>: <what>: N compared, N identical, N different
# Exit status 1 if anything differs, 2 on setup errors.

set -euo pipefail

START=$SECONDS
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
srcroot=$(cd "$here/../.." && pwd -P)

die() { printf 'depmod-diff: ERROR: %s\n' "$*" >&2; exit 2; }

(( $# == 1 )) || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD_DIR=$(cd "$1" && pwd -P) || die "no build directory $1"
OURS=$BUILD_DIR/src/depmod
OURS_MODINFO=$BUILD_DIR/src/modinfo
REF=${REF_DEPMOD:-/usr/sbin/depmod}
REF_MODPROBE=${REF_MODPROBE:-/usr/sbin/modprobe}
REF_MODINFO=${REF_MODINFO:-/usr/sbin/modinfo}
[[ -x $OURS ]] || die "$OURS not found (build first)"
[[ -x $OURS_MODINFO ]] || die "$OURS_MODINFO not found (build first)"
for t in "$REF" "$REF_MODPROBE" "$REF_MODINFO"; do
	[[ -x $t ]] || die "reference $t not found (apt-get install kmod)"
done
for t in xz zstd gzip cmp diff sort xargs timeout split date; do
	command -v "$t" >/dev/null || die "$t not found"
done
PYTHON=$(command -v python3 || true)
# a skip is a choice: KMODLITE_ALLOW_SKIP=0 (tools/test) makes it a failure
[[ -n $PYTHON || ${KMODLITE_ALLOW_SKIP:-1} = 1 ]] || die "python3 not found: the .bin contents would be skipped"

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
DIFF_NARROW_MAX=${DIFF_NARROW_MAX:-50}

# shellcheck source=testsuite/differential/lib.sh
LIB_TAG=depmod-diff
source "$here/lib.sh"
build_compressed_trees

WORK=$(mktemp -d "$CACHE/depmod-diff.XXXXXX")
cleanup() { rm -rf -- "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
[[ $WORK != *[[:space:]#]* ]] || die "work directory $WORK: blanks or # not supported"
EMPTY=$WORK/empty.d
mkdir -p "$EMPTY" "$WORK/diffs"

echo "depmod-diff: ours=$OURS ref=$REF ($("$REF" --version | head -1))"
# kmod 33 and later write modules.weakdep (kmod 30 does not): the file sets
# are then equal, and the two modules.weakdep byte-identical
REF_WRITES_WEAKDEP=0
if ref_at_least "$REF" 33; then REF_WRITES_WEAKDEP=1; fi
echo "depmod-diff: tree=$MODDIR"

STATUS=0
US=$'\x1f'

# report WHAT TOTAL SAME DIFF [NOTE]: the summary line of one step.
report() {
	local what=$1 total=$2 same=$3 diff=$4 note=${5:-}
	printf 'depmod-diff: %s: %d compared, %d identical, %d different%s\n' \
		"$what" "$total" "$same" "$diff" "${note:+ ($note)}"
	if (( same + diff != total )); then
		echo "depmod-diff: internal error: counts do not add up" >&2
		STATUS=2
	elif (( diff > 0 )) && (( STATUS == 0 )); then
		STATUS=1
	fi
	return 0
}

# show_diffs STEPDIR: the first DIFF_SHOW reports of a step (40 lines each).
show_diffs() {
	local dir=$1 f shown=0 step
	for f in "$dir"/*; do
		[[ -f $f ]] || continue
		(( shown < DIFF_SHOW )) || break
		shown=$((shown + 1))
		sed -n '1,40p' -- "$f" | sed 's/^/    /'
		(( $(wc -l <"$f") <= 40 )) || echo "    [...]"
	done
	if [[ -n ${DIFF_KEEP:-} ]] && (( shown > 0 )); then
		step=${dir##*/}
		mkdir -p "$DIFF_KEEP/$step"
		cp -- "$dir"/* "$DIFF_KEEP/$step/"
	fi
}

stepdir() {
	local d
	d=$WORK/diffs/$(printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '_')
	rm -rf -- "$d"
	mkdir -p "$d"
	printf '%s\n' "$d"
}

# make_copy NAME KERNEL_PARENT: WORK/NAME/lib/modules/KVER with KERNEL_PARENT/kernel
# (hard links) and copies of the kernel build's inputs of depmod.
make_copy() {
	local dest=$WORK/$1/lib/modules/$KVER f
	mkdir -p "$dest"
	cp -al -- "$2/kernel" "$dest/"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[[ -f $MODDIR/$f ]] && cp -- "$MODDIR/$f" "$dest/"
	done
	return 0
}

# run_depmod TOOL NAME: depmod -b WORK/NAME KVER; leaves WORK/NAME.{out,err,rc}
# and prints the wall time.
run_depmod() {
	local tool=$1 name=$2 rc=0 t0 t1
	t0=$(date +%s.%N)
	timeout -k 5 600 "$tool" -b "$WORK/$name" "$KVER" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
	t1=$(date +%s.%N)
	echo "$rc" >"$WORK/$name.rc"
	printf 'depmod-diff: %s -b %s %s: exit %d, %ss\n' "$tool" "$WORK/$name" "$KVER" "$rc" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
}

# Sed script making two copies' outputs comparable: the copies' roots become
# ROOT; with GZ=1 also .ko.gz becomes .ko.
norm_script() {
	printf 's#%s/[a-z]*-[a-z]*#ROOT#g;' "$WORK"
	if [[ ${1:-0} == 1 ]]; then printf 's/\\.ko\\.gz/.ko/g;'; fi
}

# ---------------------------------------------------------------------------
# The .bin dumper (bindump.py): every key of a trie index in key order, then
# its values in stored order with their priorities. Layout-independent.

BINS=(modules.dep.bin modules.alias.bin modules.symbols.bin modules.builtin.bin
	modules.builtin.alias.bin)

# dump_bins NAME: WORK/NAME.dumps/*.dump
dump_bins() {
	mkdir -p "$WORK/$1.dumps"
	"$PYTHON" "$here/bindump.py" "$WORK/$1/lib/modules/$KVER" "$WORK/$1.dumps" "${BINS[@]}"
}

# ---------------------------------------------------------------------------
# Batched cross-reading comparator.
#
# An item list has one line per item: INDEX US ARG. Side a runs
# `XCMD_A -- ARGS...`, side b `XCMD_B -- ARGS...` (XCMD_* split on blanks);
# stdout and stderr go through the sed script XNORM; stdout, stderr and exit
# status must be equal. A differing batch is bisected down to single items;
# once DIFF_NARROW_MAX differing items are known in a step, differing pieces
# are no longer bisected and all their items count as different (marked U).
# A piece that differs while both its halves are identical is reported as a
# set (B) and fails the step; its items count as identical.

xrun() {
	local side=$1 items=$2 out=$3 rc=0
	local -a cmd args
	if [[ $side == a ]]; then read -r -a cmd <<<"$XCMD_A"; else read -r -a cmd <<<"$XCMD_B"; fi
	mapfile -t args < <(cut -d "$US" -f 2- -- "$items")
	timeout -k 5 300 "${cmd[@]}" -- "${args[@]}" >"$out.rawout" 2>"$out.rawerr" || rc=$?
	sed -e "$XNORM" "$out.rawout" >"$out.out"
	sed -e "$XNORM" "$out.rawerr" >"$out.err"
	echo "$rc" >"$out.rc"
}

xsame() {
	cmp -s "$1.out" "$2.out" && cmp -s "$1.err" "$2.err" && cmp -s "$1.rc" "$2.rc"
}

xview() {
	echo "== stdout =="
	cat -- "$1.out"
	echo "== stderr =="
	cat -- "$1.err"
	echo "== exit status $(cat -- "$1.rc") =="
}

xnarrow() {
	local items=$1 res=$2 n half idx arg d0 d1
	n=$(wc -l <"$items")
	(( n > 0 )) || return 0
	xrun a "$items" "$items.A"
	xrun b "$items" "$items.B"
	if xsame "$items.A" "$items.B"; then
		echo "S $n" >>"$res"
		return 0
	fi
	if (( n > 1 )) && (( $(find "$XDIFFDIR" -type f | wc -l) >= XNARROW_MAX )); then
		echo "U $n" >>"$res"
		return 0
	fi
	if (( n == 1 )); then
		echo "D 1" >>"$res"
		IFS=$US read -r idx arg <"$items"
		{
			echo "item: '$arg'"
			echo "a: $XCMD_A -- '$arg'"
			echo "b: $XCMD_B -- '$arg'"
			diff -u --label "b ($XLABEL_B)" --label "a ($XLABEL_A)" \
				<(xview "$items.B") <(xview "$items.A") || true
		} >"$XDIFFDIR/$(printf '%07d' "$idx")"
		return 0
	fi
	d0=$(grep -c '^[DUB]' "$res" 2>/dev/null || true)
	half=$(( n / 2 ))
	head -n "$half" -- "$items" >"$items.h"
	tail -n +"$((half + 1))" -- "$items" >"$items.t"
	xnarrow "$items.h" "$res"
	xnarrow "$items.t" "$res"
	d1=$(grep -c '^[DUB]' "$res" 2>/dev/null || true)
	if [[ ${d0:-0} == "${d1:-0}" ]]; then
		# Both halves are identical: the set differs only as a whole.
		echo "B $n" >>"$res"
		IFS=$US read -r idx arg <"$items"
		{
			echo "these $n items differ only when run together (each half alone is identical):"
			echo "items $idx to $(tail -n 1 -- "$items" | cut -d "$US" -f 1) of the list, the first: '$arg'"
			echo "a: $XCMD_A -- ..."
			echo "b: $XCMD_B -- ..."
			diff -u --label "b ($XLABEL_B)" --label "a ($XLABEL_A)" \
				<(xview "$items.B") <(xview "$items.A") || true
		} >"$XDIFFDIR/$(printf '%07d' "$idx")-set"
	fi
}
export -f xrun xsame xview xnarrow
export US

# xcompare WHAT LIST BATCH LABEL_A CMD_A LABEL_B CMD_B NORM
xcompare() {
	local what=$1 list=$2 batch=$3 t0=$SECONDS dir bdir same=0 diff=0 unres=0 sets=0 total k n f
	dir=$(stepdir "$what")
	bdir=$WORK/batches
	rm -rf -- "$bdir"
	mkdir -p "$bdir"
	total=$(wc -l <"$list")
	split -l "$batch" -a 4 -d -- "$list" "$bdir/b"
	export XLABEL_A=$4 XCMD_A=$5 XLABEL_B=$6 XCMD_B=$7 XNORM=$8 XDIFFDIR=$dir
	export XNARROW_MAX=$DIFF_NARROW_MAX
	printf '%s\0' "$bdir"/b[0-9][0-9][0-9][0-9] |
		xargs -0 -r -n 1 -P "$NPROC" bash -c 'xnarrow "$1" "$1.res"' _ || true
	for f in "$bdir"/b[0-9][0-9][0-9][0-9]; do
		[[ -f $f.res ]] || { echo "depmod-diff: internal error: $f not processed" >&2; STATUS=2; continue; }
		while read -r k n; do
			case $k in
			S) same=$((same + n)) ;;
			D) diff=$((diff + n)) ;;
			U) unres=$((unres + n)) ;;
			B) sets=$((sets + 1)) ;;
			esac
		done <"$f.res"
	done
	rm -rf -- "$bdir"
	report "$what" "$total" "$same" $((diff + unres)) \
		"$( (( unres == 0 )) || echo "$unres of them in pieces not narrowed down; ")$((SECONDS - t0))s"
	if (( sets > 0 )); then
		printf 'depmod-diff: %s: %d sets of items differ only when run together\n' "$what" "$sets"
		(( STATUS != 0 )) || STATUS=1
	fi
	show_diffs "$dir"
}

# ---------------------------------------------------------------------------
# File-level comparisons.

# cmp_text_one DIR FILE A B HOW: A and B equal (HOW=sorted: once sorted); else a
# report DIR/FILE and status 1.
cmp_text_one() {
	local dir=$1 file=$2 a=$3 b=$4 how=$5
	if [[ ! -f $a || ! -f $b ]]; then
		{
			echo "$file: missing: $( [[ -f $a ]] || echo "$a " )$( [[ -f $b ]] || echo "$b" )"
		} >"$dir/$file"
		return 1
	fi
	if [[ $how == sorted ]]; then
		LC_ALL=C sort -- "$a" >"$WORK/sorted.a"
		LC_ALL=C sort -- "$b" >"$WORK/sorted.b"
		a=$WORK/sorted.a b=$WORK/sorted.b
	fi
	cmp -s -- "$a" "$b" && return 0
	{
		echo "$file${how:+ ($how)}: $(cmp -- "$a" "$b" 2>&1 || true)"
		diff -u --label "$XLABEL_B/$file" --label "$XLABEL_A/$file" -- "$b" "$a" | head -n 30 || true
	} >"$dir/$file"
	return 1
}

# compare_outputs TREE A B GZ: the depmod runs and output files of copies A (ours)
# and B (the reference's, or our plain copy when GZ=1).
compare_outputs() {
	local tree=$1 a=$2 b=$3 gz=$4 norm dir same diff f ma mb expect what
	norm=$(norm_script "$gz")
	ma=$WORK/$a/lib/modules/$KVER
	mb=$WORK/$b/lib/modules/$KVER
	XLABEL_A=$a XLABEL_B=$b

	# exit status and stderr
	dir=$(stepdir "$tree depmod run")
	if cmp -s "$WORK/$a.rc" "$WORK/$b.rc" &&
		cmp -s <(sed -e "$norm" "$WORK/$a.err") <(sed -e "$norm" "$WORK/$b.err"); then
		report "$tree: depmod exit status and stderr" 1 1 0
	else
		{
			echo "exit status: $a $(cat "$WORK/$a.rc"), $b $(cat "$WORK/$b.rc")"
			diff -u --label "$b stderr" --label "$a stderr" \
				<(sed -e "$norm" "$WORK/$b.err") <(sed -e "$norm" "$WORK/$a.err") | head -n 30 || true
		} >"$dir/run"
		report "$tree: depmod exit status and stderr" 1 0 1
		show_diffs "$dir"
	fi

	# the set of files in the module directory
	dir=$(stepdir "$tree file set")
	# (ours also keeps modules.depmod-cache and its spare, which no reader
	# uses: left out on both sides, the expected one being our plain tree
	# for gz)
	if (( gz )) || (( REF_WRITES_WEAKDEP )); then
		expect=$(cd "$mb" && ls -A | grep -vxE 'modules\.depmod-cache(\.spare)?')
	else
		expect=$( (cd "$mb" && ls -A | grep -vxE 'modules\.depmod-cache(\.spare)?'; echo modules.weakdep) | LC_ALL=C sort -u)
	fi
	if [[ $(cd "$ma" && ls -A | grep -vxE 'modules\.depmod-cache(\.spare)?' | LC_ALL=C sort) == "$(LC_ALL=C sort <<<"$expect")" ]]; then
		report "$tree: files in the module directory" 1 1 0
	else
		diff -u --label "expected ($b$( (( gz || REF_WRITES_WEAKDEP )) || echo ' + modules.weakdep'))" --label "$a" \
			<(LC_ALL=C sort <<<"$expect") <(cd "$ma" && ls -A | grep -vxE 'modules\.depmod-cache(\.spare)?' | LC_ALL=C sort) >"$dir/ls" || true
		report "$tree: files in the module directory" 1 0 1
		show_diffs "$dir"
	fi

	# text files
	dir=$(stepdir "$tree text files")
	same=0 diff=0
	for f in modules.dep modules.alias modules.softdep modules.devname modules.symbols; do
		if (( gz )); then
			[[ -f $ma/$f ]] && sed -e "$norm" "$ma/$f" >"$WORK/$a.$f.norm"
			if cmp_text_one "$dir" "$f" "$WORK/$a.$f.norm" "$mb/$f" ""; then
				same=$((same + 1)); else diff=$((diff + 1)); fi
		else
			if cmp_text_one "$dir" "$f" "$ma/$f" "$mb/$f" \
				"$([[ $f == modules.symbols ]] && echo sorted)"; then
				same=$((same + 1)); else diff=$((diff + 1)); fi
		fi
	done
	if (( gz )); then
		if cmp_text_one "$dir" modules.weakdep "$ma/modules.weakdep" "$mb/modules.weakdep" ""; then
			same=$((same + 1)); else diff=$((diff + 1)); fi
	else
		if cmp_text_one "$dir" modules.weakdep "$ma/modules.weakdep" "$WORK/weakdep.expected" ""; then
			same=$((same + 1)); else diff=$((diff + 1)); fi
		if (( REF_WRITES_WEAKDEP )); then
			if cmp_text_one "$dir" modules.weakdep.ref "$ma/modules.weakdep" "$mb/modules.weakdep" ""; then
				same=$((same + 1)); else diff=$((diff + 1)); fi
		fi
	fi
	what="$tree: text files (dep, alias, softdep, devname, symbols sorted, weakdep vs modinfo)"
	(( gz || ! REF_WRITES_WEAKDEP )) || what="${what%)}, weakdep vs the reference's)"
	(( gz )) && what="$tree: text files (dep, alias, softdep, devname, symbols, weakdep; .ko.gz as .ko)"
	report "$what" $((same + diff)) "$same" "$diff"
	show_diffs "$dir"

	# .bin contents
	if [[ -z $PYTHON ]]; then
		echo "depmod-diff: $tree: SKIP: .bin contents (python3 not found; cross-reading still checks them)"
	else
		dir=$(stepdir "$tree bin contents")
		[[ -d $WORK/$a.dumps ]] || dump_bins "$a"
		[[ -d $WORK/$b.dumps ]] || dump_bins "$b"
		same=0 diff=0
		for f in "${BINS[@]}"; do
			if (( gz )); then
				sed -e "$norm" "$WORK/$a.dumps/$f.dump" >"$WORK/$a.dumps/$f.dump.norm"
			else
				cp -- "$WORK/$a.dumps/$f.dump" "$WORK/$a.dumps/$f.dump.norm"
			fi
			if cmp_text_one "$dir" "$f" "$WORK/$a.dumps/$f.dump.norm" "$WORK/$b.dumps/$f.dump" ""; then
				same=$((same + 1)); else diff=$((diff + 1)); fi
		done
		report "$tree: .bin contents (key, priority, value, in key order)" $((same + diff)) "$same" "$diff" \
			"$(wc -l <"$WORK/$b.dumps/modules.alias.bin.dump") alias.bin lines, $(wc -l <"$WORK/$b.dumps/modules.dep.bin.dump") dep.bin lines"
		show_diffs "$dir"
	fi
}

# cross_read TREE A B GZ: the reference modprobe and our modinfo on both copies.
cross_read() {
	local tree=$1 a=$2 b=$3 gz=$4 norm
	norm=$(norm_script "$gz")
	local mp=("$REF_MODPROBE" -C "$EMPTY" -S "$KVER")
	xcompare "$tree: modprobe --show-depends NAME (module and built-in names)" "$WORK/names.items" 500 \
		"$a" "${mp[*]} -d $WORK/$a -a --show-depends" "$b" "${mp[*]} -d $WORK/$b -a --show-depends" "$norm"
	xcompare "$tree: modprobe -R ALIAS (every modules.alias pattern)" "$WORK/aliases.items" 1000 \
		"$a" "${mp[*]} -d $WORK/$a -a -R" "$b" "${mp[*]} -d $WORK/$b -a -R" "$norm"
	xcompare "$tree: modprobe -R symbol:SYM (every modules.symbols line)" "$WORK/symbols.items" 1000 \
		"$a" "${mp[*]} -d $WORK/$a -a -R" "$b" "${mp[*]} -d $WORK/$b -a -R" "$norm"
	xcompare "$tree: modprobe -R BUILTIN (built-in names and aliases)" "$WORK/builtin.items" 1000 \
		"$a" "${mp[*]} -d $WORK/$a -a -R" "$b" "${mp[*]} -d $WORK/$b -a -R" "$norm"
	xcompare "$tree: our modinfo -F filename NAME (module and built-in names)" "$WORK/names.items" 500 \
		"$a" "$OURS_MODINFO -b $WORK/$a -k $KVER -F filename" \
		"$b" "$OURS_MODINFO -b $WORK/$b -k $KVER -F filename" "$norm"
}

items() { awk -v us="$US" 'length($0) > 0 { printf "%d%s%s\n", ++n, us, $0 }'; }

# ---------------------------------------------------------------------------
# Plain tree first: it also provides the item lists and, for the gzip tree,
# the outputs to compare with.

declare -A SRC=([plain]=$MODDIR [xz]=$CACHE/compressed-xz/$KVER
	[zst]=$CACHE/compressed-zst/$KVER [gz]=$CACHE/compressed-gz/$KVER)

for tree in plain xz zst gz; do
	echo "depmod-diff: --- $tree tree"
	make_copy "$tree-ours" "${SRC[$tree]}"
	run_depmod "$OURS" "$tree-ours"
	if [[ $tree != gz ]]; then
		make_copy "$tree-ref" "${SRC[$tree]}"
		run_depmod "$REF" "$tree-ref"
	fi

	if [[ $tree == plain ]]; then
		PM=$WORK/plain-ref/lib/modules/$KVER
		[[ -s $PM/modules.dep ]] || die "the reference depmod wrote no modules.dep"
		# module names, and built-in names (modules.builtin and those only
		# known from modules.builtin.modinfo)
		sed 's/:.*//; s,.*/,,; s/\.ko\(\.[a-z]*\)\?$//' "$PM/modules.dep" >"$WORK/modnames"
		{
			sed 's,.*/,,; s/\.ko$//' "$MODDIR/modules.builtin"
			if [[ -f $MODDIR/modules.builtin.modinfo ]]; then
				tr '\0' '\n' <"$MODDIR/modules.builtin.modinfo" | sed -n 's/^\([^.=]*\)\..*/\1/p'
			fi
		} | LC_ALL=C sort -u >"$WORK/builtinnames"
		cat "$WORK/modnames" "$WORK/builtinnames" | items >"$WORK/names.items"
		awk '$1 == "alias" { print $2 }' "$PM/modules.alias" |
			sed 's/\[\(.\)[^]]*\]/\1/g; s/\*//g; s/?/a/g' | items >"$WORK/aliases.items"
		awk '$1 == "alias" { print $2 }' "$PM/modules.symbols" | items >"$WORK/symbols.items"
		{
			cat "$WORK/builtinnames"
			if [[ -f $MODDIR/modules.builtin.modinfo ]]; then
				tr '\0' '\n' <"$MODDIR/modules.builtin.modinfo" | sed -n 's/^[^.=]*\.alias=//p' |
					sed 's/\[\(.\)[^]]*\]/\1/g; s/\*//g; s/?/a/g'
			fi
		} | items >"$WORK/builtin.items"
		echo "depmod-diff: $(wc -l <"$WORK/modnames") modules, $(wc -l <"$WORK/builtinnames") built-in names," \
			"$(wc -l <"$WORK/aliases.items") alias strings, $(wc -l <"$WORK/symbols.items") symbols"

		# expected modules.weakdep: modules with weakdep= in .modinfo, in
		# modules.dep order, values in .modinfo order
		grep -rlaZ --include='*.ko' 'weakdep=' "$MODDIR/kernel" |
			xargs -0 -r -n 1 sh -c 'n=${1##*/}; n=${n%%.*}; n=$(printf %s "$n" | tr - _);
				"$0" -F weakdep "$1" | sed "s/^/$n /"' "$REF_MODINFO" >"$WORK/weakdep.found" || true
		{
			echo '# Weak dependencies extracted from modules themselves.'
			tr - _ <"$WORK/modnames" | awk 'NR == FNR { v[$1] = v[$1] "weakdep " $0 "\n"; next }
				($1 in v) { printf "%s", v[$1]; delete v[$1] }' "$WORK/weakdep.found" -
		} >"$WORK/weakdep.expected"
		echo "depmod-diff: $(grep -c . "$WORK/weakdep.found" || true) weakdep= entries in the modules"
	fi

	if [[ $tree == gz ]]; then
		compare_outputs gz gz-ours plain-ours 1
		cross_read gz gz-ours plain-ours 1
		rm -rf -- "$WORK"/gz-ours* "$WORK"/plain-*
	else
		compare_outputs "$tree" "$tree-ours" "$tree-ref" 0
		cross_read "$tree" "$tree-ours" "$tree-ref" 0
		[[ $tree == plain ]] || rm -rf -- "$WORK/$tree"-ours* "$WORK/$tree"-ref*
	fi
done

echo "depmod-diff: total runtime $((SECONDS - START))s"
if (( STATUS != 0 )); then
	echo "depmod-diff: FAIL"
else
	echo "depmod-diff: PASS"
fi
exit "$STATUS"
