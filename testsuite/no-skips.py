#!/usr/bin/env python3
# no-skips.py BUILD_DIR: fails if the last `meson test -C BUILD_DIR` skipped
# anything: a test that exited 77, or a cmocka test case reported SKIPPED
# (a missing tree, reference tool or package). tools/test runs it after each
# meson test: there a skip is a choice, never an accident. With
# KMODLITE_ALLOW_SKIP=1 it lists the skips and succeeds.
import json
import os
import re
import sys

if len(sys.argv) != 2:
    sys.exit("usage: no-skips.py BUILD_DIR")
log = os.path.join(sys.argv[1], "meson-logs", "testlog.json")
skips = []
with open(log, encoding="utf-8", errors="replace") as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        t = json.loads(line)
        name = t.get("name", "?")
        if t.get("result") == "SKIP":
            skips.append(f"{name}: the whole test (exit 77)")
        out = (t.get("stdout") or "") + (t.get("stderr") or "")
        # cmocka names each skipped case twice (as it runs, and in the
        # summary after "[  SKIPPED ] N test(s), listed below:")
        cases = re.findall(r"^\[  SKIPPED \] (\w+)$", out, re.M)
        skips += [f"{name}: {c}" for c in dict.fromkeys(cases)]
        skips += [f"{name}: {m}" for m in re.findall(r"^SKIP: (.*)$", out, re.M)]

allowed = os.environ.get("KMODLITE_ALLOW_SKIP") == "1"
for s in skips:
    print(f"no-skips: {'skipped' if allowed else 'FAIL, skipped'}: {s}")
if skips and not allowed:
    print(f"no-skips: {len(skips)} skipped in {sys.argv[1]}; a skip must be asked for "
          "(KMODLITE_ALLOW_SKIP=1)")
    sys.exit(1)
print(f"no-skips: {sys.argv[1]}: {len(skips)} skipped")
