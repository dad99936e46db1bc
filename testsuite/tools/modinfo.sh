#!/bin/bash
# Tool tests of modinfo on synthetic modules (made by mkfixture): output
# layout, options, compressed files, errors. Where Debian's kmod is
# installed, each case is also compared with the reference's output.
#
#   modinfo.sh BUILD_DIR
set -euo pipefail
. "$(dirname "$0")/wrap.sh"
json_text=$(cd "$(dirname "$0")/.." && pwd)/json-text.py
build=$(cd "$1" && pwd)
mkfixture=$build/testsuite/mkfixture
ref=/usr/sbin/modinfo
[ -x "$ref" ] || ref=
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# our binary, through $KMODLITE_TEST_WRAPPER if set (wrap.sh)
kmod=$(wrapped_dir "$build/src" "$work/wrap")/kmod
ln -s "$kmod" modinfo
ours=$work/modinfo
failures=0
checks=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect NAME EXPECTED_STATUS EXPECTED_OUTPUT_FILE -- ARGS: stdout+stderr and status
expect() {
	local name=$1 status=$2 file=$3
	shift 4
	checks=$((checks + 1))
	local got=0
	"$ours" "$@" >out.txt 2>&1 || got=$?
	[ "$got" = "$status" ] || fail "$name: exit status $got, expected $status"
	if ! cmp -s out.txt "$file"; then
		fail "$name: output differs"
		diff "$file" out.txt | head -20
	fi
}
# against_reference NAME -- ARGS: ours == reference (minus our build-id lines)
against_reference() {
	local name=$1
	shift 2
	[ -n "$ref" ] || return 0
	checks=$((checks + 1))
	local a=0 b=0
	"$ours" "$@" >ours.txt 2>&1 || a=$?
	"$ref" "$@" >ref.txt 2>&1 || b=$?
	sed -i 's/^modinfo: //' ours.txt ref.txt
	tr '\0' '\n' <ours.txt | grep -av '^build-id[:=]' >ours.n || true
	tr '\0' '\n' <ref.txt >ref.n
	[ "$a" = "$b" ] || fail "$name: exit status $a, reference $b"
	if ! cmp -s ours.n ref.n; then
		fail "$name: differs from the reference"
		diff ref.n ours.n | head -20
	fi
}

# --- fixtures: every class and byte order, parameters, signature, build-id
common=(--modinfo license=GPL --modinfo "description=A test module"
	--modinfo "author=Someone <a@b.c>" --modinfo alias=pci:v00001234d*
	--modinfo alias=fs-testfs --modinfo firmware=test/fw1.bin
	--modinfo firmware=test/fw2.bin
	--modinfo "parm=debug:Debug level" --modinfo parmtype=debug:int
	--modinfo parmtype=typeonly:uint --modinfo "parm=desconly:Only a description"
	--modinfo depends=dep1,dep2 --modinfo name=testmod
	--modinfo "vermagic=6.1.0 SMP mod_unload ")
sigkey=$(printf '%02x' $(seq 1 20) | tr -d '\n')
sig=$(printf '%02x' $(seq 1 45) | tr -d '\n')
for class in 32 64; do
	for order in le be; do
		"$mkfixture" -o "m$class$order.ko" --class $class --$order "${common[@]}" \
			--build-id 0123456789abcdef0123456789abcdef01234567 \
			--sign-raw "Test signer,$sigkey,$sig" --sign-id-type x509 --sign-hash sha512
	done
done
"$mkfixture" -o plain.ko --modinfo license=MIT --modinfo a-very-long-key-name=x \
	--modinfo noequals --modinfo empty=

cat >expected.txt <<EOT
filename:       $work/m64le.ko
license:        GPL
description:    A test module
author:         Someone <a@b.c>
alias:          pci:v00001234d*
alias:          fs-testfs
firmware:       test/fw1.bin
firmware:       test/fw2.bin
depends:        dep1,dep2
name:           testmod
vermagic:       6.1.0 SMP mod_unload 
build-id:       01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67
sig_id:         X509
signer:         Test signer
sig_key:        01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14
sig_hashalgo:   sha512
signature:      01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:
		15:16:17:18:19:1A:1B:1C:1D:1E:1F:20:21:22:23:24:25:26:27:28:
		29:2A:2B:2C:2D
parm:           desconly:Only a description
parm:           typeonly:uint
parm:           debug:Debug level (int)
EOT
expect "full listing" 0 expected.txt -- m64le.ko
for f in m32le.ko m32be.ko m64be.ko; do
	sed "s|m64le.ko|$f|" expected.txt >expected-$f.txt
	expect "full listing $f" 0 expected-$f.txt -- "$f"
done

printf 'desconly:Only a description\ntypeonly: (uint)\ndebug:Debug level (int)\n' >expected.txt
expect "-p" 0 expected.txt -- -p m32be.ko
printf 'test/fw1.bin\ntest/fw2.bin\n' >expected.txt
expect "-F firmware" 0 expected.txt -- -F firmware m64be.ko
printf 'test/fw1.bin\0test/fw2.bin\0' >expected.txt
expect "-0 -F firmware" 0 expected.txt -- -0 -F firmware m64be.ko
printf '%s\n' "$work/m32le.ko" >expected.txt
expect "-n" 0 expected.txt -- -n m32le.ko
printf 'GPL\n' >expected.txt
expect "-l" 0 expected.txt -- -l m32le.ko
printf 'Someone <a@b.c>\n' >expected.txt
expect "-a" 0 expected.txt -- -a m32le.ko
printf 'A test module\n' >expected.txt
expect "-d" 0 expected.txt -- -d m32le.ko
printf 'Test signer\n' >expected.txt
expect "-F signer" 0 expected.txt -- -F signer m32le.ko
printf '01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67\n' >expected.txt
expect "-F build-id" 0 expected.txt -- -F build-id m32le.ko
: >expected.txt
expect "-F absent field" 0 expected.txt -- -F nosuchfield m32le.ko
cat >expected.txt <<EOT
filename:       $work/plain.ko
license:        MIT
a-very-long-key-name:     x
noequals:       
empty:          
EOT
# a key longer than 15 characters gets 15-len spaces as a negative printf
# width, i.e. len-15 of them: what the reference prints
expect "long key, entry without '=', empty value" 0 expected.txt -- plain.ko
printf 'filename:       %s\0license=MIT\0a-very-long-key-name=x\0noequals=\0empty=\0' "$work/plain.ko" >expected.txt
expect "-0 listing" 0 expected.txt -- -0 plain.ko

for f in m32le.ko m32be.ko m64le.ko m64be.ko plain.ko; do
	against_reference "reference $f" -- "$f"
	against_reference "reference -0 $f" -- -0 "$f"
	against_reference "reference -p $f" -- -p "$f"
done

# --- compressed copies give the same listing but for the filename line;
# a format left out of the build (kmod -V shows -ZSTD etc.) is an error
features=$("$kmod" -V | tail -1)
for c in "gzip -c:gz:ZLIB" "xz -c --check=crc32:xz:XZ" "zstd -q -c:zst:ZSTD"; do
	IFS=: read -r cmd ext feature <<<"$c"
	$cmd m64be.ko >"m64be.ko.$ext"
	"$ours" m64be.ko | tail -n +2 >a.txt
	checks=$((checks + 1))
	st=0
	"$ours" "m64be.ko.$ext" >b.txt 2>e.txt || st=$?
	if [[ " $features " == *" +$feature "* ]]; then
		head -1 b.txt | grep -qx "filename:       $work/m64be.ko.$ext" || fail "$ext: filename line"
		tail -n +2 b.txt | cmp -s - a.txt || fail "$ext: listing differs from the uncompressed one"
	else
		[ $st = 1 ] && grep -q "could not get modinfo from 'm64be'" e.txt ||
			fail "$ext without $feature: status $st, $(cat e.txt)"
	fi
done
[ -n "$ref" ] && "$ref" -V | grep -q +ZSTD && [[ " $features " == *" +ZSTD "* ]] &&
	against_reference "reference .zst" -- m64be.ko.zst

# --- errors: the message names the module, the others are still printed, exit 1
head -c 300 m64le.ko >truncated.ko
printf 'GPL\nGPL\n' >expected.txt
printf "modinfo: ERROR: could not get modinfo from 'truncated': Exec format error\n" >>expected.txt
checks=$((checks + 1))
st=0
"$ours" -l m32le.ko truncated.ko m64le.ko >o.txt 2>e.txt || st=$?
[ $st = 1 ] || fail "truncated: exit status $st"
[ "$(cat o.txt)" = "$(printf 'GPL\nGPL')" ] || fail "truncated: the other modules were not printed"
grep -q "could not get modinfo from 'truncated'" e.txt || fail "truncated: message does not name the module: $(cat e.txt)"
printf 'modinfo: ERROR: Module no_such_module not found.\n' >expected.txt
expect "not found" 1 expected.txt -- -b "$work" -k 1.0 no_such_module
printf 'modinfo: ERROR: missing module or filename.\n' >expected.txt
expect "no argument" 1 expected.txt --
printf '\x1f\x8bgarbage-after-gzip-magic' >bad.ko.gz
checks=$((checks + 1))
st=0
"$ours" bad.ko.gz >o.txt 2>e.txt || st=$?
[ $st = 1 ] && grep -q "could not get modinfo from 'bad'" e.txt || fail "corrupt gzip: status $st, $(cat e.txt)"
# an unreadable module still gets its filename line first, as with the reference
head -c 300 m64le.ko >short.ko
printf 'filename:       %s/short.ko\n' "$work" >expected.txt
checks=$((checks + 1))
st=0
"$ours" short.ko >o.txt 2>e.txt || st=$?
[ $st = 1 ] && cmp -s o.txt expected.txt || fail "truncated, all fields: status $st, stdout $(cat o.txt)"
if [ -n "$ref" ]; then
	# stdout only: its error text differs (Invalid argument; ours says
	# Exec format error, as modinfo.8 documents)
	checks=$((checks + 1))
	"$ref" short.ko >r.txt 2>/dev/null || true
	cmp -s o.txt r.txt || fail "truncated: stdout differs from the reference's: $(cat r.txt)"
fi
# a directory named like a module is not a path: looked up as a name
mkdir dir.ko
expect "directory" 1 <(printf 'modinfo: ERROR: Module dir.ko not found.\n') -- -b "$work" -k 1.0 dir.ko
against_reference "reference not found" -- -b "$work" -k 1.0 no_such_module other
# nor is a file named ".ko": nothing comes before the extension (kmod 30)
cp m64le.ko .ko
expect "a file named .ko" 1 <(printf 'modinfo: ERROR: Module .ko not found.\n') -- -b "$work" -k 1.0 .ko
against_reference "reference .ko" -- -b "$work" -k 1.0 .ko

# --- --json (modinfo.8, JSON output): always a document that Python's json
# module parses, with the facts of the text form: json-text.py rebuilds the
# text from the JSON alone, which must be our text output
command -v python3 >/dev/null || { fail "python3 is needed for the --json checks"; json_text=; }
# json_same NAME STATUS JSONTEXT_ARGS -- MODINFO_ARGS: the JSON rebuilt
# into text is our text output; both exit with STATUS
json_same() {
	local name=$1 status=$2 jargs=() st=0 tst=0
	shift 2
	while [ "$1" != -- ]; do jargs+=("$1"); shift; done
	shift
	checks=$((checks + 1))
	[ -n "$json_text" ] || return 0
	"$ours" --json "$@" >j.json 2>j.err || st=$?
	"$ours" "$@" >j.txt 2>j.txterr || tst=$?
	[ "$st" = "$status" ] && [ "$tst" = "$status" ] || fail "json $name: exit status $st (text $tst), expected $status"
	cmp -s j.err j.txterr || fail "json $name: stderr differs from the text form's"
	python3 "$json_text" modinfo ${jargs[@]+"${jargs[@]}"} --compare j.txt <j.json ||
		fail "json $name: not a valid document, or its facts are not the text output's"
}
# a module whose values need escaping: quotes, backslashes, control
# characters, non-ASCII UTF-8 and bytes that are not UTF-8
"$mkfixture" -o odd.ko --modinfo 'description=say "hi" \ back\slash' \
	--modinfo "author=$(printf 'tab\there bell\a esc\033 del\177')" \
	--modinfo "$(printf 'license=GPL \xc3\xa9\xe2\x82\xac \xff\xfe\xc3 \xe0\x80\x80 end')" \
	--modinfo "$(printf 'parm=p1:line one\nline two')" --modinfo parmtype=p1:charp \
	--modinfo 'parm=nocolon' --modinfo "$(printf 'k\x01ey=v')" --modinfo 'alias=a' --modinfo 'alias=b'
all=(m32le.ko m32be.ko m64le.ko m64be.ko plain.ko odd.ko)
json_same "the fixtures" 0 -- "${all[@]}"
json_same "-0, the fixtures" 0 -0 -- -0 "${all[@]}"
for field in firmware parm signature sig_key sig_id signer sig_hashalgo build-id filename alias \
	depends license nosuchfield; do
	json_same "-F $field, the fixtures" 0 -- -F "$field" "${all[@]}"
done
json_same "-p, the fixtures" 0 -- -p "${all[@]}"
json_same "-0 -F alias, the fixtures" 0 -0 -- -0 -F alias "${all[@]}"
json_same "one module alone" 0 -- odd.ko
json_same "an unreadable module among others" 1 -- m64le.ko short.ko plain.ko
json_same "-F license, an unreadable module among others" 1 -- -F license m64le.ko short.ko plain.ko
json_same "not found" 1 -- -b "$work" -k 1.0 no_such_module other
# a wrong command line writes no document, only the message
printf 'modinfo: ERROR: missing module or filename.\n' >expected.txt
expect "json without a module" 1 expected.txt -- --json

# the exact document of one module: the layout modinfo.8 documents
cat >expected.txt <<EOT
{
  "schema": 1,
  "modules": [
    {
      "argument": "plain.ko",
      "name": "plain",
      "filename": "$work/plain.ko",
      "builtin": false,
      "fields": [
        {
          "key": "license",
          "value": "MIT"
        },
        {
          "key": "a-very-long-key-name",
          "value": "x"
        },
        {
          "key": "noequals",
          "value": ""
        },
        {
          "key": "empty",
          "value": ""
        }
      ],
      "build_id": null,
      "signature": null,
      "parameters": []
    }
  ]
}
EOT
expect "json document" 0 expected.txt -- --json plain.ko
# (stdout and stderr together: the message comes first, stdout being buffered)
cat >expected.txt <<EOT
modinfo: ERROR: could not get modinfo from 'short': Exec format error
{
  "schema": 1,
  "modules": [
    {
      "argument": "short.ko",
      "name": "short",
      "filename": "$work/short.ko",
      "builtin": false,
      "error": "Exec format error"
    }
  ]
}
EOT
expect "json unreadable module" 1 expected.txt -- --json short.ko
# the members of a signed module with parameters, and of the odd one
if [ -n "$json_text" ]; then
	checks=$((checks + 1))
	"$ours" --json m64be.ko odd.ko >j.json
	python3 - j.json "$work" <<'EOP' || fail "json members of m64be.ko and odd.ko"
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
m, odd = doc["modules"]
assert m["filename"] == sys.argv[2] + "/m64be.ko" and m["name"] == "m64be", m
assert [f["value"] for f in m["fields"] if f["key"] == "alias"] == ["pci:v00001234d*", "fs-testfs"]
assert m["build_id"] == "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67"
s = m["signature"]
assert s["sig_id"] == "X509" and s["signer"] == "Test signer" and s["sig_hashalgo"] == "sha512", s
assert s["signature"] == ":".join("%02X" % i for i in range(1, 46)), s
assert m["parameters"] == [
    {"name": "desconly", "type": None, "description": "Only a description"},
    {"name": "typeonly", "type": "uint", "description": None},
    {"name": "debug", "type": "int", "description": "Debug level"}], m["parameters"]
f = {x["key"]: x["value"] for x in odd["fields"]}
assert f["description"] == 'say "hi" \\ back\\slash', f
assert f["author"] == "tab\there bell\a esc\x1b del\x7f", f
assert f["license"] == "GPL \u00e9\u20ac \ufffd\ufffd\ufffd \ufffd\ufffd\ufffd end", f["license"]
assert f["k\x01ey"] == "v"
assert odd["parameters"] == [{"name": "p1", "type": "charp", "description": "line one\nline two"}]
assert [x["value"] for x in odd["fields"] if x["key"] == "parm"] == ["p1:line one\nline two", "nocolon"]
EOP
fi

# built-in modules and lookups by name and alias, in a module tree
mkdir -p tree/lib/modules/1.0/kernel
cp m64le.ko tree/lib/modules/1.0/kernel/
printf 'kernel/x/mod_bi.ko\nkernel/x/mod_bare.ko\n' >tree/lib/modules/1.0/modules.builtin
printf 'mod_bi.alias=bi-alias\0mod_bi.license=GPL\0mod_bi.parm=level:The level\0mod_bi.parmtype=level:int\0' \
	>tree/lib/modules/1.0/modules.builtin.modinfo
echo kernel/m64le.ko >tree/lib/modules/1.0/modules.order
"$build/src/depmod" -b tree 1.0 || fail "depmod of the small tree"
json_same "built-in" 0 -- -b tree -k 1.0 mod_bi mod_bare
json_same "built-in by alias" 0 -- -b tree -k 1.0 bi-alias
json_same "by name and alias" 0 -- -b tree -k 1.0 m64le fs-testfs pci:v00001234d00005678
json_same "-m" 0 -- -b tree -k 1.0 -m m64le
json_same "-F filename, built-in" 0 -- -b tree -k 1.0 -F filename mod_bi m64le
json_same "-p, built-in" 0 -- -b tree -k 1.0 -p mod_bi
if [ -n "$json_text" ]; then
	checks=$((checks + 1))
	"$ours" --json -b tree -k 1.0 mod_bi fs-testfs >j.json
	python3 - j.json <<'EOP' || fail "json members of a built-in module and an alias"
import json, sys
bi, al = json.load(open(sys.argv[1], encoding="utf-8"))["modules"]
assert bi["builtin"] is True and bi["filename"] == "(builtin)" and bi["name"] == "mod_bi", bi
assert bi["build_id"] is None and bi["signature"] is None, bi
assert bi["parameters"] == [{"name": "level", "type": "int", "description": "The level"}], bi
assert al["argument"] == "fs-testfs" and al["name"] == "m64le" and al["builtin"] is False, al
EOP
fi

# --- the multicall binary
checks=$((checks + 1))
"$kmod" -V | grep -qE '^[-+]ZSTD [-+]XZ [-+]ZLIB [-+]LIBCRYPTO$' || fail "kmod -V features: $("$kmod" -V)"
for t in lsmod modprobe rmmod insmod modinfo depmod; do
	checks=$((checks + 1))
	[ "$(readlink "$build/src/$t")" = kmod ] || fail "$t is not a symlink to kmod in the build directory"
done
checks=$((checks + 1))
st=0
"$kmod" no-such-command >o.txt 2>&1 || st=$?
[ $st = 1 ] || fail "kmod with an unknown command exits $st"

# a skip is a choice: a failure with KMODLITE_ALLOW_SKIP=0 (tools/test)
if [ -z "$ref" ]; then
	echo "SKIP: no /usr/sbin/modinfo: the comparisons with the reference were skipped"
	[ "${KMODLITE_ALLOW_SKIP:-1}" = 1 ] || fail "skipped, and KMODLITE_ALLOW_SKIP is not 1"
fi
echo "modinfo tool tests: $checks checks, $failures failures${ref:+ (reference: $ref)}"
[ $failures = 0 ]
