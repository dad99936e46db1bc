# (7) kmodlite's own kbuild test modules (testsuite/vm/modules/), sourced by
# scenarios.sh after the other scenarios. tools/vm-test builds them into
# $MD/extra. Only when skipping them was asked for (VMTEST_NO_KBUILD=1, or
# KMODLITE_ALLOW_SKIP=1 and the build failed) are they missing: then every
# check here is SKIP, with the reason vm-test left in /vmtest/kbuild-skipped.
# Without that file, missing modules are a failure.

KB_CHECKS="kbuild-params kbuild-kmod-params-set kbuild-kmod-params-rejected kbuild-kmod-params-refused kbuild-dep-load kbuild-dep-rmmod-inuse-msg kbuild-dep-remove kbuild-signed-modinfo kbuild-signed-load kbuild-vermagic-refused kbuild-force-vermagic kbuild-insmod-force"
if [ -f /vmtest/kbuild-skipped ]; then
	for c in $KB_CHECKS; do skip $c "test modules $(cat /vmtest/kbuild-skipped)"; done
elif [ ! -f $MD/extra/vmt_params.ko ]; then
	for c in $KB_CHECKS; do fail $c "test modules missing from $MD/extra"; done
else
	# parameters: command line, modprobe.d options, alias options
	mkdir -p /etc/modprobe.d
	echo "options vmt_params p_str=fromconfig p_bool=1" > /etc/modprobe.d/vmt.conf
	run $K/modprobe vmtest-params-alias p_int=5 p_arr=1,2,3
	P=/sys/module/vmt_params/parameters
	got="$(cat $P/p_int $P/p_str $P/p_arr $P/p_bool 2>&1 | tr '\n' ' ')"
	check kbuild-params "rc $RC: $OUT; got: $got" [ "$got" = "5 fromconfig 1,2,3 Y " ]
	rm -f /etc/modprobe.d/vmt.conf

	# kmod params on parameters of our own: set and read back; the module's
	# setter refusing a value the type allows (EDOM); nothing written when
	# one assignment of several is refused
	run $K/kmod params vmt_params p_rw=0x20 p_even=4
	check kbuild-kmod-params-set "rc $RC: $OUT; p_rw=$(cat $P/p_rw) p_even=$(cat $P/p_even)" \
		'[ $RC = 0 ] && [ "$(cat $P/p_rw)" = 32 -a "$(cat $P/p_even)" = 4 ] && printf "%s\n" "$OUT" | grep -qx "p_rw: 10 -> 32"'
	run $K/kmod params vmt_params p_even=3
	check kbuild-kmod-params-rejected "rc $RC: $OUT; p_even=$(cat $P/p_even)" \
		'[ $RC = 1 ] && [ "$(cat $P/p_even)" = 4 ] && printf "%s\n" "$OUT" | grep -q "the kernel rejected p_even=3 for vmt_params: Numerical argument out of domain"'
	run $K/kmod params vmt_params p_rw=7 p_int=6
	check kbuild-kmod-params-refused "rc $RC: $OUT; p_rw=$(cat $P/p_rw)" \
		'[ $RC = 1 ] && [ "$(cat $P/p_rw)" = 32 ] && printf "%s\n" "$OUT" | grep -q "parameter p_int of vmt_params is read-only (0444)"'
	restore

	# dependency through an exported symbol
	run $K/modprobe -v vmt_user
	check kbuild-dep-load "rc $RC: $OUT" '[ $RC = 0 ] && loaded vmt_export && loaded vmt_user'
	run $K/rmmod vmt_export; O=$OUT; ORC=$RC
	run $R/rmmod vmt_export; RO=$OUT; RRC=$RC
	same_msg kbuild-dep-rmmod-inuse-msg "$O" "$RO" $ORC $RRC
	run $K/modprobe -r vmt_user
	check kbuild-dep-remove "rc $RC: $OUT; left: $(grep vmt_ /proc/modules)" '[ $RC = 0 ] && notloaded vmt_user && notloaded vmt_export'
	restore

	# signed with a throwaway key: modinfo shows it; loads (not enforced)
	run $K/modinfo vmt_signed; O=$(printf '%s\n' "$OUT" | grep -v '^build-id:')
	run $R/modinfo vmt_signed; RO=$OUT
	check kbuild-signed-modinfo "$(printf '%s\n' "$O" > /tmp/a; printf '%s\n' "$RO" > /tmp/b; diff /tmp/a /tmp/b | head -8)" \
		'[ "$O" = "$RO" ] && [ "$($K/modinfo -F signer vmt_signed)" = "kmodlite vmtest throwaway key" ]'
	run $K/modprobe vmt_signed
	check kbuild-signed-load "rc $RC: $OUT" '[ $RC = 0 ] && loaded vmt_signed'
	restore

	# wrong vermagic: refused, then --force-vermagic, insmod -f
	run $K/modprobe vmt_vermagic; O=$OUT; ORC=$RC
	L=no; loaded vmt_vermagic && L=yes
	restore
	run $R/modprobe vmt_vermagic; RO=$OUT; RRC=$RC
	check kbuild-vermagic-refused "loaded=$L; ours rc $ORC: $O // ref rc $RRC: $RO" \
		'[ $L = no -a $ORC != 0 ] && [ "$(norm "$O")" = "$(norm "$RO")" ]'
	restore
	run $K/modprobe --force-vermagic vmt_vermagic
	check kbuild-force-vermagic "rc $RC: $OUT" '[ $RC = 0 ] && loaded vmt_vermagic'
	restore
	run $K/insmod -f $MD/extra/vmt_vermagic.ko
	check kbuild-insmod-force "rc $RC: $OUT" '[ $RC = 0 ] && loaded vmt_vermagic'
	restore
fi
