#!/usr/bin/python3
"""Finds calls that get two or more op-creating arguments, e.g.

    AddOp::create(b, loc, MulOp::create(b, loc, x, y), scalar(b, loc, t, 1));

C++ leaves the evaluation order of arguments to the compiler (gcc and clang
differ), so such a call emits the two ops in a compiler-dependent order: the
IR, and the tests that check it, then differ between the gcc build and the
clang (ASan) build. This broke CI once; the fix is one statement per op.

An argument creates ops when it calls `X::create(`, `create<X>(`, a function
declared in the project as returning a Value (helpers like `scalar`, `mul`),
or an importer Emitter method (`e.op<...>`, `e.scalar`, ...). Exits 1 and
lists each call found, else 0.

Usage: /usr/bin/python3 scripts/check_builder_order.py [files...]
       (default: every C++ file under lib/ and tools/)
"""
import os
import re
import sys

# Value-returning functions that only read (not create) IR.
READERS = {"get", "getValue", "lookup", "operand", "next", "value", "input",
           "result", "getInput", "getOutput", "materialize"}
EMITTER = r"\be\.(?:op|scalar|reshape|transpose|constant|convert|reduce|sliceAxis)\b"


def arguments(text, open_paren):
    """The top-level arguments of the call whose '(' is at open_paren."""
    depth, current, args = 0, [], []
    for c in text[open_paren:]:
        if c in "([{":
            depth += 1
            if depth == 1:
                continue
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append("".join(current))
                return args
        elif c == "," and depth == 1:
            args.append("".join(current))
            current = []
            continue
        current.append(c)
    return args


def creator_pattern(files):
    names = set()
    declaration = re.compile(
        r"\b(?:Value|FailureOr<Value>|OpResult)\s+(?:[A-Za-z_]+::)?([a-z]\w*)\s*\(")
    for path in files:
        with open(path, encoding="utf-8") as f:
            names.update(declaration.findall(f.read()))
    names -= READERS
    helpers = "|".join(sorted(names)) or "(?!)"
    return re.compile(r"::create\(|\bcreate<|\b(?:%s)\s*\(|%s" % (helpers, EMITTER))


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if len(sys.argv) > 1:
        files = sys.argv[1:]
    else:
        files = [os.path.join(folder, name)
                 for top in ("lib", "tools")
                 for folder, _, names in os.walk(os.path.join(root, top))
                 for name in sorted(names) if name.endswith((".cpp", ".h"))]
    creates = creator_pattern(files)
    call = re.compile(r"[A-Za-z_][\w:<>.]*\s*\(")
    keyword = re.compile(r"(?:if|for|while|switch|return|sizeof)\b")
    found = 0
    for path in files:
        if not path.endswith(".cpp"):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in call.finditer(text):
            if keyword.match(m.group(0)):
                continue
            creating = [a for a in arguments(text, m.end() - 1) if creates.search(a)]
            if len(creating) >= 2:
                line = text.count("\n", 0, m.start()) + 1
                print(f"{os.path.relpath(path, root)}:{line}: "
                      f"'{m.group(0).rstrip('( ')}' gets {len(creating)} op-creating "
                      f"arguments; create them in separate statements")
                found += 1
    print(f"check_builder_order: {len(files)} files, {found} calls found")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
