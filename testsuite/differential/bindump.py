#!/usr/bin/env python3
"""Dumps binary module indexes (modules.*.bin): every key of the trie in key
order, then its values in stored order with their priorities. The dump does
not depend on how the writer laid out the nodes, so two indexes with the
same content dump the same. Refuses loops and offsets outside the file.

Usage:
  bindump.py DIR OUTDIR NAME...   OUTDIR/NAME.dump for each DIR/NAME, after a
                                  "# magic" line (the differential tests)
  bindump.py - FILE               FILE's dump to stdout (the tool tests)
  bindump.py --each OUTDIR FILE...  OUTDIR/BASENAME.dump for each FILE, as -
In the last two forms a 0-byte file dumps to nothing (kmod 30 writes those
for a missing modules.builtin*), and a malformed one (a bad header
included) ends in a line "# bad: WHY".
"""
import os, struct, sys

MAGIC = 0xB007F457

class BadNode(ValueError):
    """A node offset that loops or points outside the file."""

def walk(data, root, node_at_end):
    """(key, priority, value) for every value of the trie at ROOT, keys in
    order. BadNode for a looping or outside offset; IndexError, ValueError
    or struct.error for a node cut short. NODE_AT_END: an offset equal to
    the file's size is allowed (a node with neither prefix, children nor
    values takes no bytes: our writer ends an empty index with one)."""
    seen = set()
    stack = [(root, b'')]
    while stack:
        word, key = stack.pop()
        off = word & 0x0FFFFFFF
        if off == 0:
            continue
        if off in seen or off > len(data) or (off == len(data) and not node_at_end):
            raise BadNode('bad or looping node offset %#x' % off)
        seen.add(off)
        p = off
        if word & 0x80000000:
            e = data.index(b'\0', p)
            key += data[p:e]
            p = e + 1
        children = []
        if word & 0x20000000:
            first, last = data[p], data[p + 1]
            p += 2
            for c in range(first, last + 1):
                (w,) = struct.unpack_from('>I', data, p)
                p += 4
                if w & 0x0FFFFFFF:
                    children.append((w, key + bytes([c])))
        if word & 0x40000000:
            (count,) = struct.unpack_from('>I', data, p)
            p += 4
            for _ in range(count):
                (prio,) = struct.unpack_from('>I', data, p)
                p += 4
                e = data.index(b'\0', p)
                yield key, prio, data[p:e]
                p = e + 1
        stack.extend(reversed(children))

def line(key, prio, value):
    return key + b'\t%d\t' % prio + value + b'\n'

def dump(path, out):
    """The differential tests' form: a header line, then the values."""
    data = open(path, 'rb').read()
    if len(data) < 12:
        raise ValueError('%s: shorter than a header' % path)
    magic, version, root = struct.unpack_from('>III', data, 0)
    out.write(b'# magic %08x version %08x\n' % (magic, version))
    if magic != MAGIC:
        raise ValueError('%s: bad magic %08x' % (path, magic))
    entries = 0
    try:
        for key, prio, value in walk(data, root, False):
            out.write(line(key, prio, value))
            entries += 1
    except BadNode as e:
        raise ValueError('%s: %s' % (path, e))
    return entries

def dump_checked(data):
    """The tool tests' form: the values only, the version checked too."""
    if not data:
        return b''
    out = []
    try:
        magic, version, root = struct.unpack_from('>III', data, 0)
        if magic != MAGIC or version >> 16 != 2:
            raise ValueError('bad header %08x %08x' % (magic, version))
        for key, prio, value in walk(data, root, True):
            out.append(line(key, prio, value))
    except (ValueError, IndexError, struct.error) as e:
        out.append(b'# bad: ' + str(e).encode() + b'\n')
    return b''.join(out)

if sys.argv[1] == '-':
    sys.stdout.buffer.write(dump_checked(open(sys.argv[2], 'rb').read()))
elif sys.argv[1] == '--each':
    for f in sys.argv[3:]:
        with open(os.path.join(sys.argv[2], os.path.basename(f) + '.dump'), 'wb') as o:
            o.write(dump_checked(open(f, 'rb').read()))
else:
    d, outdir = sys.argv[1], sys.argv[2]
    for name in sys.argv[3:]:
        with open('%s/%s.dump' % (outdir, name), 'wb') as out:
            try:
                dump('%s/%s' % (d, name), out)
            except (OSError, ValueError, IndexError, struct.error) as e:
                out.write(b'# unreadable: ' + str(e).encode() + b'\n')
