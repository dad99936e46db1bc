#!/bin/sh
# Every function our libkmod.so.2 exports must be one libkmod 34.2 exports,
# under the same version node; what 34.2 has and we lack is listed. Every
# function and node of each ALSO list (another libkmod a program may have
# been linked against: Debian 12's 30) must be exported too, as the default
# version or a compatibility one.
# Usage: check-symbols.sh LIBKMOD_SO REFERENCE_LIST [ALSO_LIST...]
set -eu
lib=$1 ref=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
grep -v '^#' "$ref" | sort > "$tmp/ref"
readelf --dyn-syms -W "$lib" |
	awk '$7 != "UND" && $8 ~ /@/ { split($8, a, "@@"); if (a[2] != "") print a[1], a[2] }' |
	sort > "$tmp/ours"
[ -s "$tmp/ours" ] || { echo "no versioned symbol exported by $lib"; exit 1; }
readelf -d "$lib" | grep -q 'Library soname: \[libkmod.so.2\]' || {
	echo "soname is not libkmod.so.2"; exit 1; }
status=0
comm -13 "$tmp/ref" "$tmp/ours" > "$tmp/extra"
if [ -s "$tmp/extra" ]; then
	echo "exported but not in libkmod 34.2 under that node:"
	sed 's/^/  /' "$tmp/extra"
	status=1
fi
# anything exported without a version node (outside the script) is wrong too
readelf --dyn-syms -W "$lib" | awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && $7 != "ABS" && $5 != "LOCAL" && $8 !~ /@/ && $8 != "" && $4 != "SECTION" { print "  unversioned: " $8 }' > "$tmp/unversioned"
if [ -s "$tmp/unversioned" ]; then
	cat "$tmp/unversioned"
	status=1
fi
# every version of every symbol: "name node", default (@@) or not (@)
readelf --dyn-syms -W "$lib" |
	awk '$7 != "UND" && $8 ~ /@/ { n = split($8, a, "@"); print a[1], a[n] }' |
	sort -u > "$tmp/all"
for also in "$@"; do
	grep -v '^#' "$also" | sort > "$tmp/also"
	comm -23 "$tmp/also" "$tmp/all" > "$tmp/also-missing"
	echo "$(basename "$also"): $(comm -12 "$tmp/also" "$tmp/all" | wc -l) of $(wc -l < "$tmp/also") exported under the same node"
	if [ -s "$tmp/also-missing" ]; then
		sed 's/^/  missing: /' "$tmp/also-missing"
		status=1
	fi
done
comm -23 "$tmp/ref" "$tmp/ours" > "$tmp/missing"
echo "exported: $(wc -l < "$tmp/ours") of $(wc -l < "$tmp/ref") (libkmod 34.2); missing: $(wc -l < "$tmp/missing")"
sed 's/^/  missing: /' "$tmp/missing"
exit $status
