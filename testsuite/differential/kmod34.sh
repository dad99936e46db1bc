#!/bin/bash
# Runs a differential script against the second reference, kmod 34.2 (Debian
# 13), instead of the host's kmod 30.
#
# Usage: testsuite/differential/kmod34.sh SCRIPT BUILD_DIR
#        (SCRIPT: modinfo.sh, depmod.sh or modprobe.sh of this directory)
#
# kmod 34.2 runs in the trixie chroot of tools/trixie-chroot (trixie's
# binaries need a newer glibc than the host's). In a mount namespace of its
# own (so nothing is left mounted, and concurrent runs do not meet), the
# cache directory is bind-mounted into the chroot at the same path, with
# /proc, /sys and /dev: every path the script hands the reference means the
# same file on both sides, and our tools keep running on the host. REF_DEPMOD,
# REF_MODINFO and REF_MODPROBE are set to small wrappers that run the chroot's
# tools from the caller's working directory; the script learns which
# reference it has from `REF --version` (ref_version in lib.sh). Needs root.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
srcroot=$(cd "$here/../.." && pwd -P)
die() { printf 'kmod34: ERROR: %s\n' "$*" >&2; exit 2; }
(( $# == 2 )) || { echo "usage: $0 SCRIPT BUILD_DIR" >&2; exit 2; }
script=$1
[[ $script == */* ]] || script=$here/$script
[[ -x $script ]] || die "no script $1"
build=$(cd "$2" && pwd -P) || die "no build directory $2"

if [[ -z ${KMODLITE_KMOD34_NS:-} ]]; then
	[[ $(id -u) == 0 ]] || die "needs root (chroot, mount namespace)"
	CH=$("$srcroot/tools/trixie-chroot" | sed -n 's/^CHROOT=//p')
	[[ -n $CH && -x $CH/usr/bin/kmod ]] || die "no trixie chroot (tools/trixie-chroot)"
	# the cache as tools/fetch-debian-kernel will see it
	fetch_out=$("$srcroot/tools/fetch-debian-kernel") || die "tools/fetch-debian-kernel failed"
	ROOT=$(sed -n 's/^ROOT=//p' <<<"$fetch_out")
	CACHE=$(cd "$(dirname "$ROOT")" && pwd -P)
	export KMODLITE_KMOD34_NS=1 KMOD34_CHROOT=$CH KMOD34_CACHE=$CACHE
	exec unshare --mount --propagation private -- "$0" "$@"
fi

CH=$KMOD34_CHROOT
CACHE=$KMOD34_CACHE
mkdir -p "$CH$CACHE"
mount --bind "$CACHE" "$CH$CACHE"
for m in proc sys dev; do mount --bind "/$m" "$CH/$m"; done

wrappers=$(mktemp -d "$CACHE/kmod34-bin.XXXXXX")
trap 'rm -rf -- "$wrappers"' EXIT
for t in depmod modinfo modprobe; do
	# chroot(8) starts in /: go back to the caller's directory (all of the
	# scripts' directories are under the cache, hence inside too)
	cat >"$wrappers/$t" <<WRAP
#!/bin/sh
exec chroot "$CH" /bin/sh -c 'cd "\$0" 2>/dev/null || cd /; exec /usr/sbin/$t "\$@"' "\$PWD" "\$@"
WRAP
	chmod +x "$wrappers/$t"
done
"$wrappers/depmod" --version | grep -q '^kmod version 34' ||
	die "the chroot's kmod is not 34: $("$wrappers/depmod" --version | head -1)"
export REF_DEPMOD=$wrappers/depmod REF_MODINFO=$wrappers/modinfo REF_MODPROBE=$wrappers/modprobe
"$script" "$build"
