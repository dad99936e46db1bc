#!/bin/bash
# Differential test of libkmod.so.2: testsuite/libkmod/harness.c calls every
# function of libkmod's API over Debian's real module tree and a modprobe.d
# holding every directive; its output is compared between libraries.
#
# Usage: testsuite/differential/libkmod.sh BUILD_DIR
#
# Runs, each on the same tree (a hard-linked copy indexed by the reference
# depmod, inside the trixie chroot's /tmp so that both sides see it):
#   30        the harness built on the host against kmod 30's libkmod.h
#             (libkmod-dev), run with the host's libkmod2 30
#   34.2      the harness built in the Debian 13 chroot against 34.2's
#             header, run there with libkmod2 34.2
#   ours-30   the host build with LD_LIBRARY_PATH pointing at our
#             BUILD_DIR/libkmodlite/libkmod/libkmod.so.2
#   ours-34.2 the chroot build with our library copied into the chroot
# and compares 30 with 34.2 (facts about kmod, reported, never a failure),
# ours-34.2 with 34.2 (everything), and ours-30 with 30 where 30 and 34.2
# agree. Our library missing: its runs are skipped with a message saying so,
# and the exit status is 3 (not a pass). The chroot missing: the runs that
# need it are skipped likewise.
#
# Environment:
#   KMODLITE_CACHE   cache directory (see tools/fetch-debian-kernel)
#   KMODLITE_TRIXIE  the chroot (default CACHE/trixie, made by
#                    tools/trixie-chroot; must hold .complete)
#   REF_DEPMOD       reference depmod (default /usr/sbin/depmod)
#   HARNESS_PARTS    only these harness parts (e.g. "config errors"); the part
#                    "loaded" runs under testsuite/fake-kernel, after the others
#   HARNESS_SAMPLE   N: the parts modules and aliases take every Nth module,
#                    built-in module and alias only (the others: everything)
#   OURS_PRELOAD     libraries preloaded into our runs (a sanitizer runtime,
#                    to test a -Db_sanitize build); ours then runs on the host
#                    only (the chroot lacks the host's runtime): ours-30 vs 30
#                    is compared, ours-34.2 is not run
#   DIFF_SHOW        differing blocks shown per comparison (default 5)
#   DIFF_KEEP        a directory: outputs and full diff reports copied there
#
# Output: per comparison, the number of compared lines, blocks, modules and
# aliases, how many differ per category, and the first differing blocks.
# Deliberate differences: testsuite/differential/libkmod-deliberate.txt lists
# each differing block that is one, exactly as the diff report writes it,
# under the comparison's name ("[34.2 ours-34.2]", "[30 ours-30]"); a block
# differing in any other way (or any other block) is a failure.
# Exit status: 0 all compared runs agree but for the deliberate differences,
# 1 ours differs otherwise (or crashed), 2 setup error, 3 our library (or
# the chroot) was not there to compare.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
srcroot=$(cd "$here/../.." && pwd -P)
TAG=libkmod-diff
die() { printf '%s: ERROR: %s\n' "$TAG" "$*" >&2; exit 2; }
say() { printf '%s: %s\n' "$TAG" "$*"; }

(( $# == 1 )) || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD_DIR=$(cd "$1" && pwd -P) || die "no build directory $1"
REF_DEPMOD=${REF_DEPMOD:-/usr/sbin/depmod}
DIFF_SHOW=${DIFF_SHOW:-5}
# the deliberate differences (several softdep/weakdep lines for one module
# all count: include/libkmod.h), each exactly as the diff report shows it
ALLOWED=$here/libkmod-deliberate.txt
HARNESS_SRC=$srcroot/testsuite/libkmod/harness.c
OURLIB=$BUILD_DIR/libkmodlite/libkmod/libkmod.so.2
[[ -x $REF_DEPMOD ]] || die "reference $REF_DEPMOD not found (apt-get install kmod)"
[[ -f /usr/include/libkmod.h ]] || die "/usr/include/libkmod.h not found (apt-get install libkmod-dev)"
for t in gcc perl diff unshare chroot; do
	command -v "$t" >/dev/null || die "$t not found"
done

fetch_out=$("$srcroot/tools/fetch-debian-kernel") || die "tools/fetch-debian-kernel failed"
ROOT=$(sed -n 's/^ROOT=//p' <<<"$fetch_out")
KVER=$(sed -n 's/^KVER=//p' <<<"$fetch_out")
[[ -n $ROOT && -n $KVER && -d $ROOT/lib/modules/$KVER ]] || die "bad fetch-debian-kernel output: $fetch_out"
CACHE=$(dirname "$ROOT")
CHROOT=${KMODLITE_TRIXIE:-$CACHE/trixie}
have_chroot=false
if [[ -f $CHROOT/.complete ]]; then
	have_chroot=true
else
	say "SKIPPED: no Debian 13 chroot at $CHROOT (make it with tools/trixie-chroot): libkmod2 34.2 is not compared"
fi

# The work directory lives in the chroot's /tmp when there is one: the same
# files are then $WORK on the host and $CWORK inside.
if $have_chroot; then
	WORK=$(mktemp -d "$CHROOT/tmp/libkmod-diff.XXXXXX")
	CWORK=/tmp/${WORK##*/}
else
	WORK=$(mktemp -d "$CACHE/libkmod-diff.XXXXXX")
	CWORK=
fi
cleanup() { rm -rf -- "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs a command inside the chroot with proc, sys and dev bound, in a private
# mount namespace (nothing is left mounted, other users are not disturbed).
inside() {
	unshare -m --propagation private sh -c '
		c=$1; shift
		for m in proc sys dev; do
			mountpoint -q "$c/$m" || mount --bind "/$m" "$c/$m"
		done
		exec chroot "$c" "$@"' sh "$CHROOT" "$@"
}

# ---------------------------------------------------------------- the tree
t0=$SECONDS
mkdir -p "$WORK/root/lib/modules"
cp -al -- "$ROOT/lib/modules/$KVER" "$WORK/root/lib/modules/"
# the copy shares the pristine tree's files: remove (not rewrite) whatever
# depmod will write, so the hard links are broken first
find "$WORK/root/lib/modules/$KVER" -maxdepth 1 -name 'modules.*' \
	! -name modules.order ! -name modules.builtin ! -name modules.builtin.modinfo -delete
"$REF_DEPMOD" -b "$WORK/root" "$KVER" || die "reference depmod failed"
say "tree: $(grep -c . "$WORK/root/lib/modules/$KVER/modules.dep") modules in a copy of $ROOT/lib/modules/$KVER, indexed by $REF_DEPMOD ($((SECONDS - t0))s)"

# ---------------------------------------------------------------- modprobe.d
# Every directive: alias (plain, wildcard, two targets, to a blacklisted
# module), blacklist, options (continued lines, quotes, for an alias, from
# two files), install, remove (continued), softdep with pre and post (two
# lines for sctp), weakdep, a bad line; a file not ending in .conf and a
# directory, both ignored.
CONF=$WORK/conf
mkdir -p "$CONF/subdir.conf"
cat >"$CONF/a.conf" <<'EOF'
# kmod harness: every modprobe.d directive
alias my-net-alias e1000e
alias my-wild* dummy
alias my-multi tun
alias my-multi loop
alias my-bl-alias floppy
alias snd-harness snd_hda_intel
blacklist floppy
blacklist pcspkr
blacklist snd-pcsp
options e1000e SmartPowerDownEnable=1 \
	InterruptThrottleRate=3000,3000 \
	IntMode=2
options my-net-alias KumeranLockLoss=1
options loop max_loop=8
options snd-hda-intel model=auto power_save=1
options dummy numdummies=2 "quoted=a b"
install harness-cmd echo harness $CMDLINE_OPTS
install harness-install-only /bin/true
install floppy /sbin/modprobe --ignore-install floppy $CMDLINE_OPTS
install dummy /bin/true
remove dummy /bin/false
remove loop echo removing \
	loop
softdep sctp pre: crc32c_generic libcrc32c post: dummy
softdep xfs pre: crc32c
softdep ext4 post: loop
weakdep e1000e tun loop
weakdep bridge stp
this-is-not-a-directive foo
EOF
cat >"$CONF/b.conf" <<'EOF'
# a second softdep line for sctp
softdep sctp pre: tun post: loop
weakdep e1000e dummy
options e1000e debug=1
alias my-net-alias igb
EOF
# bad softdep and weakdep lines: libkmod reports them when it reads the
# configuration (kmod_new), not when a module's softdeps are asked for
cat >"$CONF/d.conf" <<'EOF'
softdep
softdep harness-lonely
softdep harness]bad pre: loop
weakdep
EOF
echo 'alias ignored-not-conf dummy' >"$CONF/c.txt"
echo 'blacklist e1000e' >"$CONF/subdir.conf/x.conf"
cp -- "$HARNESS_SRC" "$WORK/harness.c"

# ---------------------------------------------------------------- builds
CFLAGS=(-std=gnu11 -O2 -Wall -Wextra -Werror)
gcc "${CFLAGS[@]}" -o "$WORK/harness-30" "$WORK/harness.c" -lkmod -ldl ||
	die "the harness does not build against /usr/include/libkmod.h"
if $have_chroot; then
	inside gcc "${CFLAGS[@]}" -o "$CWORK/harness-34" "$CWORK/harness.c" -lkmod -ldl ||
		die "the harness does not build in the chroot"
fi
# The fake kernel (testsuite/fake-kernel) for the part "loaded": built here
# so that the references need no meson build; it runs in the chroot too.
gcc -shared -fPIC -O2 -o "$WORK/fake-kernel.so" "$srcroot/testsuite/fake-kernel/fake-kernel.c" -ldl ||
	die "testsuite/fake-kernel does not build"

# fakeroot NAME: a fresh pretend kernel in WORK/fk-NAME: three loaded
# modules (sctp held by sctp_diag, with sections; libcrc32c; dummy still
# loading, without sysfs), a built-in module's sysfs directory, and a kernel
# command line with module options and a blacklist.
fakeroot() {
	local d=$WORK/fk-$1
	rm -rf -- "$d"
	mkdir -p "$d/proc" "$d/sys/module/sctp/holders/sctp_diag" "$d/sys/module/sctp/sections" \
		"$d/sys/module/libcrc32c/holders" "$d/sys/module/amd_uncore/parameters"
	printf '%s\n' 'sctp 434176 2 sctp_diag, Live 0xffffffffc0a00000' \
		'libcrc32c 16384 1 sctp, Live 0xffffffffc0900000' \
		'dummy 16384 0 - Loading 0xffffffffc0800000' >"$d/proc/modules"
	echo live >"$d/sys/module/sctp/initstate"
	echo 2 >"$d/sys/module/sctp/refcnt"
	echo 434176 >"$d/sys/module/sctp/coresize"
	echo 0xffffffffc0a00000 >"$d/sys/module/sctp/sections/.text"
	echo 0xffffffffc0a80000 >"$d/sys/module/sctp/sections/.data"
	echo live >"$d/sys/module/libcrc32c/initstate"
	echo 1 >"$d/sys/module/libcrc32c/refcnt"
	echo 'quiet loop.max_loop=4 modprobe.blacklist=pcspkr,snd_pcsp e1000e.debug=2' >"$d/proc/cmdline"
}

kmod30=$(dpkg-query -W -f '${Version}' libkmod2 2>/dev/null || echo '?')
kmod34=$($have_chroot && inside dpkg-query -W -f '${Version}' libkmod2 2>/dev/null || echo '?')
say "libkmod2 on the host: $kmod30; in the chroot: $kmod34"

PARTS=()
for p in ${HARNESS_PARTS:-}; do
	[[ $p == loaded ]] || PARTS+=(--part "$p")
done
# only "loaded" asked for: the first run is the short part abi
[[ -n ${HARNESS_PARTS:-} && ${#PARTS[@]} == 0 ]] && PARTS=(--part abi)
[[ -n ${HARNESS_SAMPLE:-} ]] && PARTS+=(--sample "$HARNESS_SAMPLE")
OURS_PRELOAD=${OURS_PRELOAD:-}

ours_failed=false
# run NAME COMMAND...: stdout to WORK/NAME.out, stderr to WORK/NAME.err
run() {
	local name=$1 t=$SECONDS rc=0
	shift
	"$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
	if (( rc != 0 )); then
		say "$name: exit status $rc; stderr:"
		head -20 "$WORK/$name.err" >&2
		# our library may crash: what it printed is still compared
		[[ $name == ours* ]] || die "the harness failed on $name"
		ours_failed=true
	fi
	say "$name: $(wc -l <"$WORK/$name.out") lines in $((SECONDS - t))s"
}

# loaded NAME [CHROOT-PREFIX] HARNESS...: the part "loaded" under the fake
# kernel, appended to NAME's output
loaded() {
	local name=$1 w=$2
	shift 2
	[[ -n ${HARNESS_PARTS:-} && " $HARNESS_PARTS " != *" loaded "* ]] && return 0
	fakeroot "$name"
	run "$name.loaded" "$@" env LD_PRELOAD="$w/fake-kernel.so" FAKE_KERNEL_ROOT="$w/fk-$name" \
		"${HARNESS_ARGS[@]}" --part loaded
	cat -- "$WORK/$name.loaded.out" >>"$WORK/$name.out"
}

run 30 "$WORK/harness-30" "$WORK/root" "$KVER" "$CONF" "${PARTS[@]}"
HARNESS_ARGS=("$WORK/harness-30" "$WORK/root" "$KVER" "$CONF")
loaded 30 "$WORK"
if $have_chroot; then
	run 34.2 inside "$CWORK/harness-34" "$CWORK/root" "$KVER" "$CWORK/conf" "${PARTS[@]}"
	HARNESS_ARGS=("$CWORK/harness-34" "$CWORK/root" "$KVER" "$CWORK/conf")
	loaded 34.2 "$CWORK" inside
fi

have_ours=false
if [[ -f $OURLIB ]]; then
	have_ours=true
	# the directories of our library and of the libraries it needs from
	# the build directory (libkmodlite.so, if it is linked that way)
	ourdirs=$(dirname "$OURLIB")
	while read -r dep; do
		case $dep in "$BUILD_DIR"/*) ourdirs+=:$(dirname "$dep") ;; esac
	done < <(ldd "$OURLIB" | awk '$2 == "=>" && $3 ~ /^\// {print $3}')
	resolved=$(LD_LIBRARY_PATH=$ourdirs ldd "$WORK/harness-30" | awk '$1 == "libkmod.so.2" {print $3}')
	[[ $(readlink -f "$resolved") == $(readlink -f "$OURLIB") ]] ||
		die "LD_LIBRARY_PATH=$ourdirs loads $resolved, not $OURLIB"
	run ours-30 env LD_LIBRARY_PATH="$ourdirs" LD_PRELOAD="$OURS_PRELOAD" \
		"$WORK/harness-30" "$WORK/root" "$KVER" "$CONF" "${PARTS[@]}"
	# the fake kernel is preloaded after the sanitizer runtime
	HARNESS_ARGS=(LD_LIBRARY_PATH="$ourdirs" "$WORK/harness-30" "$WORK/root" "$KVER" "$CONF")
	[[ -n $OURS_PRELOAD ]] && HARNESS_ARGS=(LD_PRELOAD="$OURS_PRELOAD $WORK/fake-kernel.so" "${HARNESS_ARGS[@]}")
	loaded ours-30 "$WORK"
	if [[ -n $OURS_PRELOAD ]]; then
		say "ours-34.2: not run (OURS_PRELOAD: the chroot lacks the host's sanitizer runtime)"
	elif $have_chroot; then
		mkdir -p "$WORK/ourlib"
		IFS=: read -r -a dirs <<<"$ourdirs"
		for d in "${dirs[@]}"; do cp -L -- "$d"/*.so* "$WORK/ourlib/" 2>/dev/null || true; done
		run ours-34.2 inside env LD_LIBRARY_PATH="$CWORK/ourlib" "$CWORK/harness-34" \
			"$CWORK/root" "$KVER" "$CWORK/conf" "${PARTS[@]}"
		HARNESS_ARGS=(LD_LIBRARY_PATH="$CWORK/ourlib" "$CWORK/harness-34" "$CWORK/root" "$KVER" "$CWORK/conf")
		loaded ours-34.2 "$CWORK" inside
	fi
else
	say "SKIPPED: our library $OURLIB is not built: nothing of ours was compared (this is not a pass)"
fi

# ---------------------------------------------------------------- compare
# compare A B [MASK]: block by block. A block is a line in column 0 and the
# indented lines after it; blocks are matched by that line (numbered when it
# repeats). With MASK (a third output), only blocks where A's MASK-side
# reference agrees are counted: "ours-30 vs 30 where 30 == 34.2".
compare() {
	local a=$1 b=$2 mask=${3:-}
	perl - "$WORK" "$a" "$b" "$mask" "$DIFF_SHOW" "$ALLOWED" <<'PERL'
use strict; use warnings;
my ($work, $sa, $sb, $mask, $show, $allowed) = @ARGV;
# The deliberate differences of this comparison: each entry exactly as the
# diff report writes it ("=== BLOCK (from line N)" and its -/+ lines), under
# "[A B]" naming the comparison.
my %allow;
if ($allowed ne '' && open(my $af, '<', $allowed)) {
	my ($sec, $cur) = ('', undef);
	my $flush = sub { $allow{$sec}{$cur} = 0 if defined $cur; $cur = undef; };
	while (my $l = <$af>) {
		if ($l =~ /^\[(.*)\]\s*$/) { $flush->(); $sec = $1; next; }
		if ($l =~ /^#/ || $l =~ /^\s*$/) { $flush->(); next; }
		if ($l =~ /^=== /) { $flush->(); $cur = $l; next; }
		$cur .= $l if defined $cur;
	}
	$flush->();
	close $af;
}
my $allowsec = $allow{"$sa $sb"} // {};
sub blocks {
	my ($file) = @_;
	open(my $f, '<', $file) or die "$file: $!";
	my (%h, @order, %seen, $key);
	my $lines = 0;
	while (my $l = <$f>) {
		$lines++;
		if ($l !~ /^ / || !defined $key) {
			chomp(my $hd = $l);
			$key = $hd . (($seen{$hd}++) ? " #$seen{$hd}" : '');
			push @order, $key;
			$h{$key} = '';
		}
		$h{$key} .= $l;
	}
	return (\%h, \@order, $lines);
}
my ($ha, $oa, $la) = blocks("$work/$sa.out");
my ($hb, $ob, $lb) = blocks("$work/$sb.out");
my ($hm) = $mask ? blocks("$work/$mask.out") : (undef);
my (%cat, @bad, $onlya, $onlyb, $masked);
$onlya = $onlyb = $masked = 0;
my %inb = map { $_ => 1 } @$ob;
for my $k (@$oa) {
	my ($c) = $k =~ /^(\S+)/;
	$c //= '(empty)';
	if (!exists $hb->{$k}) { $onlya++; push @bad, $k; $cat{$c}{diff}++; $cat{$c}{n}++; next; }
	if ($hm && (!exists $hm->{$k} || $hm->{$k} ne $ha->{$k})) { $masked++; next; }
	$cat{$c}{n}++;
	if ($ha->{$k} ne $hb->{$k}) { $cat{$c}{diff}++; push @bad, $k; }
}
for my $k (@$ob) { next if exists $ha->{$k}; $onlyb++; push @bad, $k; my ($c) = $k =~ /^(\S+)/; $cat{$c}{diff}++; $cat{$c}{n}++; }
my $what = "$sb vs $sa" . ($mask ? " (where $sa == $mask)" : '');
my $nb = scalar @$oa;
printf "libkmod-diff: %s: %d lines vs %d lines, %d blocks compared, %d differ (%d only in %s, %d only in %s)%s\n",
	$what, $la, $lb, $nb - $masked, scalar @bad, $onlya, $sa, $onlyb, $sb,
	$mask ? ", $masked left out (30 and 34.2 differ there)" : '';
for my $c (sort keys %cat) {
	printf "libkmod-diff:   %-8s %6d blocks, %6d different\n", $c, $cat{$c}{n}, $cat{$c}{diff} // 0;
}
# What changed in a block: the common head and tail are cut off, and of the
# middle the lines one side has more often than the other (a cheap diff,
# enough to read and to count).
sub delta {
	my ($x, $y) = @_;
	my @a = split /\n/, $x // ''; my @b = split /\n/, $y // '';
	my $p = 0;
	$p++ while $p < @a && $p < @b && $a[$p] eq $b[$p];
	my ($ea, $eb) = ($#a, $#b);
	while ($ea >= $p && $eb >= $p && $a[$ea] eq $b[$eb]) { $ea--; $eb--; }
	my (%na, %nb);
	$na{$_}++ for @a[$p .. $ea];
	$nb{$_}++ for @b[$p .. $eb];
	my (@minus, @plus);
	for (@a[$p .. $ea]) { push @minus, $_ if ($na{$_} // 0) > 0 && $na{$_}-- > ($nb{$_} // 0); }
	%na = (); $na{$_}++ for @a[$p .. $ea];
	for (@b[$p .. $eb]) { push @plus, $_ if ($nb{$_} // 0) > 0 && $nb{$_}-- > ($na{$_} // 0); }
	return ($p + 1, \@minus, \@plus);
}
open(my $rep, '>', "$work/diff-$sa-$sb.txt") or die;
my $i = 0;
my %freq;
my @unexpected;
for my $k (@bad) {
	my ($at, $minus, $plus) = delta($ha->{$k} // "(missing)\n", $hb->{$k} // "(missing)\n");
	my $text = "=== $k (from line $at)\n" . join('', map { "-$_\n" } @$minus) . join('', map { "+$_\n" } @$plus);
	print $rep $text;
	if (exists $allowsec->{$text}) { $allowsec->{$text}++; next; }
	push @unexpected, $k;
	my $sig = join("\n", (map { "-$_" } @$minus), (map { "+$_" } @$plus));
	$sig =~ s/0x[0-9a-f]{8,}/0x.../g;
	$freq{$sig}++;
	if ($i++ < $show) { my @l = split /\n/, $text; splice(@l, 30) if @l > 30; print "libkmod-diff: | $_\n" for @l; }
}
close $rep;
if (@bad) {
	print "libkmod-diff: the most frequent changes (block count, then the lines):\n";
	my $n = 0;
	for my $sig (sort { $freq{$b} <=> $freq{$a} || $a cmp $b } keys %freq) {
		last if $n++ >= 12;
		my @l = split /\n/, $sig; splice(@l, 6, scalar(@l), '...') if @l > 6;
		printf "libkmod-diff: %6d x %s\n", $freq{$sig}, join("\nlibkmod-diff:          ", @l);
	}
	print "libkmod-diff: every differing block: diff-$sa-$sb.txt (kept with DIFF_KEEP)\n";
}
my @gone = grep { !$allowsec->{$_} } sort keys %$allowsec;
printf "libkmod-diff: %s: %d differing blocks are deliberate (listed in %s), %d are not%s\n",
	$what, scalar(@bad) - scalar(@unexpected), $allowed, scalar @unexpected,
	@gone ? sprintf(", %d listed did not occur", scalar @gone) : ''
	if $sb =~ /^ours/;
if ($sb =~ /^ours/) {
	print "libkmod-diff:   listed, not seen: $_\n" for map { (split /\n/)[0] } @gone;
	print "libkmod-diff:   not deliberate: $_\n" for @unexpected;
}
exit(@unexpected ? 1 : 0);
PERL
}

status=0
$ours_failed && status=1
if $have_chroot; then
	compare 30 34.2 || true
fi
if $have_ours; then
	if $have_chroot; then
		if [[ -z $OURS_PRELOAD ]]; then
			compare 34.2 ours-34.2 || status=1
		fi
		compare 30 ours-30 34.2 || status=1
	else
		compare 30 ours-30 || status=1
	fi
fi
if [[ -n ${DIFF_KEEP:-} ]]; then
	mkdir -p "$DIFF_KEEP"
	cp -- "$WORK"/*.out "$WORK"/diff-*.txt "$DIFF_KEEP/" 2>/dev/null || true
	say "outputs and diff reports copied to $DIFF_KEEP"
fi
if ! $have_ours || ! $have_chroot; then
	(( status == 0 )) && status=3
fi
say "done in ${SECONDS}s, exit status $status"
exit "$status"
