# shellcheck shell=bash
# Shared helpers of the differential scripts (testsuite/differential/*.sh and
# tools/bench-depmod); sourced, not run.
#
# Before sourcing, the caller sets:
#   CACHE   the cache directory (parent of the ROOT tools/fetch-debian-kernel gives)
#   KVER    the kernel version
#   MODDIR  ROOT/lib/modules/KVER (the pristine, uncompressed tree)
#   NPROC   parallel jobs
#   LIB_TAG prefix of the progress messages (e.g. modinfo-diff)

# compress_tree EXT COMMAND...: a compressed copy of MODDIR/kernel in
# CACHE/compressed-EXT/KVER/kernel (every NAME.ko as NAME.ko.EXT), built once
# and then reused; COMMAND FILE writes the compressed FILE to stdout (given the
# file, as the kernel's modules_install does, so zstd records the content size).
# Only kernel/ is there: callers take modules.order, modules.builtin* from
# MODDIR. .complete holds the command; a copy made by another command is
# made again.
compress_tree() {
	local ext=$1 dest=$CACHE/compressed-$1/$KVER t0=$SECONDS lock_fd=
	shift
	if [[ -f $dest/.complete && $(<"$dest/.complete") == "$*" ]]; then
		return 0
	fi
	mkdir -p "$CACHE"
	# Serialise concurrent builders of the same copy.
	if command -v flock >/dev/null; then
		exec {lock_fd}>"$CACHE/.compressed-$ext.lock"
		flock "$lock_fd"
		if [[ -f $dest/.complete && $(<"$dest/.complete") == "$*" ]]; then
			exec {lock_fd}>&-
			return 0
		fi
	fi
	rm -rf -- "$dest"
	mkdir -p "$dest"
	echo "${LIB_TAG:-differential}: building $dest (once)"
	(cd "$MODDIR" && find kernel -name '*.ko' -type f -printf '%h\n') | sort -u |
		(cd "$dest" && xargs -r mkdir -p --)
	export COMPRESS_CMD="$*" COMPRESS_DEST=$dest COMPRESS_EXT=$ext COMPRESS_SRC=$MODDIR
	(cd "$MODDIR" && find kernel -name '*.ko' -type f -print0) |
		xargs -0 -r -n 20 -P "$NPROC" bash -c '
			set -e
			for f; do
				out=$COMPRESS_DEST/$f.$COMPRESS_EXT
				[[ -f $out ]] && continue
				$COMPRESS_CMD "$COMPRESS_SRC/$f" >"$out.tmp"
				mv -f -- "$out.tmp" "$out"
			done' _
	printf '%s' "$*" >"$dest/.complete"
	if [[ -n $lock_fd ]]; then
		exec {lock_fd}>&-
	fi
	echo "${LIB_TAG:-differential}: built $dest in $((SECONDS - t0))s"
}

# build_compressed_trees: the xz, zstd and gzip copies, with the kernel's own
# settings for xz (CACHE/compressed-{xz,zst,gz}/KVER).
build_compressed_trees() {
	compress_tree xz xz --check=crc32 --lzma2=dict=1MiB -c
	compress_tree zst zstd -q -c
	compress_tree gz gzip -n -c
}

# ref_version TOOL: the reference kmod's version as `TOOL --version` prints
# it (30, 34.2, ...). The differential scripts run against Debian 12's kmod 30
# (the host's) or, through kmod34.sh, Debian 13's kmod 34.2; where the two
# differ, the scripts expect each reference's own behaviour.
ref_version() {
	"$1" --version 2>/dev/null | sed -n 's/^kmod version //p' | head -n 1
}

# ref_at_least TOOL MAJOR: the reference is kmod MAJOR or later.
ref_at_least() {
	local v
	v=$(ref_version "$1")
	[[ ${v%%.*} =~ ^[0-9]+$ ]] && (( ${v%%.*} >= $2 ))
}
