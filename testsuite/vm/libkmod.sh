# Programs that link libkmod.so.2, on our library: Debian 12's
# systemd-modules-load and udevadm (udev's kmod builtin), sourced by
# scenarios.sh after the other scenarios. tools/vm-test puts them in /sd with
# their shared libraries; Debian's libkmod2 (30) is the one in
# /lib/x86_64-linux-gnu, ours (libkmodlite/libkmod/libkmod.so.2) is in /ourlib.
# Each program runs once on each library, from the same starting state; the
# messages and exit statuses are compared.

OURLIB=/ourlib
REFLIB=/lib/x86_64-linux-gnu
SD=/sd
export SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_COLOR=0

# on LIB CMD...: run CMD with libkmod.so.2 from LIB (OUT, RC as run does)
on() {
	_lib=$1; shift
	OUT=$(LD_LIBRARY_PATH=$_lib:$REFLIB timeout 60 "$@" 2>&1); RC=$?
}
# which libkmod.so.2 the dynamic loader maps for CMD, from LD_DEBUG=libs
libkmod_of() { # LIB CMD...
	_lib=$1; shift
	LD_DEBUG=libs LD_LIBRARY_PATH=$_lib:$REFLIB timeout 60 "$@" 2>&1 >/dev/null |
		sed -n 's/.*calling init: \(.*libkmod\.so\.2\)$/\1/p' | sort -u | tr '\n' ' '
}
# the text of a systemd program's output that may be compared between the two
# libraries: no lines about the hwdb (same on both), no timing
sdnorm() { printf '%s\n' "$1" | grep -v '^Trying to open\|hwdb\|^=== \|^tool version\|^file size\|^header size\|^strings \|^nodes '; }
same_sd() { # NAME OURS-OUT REF-OUT OURS-RC REF-RC
	if [ "$(sdnorm "$2")" = "$(sdnorm "$3")" ] && [ "$4" = "$5" ]; then
		pass "$1"
	else
		fail "$1" "ours (rc $4): $(sdnorm "$2") // ref (rc $5): $(sdnorm "$3")"
	fi
}

if [ ! -x $SD/systemd-modules-load ] || [ ! -x $SD/udevadm ] || [ ! -e $OURLIB/libkmod.so.2 ]; then
	for c in libkmod-ours-mapped-systemd-modules-load libkmod-ref-mapped-systemd-modules-load \
		libkmod-ours-mapped-udevadm libkmod-ref-mapped-udevadm modules-load modules-load-vs-ref \
		modules-load-missing modules-load-missing-vs-ref modules-load-refused modules-load-refused-vs-ref udev-kmod-load udev-kmod-load-vs-ref \
		udev-kmod-modalias udev-kmod-modalias-vs-ref; do
		fail $c "missing from the initramfs: $SD/systemd-modules-load, $SD/udevadm or $OURLIB/libkmod.so.2"
	done
	return 0 2>/dev/null || exit 0
fi

# ---------------------------------------------------------------------------
# which library: the loader maps ours from /ourlib, and only ours
# ---------------------------------------------------------------------------
step libkmod
for p in systemd-modules-load udevadm; do
	got=$(libkmod_of $OURLIB $SD/$p --version)
	check libkmod-ours-mapped-$p "libkmod.so.2 mapped: ${got:-(none)}, want $OURLIB/libkmod.so.2 only" \
		[ "$got" = "$OURLIB/libkmod.so.2 " ]
	got=$(libkmod_of /nonexistent $SD/$p --version)
	check libkmod-ref-mapped-$p "libkmod.so.2 mapped: ${got:-(none)}, want $REFLIB/libkmod.so.2 only" \
		[ "$got" = "$REFLIB/libkmod.so.2 " ]
done

# ---------------------------------------------------------------------------
# systemd-modules-load: /etc/modules-load.d/test.conf
# ---------------------------------------------------------------------------
step modules-load
mkdir -p /etc/modules-load.d
# dummy, and nf_conntrack with its dependencies (nf_defrag_ipv4/6, libcrc32c
# is already loaded by sctp)
ML_SET="dummy nf_conntrack nf_defrag_ipv4 nf_defrag_ipv6"
printf '%s\n' "# vmtest" dummy nf_conntrack > /etc/modules-load.d/test.conf
missing=; for m in $ML_SET; do loaded $m && missing="$missing $m(already)"; done
on $OURLIB $SD/systemd-modules-load; O=$OUT; ORC=$RC
for m in $ML_SET; do loaded $m || missing="$missing $m"; done
check modules-load "rc $ORC, not loaded:$missing; output: $O" [ "$ORC" = 0 -a -z "$missing" ]
restore
on /nonexistent $SD/systemd-modules-load; RO=$OUT; RRC=$RC
same_sd modules-load-vs-ref "$O" "$RO" $ORC $RRC
restore

# a name that no module has: systemd 252 logs "Failed to find module" and
# skips it (exit 0, on Debian's libkmod2 too); the other modules load
printf '%s\n' dummy vmtest_no_such_module > /etc/modules-load.d/test.conf
on $OURLIB $SD/systemd-modules-load; O=$OUT; ORC=$RC
L=no; loaded dummy && L=yes
restore
on /nonexistent $SD/systemd-modules-load; RO=$OUT; RRC=$RC
check modules-load-missing "rc $ORC, dummy loaded=$L: $O" \
	'[ $L = yes ] && printf "%s\n" "$O" | grep -qx "Failed to find module .vmtest_no_such_module."'
same_sd modules-load-missing-vs-ref "$O" "$RO" $ORC $RRC
restore

# a module that the kernel refuses (the kbuild test module with a wrong
# vermagic): "Failed to insert module", non-zero exit
if [ -f /vmtest/kbuild-skipped ]; then
	skip modules-load-refused "test modules $(cat /vmtest/kbuild-skipped)"
	skip modules-load-refused-vs-ref "test modules $(cat /vmtest/kbuild-skipped)"
else
	printf '%s\n' vmt_vermagic dummy > /etc/modules-load.d/test.conf
	on $OURLIB $SD/systemd-modules-load; O=$OUT; ORC=$RC
	L=no; loaded dummy && L=yes
	V=no; loaded vmt_vermagic && V=yes
	restore
	on /nonexistent $SD/systemd-modules-load; RO=$OUT; RRC=$RC
	check modules-load-refused "rc $ORC, vmt_vermagic loaded=$V, dummy loaded=$L: $O" \
		'[ $ORC != 0 -a $V = no -a $L = yes ] && printf "%s\n" "$O" | grep -q "^Failed to insert module .vmt_vermagic."'
	same_sd modules-load-refused-vs-ref "$O" "$RO" $ORC $RRC
	echo "VMTEST INFO modules-load-refused ours rc $ORC: $(oneline "$O") // ref rc $RRC: $(oneline "$RO")"
fi
rm -f /etc/modules-load.d/test.conf
restore

# ---------------------------------------------------------------------------
# udev's kmod builtin: "kmod load NAME", and "kmod load" of a device (its
# MODALIAS): the e1000 NIC that qemu provides
# ---------------------------------------------------------------------------
step udev-builtin
on $OURLIB $SD/udevadm test-builtin 'kmod load nf_conntrack' /sys/class/net/lo; O=$OUT; ORC=$RC
missing=; for m in nf_conntrack nf_defrag_ipv4 nf_defrag_ipv6; do loaded $m || missing="$missing $m"; done
check udev-kmod-load "rc $ORC, not loaded:$missing; output: $(sdnorm "$O")" [ "$ORC" = 0 -a -z "$missing" ]
restore
on /nonexistent $SD/udevadm test-builtin 'kmod load nf_conntrack' /sys/class/net/lo; RO=$OUT; RRC=$RC
same_sd udev-kmod-load-vs-ref "$O" "$RO" $ORC $RRC
restore

NIC=
for d in /sys/bus/pci/drivers/e1000/0000:*; do [ -e "$d" ] && NIC=$(readlink -f "$d"); done
if [ -z "$NIC" ] || ! grep -q '^MODALIAS=pci:' "$NIC/uevent"; then
	fail udev-kmod-modalias "no PCI device bound to e1000 (found: ${NIC:-none})"
	fail udev-kmod-modalias-vs-ref "no PCI device bound to e1000"
else
	$R/rmmod e1000
	on $OURLIB $SD/udevadm test-builtin 'kmod load' "$NIC"; O=$OUT; ORC=$RC
	L=no; loaded e1000 && L=yes
	B=no; [ -e "$NIC/driver" ] && B=yes
	check udev-kmod-modalias "rc $ORC, e1000 loaded=$L, bound=$B: $(sdnorm "$O")" \
		'[ $ORC = 0 -a $L = yes -a $B = yes ] && printf "%s\n" "$O" | grep -q "^Loading module: pci:"'
	$R/rmmod e1000
	on /nonexistent $SD/udevadm test-builtin 'kmod load' "$NIC"; RO=$OUT; RRC=$RC
	same_sd udev-kmod-modalias-vs-ref "$O" "$RO" $ORC $RRC
	echo "VMTEST INFO udev-kmod-modalias ours rc $ORC: $(oneline "$(sdnorm "$O")")"
	loaded e1000 || $R/modprobe e1000
fi
restore
step libkmod-done
