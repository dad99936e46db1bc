#!/bin/bash
# `forbid NAME` (modprobe.d) and modprobe.forbid= (kernel command line):
# modprobe under the fake kernel refuses the module by every route (name,
# alias, dependency, softdep, install command, the command line, a modprobe
# nested in another module's install command), -n and -D report it as a
# real run does, -c prints it, -r is unaffected, other modules load.
#
#   forbid.sh BUILD_DIR
#
# forbid is ours only (kmod has no such directive): nothing is compared
# with the reference.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
tool_test_begin "$1"

mod() { # NAME MKFIXTURE_ARGS...
	local name=$1
	shift
	"$mkfixture" -o "$MD/kernel/$name.ko" --this-module "$name" --modinfo license=GPL \
		--modinfo "vermagic=$K SMP mod_unload " "$@" --modinfo "name=$name"
}
mkdir -p "$MD/kernel" "$CONF" "$base/proc" "$base/sys/module" "$work/bin"
# mod_top -> mod_mid -> mod_bad; mod_soft has mod_bad as a softdep
mod mod_bad --export sym_bad --modinfo alias=bad-alias
mod mod_mid --import sym_bad --export sym_mid --modinfo depends=mod_bad
mod mod_top --import sym_mid --modinfo depends=mod_mid
mod mod_soft --modinfo 'softdep=pre: mod_bad'
mod mod_ok --modinfo alias=ok-alias
mod mod_cmd
mod mod_calls
mod mod_cl
: >"$base/proc/modules"
: >"$base/proc/cmdline"
(cd "$MD" && find kernel -name '*.ko' | sort >modules.order)
"$src/depmod" -b "$base" "$K" 2>/dev/null
cat >"$CONF/forbid.conf" <<'EOF'
# forbidden modules
forbid mod_bad

forbid mod-cmd
install mod_cmd echo ran >>/tmp/forbid-cmd-ran
install mod_calls modprobe mod_bad
EOF
ln -s "$src/modprobe" "$work/bin/modprobe"

# t NAME STATUS ARGS...: modprobe in a fresh copy of the root (after SETUP)
SETUP=
t() {
	CASE=$1
	local want=$2 rc=0
	shift 2
	checks=$((checks + 1))
	rm -rf "$R"
	cp -a "$base" "$R"
	if [ -n "$SETUP" ]; then eval "$SETUP"; fi
	env PATH="$work/bin:$PATH" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		FAKE_KERNEL_ROOT="$R" FAKE_KERNEL_RELEASE="$K" LD_PRELOAD="$fk" \
		"$src/modprobe" "$@" >out 2>err </dev/null || rc=$?
	[ "$rc" = "$want" ] || fail "exit $rc, expected $want; $(cat err)"
	if [ -f "$R/syscalls.log" ]; then cp "$R/syscalls.log" log; else : >log; fi
	for d in "$R"/sys/module/*/; do
		d=${d%/}
		if [ -f "$d/initstate" ]; then echo "${d##*/}"; fi
	done | sort | tr '\n' ' ' >state
	return 0
}
is() { # WHAT: the file WHAT equals stdin
	checks=$((checks + 1))
	cat >expected
	cmp -s expected "$1" || { fail "$1 differs (- expected, + got):"; diff -u expected "$1" | tail -n +3 | sed 's/^/    /'; }
	return 0
}
loaded() { printf '%s' "$1" | is state; }
C=/etc/modprobe.d/forbid.conf

t "by name" 1 mod_bad
is err <<EOF
modprobe: ERROR: mod_bad is forbidden by $C:2
modprobe: ERROR: could not insert 'mod_bad': Operation not permitted
EOF
is log </dev/null
loaded ""
cp err by-name.err
t "by name, -n: the same refusal" 1 -n mod_bad
cmp -s err by-name.err || fail "-n stderr differs: $(cat err)"
is out </dev/null
t "by alias" 1 bad-alias
is err <<EOF
modprobe: ERROR: mod_bad is forbidden by $C:2
modprobe: ERROR: could not insert 'mod_bad': Operation not permitted
EOF
is log </dev/null
t "a dependency: the module needing it fails, nothing loaded" 1 mod_top
is err <<EOF
modprobe: ERROR: mod_bad is forbidden by $C:2: refusing mod_top, which needs it
modprobe: ERROR: could not insert 'mod_top': Operation not permitted
EOF
is log </dev/null
loaded ""
cp err dep.err
t "a dependency, -n" 1 -n mod_top
cmp -s err dep.err || fail "-n stderr differs: $(cat err)"
is out </dev/null
t "a dependency, --show-depends" 1 --show-depends mod_top
cmp -s err dep.err || fail "-D stderr differs: $(cat err)"
is out </dev/null
t "a softdep" 1 mod_soft
is err <<EOF
modprobe: ERROR: mod_bad is forbidden by $C:2: refusing mod_soft, which needs it
modprobe: ERROR: could not insert 'mod_soft': Operation not permitted
EOF
is log </dev/null
t "an install command does not run" 1 mod_cmd
is err <<EOF
modprobe: ERROR: mod_cmd is forbidden by $C:4
modprobe: ERROR: could not insert 'mod_cmd': Operation not permitted
EOF
checks=$((checks + 1))
[ ! -e /tmp/forbid-cmd-ran ] || { rm -f /tmp/forbid-cmd-ran; fail "the install command ran"; }
t "-i (ignore install commands) changes nothing" 1 -i mod_cmd
is log </dev/null
t "a modprobe inside another module's install command" 1 mod_calls
has_err() { checks=$((checks + 1)); grep -qF -- "$1" err || fail "stderr lacks '$1': $(cat err)"; }
has_err "modprobe: ERROR: mod_bad is forbidden by $C:2"
has_err "Error running install command 'modprobe mod_bad' for module mod_calls"
is log </dev/null
t "already loaded: refused all the same" 1 mod_bad
SETUP='mkdir -p "$R/sys/module/mod_bad"; echo live >"$R/sys/module/mod_bad/initstate"; echo "mod_bad 16384 0 - Live 0x0" >"$R/proc/modules"; echo 0 >"$R/sys/module/mod_bad/refcnt"; mkdir -p "$R/sys/module/mod_bad/holders"'
t "already loaded: refused all the same" 1 mod_bad
has_err "mod_bad is forbidden by $C:2"
t "-r is unaffected" 0 -r mod_bad
is err </dev/null
is log <<'EOF'
delete_module mod_bad O_NONBLOCK
EOF
SETUP=
t "other modules load" 0 mod_ok
is err </dev/null
loaded "mod_ok "
t "other modules by alias, with -a" 0 -a ok-alias mod_cl
loaded "mod_cl mod_ok "
t "-a: the forbidden one fails, the others load" 1 -a mod_ok mod_bad mod_cl
loaded "mod_cl mod_ok "
SETUP='echo "BOOT_IMAGE=/vmlinuz modprobe.forbid=mod_cl,mod-ok quiet" >"$R/proc/cmdline"'
t "the kernel command line" 1 mod_cl
is err <<'EOF'
modprobe: ERROR: mod_cl is forbidden by the kernel command line (modprobe.forbid=)
modprobe: ERROR: could not insert 'mod_cl': Operation not permitted
EOF
t "the kernel command line, by alias, '-' normalised" 1 ok-alias
has_err "mod_ok is forbidden by the kernel command line (modprobe.forbid=)"
SETUP=
t "-c prints the directive" 0 -c
checks=$((checks + 1))
grep -qx 'forbid mod_bad' out || fail "no 'forbid mod_bad' in -c: $(grep forbid out)"
grep -qx 'forbid mod_cmd' out || fail "no 'forbid mod_cmd' in -c: $(grep forbid out)"
SETUP='echo "modprobe.forbid=mod_cl" >"$R/proc/cmdline"'
t "-c prints the command line's" 0 -c
grep -qx 'forbid mod_cl' out || fail "no 'forbid mod_cl' in -c: $(grep forbid out)"
SETUP='echo "forbid mod_ok extra" >"$R/etc/modprobe.d/bad.conf"'
t "a forbid line with two names is bad, and ignored" 0 mod_ok
has_err "bad.conf line 1: ignoring bad line starting with 'forbid'"
loaded "mod_ok "
SETUP='echo "blacklist mod_bad" >"$R/etc/modprobe.d/forbid.conf"'
t "blacklist alone: by name it loads" 0 mod_bad
loaded "mod_bad "
t "blacklist alone: by alias it does not (and that is no error)" 0 bad-alias
loaded ""
SETUP='echo "install mod_bad /bin/false" >"$R/etc/modprobe.d/forbid.conf"'
t "install /bin/false alone: refused by name" 1 mod_bad
loaded ""
t "install /bin/false alone: -i gets around it" 0 -i mod_bad
loaded "mod_bad "
SETUP=

echo "forbid tool tests: $checks checks, $failures failures"
[ $failures = 0 ]
