#!/bin/bash
# Hostile-input test for modinfo: truncated and corrupted real modules,
# garbage compressed streams and decompression bombs.
#
# Usage: testsuite/differential/hostile.sh BUILD_DIR
#
#   BUILD_DIR/src/modinfo is the tool under test; best run on a build with
#   sanitizers too:
#     meson setup build-asan -Db_sanitize=address,undefined && ninja -C build-asan
#     testsuite/differential/hostile.sh build-asan
#
# A small sample of real modules comes from tools/fetch-debian-kernel (cache in
# ${KMODLITE_CACHE:-/var/cache/kmodlite}, outside the repository). The bombs
# (2 GiB of zeros, compressed) are generated once and kept in CACHE/hostile.
#
# Every case runs `modinfo FILE` alone and asserts:
#   - exit status 0 or 1 (124 = timeout after HOSTILE_TIMEOUT=10 s, bombs
#     HOSTILE_BOMB_TIMEOUT=30 s; >= 128 = killed by a signal)
#   - with status 1, stderr names the file (path, file name or module name)
#   - no sanitizer report on stderr
#   - not killed for memory: runs under `ulimit -v 4000000` (under ASan, which
#     needs a huge virtual address space, hard_rss_limit_mb=4000 instead)
# and `modinfo -F name GOOD FILE GOOD` (a good module on both sides) must
# print the good module's name first and last: one bad file does not stop
# the others.
#
# Environment: KMODLITE_CACHE, HOSTILE_SHOW (failures shown, default 20),
# HOSTILE_KEEP (a directory: the generated cases are copied there).
# Exit status 1 if any case failed, 2 on setup errors.

set -euo pipefail

START=$SECONDS
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
srcroot=$(cd "$here/../.." && pwd -P)

die() { printf 'hostile: ERROR: %s\n' "$*" >&2; exit 2; }

(( $# == 1 )) || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD_DIR=$(cd "$1" && pwd -P) || die "no build directory $1"
OURS=$BUILD_DIR/src/modinfo
[[ -x $OURS ]] || die "$OURS not found (build first)"
for t in perl xz zstd gzip timeout xargs; do
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

WORK=$(mktemp -d "$CACHE/hostile.XXXXXX")
cleanup() { rm -rf -- "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Sanitizer build? ASan reserves terabytes of address space: no ulimit -v.
SANITIZED=0
libs=$(ldd "$OURS" 2>/dev/null || true)
if [[ $libs == *libasan* || $libs == *libclang_rt.asan* ]] ||
   grep -q -a -m1 '__asan_init' "$OURS" 2>/dev/null; then
	SANITIZED=1
fi
# (caller options win, except the RSS limit that stands in for ulimit -v)
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}:hard_rss_limit_mb=4000"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
echo "hostile: ours=$OURS (sanitizers: $([[ $SANITIZED == 1 ]] && echo yes || echo no))"

# ---------------------------------------------------------------------------
# The sample: modules of varying size (quantiles of the tree) plus sctp.ko.

mapfile -t sizes < <(find "$MODDIR" -name '*.ko' -type f -printf '%s %p\n' | sort -n)
(( ${#sizes[@]} > 10 )) || die "no modules under $MODDIR"
SAMPLE=()
for q in 0 10 30 50 70 90 99; do
	SAMPLE+=("${sizes[$(( (${#sizes[@]} - 1) * q / 100 ))]#* }")
done
sctp=$(find "$MODDIR" -name sctp.ko -type f | head -1)
[[ -n $sctp ]] || die "sctp.ko not found"
SAMPLE+=("$sctp")
GOOD=${SAMPLE[0]}
GOODNAME=$("$OURS" -F name "$GOOD") || die "our modinfo fails on $GOOD"
[[ -n $GOODNAME ]] || die "no name in $GOOD"

C=$WORK/cases
mkdir -p "$C"

# ---------------------------------------------------------------------------
# Binary surgery on ELF64 little-endian modules.

cat >"$WORK/patch.pl" <<'PERL'
use strict; use warnings; no warnings "portable";
my ($in, $out, $op, @a) = @ARGV;
open(my $fh, '<:raw', $in) or die "$in: $!"; local $/; my $d = <$fh>; close $fh;
my $size = length $d;
srand($a[0] // 1);
sub u16 { unpack('v', substr($d, $_[0], 2)) }
sub u32 { unpack('V', substr($d, $_[0], 4)) }
sub u64 { unpack('Q<', substr($d, $_[0], 8)) }
sub p16 { substr($d, $_[0], 2) = pack('v', $_[1]) }
sub p64 { substr($d, $_[0], 8) = pack('Q<', $_[1]) }
sub rnd { join '', map { chr int rand 256 } 1 .. $_[0] }
my ($shoff, $shentsize, $shnum, $shstrndx) = (u64(0x28), u16(0x3a), u16(0x3c), u16(0x3e));
sub sh { $shoff + $_[0] * $shentsize }
sub secname {
	my $i = shift; my $str = u64(sh($shstrndx) + 0x18);
	my $p = $str + u32(sh($i)); my $e = index($d, "\0", $p);
	return substr($d, $p, $e - $p);
}
sub sec { my $n = shift; for my $i (0 .. $shnum - 1) { return $i if secname($i) eq $n } die "no section $n\n" }
# Signature trailer: ... PKCS#7 | struct module_signature (12 bytes) | magic (28 bytes)
my $magic = "~Module signature appended~\n";
my $signed = substr($d, -28) eq $magic;
my $siglen = $signed ? unpack('N', substr($d, $size - 32, 4)) : 0;

if ($op eq 'shoff') { p64(0x28, hex $a[1]) }
elsif ($op eq 'shnum') { p16(0x3c, hex $a[1]) }
elsif ($op eq 'shstrndx') { p16(0x3e, $a[1] eq 'shnum' ? $shnum : hex $a[1]) }
elsif ($op eq 'shentsize') { p16(0x3a, hex $a[1]) }
elsif ($op eq 'ident') { substr($d, $a[1], 1) = chr $a[2] }
elsif ($op eq 'shtab-random') { substr($d, $shoff, $shnum * $shentsize) = rnd($shnum * $shentsize) }
elsif ($op eq 'shtab-fields') {
	# a few random fields of random section headers set to boundary values
	my @v = (0, 1, $size - 1, $size, $size + 1, 0x7fffffff, 0xffffffff,
		0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffffff0);
	for (1 .. 6) {
		my $i = int rand $shnum;
		my $f = (0x18, 0x20, 0x30, 0x38)[int rand 4];   # offset size align entsize
		p64(sh($i) + $f, $v[int rand @v]);
	}
}
elsif ($op eq 'sec-name-oob') { for my $i (0 .. $shnum - 1) { substr($d, sh($i), 4) = pack('V', 0xfffffff0) } }
elsif ($op eq 'shstrtab-unterminated') {
	my $o = u64(sh($shstrndx) + 0x18); my $s = u64(sh($shstrndx) + 0x20);
	substr($d, $o, $s) = 'X' x $s;
}
elsif ($op eq 'modinfo-unterminated') {
	my $i = sec('.modinfo'); my $o = u64(sh($i) + 0x18); my $s = u64(sh($i) + 0x20);
	my $t = substr($d, $o, $s); $t =~ s/\0+$/'X' x length($&)/e; substr($d, $o, $s) = $t;
}
elsif ($op eq 'modinfo-no-nul') {
	my $i = sec('.modinfo'); my $o = u64(sh($i) + 0x18); my $s = u64(sh($i) + 0x20);
	(my $t = substr($d, $o, $s)) =~ tr/\0/X/; substr($d, $o, $s) = $t;
}
elsif ($op eq 'modinfo-no-equals') {
	my $i = sec('.modinfo'); my $o = u64(sh($i) + 0x18); my $s = u64(sh($i) + 0x20);
	(my $t = substr($d, $o, $s)) =~ tr/=/_/; substr($d, $o, $s) = $t;
}
elsif ($op eq 'modinfo-size') { my $i = sec('.modinfo'); p64(sh($i) + 0x20, hex $a[1]) }
elsif ($op eq 'modinfo-offset') {
	my $i = sec('.modinfo');
	p64(sh($i) + 0x18, $a[1] eq 'end' ? $size - 4 : hex $a[1]);
	p64(sh($i) + 0x20, hex $a[2]) if defined $a[2];
}
elsif ($op eq 'versions-size') {
	my $i = sec('__versions'); my $s = u64(sh($i) + 0x20);
	p64(sh($i) + 0x20, $a[1] eq 'odd' ? $s - 1 : hex $a[1]);
}
elsif ($op eq 'strip-modinfo') { my $i = sec('.modinfo'); p64(sh($i) + 0x20, 0) }
elsif ($op eq 'siglen') { die "unsigned\n" unless $signed; substr($d, $size - 32, 4) = pack('N', hex $a[1]) }
elsif ($op eq 'sig-idtype') { die "unsigned\n" unless $signed; substr($d, $size - 40 + 2, 1) = chr $a[1] }
elsif ($op eq 'sig-random') {
	die "unsigned\n" unless $signed;
	substr($d, $size - 40 - $siglen, $siglen) = rnd($siglen);
}
elsif ($op eq 'sig-flip') {
	die "unsigned\n" unless $signed;
	for (1 .. 8) { my $p = $size - 40 - $siglen + int rand $siglen; substr($d, $p, 1) = chr(ord(substr($d, $p, 1)) ^ (1 + int rand 255)) }
}
elsif ($op eq 'flip') {
	for (1 .. ($a[1] // 16)) { my $p = int rand $size; substr($d, $p, 1) = chr(ord(substr($d, $p, 1)) ^ (1 + int rand 255)) }
}
elsif ($op eq 'sigoffsets') {
	# print interesting truncation offsets in the signature trailer
	if ($signed) { my $e = $size - 40 - $siglen; print join("\n", $e - 1, $e, $e + 1, $e + int($siglen / 2), $size - 41, $size - 40, $size - 39, $size - 33, $size - 29, $size - 28, $size - 27), "\n" }
	exit 0;
}
else { die "unknown op $op\n" }
open(my $oh, '>:raw', $out) or die "$out: $!"; print $oh $d; close $oh or die;
PERL

elfpatch() { perl "$WORK/patch.pl" "$@"; }
# prand SEED N: N reproducible pseudo-random bytes
prand() { perl -e 'srand($ARGV[0]); print map { chr int rand 256 } 1 .. $ARGV[1]' "$1" "$2"; }

# Truncation offsets for a file of SIZE bytes (extra offsets from stdin).
offsets() {
	local size=$1 i
	{
		printf '%s\n' 0 1 5 6 16 63 64 100
		for (( i = 1; i < 60; i++ )); do echo $(( size * i / 60 )); done
		echo $(( size - 2 )) $(( size - 1 )) | tr ' ' '\n'
		cat
	} | awk -v s="$size" '$1 >= 0 && $1 < s' | sort -n -u
}

# ---------------------------------------------------------------------------
# Build the cases.

ncase=0
add_trunc() { # SRC NAME EXT
	local src=$1 name=$2 ext=$3 size off
	size=$(stat -c %s "$src")
	while read -r off; do
		head -c "$off" "$src" >"$C/${name}__trunc_$off.ko$ext"
	done < <(if [[ -z $ext ]]; then perl "$WORK/patch.pl" "$src" /dev/null sigoffsets; fi | offsets "$size")
}

for m in "${SAMPLE[@]}"; do
	b=${m##*/}; b=${b%.ko}; b=${b//-/_}
	add_trunc "$m" "$b" ""
	seed=1
	for v in "shoff 0 FFFFFFFFFFFFFFFF" "shoff 0 FFFFFFFF" "shoff 0 FFFFFFFFFFFFFFC0" "shoff 0 0" \
		"shnum 0 FFFF" "shnum 0 0" "shstrndx 0 shnum" "shstrndx 0 FFFF" "shstrndx 0 0" \
		"shentsize 0 0" "shentsize 0 1" "shentsize 0 FFFF" \
		"ident 0 4 1" "ident 0 4 3" "ident 0 5 2" "ident 0 5 0" "ident 0 0 0" \
		"shtab-random 1" "shtab-random 2" "shtab-random 3" \
		"shtab-fields 1" "shtab-fields 2" "shtab-fields 3" "shtab-fields 4" "shtab-fields 5" \
		"sec-name-oob 0" "shstrtab-unterminated 0" \
		"modinfo-unterminated 0" "modinfo-no-nul 0" "modinfo-no-equals 0" "strip-modinfo 0" \
		"modinfo-size 0 FFFFFFFFFFFFFFF0" "modinfo-size 0 FFFFFFFF" "modinfo-offset 0 end 64" \
		"modinfo-offset 0 FFFFFFFFFFFFFF00 200" "modinfo-offset 0 FFFFFFFF 10" \
		"versions-size 0 odd" "versions-size 0 FFFFFFFFFFFFFFFF" \
		"siglen 0 FFFFFFFF" "siglen 0 0" "siglen 0 7FFFFFFF" "siglen 0 1" "sig-idtype 0 0" "sig-idtype 0 255" \
		"sig-random 1" "sig-random 2" "sig-flip 3" \
		"flip 1 16" "flip 2 16" "flip 3 200" "flip 4 2000"; do
		read -r -a va <<<"$v"
		tag=$(printf '%s' "$v" | tr -c 'A-Za-z0-9' '_')
		elfpatch "$m" "$C/${b}__$tag.ko" "${va[@]}" 2>/dev/null || rm -f -- "$C/${b}__$tag.ko"
	done
done

# Compressed copies of sctp.ko: truncated, flipped, trailing garbage.
Z=$WORK/z
mkdir -p "$Z"
xz --check=crc32 --lzma2=dict=1MiB -c "$sctp" >"$Z/sctpz.ko.xz"
zstd -q -c "$sctp" >"$Z/sctpz.ko.zst"
gzip -n -c "$sctp" >"$Z/sctpz.ko.gz"
for ext in xz zst gz; do
	add_trunc "$Z/sctpz.ko.$ext" "sctp_$ext" ".$ext"
	for s in 1 2 3; do
		elfpatch "$Z/sctpz.ko.$ext" "$C/sctp_${ext}__flip$s.ko.$ext" flip "$s" 4
	done
	{ cat "$Z/sctpz.ko.$ext"; prand 7 1000; } >"$C/sctp_${ext}__trailing_garbage.ko.$ext"
	{ cat "$Z/sctpz.ko.$ext" "$Z/sctpz.ko.$ext"; } >"$C/sctp_${ext}__twice.ko.$ext"
done
# Garbage with valid magic; valid streams of non-ELF data.
printf '\xfd7zXZ\0' >"$C/garbage__xz_magic_only.ko.xz"
printf '\x28\xb5\x2f\xfd' >"$C/garbage__zst_magic_only.ko.zst"
printf '\x1f\x8b' >"$C/garbage__gz_magic_only.ko.gz"
for s in 1 2 3; do
	{ printf '\xfd7zXZ\0'; prand "$s" 4096; } >"$C/garbage__xz_random$s.ko.xz"
	{ printf '\x28\xb5\x2f\xfd'; prand "$s" 4096; } >"$C/garbage__zst_random$s.ko.zst"
	{ printf '\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03'; prand "$s" 4096; } >"$C/garbage__gz_random$s.ko.gz"
done
prand 11 100000 | xz -c >"$C/garbage__xz_random_payload.ko.xz"
prand 11 100000 | zstd -q -c >"$C/garbage__zst_random_payload.ko.zst"
prand 11 100000 | gzip -c >"$C/garbage__gz_random_payload.ko.gz"
head -c 40 "$sctp" | xz -c >"$C/garbage__xz_elf_header_only.ko.xz"
: | xz -c >"$C/garbage__xz_empty_payload.ko.xz"
: | zstd -q -c >"$C/garbage__zst_empty_payload.ko.zst"
: | gzip -c >"$C/garbage__gz_empty_payload.ko.gz"
# Non-ELF and tiny files.
: >"$C/garbage__empty.ko"
prand 12 4096 >"$C/garbage__random.ko"
printf 'hello, world\n' >"$C/garbage__text.ko"
printf '\x7fELF' >"$C/garbage__elf_magic.ko"
{ head -c 64 "$sctp"; } >"$C/garbage__elf_header.ko"
{ head -c 16 "$sctp"; head -c 48 /dev/zero; } >"$C/garbage__elf_ident_zeros.ko"
{ head -c 64 "$sctp"; head -c 100000 /dev/zero; } >"$C/garbage__elf_header_zeros.ko"

# Decompression bombs: 2 GiB of zeros (and 400 MiB, under the size limit),
# generated once and kept in the cache.
BOMBS=$CACHE/hostile
mkdir -p "$BOMBS"
make_bomb() { # NAME SIZE COMMAND...
	local f=$BOMBS/$1 size=$2
	shift 2
	[[ -s $f ]] && return 0
	echo "hostile: generating $f (once)"
	head -c "$size" /dev/zero | "$@" >"$f.tmp.$$"
	mv -f -- "$f.tmp.$$" "$f"
}
make_bomb bomb_2g.ko.xz 2G xz -1 -T1 -c
make_bomb bomb_2g.ko.zst 2G zstd -q -1 -c
make_bomb bomb_2g.ko.gz 2G gzip -1 -c
make_bomb bomb_400m.ko.zst 400M zstd -q -1 -c
for f in "$BOMBS"/bomb_*.ko.*; do
	ln -s -- "$f" "$C/${f##*/}"
done

ncase=$(find "$C" -mindepth 1 | wc -l)
echo "hostile: ${#SAMPLE[@]} sample modules, $ncase cases (built in $((SECONDS - START))s)"

# ---------------------------------------------------------------------------
# Run.

# check FILE: prints "PASS FILE" or "FAIL FILE: reason" lines.
check() {
	local f=$1 o=$1.stdout e=$1.stderr rc=0 base mod why=() limit=$HOSTILE_TIMEOUT
	# Bombs make the decompressor produce 512 MiB before it gives up: that
	# takes seconds (more under ASan on a loaded machine), so they get longer.
	[[ ${f##*/} == bomb_* ]] && limit=$HOSTILE_BOMB_TIMEOUT
	(
		ulimit -c 0
		(( SANITIZED )) || ulimit -v 4000000
		exec timeout -k 2 "$limit" "$OURS" "$f"
	) >"$o" 2>"$e" </dev/null || rc=$?
	base=${f##*/}
	mod=${base%%.*}
	case $rc in
	0|1) ;;
	124) why+=("timeout ($limit s)") ;;
	*) (( rc >= 128 )) && why+=("killed by signal $((rc - 128))") || why+=("exit status $rc") ;;
	esac
	if (( rc == 1 )) && ! grep -q -F -e "$f" -e "$base" -e "$mod" -e "${mod//-/_}" "$e"; then
		why+=("error does not name the file")
	fi
	if (( rc == 1 )) && ! [[ -s $e ]]; then
		why+=("exit status 1 without a message")
	fi
	if grep -q -E 'ERROR: [A-Za-z]*Sanitizer|runtime error:|^SUMMARY: ' "$e"; then
		why+=("sanitizer report")
	fi
	# One bad file among good ones: the good ones are still printed.
	local rc2=0 first last
	(
		ulimit -c 0
		(( SANITIZED )) || ulimit -v 4000000
		exec timeout -k 2 "$limit" "$OURS" -F name "$GOOD" "$f" "$GOOD"
	) >"$o.2" 2>"$e.2" </dev/null || rc2=$?
	case $rc2 in
	0|1) ;;
	124) why+=("sandwich: timeout") ;;
	*) why+=("sandwich: exit status $rc2") ;;
	esac
	first=$(head -n 1 "$o.2"); last=$(tail -n 1 "$o.2")
	if [[ $first != "$GOODNAME" || $last != "$GOODNAME" ]]; then
		why+=("sandwich: good module not printed on both sides")
	fi
	if grep -q -E 'ERROR: [A-Za-z]*Sanitizer|runtime error:|^SUMMARY: ' "$e.2"; then
		why+=("sandwich: sanitizer report")
	fi
	if (( ${#why[@]} )); then
		local IFS=';'
		printf 'FAIL %s: %s\n' "$f" "${why[*]}"
		{
			printf '  exit status %s; stderr:\n' "$rc"
			head -n 20 "$e" | sed 's/^/    /'
			printf '  sandwich exit status %s; stdout/stderr:\n' "$rc2"
			head -n 5 "$o.2" | sed 's/^/    /'
			head -n 20 "$e.2" | sed 's/^/    /'
		} >"$f.why"
	else
		printf 'PASS %s %s\n' "$rc" "$f"
	fi
	rm -f -- "$o" "$o.2" "$e.2"
}
export HOSTILE_TIMEOUT=${HOSTILE_TIMEOUT:-10} HOSTILE_BOMB_TIMEOUT=${HOSTILE_BOMB_TIMEOUT:-30}
export OURS SANITIZED GOOD GOODNAME
export -f check

find "$C" -mindepth 1 \( -type f -o -type l \) -print0 | sort -z |
	xargs -0 -r -n 1 -P "$NPROC" bash -c 'check "$1"' _ >"$WORK/results" || true

pass=$(grep -c '^PASS ' "$WORK/results" || true)
fail=$(grep -c '^FAIL ' "$WORK/results" || true)
ok0=$(grep -c '^PASS 0 ' "$WORK/results" || true)
ok1=$(grep -c '^PASS 1 ' "$WORK/results" || true)
if (( fail > 0 )); then
	shown=0
	while IFS= read -r line; do
		(( shown < ${HOSTILE_SHOW:-20} )) || break
		shown=$((shown + 1))
		echo "$line"
		f=${line#FAIL }; f=${f%%: *}
		[[ -f $f.why ]] && cat -- "$f.why"
	done < <(grep '^FAIL ' "$WORK/results")
fi
echo "hostile: $ncase cases: $pass passed ($ok0 read fine, $ok1 rejected with an error), $fail failed"
for f in "$BOMBS"/bomb_*; do
	b=${f##*/}
	grep -q -F "$C/$b" "$WORK/results" &&
		printf 'hostile:   %s: %s\n' "$b" "$(grep -F "$C/$b" "$WORK/results" | head -1 | cut -d' ' -f1,2)"
done
if [[ -n ${HOSTILE_KEEP:-} ]]; then
	mkdir -p "$HOSTILE_KEEP"
	cp -a -- "$C"/. "$HOSTILE_KEEP"/
	cp -- "$WORK/results" "$HOSTILE_KEEP/RESULTS"
fi
echo "hostile: total runtime $((SECONDS - START))s"
if (( fail > 0 || pass != ncase )); then
	echo "hostile: FAIL"
	exit 1
fi
echo "hostile: PASS"
