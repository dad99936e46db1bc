#!/bin/bash
# kmod verify, and modprobe/insmod --cert, on modules signed with the
# kernel's own sign-file (linux-kbuild-6.1) and keys made here with
# `openssl req`:
#
#   verify.sh BUILD_DIR
#
# good (sha256 and sha512, issuer+serial and subject key id), content byte
# changed, signature byte changed, truncated, wrong certificate, unsigned,
# not PKCS#7, compressed (xz, zstd, gzip), PEM/DER/--keyring, --json, exit
# statuses; then modprobe and insmod refusing under the fake kernel.
set -euo pipefail
. "$(dirname "$0")/wrap.sh"
export LC_ALL=C
build=$(cd "$1" && pwd)
mkfixture=$build/testsuite/mkfixture
fk=$build/testsuite/libfake-kernel.so
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
bin=$(wrapped_dir "$build/src" "$work/wrap")
kmod=$bin/kmod
failures=0
checks=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# A skip is a choice: with KMODLITE_ALLOW_SKIP=0 (tools/test) it fails.
skip_all() {
	echo "SKIP: $*"
	[ "${KMODLITE_ALLOW_SKIP:-1}" = 1 ] || { echo "FAIL: skipped, and KMODLITE_ALLOW_SKIP is not 1"; exit 1; }
	exit 77
}

if ! "$kmod" -V | grep -q '+LIBCRYPTO'; then
	# Built without libcrypto: verify must say so with its own status.
	checks=$((checks + 1))
	printf 'x' >m.ko
	set +e
	"$kmod" verify --cert /dev/null m.ko 2>err
	st=$?
	set -e
	[ $st = 6 ] || fail "without libcrypto: exit $st, expected 6"
	grep -q 'not supported' err || fail "without libcrypto: $(cat err)"
	echo "verify tool tests (no libcrypto): $checks checks, $failures failures"
	[ $failures = 0 ]
	exit
fi

signfile=
for f in /usr/lib/linux-kbuild-*/scripts/sign-file /usr/src/linux-headers-*/scripts/sign-file; do
	[ -x "$f" ] && { signfile=$f; break; }
done
[ -n "$signfile" ] || skip_all "no sign-file (apt-get install linux-kbuild-6.1)"
command -v openssl >/dev/null || skip_all "no openssl"

# keys: like the kernel's x509.genkey (self-signed, digitalSignature)
mkkey() { # NAME CN [extra req args]
	local n=$1 cn=$2
	shift 2
	cat >"$n.cnf" <<EOF
[ req ]
distinguished_name = dn
prompt = no
x509_extensions = ext
[ dn ]
CN = $cn
[ ext ]
basicConstraints=critical,CA:FALSE
keyUsage=digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
	openssl req -new -nodes -utf8 -x509 -days 36500 -batch -config "$n.cnf" \
		-outform PEM -out "$n.pem" -keyout "$n.key" "$@" 2>/dev/null
	openssl x509 -in "$n.pem" -outform DER -out "$n.der"
}
mkkey test "kmodlite test key" -newkey rsa:2048
mkkey other "kmodlite other key" -newkey rsa:2048
mkkey ec "kmodlite ec key" -newkey ec -pkeyopt ec_paramgen_curve:prime256v1

mod() { # NAME: an unsigned module
	"$mkfixture" -o "$1.ko" --this-module "$1" --modinfo license=GPL --modinfo "description=$1"
}
sign() { # HASH KEY FILE [sign-file flags]
	local h=$1 k=$2 f=$3
	shift 3
	"$signfile" "$@" "$h" "$k.key" "$k.der" "$f"
}

mod good && sign sha256 test good.ko
mod good512 && sign sha512 test good512.ko
mod keyid && sign sha256 test keyid.ko -k
mod ecdsa && sign sha256 ec ecdsa.ko
mod unsigned
mod wrongkey && sign sha256 other wrongkey.ko
cp good.ko content.ko
printf '\xff' | dd of=content.ko bs=1 seek=100 conv=notrunc 2>/dev/null
# a byte of the RSA signature: the last bytes of the PKCS#7 blob, just
# before the 12-byte trailer and the 28-byte magic
cp good.ko sigbyte.ko
size=$(stat -c %s sigbyte.ko)
printf '\x5a' | dd of=sigbyte.ko bs=1 seek=$((size - 28 - 12 - 5)) conv=notrunc 2>/dev/null
cmp -s good.ko sigbyte.ko && fail "sigbyte.ko unchanged"
head -c $((size - 10)) good.ko >truncated.ko
# the magic kept, the blob cut: lengths out of range
{ head -c $((size - 28 - 12 - 100)) good.ko; tail -c 40 good.ko; } >cut.ko
# a PKCS#7 trailer whose blob is not DER
"$mkfixture" -o garbage.ko --this-module garbage --sign-id-type pkcs7 --sign-hash 0 --sign-raw ',,00112233'
"$mkfixture" -o fields.ko --this-module fields --sign-id-type pkcs7 --sign-raw ',,00112233'
"$mkfixture" -o x509type.ko --this-module x509type --sign-raw 'someone,0102,0304'
for c in xz zstd gzip; do
	case $c in xz) ext=xz ;; zstd) ext=zst ;; gzip) ext=gz ;; esac
	cp good.ko "good-$c.ko"
	$c -q -f "good-$c.ko"
	cp content.ko "content-$c.ko"
	$c -q -f "content-$c.ko"
done

# check NAME EXPECTED_STATUS EXPECTED_LINE_REGEX ARGS...
check() {
	local name=$1 want=$2 re=$3 st
	shift 3
	checks=$((checks + 1))
	set +e
	"$kmod" verify "$@" >out 2>err
	st=$?
	set -e
	[ "$st" = "$want" ] || fail "$name: exit $st, expected $want; $(cat out err)"
	if [ "$re" = - ]; then
		[ ! -s out ] || fail "$name: output not empty: $(cat out)"
	else
		grep -Eq -- "$re" out || fail "$name: output does not match '$re': $(cat out err)"
	fi
}
S='signer "kmodlite test key", key [0-9A-F:]+, '
check good 0 "^good.ko: good, ${S}sha256$" --cert test.pem good.ko
check "good, DER certificate" 0 "^good.ko: good, ${S}sha256$" --cert test.der good.ko
check sha512 0 "^good512.ko: good, ${S}sha512$" --cert test.pem good512.ko
check "subject key id" 0 "^keyid.ko: good, ${S}sha256$" --cert test.pem keyid.ko
check ecdsa 0 '^ecdsa.ko: good, signer "kmodlite ec key", key [0-9A-F:]+, sha256$' --cert ec.pem ecdsa.ko
check "content byte" 2 "^content.ko: bad signature, ${S}sha256$" --cert test.pem content.ko
check "signature byte" 2 "^sigbyte.ko: bad signature, ${S}sha256$" --cert test.pem sigbyte.ko
check "wrong certificate" 3 '^wrongkey.ko: unknown key, signer "kmodlite other key", key [0-9A-F:]+, sha256$' \
	--cert test.pem wrongkey.ko
check "key id, wrong certificate" 3 "^keyid.ko: unknown key, signer \"\", key [0-9A-F:]+, sha256$" \
	--cert other.pem keyid.ko
check unsigned 4 '^unsigned.ko: unsigned$' --cert test.pem unsigned.ko
check truncated 4 '^truncated.ko: unsigned$' --cert test.pem truncated.ko
check "blob cut" 5 '^cut.ko: malformed' --cert test.pem cut.ko
check "not DER" 5 '^garbage.ko: malformed \(not a DER-encoded PKCS#7 message\)$' --cert test.pem garbage.ko
check "PKCS#7 trailer, hash field set" 5 '^fields.ko: malformed \(PKCS#7 trailer has algorithm or key fields set\)$' \
	--cert test.pem fields.ko
check "X509 trailer" 5 '^x509type.ko: malformed \(signature is not of the PKCS#7 type\)$' \
	--cert test.pem x509type.ko
for c in xz zstd gzip; do
	case $c in xz) ext=xz ;; zstd) ext=zst ;; gzip) ext=gz ;; esac
	check "$c" 0 "^good-$c.ko.$ext: good, ${S}sha256$" --cert test.pem "good-$c.ko.$ext"
	check "$c, content byte" 2 "^content-$c.ko.$ext: bad signature" --cert test.pem "content-$c.ko.$ext"
done
mkdir keys
cp test.pem keys/a.pem
cp other.der keys/b.der
echo "not a certificate" >keys/README
check "keyring dir" 0 "^wrongkey.ko: good" --keyring keys good.ko wrongkey.ko
check "two certs" 0 "^good.ko: good" --cert other.der --cert test.pem good.ko wrongkey.ko
cat other.pem test.pem >both.pem
check "PEM bundle" 0 "^wrongkey.ko: good" --cert both.pem good.ko wrongkey.ko
# several modules: the lowest non-zero status wins; -q prints the others only
check "mixed: bad signature first" 2 "^unsigned.ko: unsigned$" --cert test.pem unsigned.ko content.ko good.ko
check "-q" 3 "^wrongkey.ko: unknown key" -q --cert test.pem good.ko wrongkey.ko
checks=$((checks + 1))
grep -q good.ko out && fail "-q printed a good module"
check "-j1" 4 "^unsigned.ko: unsigned$" -j1 --cert test.pem good.ko unsigned.ko
check "missing file" 1 "^good.ko: good" --cert test.pem good.ko ./nonexistent.ko
check "no certificate in file" 1 - --cert keys/README good.ko
check "no certificate option" 1 - good.ko
check json 3 '^  \{"module": "wrongkey.ko", "verdict": "unknown key", "signer": "kmodlite other key", "key_id": "[0-9A-F:]+", "hash": "sha256", "reason": null\}$' \
	--json --cert test.pem good.ko unsigned.ko wrongkey.ko
if command -v python3 >/dev/null; then
	checks=$((checks + 1))
	python3 -c 'import json,sys; v=json.load(open("out")); assert [o["verdict"] for o in v] == ["good","unsigned","unknown key"], v' ||
		fail "json: not the expected JSON array"
fi

# modules by name, and --all, through a module directory indexed by depmod
K=6.1.0-fake
MD=root/lib/modules/$K
mkdir -p "$MD/kernel"
for m in good unsigned wrongkey; do
	cp "$m.ko" "$MD/kernel/$m.ko"
done
(cd "$MD" && find kernel -name '*.ko' | sort >modules.order)
	"$bin/depmod" -b root "$K" 2>/dev/null
check "by name" 0 "^$PWD/$MD/kernel/good.ko: good" -b root -k "$K" --cert test.pem good
check "--all" 3 "^$PWD/$MD/kernel/wrongkey.ko: unknown key" -b root -k "$K" --cert test.pem --all
checks=$((checks + 1))
[ "$(wc -l <out)" = 3 ] || fail "--all: $(cat out)"

# modprobe and insmod refuse what does not verify, a dependency included
if [ -f "$fk" ]; then
	rm -rf "$MD"
	mkdir -p "$MD/kernel" root/proc root/sys/module root/etc/modprobe.d
	: >root/proc/modules
	"$mkfixture" -o "$MD/kernel/base_ok.ko" --this-module base_ok --modinfo license=GPL --export base_sym
	"$mkfixture" -o "$MD/kernel/top_bad.ko" --this-module top_bad --modinfo license=GPL --import base_sym
	"$mkfixture" -o "$MD/kernel/dep_unsigned.ko" --this-module dep_unsigned --modinfo license=GPL --export dep_sym
	"$mkfixture" -o "$MD/kernel/top_dep.ko" --this-module top_dep --modinfo license=GPL --import dep_sym
	sign sha256 test "$MD/kernel/base_ok.ko"
	sign sha256 other "$MD/kernel/top_bad.ko"
	sign sha256 test "$MD/kernel/top_dep.ko"
	(cd "$MD" && find kernel -name '*.ko' | sort >modules.order)
	"$bin/depmod" -b root "$K" 2>/dev/null
	cp -a root pristine
	run() { # NAME STATUS STDERR_REGEX LOADED TOOL ARGS...
		local name=$1 want=$2 re=$3 loaded=$4 st
		shift 4
		rm -rf root && cp -a pristine root
		checks=$((checks + 1))
		set +e
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
			FAKE_KERNEL_ROOT=$PWD/root FAKE_KERNEL_RELEASE=$K LD_PRELOAD=$fk "$bin/$@" >out 2>err
		st=$?
		set -e
		[ "$st" = "$want" ] || fail "$name: exit $st, expected $want; $(cat out err)"
		if [ "$re" = - ]; then
			[ ! -s err ] || fail "$name: stderr not empty: $(cat err)"
		else
			grep -Eq -- "$re" err || fail "$name: stderr does not match '$re': $(cat err)"
		fi
		local got
		got=$(for d in root/sys/module/*/; do
			d=${d%/}
			if [ -f "$d/initstate" ]; then echo "${d##*/}"; fi
		done | sort | tr '\n' ' ')
		[ "$got" = "$loaded" ] || fail "$name: loaded '$got', expected '$loaded'"
	}
	run "modprobe good" 0 - "base_ok " modprobe --cert "$PWD/test.pem" base_ok
	# the verified bytes go to the kernel (init_module), not the file again
	checks=$((checks + 1))
	grep -q '^init_module base_ok ' root/syscalls.log || fail "modprobe --cert: $(cat root/syscalls.log)"
	run "modprobe unknown key" 1 "refusing top_bad \(.*top_bad.ko\): unknown key, signer kmodlite other key" \
		"" modprobe --cert "$PWD/test.pem" top_bad
	run "modprobe unsigned dependency" 1 "refusing dep_unsigned \(.*dep_unsigned.ko\): unsigned" \
		"" modprobe --cert "$PWD/test.pem" top_dep
	run "modprobe keyring" 0 - "base_ok top_bad " modprobe --keyring "$PWD/keys" top_bad
	run "modprobe -n refuses too" 1 "refusing dep_unsigned" "" modprobe -n --cert "$PWD/test.pem" top_dep
	run "modprobe without --cert" 0 - "dep_unsigned top_dep " modprobe top_dep
	run "insmod good" 0 - "base_ok " insmod --cert "$PWD/test.pem" "$PWD/$MD/kernel/base_ok.ko"
	checks=$((checks + 1))
	grep -q '^init_module base_ok ' root/syscalls.log || fail "insmod --cert: $(cat root/syscalls.log)"
	run "insmod without --cert" 0 - "base_ok " insmod "$PWD/$MD/kernel/base_ok.ko"
	checks=$((checks + 1))
	grep -q '^finit_module base_ok ' root/syscalls.log || fail "insmod: $(cat root/syscalls.log)"
	run "insmod unsigned" 1 "refusing dep_unsigned \\(.*dep_unsigned.ko\\): unsigned" "" \
		insmod --cert "$PWD/test.pem" "$PWD/$MD/kernel/dep_unsigned.ko"
else
	fail "no fake kernel ($fk): modprobe/insmod --cert not tested"
fi

echo "verify tool tests: $checks checks, $failures failures"
[ $failures = 0 ]
