#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# help-vs-man.sh KMOD_BINARY MAN_DIR TOOL
#
# Compares the options that `TOOL --help` lists with the options that
# MAN_DIR/TOOL.8 documents in its OPTIONS section (the tag line that
# follows each .TP), and fails naming every option found in only one.
set -euo pipefail
. "$(dirname "$0")/wrap.sh"

if [ $# -ne 3 ]; then
	echo "usage: $0 KMOD_BINARY MAN_DIR TOOL" >&2
	exit 2
fi
kmod=$1
man_dir=$2
tool=$3
page=$man_dir/$tool.8

[ -x "$kmod" ] || { echo "$0: $kmod is not an executable" >&2; exit 2; }
[ -r "$page" ] || { echo "$0: cannot read $page" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# through $KMODLITE_TEST_WRAPPER if set (wrap.sh)
kmod=$(wrapped_dir "$(dirname "$(realpath "$kmod")")" "$tmp/wrap")/kmod
ln -s "$(realpath "$kmod")" "$tmp/$tool"

# Prints each -x / --long-name token of its input on a line of its own.
option_tokens() {
	grep -oE '(^|[[:space:],[|])--?[[:alnum:]][[:alnum:]-]*' |
		sed -E 's/^[[:space:],[|]+//'
}

# --help: the option column is what precedes the first run of two or more
# spaces on lines that start (after indentation) with a dash.
# kmod-CMD.8 documents the command "kmod CMD"
if [[ $tool == kmod-* ]]; then
	"$kmod" "${tool#kmod-}" --help >"$tmp/help.txt"
else
	"$tmp/$tool" --help >"$tmp/help.txt"
fi
sed -nE 's/^[[:space:]]+(-[^[:space:]].*)$/\1/p' "$tmp/help.txt" |
	sed -E 's/ {2,}.*$//' |
	option_tokens | sort -u >"$tmp/help.opts"

# The page: inside ".SH OPTIONS", the line after each .TP, with font
# escapes, quotes and the macro name removed and \- turned into -.
awk '
	/^\.SH/ { in_opts = ($0 ~ /^\.SH[[:space:]]+"?OPTIONS"?[[:space:]]*$/); next }
	!in_opts { next }
	/^\.TP/ { tag = 1; next }
	tag { print; tag = 0 }
' "$page" |
	sed -E 's/\\f(\[[^]]*\]|\(..|.)//g; s/\\-/-/g; s/\\[&%|^]//g; s/"//g; s/^\.[[:alpha:]]+[[:space:]]*//' |
	option_tokens | sort -u >"$tmp/man.opts"

status=0
if [ ! -s "$tmp/help.opts" ]; then
	echo "no options found in '$tool --help'" >&2
	status=1
fi
if [ ! -s "$tmp/man.opts" ]; then
	echo "no options found in the OPTIONS section of $page" >&2
	status=1
fi
only_help=$(comm -23 "$tmp/help.opts" "$tmp/man.opts")
only_man=$(comm -13 "$tmp/help.opts" "$tmp/man.opts")
if [ -n "$only_help" ]; then
	echo "in '$tool --help' but not in $page:" >&2
	while read -r opt; do echo "  $opt"; done <<<"$only_help" >&2
	status=1
fi
if [ -n "$only_man" ]; then
	echo "in $page but not in '$tool --help':" >&2
	while read -r opt; do echo "  $opt"; done <<<"$only_man" >&2
	status=1
fi
if [ $status -eq 0 ]; then
	echo "$tool: $(wc -l <"$tmp/help.opts") options, --help and $tool.8 agree"
fi
exit $status
