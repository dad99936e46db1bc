#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Differential test of --json on a real Debian kernel tree: modinfo --json
# and modprobe --show-depends --json carry the facts of the text forms, for
# every module (testsuite/differential/json-check.py does the comparing).
#
# Usage: testsuite/differential/json.sh BUILD_DIR
#        testsuite/differential/kmod34.sh json.sh BUILD_DIR (kmod 34.2 as the
#        reference; not run by tools/test)
#
#   BUILD_DIR/src/{modinfo,modprobe} are the tools under test. The tree
#   comes from tools/fetch-debian-kernel (pristine: a copy made with hard
#   links is indexed by the reference depmod), or is the one given by
#   KMODLITE_TEST_ROOT and KMODLITE_TEST_KVER (already indexed: tools/test).
#
# Environment:
#   REF_MODINFO, REF_MODPROBE, REF_DEPMOD  the reference tools (/usr/sbin/...)
#   DIFF_SHOW   how many differences to show per step (default 3)
# Exit status 1 if anything differs, 2 on setup errors.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
srcroot=$(cd "$here/../.." && pwd -P)
die() { printf 'json-diff: ERROR: %s\n' "$*" >&2; exit 2; }

(($# == 1)) || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD_DIR=$(cd "$1" && pwd -P) || die "no build directory $1"
REF_MODINFO=${REF_MODINFO:-/usr/sbin/modinfo}
REF_MODPROBE=${REF_MODPROBE:-/usr/sbin/modprobe}
REF_DEPMOD=${REF_DEPMOD:-/usr/sbin/depmod}
for t in "$BUILD_DIR/src/modinfo" "$BUILD_DIR/src/modprobe" "$REF_MODINFO" "$REF_MODPROBE"; do
	[[ -x $t ]] || die "$t not found"
done
command -v python3 >/dev/null || die "python3 not found"

PRISTINE=
trap 'exit 130' INT TERM
if [[ -n ${KMODLITE_TEST_ROOT:-} && -n ${KMODLITE_TEST_KVER:-} ]]; then
	ROOT=$KMODLITE_TEST_ROOT
	KVER=$KMODLITE_TEST_KVER
	[[ -f $ROOT/lib/modules/$KVER/modules.dep ]] || die "$ROOT has no modules.dep for $KVER"
else
	[[ -x $REF_DEPMOD ]] || die "$REF_DEPMOD not found"
	fetch_out=$("$srcroot/tools/fetch-debian-kernel") || die "tools/fetch-debian-kernel failed"
	PRISTINE=$(sed -n 's/^ROOT=//p' <<<"$fetch_out")
	KVER=$(sed -n 's/^KVER=//p' <<<"$fetch_out")
	[[ -d $PRISTINE/lib/modules/$KVER ]] || die "bad fetch-debian-kernel output: $fetch_out"
	# on the cache's file system, for the hard links
	ROOT=$(mktemp -d "$(dirname "$PRISTINE")/json-diff.XXXXXX")
	trap 'rm -rf -- "$ROOT"' EXIT
	mkdir -p "$ROOT/lib/modules"
	cp -al -- "$PRISTINE/lib/modules/$KVER" "$ROOT/lib/modules/"
	"$REF_DEPMOD" -b "$ROOT" "$KVER" || die "reference depmod failed"
fi

# next to the tree, so that a reference in a chroot that sees the cache
# (testsuite/differential/kmod34.sh json.sh BUILD_DIR) sees it too
WORK=$(mktemp -d "$(dirname "$ROOT")/json-diff-work.XXXXXX")
trap 'rm -rf -- "$WORK" ${PRISTINE:+"$ROOT"}' EXIT

# A configuration with each kind of --show-depends line: options, install
# commands, aliases, softdeps, a blacklist.
CONF=$WORK/conf.d
mkdir -p "$CONF"
cat >"$CONF/test.conf" <<'EOF'
options e1000e InterruptThrottleRate=3000,3000 debug=1
options snd-hda-intel model=auto power_save=1
options sctp "cookie_preserve_enable=1"
alias my-net-alias e1000e
alias my-multi tun
alias my-multi loop
install pcspkr /bin/true
install floppy /sbin/modprobe --ignore-install floppy $CMDLINE_OPTS
blacklist nouveau
softdep e1000e pre: crc32c_generic post: ptp
softdep sctp pre: loop post: tun dummy
EOF
# modules with several softdep lines (merged by us, kmod 30 takes the first:
# a deliberate difference, see testsuite/differential/modprobe.sh)
JSON_DIFF_MERGED_SOFTDEPS=$( (awk '$1 == "softdep" { print $2 }' "$ROOT/lib/modules/$KVER/modules.softdep"
	awk '$1 == "softdep" { print $2 }' "$CONF"/*.conf) | sort | uniq -d | tr '\n' ' ')
export JSON_DIFF_MERGED_SOFTDEPS

python3 "$here/json-check.py" "$BUILD_DIR/src" "$REF_MODINFO" "$REF_MODPROBE" "$ROOT" "$KVER" "$CONF"
