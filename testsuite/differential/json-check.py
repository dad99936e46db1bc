#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The --json documents against the text forms over a whole module tree
(run by testsuite/differential/json.sh, which prepares the tree).

    json-check.py OURS_BIN_DIR REF_MODINFO REF_MODPROBE ROOT KVER CONFIG_DIR

Each document is parsed strictly and rebuilt into text by json-text.py
alone; that text must be our text output of the same command, byte for byte
(invalid UTF-8 aside: the JSON carries U+FFFD), and the reference's (kmod's
modinfo has no build-id: left out of the rebuild for that comparison).

  modinfo, every module file by path: full listing, -0, -F parm,
      -F signature, -F alias;
  modinfo -b -k, every built-in module by name;
  modprobe -D, every module name, built-in name and configured alias: ours
      in -a batches against our text, and one name at a time against the
      reference (stdout and exit status).

Prints one line per step, "json-diff: WHAT: N compared, N identical,
N different"; exit status 1 if anything differs.
"""
import concurrent.futures
import importlib.util
import os
import re
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("json_text", os.path.join(here, "..", "json-text.py"))
jt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(jt)

ours_dir, ref_modinfo, ref_modprobe, root, kver, conf = sys.argv[1:7]
ours_modinfo = os.path.join(ours_dir, "modinfo")
ours_modprobe = os.path.join(ours_dir, "modprobe")
moddir = os.path.join(root, "lib/modules", kver)
nproc = os.cpu_count() or 2
show = int(os.environ.get("DIFF_SHOW", "3"))
status = 0


def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    return p.returncode, p.stdout, p.stderr


def first_difference(a, b):
    la, lb = a.splitlines(True), b.splitlines(True)
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "(end)"
        y = lb[i] if i < len(lb) else "(end)"
        if x != y:
            return f"line {i + 1}: {x[:200]!r} / {y[:200]!r}"
    return "(none)"


def report(what, compared, different, t0, notes=()):
    global status
    print(f"json-diff: {what}: {compared} compared, {compared - different} identical, "
          f"{different} different ({time.time() - t0:.0f}s)", flush=True)
    for n in list(notes)[:show]:
        print(f"    {n}")
    if different:
        status = 1


def chunks(args, size=1000):
    for i in range(0, len(args), size):
        yield args[i:i + size]


def split_records(text, first_key):
    """A listing cut where each module's first line (FIRST_KEY) starts."""
    return [c for c in re.split(rf"(?m)^(?={re.escape(first_key)}:)", text) if c]


def modinfo_step(what, opts, args, null=False, first_key=None, ref_too=True):
    """ours --json OPTS ARGS rebuilt == ours OPTS ARGS (== the reference's)."""
    t0 = time.time()
    n = different = 0
    notes = []
    for part in chunks(args):
        rc_j, out_j, err_j = run([ours_modinfo, "--json"] + opts + part)
        rc_t, out_t, err_t = run([ours_modinfo] + opts + part)
        try:
            doc = jt.load(out_j)
            jt.check_modinfo(doc)
        except (ValueError, jt.SchemaError) as e:
            notes.append(f"{part[0]}...: not a valid document: {e}")
            different += len(part)
            n += len(part)
            continue
        mods = doc["modules"]
        n += len(mods)
        if rc_j != rc_t or err_j != err_t:
            notes.append(f"{part[0]}...: exit status or stderr differ from the text form's")
            different += 1
        sides = [("ours", out_t, True)]
        if ref_too:
            rc_r, out_r, _ = run([ref_modinfo] + opts + part)
            sides.append(("reference", out_r, False))
        for side, text, build_id in sides:
            rebuilt = jt.render_modinfo(doc, null=null, build_id=build_id)
            if jt.compare(rebuilt, text):
                continue
            # count the differing modules: one object against one record
            expected = text.decode("utf-8", "replace")
            if first_key and not null:
                a = split_records(expected, first_key)
                b = [jt.render_modinfo({"schema": 1, "modules": [m]}, build_id=build_id)
                     for m in mods]
                if len(a) == len(b):
                    bad = [i for i in range(len(a)) if a[i] != b[i]]
                    different += len(bad)
                    for i in bad[:show]:
                        notes.append(f"{side}: {mods[i]['argument']}: "
                                     + first_difference(a[i], b[i]))
                    continue
            different += 1
            notes.append(f"{side}: {part[0]}...: " + first_difference(expected, rebuilt))
    report(what, n, different, t0, notes)
    return n


def module_paths():
    out = []
    for d, _, files in os.walk(os.path.join(moddir, "kernel")):
        out += [os.path.join(d, f) for f in files if f.endswith(".ko")]
    return sorted(out)


def names_from(path, pattern):
    names = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(pattern, line)
            if m:
                names.append(m.group(1))
    return names


def builtin_names():
    names = {re.sub(r"\.ko$", "", os.path.basename(x))
             for x in names_from(os.path.join(moddir, "modules.builtin"), r"(\S+)")}
    bi = os.path.join(moddir, "modules.builtin.modinfo")
    if os.path.exists(bi):
        with open(bi, "rb") as f:
            for rec in f.read().split(b"\0"):
                if b"." in rec:
                    names.add(rec.split(b".", 1)[0].decode("utf-8", "replace"))
    return sorted(names)


def show_depends_steps(names):
    base = ["-d", root, "-S", kver, "-C", conf]
    # ours: JSON against text, in batches (-a), exit status and stderr too
    t0 = time.time()
    n = different = 0
    notes = []
    steps = {"insmod": 0, "install": 0, "builtin": 0}
    for part in chunks(names, 500):
        rc_j, out_j, err_j = run([ours_modprobe, "-a", "-D", "--json"] + base + part)
        rc_t, out_t, err_t = run([ours_modprobe, "-a", "-D"] + base + part)
        n += len(part)
        try:
            doc = jt.load(out_j)
            rebuilt = jt.render_show_depends(doc)
        except (ValueError, jt.SchemaError) as e:
            notes.append(f"{part[0]}...: not a valid document: {e}")
            different += len(part)
            continue
        for s in doc["steps"]:
            steps[s["action"]] += 1
        if rc_j != rc_t or err_j != err_t or not jt.compare(rebuilt, out_t):
            different += 1
            notes.append(f"{part[0]}...: " + first_difference(out_t.decode(), rebuilt))
    report("modprobe -a -D --json NAME... against our text (batches of 500)", n, different, t0,
           notes)
    print(f"json-diff: steps seen: {steps}")

    # each name alone against the reference
    t0 = time.time()

    def one(name):
        rc_j, out_j, _ = run([ours_modprobe, "-D", "--json"] + base + [name])
        rc_r, out_r, _ = run([ref_modprobe, "-D"] + base + [name])
        try:
            rebuilt = jt.render_show_depends(jt.load(out_j))
        except (ValueError, jt.SchemaError) as e:
            return name, "invalid", str(e)
        if rc_j == rc_r and jt.compare(rebuilt, out_r):
            return name, "same", ""
        # kmod 30 can list a module twice (modprobe.sh: deliberate); and
        # several softdep lines of one module are merged by us
        ref_lines = out_r.decode("utf-8", "replace").splitlines(True)
        dedup = "".join(x for i, x in enumerate(ref_lines) if x not in ref_lines[:i])
        if rc_j == rc_r and rebuilt == dedup:
            return name, "deliberate", "kmod 30 lists a module twice"
        return name, "different", (f"status {rc_j}/{rc_r}; "
                                   + first_difference(out_r.decode("utf-8", "replace"), rebuilt))

    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=nproc) as pool:
        results = list(pool.map(one, names))
    counts = {"same": 0, "deliberate": 0, "different": 0, "invalid": 0}
    notes = []
    for name, kind, msg in results:
        counts[kind] += 1
        if kind in ("different", "invalid"):
            notes.append(f"{name}: {msg}")
    deliberate_softdeps = set(os.environ.get("JSON_DIFF_MERGED_SOFTDEPS", "").split())
    # a difference in a module reached by a merged softdep line: as modprobe.sh
    left = []
    for name, kind, msg in results:
        if kind == "different" and name in deliberate_softdeps:
            counts["different"] -= 1
            counts["deliberate"] += 1
        elif kind in ("different", "invalid"):
            left.append(f"{name}: {msg}")
    print(f"json-diff: modprobe -D --json NAME against the reference, one at a time: "
          f"{len(names)} compared, {counts['same']} identical, {counts['deliberate']} "
          f"deliberate, {counts['different'] + counts['invalid']} different "
          f"({time.time() - t0:.0f}s)", flush=True)
    deliberate = [name for name, kind, _ in results if kind == "deliberate"
                  or (kind == "different" and name in deliberate_softdeps)]
    if deliberate:
        print(f"json-diff: deliberate (modprobe.sh): {' '.join(deliberate)}")
    for n_ in left[:show]:
        print(f"    {n_}")
    global status
    if left:
        status = 1


def main():
    t_start = time.time()
    paths = module_paths()
    print(f"json-diff: {len(paths)} module files in {moddir}")
    modinfo_step("modinfo --json PATH (every module)", [], paths, first_key="filename")
    modinfo_step("modinfo -0 --json PATH", ["-0"], paths, null=True)
    for field in ("parm", "signature", "alias"):
        modinfo_step(f"modinfo -F {field} --json PATH", ["-F", field], paths)
    bk = ["-b", root, "-k", kver]
    builtins = builtin_names()
    modinfo_step("modinfo -b -k --json NAME (built-in)", bk, builtins, first_key="name")
    names = names_from(os.path.join(moddir, "modules.dep"), r"(?:.*/)?([^/:]+?)\.ko[^:]*:")
    aliases = names_from(os.path.join(conf, "test.conf"), r"alias\s+(\S+)")
    # by name: the lookups (argument, name) against our text only, the
    # reference's listing being that of the paths above (modinfo.sh compares it)
    modinfo_step("modinfo -b -k --json NAME (modules.dep)", bk, names, first_key="filename",
                 ref_too=False)
    show_depends_steps(sorted(set(names)) + [b for b in builtins if b not in set(names)] + aliases)
    print(f"json-diff: total {time.time() - t_start:.0f}s; schema {jt.SCHEMA}")
    print("json-diff: " + ("PASS" if status == 0 else "FAIL"))
    return status


if __name__ == "__main__":
    sys.exit(main())
