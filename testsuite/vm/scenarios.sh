# kmodlite real-kernel scenarios; sourced by the initramfs /init that
# tools/vm-test builds (busybox sh). Our tools are under /kml, the reference
# kmod's under /ref; always call them by absolute path (busybox has its own
# module applets).
#
# Output, one line per check on the console:
#   VMTEST PASS name
#   VMTEST FAIL name: detail
#   VMTEST SKIP name: reason          (only for the kbuild modules, when asked)
#   VMTEST SET udev-MODE mod...       (modules loaded by udev's way; the host
#                                      compares the "ours" and "ref" boots)

K=/kml
R=/ref
KVER=$(uname -r)
MD=/lib/modules/$KVER
MODE=ours
for w in $(cat /proc/cmdline); do
	case $w in vmtest.mode=*) MODE=${w#vmtest.mode=} ;; esac
done

pass() { echo "VMTEST PASS $1"; }
fail() {
	_fn=$1; shift
	echo "VMTEST FAIL $_fn: $(printf '%s' "$*" | tr '\n' '|' | cut -c1-900)"
}
skip() { _sn=$1; shift; echo "VMTEST SKIP $_sn: $*"; }
# check NAME DETAIL-IF-FAIL COMMAND...   or   check NAME DETAIL 'SHELL CONDITION'
check() {
	_cn=$1; _cd=$2; shift 2
	if [ $# = 1 ]; then
		if eval "$1"; then pass "$_cn"; else fail "$_cn" "$_cd"; fi
	elif "$@"; then pass "$_cn"; else fail "$_cn" "$_cd"; fi
}
loaded() { grep -q "^$1 " /proc/modules; }
notloaded() { ! grep -q "^$1 " /proc/modules; }
mods() { cut -d' ' -f1 /proc/modules | sort; }
# run CMD...: OUT = stdout+stderr, RC = exit status
run() { OUT=$(timeout 60 "$@" 2>&1); RC=$?; }
# the text after the program name, on every line
norm() { printf '%s\n' "$1" | grep -v '^[^ :]*: ERROR: \.\./libkmod/' | sed 's/^[^ :]*: //'; }
# one-line form of a text, for host-side comparisons between boots
oneline() { printf '%s' "$1" | tr '\n' '|'; }
step() { echo "VMTEST INFO step $1 at $(cut -d' ' -f1 /proc/uptime)s"; }
now_cs() { cut -d' ' -f1 /proc/uptime | tr -d '.'; }   # centiseconds
# remove every module that was not loaded at $BASE time (with the reference)
restore() {
	for _i in 1 2 3 4 5 6; do
		_extra=
		for _m in $(cut -d' ' -f1 /proc/modules); do
			echo "$BASE" | grep -qx "$_m" || _extra="$_extra $_m"
		done
		[ -z "$_extra" ] && return 0
		for _m in $_extra; do timeout 30 $R/rmmod "$_m" >/dev/null 2>&1; done
	done
	echo "VMTEST INFO restore: still loaded:$_extra"
}
# same_msg NAME "ours-output" "ref-output" rc-ours rc-ref
same_msg() {
	if [ "$(norm "$2")" = "$(norm "$3")" ] && [ "$4" = "$5" ]; then
		pass "$1"
	else
		fail "$1" "ours (rc $4): $2 // ref (rc $5): $3"
	fi
}

# The kernel's request_module() uses the tool set under test too.
if [ "$MODE" = ref ]; then
	echo $R/modprobe > /proc/sys/kernel/modprobe
else
	echo $K/modprobe > /proc/sys/kernel/modprobe
fi

# ---------------------------------------------------------------------------
# udev's way (first, on a fresh kernel): modprobe -bv MODALIAS for every device
# ---------------------------------------------------------------------------
udev_coldplug() { # TOOLDIR
	find /sys/devices -name modalias -type f > /tmp/modalias-files
	while read -r f; do
		a=$(cat "$f" 2>/dev/null)
		[ -n "$a" ] && echo "$a"
	done < /tmp/modalias-files | sort -u > /tmp/aliases
	while read -r a; do
		"$1/modprobe" -bv "$a" >> /tmp/udev.log 2>&1
	done < /tmp/aliases
	echo "VMTEST SET udev-$MODE $(mods | tr '\n' ' ')"
}

# modprobe -v sctp on a fresh kernel (after coldplug): sctp cannot be removed
# once loaded (its control sockets hold it), so the host compares the outputs
# of the two boots.
sctp_v() { # TOOLDIR
	run $1/modprobe -v sctp
	echo "VMTEST OUT sctp-verbose-vs-ref rc=$RC $(oneline "$OUT")"
}
if [ "$MODE" = ref ]; then
	udev_coldplug $R
	sctp_v $R
	# this boot enforces signatures (module.sig_enforce=1): kmod verify
	# against the kernel, then forbid
	. /vmtest/sigforbid.sh
	return 0 2>/dev/null || exit 0
fi

# ---------------------------------------------------------------------------
# depmod inside the VM
# ---------------------------------------------------------------------------
run $K/depmod -a
if [ $RC = 0 ]; then
	bad=
	for f in /data/hostdep/modules.*; do
		cmp -s "$f" "$MD/${f##*/}" || bad="$bad ${f##*/}"
	done
	check depmod-a "differs from the build-time run:$bad" [ -z "$bad" ]
else
	fail depmod-a "rc $RC: $OUT"
fi
mkdir -p /tmp/refdep/lib/modules/$KVER
for f in $MD/*; do
	case ${f##*/} in
	modules.order|modules.builtin|modules.builtin.modinfo) cp "$f" /tmp/refdep$MD/ ;;
	modules.*) ;;
	*) cp -al "$f" /tmp/refdep$MD/ ;;
	esac
done
run $R/depmod -a -b /tmp/refdep $KVER
refmsg="rc $RC ${OUT}"; bad=
# As testsuite/differential/depmod.sh: byte-identical, except modules.symbols
# (kmod writes it in hash order: compared sorted) and the lines of modules not
# in modules.order (extra/: kmod keeps readdir order: compared sorted).
for f in modules.dep modules.alias modules.symbols modules.softdep modules.devname modules.builtin; do
	a=/tmp/refdep$MD/$f b=$MD/$f
	case $f in
	modules.symbols) sort "$a" > /tmp/cmp.a; sort "$b" > /tmp/cmp.b ;;
	modules.dep) { grep -v '^extra/' "$a"; grep '^extra/' "$a" | sort; } > /tmp/cmp.a
		{ grep -v '^extra/' "$b"; grep '^extra/' "$b" | sort; } > /tmp/cmp.b ;;
	*) cp "$a" /tmp/cmp.a; cp "$b" /tmp/cmp.b ;;
	esac
	cmp -s /tmp/cmp.a /tmp/cmp.b || bad="$bad $f($(diff /tmp/cmp.a /tmp/cmp.b | sed -n '3,8p' | tr '\n' ' '))"
done
check depmod-vs-ref "text indexes differ from the reference depmod's:$bad (reference depmod: $refmsg)" [ -z "$bad" ]

# ---------------------------------------------------------------------------
# (3) udev's way
# ---------------------------------------------------------------------------
step udev
udev_coldplug $K
check udev-e1000 "e1000 not loaded; $(tail -5 /tmp/udev.log)" loaded e1000
BASE=$(mods)

# ---------------------------------------------------------------------------
# (1) modprobe -v sctp: softdeps and deps in order; lsmod
# ---------------------------------------------------------------------------
step sctp
SCTP_SET="crc32c_generic libcrc32c udp_tunnel ip6_udp_tunnel sctp"
sctp_v $K
OURV=$OUT; OURRC=$RC
missing=
for m in $SCTP_SET; do loaded $m || missing="$missing $m"; done
check sctp-load "rc $OURRC, not loaded:$missing; output: $OURV" [ "$OURRC" = 0 -a -z "$missing" ]
lineof() { printf '%s\n' "$OURV" | grep -n "/$1\.ko" | head -1 | cut -d: -f1; }
a=$(lineof crc32c_generic); b=$(lineof libcrc32c); c=$(lineof udp_tunnel)
d=$(lineof ip6_udp_tunnel); e=$(lineof sctp)
check sctp-order "insmod order wrong: $OURV" \
	'[ -n "$a" -a -n "$b" -a -n "$c" -a -n "$d" -a -n "$e" ] && [ "$a" -lt "$b" -a "$b" -lt "$e" -a "$c" -lt "$e" -a "$d" -lt "$e" ]'

run $K/lsmod; L1=$OUT; L1RC=$RC
run $R/lsmod; L2=$OUT
check lsmod-vs-ref "rc $L1RC; ours: $(printf '%s' "$L1" | head -4) // ref: $(printf '%s' "$L2" | head -4)" [ "$L1" = "$L2" -a "$L1RC" = 0 ]
run $K/kmod list; L1=$OUT; L1RC=$RC
run $R/kmod list; L2=$OUT
check kmod-list-vs-ref "rc $L1RC; ours: $(printf '%s' "$L1" | head -4)" [ "$L1" = "$L2" -a "$L1RC" = 0 ]
# sctp stays loaded from here on
BASE=$(mods)

# ---------------------------------------------------------------------------
# (5) removal: modprobe -r of nf_conntrack (deps nf_defrag_ipv4/6, libcrc32c,
# softdep crc32c), rmmod of a module in use, rmmod -f
# ---------------------------------------------------------------------------
step removal
run $R/modprobe -v nf_conntrack; REFV=$OUT; REFRC=$RC
run $R/modprobe -r nf_conntrack
REFREM=$(mods)
restore
run $K/modprobe -v nf_conntrack; OURV=$OUT; OURRC=$RC
check nf_conntrack-verbose-vs-ref "ours rc $OURRC: $OURV // ref rc $REFRC: $REFV" [ "$OURV" = "$REFV" -a "$OURRC" = "$REFRC" ]
loaded nf_conntrack || $R/modprobe nf_conntrack

run $K/rmmod libcrc32c; O=$OUT; ORC=$RC
run $R/rmmod libcrc32c; RO=$OUT; RRC=$RC
same_msg rmmod-inuse-msg "$O" "$RO" $ORC $RRC
check rmmod-inuse-kept "libcrc32c was removed" loaded libcrc32c
run $K/rmmod nf_defrag_ipv4; O=$OUT; ORC=$RC
run $R/rmmod nf_defrag_ipv4; RO=$OUT; RRC=$RC
same_msg rmmod-inuse-msg2 "$O" "$RO" $ORC $RRC
run $K/rmmod -f nf_defrag_ipv4; O=$OUT; ORC=$RC
run $R/rmmod -f nf_defrag_ipv4; RO=$OUT; RRC=$RC
same_msg rmmod-f-holders-msg "$O" "$RO" $ORC $RRC
check rmmod-f-holders-kept "nf_defrag_ipv4 was removed" loaded nf_defrag_ipv4
run $K/modprobe -r nf_conntrack
left=
for m in nf_conntrack nf_defrag_ipv4 nf_defrag_ipv6; do loaded $m && left="$left $m"; done
check modprobe-r "rc $RC, still loaded:$left; $OUT" [ $RC = 0 -a -z "$left" ]
check modprobe-r-vs-ref "after ours: $(mods | tr '\n' ' ') // after ref: $(echo "$REFREM" | tr '\n' ' ')" [ "$(mods)" = "$REFREM" ]
restore

# rmmod, rmmod -f of an unused module, rmmod of a module not loaded
$R/modprobe nls_utf8
run $K/rmmod nls_utf8
check rmmod "rc $RC: $OUT" '[ $RC = 0 ] && notloaded nls_utf8'
run $K/rmmod nls_utf8; O=$OUT; ORC=$RC
run $R/rmmod nls_utf8; RO=$OUT; RRC=$RC
same_msg rmmod-notloaded-msg "$O" "$RO" $ORC $RRC
$R/modprobe dummy
run $K/rmmod -f dummy
check rmmod-f "rc $RC: $OUT" '[ $RC = 0 ] && notloaded dummy'
restore

# modprobe -r -w: /dev/loop0 held open by a background process
step wait
$R/modprobe loop
if [ -e /dev/loop0 ]; then
	sleep 3 < /dev/loop0 & holder=$!
	sleep 0.3
	run $K/modprobe -r loop; O=$OUT; ORC=$RC
	run $R/modprobe -r loop; RO=$OUT; RRC=$RC
	same_msg modprobe-r-inuse-msg "$O" "$RO" $ORC $RRC
	t1=$(now_cs)
	run $K/modprobe -r -w 500 loop
	t2=$(now_cs)
	check modprobe-r-w-timeout "rc $RC after $((t2 - t1))cs: $OUT" '[ $RC != 0 -a $((t2 - t1)) -ge 40 ] && loaded loop'
	wait $holder
	sleep 2 < /dev/loop0 & holder=$!
	sleep 0.3
	t1=$(now_cs)
	run $K/modprobe -r -w 10000 loop
	t2=$(now_cs)
	check modprobe-r-w "rc $RC after $((t2 - t1))cs: $OUT" '[ $RC = 0 ] && notloaded loop'
	wait $holder
else
	fail modprobe-r-w "/dev/loop0 missing after loading loop"
fi
restore

# ---------------------------------------------------------------------------
# (2) parameters: kernel command line, command line, modprobe.d options
# ---------------------------------------------------------------------------
step params
ndummies() { ls /sys/class/net | grep -c '^dummy'; }
run $K/modprobe dummy
check param-kernel-cmdline "rc $RC: $OUT; $(ndummies) dummy interfaces, want 3 (dummy.numdummies=3)" [ "$(ndummies)" = 3 ]
$K/modprobe -r dummy >/dev/null 2>&1 || $R/rmmod dummy
run $K/modprobe dummy numdummies=2
check param-command-line "rc $RC: $OUT; $(ndummies) dummy interfaces, want 2" [ "$(ndummies)" = 2 ]
restore
mkdir -p /etc/modprobe.d
echo "options loop max_part=7" > /etc/modprobe.d/vmtest.conf
run $K/modprobe loop max_loop=4
P=/sys/module/loop/parameters
check param-options "rc $RC: $OUT; max_part=$(cat $P/max_part 2>&1), want 7" [ "$(cat $P/max_part 2>/dev/null)" = 7 ]
check param-kernel-cmdline-sysfs "hw_queue_depth=$(cat $P/hw_queue_depth 2>&1), want 42" [ "$(cat $P/hw_queue_depth 2>/dev/null)" = 42 ]
check param-command-line-sysfs "max_loop=$(cat $P/max_loop 2>&1), want 4" [ "$(cat $P/max_loop 2>/dev/null)" = 4 ]
rm -f /etc/modprobe.d/vmtest.conf
restore

# ---------------------------------------------------------------------------
# (4) blacklist, install commands, --first-time
# ---------------------------------------------------------------------------
step blacklist
C=/tmp/vmtest-cfg.conf
cat > $C <<'EOF'
blacklist dummy
install nls_utf8 echo "ran $MODPROBE_MODULE" > /tmp/install.out
EOF
run $K/modprobe -C $C rtnl-link-dummy; ORC=$RC; O=$OUT
L=no; loaded dummy && L=yes
restore
run $R/modprobe -C $C rtnl-link-dummy; RRC=$RC
check blacklist-alias "ours rc $ORC, loaded=$L; ref rc $RRC; $O" [ $L = no -a $ORC = $RRC ]
restore
run $K/modprobe -C $C -b dummy; ORC=$RC
L=no; loaded dummy && L=yes
restore
run $R/modprobe -C $C -b dummy; RRC=$RC
check blacklist-b-name "ours rc $ORC, loaded=$L; ref rc $RRC" [ $L = no -a $ORC = $RRC ]
restore
run $K/modprobe -C $C dummy
check blacklist-explicit "rc $RC: $OUT" '[ $RC = 0 ] && loaded dummy'
restore
rm -f /tmp/install.out
run $K/modprobe -C $C nls_utf8
check install-cmd "rc $RC: $OUT; install.out: $(cat /tmp/install.out 2>&1); nls_utf8 loaded: $(loaded nls_utf8 && echo yes)" \
	'[ $RC = 0 -a "$(cat /tmp/install.out 2>/dev/null)" = "ran nls_utf8" ] && notloaded nls_utf8'
restore
run $K/modprobe -C $C -i nls_utf8
check install-ignored-with-i "rc $RC: $OUT" '[ $RC = 0 ] && loaded nls_utf8'
restore
$R/modprobe dummy
run $K/modprobe --first-time dummy; O=$OUT; ORC=$RC
run $R/modprobe --first-time dummy; RO=$OUT; RRC=$RC
check first-time "ours rc $ORC: $O // ref rc $RRC: $RO" [ $ORC != 0 -a "$(norm "$O")" = "$(norm "$RO")" ]
restore
run $K/modprobe -r --first-time dummy; O=$OUT; ORC=$RC
run $R/modprobe -r --first-time dummy; RO=$OUT; RRC=$RC
check first-time-remove "ours rc $ORC: $O // ref rc $RRC: $RO" [ $ORC != 0 -a "$(norm "$O")" = "$(norm "$RO")" ]
restore

# compressed modules inside the tree (fuse.ko.xz, tun.ko.zst)
for m in fuse tun; do
	run $K/modprobe -v $m
	check modprobe-compressed-$m "rc $RC: $OUT" '[ $RC = 0 ] && loaded $m'
	restore
done

# ---------------------------------------------------------------------------
# (6) insmod: compressed copies, parameters, errors
# ---------------------------------------------------------------------------
step insmod
for z in xz zst gz; do
	run $K/insmod /data/nls_utf8.ko.$z
	check insmod-$z "rc $RC: $OUT" '[ $RC = 0 ] && loaded nls_utf8'
	restore
done
run $K/insmod $MD/kernel/drivers/net/dummy.ko numdummies=2
check insmod-params "rc $RC: $OUT; $(ndummies) dummy interfaces, want 2" [ $RC = 0 -a "$(ndummies)" = 2 ]
restore
before=$(mods)
run $K/insmod /data/garbage.ko; O=$OUT; ORC=$RC
after=$(mods)
run $R/insmod /data/garbage.ko; RO=$OUT; RRC=$RC
check insmod-garbage "ours rc $ORC: $O // ref rc $RRC: $RO" [ $ORC != 0 -a "$(norm "$O")" = "$(norm "$RO")" -a "$before" = "$after" ]
restore
before=$(mods)
run $K/insmod $MD/kernel/net/sctp/sctp.ko; O=$OUT; ORC=$RC
after=$(mods)
run $R/insmod $MD/kernel/net/sctp/sctp.ko; RO=$OUT; RRC=$RC
check insmod-missing-dep "ours rc $ORC: $O // ref rc $RRC: $RO" [ $ORC != 0 -a "$(norm "$O")" = "$(norm "$RO")" -a "$before" = "$after" ]
restore
$R/modprobe nls_utf8
run $K/insmod $MD/kernel/fs/nls/nls_utf8.ko; O=$OUT; ORC=$RC
run $R/insmod $MD/kernel/fs/nls/nls_utf8.ko; RO=$OUT; RRC=$RC
check insmod-exists "ours rc $ORC: $O // ref rc $RRC: $RO" [ $ORC != 0 -a "$(norm "$O")" = "$(norm "$RO")" ]
restore

# ---------------------------------------------------------------------------
# (8) kmod static-nodes
# ---------------------------------------------------------------------------
step static-nodes
for f in tmpfiles human devname; do
	run $K/kmod static-nodes --format=$f; O=$OUT; ORC=$RC
	run $R/kmod static-nodes --format=$f; RO=$OUT; RRC=$RC
	check static-nodes-$f "ours rc $ORC: $(printf '%s' "$O" | head -3) // ref rc $RRC: $(printf '%s' "$RO" | head -3)" [ "$O" = "$RO" -a $ORC = $RRC -a $ORC = 0 ]
done
run $K/kmod static-nodes --format=tmpfiles --output=/run/vmtest/sub/static-nodes.conf
$R/kmod static-nodes --format=tmpfiles --output=/run/vmtest-ref.conf
check static-nodes-output "rc $RC: $OUT" '[ $RC = 0 ] && cmp -s /run/vmtest/sub/static-nodes.conf /run/vmtest-ref.conf'

# ---------------------------------------------------------------------------
# (10) kmod params on the real kernel's sysfs; kmod why against what
# modprobe then does
# ---------------------------------------------------------------------------
step kmod-params
has_line() { printf '%s\n' "$OUT" | grep -qxF -- "$1"; }
has_text() { printf '%s\n' "$OUT" | grep -qF -- "$1"; }
EP=/sys/module/e1000/parameters
run $K/kmod params e1000
check kmod-params-list "rc $RC: $OUT" '[ $RC = 0 ] && has_line "copybreak=$(cat $EP/copybreak)" && has_line "    type: uint, writable (0644)" && has_line "debug (no sysfs file: given at load time only)"'
old=$(cat $EP/copybreak)
run $K/kmod params e1000 copybreak=0x80
check kmod-params-set "rc $RC: $OUT; copybreak=$(cat $EP/copybreak)" '[ $RC = 0 ] && [ "$(cat $EP/copybreak)" = 128 ] && has_line "copybreak: $old -> 128"'
run $K/kmod params e1000 copybreak=-1
check kmod-params-invalid "rc $RC: $OUT" '[ $RC = 1 ] && [ "$(cat $EP/copybreak)" = 128 ] && has_text "invalid value '"'"'-1'"'"' for parameter copybreak of e1000 (uint)"'
run $K/kmod params e1000 copybreak=64 nosuch=1
check kmod-params-unknown "rc $RC: $OUT" '[ $RC = 1 ] && [ "$(cat $EP/copybreak)" = 128 ] && has_text "module e1000 has no parameter '"'"'nosuch'"'"'"'
run $K/kmod params e1000 copybreak=64 debug=1
check kmod-params-no-sysfs "rc $RC: $OUT" '[ $RC = 1 ] && [ "$(cat $EP/copybreak)" = 128 ] && has_text "parameter debug of e1000 has no sysfs file"'
$K/kmod params e1000 copybreak=$old >/dev/null 2>&1
$R/modprobe loop
run $K/kmod params loop max_part=3
check kmod-params-read-only "rc $RC: $OUT" '[ $RC = 1 ] && has_text "parameter max_part of loop is read-only (0444)"'
run $K/kmod params dummy numdummies=1
check kmod-params-not-loaded "rc $RC: $OUT" '[ $RC = 1 ] && notloaded dummy && has_text "module dummy is not loaded"'
# nf_conntrack's hashsize has its own setter and no declared type: the
# kernel itself refuses a value that is not a number
$R/modprobe nf_conntrack
H=/sys/module/nf_conntrack/parameters/hashsize
hs=$(cat $H)
run $K/kmod params nf_conntrack hashsize=abc
check kmod-params-kernel-rejected "rc $RC: $OUT; hashsize $hs -> $(cat $H)" '[ $RC = 1 ] && [ "$(cat $H)" = "$hs" ] && has_text "the kernel rejected hashsize=abc for nf_conntrack: Invalid argument"'
restore

step kmod-why
# the modules `kmod why` says `modprobe ARGS` would insert, sorted
announced() { # HEADER (e.g. "modprobe rtnl-link-dummy")
	printf '%s\n' "$OUT" | sed -n "/^$1 would:\$/,/^\$/p" |
		sed -n 's|^  insert .*/\([^/]*\)\.ko.*|\1|p' | tr - _ | sort | tr '\n' ' '
}
# newly_loaded CMD...: runs CMD, sets NEW to the modules it added, sorted
newly_loaded() {
	_before=$(mods)
	run "$@"
	NEW=
	for _m in $(mods); do
		echo "$_before" | grep -qx "$_m" || NEW="$NEW$_m "
	done
}
# an alias of modules.alias; the kernel command line gives dummy numdummies=3
run $K/kmod why rtnl-link-dummy
WHY=$OUT; A=$(announced "modprobe rtnl-link-dummy")
check kmod-why-alias-report "rc $RC: $WHY" '[ $RC = 0 ] && has_line "  alias rtnl_link_dummy dummy" && has_line "  kernel command line: dummy.numdummies=3" && [ "$A" = "dummy " ]'
newly_loaded $K/modprobe rtnl-link-dummy
check kmod-why-alias-agrees "why announced '$A', modprobe loaded '$NEW' (rc $RC: $OUT)" '[ "$A" = "$NEW" ]'
restore
# blacklisted, asked for through an alias; an install command ($C above)
run $K/kmod why -C $C rtnl-link-dummy
WHY=$OUT
check kmod-why-blacklist-report "rc $RC: $WHY" 'has_line "  $C:1: blacklist dummy" && has_line "  nothing: dummy is blacklisted and was asked for through an alias" && [ -z "$(announced "modprobe rtnl-link-dummy")" ]'
newly_loaded $K/modprobe -C $C rtnl-link-dummy
check kmod-why-blacklist-agrees "modprobe loaded '$NEW' (rc $RC: $OUT); why: $WHY" '[ -z "$NEW" ] && notloaded dummy'
restore
run $K/kmod why -C $C dummy
check kmod-why-blacklist-b "rc $RC: $OUT" 'has_line "  insert $MD/kernel/drivers/net/dummy.ko numdummies=3" && printf "%s\n" "$OUT" | sed -n "/^modprobe -b dummy would:/,\$p" | grep -qx "  nothing: dummy is blacklisted"'
newly_loaded $K/modprobe -C $C -b dummy
check kmod-why-blacklist-b-agrees "modprobe -b loaded '$NEW' (rc $RC: $OUT)" '[ -z "$NEW" ]'
restore
rm -f /tmp/install.out
run $K/kmod why -C $C nls_utf8
WHY=$OUT
check kmod-why-install-report "rc $RC: $WHY" 'has_line "  $C:2: install nls_utf8 echo \"ran \$MODPROBE_MODULE\" > /tmp/install.out" && has_line "  run install command of nls_utf8: echo \"ran \$MODPROBE_MODULE\" > /tmp/install.out"'
newly_loaded $K/modprobe -C $C nls_utf8
check kmod-why-install-agrees "modprobe loaded '$NEW' (rc $RC: $OUT); install.out: $(cat /tmp/install.out 2>&1)" '[ -z "$NEW" ] && [ "$(cat /tmp/install.out 2>/dev/null)" = "ran nls_utf8" ]'
restore
# softdeps from a configuration file
C2=/tmp/vmtest-softdep.conf
echo "softdep nls_utf8 pre: nls_ascii post: nls_cp437" > $C2
run $K/kmod why -C $C2 nls_utf8
WHY=$OUT; A=$(announced "modprobe nls_utf8")
check kmod-why-softdep-report "rc $RC: $WHY" 'has_line "  $C2:1: softdep nls_utf8 pre: nls_ascii post: nls_cp437" && [ "$A" = "nls_ascii nls_cp437 nls_utf8 " ]'
newly_loaded $K/modprobe -C $C2 nls_utf8
check kmod-why-softdep-agrees "why announced '$A', modprobe loaded '$NEW' (rc $RC: $OUT)" '[ "$A" = "$NEW" ]'
restore
# the dependency chain and its symbols (sctp is loaded from (1) on)
run $K/kmod why sctp
check kmod-why-deps "rc $RC: $OUT" 'has_text "  sctp -> libcrc32c: crc32c" && has_line "  sctp: live" && has_line "  nothing: sctp is already in the kernel"'

# ---------------------------------------------------------------------------
# modinfo of loaded-tree modules against the reference
# ---------------------------------------------------------------------------
step modinfo
for m in sctp fuse e1000; do
	# kmod 30 does not print build-id (newer kmod does): not compared
	run $K/modinfo $m; O=$(printf '%s\n' "$OUT" | grep -v '^build-id:')
	run $R/modinfo $m; RO=$OUT
	check modinfo-$m-vs-ref "$(printf '%s\n' "$O" > /tmp/a; printf '%s\n' "$RO" > /tmp/b; diff /tmp/a /tmp/b | head -8)" [ "$O" = "$RO" ]
done

# ---------------------------------------------------------------------------
# (7) our kbuild test modules
# ---------------------------------------------------------------------------
step kbuild
if [ -f /vmtest/kbuild.sh ]; then
	. /vmtest/kbuild.sh
fi

# ---------------------------------------------------------------------------
# (9) systemd-modules-load and udev's kmod builtin on our libkmod.so.2
# ---------------------------------------------------------------------------
. /vmtest/libkmod.sh
