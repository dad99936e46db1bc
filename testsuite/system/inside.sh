#!/bin/bash
# The part of tools/system-test that runs inside a booted image, the same in
# the reference image and in ours. It writes its report to /dev/ttyS1 in
# sections ("=== NAME"); the host compares the two reports.
# Each check prints "PASS name" or "FAIL name: why".
exec >/dev/ttyS1 2>&1
export LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin
section() { printf '=== %s\n' "$1"; }
pass() { printf 'PASS %s\n' "$1"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; }
loaded() { [ -d "/sys/module/$1" ] && [ "$(cat "/sys/module/$1/initstate" 2>/dev/null)" = live ]; }
check() { # check NAME COMMAND...: PASS when the command succeeds
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}
check_not() { # check_not NAME COMMAND...: PASS when the command fails
	local name=$1
	shift
	if "$@"; then fail "$name" "not expected: $*"; else pass "$name"; fi
}
# hard_deps NAME: NAME's dependencies, recursively (modinfo -F depends)
hard_deps() {
	local todo=$1 seen= m d
	while [ -n "$todo" ]; do
		set -- $todo
		m=$1
		shift
		todo="$*"
		for d in $(modinfo -F depends "$m" | tr ',' ' '); do
			case " $seen " in *" $d "*) ;; *) seen="$seen $d" todo="$todo $d" ;; esac
		done
	done
	echo $seen
}
kver=$(uname -r)

section start
state=$(systemctl is-system-running --wait 2>/dev/null)
udevadm settle --timeout=60
echo "uname $kver"

section state
echo "$state"
section boot-time
systemd-analyze time 2>/dev/null | head -n 1
section failed
systemctl --failed --plain --no-legend --no-pager | awk '{print $1}'
section modules
cut -d' ' -f1 /proc/modules | sort
section libkmod
# which package's libkmod.so.2 systemd (PID 1) and systemd-udevd have mapped
for pid in 1 $(pidof systemd-udevd); do
	for f in $(grep -o '/[^ ]*libkmod[^ ]*' "/proc/$pid/maps" | sort -u); do
		echo "$(cat /proc/$pid/comm) $(dpkg -S "$(readlink -f "$f")" 2>/dev/null | cut -d: -f1)"
	done
done
section tools
echo "modprobe $(dpkg -S "$(readlink -f /usr/sbin/modprobe)" | cut -d: -f1)"
section journal
# warnings and errors that name modules or the module tools, without their
# timestamps and process ids
journalctl -b -p warning -o cat --no-pager | grep -iE 'kmod|modprobe|modules?[ :]|depmod|insmod|libkmod' |
	sed -E 's/\[[0-9]+\]//g' | sort -u

section admin
# options from modprobe.d, applied when systemd-modules-load loaded nbd
check modules-load-nbd loaded nbd
check modprobe.d-options [ "$(cat /sys/module/nbd/parameters/nbds_max 2>/dev/null)" = 3 ]
check modules-load-service systemctl is-active -q systemd-modules-load.service

# parameters on the command line
modprobe brd rd_nr=2 rd_size=4096
check param-rd_nr [ "$(cat /sys/module/brd/parameters/rd_nr 2>/dev/null)" = 2 ]
check param-rd_size [ "$(cat /sys/module/brd/parameters/rd_size 2>/dev/null)" = 4096 ]
check param-devices test -b /dev/ram1 -a ! -e /dev/ram2
modprobe -r brd
check_not param-removed loaded brd

# modprobe -r takes the dependencies that nothing else uses with it
before=$(cut -d' ' -f1 /proc/modules)
deps=$(hard_deps vxlan)
echo "vxlan-deps $deps"
modprobe vxlan
all=1
for d in $deps vxlan; do loaded "$d" || all=0; done
check vxlan-loaded-with-deps [ $all = 1 ]
modprobe -r vxlan
left=
for d in $deps vxlan; do
	if loaded "$d" && ! grep -qx "$d" <<<"$before"; then left="$left $d"; fi
done
check vxlan-removed-with-deps [ -z "$left" ]

# blacklist: no alias load (udev's or modprobe -b's), a load by name works
check_not blacklist-not-coldplugged loaded pcspkr
modprobe -b platform:pcspkr
check_not blacklist-b-alias loaded pcspkr
modprobe pcspkr
check blacklist-by-name loaded pcspkr
modprobe -r pcspkr

# install NAME /bin/false: the command runs instead of the load, and fails
modprobe udf 2>/dev/null
rc=$?
check install-false-exit [ $rc = 1 ]
check_not install-false-not-loaded loaded udf

# an out-of-tree module in updates/, then depmod -a, as dkms leaves it
mkdir -p "/lib/modules/$kver/updates"
cp /root/vmt_params.ko "/lib/modules/$kver/updates/"
depmod -a
check oot-modinfo [ "$(modinfo -F filename vmt_params)" = "/lib/modules/$kver/updates/vmt_params.ko" ]
modprobe vmt_params p_int=7
check oot-by-name loaded vmt_params
check oot-param [ "$(cat /sys/module/vmt_params/parameters/p_int 2>/dev/null)" = 7 ]
modprobe -r vmt_params
check_not oot-removed loaded vmt_params
modprobe vmtest-params-alias
check oot-by-alias loaded vmt_params
modprobe -r vmt_params

# 32 modprobe runs at once: 16 of one module and 16 of three others
mods="nbd zram veth nlmon"
for m in $mods; do modprobe -r "$m" 2>/dev/null; done
pids=()
for i in $(seq 16); do modprobe nbd & pids+=($!); done
for i in $(seq 4); do for m in zram veth nlmon; do modprobe "$m" & pids+=($!); done; done
modprobe nbd & pids+=($!)
modprobe zram & pids+=($!)
modprobe veth & pids+=($!)
modprobe nlmon & pids+=($!)
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
echo "concurrent-runs ${#pids[@]} failed $bad"
check concurrent-all-succeed [ $bad = 0 ]
for m in $mods; do
	check "concurrent-loaded-$m" loaded "$m"
	check "concurrent-once-$m" [ "$(grep -c "^$m " /proc/modules)" = 1 ]
done
for m in $mods; do modprobe -r "$m"; done

# a second kernel package: its postinst runs depmod (ours in our image)
deb=$(ls /root/linux-image-*.deb 2>/dev/null | head -n 1)
if [ -n "$deb" ]; then
	INITRD=No dpkg -i "$deb" >/tmp/second-kernel.log 2>&1
	check second-kernel-install [ $? = 0 ]
	k2=$(dpkg-deb -f "$deb" Package | sed 's/^linux-image-//')
	check second-kernel-depmod [ -s "/lib/modules/$k2/modules.dep.bin" ]
	modprobe -S "$k2" --show-depends sctp >/tmp/sd 2>&1
	check second-kernel-show-depends grep -q "/lib/modules/$k2/.*sctp.ko" /tmp/sd
	section second-kernel-indexes
	(cd "/lib/modules/$k2" && md5sum modules.* &&
		echo "$(sort modules.symbols | md5sum | cut -d' ' -f1)  modules.symbols.sorted") | sort -k 2
else
	fail second-kernel "no kernel package in /root"
fi

section end
