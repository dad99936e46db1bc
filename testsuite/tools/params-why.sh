#!/bin/bash
# Tool tests of `kmod params` and `kmod why` under the fake kernel
# (testsuite/fake-kernel: /sys, /proc, /lib/modules and modprobe.d redirected
# into a directory), on synthetic modules (mkfixture) indexed by our depmod.
#
#   params-why.sh BUILD_DIR
#
# params: the listing (sysfs values, modinfo types and descriptions,
# writability, next-load values from modprobe.d and the kernel command
# line), writes read back, and every refusal (not loaded, unknown, read-only,
# invalid per type, rejected by the "kernel": a parameter file that is a
# link to /dev/full, whose writes fail with ENOSPC) with nothing written when
# any assignment is refused. why: resolution (name, modules.alias pattern,
# config alias with FILE:LINE, symbol, install command, built-in), the
# configuration lines with FILE:LINE, the edges and their symbols, and the
# steps it announces for `modprobe NAME` / `modprobe -b NAME` against what
# our modprobe then does under the fake kernel. Every --json form is parsed
# by python3's json module.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "params-why.sh: python3 is needed to parse --json" >&2; exit 1; }
tool_test_begin "$1"

# expect DESCRIPTION CONDITION...: one check
expect() {
	local what=$1
	shift
	checks=$((checks + 1))
	if ! "$@"; then fail "$what"; fi
}
has() { grep -qxF -- "$1" out; }      # a whole line of the output
has_err() { grep -qF -- "$1" err; }   # part of a line of stderr

mod() {
	local rel=$1 name=$2
	shift 2
	mkdir -p "$(dirname "$MD/$rel")"
	"$mkfixture" -o "$MD/$rel" --this-module "$name" --modinfo license=GPL \
		--modinfo "vermagic=$K SMP mod_unload " "$@" --modinfo "name=$name"
}
mkdir -p "$MD" "$CONF" "$base/proc" "$base/sys/module"
mod kernel/lib/mod_a.ko mod_a --export sym_a --export sym_a2
mod kernel/lib/mod_b.ko mod_b --import sym_a --import sym_a2 --import printk --export sym_b \
	--modinfo depends=mod_a
mod kernel/drivers/mod_c.ko mod_c --import sym_b --modinfo depends=mod_b \
	--modinfo 'alias=pci:v00001234d*sv*sd*bc*sc*i*' --modinfo 'softdep=pre: mod_pre'
mod kernel/drivers/mod_pre.ko mod_pre
mod kernel/drivers/mod_inst.ko mod_inst
mod kernel/drivers/mod_bl.ko mod_bl --modinfo alias=bl-alias
mod kernel/drivers/mod_d.ko mod_d --import sym_a --modinfo depends=mod_a
mod kernel/drivers/mod_param.ko mod_param \
	--modinfo 'parm=p_int:An integer' --modinfo parmtype=p_int:int \
	--modinfo 'parm=p_str:A string' --modinfo parmtype=p_str:charp \
	--modinfo parmtype=p_byte:byte --modinfo parmtype=p_bool:bool \
	--modinfo parmtype=p_ulong:ulong --modinfo parmtype=p_short:short \
	--modinfo 'parmtype=p_arr:array of int' --modinfo parmtype=p_ro:int \
	--modinfo 'parm=p_hidden:Only at load time' --modinfo parmtype=p_hidden:int \
	--modinfo parmtype=p_rej:int
echo kernel/builtin/mod_bi.ko >"$MD/modules.builtin"
printf 'mod_bi.parm=bi_p:A built-in knob\0mod_bi.parmtype=bi_p:uint\0mod_bi.alias=bi-alias\0' \
	>"$MD/modules.builtin.modinfo"
(cd "$MD" && find kernel -name '*.ko' | sort >modules.order)
"$src/depmod" -b "$base" "$K" 2>depmod.err || { cat depmod.err; exit 1; }

cat >"$CONF/test.conf" <<'EOF'
# comment
options mod_param p_int=5 p_str="from config"
blacklist mod_bl
install mod_inst echo "install $MODPROBE_MODULE" >>/tmp/never
alias my-alias mod_d
softdep mod_d pre: mod_pre
weakdep mod_d mod_inst
options mod_param p_byte=3
EOF
echo 'quiet mod_param.p_byte=4 mod_bi.bi_p=2 modprobe.blacklist=mod_pre' >"$base/proc/cmdline"
: >"$base/proc/modules"

# mod_param loaded, with its parameters in sysfs
P=$base/sys/module/mod_param/parameters
mkdir -p "$P"
echo live >"$base/sys/module/mod_param/initstate"
echo 0 >"$base/sys/module/mod_param/refcnt"
param() { printf '%s\n' "$2" >"$P/$1"; chmod "$3" "$P/$1"; }
param p_int 1 0644
param p_str default 0644
param p_byte 0 0644
param p_bool N 0644
param p_ulong 0 0644
param p_short 0 0644
param p_arr 1,2 0644
param p_ro 9 0444
param p_untyped abc 0644
ln -s /dev/full "$P/p_rej"
# a built-in module with a parameter in sysfs (no initstate)
mkdir -p "$base/sys/module/mod_bi/parameters"
printf '7\n' >"$base/sys/module/mod_bi/parameters/bi_p"

# run ARGS...: kmod in a fresh copy of the fake root; out, err, rc
run() {
	rm -rf "$R"
	cp -a "$base" "$R"
	rc=0
	FAKE_KERNEL_ROOT="$R" FAKE_KERNEL_RELEASE="$K" LD_PRELOAD="$fk" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$src/kmod" "$@" >out 2>err || rc=$?
}
# json_ok: the output is one valid JSON document, schema 1
json_ok() {
	python3 -c 'import json,sys; d=json.load(open("out")); sys.exit(0 if d.get("schema")==1 else 1)'
}
# jq_py EXPR: python expression on the document d, printed
jq_py() { python3 -c "import json; d=json.load(open('out')); print($1)"; }
sysval() { cat "$R/sys/module/mod_param/parameters/$1"; }

# ------------------------------------------------------------------ params
CASE="params listing"
run params mod_param
expect "rc 0 (rc $rc: $(cat err))" [ $rc = 0 ]
expect "header" has "mod_param: live, 11 parameters"
expect "p_int value" has "p_int=1"
expect "p_int type" has "    type: int, writable (0644)"
expect "p_int description" has "    description: An integer"
expect "p_int next load (config)" has "    next load: 5 (/etc/modprobe.d/test.conf:2)"
expect "p_str next load (quotes removed)" has "    next load: from config (/etc/modprobe.d/test.conf:2)"
expect "p_byte next load (kernel command line wins)" has "    next load: 4 (kernel command line)"
expect "p_ro read-only" has "    type: int, read-only (0444)"
expect "p_hidden no sysfs" has "p_hidden (no sysfs file: given at load time only)"
expect "p_untyped" has "    type: (not declared), writable (0644)"
expect "p_arr" has "p_arr=1,2"

CASE="params listing --json"
run params --json mod_param
expect "valid ($(head -c 300 out))" json_ok
expect "11 parameters" [ "$(jq_py 'len(d["parameters"])')" = 11 ]
expect "p_int member" [ "$(jq_py '[p for p in d["parameters"] if p["name"]=="p_int"][0]["next_load"]["line"]')" = 2 ]
expect "p_hidden member" [ "$(jq_py '[p for p in d["parameters"] if p["name"]=="p_hidden"][0]["in_sysfs"]')" = False ]

CASE="params built-in"
run params mod_bi
expect "rc 0 (rc $rc: $(cat err))" [ $rc = 0 ]
expect "header" has "mod_bi: builtin, 1 parameter"
expect "type from modules.builtin.modinfo" has "    type: uint, writable (0644)"
expect "next load from the kernel command line only" has "    next load: 2 (kernel command line)"
run params --json mod_bi
expect "json" json_ok

CASE="params set"
run params mod_param p_int=0x10 p-str=hello p_arr=3,-4,05 p_bool=on p_untyped=anything
expect "rc 0 (rc $rc: $(cat err))" [ $rc = 0 ]
expect "p_int written" [ "$(sysval p_int)" = 0x10 ]
expect "p_str written (dash = underscore)" [ "$(sysval p_str)" = hello ]
expect "p_untyped written unchecked" [ "$(sysval p_untyped)" = anything ]
expect "report" has "p_int: 1 -> 0x10"
expect "report of p_str" has "p_str: default -> hello"
run params --json mod_param p_int=7
expect "json" json_ok
expect "json change" [ "$(jq_py 'd["changes"][0]["old"]+">"+d["changes"][0]["new"]')" = "1>7" ]

CASE="params refusals, nothing written"
for a in "p_int=abc" "p_int=2147483648" "p_int=08" "p_int=" "p_byte=256" "p_byte=-1" \
	"p_short=-32769" "p_ulong=18446744073709551616" "p_bool=maybe" "p_arr=1,x" \
	"p_ro=1" "p_hidden=1" "nosuch=1" "p_int"; do
	run params mod_param p_str=changed "$a"
	expect "$a: rc 1 (rc $rc)" [ $rc = 1 ]
	expect "$a: p_str untouched" [ "$(sysval p_str)" = default ]
	expect "$a: one message ($(cat err))" [ "$(grep -c ERROR err)" = 1 ]
done
run params mod_param p_int=abc
expect "invalid message ($(cat err))" has_err "invalid value 'abc' for parameter p_int of mod_param (int): not a number of that type"
run params mod_param p_ro=1
expect "read-only message ($(cat err))" has_err "parameter p_ro of mod_param is read-only (0444)"
run params mod_param nosuch=1
expect "unknown message ($(cat err))" has_err "module mod_param has no parameter 'nosuch'"
run params --json mod_param p_ro=1 nosuch=2
expect "json" json_ok
expect "json errors" [ "$(jq_py '",".join(e["error"] for e in d["errors"])')" = "read-only,unknown" ]
# accepted forms
for a in p_int=-2147483648 p_int=+5 p_int=0x7fffffff p_int=017 p_byte=255 p_bool=Y p_bool=0 \
	p_bool=off p_ulong=18446744073709551615 "p_str=a b" p_arr=7; do
	run params mod_param "$a"
	expect "$a accepted (rc $rc: $(cat err))" [ $rc = 0 ]
done

CASE="params not loaded"
run params mod_a
expect "rc 1" [ $rc = 1 ]
expect "message ($(cat err))" has_err "module mod_a is not loaded"
run params --json mod_a p_x=1
expect "json" json_ok
expect "json error" [ "$(jq_py 'd["errors"][0]["error"]')" = not-loaded ]

CASE="params kernel rejection"
run params mod_param p_int=3 p_rej=1
expect "rc 1" [ $rc = 1 ]
expect "message ($(cat err))" has_err "the kernel rejected p_rej=1 for mod_param: No space left on device"
expect "earlier written" [ "$(sysval p_int)" = 3 ]
expect "said so" has_err "1 of 2 assignments were written before that"
run params --json mod_param p_rej=1
expect "json" json_ok
expect "json error" [ "$(jq_py 'd["errors"][0]["error"]')" = rejected ]

# --------------------------------------------------------------------- why

# inserted: the modules our modprobe inserts, from the fake kernel's log
inserted() { sed -n 's/^finit_module \([^ ]*\) .*/\1/p; s/^init_module \([^ ]*\) .*/\1/p' "$R/syscalls.log" 2>/dev/null | tr '\n' ' '; }
# announced: the modules why says `modprobe [-b]` inserts
announced() { # HEADER
	sed -n "/^$1 would:\$/,/^\$/p" out | sed -n 's|^  insert .*/\([^/]*\)\.ko.*|\1|p' | tr '\n' ' '
}
# agree NAME [MODPROBE OPTIONS]: why's steps for both forms and what modprobe does
agree() {
	local name=$1 a b
	run why "$name"
	[ $rc = 0 ] || { fail "why $name: rc $rc: $(cat err)"; return; }
	a=$(announced "modprobe $name")
	b=$(announced "modprobe -b $name")
	cp out why.out
	run modprobe "$name"
	checks=$((checks + 1))
	[ "$a" = "$(inserted)" ] || fail "why $name announced '$a', modprobe inserted '$(inserted)'"
	run modprobe -b "$name"
	checks=$((checks + 1))
	[ "$b" = "$(inserted)" ] || fail "why $name: -b announced '$b', modprobe -b inserted '$(inserted)'"
	cp why.out out
}

CASE="why by name, dependencies and symbols"
agree mod_c
expect "resolution" has "resolved by: a module of that name (modules.dep)"
expect "edge c->b" has "  mod_c -> mod_b: sym_b"
expect "edge b->a, two symbols" has "  mod_b -> mod_a: sym_a sym_a2"
expect "softdep from modinfo" grep -q "modules.softdep:[0-9]*: softdep mod_c pre: mod_pre" out
expect "cmdline blacklist of a softdep" has "  kernel command line: modprobe.blacklist=mod_pre"
expect "plan" has "  insert /lib/modules/$K/kernel/lib/mod_a.ko"

CASE="why through a modules.alias pattern"
agree pci:v00001234d00000001sv0sd0bc0sc0i0
expect "resolution" has "resolved by: a pattern of modules.alias"
expect "pattern" has "  alias pci:v00001234d*sv*sd*bc*sc*i* mod_c"

CASE="why through a config alias, softdep and weakdep lines"
agree my-alias
expect "resolution" has "resolved by: an alias of the configuration"
expect "alias line" has "  /etc/modprobe.d/test.conf:5: alias my_alias mod_d"
expect "softdep line" has "  /etc/modprobe.d/test.conf:6: softdep mod_d pre: mod_pre"
expect "weakdep line" has "  /etc/modprobe.d/test.conf:7: weakdep mod_d mod_inst"

CASE="why on a blacklisted module"
agree bl-alias
expect "blacklist line" has "  /etc/modprobe.d/test.conf:3: blacklist mod_bl"
expect "through the alias: nothing" has "  nothing: mod_bl is blacklisted and was asked for through an alias"
agree mod_bl
expect "-b by name: nothing" has "  nothing: mod_bl is blacklisted"

CASE="why on an install command"
run why mod_inst
expect "install line" has "  /etc/modprobe.d/test.conf:4: install mod_inst echo \"install \$MODPROBE_MODULE\" >>/tmp/never"
expect "announced" has "  run install command of mod_inst: echo \"install \$MODPROBE_MODULE\" >>/tmp/never"
run modprobe -n -v mod_inst
expect "modprobe agrees ($(cat out))" grep -qF "install echo \"install \$MODPROBE_MODULE\" >>/tmp/never" out

CASE="why symbol:, built-in, loaded, not found"
agree symbol:sym_b
expect "resolution" has "  sym_b is exported by mod_b"
run why mod_bi
expect "built-in" has "resolved by: a module built into the kernel (modules.builtin)"
expect "already" has "  nothing: mod_bi is already in the kernel (built in)"
expect "cmdline options" has "  kernel command line: mod_bi.bi_p=2"
run why mod_param
expect "loaded" has "  mod_param: live"
expect "nothing to do" has "  nothing: mod_param is already in the kernel"
run why 'no[such'
expect "a name no config line can hold: reported, rc 1 ($(cat err))" [ $rc = 1 -a ! -s err ]
run why no-such-thing
expect "not found: rc 1" [ $rc = 1 ]
expect "not found" has "resolved by: nothing: modprobe would fail with \"not found\""

CASE="why --json"
for n in mod_c pci:v00001234d00000001sv0sd0bc0sc0i0 my-alias bl-alias mod_inst symbol:sym_b \
	mod_bi mod_param no-such-thing 'no[such'; do
	run why --json "$n"
	expect "$n: valid ($(head -c 200 out))" json_ok
done
run why --json my-alias
expect "config member" [ "$(jq_py '[(c["directive"],c["line"]) for c in d["config"]][0]')" = "('alias', 5)" ]
run why --json mod_c
expect "edges" [ "$(jq_py '[e["symbols"] for e in d["dependencies"] if e["module"]=="mod_b"][0]')" = "['sym_a', 'sym_a2']" ]
expect "steps" [ "$(jq_py '[s["module"] for s in d["modprobe"]]')" = "['mod_a', 'mod_b', 'mod_pre', 'mod_c']" ]

CASE="options"
run why -C "$R/etc/modprobe.d/test.conf" -S "$K" -d "$R" my-alias
expect "-C -S -d (rc $rc: $(cat err))" [ $rc = 0 ]
expect "-C: the file's line" has "  $R/etc/modprobe.d/test.conf:5: alias my_alias mod_d"
expect "-d: the tree's module" has "module: mod_d ($R/lib/modules/$K/kernel/drivers/mod_d.ko)"
run params -C /dev/null mod_param
expect "params -C (rc $rc: $(cat err))" [ $rc = 0 ]
expect "params -C: only the command line" has "    next load: 4 (kernel command line)"
expect "params -C: no config line" sh -c '! grep -q test.conf out'
run why
expect "no name: rc 1" [ $rc = 1 ]
run params
expect "no module: rc 1" [ $rc = 1 ]

echo "params-why: $checks checks, $failures failures"
[ $failures = 0 ]
