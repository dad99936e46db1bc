#!/bin/bash
# Differential test of `kmod why` on a real Debian kernel tree: for each
# module (every WHY_EVERY-th; 1 = all), the steps `kmod why --json NAME`
# announces for `modprobe NAME` against the reference's
# `modprobe --show-depends NAME` (Debian's kmod 30), and the text form
# against the JSON form of the same run (the same modules, steps, config
# lines and edges). Every JSON document must parse.
#
# Usage: testsuite/differential/why.sh BUILD_DIR
#
# The tree comes from tools/fetch-debian-kernel; both tools run on a copy
# (hard links) with indexes made by the reference depmod and a config file
# of our own (-C: options, install, blacklist, softdep and alias lines).
# Both read this machine's /proc/cmdline and /sys/module.
#
# Environment:
#   KMODLITE_CACHE   cache directory (see tools/fetch-debian-kernel)
#   WHY_EVERY        test every N-th module of modules.dep (default 1)
#
# Step mapping: insert and skip-loaded steps are --show-depends' "insmod
# PATH OPTIONS" lines (--show-depends ignores what is loaded), install steps
# its "install COMMAND OPTIONS", skip-builtin its "builtin NAME"; options are
# compared word by word. Deliberate differences (testsuite/differential/
# modprobe.sh): several softdep lines of one module all count (kmod 30 takes
# the first), and kmod 30 may list a module twice; the first is counted as
# deliberate for the modules that have such lines, the second by comparing
# with the reference's repeated lines dropped. A module already in the
# running kernel (nothing planned) is not compared.
#
# Prints "why-diff: N compared, N identical, N deliberate, N different,
# N not compared (loaded)" and exits 1 on any difference, 2 on setup errors.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
srcroot=$(cd "$here/../.." && pwd -P)
die() { printf 'why-diff: ERROR: %s\n' "$*" >&2; exit 2; }
(( $# == 1 )) || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD_DIR=$(cd "$1" && pwd -P) || die "no build directory $1"
OURS=$BUILD_DIR/src/kmod
REF=/usr/sbin/modprobe
[[ -x $OURS ]] || die "$OURS not found (build first)"
[[ -x $REF && -x /usr/sbin/depmod ]] || die "reference kmod not found (apt-get install kmod)"
command -v python3 >/dev/null || die "python3 not found"
fetch_out=$("$srcroot/tools/fetch-debian-kernel") || die "tools/fetch-debian-kernel failed"
ROOT=$(sed -n 's/^ROOT=//p' <<<"$fetch_out")
KVER=$(sed -n 's/^KVER=//p' <<<"$fetch_out")
[[ -d $ROOT/lib/modules/$KVER ]] || die "bad fetch-debian-kernel output: $fetch_out"
CACHE=$(dirname "$ROOT")
WORK=$(mktemp -d "$CACHE/why-diff.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT
mkdir -p "$WORK/root/lib/modules"
cp -al -- "$ROOT/lib/modules/$KVER" "$WORK/root/lib/modules/"
/usr/sbin/depmod -b "$WORK/root" "$KVER" || die "reference depmod failed"
cat >"$WORK/why.conf" <<'EOF'
options dummy numdummies=2
options e1000 copybreak=128 debug=1
install nls_utf8 /bin/true
blacklist pcspkr
softdep loop pre: nls_ascii post: nls_cp437
softdep dummy pre: nls_ascii
softdep dummy post: nls_cp437
alias my-why-alias sctp
EOF
echo "why-diff: ours=$OURS ref=$REF, tree=$ROOT/lib/modules/$KVER, every ${WHY_EVERY:-1}"
OURS=$OURS REF=$REF ROOT=$WORK/root KVER=$KVER CONF=$WORK/why.conf EVERY=${WHY_EVERY:-1} \
	python3 - <<'EOF'
import json, os, re, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

ours, ref, root, kver, conf = (os.environ[k] for k in ("OURS", "REF", "ROOT", "KVER", "CONF"))
every = int(os.environ["EVERY"])
md = f"{root}/lib/modules/{kver}"
names = []
with open(f"{md}/modules.dep") as f:
    for line in f:
        path = line.split(":", 1)[0]
        names.append(re.sub(r"\.ko.*$", "", os.path.basename(path)).replace("-", "_"))
names = sorted(set(names))[::every] + ["my-why-alias"]
# modules with several softdep lines (modules.softdep and the config)
multi = set()
seen = set()
for fn in (f"{md}/modules.softdep", conf):
    for line in open(fn):
        w = line.split()
        if len(w) > 1 and w[0] == "softdep":
            if w[1] in seen:
                multi.add(w[1])
            seen.add(w[1])
common = ["-C", conf, "-d", root, "-S", kver]

def run(args):
    p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr

def check(name):
    problems = []
    rc, js, err = run([ours, "why", "--json"] + common + [name])
    try:
        d = json.loads(js)
    except ValueError as e:
        return name, "different", [f"invalid JSON ({e}): {js[:200]!r} {err[:200]!r}"]
    rct, text, _ = run([ours, "why"] + common + [name])
    if rc != rct:
        problems.append(f"exit status: json {rc}, text {rct}")
    # the text form against the JSON form
    lines = text.split("\n")
    mods = [l.split()[1] for l in lines if l.startswith("module: ")]
    if mods != [m["name"] for m in d["resolution"]["modules"]]:
        problems.append(f"text modules {mods} != json")
    section = text.split("\nconfiguration:\n", 1)[1].split("\n\n", 1)[0].split("\n")
    conf_lines = [l for l in section if re.match(r"^  (\S+:\d+|kernel command line):", l)]
    if len(conf_lines) != len(d["config"]):
        problems.append(f"text has {len(conf_lines)} config lines, json {len(d['config'])}")
    edges = [l for l in lines if re.match(r"^  \S+ -> \S+:", l)]
    if edges != [f"  {e['module']} -> {e['needs']}: " + " ".join(e["symbols"]) for e in d["dependencies"]]:
        problems.append("text edges != json")
    block = text.split(f"\nmodprobe {name} would:\n", 1)[1].split("\n\n", 1)[0].split("\n")
    if len([l for l in block if l]) != len(d["modprobe"]):
        problems.append(f"text has {len(block)} modprobe steps, json {len(d['modprobe'])}")
    # the steps against the reference
    steps = d["modprobe"]
    if any(s["action"] == "already-loaded" for s in steps):
        return name, "loaded", problems
    mine = []
    for s in steps:
        opts = (s["options"] or "").split()
        if s["action"] in ("insert", "skip-loaded"):
            mine.append(["insmod", s["path"]] + opts)
        elif s["action"] == "install":
            mine.append(["install"] + s["command"].split() + opts)
        elif s["action"] == "skip-builtin":
            mine.append(["builtin", s["module"]])
        elif s["action"] == "missing":
            mine.append(["missing", s["module"]])
    rrc, rout, rerr = run([ref] + common + ["--show-depends", name])
    theirs = [l.split() for l in rout.split("\n") if l.strip()]
    if rrc != 0 and not theirs:
        theirs = None
    if (theirs or []) == mine and not problems:
        return name, "identical", []
    dedup = []
    for t in theirs or []:
        if t not in dedup:
            dedup.append(t)
    if dedup == mine and not problems:
        return name, "deliberate", []
    involved = {os.path.basename(m[1]).split(".")[0].replace("-", "_") for m in mine if m[0] == "insmod"}
    if involved & multi and not problems:
        return name, "deliberate", []
    problems.append(f"ours {mine} // ref (rc {rrc}) {theirs} {rerr.strip()[:200]}")
    return name, "different", problems

counts = {"identical": 0, "deliberate": 0, "different": 0, "loaded": 0}
shown = 0
with ThreadPoolExecutor(max_workers=2) as ex:
    for name, verdict, problems in ex.map(check, names):
        if verdict == "loaded" and problems:
            verdict = "different"
        counts[verdict] += 1
        if verdict == "different" and shown < 5:
            shown += 1
            print(f"why-diff: {name}: " + "; ".join(problems)[:1500])
compared = counts["identical"] + counts["deliberate"] + counts["different"]
print(f"why-diff: {compared} compared, {counts['identical']} identical, "
      f"{counts['deliberate']} deliberate, {counts['different']} different, "
      f"{counts['loaded']} not compared (loaded)")
sys.exit(1 if counts["different"] else 0)
EOF
