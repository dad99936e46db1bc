#!/usr/bin/env python3
"""Compares what tools/system-test collected: the reports of the booted
images (inside.sh's sections) and the files made on the host.

Usage: compare.py OUTDIR NAME...   (NAME: ref first, then ours, dracut)
Prints one line per check (PASS/FAIL) and the differences found; exits 1 if
any check failed.
"""
import os
import re
import sys

out = sys.argv[1]
names = sys.argv[2:]
failed = 0
passed = 0


def result(ok, what, detail=""):
    global failed, passed
    if ok:
        passed += 1
        print(f"PASS {what}")
    else:
        failed += 1
        print(f"FAIL {what}" + (f": {detail}" if detail else ""))
    return ok


def read(name, default=None):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return default
    with open(path, errors="replace") as f:
        return f.read()


def sections(text):
    """inside.sh's report: {section: [lines]}"""
    secs = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r"^=== (\S+)$", line)
        if m:
            cur = m.group(1)
            secs.setdefault(cur, [])
        elif cur is not None:
            secs[cur].append(line)
    return secs


def dpkg_installed(text):
    return {l.split()[1].split(":")[0] for l in text.splitlines() if l.startswith("ii ")}


explained = {}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "explained.txt")) as f:
    for line in f:
        if line.strip() and not line.startswith("#"):
            kind, rest = line.split(None, 1)
            what, cause = rest.split(":", 1)
            explained[(kind, what.strip())] = cause.strip()
seen_explained = set()


def explain(kind, items):
    """items not explained under kind; marks the explained ones as seen"""
    left = []
    for i in items:
        if (kind, i) in explained:
            seen_explained.add((kind, i))
            print(f"  explained: {kind} {i}: {explained[(kind, i)]}")
        else:
            left.append(i)
    return left


def index_diff(a, b, kind=""):
    """md5sum lines "SUM NAME" of both sides: the names that differ. An
    explained order difference (KINDindex-order) is compared sorted
    (NAME.sorted), an explained layout difference of a binary index
    (KINDindex-layout) by content (NAME.content); a file on one side only
    must be explained (KINDindex-only-in-ours, KINDindex-only-in-ref)."""
    da = {l.split()[1]: l.split()[0] for l in a if len(l.split()) == 2}
    db = {l.split()[1]: l.split()[0] for l in b if len(l.split()) == 2}
    bad = []
    for name in sorted(set(da) | set(db)):
        if name.endswith((".sorted", ".content")) or da.get(name) == db.get(name):
            continue
        if name not in da:
            bad += explain(kind + "index-only-in-ours", [name])
            continue
        if name not in db:
            bad += explain(kind + "index-only-in-ref", [name])
            continue
        for how, suffix in (("index-order", ".sorted"), ("index-layout", ".content")):
            if (kind + how, name) in explained and da.get(name + suffix) \
                    and da.get(name + suffix) == db.get(name + suffix):
                explain(kind + how, [name])
                break
        else:
            bad.append(name)
    return bad


reports = {}
for n in names:
    r = read(f"{n}.report", "")
    reports[n] = sections(r)
    secs = reports[n]
    secs_ok = result("end" in secs, f"{n}: booted, ran the test and reported to the end",
                     "report incomplete; see " + os.path.join(out, f"{n}.console.log"))
    t = (read(f"{n}.boot-seconds") or "?").strip()
    print(f"  {n}: {t} s from qemu start to power-off")
    retried = read(f"{n}.retried")
    if retried:
        print(f"  {n}: booted twice: {retried.strip()} (tools/system-test, boot())")
    for l in secs.get("boot-time", []):
        print(f"  {n}: systemd-analyze: {l.strip()}")

for n in names:
    s = reports[n]
    # each image is compared with Debian's image of its kind
    refname = "dracut-ref" if n.startswith("dracut") else "ref"
    ref = reports.get(refname, {})
    if "end" not in s:
        continue
    result(s.get("state") == ["running"], f"{n}: systemctl is-system-running says running",
           " ".join(s.get("state", [])))
    result(s.get("failed", []) == [], f"{n}: systemctl --failed is empty", " ".join(s.get("failed", [])))
    admin = s.get("admin", [])
    bad = [l for l in admin if l.startswith("FAIL")]
    npass = sum(1 for l in admin if l.startswith("PASS"))
    result(not bad and npass > 0, f"{n}: administrator checks ({npass} passed)", "; ".join(bad))
    for l in admin:
        if not l.startswith(("PASS", "FAIL")):
            print(f"  {n}: {l}")
    mods = s.get("modules", [])
    print(f"  {n}: {len(mods)} modules loaded after boot")
    owner = "libkmod2" if n.endswith("ref") else "kmodlite-libkmod2"
    maps = s.get("libkmod", [])
    procs = {l.split()[0]: l.split()[1] if len(l.split()) > 1 else "?" for l in maps}
    result(procs.get("systemd") == owner and procs.get("systemd-udevd") == owner,
           f"{n}: systemd and systemd-udevd have {owner}'s libkmod.so.2 mapped", "; ".join(maps))
    tool_owner = "kmod" if n.endswith("ref") else "kmodlite"
    result(s.get("tools") == [f"modprobe {tool_owner}"], f"{n}: modprobe comes from {tool_owner}",
           " ".join(s.get("tools", [])))
    if n.endswith("ref"):
        continue
    if "end" not in ref:
        continue
    a, b = set(ref.get("modules", [])), set(mods)
    result(a == b, f"{n}: the same modules loaded at boot as {refname} ({len(b)})",
           f"only in {refname}: {sorted(a - b)}; only in {n}: {sorted(b - a)}")
    extra = sorted(set(s.get("journal", [])) - set(ref.get("journal", [])))
    result(not extra, f"{n}: no module or kmod warnings in the journal beyond {refname}'s", " | ".join(extra))
    names_ref = [l.split()[1].rstrip(":") for l in ref.get("admin", []) if l.startswith(("PASS", "FAIL"))]
    names_n = [l.split()[1].rstrip(":") for l in admin if l.startswith(("PASS", "FAIL"))]
    result(names_ref == names_n, f"{n}: the same administrator checks as {refname} ran")
    a, b = ref.get("second-kernel-indexes"), s.get("second-kernel-indexes")
    bad = index_diff(a or [], b or [])
    result(a and b and not bad,
           f"{n}: the second kernel's indexes written by its package's hook equal {refname}'s "
           f"({sum(1 for l in (b or []) if not l.endswith(('.sorted', '.content')))} files)", "differ: " + " ".join(bad))

# --- host-side files --------------------------------------------------------
if "ours" in names:
    for refname, n in (("ref", "ours"), ("dracut-ref", "dracut")):
        a = read(f"{refname}.initramfs-modules.txt")
        b = read(f"{n}.initramfs-modules.txt")
        if a is None or b is None:
            continue
        strip = lambda p: re.sub(r"^lib/modules/[^/]+/", "", p)
        sa, sb = {strip(p) for p in a.split()}, {strip(p) for p in b.split()}
        nmods = sum(1 for l in sa if ".ko" in l)
        nfw = sum(1 for l in sa if "firmware/" in l)
        only_ref = explain("initramfs-only-in-ref", sorted(sa - sb))
        only_ours = explain("initramfs-only-in-ours", sorted(sb - sa))
        for x in (refname, n):
            size = (read(f"{x}.initramfs-size") or "").strip()
            if size:
                print(f"  {x}: initramfs {int(size) / 1e6:.2f} MB")
        result(nmods > 0 and not only_ref and not only_ours,
               f"{n}: initramfs holds the same modules and firmware as {refname}'s ({nmods} modules, {nfw} firmware files and directories)",
               f"only in {refname}: {only_ref[:20]}; only in {n}: {only_ours[:20]}")
    ia, ib = read("ref.indexes.txt", ""), read("ours.indexes.txt", "")
    bad = index_diff(ia.splitlines(), ib.splitlines())
    result(ib and not bad, f"ours: our depmod -a wrote the same module indexes as kmod's "
           f"({sum(1 for l in ib.splitlines() if not l.endswith(('.sorted', '.content')))} files)", " ".join(bad))
    log = read("ours.apt-install.log", "")
    m = re.search(r"REMOVED:\n((?:  .*\n)+)", log)
    removed = sorted(m.group(1).split()) if m else []
    result(removed == ["kmod", "libkmod2"], "ours: apt-get install ./kmodlite*.deb removed kmod and libkmod2 and nothing else",
           f"removed: {removed}")
    base = dpkg_installed(read("base.dpkg-l.txt", ""))
    now = dpkg_installed(read("ours.dpkg-l.txt", ""))
    result(now == (base - {"kmod", "libkmod2"}) | {"kmodlite", "kmodlite-libkmod2", "kmodlite-libkmod-dev"},
           "ours: every other package stays installed",
           f"gone: {sorted(base - now)}; new: {sorted(now - base)}")
    result((read("ours.apt-check.txt", "").strip().endswith("ok")), "ours: apt-get check passes (every dependency satisfied)",
           read("ours.apt-check.txt", ""))
    result(read("ours.dpkg-audit.txt", "x").strip() == "", "ours: dpkg --audit finds nothing")
    result(re.search(r"update-initramfs: Generating", read("ours.apt-install.log", "")) is not None,
           "ours: the package trigger had update-initramfs rebuild the initramfs with our tools")
    again = dpkg_installed(read("reinstall.dpkg-l.txt", ""))
    result(again == base, "installing kmod and libkmod2 again restores the original package set",
           f"missing: {sorted(base - again)}; extra: {sorted(again - base)}")
    result(read("reinstall.verify.txt", "x").strip() == "", "after reinstalling kmod: dpkg --verify kmod libkmod2 is clean",
           read("reinstall.verify.txt", ""))
    owners = read("reinstall.owners.txt", "")
    result(all(l.split()[-1] in ("kmod", "libkmod2") for l in owners.splitlines() if l.startswith("/"))
           and "kmodlite" not in owners.split("\n")[-2:][0],
           "after reinstalling kmod: kmod and libkmod2 own the tools, the library and the hook", owners.replace("\n", "; "))

# --- Debian 12 (bookworm chroot) ---------------------------------------------
if read("bookworm.apt-install.log") is not None:
    log = read("bookworm.apt-install.log", "")
    m = re.search(r"REMOVED:\n((?:  .*\n)+)", log)
    removed = sorted(m.group(1).split()) if m else []
    result(removed == ["kmod", "libkmod2"], "bookworm: apt-get install ./kmodlite*.deb removed kmod and libkmod2 and nothing else",
           f"removed: {removed}")
    base = dpkg_installed(read("bookworm.dpkg-l.txt", ""))
    now = dpkg_installed(read("bookworm.ours.dpkg-l.txt", ""))
    result(now == (base - {"kmod", "libkmod2"}) | {"kmodlite", "kmodlite-libkmod2", "kmodlite-libkmod-dev"},
           "bookworm: every other package stays installed", f"gone: {sorted(base - now)}; new: {sorted(now - base)}")
    result(read("bookworm.apt-check.txt", "").strip().endswith("ok"), "bookworm: apt-get check passes")
    ia, ib = read("bookworm-ref.indexes.txt", ""), read("bookworm-ours.indexes.txt", "")
    bad = index_diff(ia.splitlines(), ib.splitlines(), "bookworm-")
    result(ib and not bad, "bookworm: the kernel package's depmod (ours) wrote the same indexes as with kmod 30 "
           f"({sum(1 for l in ib.splitlines() if not l.endswith(('.sorted', '.content')))} files)", " ".join(bad))
    strip = lambda p: re.sub(r"^lib/modules/[^/]+/", "", p)
    a = {strip(p) for p in read("bookworm-ref.initramfs-modules.txt", "").split()}
    b = {strip(p) for p in read("bookworm-ours.initramfs-modules.txt", "").split()}
    only_ref = explain("bookworm-initramfs-only-in-ref", sorted(a - b))
    only_ours = explain("bookworm-initramfs-only-in-ours", sorted(b - a))
    result(a and not only_ref and not only_ours,
           f"bookworm: initramfs-tools (modprobe --show-depends) put the same modules and firmware in the initramfs "
           f"({sum(1 for l in a if '.ko' in l)} modules)", f"only with kmod: {only_ref[:10]}; only with ours: {only_ours[:10]}")
    again = dpkg_installed(read("bookworm.reinstall.dpkg-l.txt", ""))
    result(again == base | {l.split()[1] for l in read("bookworm.reinstall.dpkg-l.txt", "").splitlines()
                            if l.startswith("ii linux-image")},
           "bookworm: installing kmod and libkmod2 again restores the package set", f"{sorted(base ^ again)}")
    result(read("bookworm.reinstall.verify.txt", "x").strip() == "", "bookworm: dpkg --verify kmod libkmod2 is clean")

for k in sorted(set(explained) - seen_explained):
    print(f"  note: the explained difference {k[0]} {k[1]} did not show")
print(f"\nsystem-test: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
