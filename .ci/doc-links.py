#!/usr/bin/env python3
"""Finds intra-doc links that rustdoc rendered as literal text: `[<code>Name</code>]` in
jwt-guard's own docs (an item's top docs, the summaries on module pages, and the docs of
its own methods). rustdoc does not warn for some of them (links behind features and
re-exports); a reader sees `[Layer]` where a link should be. Foreign traits' docs shown in
blanket implementations are not ours and are not checked.

Usage: .ci/doc-links.py target/doc   (after cargo doc --all-features --no-deps)
"""
import glob
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "target/doc"
ours = re.compile(r'<details class="toggle top-doc"[^>]*>.*?</details>'
                  r'|<dd>.*?</dd>', re.S)
literal = re.compile(r'\[<code>([^<]+)</code>\]')
plain = re.compile(r'\[([A-Z][A-Za-z0-9_:]*)\]')
bad = []
for crate in ("jwt_guard", "jwt_guard_macros"):
    for page in glob.glob(f"{root}/{crate}/**/*.html", recursive=True):
        text = open(page, encoding="utf-8").read()
        for block in ours.findall(text):
            block = re.sub(r"<pre.*?</pre>", "", block, flags=re.S)
            names = [m.group(1) for m in literal.finditer(block)]
            prose = re.sub(r"<code>.*?</code>", "", block, flags=re.S)
            names += [m.group(1) for m in plain.finditer(prose)]
            bad += [f"{page[len(root) + 1:]}: [{name}]" for name in names]
for line in sorted(set(bad)):
    print(line)
if bad:
    sys.exit(f"\n{len(set(bad))} unresolved intra-doc link(s): link them by path")
print("doc links: none rendered as literal text")
