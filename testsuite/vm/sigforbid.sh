# Signatures and forbid on a kernel that enforces signatures. Sourced by
# scenarios.sh in the "ref" boot, after its udev coldplug: tools/vm-test
# boots that kernel with module.sig_enforce=1 (its coldplug loads only
# Debian's modules, all signed, so the comparison with ours is unchanged)
# and modprobe.forbid=tun.
#
# /data/sig/ (made by tools/vm-test): debian-cert.pem, the certificate built
# into the kernel image (tools/extract-kernel-cert), and module files named
# TAG--MODULE.ko[.xz]: Debian's modules as they are, altered (a content byte,
# a signature byte, the signature stripped or its length broken), and the
# kbuild test modules (a throwaway key, unsigned). For each, `kmod verify
# --cert debian-cert.pem` gives a verdict and the kernel takes or refuses the
# module (our insmod): they must agree, and the verdict must be the one the
# TAG expects.

SIG=/data/sig
CERT=$SIG/debian-cert.pem
step sig-enforce
if [ "$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)" != Y ]; then
	fail sig-enforce-on "sig_enforce is $(cat /sys/module/module/parameters/sig_enforce 2>&1)"
elif [ ! -s $CERT ]; then
	fail sig-enforce-on "no $CERT"
else
	pass sig-enforce-on
	agree=0 total=0 goods=0
	for f in $SIG/*--*.ko*; do
		b=${f##*/}
		tag=${b%%--*}
		rest=${b#*--}
		m=${rest%%.ko*}
		case $tag in
		good*) want="good" ;;
		bad*) want="bad signature" ;;
		unsigned*) want="unsigned" ;;
		malformed*) want="malformed" ;;
		unknownkey*) want="unknown key" ;;
		*) want="?" ;;
		esac
		run $K/kmod verify --cert $CERT "$f"; V=$OUT; VRC=$RC
		verdict=$(printf '%s\n' "$V" | sed -n "s|^$f: \([a-z ]*\).*|\1|p" | sed 's/ *$//')
		loaded $m && $K/rmmod $m
		run $K/insmod "$f"; IO=$OUT
		L=no; loaded $m && L=yes
		[ $L = yes ] && $K/rmmod $m
		G=no; [ $VRC = 0 ] && G=yes
		total=$((total + 1))
		[ $G = $L ] && agree=$((agree + 1))
		[ $G = yes ] && goods=$((goods + 1))
		check sig-enforce-$b "verify: rc $VRC $V; kernel loaded=$L: $IO; expected verdict: $want" \
			'[ $G = $L ] && [ "$verdict" = "$want" ]'
	done
	echo "VMTEST INFO sig-enforce: kmod verify and the kernel agree on $agree of $total modules ($goods good)"
	check sig-enforce-count "only $total modules in $SIG" [ $total -ge 6 ]
	# modprobe --cert refuses before the kernel is asked
	if [ -f $MD/extra/vmt_signed.ko ]; then
		run $K/modprobe --cert $CERT vmt_signed
		check sig-modprobe-cert-refuses "rc $RC: $OUT" \
			'[ $RC = 1 ] && notloaded vmt_signed && printf "%s\n" "$OUT" | grep -q "refusing vmt_signed (.*): unknown key, signer kmodlite vmtest throwaway key"'
	else
		skip sig-modprobe-cert-refuses "test modules $(cat /vmtest/kbuild-skipped 2>/dev/null)"
	fi
	run $K/modprobe --cert $CERT nls_utf8
	check sig-modprobe-cert-good "rc $RC: $OUT" '[ $RC = 0 ] && loaded nls_utf8'
	$K/rmmod nls_utf8
fi

# ---------------------------------------------------------------------------
# forbid: by name, alias, dependency, softdep, the command line, udev's and
# systemd-modules-load's libkmod.so.2; -r and other modules unaffected
# ---------------------------------------------------------------------------
step forbid
mkdir -p /etc/modprobe.d
FC=/etc/modprobe.d/forbid.conf
printf '%s\n' "forbid dummy" "forbid nf_defrag_ipv4" "softdep loop pre: dummy" > $FC
for m in dummy nf_conntrack nf_defrag_ipv4 loop tun; do loaded $m && $R/rmmod $m; done
run $K/modprobe dummy
check forbid-name "rc $RC: $OUT" \
	'[ $RC = 1 ] && notloaded dummy && printf "%s\n" "$OUT" | grep -q "dummy is forbidden by $FC:1"'
run $K/modprobe rtnl-link-dummy
check forbid-alias "rc $RC: $OUT" '[ $RC = 1 ] && notloaded dummy'
run $K/modprobe nf_conntrack
check forbid-dependency "rc $RC: $OUT; loaded: $(grep -o '^nf_[a-z0-9_]*' /proc/modules | tr '\n' ' ')" \
	'[ $RC = 1 ] && notloaded nf_conntrack && notloaded nf_defrag_ipv4 && printf "%s\n" "$OUT" | grep -q "nf_defrag_ipv4 is forbidden by $FC:2: refusing nf_conntrack, which needs it"'
run $K/modprobe loop
check forbid-softdep "rc $RC: $OUT" '[ $RC = 1 ] && notloaded loop && notloaded dummy'
run $K/modprobe tun
check forbid-cmdline "rc $RC: $OUT" \
	'[ $RC = 1 ] && notloaded tun && printf "%s\n" "$OUT" | grep -q "tun is forbidden by the kernel command line"'
run $K/modprobe -n dummy; NO=$OUT; NRC=$RC
run $K/modprobe dummy
check forbid-dry-run-same "-n rc $NRC: $NO // rc $RC: $OUT" '[ "$NRC" = "$RC" ] && [ "$NO" = "$OUT" ]'
if [ -x /sd/udevadm ] && [ -e /ourlib/libkmod.so.2 ]; then
	OUT=$(LD_LIBRARY_PATH=/ourlib:/lib/x86_64-linux-gnu timeout 60 /sd/udevadm test-builtin 'kmod load dummy' /sys/class/net/lo 2>&1)
	check forbid-udev-builtin "dummy loaded by udev's builtin on our libkmod.so.2: $OUT" notloaded dummy
	echo "VMTEST INFO forbid-udev-builtin: $(oneline "$(printf '%s\n' "$OUT" | grep -i 'forbid\|dummy')")"
	mkdir -p /etc/modules-load.d
	printf '%s\n' dummy nls_utf8 > /etc/modules-load.d/forbid.conf
	OUT=$(LD_LIBRARY_PATH=/ourlib:/lib/x86_64-linux-gnu SYSTEMD_LOG_TARGET=console timeout 60 /sd/systemd-modules-load 2>&1)
	check forbid-modules-load "$OUT" 'notloaded dummy && loaded nls_utf8'
	rm -f /etc/modules-load.d/forbid.conf
	$K/rmmod nls_utf8
else
	fail forbid-udev-builtin "no /sd/udevadm or /ourlib/libkmod.so.2"
fi
run $K/modprobe nls_utf8
check forbid-others-load "rc $RC: $OUT" '[ $RC = 0 ] && loaded nls_utf8'
$R/modprobe dummy
run $K/modprobe -r dummy
check forbid-remove-unaffected "rc $RC: $OUT" '[ $RC = 0 ] && notloaded dummy'
run $K/modprobe -c
check forbid-showconfig "$(printf '%s\n' "$OUT" | grep forbid)" \
	'printf "%s\n" "$OUT" | grep -qx "forbid dummy" && printf "%s\n" "$OUT" | grep -qx "forbid tun"'
rm -f $FC
step sigforbid-done
