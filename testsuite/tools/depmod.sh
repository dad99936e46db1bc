#!/bin/bash
# Tool tests of depmod on small fake module trees (modules made by
# mkfixture): dependencies, the text and binary outputs, cycles, broken
# modules, options and depmod.d directives. Where Debian's kmod is installed
# (/usr/sbin/depmod), each case also runs the reference on a copy of the same
# tree and compares exit status, stdout, stderr (the copy's path replaced by
# ROOT) and every output file.
#
#   depmod.sh BUILD_DIR
#
# The cycle cases are also run with kmod 34.2 when the chroot of
# tools/trixie-chroot is there (and we are root).
# Differences from kmod 30 that are deliberate, and how they are compared:
#  - modules missing from modules.order are ordered by relative path (kmod 30:
#    readdir order): the trees compared byte for byte list every module in
#    modules.order; the others are compared sorted;
#  - no modules.builtin(.modinfo): we write valid empty indexes (kmod 30 writes
#    0-byte files), with the same warnings: a 0-byte file dumps like an index
#    without entries, and ours must always carry the index header;
#  - we write modules.weakdep (kmod 30 doesn't; with -n, not on stdout either);
#  - modules.symbols is sorted by symbol name: compared sorted;
#  - override names are normalised ('-' == '_'): checked on ours only.
# Other differences seen with kmod 30 are printed as "NOTE:" lines (not
# failures); the checks that fail name the expected behaviour.
set -euo pipefail
# these trees are under -b: ask depmod to start its cache there too (by
# default it keeps one under another base directory only if one exists)
export KMODLITE_DEPMOD_CACHE=1
. "$(dirname "$0")/wrap.sh"
shopt -s nullglob
export LC_ALL=C
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
mkfixture=$build/testsuite/mkfixture
ref=/usr/sbin/depmod
[ -x "$ref" ] || ref=
refmodprobe=/usr/sbin/modprobe
[ -n "$ref" ] && [ -x "$refmodprobe" ] || refmodprobe=
python=$(command -v python3 || true)
# the .bin dumper (see bindump below), found before the cd to $work
bindump_py=$(cd "$(dirname "$0")/../differential" && pwd)/bindump.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# readable by the unprivileged user of the "unreadable module" case
chmod 755 "$work"
cd "$work"
# our binary, through $KMODLITE_TEST_WRAPPER if set (wrap.sh)
bin=$(wrapped_dir "$build/src" "$work/wrap")
ours=$bin/depmod
kmod=$bin/kmod
kver=1.0
failures=0
checks=0
notes=0
skipped=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# skip WHAT: a check that cannot run here (a missing package or privilege).
# A skip is a choice: with KMODLITE_ALLOW_SKIP=0 (tools/test sets it unless
# its caller set 1) it is a failure too.
skip() {
	echo "SKIP: $*"
	skipped=$((skipped + 1))
	[ "${KMODLITE_ALLOW_SKIP:-1}" = 1 ] || fail "skipped, and KMODLITE_ALLOW_SKIP is not 1: $*"
}
note() { echo "NOTE: $*"; notes=$((notes + 1)); }
show_diff() { diff "$@" | head -20 || true; }

mkdir empty.d
# mod TREE RELPATH MKFIXTURE_ARGS...: a module in TREE's module directory
mod() {
	local tree=$1 rel=$2
	shift 2
	mkdir -p "$(dirname "$tree/lib/modules/$kver/$rel")"
	"$mkfixture" -o "$tree/lib/modules/$kver/$rel" "$@"
}
moddir() { echo "$work/$1/lib/modules/$kver"; }
# order TREE [sort options]: modules.order listing every module of TREE
order() {
	local tree=$1
	shift
	(cd "$(moddir "$tree")" && find . -name '*.ko*' | sed 's|^\./||; s/\.ko\..*/.ko/' |
		sort "$@" >modules.order)
}
# builtin TREE: (empty) modules.builtin and modules.builtin.modinfo
builtin() {
	: >"$(moddir "$1")/modules.builtin"
	: >"$(moddir "$1")/modules.builtin.modinfo"
}
# state DIR: name, inode, mtime and checksum of every file (dot files too)
# (the cache's sum is that of its canonical form, tools/cache-canon.py: the
# stamps of the outputs it records name their inodes and times)
state() {
	(cd "$1" && find . -maxdepth 1 -type f -printf '%f %i %T@ ' -exec sha256sum {} \; | sort) |
		while read -r name ino time sum file; do
			case $name in
			modules.depmod-cache | modules.depmod-cache.spare)
				sum=$("$here/cache-canon.py" "$1/$name") ;;
			esac
			echo "$name $ino $time $sum $file"
		done
}
# tempfiles DIR: leftover temporary files (.NAME.XXXXXX)
tempfiles() { (cd "$1" && find . -maxdepth 1 -name '.*' -type f | sort); }

# The .bin dumper (testsuite/differential/bindump.py, the differential
# tests' too): every key with its priorities and values, in key order;
# independent of the node layout. A 0-byte file prints nothing (kmod 30 writes
# those for missing modules.builtin*); anything malformed prints "# bad".
# the interpreter itself: a version manager's wrapper can take 0.3 s a call
[ -z "$python" ] || python=$("$python" -c 'import sys; print(sys.executable)')
bindump() { "$python" "$bindump_py" - "$1"; }
[ -n "$python" ] || skip "no python3: binary indexes are only checked for their header"

# check_bin NAME FILE [DUMP]: one of our indexes starts with the index
# header and is well-formed (DUMP: its dump, if already made)
check_bin() {
	local name=$1 f=$2 dump=${3:-}
	[ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = b007f45700020001 ] ||
		fail "$name: $(basename "$f") has no index header"
	[ -n "$python" ] || return 0
	if [ -z "$dump" ]; then
		dump=bin.dump
		bindump "$f" >"$dump"
	fi
	! grep -q '^# bad' "$dump" || fail "$name: $(basename "$f"): $(grep '^# bad' "$dump")"
}

# run_ours TREE ARGS...: our depmod -b TREE ARGS (from $work); status in $st,
# stdout in out.txt, stderr (tree path replaced by ROOT) in err.txt
run_ours() {
	local root=$work/$1
	shift
	st=0
	"$ours" -b "$root" "$@" >out.txt 2>err.txt || st=$?
	sed -i "s|$root|ROOT|g" err.txt
}
# expect_text NAME GOT_FILE EXPECTED_FILE
expect_text() {
	checks=$((checks + 1))
	if ! cmp -s "$2" "$3"; then
		fail "$1: differs from the expected text"
		show_diff "$3" "$2"
	fi
}
# expect_status NAME STATUS
expect_status() {
	checks=$((checks + 1))
	[ "$st" = "$2" ] || fail "$1: exit status $st, expected $2; stderr: $(head -5 err.txt)"
}

# against_reference NAME TREE ARGS...: both tools on their own copy of TREE
# (-b COPY ARGS; @ROOT@ in ARGS is the copy's root). Compares exit status,
# stdout (ours without its weakdep part), stderr, the list of files in the
# module directory (ours = reference + modules.weakdep) and every output.
# The copies stay in cmp/ours and cmp/ref.
# Set before a call, reset by it: sorted_dep=1 compares modules.dep sorted
# (and the indexes without priorities); diff_note=TEXT turns a difference
# on stdout or stderr into a note saying TEXT.
sorted_dep=
diff_note=
against_reference() {
	local name=$1 tree=$2
	shift 2
	if [ -z "$ref" ]; then
		skipped=$((skipped + 1))
		sorted_dep=
		diff_note=
		return 0
	fi
	checks=$((checks + 1))
	local side tool root o r
	rm -rf cmp
	mkdir cmp
	for side in ours ref; do
		tool=$ours
		[ $side = ours ] || tool=$ref
		root=$work/cmp/$side
		cp -a "$work/$tree" "$root"
		local args=("${@//@ROOT@/$root}") s=0
		"$tool" -b "$root" "${args[@]}" >"cmp/$side.out" 2>"cmp/$side.err" || s=$?
		echo "$s" >"cmp/$side.rc"
		sed -i "s|$root|ROOT|g" "cmp/$side.out" "cmp/$side.err"
	done
	grep -v -e '^# Weak dependencies extracted from modules themselves\.$' -e '^weakdep ' \
		cmp/ours.out >cmp/ours.out2 || true
	cmp -s cmp/ours.rc cmp/ref.rc ||
		fail "$name: exit status $(cat cmp/ours.rc), reference $(cat cmp/ref.rc)"
	local what
	for what in stdout:out2:out stderr:err:err; do
		IFS=: read -r what o r <<<"$what"
		if cmp -s "cmp/ours.$o" "cmp/ref.$r"; then
			:
		elif [ -n "$diff_note" ]; then
			note "$name: $diff_note"
			show_diff "cmp/ref.$r" "cmp/ours.$o"
		else
			fail "$name: $what differs from the reference"
			show_diff "cmp/ref.$r" "cmp/ours.$o"
		fi
	done
	local sorted=$sorted_dep dr dout f b
	sorted_dep=
	diff_note=
	dr=$(moddir cmp/ref)
	dout=$(moddir cmp/ours)
	[ -d "$dr" ] || return 0
	# modules.depmod-cache and its spare: ours alone (and the copies' if the
	# tree had them)
	(cd "$dr" && ls -A | grep -vxE 'modules\.depmod-cache(\.spare)?') >cmp/ref.ls
	if [ -f "$dr/modules.dep" ] && [ ! -f "$dr/modules.weakdep" ]; then
		(cat cmp/ref.ls && echo modules.weakdep) | sort >cmp/ref.ls2
		mv cmp/ref.ls2 cmp/ref.ls
	fi
	(cd "$dout" && ls -A | grep -vxE 'modules\.depmod-cache(\.spare)?') >cmp/ours.ls
	if ! cmp -s cmp/ours.ls cmp/ref.ls; then
		fail "$name: files in the module directory differ"
		show_diff cmp/ref.ls cmp/ours.ls
	fi
	if [ -n "$python" ]; then
		mkdir cmp/rdump cmp/odump
		"$python" "$bindump_py" --each cmp/rdump "$dr"/*.bin
		"$python" "$bindump_py" --each cmp/odump "$dout"/*.bin
	fi
	for f in "$dr"/modules.*; do
		b=$(basename "$f")
		[ -f "$dout/$b" ] || continue
		case $b in
		modules.depmod-cache | modules.depmod-cache.spare) ;;
		*.bin)
			check_bin "$name" "$dout/$b" "cmp/odump/$b.dump"
			[ -n "$python" ] || continue
			# without a common module order, priorities differ
			if [ -n "$sorted" ]; then cut -f1,3; else cat; fi <"cmp/rdump/$b.dump" >cmp/r.dump
			if [ -n "$sorted" ]; then cut -f1,3; else cat; fi <"cmp/odump/$b.dump" >cmp/o.dump
			if ! cmp -s cmp/r.dump cmp/o.dump; then
				fail "$name: $b content differs from the reference"
				show_diff cmp/r.dump cmp/o.dump
			fi
			;;
		modules.symbols | modules.dep)
			if [ $b = modules.dep ] && [ -z "$sorted" ]; then
				if ! cmp -s "$f" "$dout/$b"; then
					fail "$name: $b differs from the reference"
					show_diff "$f" "$dout/$b"
				fi
			elif ! cmp -s <(sort "$f") <(sort "$dout/$b"); then
				fail "$name: $b differs from the reference (sorted)"
				show_diff <(sort "$f") <(sort "$dout/$b")
			fi
			;;
		*)
			if ! cmp -s "$f" "$dout/$b"; then
				fail "$name: $b differs from the reference"
				show_diff "$f" "$dout/$b"
			fi
			;;
		esac
	done
}

outputs=(modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
	modules.weakdep modules.symbols modules.symbols.bin modules.builtin.bin
	modules.builtin.alias.bin modules.devname)
# clean_outputs DIR: removes depmod's outputs from DIR
clean_outputs() {
	local f
	for f in "${outputs[@]}"; do rm -f "$1/$f"; done
}

# =====================================================================
# 1. dependencies and the outputs
# chain a <- b <- c, diamond base <- left,right <- top, several imports from
# one module, a weak import, one symbol exported by two modules, aliases,
# softdep, weakdep, devname, compressed modules, modules.builtin*.
t=deps
mod $t kernel/chain/a.ko --export sa
mod $t kernel/chain/b.ko --export sb --import sa
mod $t kernel/chain/c.ko --import sb
mod $t kernel/diamond/base.ko --export base1
mod $t kernel/diamond/left.ko --export l1 --import base1
mod $t kernel/diamond/right.ko --export r1 --import base1
mod $t kernel/diamond/top.ko --import l1 --import r1
mod $t kernel/misc/lib.ko --export m1 --export m2 --export-gpl m3
mod $t kernel/misc/multi.ko --import m1 --import m2 --import m3 --import sb --import kernel_sym
mod $t kernel/misc/weak.ko --weak-import l1
mod $t kernel/misc/x1.ko --export dup --export only1
mod $t kernel/misc/x2.ko --export dup
mod $t kernel/misc/user.ko --import dup --import only1
mod $t kernel/misc/dash-mod.ko --modinfo 'alias=pci:v0000ABCDd*sv*'
mod $t kernel/misc/dev.ko --modinfo alias=devname:mapper/control \
	--modinfo alias=char-major-10-236 --modinfo 'softdep=pre: a b post: c' \
	--modinfo weakdep=left --modinfo weakdep=right
mod $t kernel/misc/blk.ko --modinfo alias=block-major-7-0 \
	--modinfo alias=devname:loop-control --modinfo 'alias=a-b[x-y]-c'
mod $t kernel/misc/cx.ko --export sxz --import sa
xz --check=crc32 "$(moddir $t)/kernel/misc/cx.ko"
mod $t kernel/misc/cz.ko --import sxz
zstd -q --rm "$(moddir $t)/kernel/misc/cz.ko"
# reverse order: x2 comes before x1, so x1 (later) owns "dup"
order $t -r
printf 'kernel/fs/ext4/ext4.ko\nkernel/drivers/x-y.ko\n' >"$(moddir $t)/modules.builtin"
printf 'ext4.alias=fs-ext4\0ext4.license=GPL\0ext4.alias=ext3\0x_y.alias=pci:v1*d*\0' \
	>"$(moddir $t)/modules.builtin.modinfo"
against_reference "dependencies" $t -C "$work/empty.d" $kver

run_ours $t -C "$work/empty.d" $kver
expect_status "dependencies" 0
d=$(moddir $t)
cat >expected.txt <<'EOT'
kernel/misc/x2.ko:
kernel/misc/x1.ko:
kernel/misc/weak.ko: kernel/diamond/left.ko kernel/diamond/base.ko
kernel/misc/user.ko: kernel/misc/x1.ko
kernel/misc/multi.ko: kernel/chain/b.ko kernel/chain/a.ko kernel/misc/lib.ko
kernel/misc/lib.ko:
kernel/misc/dev.ko:
kernel/misc/dash-mod.ko:
kernel/misc/cz.ko.zst: kernel/misc/cx.ko.xz kernel/chain/a.ko
kernel/misc/cx.ko.xz: kernel/chain/a.ko
kernel/misc/blk.ko:
kernel/diamond/top.ko: kernel/diamond/right.ko kernel/diamond/left.ko kernel/diamond/base.ko
kernel/diamond/right.ko: kernel/diamond/base.ko
kernel/diamond/left.ko: kernel/diamond/base.ko
kernel/diamond/base.ko:
kernel/chain/c.ko: kernel/chain/b.ko kernel/chain/a.ko
kernel/chain/b.ko: kernel/chain/a.ko
kernel/chain/a.ko:
EOT
expect_text "modules.dep: chain, diamond, several imports, weak import, duplicate export" \
	"$d/modules.dep" expected.txt
# every dependency list, loaded from its end, is a valid order: no module
# comes after one of its own dependencies
checks=$((checks + 1))
while IFS= read -r line; do
	read -ra deps <<<"${line#*:}"
	for ((i = 0; i < ${#deps[@]}; i++)); do
		for x in $(grep "^${deps[i]}:" "$d/modules.dep" | cut -d: -f2); do
			for ((j = 0; j <= i; j++)); do
				[ "${deps[j]}" != "$x" ] ||
					fail "modules.dep order: in '$line', $x is not after ${deps[i]}"
			done
		done
	done
done <"$d/modules.dep"
cat >expected.txt <<'EOT'
# Aliases extracted from modules themselves.
alias devname:mapper/control dev
alias char-major-10-236 dev
alias pci:v0000ABCDd*sv* dash_mod
alias block-major-7-0 blk
alias devname:loop-control blk
alias a-b[x-y]-c blk
EOT
expect_text "modules.alias" "$d/modules.alias" expected.txt
printf '# Soft dependencies extracted from modules themselves.\nsoftdep dev pre: a b post: c\n' >expected.txt
expect_text "modules.softdep" "$d/modules.softdep" expected.txt
printf '# Weak dependencies extracted from modules themselves.\nweakdep dev left\nweakdep dev right\n' >expected.txt
expect_text "modules.weakdep" "$d/modules.weakdep" expected.txt
printf '# Device nodes to trigger on-demand module loading.\ndev mapper/control c10:236\nblk loop-control b7:0\n' >expected.txt
expect_text "modules.devname" "$d/modules.devname" expected.txt
cat >expected.txt <<'EOT'
# Aliases for symbols, used by symbol_request().
alias symbol:base1 base
alias symbol:dup x1
alias symbol:l1 left
alias symbol:m1 lib
alias symbol:m2 lib
alias symbol:m3 lib
alias symbol:only1 x1
alias symbol:r1 right
alias symbol:sa a
alias symbol:sb b
alias symbol:sxz cx
EOT
expect_text "modules.symbols (sorted; the later exporter owns dup)" "$d/modules.symbols" expected.txt
for f in dep alias symbols builtin builtin.alias; do
	checks=$((checks + 1))
	check_bin "dependencies" "$d/modules.$f.bin"
done
if [ -n "$python" ]; then
	bindump "$d/modules.dep.bin" | cut -f1,2 >got.txt
	# key, priority = position in depmod's order (modules.order, reversed)
	printf '%s\t%s\n' a 17 b 16 base 14 blk 10 c 15 cx 9 cz 8 dash_mod 7 dev 6 left 13 \
		lib 5 multi 4 right 12 top 11 user 3 weak 2 x1 1 x2 0 >expected.txt
	expect_text "modules.dep.bin keys and priorities" got.txt expected.txt
	bindump "$d/modules.dep.bin" | grep '^top' | cut -f3 >got.txt
	grep '^kernel/diamond/top.ko:' "$d/modules.dep" >expected.txt
	expect_text "modules.dep.bin value = the modules.dep line" got.txt expected.txt
	bindump "$d/modules.alias.bin" >got.txt
	printf '%s\t%s\t%s\n' 'a_b[x-y]_c' 10 blk block_major_7_0 10 blk char_major_10_236 6 dev \
		devname:loop_control 10 blk devname:mapper/control 6 dev 'pci:v0000ABCDd*sv*' 7 dash_mod >expected.txt
	expect_text "modules.alias.bin (normalised keys)" got.txt expected.txt
	bindump "$d/modules.builtin.bin" >got.txt
	printf 'ext4\t0\t\nx_y\t0\t\n' >expected.txt
	expect_text "modules.builtin.bin" got.txt expected.txt
	bindump "$d/modules.builtin.alias.bin" >got.txt
	printf 'ext3\t0\text4\nfs_ext4\t0\text4\npci:v1*d*\t0\tx_y\n' >expected.txt
	expect_text "modules.builtin.alias.bin" got.txt expected.txt
	bindump "$d/modules.symbols.bin" | grep '^symbol:dup' >got.txt
	printf 'symbol:dup\t1\tx1\n' >expected.txt
	expect_text "modules.symbols.bin: the later exporter owns dup" got.txt expected.txt
fi
# the indexes answer lookups: our modinfo, and the reference modprobe
checks=$((checks + 1))
got=$("$kmod" modinfo -b "$work/$t" -k $kver -F filename top 2>&1 || true)
[ "$got" = "$d/kernel/diamond/top.ko" ] || fail "modinfo reads our modules.dep.bin: $got"
if [ -n "$refmodprobe" ] && [ -d cmp/ref ]; then
	for q in "--show-depends top" "--show-depends cz" "-R pci:v0000ABCDd00001234sv00000001" \
		"-R symbol:dup" "-R fs-ext4" "-R devname:loop-control" "-R char-major-10-236"; do
		checks=$((checks + 1))
		# shellcheck disable=SC2086
		a=$("$refmodprobe" -C "$work/empty.d" -d "$work/$t" -S $kver $q 2>&1 | sed "s|$work/$t|ROOT|g" || true)
		# shellcheck disable=SC2086
		b=$("$refmodprobe" -C "$work/empty.d" -d "$work/cmp/ref" -S $kver $q 2>&1 | sed "s|$work/cmp/ref|ROOT|g" || true)
		[ "$a" = "$b" ] || fail "reference modprobe $q: our indexes give '$a', the reference's '$b'"
	done
fi
checks=$((checks + 1))
[ -z "$(tempfiles "$d")" ] || fail "temporary files left after a successful run: $(tempfiles "$d")"
# a devname alias without char-major/block-major: no modules.devname line
mod devname kernel/nodev.ko --modinfo alias=devname:nomajor
order devname
builtin devname
run_ours devname -C "$work/empty.d" $kver
checks=$((checks + 1))
[ ! -s "$(moddir devname)/modules.devname" ] || fail "devname without major/minor: $(cat "$(moddir devname)/modules.devname")"
diff_note="devname:NAME without a major/minor alias: kmod 30 prints an ERROR, we say nothing"
against_reference "devname without major/minor" devname -C "$work/empty.d" $kver

# ---- no modules.order, no modules.builtin*: order by relative path; valid
# empty indexes, with the reference's warnings
t=noorder
for m in zz/a b/b c/y/c; do
	mod $t "kernel/$m.ko" --export "s_${m##*/}"
done
mod $t kernel/aa.ko --import s_a --import s_c
run_ours $t -C "$work/empty.d" $kver
expect_status "no modules.order" 0
printf 'kernel/aa.ko: kernel/c/y/c.ko kernel/zz/a.ko\nkernel/b/b.ko:\nkernel/c/y/c.ko:\nkernel/zz/a.ko:\n' >expected.txt
expect_text "no modules.order: modules ordered by relative path" "$(moddir $t)/modules.dep" expected.txt
cat >expected.txt <<EOT
depmod: WARNING: could not open modules.order at ROOT/lib/modules/$kver: No such file or directory
depmod: WARNING: could not open modules.builtin at ROOT/lib/modules/$kver: No such file or directory
depmod: WARNING: could not open modules.builtin.modinfo at ROOT/lib/modules/$kver: No such file or directory
EOT
expect_text "no modules.order/builtin: warnings" err.txt expected.txt
for f in builtin builtin.alias; do
	checks=$((checks + 1))
	check_bin "no modules.builtin" "$(moddir $t)/modules.$f.bin"
	[ -z "$python" ] || [ -z "$(bindump "$(moddir $t)/modules.$f.bin")" ] ||
		fail "modules.$f.bin without modules.builtin* is not empty"
done
sorted_dep=1
against_reference "no modules.order (sorted)" $t -C "$work/empty.d" $kver

# =====================================================================
# 2. cycles: messages, exit 1, nothing written, no temporary files
t=cycle
mod $t kernel/a.ko --export sa
mod $t kernel/b.ko --export sb
mod $t kernel/c.ko --export sc
mod $t kernel/d.ko --export sc2 --import sc3
mod $t kernel/e.ko --export sc3 --import sc
mod $t kernel/f.ko --import sa
order $t
builtin $t
run_ours $t -C "$work/empty.d" $kver
expect_status "cycle: the old indexes" 0
# now a <-> b and c -> d -> e -> c
mod $t kernel/a.ko --export sa --import sb
mod $t kernel/b.ko --export sb --import sa
mod $t kernel/c.ko --export sc --import sc2
state "$(moddir $t)" >before.txt
run_ours $t -C "$work/empty.d" $kver
expect_status "cycle" 1
cat >expected.txt <<'EOT'
depmod: ERROR: Cycle detected: a -> b -> a
depmod: ERROR: Cycle detected: c -> d -> e -> c
depmod: ERROR: Found 5 modules in dependency cycles!
EOT
expect_text "cycle: messages" err.txt expected.txt
state "$(moddir $t)" >after.txt
expect_text "cycle: old output files untouched, no temporary files" after.txt before.txt
against_reference "cycle" $t -C "$work/empty.d" $kver
# a cycle behind a dependency: only the cycle's members count
t=cycle2
mod $t kernel/a.ko --export sa --import sb
mod $t kernel/b.ko --export sb --import sa
mod $t kernel/c.ko --import sa
order $t
builtin $t
run_ours $t -C "$work/empty.d" $kver
expect_status "cycle behind a dependency" 1
printf 'depmod: ERROR: Cycle detected: a -> b -> a\ndepmod: ERROR: Found 2 modules in dependency cycles!\n' >expected.txt
expect_text "cycle behind a dependency: messages" err.txt expected.txt
checks=$((checks + 1))
[ ! -e "$(moddir $t)/modules.dep" ] && [ -z "$(tempfiles "$(moddir $t)")" ] ||
	fail "cycle: files were written: $(ls -A "$(moddir $t)")"
against_reference "cycle behind a dependency" $t -C "$work/empty.d" $kver
# Which cycles are printed, from which module and in which order, as kmod
# (30 and 34.2 alike) prints them; see report_cycles() in depmod-resolve.c.
# graph TREE "NAME:DEP,DEP ..." ORDER...: modules importing their
# dependencies' symbols in the order given, modules.order as given
graph() {
	local t=$1 item name deps d args
	for item in $2; do
		name=${item%%:*}
		deps=${item#*:}
		args=(--export "s_$name")
		for d in ${deps//,/ }; do args+=(--import "s_$d"); done
		mod "$t" "kernel/$name.ko" "${args[@]}"
	done
	shift 2
	printf 'kernel/%s.ko\n' "$@" >"$(moddir "$t")/modules.order"
	builtin "$t"
}
# the second reference, kmod 34.2, where tools/trixie-chroot has made its
# chroot and we may enter it (root): the tree is copied into its /tmp
trixie=${KMODLITE_CACHE:-/var/cache/kmodlite}/trixie
[ -f "$trixie/.complete" ] && [ -x "$trixie/usr/bin/kmod" ] && [ "$(id -u)" = 0 ] || trixie=
# cycle_case NAME TREE EXPECTED_STDERR_LINES...: exit 1 and exactly those
# messages (each with the "depmod: ERROR: " prefix), then the reference
# (and kmod 34.2: the same stderr and exit status)
cycle_case() {
	local name=$1 t=$2 tmp s=0
	shift 2
	run_ours $t -C "$work/empty.d" $kver
	expect_status "$name" 1
	printf 'depmod: ERROR: %s\n' "$@" >expected.txt
	expect_text "$name: messages" err.txt expected.txt
	against_reference "$name" $t -C "$work/empty.d" $kver
	[ -n "$trixie" ] || return 0
	tmp=$(mktemp -d "$trixie/tmp/depmod-tool.XXXXXX")
	cp -a "$work/$t" "$tmp/tree"
	mkdir "$tmp/empty.d"
	chroot "$trixie" /usr/sbin/depmod -C "/tmp/${tmp##*/}/empty.d" -b "/tmp/${tmp##*/}/tree" $kver \
		>/dev/null 2>"$tmp/err" || s=$?
	checks=$((checks + 1))
	if [ "$s" != 1 ] || ! cmp -s "$tmp/err" expected.txt; then
		fail "$name: kmod 34.2 exits $s and prints otherwise:"
		show_diff expected.txt "$tmp/err"
	fi
	rm -rf -- "$tmp"
}
# the ring of roots: after a cycle, the next root is the module that follows,
# in module order, the last one the cycle took out
graph cycring "a:b b:c c:a d:e e:d x:y y:x" a d b x c e y
cycle_case "cycles: next root after the last module taken out" cycring \
	"Cycle detected: a -> b -> c -> a" "Cycle detected: e -> d -> e" \
	"Cycle detected: x -> y -> x" "Found 7 modules in dependency cycles!"
# two ways back to the root: the last dependency is followed first
graph cyctwo "a:b,c b:a c:a" a b c
cycle_case "cycles: last dependency first" cyctwo \
	"Cycle detected: a -> c -> a" "Cycle detected: a -> b -> a" \
	"Found 3 modules in dependency cycles!"
graph cycback "a:b b:c c:a" b c a
cycle_case "cycles: from the first module in module order" cycback \
	"Cycle detected: b -> c -> a -> b" "Found 3 modules in dependency cycles!"
# modules that only depend on a cycle: the one a cycle's walk reached is
# printed alone (not counted), the one before the cycle's root is not; a
# module without dependencies leaves the ring when a walk reaches it
graph cycdown "a:b b:a,p,q p:l q:l l:" p q a l b
cycle_case "cycles: modules depending on a cycle" cycdown \
	"Cycle detected: b -> a -> b" "Cycle detected: q" \
	"Found 2 modules in dependency cycles!"
graph cycdown2 "a:b b:a,p,q p:l q:l l:" p q l a b
cycle_case "cycles: modules depending on a cycle, another order" cycdown2 \
	"Cycle detected: a -> b -> a" "Cycle detected: q" \
	"Found 2 modules in dependency cycles!"
# a cycle that avoids the root, reachable from it: kmod 30 and 34.2 print
# ever longer paths (a -> b -> c -> b -> a, ...) without end; we extend no
# path with a module already on it, and print the circle met instead once
# (ours only)
graph cycnest "a:b b:c,a c:b" a b c
run_ours cycnest -C "$work/empty.d" $kver
expect_status "cycles: nested, where kmod does not end" 1
printf 'depmod: ERROR: %s\n' "Cycle detected: a -> b -> a" "Cycle detected: b -> c -> b" \
	"Found 3 modules in dependency cycles!" >expected.txt
expect_text "cycles: nested, where kmod does not end: messages" err.txt expected.txt
# dense cycles have exponentially many paths: the report is bounded
spec=
for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13; do
	deps=
	for j in 0 1 2 3 4 5 6 7 8 9 10 11 12 13; do [ $i = $j ] || deps+=${deps:+,}m$j; done
	spec+=" m$i:$deps"
done
graph cycdense "$spec" m0 m1 m2 m3 m4 m5 m6 m7 m8 m9 m10 m11 m12 m13
SECONDS=0
run_ours cycdense -C "$work/empty.d" $kver
expect_status "cycles: dense" 1
checks=$((checks + 1))
lines=$(wc -l <err.txt)
[ "$lines" -le 70000 ] && [ $SECONDS -le $((20 * wrap_slowdown)) ] &&
	[ "$(tail -1 err.txt)" = "depmod: ERROR: Found 14 modules in dependency cycles!" ] ||
	fail "cycles: dense: $lines lines in $SECONDS s, last: $(tail -1 err.txt)"

# a module that imports its own export: no dependency on itself
t=selfimport
mod $t kernel/a.ko --export sa --import sa
mod $t kernel/b.ko --import sa
order $t
builtin $t
run_ours $t -C "$work/empty.d" $kver
expect_status "a module importing its own export" 0
printf 'kernel/a.ko:\nkernel/b.ko: kernel/a.ko\n' >expected.txt
expect_text "a module importing its own export: modules.dep" "$(moddir $t)/modules.dep" expected.txt
if [ -n "$ref" ]; then
	cp -a "$work/$t" "$work/$t.ref"
	s=0
	"$ref" -C "$work/empty.d" -b "$work/$t.ref" $kver >/dev/null 2>&1 || s=$?
	[ "$s" = "$st" ] || note "a module importing its own export: we exit $st; kmod 30 exits $s" \
		"(it reports 'Cycle detected: a -> a' and writes nothing)"
fi

# =====================================================================
# 3. broken modules: the message names the path, the run goes on
t=garbage
mod $t kernel/a.ko --export sa
mod $t kernel/b.ko --import sa
printf 'garbage\n' >"$(moddir $t)/kernel/bad.ko"
order $t
builtin $t
against_reference "garbage module" $t -C "$work/empty.d" $kver
run_ours $t -C "$work/empty.d" $kver
expect_status "garbage module" 0
printf 'depmod: ERROR: failed to load symbols from ROOT/lib/modules/%s/kernel/bad.ko: Exec format error\n' $kver >expected.txt
expect_text "garbage module: message" err.txt expected.txt
printf 'kernel/a.ko:\nkernel/b.ko: kernel/a.ko\nkernel/bad.ko:\n' >expected.txt
expect_text "garbage module: the others are resolved" "$(moddir $t)/modules.dep" expected.txt

# other broken files: ours must name the path and go on with the status of
# the reference; where the messages or outputs differ, a note
mod broken kernel/a.ko --export sa
mod broken kernel/b.ko --import sa
full=$(moddir broken)/kernel/a.ko
for c in "empty:" "truncated:head" "shoff:--corrupt shoff-past-end" \
	"strtab:--corrupt strtab-no-nul" "dangling:symlink"; do
	n=${c%%:*}
	how=${c#*:}
	t=broken-$n
	cp -a broken "$t"
	f=$(moddir $t)/kernel/$n.ko
	case $how in
	'') : >"$f" ;;
	head) head -c 100 "$full" >"$f" ;;
	symlink) ln -s nowhere.ko "$f" ;;
	*) # shellcheck disable=SC2086
		mod $t kernel/$n.ko --export "s_$n" $how ;;
	esac
	order $t
	builtin $t
	run_ours $t -C "$work/empty.d" $kver
	expect_status "broken module ($n)" 0
	checks=$((checks + 1))
	grep -q "ROOT/lib/modules/$kver/kernel/$n.ko" err.txt || fail "broken module ($n): no message names it: $(cat err.txt)"
	grep -qx 'kernel/b.ko: kernel/a.ko' "$(moddir $t)/modules.dep" ||
		fail "broken module ($n): the other modules were not resolved"
	if [ -n "$ref" ]; then
		cp -a "$work/$t" "$work/$t.ref"
		s=0
		"$ref" -C "$work/empty.d" -b "$work/$t.ref" $kver >/dev/null 2>ref.err || s=$?
		sed -i "s|$work/$t.ref|ROOT|g" ref.err
		checks=$((checks + 1))
		[ "$s" = "$st" ] || fail "broken module ($n): exit status $st, reference $s"
		cmp -s ref.err err.txt || note "broken module ($n): kmod 30 says '$(head -1 ref.err)', we say '$(head -1 err.txt)'"
		cmp -s <(sort "$(moddir $t.ref)/modules.dep") <(sort "$(moddir $t)/modules.dep") ||
			note "broken module ($n): modules.dep differs from kmod 30's:" \
				"$(diff <(sort "$(moddir $t.ref)/modules.dep") <(sort "$(moddir $t)/modules.dep") | grep '^[<>]' | tr '\n' ' ')"
		cmp -s <(sort "$(moddir $t.ref)/modules.symbols") <(sort "$(moddir $t)/modules.symbols") ||
			note "broken module ($n): modules.symbols differs from kmod 30's:" \
				"$(diff <(sort "$(moddir $t.ref)/modules.symbols") <(sort "$(moddir $t)/modules.symbols") | grep '^[<>]' | tr '\n' ' ')"
	fi
done

# unreadable: both run as an unprivileged user (root reads anything)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	t=unreadable
	mod $t kernel/a.ko --export sa
	mod $t kernel/u.ko --export su --import sa
	mod $t kernel/v.ko --import su
	order $t
	builtin $t
	chmod 000 "$(moddir $t)/kernel/u.ko"
	cp -a "$work/$t" "$work/$t.ref"
	chown -R nobody "$work/$t" "$work/$t.ref"
	asnobody=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
	st=0
	"${asnobody[@]}" "$ours" -C "$work/empty.d" -b "$work/$t" $kver >out.txt 2>err.txt || st=$?
	sed -i "s|$work/$t|ROOT|g" err.txt
	expect_status "unreadable module" 0
	printf 'depmod: ERROR: failed to load symbols from ROOT/lib/modules/%s/kernel/u.ko: Permission denied\n' $kver >expected.txt
	expect_text "unreadable module: message" err.txt expected.txt
	printf 'kernel/a.ko:\nkernel/u.ko:\nkernel/v.ko:\n' >expected.txt
	expect_text "unreadable module: modules.dep" "$(moddir $t)/modules.dep" expected.txt
	if [ -n "$ref" ]; then
		checks=$((checks + 1))
		s=0
		"${asnobody[@]}" "$ref" -C "$work/empty.d" -b "$work/$t.ref" $kver >/dev/null 2>ref.err || s=$?
		sed -i "s|$work/$t.ref|ROOT|g" ref.err
		[ "$s" = "$st" ] && cmp -s ref.err err.txt &&
			cmp -s "$(moddir $t.ref)/modules.dep" "$(moddir $t)/modules.dep" ||
			fail "unreadable module: differs from the reference (exit $s; $(cat ref.err))"
	fi
else
	skip "unreadable module (needs root, setpriv and the user nobody)"
fi

# a FIFO named like a module must not block depmod (kmod 30: "unsupported
# file type ...", skipped, exit 0)
t=fifo
mod $t kernel/a.ko --export sa
mkfifo "$(moddir $t)/kernel/fifo.ko"
order $t
builtin $t
st=0
timeout 5 "$ours" -C "$work/empty.d" -b "$work/$t" $kver >out.txt 2>err.txt || st=$?
checks=$((checks + 1))
if [ $st = 124 ]; then
	fail "a FIFO kernel/fifo.ko in the tree: depmod blocks (killed after 5 s);" \
		"expected: a message naming it, the file skipped, exit 0, as the reference"
else
	[ $st = 0 ] || fail "FIFO in the tree: exit status $st"
	grep -q 'kernel/fifo.ko' err.txt || fail "FIFO in the tree: no message names it"
fi

# =====================================================================
# 4. options
t=opts
mod $t kernel/a.ko --export sa --modinfo alias=foo-a
mod $t kernel/b.ko --export sb --import sa --modinfo weakdep=a
mod $t kernel/sub/c.ko --import sb
order $t
builtin $t
d=$(moddir $t)

# -a is the default
run_ours $t -C "$work/empty.d" $kver
cp "$d/modules.dep" plain.dep
state "$d" | awk '{print $1, $4}' >plain.state
run_ours $t -a -C "$work/empty.d" $kver
expect_status "-a" 0
# (a new cache makes the old one the spare)
state "$d" | awk '$1 != "modules.depmod-cache.spare" {print $1, $4}' >got.txt
expect_text "-a: same outputs as without" got.txt plain.state
against_reference "-a" $t -a -C "$work/empty.d" $kver
against_reference "--all" $t --all -C "$work/empty.d" $kver
against_reference "no -C (default depmod.d directories)" $t $kver

# -A: nothing done unless a module is newer than modules.dep
clean_outputs "$d"
run_ours $t -A -C "$work/empty.d" $kver
expect_status "-A without modules.dep" 0
checks=$((checks + 1))
[ -f "$d/modules.dep" ] || fail "-A without modules.dep: nothing written"
state "$d" >before.txt
run_ours $t -A -C "$work/empty.d" $kver
expect_status "-A, up to date" 0
state "$d" >after.txt
checks=$((checks + 1))
cmp -s before.txt after.txt ||
	fail "-A right after a run rewrote the outputs; expected a no-op, as the reference" \
		"(no module is newer than modules.dep, but other outputs or directories are)"
# every file and directory back-dated, modules.dep the newest
find "$work/$t" -exec touch -d '2020-01-01 00:00:00' {} +
touch -d '2020-01-02 00:00:00' "$d/modules.dep"
state "$d" >before.txt
run_ours $t -A -C "$work/empty.d" $kver
state "$d" >after.txt
expect_text "-A: no module newer than modules.dep: nothing rewritten" after.txt before.txt
# a new module: rerun
mod $t kernel/sub/n.ko --export sn
touch -d '2020-01-03 00:00:00' "$d/kernel/sub/n.ko"
run_ours $t -A -C "$work/empty.d" $kver
expect_status "-A after a new module" 0
checks=$((checks + 1))
grep -qx 'kernel/sub/n.ko:' "$d/modules.dep" || fail "-A did not rerun after a module was added"
# a touched module (in the future: the reference compares whole seconds)
state "$d" >before.txt
touch -d "@$(($(date +%s) + 30))" "$d/kernel/a.ko"
run_ours $t -A -C "$work/empty.d" $kver
state "$d" >after.txt
checks=$((checks + 1))
! cmp -s before.txt after.txt || fail "-A did not rerun after a module was touched"
rm -f "$d/kernel/sub/n.ko"
touch "$d/kernel/a.ko"
run_ours $t -C "$work/empty.d" $kver
if [ -n "$ref" ]; then
	# the reference: a no-op right after a run
	cp -a "$work/$t" "$work/$t.ref"
	"$ref" -C "$work/empty.d" -b "$work/$t.ref" $kver 2>/dev/null
	state "$(moddir $t.ref)" >before.txt
	"$ref" -A -C "$work/empty.d" -b "$work/$t.ref" $kver 2>/dev/null
	state "$(moddir $t.ref)" >after.txt
	checks=$((checks + 1))
	cmp -s before.txt after.txt || fail "the reference's -A is not a no-op here: the test is wrong"
fi

# -b: a relative base directory gives the same outputs and messages
run_ours noorder -C "$work/empty.d" $kver
cp "$(moddir noorder)/modules.dep" abs.dep
sed "s|ROOT|$work/noorder|g" err.txt >abs.err
st=0
"$ours" -C "$work/empty.d" -b noorder $kver >out.txt 2>err.txt || st=$?
expect_status "-b relative" 0
expect_text "-b relative: modules.dep" "$(moddir noorder)/modules.dep" abs.dep
expect_text "-b relative: messages show the absolute path" err.txt abs.err
if [ -n "$ref" ]; then
	checks=$((checks + 1))
	cp -a noorder noorder.ref
	s=0
	"$ref" -C "$work/empty.d" -b noorder.ref $kver >/dev/null 2>ref.err || s=$?
	sed -i "s|$work/noorder.ref|$work/noorder|" ref.err
	cmp -s ref.err err.txt && [ $s = $st ] || fail "-b relative: differs from the reference: $(cat ref.err)"
fi

# -o: output elsewhere, missing directories created, the tree untouched
state "$d" >before.txt
run_ours $t -C "$work/empty.d" -o "$work/out/x/y" $kver
expect_status "-o" 0
state "$d" >after.txt
expect_text "-o: nothing written in the input tree" after.txt before.txt
checks=$((checks + 1))
o=$work/out/x/y/lib/modules/$kver
if [ -d "$o" ]; then
	(cd "$o" && ls -A) >got.txt
	printf '%s\n' "${outputs[@]}" modules.depmod-cache | sort >expected.txt
	cmp -s got.txt expected.txt || fail "-o: files in the output directory: $(cat got.txt)"
	for f in "${outputs[@]}"; do
		cmp -s "$o/$f" "$d/$f" || fail "-o: $f differs from a run in place"
	done
else
	fail "-o: $o was not created"
fi
run_ours $t -C "$work/empty.d" --outdir="$work/out" $kver
expect_status "--outdir, existing directory" 0
# the cache under another base directory (an image being built: mkinitramfs,
# dracut): none is started by default, one already there is kept up to date,
# KMODLITE_DEPMOD_CACHE=1 starts one
for case in default forced existing; do
	rm -rf "$work/img"
	mkdir -p "$work/img/lib/modules"
	cp -a "$d" "$work/img/lib/modules/"
	rm -f "$work/img/lib/modules/$kver/modules.depmod-cache"
	[ $case = existing ] && cp "$o/modules.depmod-cache" "$work/img/lib/modules/$kver/"
	env=KMODLITE_DEPMOD_CACHE=
	[ $case = forced ] && env=KMODLITE_DEPMOD_CACHE=1
	checks=$((checks + 1))
	env "$env" "$ours" -C "$work/empty.d" -b "$work/img" $kver 2>/dev/null || fail "-b cache $case: exit status"
	c=$work/img/lib/modules/$kver/modules.depmod-cache
	case $case in
	default) [ ! -e "$c" ] || fail "-b without a cache: one was started" ;;
	forced) [ -s "$c" ] || fail "-b with KMODLITE_DEPMOD_CACHE=1: no cache" ;;
	existing) [ -s "$c" ] && ! cmp -s "$c" "$o/modules.depmod-cache" ||
		fail "-b with a cache there: not kept up to date" ;;
	esac
	cmp -s "$work/img/lib/modules/$kver/modules.dep" "$d/modules.dep" || fail "-b cache $case: modules.dep differs"
done
# -m: module directory, relative or absolute, with or without -o
mkdir -p mtree/mods/$kver
cp -a "$d/kernel" "$d/modules.order" "$d/modules.builtin" "$d/modules.builtin.modinfo" mtree/mods/$kver/
for mdir in mods /mods; do
	clean_outputs mtree/mods/$kver
	run_ours mtree -m $mdir -C "$work/empty.d" $kver
	expect_status "-m $mdir" 0
	expect_text "-m $mdir: modules.dep" mtree/mods/$kver/modules.dep plain.dep
	checks=$((checks + 1))
	[ ! -e mtree/lib ] || fail "-m $mdir: something was written under lib/"
done
run_ours mtree --moduledir=/mods -o "$work/out2" -C "$work/empty.d" $kver
expect_status "-m with -o" 0
expect_text "-m with -o: OUT/MODDIR/KVER/modules.dep" out2/mods/$kver/modules.dep plain.dep
[ -z "$ref" ] || note "-o and -m DIR are not in kmod 30 (-o unknown; -m a deprecated option" \
	"without argument): checked against a run in place only"

# -n: the text files on stdout, nothing written
state "$d" >before.txt
run_ours $t -n -C "$work/empty.d" $kver
expect_status "-n" 0
state "$d" >after.txt
expect_text "-n: nothing written" after.txt before.txt
cat plain.dep - >expected.txt <<'EOT'
# Aliases extracted from modules themselves.
alias foo-a a
# Soft dependencies extracted from modules themselves.
# Weak dependencies extracted from modules themselves.
weakdep b a
# Aliases for symbols, used by symbol_request().
alias symbol:sa a
alias symbol:sb b
EOT
expect_text "-n: stdout" out.txt expected.txt
against_reference "-n" $t -n -C "$work/empty.d" $kver
against_reference "--show" $t --show -C "$work/empty.d" $kver
against_reference "--dry-run" $t --dry-run -C "$work/empty.d" $kver
# without modules.builtin* (kmod 30 -n does not look for them)
cp -a "$t" nobuiltin
rm "$(moddir nobuiltin)"/modules.builtin*
diff_note="-n without modules.builtin*: we warn about them; kmod 30 -n does not read them"
against_reference "-n, no modules.builtin" nobuiltin -n -C "$work/empty.d" $kver

# -v, -V, -h, unknown options, bad versions
diff_note="-v: kmod 30 prints 'PATH needs \"SYM\": PATH' for each dependency, we print nothing"
against_reference "-v" $t -v -C "$work/empty.d" $kver
checks=$((checks + 1))
st=0
"$ours" -V >out.txt 2>&1 || st=$?
[ $st = 0 ] && head -1 out.txt | grep -q '^kmodlite version ' &&
	sed -n 2p out.txt | grep -qE '^[-+]ZSTD [-+]XZ [-+]ZLIB [-+]LIBCRYPTO$' ||
	fail "-V: status $st: $(cat out.txt)"
checks=$((checks + 1))
st=0
"$ours" --help >out.txt 2>err.txt || st=$?
[ $st = 0 ] && [ ! -s err.txt ] && grep -q '^Usage:' out.txt || fail "--help: status $st"
if [ -n "$ref" ]; then
	# the text is our own: the reference's options, and -o, -m (which kmod
	# 30 has but does not list)
	checks=$((checks + 1))
	help_options() {
		sed -nE 's/^[[:space:]]+(-[^[:space:]].*)$/\1/p' | sed -E 's/ {2,}.*$//' |
			grep -oE '(^|[[:space:],[|])--?[[:alnum:]][[:alnum:]-]*' |
			sed -E 's/^[[:space:],[|]+//' | LC_ALL=C sort -u
	}
	"$ours" -h 2>&1 | help_options >got.txt || true
	{ "$ref" -h 2>&1 | help_options; printf '%s\n' -o --outdir -m --moduledir --no-cache; } |
		LC_ALL=C sort -u >expected.txt || true
	cmp -s got.txt expected.txt || { fail "-h: options differ from the reference's (and -o, -m, --no-cache)"; show_diff expected.txt got.txt; }
fi
for a in --no-such-option -Z; do
	checks=$((checks + 1))
	st=0
	"$ours" $a >out.txt 2>&1 || st=$?
	[ $st = 1 ] || fail "$a: exit status $st"
done
for v in bad 1 1.x .1.0 x1.0; do
	run_ours $t -C "$work/empty.d" "$v"
	expect_status "bad version $v" 1
	printf 'depmod: ERROR: Bad version passed %s\n' "$v" >expected.txt
	expect_text "bad version $v: message" err.txt expected.txt
	against_reference "bad version $v" $t -C "$work/empty.d" "$v"
done
diff_note="no such module directory: message differs"
against_reference "version with a suffix, no such directory" $t -C "$work/empty.d" 6.1.0-13-amd64

# -e with -F System.map, -E Module.symvers
t=errsyms
mod $t kernel/a.ko --export sa:0x1234 --import printk --version 0x1111:printk \
	--import missing_sym --weak-import weak_missing --version 0x9999:module_layout
mod $t kernel/b.ko --import sa --version 0x4321:sa --import printk --version 0x2222:printk
mod $t kernel/c.ko --import sa --version 0x1234:sa --import other --version 0x1:other
order $t
builtin $t
printf 'ffffffff81000000 T printk\nffffffff82000000 r __ksymtab_printk\nffffffff82000010 T __ksymtab_other\n' >"$work/$t/System.map"
printf '0x00001111\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n0x00009999\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\t\n0x00000001\tother\tvmlinux\tEXPORT_SYMBOL_GPL\t\n0x00000002\tnotkernel\tdrivers/x\tEXPORT_SYMBOL\t\n' >"$work/$t/Module.symvers"
run_ours $t -e -F "$work/$t/System.map" -C "$work/empty.d" $kver
expect_status "-e -F" 0
cat >expected.txt <<EOT
depmod: WARNING: ROOT/lib/modules/$kver/kernel/a.ko needs unknown symbol missing_sym
depmod: WARNING: ROOT/lib/modules/$kver/kernel/a.ko needs unknown symbol module_layout
EOT
expect_text "-e -F System.map: unknown symbols" err.txt expected.txt
run_ours $t -e -E "$work/$t/Module.symvers" -C "$work/empty.d" $kver
expect_status "-e -E" 0
cat >expected.txt <<EOT
depmod: WARNING: ROOT/lib/modules/$kver/kernel/a.ko needs unknown symbol missing_sym
depmod: WARNING: ROOT/lib/modules/$kver/kernel/b.ko disagrees about version of symbol sa
depmod: WARNING: ROOT/lib/modules/$kver/kernel/b.ko disagrees about version of symbol printk
EOT
expect_text "-e -E Module.symvers: CRC mismatches" err.txt expected.txt
against_reference "-e -F" $t -e -F @ROOT@/System.map -C "$work/empty.d" $kver
against_reference "-ae -F (make modules_install)" $t -ae -F @ROOT@/System.map -C "$work/empty.d" $kver
against_reference "-e -E" $t -e -E @ROOT@/Module.symvers -C "$work/empty.d" $kver
against_reference "-e -F -E" $t --errsyms --filesyms @ROOT@/System.map --symvers @ROOT@/Module.symvers \
	-C "$work/empty.d" $kver
against_reference "-F without -e" $t -F @ROOT@/System.map -C "$work/empty.d" $kver
against_reference "-E without -e" $t -E @ROOT@/Module.symvers -C "$work/empty.d" $kver
# -e alone: the reference says that it needs -E or -F, and checks nothing
run_ours $t -e -C "$work/empty.d" $kver
expect_status "-e alone" 0
printf 'depmod: WARNING: -e needs -E or -F\n' >expected.txt
expect_text "-e without -F/-E (expected: the reference's warning, no symbol checks)" err.txt expected.txt
for o in -F -E; do
	run_ours $t -e $o "$work/$t/no-such-file" -C "$work/empty.d" $kver
	expect_status "$o missing file" 1
	checks=$((checks + 1))
	grep -q 'no-such-file' err.txt || fail "$o missing file: no message names it"
	diff_note="$o missing file: message differs"
	against_reference "$o missing file" $t -e $o "$work/$t/no-such-file" -C "$work/empty.d" $kver
done

# -P: symbol prefix
t=prefix
mod $t kernel/a.ko --export _sa --export sb
mod $t kernel/b.ko --import sa --import _sb
order $t
builtin $t
run_ours $t -P _ -C "$work/empty.d" $kver
expect_status "-P _" 0
printf 'kernel/a.ko:\nkernel/b.ko: kernel/a.ko\n' >expected.txt
expect_text "-P _: modules.dep" "$(moddir $t)/modules.dep" expected.txt
printf '# Aliases for symbols, used by symbol_request().\nalias symbol:sa a\nalias symbol:sb a\n' >expected.txt
expect_text "-P _: modules.symbols" "$(moddir $t)/modules.symbols" expected.txt
against_reference "-P _" $t -P _ -C "$work/empty.d" $kver
against_reference "--symbol-prefix=_" $t --symbol-prefix=_ -C "$work/empty.d" $kver
against_reference "no -P" $t -C "$work/empty.d" $kver
run_ours $t -P ab -C "$work/empty.d" $kver
expect_status "-P with two characters" 1
checks=$((checks + 1))
grep -q -- '-P only takes a single char' err.txt || fail "-P ab: $(cat err.txt)"
diff_note="-P ab: kmod 30 says FATAL, we say ERROR"
against_reference "-P with two characters" $t -P ab -C "$work/empty.d" $kver

# -w: duplicate warnings
t=warn
mod $t kernel/a.ko --modinfo alias=foo --modinfo alias=foo --modinfo alias=bar
mod $t kernel/b.ko --modinfo alias=bar --export dupsym
mod $t kernel/c.ko --export dupsym
order $t
builtin $t
run_ours $t -w -C "$work/empty.d" $kver
expect_status "-w" 0
checks=$((checks + 1))
grep -q 'duplicate module alias:' err.txt && grep -qx 'foo a' err.txt ||
	fail "-w: no duplicate alias warning: $(cat err.txt)"
run_ours $t -C "$work/empty.d" $kver
checks=$((checks + 1))
[ ! -s err.txt ] || fail "without -w: warnings: $(cat err.txt)"
diff_note="-w: we also warn about a symbol exported by two modules; kmod 30 does not"
against_reference "-w" $t -w -C "$work/empty.d" $kver
mod warn2 kernel/a.ko --modinfo alias=foo --modinfo alias=foo --modinfo alias=bar
mod warn2 kernel/b.ko --modinfo alias=bar
order warn2
builtin warn2
against_reference "-w, duplicate aliases only" warn2 -w -C "$work/empty.d" $kver

# explicit module files
t=explicit
mod $t kernel/a.ko --export sa
mod $t kernel/b.ko --import sa --export sb
mod $t kernel/c.ko --import sb
"$mkfixture" -o "$work/outside.ko" --export so --import sa
order $t
builtin $t
d=$(moddir $t)
run_ours $t -C "$work/empty.d" $kver "$d/kernel/c.ko" "$work/outside.ko" "$d/kernel/a.ko"
expect_status "explicit files" 0
printf 'kernel/a.ko:\nkernel/c.ko:\n%s: kernel/a.ko\n' "$work/outside.ko" >expected.txt
expect_text "explicit files: only those (modules.order first)" "$d/modules.dep" expected.txt
against_reference "explicit files" $t -C "$work/empty.d" $kver @ROOT@/lib/modules/$kver/kernel/c.ko \
	@ROOT@/lib/modules/$kver/kernel/b.ko "$work/outside.ko" @ROOT@/lib/modules/$kver/kernel/a.ko
rm "$d/modules.order"
run_ours $t -C "$work/empty.d" $kver "$d/kernel/c.ko" "$work/outside.ko" "$d/kernel/a.ko"
printf 'kernel/c.ko:\n%s: kernel/a.ko\nkernel/a.ko:\n' "$work/outside.ko" >expected.txt
expect_text "explicit files, no modules.order: argument order" "$d/modules.dep" expected.txt
sorted_dep=1
against_reference "explicit files, no modules.order (sorted)" $t -C "$work/empty.d" $kver \
	@ROOT@/lib/modules/$kver/kernel/c.ko @ROOT@/lib/modules/$kver/kernel/b.ko "$work/outside.ko" \
	@ROOT@/lib/modules/$kver/kernel/a.ko
run_ours $t -C "$work/empty.d" $kver kernel/a.ko
expect_status "explicit file with a relative path" 1
printf 'depmod: FATAL: kernel/a.ko: not absolute path.\n' >expected.txt
expect_text "explicit file with a relative path: message" err.txt expected.txt
against_reference "explicit file with a relative path" $t -C "$work/empty.d" $kver kernel/a.ko

# =====================================================================
# 5. depmod.d directives
t=conf
for dir in kernel updates extra; do
	mod $t "$dir/dup.ko" --export "dup_$dir"
done
mod $t kernel/drivers/user.ko --import dup_kernel --import dup_updates --import dup_extra
mod $t kernel/base.ko --export base_sym
mod $t foo/kept.ko
mod $t foo/skip/skipped.ko
mod $t foo/skipfile.ko
mod $t foo/build/inbuild.ko
mod $t source/insource.ko
mod $t kernel/source/deep.ko
order $t
builtin $t
mkdir conf.d
conf() { printf '%s\n' "$@" >conf.d/test.conf; }
# conf_case NAME WINNER: the copy of dup.ko that must win
conf_case() {
	run_ours $t -C "$work/conf.d" $kver
	expect_status "depmod.d $1" 0
	checks=$((checks + 1))
	grep -q "^$2:" "$(moddir $t)/modules.dep" ||
		fail "depmod.d $1: $2 does not win: $(grep dup "$(moddir $t)/modules.dep" | tr '\n' ' ')"
	against_reference "depmod.d $1" $t -C "$work/conf.d" $kver
}
conf ''
conf_case "default search: updates first" updates/dup.ko
conf 'search built-in updates extra'
conf_case "search built-in updates extra" kernel/dup.ko
conf 'search extra' 'search updates built-in'
conf_case "search extra (a custom directory) first" extra/dup.ko
conf 'search updates extra built-in' 'override dup * extra'
conf_case "override (KVER *)" extra/dup.ko
conf 'search updates extra built-in' 'override dup 1\.[0-9] extra'
conf_case "override (KVER a regular expression)" extra/dup.ko
# glibc's regcomp() takes minutes on this one (and kmod with it); ours
# answers at once: it matches every version, as glibc would say
conf 'search updates extra built-in' 'override dup a?{,9}?{7,} extra'
st=0
timeout 20 "$ours" -b "$work/$t" -C "$work/conf.d" $kver >out.txt 2>err.txt || st=$?
expect_status "depmod.d override, KVER with stacked repetitions (within 20 s)" 0
checks=$((checks + 1))
grep -q "^extra/dup.ko:" "$(moddir $t)/modules.dep" ||
	fail "depmod.d override, KVER with stacked repetitions: extra/dup.ko does not win"
conf 'search updates extra built-in' 'override dup 2\.0 extra'
conf_case "override for another version" updates/dup.ko
conf 'search updates extra built-in' 'override dup * extra/'
conf_case "override with a trailing slash matches nothing" updates/dup.ko
conf 'exclude skip skipfile.ko'
conf_case "exclude" updates/dup.ko
checks=$((checks + 1))
(cd "$(moddir $t)" && cut -d: -f1 modules.dep | sort) >got.txt
printf '%s\n' foo/kept.ko kernel/base.ko kernel/drivers/user.ko updates/dup.ko >expected.txt
cmp -s got.txt expected.txt || fail "exclude, build, source: modules listed: $(tr '\n' ' ' <got.txt)"
conf 'exclude foo'
conf_case "exclude a directory" updates/dup.ko
checks=$((checks + 1))
! grep -q '^foo/' "$(moddir $t)/modules.dep" || fail "exclude foo: modules under foo/ listed"
# -C FILE, two -C, bad lines
conf 'search extra built-in updates' 'bogus directive here' 'override onlyone'
mkdir cfile
cp conf.d/test.conf cfile/depmod-test
printf 'search updates\n' >conf.d/other.conf
run_ours $t -C "$work/cfile/depmod-test" $kver
expect_status "-C FILE" 0
{
	printf "depmod: ERROR: %s:2: ignoring bad line starting with 'bogus'\n" "$work/cfile/depmod-test"
	printf "depmod: ERROR: %s:3: ignoring bad line starting with 'override'\n" "$work/cfile/depmod-test"
} >expected.txt
expect_text "-C FILE: bad lines" err.txt expected.txt
checks=$((checks + 1))
grep -q '^extra/dup.ko:' "$(moddir $t)/modules.dep" || fail "-C FILE: its search line is not used"
against_reference "-C FILE" $t -C "$work/cfile/depmod-test" $kver
against_reference "-C DIR (two files)" $t -C "$work/conf.d" $kver
against_reference "-C FILE --config=FILE" $t -C "$work/conf.d/other.conf" --config="$work/cfile/depmod-test" $kver
rm conf.d/other.conf

# override names are normalised ('-' == '_'): ours only (not so in kmod 30)
t=norm
mod $t kernel/my-mod.ko --export my_kernel
mod $t extra/my_mod.ko --export my_extra
builtin $t
for c in "search built-in extra:override my-mod * extra:extra/my_mod.ko" \
	"search extra built-in:override my_mod * kernel:kernel/my-mod.ko"; do
	IFS=: read -r search override want <<<"$c"
	conf "$search" "$override"
	run_ours $t -C "$work/conf.d" $kver
	expect_status "$override" 0
	checks=$((checks + 1))
	grep -q "^$want:" "$(moddir $t)/modules.dep" || fail "$search, $override: $want does not win"
done

# external directories: absolute, read outside the base directory (as kmod 30)
t=conf
mkdir -p "$work/ext1" "$work/ext2"
"$mkfixture" -o "$work/ext1/dup.ko" --export dup_ext1
"$mkfixture" -o "$work/ext2/e2.ko" --import base_sym
for c in "external-first:search external built-in:$work/ext1/dup.ko" \
	"external-last:search built-in updates extra external:kernel/dup.ko" \
	"external-unlisted:search updates built-in:updates/dup.ko"; do
	IFS=: read -r name search want <<<"$c"
	conf "$search" "external * $work/ext1" "external 1\.0 $work/ext2"
	run_ours $t -C "$work/conf.d" $kver
	expect_status "depmod.d $name" 0
	d=$(moddir $t)
	checks=$((checks + 1))
	grep -q "^$want:" "$d/modules.dep" ||
		fail "depmod.d $name: $want does not win: $(grep dup "$d/modules.dep" | tr '\n' ' ')"
	checks=$((checks + 1))
	grep -qx "$work/ext2/e2.ko: kernel/base.ko" "$d/modules.dep" ||
		fail "depmod.d $name: external module: expected the line '$work/ext2/e2.ko: kernel/base.ko'," \
			"got '$(grep e2.ko "$d/modules.dep")'"
	# modules outside modules.order: kmod 30 orders them by readdir
	sorted_dep=1
	against_reference "depmod.d $name (sorted)" $t -C "$work/conf.d" $kver
done
# several directories on one external line: kmod 30 takes the first only
conf "search external built-in" "external * $work/ext1 $work/ext2"
run_ours $t -C "$work/conf.d" $kver
if [ -n "$ref" ] && grep -q "^$work/ext2/e2.ko:" "$(moddir $t)/modules.dep"; then
	note "an external line with several directories: we scan them all; kmod 30 only the first"
fi
conf "external * $work/no-such-dir"
run_ours $t -C "$work/conf.d" $kver
expect_status "external directory missing" 0
checks=$((checks + 1))
grep -q "no-such-dir" err.txt || fail "external directory missing: no message names it"
diff_note="a missing external directory: message differs"
against_reference "external directory missing" $t -C "$work/conf.d" $kver

[ -n "$ref" ] || skip "no /usr/sbin/depmod: the comparisons with the reference were skipped"
echo "depmod tool tests: $checks checks, $failures failures, $notes notes, $skipped skipped${ref:+ (reference: $ref)}"
[ $failures = 0 ]
