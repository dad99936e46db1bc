#!/bin/bash
# Tool tests of modprobe, insmod, rmmod and lsmod under the fake kernel
# (testsuite/fake-kernel: an LD_PRELOAD library that redirects /proc, /sys,
# /lib/modules and the modprobe.d directories into a directory and records the
# module system calls in DIR/syscalls.log). The module tree is made of
# synthetic modules (mkfixture) indexed by our depmod.
#
#   modprobe.sh BUILD_DIR
#
# Each case runs our tool in a fresh copy of the fake root and checks its exit
# status, output, the system calls it made and which modules are loaded
# afterwards. Where Debian's kmod is installed (/usr/sbin/modprobe), most cases
# then run the reference with the same command in another fresh copy (at the
# same path) and compare stdout, stderr, exit status, syscalls.log and the
# loaded modules.
#
# Deliberate differences from kmod 30, asserted on ours only:
#  - several softdep lines for one module are merged (kmod 30 keeps only the
#    first: kmod bug #33);
#  - weakdep is a valid directive (kmod 30 warns it is unknown);
#  - config parse messages are `modprobe: ERROR: FILE line N: ...` (kmod 30:
#    `libkmod: ERROR ../libkmod/libkmod-config.c:712 kmod_config_parse: ...`;
#    the reference's stderr is rewritten to our prefix before comparing);
#  - rmmod of a module whose /sys/module directory has no initstate says
#    `Module X is builtin.`;
#  - lsmod skips a module that vanished while listing (kmod 30 prints -2);
#  - a compressed module whose format /sys/module/compression names goes to
#    finit_module with MODULE_INIT_COMPRESSED_FILE (kmod 30 always decompresses).
# Not compared either, kmod 30 lacking them or being wrong (see each case):
# modules given as paths, --show-alias, insmod -v/--force-*, -w giving up,
# --remove-holders finding the module gone, MODPROBE_OPTIONS with quotes,
# an install command that calls modprobe for its own module, and removals where
# the reference counts change as holders go (fake_held); kmod 30's -c dump of
# `softdep M pre: A post: B` lacks the space before post: (put back).

# (SETUP strings are evaluated later, in each fresh root)
# shellcheck disable=SC2016
set -euo pipefail
. "$(dirname "$0")/wrap.sh"
shopt -s nullglob
export LC_ALL=C
build=$(cd "$1" && pwd)
json_text=$(cd "$(dirname "$0")/.." && pwd)/json-text.py
mkfixture=$build/testsuite/mkfixture
fk=$build/testsuite/libfake-kernel.so
[ -f "$fk" ] || { echo "modprobe.sh: $fk not found (build with -Dtests=true)" >&2; exit 1; }
refmp=/usr/sbin/modprobe
[ -x "$refmp" ] || refmp=
work=$(mktemp -d)
cleanup() {
	# background jobs of a case (-w) must not outlive the test
	local j
	for j in $(jobs -p); do kill "$j" 2>/dev/null || true; done
	if [ -n "${MODPROBE_TEST_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
cd "$work"
# our binary, through $KMODLITE_TEST_WRAPPER if set (wrap.sh)
src=$(wrapped_dir "$build/src" "$work/wrap")
K=6.1.0-fake
base=$work/base
R=$work/root            # every run's fake root: a fresh copy of $base
MD=$base/lib/modules/$K
KD=/lib/modules/$K      # the module directory as the tools see it
CONF=$base/etc/modprobe.d
failures=0
checks=0
compared=0
notes=0

fail() { echo "FAIL: $CASE: $*"; failures=$((failures + 1)); }
# The option words of a --help text (the column before the descriptions).
help_options() {
	sed -nE 's/^[[:space:]]+(-[^[:space:]].*)$/\1/p' | sed -E 's/ {2,}.*$//' |
		grep -oE '(^|[[:space:],[|])--?[[:alnum:]][[:alnum:]-]*' |
		sed -E 's/^[[:space:],[|]+//' | LC_ALL=C sort -u
}
note() { echo "NOTE: $CASE: $*"; notes=$((notes + 1)); }

# --------------------------------------------------------------- the fixture

# mod RELPATH NAME MKFIXTURE_ARGS...: a module NAME in the module directory
mod() {
	local rel=$1 name=$2
	shift 2
	mkdir -p "$(dirname "$MD/$rel")"
	"$mkfixture" -o "$MD/$rel" --this-module "$name" --modinfo license=GPL \
		--modinfo "vermagic=$K SMP mod_unload " "$@" --modinfo "name=$name"
}
mkdir -p "$MD" "$CONF" "$base/proc" "$base/sys/module" "$work/cwd"
# a chain: mod_c -> mod_b -> mod_a; mod_c has softdeps in its .modinfo
mod kernel/lib/mod_a.ko mod_a --export sym_a:0x11111111 --export-gpl sym_a2:0x22222222
mod kernel/lib/mod_b.ko mod_b --import sym_a --export sym_b:0x33333333 \
	--version 0x11111111:sym_a --version 0x0badcafe:module_layout --modinfo depends=mod_a
mod kernel/drivers/mod_c.ko mod_c --import sym_b --modinfo depends=mod_b \
	--modinfo 'alias=pci:v00001234d*sv*sd*bc*sc*i*' \
	--modinfo 'softdep=pre: mod_pre post: mod_post'
mod kernel/drivers/mod_pre.ko mod_pre
mod kernel/drivers/mod_post.ko mod_post
# a second user of mod_a, with softdeps from the config
mod kernel/drivers/mod_d.ko mod_d --import sym_a --modinfo depends=mod_a
# parameters
mod kernel/drivers/mod_param.ko mod_param --modinfo 'parm=p_int:An integer' \
	--modinfo parmtype=p_int:int --modinfo 'parm=p_str:A string' --modinfo parmtype=p_str:charp
# install and remove commands
mod kernel/drivers/mod_inst.ko mod_inst
mod kernel/drivers/mod_rm.ko mod_rm
# the blacklist
mod kernel/drivers/mod_bl.ko mod_bl --modinfo alias=bl-alias --modinfo alias=shared-alias
mod kernel/drivers/mod_ok.ko mod_ok --modinfo alias=shared-alias
# wildcard aliases, two modules matching one
mod kernel/drivers/mod_wild.ko mod_wild --modinfo 'alias=fs-wild*' \
	--modinfo 'alias=char-major-10-[0-9]' --modinfo 'alias=usb:v?p*'
mod kernel/drivers/mod_wild2.ko mod_wild2 --modinfo 'alias=fs-wild*'
# softdep and install-command loops
mod kernel/drivers/mod_loop_a.ko mod_loop_a
mod kernel/drivers/mod_loop_b.ko mod_loop_b
mod kernel/drivers/mod_x.ko mod_x
# removal: waiting, holders, failures
mod kernel/drivers/mod_w.ko mod_w
mod kernel/drivers/mod_held.ko mod_held --export sym_h
mod kernel/drivers/mod_holder.ko mod_holder --import sym_h --modinfo depends=mod_held
mod kernel/drivers/mod_fail.ko mod_fail
mod kernel/drivers/mod_fail2.ko mod_fail2
# a file name with '-'
mod kernel/drivers/mod-dash.ko mod_dash
# compressed copies
for c in "xz --check=crc32 -c:xz" "zstd -q -c:zst" "gzip -n -c:gz"; do
	IFS=: read -r cmd ext <<<"$c"
	n=mod_$ext
	"$mkfixture" -o "$work/$n.ko" --this-module "$n" --modinfo license=GPL \
		--modinfo "vermagic=$K SMP mod_unload " --version 0x01020304:module_layout \
		--modinfo "name=$n"
	mkdir -p "$MD/kernel/comp"
	$cmd "$work/$n.ko" >"$MD/kernel/comp/$n.ko.$ext"
done
# built-in modules: one in modules.builtin (with an alias), one only in sysfs
mkdir -p "$base/sys/module/mod_bi/parameters" "$base/sys/module/mod_sysbi/parameters"
echo kernel/builtin/mod_bi.ko >"$MD/modules.builtin"
printf 'mod_bi.alias=bi-alias\0mod_bi.license=GPL\0' >"$MD/modules.builtin.modinfo"
(cd "$MD" && find kernel -name '*.ko*' | sed 's/\.ko\..*/.ko/' | sort >modules.order)
"$src/depmod" -b "$base" "$K" 2>depmod.err || { cat depmod.err; echo "depmod failed" >&2; exit 1; }

# Install commands call "modprobe" from PATH: each side its own.
mkdir -p bin-ours bin-ref
ln -s "$src/modprobe" bin-ours/modprobe
[ -n "$refmp" ] && ln -s "$refmp" bin-ref/modprobe
cat >"$CONF/test.conf" <<EOF
# a comment, then directives
alias my-alias mod_param
alias my-multi mod_pre
alias my-multi mod_post
alias cfg-wild* mod_wild2
alias wild-bl* mod_bl
options mod_param p_int=5 p_str="x y"
options mod_param p_more=7
options my-alias p_alias=1
options mod-dash dash_opt=1
install mod_inst echo "install \$MODPROBE_MODULE [\$CMDLINE_OPTS]" >>$R/cmds.log; modprobe --ignore-install mod_inst \$CMDLINE_OPTS
remove mod_rm echo "remove \$MODPROBE_MODULE" >>$R/cmds.log; modprobe -r --ignore-remove mod_rm
install virt-only echo "install \$MODPROBE_MODULE" >>$R/cmds.log
blacklist mod_bl
softdep mod_d pre: mod_pre post: mod_post
softdep mod_loop_a pre: mod_loop_b
softdep mod_loop_b pre: mod_loop_a
EOF
: >"$base/proc/modules"
: >"$base/proc/cmdline"

# ------------------------------------------------------------------ harness

SETUP=          # shell code run in each fresh root before the tool
CASE_ENV=()     # VAR=VALUE for the tool's environment
TIMEOUT=$((30 * wrap_slowdown)) # (longer under a wrapper: wrap.sh)
CASE=setup

refexe() {
	case $1 in
	lsmod) echo /usr/bin/lsmod ;;
	*) echo "/usr/sbin/$1" ;;
	esac
}

# loaded modules (initstate present) of the fake root, one per line
loaded() {
	local d
	for d in "$R"/sys/module/*/; do
		d=${d%/}
		if [ -f "$d/initstate" ]; then echo "${d##*/}"; fi
	done | sort
	return 0
}

# run SIDE TOOL ARGS...: the tool in a fresh $R (after SETUP); results in SIDE.*
# The tool runs in a session of its own: whatever it leaves running (install
# commands that go on) is killed when it is done or after TIMEOUT seconds.
run() {
	local side=$1 tool=$2 exe rc=0 sid
	shift 2
	if [ "$side" = ours ]; then exe=$src/$tool; else exe=$(refexe "$tool"); fi
	rm -rf "$R"
	cp -a "$base" "$R"
	if [ -n "$SETUP" ]; then eval "$SETUP"; fi
	env -C "$work/cwd" PATH="$work/bin-$side:$PATH" ${CASE_ENV[@]+"${CASE_ENV[@]}"} \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		FAKE_KERNEL_ROOT="$R" FAKE_KERNEL_RELEASE="$K" LD_PRELOAD="$fk" \
		setsid timeout -k 2 "$TIMEOUT" "$exe" "$@" >"$side.out" 2>"$side.err" </dev/null &
	sid=$!
	wait "$sid" || rc=$?
	# setsid made the tool's process group $sid (timeout keeps it)
	while kill -0 -- "-$sid" 2>/dev/null; do
		kill -KILL -- "-$sid" 2>/dev/null || true
		sleep 0.1
	done
	wait
	echo "$rc" >"$side.rc"
	if [ -f "$R/syscalls.log" ]; then cp "$R/syscalls.log" "$side.log"; else : >"$side.log"; fi
	if [ -f "$R/cmds.log" ]; then cp "$R/cmds.log" "$side.cmds"; else : >"$side.cmds"; fi
	loaded >"$side.state"
	# checksums of the images given to init_module
	if [ -d "$R/init_module" ]; then
		(cd "$R/init_module" && sha256sum -- *) >"$side.img"
	else
		: >"$side.img"
	fi
}

# t NAME STATUS TOOL ARGS...: a case with our TOOL; its exit status must be STATUS
t() {
	CASE=$1
	local status=$2
	CASE_TOOL=$3
	shift 3
	CASE_ARGS=("$@")
	checks=$((checks + 1))
	run ours "$CASE_TOOL" "$@"
	local got
	got=$(cat ours.rc)
	if [ "$got" != "$status" ]; then
		fail "exit status $got, expected $status"
		sed 's/^/    stderr: /' ours.err | head -5 || true
	fi
	return 0
}

# is WHAT: our WHAT (out, err, log, cmds, state) equals stdin
is() {
	local what=$1
	cat >expected.txt
	checks=$((checks + 1))
	if ! cmp -s expected.txt "ours.$what"; then
		fail "$what differs from the expected (- expected, + ours):"
		diff -u expected.txt "ours.$what" | tail -n +3 | head -20 | sed 's/^/    /' || true
	fi
	return 0
}
# has WHAT FIXED_STRING / hasnt WHAT FIXED_STRING
has() {
	checks=$((checks + 1))
	grep -qF -- "$2" "ours.$1" || { fail "$1 lacks '$2':"; head -10 "ours.$1" | sed 's/^/    /' || true; }
	return 0
}
hasnt() {
	checks=$((checks + 1))
	! grep -qF -- "$2" "ours.$1" || { fail "$1 has '$2':"; head -10 "ours.$1" | sed 's/^/    /' || true; }
	return 0
}

# The reference's stderr in our words: config messages (see the header);
# libkmod's messages lose their source location (`../libkmod/FILE.c:N FN() `),
# or with -libkmod, go (rmmod prints its own message after libkmod's).
norm_ref_err() {
	if [ "$2" = drop ]; then
		sed -E '/^[a-z]+: ERROR: \.\.\/libkmod\//d' "$1"
	else
		sed -E 's/^([a-z]+): ERROR: \.\.\/libkmod\/[^ ]+ [a-z_]+\(\) /\1: ERROR: /' "$1"
	fi | sed -E 's/^libkmod: ERROR [^ ]+ kmod_config_parse: /modprobe: ERROR: /'
}
# kmod 30 dumps `softdep M pre: A post: B` as `softdep M pre: Apost: B` (-c):
# compared with the space put back
norm_ref_out() {
	sed -E 's/^(softdep .*[^ ])(post:)/\1 \2/' "$1"
}

# same [-rc] [-out] [-err] [-log] [-cmds] [-state] [-img] [-libkmod]: the
# reference with the same setup and command; stdout, stderr, status,
# syscalls.log, cmds.log, loaded modules and the images given to init_module
# must equal ours (-X: that one not compared;
# -libkmod: libkmod's own messages dropped from the reference's stderr)
same() {
	[ -n "$refmp" ] || return 0
	local skip=" $* " what
	for what in out err rc log cmds state img; do cp "ours.$what" "keep.$what"; done
	run ref "$CASE_TOOL" "${CASE_ARGS[@]}"
	norm_ref_err ref.err "$([[ $skip == *" -libkmod "* ]] && echo drop)" >ref.err.n
	mv ref.err.n ref.err
	norm_ref_out ref.out >ref.out.n
	mv ref.out.n ref.out
	compared=$((compared + 1))
	for what in rc out err log cmds state img; do
		[[ $skip == *" -$what "* ]] && continue
		checks=$((checks + 1))
		if ! cmp -s "keep.$what" "ref.$what"; then
			fail "$what differs from the reference's (- reference, + ours):"
			diff -u "ref.$what" "keep.$what" | tail -n +3 | head -20 | sed 's/^/    /' || true
		fi
	done
	for what in out err rc log cmds state img; do mv "keep.$what" "ours.$what"; done
	return 0
}

# json NAME STATUS KIND TOOL ARGS...: ARGS hold --json; the case runs once
# without it, then with it, and the document (KIND: lsmod, show-depends)
# must parse and rebuild (testsuite/json-text.py) into that text output
json() {
	local name=$1 status=$2 kind=$3 tool=$4 a
	shift 4
	local plain=()
	for a in "$@"; do [ "$a" = --json ] || plain+=("$a"); done
	t "$name (text)" "$status" "$tool" "${plain[@]}"
	cp ours.out text.out
	cp ours.err text.err
	t "$name" "$status" "$tool" "$@"
	checks=$((checks + 1))
	if ! python3 "$json_text" "$kind" <ours.out >rendered.out; then
		fail "not a valid $kind document:"
		head -20 ours.out | sed 's/^/    /'
	elif ! cmp -s rendered.out text.out; then
		fail "the JSON rebuilt into text differs from the text output (- text, + from JSON):"
		diff -u text.out rendered.out | tail -n +3 | head -20 | sed 's/^/    /' || true
	fi
	checks=$((checks + 1))
	cmp -s ours.err text.err || fail "stderr differs from the text form's"
	return 0
}

# Fake kernel state for SETUP: loaded NAME [REFCNT [HOLDER...]]
fake_loaded() {
	local name=$1 refcnt=${2:-0} h
	shift 2 || shift $#
	mkdir -p "$R/sys/module/$name/holders"
	echo live >"$R/sys/module/$name/initstate"
	echo "$refcnt" >"$R/sys/module/$name/refcnt"
	for h in "$@"; do ln -s "../../$h" "$R/sys/module/$name/holders/$h"; done
	{
		printf '%s 16384 %s %s, Live 0x0000000000000000\n' "$name" "$refcnt" \
			"$(IFS=,; echo "${*:--}")" | sed 's/ -, / - /'
		cat "$R/proc/modules"
	} >"$R/proc/modules.new"
	mv "$R/proc/modules.new" "$R/proc/modules"
}

# fake_held NAME ANCHOR HOLDER...: NAME (loaded) is held by the HOLDERs; its
# refcnt and holders/ live in ANCHOR's sysfs directory, so that they go when
# ANCHOR is removed (the fake kernel keeps no reference counts itself). Once
# gone, refcnt cannot be read: the reference then leaves the module alone,
# where a real kernel would let it read 0; so these cases are not compared.
# fake_holders NAME ANCHOR HOLDER...: the same for holders/ only (refcnt 0).
fake_held() {
	local name=$1 anchor=$2 h d
	shift 2
	d=$R/sys/module/$anchor/.held-$name
	mkdir -p "$d/holders"
	echo $# >"$d/refcnt"
	for h in "$@"; do ln -s "../../../$h" "$d/holders/$h"; done
	rm -rf "$R/sys/module/$name/holders"
	ln -s "../$anchor/.held-$name/holders" "$R/sys/module/$name/holders"
	if [ -z "${HOLDERS_ONLY:-}" ]; then
		rm -f "$R/sys/module/$name/refcnt"
		ln -s "../$anchor/.held-$name/refcnt" "$R/sys/module/$name/refcnt"
	fi
}
fake_holders() { HOLDERS_ONLY=1 fake_held "$@"; }
P() { echo "$KD/kernel/$1"; }

# ================================================================ modprobe

# --- insertion: a chain, dependencies first, then the module with its
# softdeps around it (the reference's order)
t "chain with modinfo softdeps" 0 modprobe mod_c
is log <<'EOF'
finit_module mod_a "" 0
finit_module mod_b "" 0
finit_module mod_pre "" 0
finit_module mod_c "" 0
finit_module mod_post "" 0
EOF
is state <<'EOF'
mod_a
mod_b
mod_c
mod_post
mod_pre
EOF
is out </dev/null
is err </dev/null
same

t "-v prints the insmod lines" 0 modprobe -v mod_c
is out <<EOF
insmod $(P lib/mod_a.ko) 
insmod $(P lib/mod_b.ko) 
insmod $(P drivers/mod_pre.ko) 
insmod $(P drivers/mod_c.ko) 
insmod $(P drivers/mod_post.ko) 
EOF
same

SETUP='fake_loaded mod_a; fake_loaded mod_b'
t "already loaded dependencies are skipped" 0 modprobe mod_c
is log <<'EOF'
finit_module mod_pre "" 0
finit_module mod_c "" 0
finit_module mod_post "" 0
EOF
same
SETUP='fake_loaded mod_c'
t "a loaded module: nothing to do" 0 modprobe mod_c
is log </dev/null
is err </dev/null
same
t "--first-time on a loaded module" 1 modprobe --first-time mod_c
is log </dev/null
is err <<'EOF'
modprobe: ERROR: could not insert 'mod_c': Module already in kernel
EOF
same
SETUP=

t "-i: no softdeps of the named module" 0 modprobe -i mod_c
is log <<'EOF'
finit_module mod_a "" 0
finit_module mod_b "" 0
finit_module mod_c "" 0
EOF
same
t "--ignore-install: no config softdeps either" 0 modprobe --ignore-install mod_d
is log <<'EOF'
finit_module mod_a "" 0
finit_module mod_d "" 0
EOF
same
SETUP='mkdir -p "$R/fail"; echo "finit_module ENOSYS" >"$R/fail/mod_pre"'
t "finit_module ENOSYS: init_module instead" 0 modprobe mod_pre
is log <<'EOF'
finit_module mod_pre "" 0 = ENOSYS
init_module mod_pre ""
EOF
same
SETUP=
t "config softdeps" 0 modprobe mod_d
is log <<'EOF'
finit_module mod_a "" 0
finit_module mod_pre "" 0
finit_module mod_d "" 0
finit_module mod_post "" 0
EOF
same

t "-a: every argument a module" 0 modprobe -a mod_pre mod_post mod_a
is log <<'EOF'
finit_module mod_pre "" 0
finit_module mod_post "" 0
finit_module mod_a "" 0
EOF
same
t "without -a: the rest are parameters" 0 modprobe mod_pre mod_post mod_a
is log <<'EOF'
finit_module mod_pre "mod_post mod_a" 0
EOF
same
t "-a: a failure does not stop the rest" 1 modprobe -a mod_pre no_such_mod mod_post
is log <<'EOF'
finit_module mod_pre "" 0
finit_module mod_post "" 0
EOF
# with -a, "not found" is a warning (kmod 30)
is err <<EOF
modprobe: WARNING: Module no_such_mod not found in directory $KD
EOF
same

# --- lookups
t "name with '-'" 0 modprobe mod-dash
is log <<'EOF'
finit_module mod_dash "dash_opt=1 " 0
EOF
same
t "alias from modules.alias" 0 modprobe pci:v00001234d00005678sv00000001sd00000002bc03sc00i00
is state <<'EOF'
mod_a
mod_b
mod_c
mod_post
mod_pre
EOF
same
t "-R of a modalias" 0 modprobe -R pci:v00001234d00005678sv00000001sd00000002bc03sc00i00
is out <<'EOF'
mod_c
EOF
is log </dev/null
same
t "-R of a wildcard matching two modules" 0 modprobe -R fs-wildcat
is out <<'EOF'
mod_wild
mod_wild2
EOF
same
t "-R: config alias wins over modules.alias" 0 modprobe -R cfg-wild-x
is out <<'EOF'
mod_wild2
EOF
same
t "-R: [...] and ? patterns" 0 modprobe -a -R char-major-10-7 usb:v1p2
is out <<'EOF'
mod_wild
mod_wild
EOF
same
t "-R: config alias with two targets" 0 modprobe -R my-multi
is out <<'EOF'
mod_pre
mod_post
EOF
same
t "--resolve-alias, -a" 0 modprobe -a --resolve-alias my-alias my-multi
is out <<'EOF'
mod_param
mod_pre
mod_post
EOF
same
# (kmod 30 has no --show-alias)
t "--show-alias" 0 modprobe --show-alias my-alias
is out <<'EOF'
mod_param
EOF
t "-R of an install command without a module" 0 modprobe -R virt-only
same
t "install command without a module" 0 modprobe virt-only
is cmds <<'EOF'
install virt_only
EOF
same
t "-R of symbol:" 0 modprobe -R symbol:sym_b
is out <<'EOF'
mod_b
EOF
same
t "-R of a built-in module" 0 modprobe -R mod_bi
is out <<'EOF'
mod_bi
EOF
same
t "-R of a built-in alias" 0 modprobe -R bi-alias
is out <<'EOF'
mod_bi
EOF
same
t "-R not found" 1 modprobe -R no-such-alias
is out </dev/null
is err <<EOF
modprobe: FATAL: Module no-such-alias not found in directory $KD
EOF
same
t "-q -R not found" 1 modprobe -q -R no-such-alias
is err </dev/null
same
t "not found" 1 modprobe no_such_mod
is err <<EOF
modprobe: FATAL: Module no_such_mod not found in directory $KD
EOF
same
t "-q: no message, still exit 1" 1 modprobe -q no_such_mod
is err </dev/null
is out </dev/null
same
t "symbol: loads the exporter" 0 modprobe symbol:sym_a2
is log <<'EOF'
finit_module mod_a "" 0
EOF
same
t "built-in module: nothing to insert" 0 modprobe mod_bi
is log </dev/null
same
t "built-in alias" 0 modprobe bi-alias
is log </dev/null
same
t "--first-time on a built-in" 1 modprobe --first-time mod_bi
same
# a module coming up is not yet in the kernel for the reference: it asks
# the kernel, which says EEXIST (the fake kernel too)
SETUP='fake_loaded mod_pre; echo coming >"$R/sys/module/mod_pre/initstate"'
t "a module coming up: the kernel is asked" 0 modprobe -v mod_pre
is log <<'EOF'
finit_module mod_pre "" 0 = EEXIST
EOF
same
t "a module coming up, --first-time" 1 modprobe --first-time mod_pre
same
SETUP=

# --- names given as paths (newer kmod; kmod 30 looks them up as names and
# says "not found": not compared)
cp "$MD/kernel/drivers/mod_pre.ko" "$work/cwd/local_mod.ko"
t "./path" 0 modprobe ./local_mod.ko
is log <<'EOF'
finit_module mod_pre "" 0
EOF
is err </dev/null
t "/absolute path into the tree: its dependencies too" 0 modprobe "$KD/kernel/lib/mod_b.ko"
is log <<'EOF'
finit_module mod_a "" 0
finit_module mod_b "" 0
EOF
t "-D of a path" 0 modprobe -D "$work/cwd/local_mod.ko"
is out <<EOF
insmod $work/cwd/local_mod.ko 
EOF
t "-a of paths and names" 0 modprobe -a ./local_mod.ko mod_post
is log <<'EOF'
finit_module mod_pre "" 0
finit_module mod_post "" 0
EOF
t "missing path" 1 modprobe ./no_such_file.ko
is log </dev/null
has err "no_such_file"
hasnt err "Unknown symbol"

# --- parameters: config, /proc/cmdline, command line
t "options from the config" 0 modprobe mod_param
is log <<'EOF'
finit_module mod_param "p_int=5 p_str="x y" p_more=7 " 0
EOF
same
t "command-line parameters, a value with spaces quoted" 0 modprobe mod_param a=1 'b=two words' c
is log <<'EOF'
finit_module mod_param "p_int=5 p_str="x y" p_more=7 a=1 b="two words" c" 0
EOF
same
t "options of the alias used" 0 modprobe my-alias x=1
is log <<'EOF'
finit_module mod_param "p_int=5 p_str="x y" p_more=7 p_alias=1 x=1" 0
EOF
same
SETUP='printf "%s\n" "BOOT_IMAGE=/vmlinuz mod_param.p_cmd=1 \"mod_param.p_other=a b\" mod-dash.k=v modprobe.blacklist=mod_pre,mod_wild quiet" >"$R/proc/cmdline"'
t "/proc/cmdline options" 0 modprobe mod_param z=9
is log <<'EOF'
finit_module mod_param "p_int=5 p_str="x y" p_more=7 p_cmd=1 p_other="a b" z=9" 0
EOF
same
t "/proc/cmdline options of a name with '-'" 0 modprobe mod_dash
is log <<'EOF'
finit_module mod_dash "dash_opt=1 k=v " 0
EOF
same
t "/proc/cmdline modprobe.blacklist: an alias is blacklisted" 0 modprobe fs-wild-x
is log <<'EOF'
finit_module mod_wild2 "" 0
EOF
same
t "/proc/cmdline modprobe.blacklist: a name is not" 0 modprobe mod_wild
is log <<'EOF'
finit_module mod_wild "" 0
EOF
same
t "/proc/cmdline blacklist and softdeps" 0 modprobe mod_c
same
t "-c shows the command line's options and blacklist" 0 modprobe -c
has out "options mod_param p_cmd=1"
has out "blacklist mod_pre"
same
SETUP=

# --- blacklist: alias lookups only, unless -b
t "blacklist: explicit name loads" 0 modprobe mod_bl
is log <<'EOF'
finit_module mod_bl "" 0
EOF
same
t "blacklist: alias is skipped" 0 modprobe bl-alias
is log </dev/null
same
t "blacklist: -v of a blacklisted alias (kmod 30: prints nothing)" 0 modprobe -v bl-alias
is out </dev/null
same
t "blacklist: shared alias loads the others" 0 modprobe shared-alias
is log <<'EOF'
finit_module mod_ok "" 0
EOF
same
t "blacklist: -b applies to the name" 0 modprobe -b mod_bl
is log </dev/null
same
t "blacklist: config alias to a blacklisted module" 0 modprobe wild-bl-x
is log </dev/null
same
t "blacklist: -R ignores it" 0 modprobe -R bl-alias
is out <<'EOF'
mod_bl
EOF
same
t "blacklist: -D of the alias" 0 modprobe -D bl-alias
same
# the loaded state is checked before the blacklist (kmod 30)
SETUP='fake_loaded mod_bl'
t "blacklist: --first-time of a loaded module, -b" 1 modprobe --first-time -b mod_bl
is err <<'EOF'
modprobe: ERROR: could not insert 'mod_bl': Module already in kernel
EOF
is log </dev/null
same
t "blacklist: --first-time of a loaded module through an alias" 1 modprobe --first-time bl-alias
same
SETUP=

# --- install and remove commands
t "install command with \$CMDLINE_OPTS and MODPROBE_MODULE" 0 modprobe mod_inst foo=1 'bar=a b'
is cmds <<'EOF'
install mod_inst [foo=1 bar=a b]
EOF
is log <<'EOF'
finit_module mod_inst "foo=1 bar="a b"" 0
EOF
same
t "-i ignores the install command" 0 modprobe -i mod_inst
is cmds </dev/null
is log <<'EOF'
finit_module mod_inst "" 0
EOF
same
SETUP='fake_loaded mod_rm'
t "remove command" 0 modprobe -r mod_rm
is cmds <<'EOF'
remove mod_rm
EOF
is log <<'EOF'
delete_module mod_rm O_NONBLOCK
EOF
is state </dev/null
same
t "--ignore-remove ignores the remove command" 0 modprobe -r --ignore-remove mod_rm
is cmds </dev/null
same
t "-n -v shows the remove command" 0 modprobe -n -v -r mod_rm
is out <<EOF
remove echo "remove \$MODPROBE_MODULE" >>$R/cmds.log; modprobe -r --ignore-remove mod_rm
EOF
is log </dev/null
same
SETUP=
cat >"$work/fail.conf" <<'EOF'
install mod_pre exit 3
EOF
t "failing install command" 1 modprobe -C "$work/fail.conf" mod_pre
is log </dev/null
has err "mod_pre"
same
cat >"$work/two.conf" <<EOF
install mod_pre echo first >>$R/cmds.log
install mod_pre echo second >>$R/cmds.log
remove mod_pre echo rm-first >>$R/cmds.log
remove mod_pre echo rm-second >>$R/cmds.log
EOF
t "two install commands: the first counts" 0 modprobe -C "$work/two.conf" mod_pre
is cmds <<'EOF'
first
EOF
same
SETUP='fake_loaded mod_pre'
t "two remove commands: the first counts" 0 modprobe -C "$work/two.conf" -r mod_pre
is cmds <<'EOF'
rm-first
EOF
same
SETUP=

# --- -D, --show-depends
t "-D: chain and softdeps, trailing space" 0 modprobe -D mod_c
is out <<EOF
insmod $(P lib/mod_a.ko) 
insmod $(P lib/mod_b.ko) 
insmod $(P drivers/mod_pre.ko) 
insmod $(P drivers/mod_c.ko) 
insmod $(P drivers/mod_post.ko) 
EOF
is log </dev/null
same
SETUP='fake_loaded mod_a; fake_loaded mod_c'
t "-D ignores the loaded state" 0 modprobe --show-depends mod_c
is out <<EOF
insmod $(P lib/mod_a.ko) 
insmod $(P lib/mod_b.ko) 
insmod $(P drivers/mod_pre.ko) 
insmod $(P drivers/mod_c.ko) 
insmod $(P drivers/mod_post.ko) 
EOF
same
SETUP=
t "-D with options" 0 modprobe -D mod_param x='y z'
is out <<EOF
insmod $(P drivers/mod_param.ko) p_int=5 p_str="x y" p_more=7 x="y z"
EOF
same
t "-D of an install command" 0 modprobe -D mod_inst a=1
is out <<EOF
install echo "install \$MODPROBE_MODULE [\$CMDLINE_OPTS]" >>$R/cmds.log; modprobe --ignore-install mod_inst \$CMDLINE_OPTS a=1
EOF
is cmds </dev/null
same
t "-D of a built-in" 0 modprobe -D mod_bi
is out <<'EOF'
builtin mod_bi
EOF
same
t "-D of a built-in alias" 0 modprobe -D bi-alias
is out <<'EOF'
builtin mod_bi
EOF
same
t "-D -i" 0 modprobe -D -i mod_inst
is out <<EOF
insmod $(P drivers/mod_inst.ko) 
EOF
same
t "-D -a, initramfs-tools' call" 0 modprobe --all --set-version="$K" --ignore-install --quiet --show-depends mod_b mod_pre
is out <<EOF
insmod $(P lib/mod_a.ko) 
insmod $(P lib/mod_b.ko) 
insmod $(P drivers/mod_pre.ko) 
EOF
same

# --- -D --json (modprobe.8, JSON OUTPUT): the same steps as the lines
json "-D --json: chain and softdeps" 0 show-depends modprobe -D --json mod_c
has out '"action": "insmod"'
SETUP='fake_loaded mod_a; fake_loaded mod_c'
json "-D --json ignores the loaded state" 0 show-depends modprobe --show-depends --json mod_c
SETUP=
json "-D --json with options" 0 show-depends modprobe --json -D mod_param x='y z'
has out '"options": "p_int=5 p_str=\"x y\" p_more=7 x=\"y z\""'
json "-D --json of an install command" 0 show-depends modprobe -D --json mod_inst a=1
has out '"action": "install"'
has out '"target": true'
json "-D --json of a built-in" 0 show-depends modprobe -D --json mod_bi
is out <<'EOF'
{
  "schema": 1,
  "steps": [
    {
      "action": "builtin",
      "module": "mod_bi",
      "target": true
    }
  ]
}
EOF
json "-D --json -a" 0 show-depends modprobe --all --ignore-install --quiet --show-depends --json mod_b mod_pre mod_inst
json "-D --json of a blacklisted alias" 0 show-depends modprobe -D --json bl-alias
json "-D --json, a module not found" 1 show-depends modprobe -D --json no_such_mod
is out <<'EOF'
{
  "schema": 1,
  "steps": []
}
EOF
json "-D --json -a, one not found" 1 show-depends modprobe -a -D --json mod_b no_such_mod mod_pre
t "--json without -D" 1 modprobe --json mod_a
is out </dev/null
is log </dev/null
has err "--json"
t "--json with -R" 1 modprobe -R -D --json mod_a
is out </dev/null

# --- softdep loop and install-command loop must end
t "softdep loop" 0 modprobe mod_loop_a
is log <<'EOF'
finit_module mod_loop_b "" 0
finit_module mod_loop_a "" 0
EOF
same
t "softdep loop, -D" 0 modprobe -D mod_loop_b
same
# "modprobe" is each side's own (PATH); -C is given again, so that the
# nested calls read this config even without MODPROBE_OPTIONS. kmod 30 ends
# (exit 1) after about 13 levels and 15 s, when MODPROBE_OPTIONS, which
# doubles at each level, no longer fits in the environment: not compared.
# A modprobe that does not end spawns a process a few milliseconds: it is
# given 5 s (times wrap_slowdown), then killed with all it started.
cat >"$work/loop.conf" <<EOF
install mod_x modprobe -C $work/loop.conf mod_x
EOF
TIMEOUT=$((5 * wrap_slowdown))
CASE="install command calling modprobe for itself ends"
checks=$((checks + 1))
SECONDS=0
run ours modprobe -C "$work/loop.conf" mod_x
if [ "$(cat ours.rc)" -ge 124 ]; then
	fail "still running after $SECONDS s (exit status $(cat ours.rc)): killed"
fi
TIMEOUT=$((30 * wrap_slowdown))

# --- removal
SETUP='fake_loaded mod_a; fake_loaded mod_b; fake_loaded mod_c; fake_held mod_b mod_c mod_c; fake_held mod_a mod_b mod_b'
t "-r removes the dependencies" 0 modprobe -r mod_c
is log <<'EOF'
delete_module mod_c O_NONBLOCK
delete_module mod_b O_NONBLOCK
delete_module mod_a O_NONBLOCK
EOF
is state </dev/null
is err </dev/null
SETUP='fake_loaded mod_a; fake_loaded mod_d; fake_loaded mod_b; fake_loaded mod_c; fake_held mod_b mod_c mod_c; fake_held mod_a mod_d mod_b mod_d'
t "-r removes now-unused dependencies, keeps used ones" 0 modprobe -r mod_c
is log <<'EOF'
delete_module mod_c O_NONBLOCK
delete_module mod_b O_NONBLOCK
EOF
is state <<'EOF'
mod_a
mod_d
EOF
is err </dev/null
# compared: fixed reference counts, 0 but for mod_a, used by mod_d
SETUP='fake_loaded mod_a 1 mod_d; fake_loaded mod_d; fake_loaded mod_b; fake_loaded mod_c'
t "-r, reference counts that do not change" 0 modprobe -r mod_c
is log <<'EOF'
delete_module mod_c O_NONBLOCK
delete_module mod_b O_NONBLOCK
EOF
is state <<'EOF'
mod_a
mod_d
EOF
is err </dev/null
same
t "-r -v" 0 modprobe -r -v mod_c
same
t "-r -n: nothing removed" 0 modprobe -r -n -v mod_c
is log </dev/null
same
t "-r of a used module" 1 modprobe -r mod_a
is err <<'EOF'
modprobe: FATAL: Module mod_a is in use.
EOF
is log </dev/null
same
t "-r without -a: every argument too (kmod 30)" 0 modprobe -r mod_c mod_d
same
t "-r -a: every argument" 0 modprobe -r -a mod_c mod_d
same
t "-r -q of a used module: quiet, exit 1" 1 modprobe -r -q mod_a
is err </dev/null
same
SETUP='fake_loaded mod_a; fake_loaded mod_b; fake_loaded mod_c; fake_loaded mod_pre; fake_loaded mod_post; fake_held mod_b mod_c mod_c; fake_held mod_a mod_b mod_b'
t "-r with softdeps: post, module, dependencies, pre" 0 modprobe -r mod_c
is log <<'EOF'
delete_module mod_post O_NONBLOCK
delete_module mod_c O_NONBLOCK
delete_module mod_b O_NONBLOCK
delete_module mod_a O_NONBLOCK
delete_module mod_pre O_NONBLOCK
EOF
is state </dev/null
SETUP='fake_loaded mod_a 1 mod_b; fake_loaded mod_b; fake_loaded mod_c; fake_loaded mod_pre; fake_loaded mod_post'
t "-r with softdeps, fixed reference counts" 0 modprobe -r mod_c
is log <<'EOF'
delete_module mod_post O_NONBLOCK
delete_module mod_c O_NONBLOCK
delete_module mod_b O_NONBLOCK
delete_module mod_pre O_NONBLOCK
EOF
same
SETUP='fake_loaded mod_held 1 mod_holder; fake_loaded mod_holder'
t "-r of a module with holders fails" 1 modprobe -r mod_held
is log </dev/null
is err <<'EOF'
modprobe: FATAL: Module mod_held is in use.
EOF
same
# holders, reference count 0: the kernel refuses
SETUP='fake_loaded mod_held; fake_loaded mod_holder; fake_holders mod_held mod_holder mod_holder'
t "-r of a module with holders, refcnt 0" 1 modprobe -r mod_held
is log <<'EOF'
delete_module mod_held O_NONBLOCK = EAGAIN
EOF
same
# the holder goes first; its dependency mod_held, unused now, goes with it,
# so the removal of mod_held itself finds it gone: not an error (kmod 30:
# "could not remove 'mod_held': No such file or directory", exit 1)
t "--remove-holders" 0 modprobe -r --remove-holders mod_held
is log <<'EOF'
delete_module mod_holder O_NONBLOCK
delete_module mod_held O_NONBLOCK
delete_module mod_held O_NONBLOCK = ENOENT
EOF
is state </dev/null
is err </dev/null
same -rc -err
t "--remove-dependencies (old name of --remove-holders)" 0 modprobe -r --remove-dependencies mod_held
is state </dev/null
SETUP=
t "-r of a not loaded module" 0 modprobe -r mod_c
is log </dev/null
is err </dev/null
same
t "--first-time -r of a not loaded module" 1 modprobe --first-time -r mod_c
is err <<'EOF'
modprobe: FATAL: Module mod_c is not in kernel.
EOF
same
t "-r of a built-in module" 1 modprobe -r mod_bi
is err <<'EOF'
modprobe: FATAL: Module mod_bi is builtin.
EOF
same
t "-r of a module only in sysfs (not in modules.builtin): not found" 1 modprobe -r mod_sysbi
is log </dev/null
same
t "-r not found" 1 modprobe -r no_such_mod
same
# (the user goes away 0.3 s after the start, given 3 s; times wrap_slowdown)
unused_after=$((300 * wrap_slowdown))
unused_after=$((unused_after / 1000)).$(printf %03d $((unused_after % 1000)))
SETUP='fake_loaded mod_w 1; (sleep '$unused_after'; echo 0 >"$R/sys/module/mod_w/refcnt") &'
t "-w: waits until the module is unused" 0 modprobe -r -w $((3000 * wrap_slowdown)) mod_w
has log "delete_module mod_w O_NONBLOCK = EAGAIN"
checks=$((checks + 1))
[ "$(tail -n 1 ours.log)" = "delete_module mod_w O_NONBLOCK" ] ||
	fail "the last call is not a successful delete_module: $(tail -n 1 ours.log)"
is state </dev/null
same -log
SETUP='fake_loaded mod_w 1'
# kmod 30 gives up silently with exit status 0: not compared
t "-w 100 and a module that stays in use" 1 modprobe -r -w 100 mod_w
is state <<'EOF'
mod_w
EOF
has log "delete_module mod_w O_NONBLOCK = EAGAIN"
SETUP='fake_loaded mod_fail; echo "delete_module EBUSY" >"$R/fail/mod_fail"'
SETUP='mkdir -p "$R/fail"; '$SETUP
t "-r: kernel says EBUSY" 1 modprobe -r mod_fail
same
SETUP='fake_loaded mod_w'
t "-r -f: O_TRUNC" 0 modprobe -r -f mod_w
is log <<'EOF'
delete_module mod_w O_NONBLOCK|O_TRUNC
EOF
same
SETUP='fake_loaded mod_w 1'
t "-r -f of a module in use: refused before the kernel" 1 modprobe -r -f mod_w
is log </dev/null
same
SETUP=

# --- forcing
t "-f: both flags" 0 modprobe -f mod_b
is log <<'EOF'
finit_module mod_a "" 3
finit_module mod_b "" 3
EOF
same
t "--force-vermagic" 0 modprobe --force-vermagic mod_pre
is log <<'EOF'
finit_module mod_pre "" 2
EOF
same
t "--force-modversion" 0 modprobe --force-modversion mod_pre
is log <<'EOF'
finit_module mod_pre "" 1
EOF
same

# --- compressed modules: init_module with the decompressed image, unless
# the kernel decompresses that format (/sys/module/compression)
for ext in xz zst; do
	t "compressed .$ext: init_module" 0 modprobe mod_$ext
	is log <<EOF
init_module mod_$ext ""
EOF
	checks=$((checks + 1))
	cmp -s "$R/init_module/mod_$ext.ko" "$work/mod_$ext.ko" ||
		fail "the image given to init_module is not the decompressed file"
	same
	t "compressed .$ext, --force-modversion: __versions stripped" 0 modprobe --force-modversion mod_$ext
	same
done
SETUP='echo xz >"$R/sys/module/compression"'
t "compressed .xz, kernel decompresses xz: finit_module" 0 modprobe mod_xz
is log <<'EOF'
finit_module mod_xz "" 4
EOF
t "compressed .zst, kernel decompresses xz: init_module" 0 modprobe mod_zst
is log <<'EOF'
init_module mod_zst ""
EOF
SETUP=
if "$src/kmod" -V | grep -q '+ZLIB'; then
	t "compressed .gz: init_module" 0 modprobe mod_gz
	is log <<'EOF'
init_module mod_gz ""
EOF
fi

# --- kernel errors
for e in ENOEXEC EEXIST ENOENT EINVAL EPERM EBUSY ENOMEM ENOKEY EKEYREJECTED ESRCH ENOSPC; do
	SETUP='mkdir -p "$R/fail"; echo '$e' >"$R/fail/mod_fail"'
	st=1
	[ $e = EEXIST ] && st=0
	t "kernel error $e" $st modprobe mod_fail
	same
done
SETUP='mkdir -p "$R/fail"; echo EEXIST >"$R/fail/mod_fail"'
t "kernel EEXIST with --first-time" 1 modprobe --first-time mod_fail
same
SETUP='mkdir -p "$R/fail"; echo ENOEXEC >"$R/fail/mod_a"'
t "kernel error in a dependency stops" 1 modprobe mod_c
same
t "kernel error, -q" 1 modprobe -q mod_c
same
SETUP='mkdir -p "$R/fail"; echo ENOEXEC >"$R/fail/mod_pre"'
t "kernel error in a softdep is ignored" 0 modprobe mod_c
same
SETUP=

# --- -c, --showconfig
t "-c" 0 modprobe -c
has out "options mod_param p_int=5 p_str=\"x y\""
has out "blacklist mod_bl"
has out "softdep mod_c pre: mod_pre post: mod_post"
has out "# End of configuration files. Dumping indexes now:"
has out "alias fs_wild* mod_wild"
has out "alias symbol:sym_b mod_b"
same
t "--show-config -C FILE" 0 modprobe --show-config -C "$work/fail.conf"
hasnt out "blacklist mod_bl"
has out "install mod_pre exit 3"
same

# --- directives: bad lines, obsolete ones, weakdep, several softdep lines
mkdir -p "$work/conf.d"
cat >"$work/conf.d/a.conf" <<'EOF'
alias
options mod_pre
frobnicate mod_pre
include /etc/other.conf
config foo
blacklist
softdep mod_pre
EOF
t "bad directives: messages and go on" 0 modprobe -C "$work/conf.d" -c
has err "$work/conf.d/a.conf line 3"
same
cat >"$work/merge.conf" <<'EOF'
softdep mod_pre pre: mod_a
softdep mod_pre post: mod_post
weakdep mod_pre mod_b
EOF
# (weakdeps are not loaded by modprobe)
t "several softdep lines are merged (kmod 30: only the first)" 0 modprobe -C "$work/merge.conf" -D mod_pre
is out <<EOF
insmod $(P lib/mod_a.ko) 
insmod $(P drivers/mod_pre.ko) 
insmod $(P drivers/mod_post.ko) 
EOF
is err </dev/null
t "weakdep is a directive (kmod 30 rejects it)" 0 modprobe -C "$work/merge.conf" -c
has out "weakdep mod_pre mod_b"
is err </dev/null
# as kmod 34.2: blanks after the one ending the name make a weakdep line
# without dependencies, printed back with a space; nothing after it is bad
printf 'weakdep mod_pre  \nweakdep mod_post\nweakdep mod_x \t\n' >"$work/weak-empty.conf"
t "weakdep NAME and blanks (kmod 34.2)" 0 modprobe -C "$work/weak-empty.conf" -c
checks=$((checks + 1))
[ "$(grep '^weakdep' ours.out)" = "$(printf 'weakdep mod_pre \nweakdep mod_x ')" ] ||
	fail "weakdep lines: $(grep '^weakdep' ours.out | cat -A)"
is err <<EOF
modprobe: ERROR: $work/weak-empty.conf line 2: ignoring bad line starting with 'weakdep'
EOF
# -C twice, a directory and a file; sorting by basename, first wins
mkdir -p "$work/c1" "$work/c2"
echo 'options mod_pre from=c1' >"$work/c1/x.conf"
echo 'options mod_pre from=c2' >"$work/c2/x.conf"
echo 'options mod_pre also=c2' >"$work/c2/a.conf"
echo 'options mod_pre ignored=1' >"$work/c1/notconf"
t "-C DIR -C DIR: first same-named file wins" 0 modprobe -C "$work/c1" -C "$work/c2" -D mod_pre
is out <<EOF
insmod $(P drivers/mod_pre.ko) also=c2 from=c1 
EOF
same
# continued options lines: kmod passes and prints the text with its blanks
# (one space where a line ends in '\', tabs turned into spaces)
printf 'options mod_param p_int=1 \\\n   p_str=a\\\n\tp_more=2 \\\nx=3\noptions mod_param  y=4\n' \
	>"$work/cont.conf"
t "continued options lines keep their blanks (-D)" 0 modprobe -C "$work/cont.conf" -D mod_param
is out <<EOF
insmod $(P drivers/mod_param.ko) p_int=1    p_str=a p_more=2 x=3  y=4 
EOF
same
t "continued options lines keep their blanks (insert)" 0 modprobe -C "$work/cont.conf" mod_param
is log <<'EOF'
finit_module mod_param "p_int=1    p_str=a p_more=2 x=3  y=4 " 0
EOF
same
t "continued options lines keep their blanks (-c)" 0 modprobe -C "$work/cont.conf" -c
has out "options mod_param p_int=1    p_str=a p_more=2 x=3"
has out "options mod_param  y=4"
same

# --- -d, -S
alt=$work/alt
mkdir -p "$alt/lib/modules/9.9.9/kernel"
cp "$MD/kernel/drivers/mod_post.ko" "$alt/lib/modules/9.9.9/kernel/alt_mod.ko"
"$mkfixture" -o "$alt/lib/modules/9.9.9/kernel/alt_mod.ko" --this-module alt_mod --modinfo name=alt_mod
"$mkfixture" -o "$alt/lib/modules/9.9.9/kernel/alt_wd.ko" --this-module alt_wd --modinfo name=alt_wd \
	--modinfo weakdep=alt_mod --modinfo 'softdep=pre: alt_mod'
"$src/depmod" -b "$alt" 9.9.9 2>/dev/null
t "-d ROOT -S KVER" 0 modprobe -d "$alt" -S 9.9.9 -D alt_mod
is out <<EOF
insmod $alt/lib/modules/9.9.9/kernel/alt_mod.ko 
EOF
same
t "-d ROOT -S KVER: inserting" 0 modprobe -d "$alt" -S 9.9.9 alt_mod
is log <<'EOF'
finit_module alt_mod "" 0
EOF
same
t "--dirname --set-version, not found" 1 modprobe --dirname="$alt" --set-version=9.9.9 mod_c
is err <<EOF
modprobe: FATAL: Module mod_c not found in directory $alt/lib/modules/9.9.9
EOF
same
# /sys/module/NAME without initstate is a built-in of the running kernel,
# not of the -S one: "built-in" is what the module directory's
# modules.builtin says, so the module is inserted (the fake kernel answers
# EEXIST, which counts as loaded; with --first-time, as a failure)
SETUP='mkdir -p "$R/sys/module/alt_mod/parameters"'
for o in "" -b -i; do
	t "-S KVER: a sysfs directory without initstate is no built-in${o:+ ($o)}" 0 \
		modprobe $o -d "$alt" -S 9.9.9 alt_mod
	is log <<'EOF'
finit_module alt_mod "" 0 = EEXIST
EOF
	is err </dev/null
	same
done
t "-S KVER, --first-time: a sysfs directory without initstate is no built-in" 1 \
	modprobe --first-time -d "$alt" -S 9.9.9 alt_mod
is log <<'EOF'
finit_module alt_mod "" 0 = EEXIST
EOF
is err <<'EOF'
modprobe: ERROR: could not insert 'alt_mod': Module already in kernel
EOF
same
t "-S KVER -v: printed as inserted" 0 modprobe -v -d "$alt" -S 9.9.9 alt_mod
is out <<EOF
insmod $alt/lib/modules/9.9.9/kernel/alt_mod.ko 
EOF
same
SETUP=
t "modules.weakdep and modules.softdep are read as config (kmod 30: no weakdep)" 0 modprobe -d "$alt" -S 9.9.9 -c
has out "weakdep alt_wd alt_mod"
has out "softdep alt_wd pre: alt_mod"
t "-S only" 1 modprobe -S 9.9.9 mod_c
is err <<'EOF'
modprobe: FATAL: Module mod_c not found in directory /lib/modules/9.9.9
EOF
same
t "--dry-run, --show" 0 modprobe --dry-run --show mod_c
is log </dev/null
same
t "-n: dry run" 0 modprobe -n mod_c
is log </dev/null
is out </dev/null
same
t "-n -v" 0 modprobe -n -v mod_c
is log </dev/null
same

# --- MODPROBE_OPTIONS
CASE_ENV=(MODPROBE_OPTIONS=-q)
t "MODPROBE_OPTIONS=-q" 1 modprobe no_such_mod
is err </dev/null
same
CASE_ENV=("MODPROBE_OPTIONS=-C $work/fail.conf -v")
t "MODPROBE_OPTIONS='-C FILE -v'" 0 modprobe -n mod_pre
is out <<'EOF'
install exit 3 
EOF
same
mkdir -p "$work/c d"
echo 'options mod_pre from=spaced' >"$work/c d/x.conf"
# (kmod 30 splits it into "-C", "DIR/x.conf", "", "-D": not compared)
CASE_ENV=("MODPROBE_OPTIONS=-C '$work/c d/x.conf' -D")
t "MODPROBE_OPTIONS with a quoted argument" 0 modprobe mod_pre
is out <<EOF
insmod $(P drivers/mod_pre.ko) from=spaced 
EOF
CASE_ENV=("MODPROBE_OPTIONS=-b -q")
t "MODPROBE_OPTIONS=-b -q (initramfs-tools)" 0 modprobe mod_bl
is log </dev/null
same
CASE_ENV=()
cat >"$work/env.conf" <<EOF
install mod_pre echo "MODPROBE_OPTIONS=[\$MODPROBE_OPTIONS]" >>$R/cmds.log
EOF
t "-C, -q, -v passed on to install commands through MODPROBE_OPTIONS" 0 modprobe -q -v -C "$work/env.conf" mod_pre
is cmds <<EOF
MODPROBE_OPTIONS=[-q -v -C $work/env.conf]
EOF
same -out

# --- --dump-modversions, --show-exports
t "--dump-modversions" 0 modprobe --dump-modversions "$MD/kernel/lib/mod_b.ko"
is out <<'EOF'
0x11111111	sym_a
0x0badcafe	module_layout
EOF
same
t "--show-modversions of a compressed file" 0 modprobe --show-modversions "$MD/kernel/comp/mod_xz.ko.xz"
is out <<'EOF'
0x01020304	module_layout
EOF
same
t "--show-exports" 0 modprobe --show-exports "$MD/kernel/lib/mod_a.ko"
has out "0x11111111	sym_a"
has out "0x22222222	sym_a2"
same
t "--dump-modversions of a missing file" 1 modprobe --dump-modversions "$work/nothing.ko"
same -err

# --- -s, -V, -h, usage errors
t "-s: messages to syslog, none on stderr" 1 modprobe -s no_such_mod
is err </dev/null
same
t "-V" 0 modprobe -V
checks=$((checks + 1))
grep -qE '^[-+]ZSTD [-+]XZ [-+]ZLIB [-+]LIBCRYPTO$' ours.out || fail "no features line: $(cat ours.out)"
t "-h" 0 modprobe -h
# the text is our own: the options must be the reference's, and --json,
# --cert and --keyring (signature checks)
same -out
if [ -n "$refmp" ]; then
	checks=$((checks + 1))
	extra=$(comm -13 <(help_options <ref.out) <(help_options <ours.out) | tr '\n' ' ')
	missing=$(comm -23 <(help_options <ref.out) <(help_options <ours.out) | tr '\n' ' ')
	[ "$extra" = "--cert --json --keyring " ] && [ -z "$missing" ] ||
		fail "-h options: ours only: $extra; the reference's only: $missing"
fi
t "--help" 0 modprobe --help
has out "--show-depends"
t "no argument" 1 modprobe
is err <<'EOF'
modprobe: ERROR: missing parameters. See -h.
EOF
same
t "unknown option" 1 modprobe --no-such-option mod_pre
is log </dev/null
same -err

# ============================================================ insmod

t "insmod plain" 0 insmod "$MD/kernel/drivers/mod_pre.ko"
is log <<'EOF'
finit_module mod_pre "" 0
EOF
same
t "insmod parameters" 0 insmod "$MD/kernel/drivers/mod_param.ko" a=1 'b=x y' c
is log <<'EOF'
finit_module mod_param "a=1 b=x y c" 0
EOF
same
t "insmod ignores modprobe.d" 0 insmod "$MD/kernel/drivers/mod_inst.ko"
is cmds </dev/null
same
t "insmod -f" 0 insmod -f "$MD/kernel/drivers/mod_pre.ko"
is log <<'EOF'
finit_module mod_pre "" 3
EOF
same
# (kmod 30's insmod has neither --force-vermagic, --force-modversion nor -v)
t "insmod --force-vermagic" 0 insmod --force-vermagic "$MD/kernel/drivers/mod_pre.ko"
is log <<'EOF'
finit_module mod_pre "" 2
EOF
t "insmod --force-modversion" 0 insmod --force-modversion "$MD/kernel/drivers/mod_pre.ko"
is log <<'EOF'
finit_module mod_pre "" 1
EOF
t "insmod -v" 0 insmod -v "$MD/kernel/drivers/mod_pre.ko"
is log <<'EOF'
finit_module mod_pre "" 0
EOF
t "insmod -f of a compressed module: stripped image" 0 insmod -f "$MD/kernel/comp/mod_zst.ko.zst"
same
for ext in xz zst; do
	t "insmod .$ext" 0 insmod "$MD/kernel/comp/mod_$ext.ko.$ext"
	is log <<EOF
init_module mod_$ext ""
EOF
	same
done
if "$src/kmod" -V | grep -q '+ZLIB'; then
	t "insmod .gz" 0 insmod "$MD/kernel/comp/mod_gz.ko.gz"
	is log <<'EOF'
init_module mod_gz ""
EOF
fi
SETUP='echo zstd >"$R/sys/module/compression"'
t "insmod .zst, kernel decompresses zstd" 0 insmod "$MD/kernel/comp/mod_zst.ko.zst"
is log <<'EOF'
finit_module mod_zst "" 4
EOF
SETUP=
printf 'garbage, not ELF\n' >"$work/cwd/garbage.ko"
t "insmod garbage" 1 insmod garbage.ko
is err <<'EOF'
insmod: ERROR: could not insert module garbage.ko: Invalid module format
EOF
same
printf '\xfd7zXZ\0garbage' >"$work/cwd/garbage.ko.xz"
t "insmod corrupt .xz" 1 insmod garbage.ko.xz
is log </dev/null
same -err
t "insmod missing file" 1 insmod no_such.ko
is err <<'EOF'
insmod: ERROR: could not load module no_such.ko: No such file or directory
EOF
same
SETUP='fake_loaded mod_pre'
t "insmod loaded" 1 insmod "$MD/kernel/drivers/mod_pre.ko"
same
SETUP=
for e in ENOENT ESRCH EINVAL ENOKEY EPERM; do
	SETUP='mkdir -p "$R/fail"; echo '$e' >"$R/fail/mod_fail"'
	t "insmod kernel error $e" 1 insmod "$MD/kernel/drivers/mod_fail.ko"
	same
done
SETUP=
t "insmod without a file" 1 insmod
same

# ============================================================ rmmod

SETUP='fake_loaded mod_pre; fake_loaded mod_post'
t "rmmod" 0 rmmod mod_pre
is log <<'EOF'
delete_module mod_pre O_NONBLOCK
EOF
is state <<'EOF'
mod_post
EOF
same
t "rmmod two" 0 rmmod mod_pre mod_post
is state </dev/null
same
t "rmmod path argument" 0 rmmod "$MD/kernel/drivers/mod_pre.ko"
is log <<'EOF'
delete_module mod_pre O_NONBLOCK
EOF
same
t "rmmod -v" 0 rmmod -v mod_pre
same
SETUP='fake_loaded mod_dash'
t "rmmod name with '-'" 0 rmmod mod-dash
is state </dev/null
same
t "rmmod path with '-'" 0 rmmod "$MD/kernel/drivers/mod-dash.ko"
is state </dev/null
same
SETUP=
t "rmmod not loaded" 1 rmmod mod_pre
is err <<'EOF'
rmmod: ERROR: Module mod_pre is not currently loaded
EOF
same
SETUP='fake_loaded mod_held 1 mod_holder; fake_loaded mod_holder; fake_loaded mod_w 2'
t "rmmod holders" 1 rmmod mod_held
is err <<'EOF'
rmmod: ERROR: Module mod_held is in use by: mod_holder
EOF
is log </dev/null
same
t "rmmod in use" 1 rmmod mod_w
is err <<'EOF'
rmmod: ERROR: Module mod_w is in use
EOF
same
t "rmmod keeps going after a failure" 1 rmmod mod_pre mod_held mod_holder
is log <<'EOF'
delete_module mod_holder O_NONBLOCK
EOF
same
t "rmmod -f" 0 rmmod -f mod_w
is log <<'EOF'
delete_module mod_w O_NONBLOCK|O_TRUNC
EOF
same
SETUP='fake_loaded mod_fail; mkdir -p "$R/fail"; echo EBUSY >"$R/fail/mod_fail"'
t "rmmod kernel error" 1 rmmod mod_fail
is err <<'EOF'
rmmod: ERROR: could not remove module mod_fail: Device or resource busy
EOF
same -libkmod
SETUP=
t "rmmod built-in" 1 rmmod mod_bi
same
t "rmmod of a sysfs directory without initstate: built-in" 1 rmmod mod_sysbi
is err <<'EOF'
rmmod: ERROR: Module mod_sysbi is builtin.
EOF
t "rmmod without a name" 1 rmmod
same

# ============================================================ lsmod

SETUP='fake_loaded mod_a 2 mod_b mod_d; fake_loaded mod_b 1 mod_c; fake_loaded mod_d; fake_loaded mod_c; fake_loaded a_module_with_a_long_name_x'
t "lsmod" 0 lsmod
is out <<'EOF'
Module                  Size  Used by
a_module_with_a_long_name_x    16384  0
mod_c                  16384  0
mod_d                  16384  0
mod_b                  16384  1 mod_c
mod_a                  16384  2 mod_b,mod_d
EOF
same
SETUP=
t "lsmod, nothing loaded" 0 lsmod
is out <<'EOF'
Module                  Size  Used by
EOF
same
SETUP='fake_loaded mod_a; fake_loaded mod_b; rm -rf "$R/sys/module/mod_b"'
t "lsmod skips a module that vanished (kmod 30 prints -2)" 0 lsmod
is out <<'EOF'
Module                  Size  Used by
mod_a                  16384  0
EOF
SETUP=
t "kmod list" 0 kmod list
is out <<'EOF'
Module                  Size  Used by
EOF

# --- lsmod --json (lsmod.8)
SETUP='fake_loaded mod_a 2 mod_b mod_d; fake_loaded mod_b 1 mod_c; fake_loaded mod_d; fake_loaded mod_c; fake_loaded a_module_with_a_long_name_x'
json "lsmod --json" 0 lsmod lsmod --json
is out <<'EOF'
{
  "schema": 1,
  "modules": [
    {
      "name": "a_module_with_a_long_name_x",
      "size": 16384,
      "refcount": 0,
      "holders": [],
      "state": "live"
    },
    {
      "name": "mod_c",
      "size": 16384,
      "refcount": 0,
      "holders": [],
      "state": "live"
    },
    {
      "name": "mod_d",
      "size": 16384,
      "refcount": 0,
      "holders": [],
      "state": "live"
    },
    {
      "name": "mod_b",
      "size": 16384,
      "refcount": 1,
      "holders": [
        "mod_c"
      ],
      "state": "live"
    },
    {
      "name": "mod_a",
      "size": 16384,
      "refcount": 2,
      "holders": [
        "mod_b",
        "mod_d"
      ],
      "state": "live"
    }
  ]
}
EOF
json "kmod list --json" 0 lsmod kmod list --json
SETUP='fake_loaded mod_a; fake_loaded mod_b; echo coming >"$R/sys/module/mod_b/initstate"; fake_loaded mod_c; rm -rf "$R/sys/module/mod_c"'
json "lsmod --json: a module coming, one vanished" 0 lsmod lsmod --json
has out '"state": "coming"'
hasnt out mod_c
SETUP=
json "lsmod --json, nothing loaded" 0 lsmod lsmod --json
is out <<'EOF'
{
  "schema": 1,
  "modules": []
}
EOF
t "lsmod with an argument: kmod 30's usage line" 1 lsmod mod_a
checks=$((checks + 1))
grep -qx "Usage: .*/lsmod" ours.err || fail "stderr: $(cat ours.err)"
is out </dev/null
t "lsmod --help" 0 lsmod --help
has out "--json"
is err </dev/null

# ============================================ every module built in

# A module directory without a single module file: depmod writes indexes with
# no entries (modules.dep.bin is the 12-byte header, its root word pointing at
# the end of the file), which must read as empty, not as corrupt.
base=$work/base-builtin
MD=$base/lib/modules/$K
mkdir -p "$MD" "$base/etc/modprobe.d" "$base/proc" "$base/sys/module/mod_bi/parameters"
printf 'kernel/builtin/mod_bi.ko\nkernel/builtin/mod_bi2.ko\n' >"$MD/modules.builtin"
printf 'mod_bi.alias=bi-alias\0mod_bi.license=GPL\0mod_bi.description=all built in\0' \
	>"$MD/modules.builtin.modinfo"
: >"$MD/modules.order"
: >"$base/proc/modules"
: >"$base/proc/cmdline"
"$src/depmod" -b "$base" "$K" 2>depmod.err || { cat depmod.err; echo "depmod failed" >&2; exit 1; }
CASE="all built in: modules.dep.bin has no entries"
checks=$((checks + 1))
[ "$(od -An -tx1 "$MD/modules.dep.bin" | tr -d ' \n')" = b007f457000200010000000c ] ||
	fail "modules.dep.bin is not the bare header: $(od -An -tx1 "$MD/modules.dep.bin")"
SETUP=
t "all built in: modprobe of a built-in" 0 modprobe mod_bi
is out </dev/null
is err </dev/null
is log </dev/null
same
t "all built in: modprobe -R" 0 modprobe -R mod_bi
is out <<'EOF'
mod_bi
EOF
same
t "all built in: modprobe -R of a built-in's alias" 0 modprobe -R bi-alias
is out <<'EOF'
mod_bi
EOF
same
t "all built in: modprobe -D of one without modinfo" 0 modprobe -D mod_bi2
is out <<'EOF'
builtin mod_bi2
EOF
same
t "all built in: modprobe of a module that is not there" 1 modprobe mod_none
is err <<EOF
modprobe: FATAL: Module mod_none not found in directory $KD
EOF
same
t "all built in: modprobe -r of a built-in" 1 modprobe -r mod_bi
same
t "all built in: modprobe -c dumps no index entry" 0 modprobe -c
hasnt out "alias "
has out "# End of configuration files. Dumping indexes now:"
same
t "all built in: modinfo of a built-in" 0 modinfo mod_bi
is out <<'EOF'
name:           mod_bi
filename:       (builtin)
alias:          bi-alias
license:        GPL
description:    all built in
EOF
same
t "all built in: modinfo -F filename of a built-in alias" 0 modinfo -F filename bi-alias
is out <<'EOF'
(builtin)
EOF
same

# a skip is a choice: a failure with KMODLITE_ALLOW_SKIP=0 (tools/test)
if [ -z "$refmp" ]; then
	echo "SKIP: no /usr/sbin/modprobe: the comparisons with the reference were skipped"
	[ "${KMODLITE_ALLOW_SKIP:-1}" = 1 ] || { echo "FAIL: skipped, and KMODLITE_ALLOW_SKIP is not 1"; failures=$((failures + 1)); }
fi
echo "modprobe tool tests: $checks checks, $failures failures, $compared compared with the reference${refmp:+ ($refmp)}"
[ $failures = 0 ]
