#!/bin/bash
# Crash safety of depmod's outputs.
#
#   depmod-crash.sh BUILD_DIR
#
# (a) kill: depmod is SIGKILLed at random moments while it replaces an "old"
#     set of outputs by a "new" one; after each kill every output must be
#     byte-identical to its old or its new version (each file on its own),
#     none may be missing; leftover temporary files (.NAME.XXXXXX in the
#     output directory) are counted; at the end a run to completion, with
#     all the leftovers still there, must write exactly the new set and leave
#     no temporary file of its own; it removes the leftovers over a minute
#     old (half of them are made so), keeps the younger ones (a live run's
#     could be among them), and a last run with all of them old removes all.
# (b) full disk: the output directory on a small tmpfs that holds the old
#     outputs but not the new ones, at every size from "nothing fits" to
#     "everything fits": depmod fails with a message naming the file and exit
#     1, the old outputs are intact, no temporary file is left; when the
#     outputs fit but not the cache (written last), depmod succeeds with a
#     warning naming it and the old cache stays whole (needs root to
#     mount; SKIP otherwise, a failure if KMODLITE_ALLOW_SKIP=0, as under
#     tools/test).
# (c) two depmods at once on the same tree, 20 times: both exit 0, the
#     outputs are the new set, no temporary file is left.
# The cache (modules.depmod-cache) is one of the outputs throughout (compared
# in its canonical form, cache-canon.py: without the stamps of the outputs it
# records, which depend on their inodes and times): in (a) each trial starts
# from the old outputs and the old cache, and after a kill the cache too
# must be the old or the new one; every 10th trial a run to
# completion must then write exactly the new set (the cache left by the kill
# used, or ignored). The module files are left alone for a few seconds
# before the runs whose cache is compared, so that each file is recorded
# (depmod does not record files changed in the last seconds).
# The test exits 77 only if every sub-test was skipped.
#
# The tree: about 300 modules made by mkfixture (exports, imports, aliases,
# softdeps, weakdeps, devnames; some xz-compressed), or, when
# KMODLITE_TEST_ROOT and KMODLITE_TEST_KVER are set, a hard-link copy of
# ROOT/lib/modules/KVER (nothing is written into ROOT).
# KMODLITE_CRASH_SECONDS: time budget of the kill trials (default 150; at
# least 200 trials are made whatever the budget).
set -euo pipefail
# these trees are under -b: ask depmod to start its cache there too (by
# default it keeps one under another base directory only if one exists)
export KMODLITE_DEPMOD_CACHE=1
. "$(dirname "$0")/wrap.sh"
shopt -s nullglob
export LC_ALL=C
build=$(cd "$1" && pwd)
# the kill trials and the timing they take their delays from run the binary
# directly; every other run goes through $KMODLITE_TEST_WRAPPER if it is set
# (wrap.sh: tools/valgrind-tests), a killed run having nothing to report
direct=$build/src/depmod
mkfixture=$build/testsuite/mkfixture
canon=$(cd "$(dirname "$0")" && pwd)/cache-canon.py
budget=${KMODLITE_CRASH_SECONDS:-150}
min_trials=200
max_trials=3000
work=$(mktemp -d)
mnt=
cleanup() {
	if [ -n "$mnt" ] && mountpoint -q "$mnt"; then
		umount "$mnt" || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
bin=$(wrapped_dir "$build/src" "$work/wrap")
ours=$bin/depmod
failures=0
skipped=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
now() { echo "${EPOCHREALTIME/./}"; } # microseconds
secs() { printf '%d.%03d' $(($1 / 1000000)) $(($1 % 1000000 / 1000)); }

outputs=(modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
	modules.weakdep modules.symbols modules.symbols.bin modules.builtin.bin
	modules.builtin.alias.bin modules.devname modules.depmod-cache)
mkdir empty.d
# sums DIR: "NAME SHA256" of every output in DIR ("NAME -" when missing),
# sorted by name
sums() {
	local f have=()
	{
		for f in "${outputs[@]}"; do
			if [ -f "$1/$f" ]; then have+=("$f"); else echo "$f -"; fi
		done
		if ((${#have[@]})); then
			(cd "$1" && sha256sum -- "${have[@]}") | awk '{ print $2, $1 }' |
				grep -v '^modules.depmod-cache ' || true
		fi
		# the cache: in its canonical form (without the outputs' stamps,
		# which name their inodes and times)
		if [ -f "$1/modules.depmod-cache" ]; then
			echo "modules.depmod-cache $("$canon" "$1/modules.depmod-cache")"
		fi
	} | sort
}
# tempfiles DIR: depmod's temporary files in DIR
tempfiles() { find "$1" -maxdepth 1 -type f -name '.modules.*' | sort; }
# copy_set FROM TO: the outputs of FROM into TO (plain copies)
copy_set() {
	cp -- "${outputs[@]/#/$1/}" "$2/"
}

# ---------------------------------------------------------------- the tree
tree=$work/tree
synthetic=1
if [ -n "${KMODLITE_TEST_ROOT:-}" ] && [ -n "${KMODLITE_TEST_KVER:-}" ]; then
	kver=$KMODLITE_TEST_KVER
	synthetic=
	src=$KMODLITE_TEST_ROOT/lib/modules/$kver
	[ -d "$src" ] || { echo "ERROR: no $src"; exit 2; }
	d=$tree/lib/modules/$kver
	mkdir -p "$d"
	cp -al "$src/kernel" "$d/" 2>/dev/null || cp -as "$src/kernel" "$d/"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ ! -f "$src/$f" ] || cp "$src/$f" "$d/"
	done
	echo "tree: hard-link copy of $src ($(find "$d/kernel" -name '*.ko*' | wc -l) modules)"
else
	kver=1.0
	d=$tree/lib/modules/$kver
	RANDOM=4242
	n=300
	for ((i = 0; i < n; i++)); do
		args=(--export "sym_$i" --export "sym2_$i" --modinfo "alias=pci:v0000$(printf %04X $i)d*sv*"
			--modinfo "alias=of:Nm${i}T*" --modinfo "description=module $i")
		# up to 3 imports from earlier modules: no cycles
		for ((k = 0; i > 0 && k < RANDOM % 4; k++)); do
			args+=(--import "sym_$((RANDOM % i))")
		done
		((i % 7)) || args+=(--modinfo "softdep=pre: m$(((i + 1) % n))")
		((i % 11)) || args+=(--modinfo "weakdep=m$(((i + 2) % n))")
		((i % 13)) || args+=(--modinfo "alias=devname:dev$i" --modinfo "alias=char-major-10-$i")
		mkdir -p "$d/kernel/d$((i % 10))"
		"$mkfixture" -o "$d/kernel/d$((i % 10))/m$i.ko" "${args[@]}"
		((i % 5)) || xz --check=crc32 "$d/kernel/d$((i % 10))/m$i.ko"
	done
	(cd "$d" && find kernel -name '*.ko*' | sed 's/\.ko\..*/.ko/' | sort >modules.order)
	printf 'kernel/fs/b%d.ko\n' 1 2 3 >"$d/modules.builtin"
	printf 'b1.alias=fs-b1\0b2.alias=pci:v1*\0b3.license=GPL\0' >"$d/modules.builtin.modinfo"
	echo "tree: $n modules made by mkfixture"
fi

# files changed less than 3 s before a run are not recorded in its cache
sleep 4
# the old outputs
t0=$(now)
"$ours" -C "$work/empty.d" -b "$tree" "$kver" 2>first.err || { fail "first run failed: $(head -3 first.err)"; exit 1; }
echo "full run (old outputs): $(secs $(($(now) - t0))) s"
mkdir old new
copy_set "$d" old
sums old >old.sums

# change the tree: one module removed, one added (with every kind of output)
if [ -n "$synthetic" ]; then
	rm "$d/kernel/d3/m3.ko"
else
	victim=$(find "$d/kernel" -name '*.ko*' | sort | tail -1)
	rm "$victim"
fi
mkdir -p "$d/kernel/zz"
"$mkfixture" -o "$d/kernel/zz/crashtest-new.ko" --export crashtest_sym --import sym_1 \
	--modinfo alias=crashtest-alias --modinfo alias=devname:crashtest \
	--modinfo alias=char-major-10-999 --modinfo softdep=pre:m1 --modinfo weakdep=m2
sleep 4
"$ours" -C "$work/empty.d" -b "$tree" "$kver" 2>/dev/null
copy_set "$d" new
sums new >new.sums
# the same outputs as a run without the cache (which writes none)
"$ours" -C "$work/empty.d" -b "$tree" -o "$work/newout" --no-cache "$kver" 2>/dev/null
[ ! -e "$work/newout/lib/modules/$kver/modules.depmod-cache" ] || fail "--no-cache wrote a cache"
sums "$work/newout/lib/modules/$kver" | grep -v '^modules.depmod-cache ' >got.sums
grep -v '^modules.depmod-cache ' new.sums | cmp -s - got.sums ||
	fail "the outputs of a run with the cache differ from those of a run without"
cmp -s old/modules.depmod-cache new/modules.depmod-cache && fail "the cache did not change with the tree"
# timing of a full run that replaces the old outputs by the new ones: the
# median of 5
times=()
for _ in 1 2 3 4 5; do
	copy_set old "$d"
	t0=$(now)
	"$direct" -C "$work/empty.d" -b "$tree" "$kver" 2>/dev/null
	times+=($(($(now) - t0)))
done
runtime=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
sums "$d" >got.sums
cmp -s got.sums new.sums || fail "a run from the old outputs and cache does not write the new set"
differ=$(join old.sums new.sums | awk '$2 != $3' | wc -l)
echo "full run (old -> new): $(secs $runtime) s (median of 5); $differ of ${#outputs[@]} outputs differ between old and new"

# ------------------------------------------------ (a) SIGKILL at random times
echo "(a) kill trials: delay uniform in [0, $(secs $runtime) s] (every other trial in its second half)"
trials=0
completed=0
mixed=0
bad_trials=0
left_now=0
after_runs=0
start=$(now)
while ((trials < min_trials || ($(now) - start < budget * 1000000 && trials < max_trials))); do
	trials=$((trials + 1))
	copy_set old "$d"
	delay=$((((RANDOM << 15) | RANDOM) % (runtime + 1)))
	((trials % 2)) || delay=$((runtime / 2 + delay / 2))
	"$direct" -C "$work/empty.d" -b "$tree" "$kver" 2>/dev/null &
	pid=$!
	sleep "$(secs "$delay")"
	kill -KILL "$pid" 2>/dev/null || true
	st=0
	# (the shell's "Killed" report of the job goes to /dev/null)
	{ wait "$pid"; } 2>/dev/null || st=$?
	[ $st = 0 ] && completed=$((completed + 1))
	# each output: the old or the new version, never missing or partial
	sums "$d" >got.sums
	paste -d' ' got.sums old.sums new.sums | awk '
		$2 == $4 && $2 == $6 { next }
		$2 == $4 { o++; next }
		$2 == $6 { n++; next }
		{ print "BAD", $1, ($2 == "-" ? "missing" : "neither old nor new") }
		END { if (o && n) print "MIXED" }' >check.txt
	if grep -q '^BAD' check.txt; then
		bad_trials=$((bad_trials + 1))
		((bad_trials > 5)) || fail "trial $trials (killed after $(secs "$delay") s, status $st):" \
			"$(grep '^BAD' check.txt | cut -d' ' -f2- | tr '\n' ';')"
	fi
	grep -q '^MIXED' check.txt && mixed=$((mixed + 1))
	left=$(tempfiles "$d" | wc -l)
	left_now=$left
	# the next run, with whatever cache the kill left
	if ((trials % 10 == 0)); then
		after_runs=$((after_runs + 1))
		st=0
		"$direct" -C "$work/empty.d" -b "$tree" "$kver" 2>/dev/null || st=$?
		sums "$d" >got.sums
		[ $st = 0 ] && cmp -s got.sums new.sums || fail "trial $trials: the run after the kill" \
			"(status $st) did not write the new set: $(diff new.sums got.sums | grep '^>' | cut -d' ' -f2 | tr '\n' ' ')"
	fi
done
elapsed=$(($(now) - start))
((bad_trials <= 5)) || fail "$bad_trials trials in all had an output that was missing or neither old nor new"
echo "(a) $trials trials in $(secs $elapsed) s: $((trials - completed)) killed, $completed finished first;" \
	"$mixed left a mix of old and new files (killed between renames);" \
	"$after_runs runs after a kill wrote the new set"
echo "(a) temporary files left by the killed runs: $left_now in $d"
tempfiles "$d" | sed 's|.*/||' | sed 's/\.[A-Za-z0-9]\{6\}$/.XXXXXX/' | sort | uniq -c |
	awk '{ printf "      %s x %d\n", $2, $1 }'
checks_a=$(tempfiles "$d" | sed 's|.*/||' | grep -cv '^\.modules\.[a-z.-]*\.[A-Za-z0-9]\{6\}$' || true)
[ "$checks_a" = 0 ] || fail "temporary files not named .NAME.XXXXXX: $(tempfiles "$d" | head -3)"
# nothing else than the module files, the inputs, the outputs and the leftovers
extra=$(cd "$d" && find . -maxdepth 1 -type f ! -name '.modules.*' ! -name 'modules.*' | sort)
[ -z "$extra" ] || fail "unexpected files in the output directory: $extra"
# a run to completion with all the leftovers there, half of them made old
copy_set old "$d"
tempfiles "$d" >left.all
awk 'NR % 2 == 0' left.all >left.old
awk 'NR % 2 == 1' left.all >left.young
[ -s left.old ] && xargs -d '\n' touch -d '2 minutes ago' -- <left.old
[ -s left.young ] && xargs -d '\n' touch -- <left.young
tempfiles "$d" >left.before
st=0
"$ours" -C "$work/empty.d" -b "$tree" "$kver" 2>final.err || st=$?
[ $st = 0 ] || fail "run to completion after the kills: status $st: $(head -3 final.err)"
sums "$d" >got.sums
cmp -s got.sums new.sums || fail "run to completion after the kills: outputs are not the new set:" \
	"$(diff new.sums got.sums | grep '^>' | cut -d' ' -f2 | tr '\n' ' ')"
tempfiles "$d" >left.after
[ -z "$(comm -13 left.before left.after)" ] || fail "the run to completion left temporary files of its own:" \
	"$(comm -13 left.before left.after | head -3 | tr '\n' ' ')"
[ -z "$(comm -12 <(sort left.old) left.after)" ] || fail "leftovers over a minute old not removed:" \
	"$(comm -12 <(sort left.old) left.after | head -3 | tr '\n' ' ')"
[ "$(sort left.young)" = "$(cat left.after)" ] || fail "young leftovers removed (a live run's could be among them)"
echo "(a) after a run to completion: the $(wc -l <left.old) leftovers made old removed," \
	"the $(wc -l <left.after) young ones kept, none of its own"
[ -s left.after ] && xargs -d '\n' touch -d '2 minutes ago' -- <left.after
"$ours" -C "$work/empty.d" -b "$tree" "$kver" 2>final.err || fail "last run: $(head -3 final.err)"
[ -z "$(tempfiles "$d")" ] || fail "leftovers left after they all got old: $(tempfiles "$d" | head -3)"
# and the leftovers do not disturb a reader: modules.dep.bin still answers
"$bin/kmod" modinfo -b "$tree" -k "$kver" -F filename crashtest-new >got.txt 2>&1 || true
[ "$(cat got.txt)" = "$d/kernel/zz/crashtest-new.ko" ] || fail "modinfo after the kills: $(cat got.txt)"
find "$d" -maxdepth 1 -name '.modules.*' -delete

# ------------------------------------------------------------- (b) full disk
echo "(b) full disk"
mnt=$work/mnt
mkdir "$mnt"
small=$work/small
if mount -t tmpfs -o size=1m tmpfs "$mnt" 2>mount.err; then
	umount "$mnt"
	# old: the outputs of a 3-module tree; new: those of the big tree
	mkdir -p "$small/lib/modules/$kver/kernel"
	for i in 1 2 3; do
		"$mkfixture" -o "$small/lib/modules/$kver/kernel/s$i.ko" --export "s$i" --modinfo "alias=s-$i"
	done
	"$ours" -C "$work/empty.d" -b "$small" -o "$work/smallout" "$kver" 2>/dev/null
	sold=$work/smallout/lib/modules/$kver
	sums "$sold" >sold.sums
	newsize=$(du -sk --apparent-size "$d/modules."{dep,alias,softdep,weakdep,symbols,devname,depmod-cache} "$d"/*.bin |
		awk '{ s += $1 } END { print s }')
	# sizes from "only the old outputs fit" up to "everything fits", in
	# about 60 steps: the failure moves from one output to the next
	pages=$((($(du -sk "$sold" | cut -f1) + 3) / 4 + 1))
	step=$(((newsize / 4 + 60) / 60))
	cases=0
	failed_runs=0
	cache_warned=
	names=()
	while :; do
		cases=$((cases + 1))
		mount -t tmpfs -o "size=$((pages * 4))k,nr_inodes=1000" tmpfs "$mnt"
		out=$mnt/lib/modules/$kver
		mkdir -p "$out"
		if ! copy_set "$sold" "$out" 2>/dev/null; then
			umount "$mnt"
			pages=$((pages + step))
			continue
		fi
		st=0
		"$ours" -C "$work/empty.d" -b "$tree" -o "$mnt" "$kver" 2>err.txt || st=$?
		if [ $st = 0 ]; then
			# (the cache of another output directory has another header)
			sums "$out" | grep -v '^modules.depmod-cache ' >got.sums
			grep -v '^modules.depmod-cache ' new.sums | cmp -s - got.sums ||
				fail "full disk, $pages pages: success but not the new set"
			# the cache goes last: if it did not fit, a warning says so
			if [ -z "$cache_warned" ] &&
				grep -q "could not write $out/modules.depmod-cache: No space left on device" err.txt; then
				cache_warned=$pages
				[ -f "$out/modules.depmod-cache" ] &&
					! "$canon" "$out/modules.depmod-cache" | grep -q '^torn' ||
					fail "full disk, $pages pages: the cache that did not fit left a damaged one"
				[ -z "$(tempfiles "$out")" ] || fail "full disk, $pages pages: temporary files left"
				umount "$mnt"
				pages=$((pages + 1))
				continue
			fi
			umount "$mnt"
			break
		fi
		failed_runs=$((failed_runs + 1))
		[ $st = 1 ] || fail "full disk, $pages pages: exit status $st, expected 1"
		msg=$(grep -o "could not write $out/modules[a-z.-]*: No space left on device" err.txt || true)
		if [ -z "$msg" ]; then
			fail "full disk, $pages pages: no message naming the file: $(head -2 err.txt)"
		else
			names+=("${msg##*/}")
		fi
		sums "$out" >got.sums
		cmp -s got.sums sold.sums || fail "full disk, $pages pages: the old outputs changed:" \
			"$(diff sold.sums got.sums | grep '^>' | cut -d' ' -f2 | tr '\n' ' ')"
		[ -z "$(tempfiles "$out")" ] || fail "full disk, $pages pages: temporary files left: $(tempfiles "$out" | head -3)"
		umount "$mnt"
		pages=$((pages + step))
		((cases < 400)) || { fail "full disk: depmod still fails with $pages pages"; break; }
	done
	echo "(b) $cases tmpfs sizes (steps of $((step * 4)) KiB), $failed_runs runs out of space, then success at $((pages * 4)) KiB (new outputs: ${newsize} KiB);" \
		"files named in the messages: $(printf '%s\n' "${names[@]%%:*}" | sort -u | tr '\n' ' ');" \
		"the cache alone did not fit at: ${cache_warned:-no size tried}${cache_warned:+ pages}"
else
	echo "SKIP: (b) full disk: cannot mount a tmpfs: $(head -1 mount.err)"
	skipped=$((skipped + 1))
	[ "${KMODLITE_ALLOW_SKIP:-1}" = 1 ] || fail "(b) skipped, and KMODLITE_ALLOW_SKIP is not 1"
fi

# ----------------------------------------------- (c) two depmods at the same time
echo "(c) two depmods at once"
for ((i = 1; i <= 20; i++)); do
	copy_set old "$d"
	"$ours" -C "$work/empty.d" -b "$tree" "$kver" 2>c1.err &
	p1=$!
	"$ours" -C "$work/empty.d" -b "$tree" "$kver" 2>c2.err &
	p2=$!
	s1=0 s2=0
	wait "$p1" || s1=$?
	wait "$p2" || s2=$?
	[ $s1 = 0 ] && [ $s2 = 0 ] || fail "concurrent run $i: exit status $s1 and $s2: $(cat c1.err c2.err | grep -v WARNING | head -3)"
	sums "$d" >got.sums
	cmp -s got.sums new.sums || fail "concurrent run $i: the outputs are not those of a single run:" \
		"$(diff new.sums got.sums | grep '^>' | cut -d' ' -f2 | tr '\n' ' ')"
	[ -z "$(tempfiles "$d")" ] || fail "concurrent run $i: temporary files left: $(tempfiles "$d" | head -3)"
done
echo "(c) 20 concurrent pairs done"

echo "depmod crash tests: $trials kill trials, $failures failures, $skipped of 3 sub-tests skipped"
((failures == 0)) || exit 1
((skipped < 3)) || exit 77
exit 0
