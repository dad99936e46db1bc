#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The text form of the tools' --json documents, rebuilt from the JSON alone.

    json-text.py modinfo [-0] [--no-build-id] < JSON > TEXT
    json-text.py lsmod < JSON > TEXT
    json-text.py show-depends < JSON > TEXT
    json-text.py KIND [OPTIONS] --compare TEXTFILE < JSON

With --compare, nothing is written: the exit status says whether the text
rebuilt from the JSON is TEXTFILE (decoded as compare() does), and the
first differing line is shown when it is not.

Parses the document with Python's json module (strict: no NaN, no duplicate
members, nothing after the document), checks its members and their types
against the schema of the man page (lsmod.8, modinfo.8, modprobe.8) and
writes the text that the tool prints without --json. A test then compares
that with the tool's text output: equal means that the JSON carries every
fact of the text form. Invalid UTF-8 in the text is replaced by U+FFFD in
the JSON, as bytes.decode("utf-8", "replace") does, so the text side is to
be compared decoded that way (compare() below).

As a module: load(), render_modinfo(), render_lsmod(), render_show_depends(),
compare(). Exit status 1 with a message on a malformed document.
"""
import json
import sys

SCHEMA = 1


class SchemaError(Exception):
    pass


def _reject_duplicates(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise SchemaError(f"duplicate member {k!r}")
        seen[k] = v
    return seen


def _reject_constant(name):
    raise SchemaError(f"{name} is not JSON")


def load(data):
    """The document in DATA (bytes): strict JSON, valid UTF-8, one value."""
    text = data.decode("utf-8")  # raises on invalid UTF-8
    doc = json.loads(text, object_pairs_hook=_reject_duplicates,
                     parse_constant=_reject_constant)
    if not isinstance(doc, dict):
        raise SchemaError("the document is not an object")
    if doc.get("schema") != SCHEMA or type(doc.get("schema")) is not int:
        raise SchemaError(f"schema is {doc.get('schema')!r}, expected {SCHEMA}")
    return doc


def _members(obj, what, required, optional=()):
    """OBJ is an object with exactly the REQUIRED members (name -> types)
    and maybe the OPTIONAL ones."""
    if not isinstance(obj, dict):
        raise SchemaError(f"{what} is not an object")
    allowed = dict(required)
    allowed.update(optional)
    for k in obj:
        if k not in allowed:
            raise SchemaError(f"{what}: unknown member {k!r}")
    for k in required:
        if k not in obj:
            raise SchemaError(f"{what}: member {k!r} missing")
    for k, types in allowed.items():
        if k in obj:
            v = obj[k]
            ok = any((v is None) if t is None else
                     (type(v) is t) for t in types)  # bool is not int here
            if not ok:
                raise SchemaError(f"{what}: {k!r} has a wrong type: {v!r}")


def _array(obj, what):
    if not isinstance(obj, list):
        raise SchemaError(f"{what} is not an array")
    return obj


# ---------------------------------------------------------------- modinfo

def _hex_lines(hexstr):
    """print_hex's layout: 20 bytes a line, continuation lines after two tabs."""
    if hexstr == "":
        return ""
    b = hexstr.split(":")
    for x in b:
        if len(x) != 2 or x.upper() != x or int(x, 16) < 0:
            raise SchemaError(f"bad hex string {hexstr[:40]!r}")
    lines = [":".join(b[i:i + 20]) for i in range(0, len(b), 20)]
    return ":\n\t\t".join(lines)


HEX_FIELDS = ("build-id", "sig_key", "signature")


def check_modinfo(doc):
    _members(doc, "document", {"schema": (int,), "modules": (list,)})
    for i, m in enumerate(doc["modules"]):
        what = f"modules[{i}]"
        common = {"argument": (str,), "name": (str,), "filename": (str,),
                  "builtin": (bool,)}
        if "field" in m:
            req = dict(common, field=(str,), values=(list,))
            _members(m, what, req, {"error": (str,)})
            for v in m["values"]:
                if type(v) is not str:
                    raise SchemaError(f"{what}: a value is not a string")
            continue
        if "error" in m:
            _members(m, what, common, {"error": (str,)})
            continue
        req = dict(common, fields=(list,), build_id=(str, None),
                   signature=(dict, None), parameters=(list,))
        _members(m, what, req)
        for f in m["fields"]:
            _members(f, what + ".fields[]", {"key": (str,), "value": (str,)})
        if m["signature"] is not None:
            _members(m["signature"], what + ".signature",
                     {"sig_id": (str,), "signer": (str, None), "sig_key": (str, None),
                      "sig_hashalgo": (str, None), "signature": (str, None)})
        for p in m["parameters"]:
            _members(p, what + ".parameters[]", {"name": (str,), "type": (str, None),
                                                 "description": (str, None)})


def render_modinfo(doc, null=False, build_id=True):
    """The text modinfo prints (with -0 when NULL), as a str."""
    check_modinfo(doc)
    sep = "\0" if null else "\n"
    out = []

    def key_line(key, value):
        if null:
            out.append(f"{key}={value}{sep}")
        else:
            # printf's "%-*s" with 15 - len: a negative width counts as
            # its absolute value, so a long key gets len - 15 spaces
            out.append(f"{key}:{' ' * abs(15 - len(key))}{value}{sep}")

    for m in doc["modules"]:
        if "field" in m:
            hexed = m["field"] in HEX_FIELDS
            for v in m["values"]:
                out.append((_hex_lines(v) if hexed else v) + sep)
            continue
        if m["builtin"]:
            out.append(f"{'name:':<16}{m['name']}{sep}")
        out.append(f"{'filename:':<16}{m['filename']}{sep}")
        if "error" in m:
            continue
        for f in m["fields"]:
            if f["key"] not in ("parm", "parmtype"):
                key_line(f["key"], f["value"])
        if build_id and m["build_id"] is not None:
            key_line("build-id", _hex_lines(m["build_id"]))
        sig = m["signature"]
        if sig is not None:
            key_line("sig_id", sig["sig_id"])
            if sig["signer"] is not None:
                key_line("signer", sig["signer"])
            if sig["sig_key"] is not None:
                key_line("sig_key", _hex_lines(sig["sig_key"]))
            if sig["sig_hashalgo"] is not None:
                key_line("sig_hashalgo", sig["sig_hashalgo"])
            if sig["signature"] is not None:
                key_line("signature", _hex_lines(sig["signature"]))
        for p in m["parameters"]:
            if p["description"] is not None:
                text = f"{p['name']}:{p['description']}"
                if p["type"] is not None:
                    text += f" ({p['type']})"
            else:
                text = f"{p['name']}:{p['type'] or ''}"
            out.append(f"{'parm:':<16}{text}{sep}")
    return "".join(out)


# ------------------------------------------------------------------ lsmod

def render_lsmod(doc):
    _members(doc, "document", {"schema": (int,), "modules": (list,)})
    out = ["Module                  Size  Used by\n"]
    for i, m in enumerate(doc["modules"]):
        _members(m, f"modules[{i}]", {"name": (str,), "size": (int,), "refcount": (int,),
                                      "holders": (list,), "state": (str,)})
        if m["state"] not in ("live", "coming", "going"):
            raise SchemaError(f"modules[{i}]: state {m['state']!r}")
        line = f"{m['name']:<19} {m['size']:>8}  {m['refcount']}"
        if m["holders"]:
            line += " " + ",".join(m["holders"])
        out.append(line + "\n")
    return "".join(out)


# ------------------------------------------------------- --show-depends

def render_show_depends(doc):
    _members(doc, "document", {"schema": (int,), "steps": (list,)})
    out = []
    for i, s in enumerate(doc["steps"]):
        what = f"steps[{i}]"
        action = s.get("action") if isinstance(s, dict) else None
        base = {"action": (str,), "module": (str,), "target": (bool,)}
        if action == "insmod":
            _members(s, what, dict(base, path=(str,), options=(str, None)))
            line = "insmod " + s["path"]
        elif action == "install":
            _members(s, what, dict(base, command=(str,), options=(str, None)))
            line = "install " + s["command"]
        elif action == "builtin":
            _members(s, what, base)
            line = "builtin " + s["module"]
        else:
            raise SchemaError(f"{what}: action {action!r}")
        if action != "builtin" and s["options"] is not None:
            line += " " + s["options"]
        out.append(line + "\n")
    return "".join(out)


def compare(rendered, text_bytes):
    """True when RENDERED (str) is the text output TEXT_BYTES."""
    return rendered == text_bytes.decode("utf-8", "replace")


def main(argv):
    if len(argv) < 2 or argv[1] not in ("modinfo", "lsmod", "show-depends"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        doc = load(sys.stdin.buffer.read())
        if argv[1] == "modinfo":
            text = render_modinfo(doc, null="-0" in argv[2:],
                                  build_id="--no-build-id" not in argv[2:])
        elif argv[1] == "lsmod":
            text = render_lsmod(doc)
        else:
            text = render_show_depends(doc)
    except (ValueError, SchemaError) as e:
        print(f"json-text.py: {e}", file=sys.stderr)
        return 1
    if "--compare" in argv:
        with open(argv[argv.index("--compare") + 1], "rb") as f:
            expected = f.read()
        if compare(text, expected):
            return 0
        want = expected.decode("utf-8", "replace").splitlines(True)
        got = text.splitlines(True)
        for i in range(max(len(want), len(got))):
            a = want[i] if i < len(want) else "(end)"
            b = got[i] if i < len(got) else "(end)"
            if a != b:
                print(f"json-text.py: line {i + 1}: text {a!r}, from JSON {b!r}",
                      file=sys.stderr)
                break
        return 1
    sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
