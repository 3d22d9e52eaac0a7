#!/usr/bin/env python3
"""Writes the inputs of the shared bug-report cases (cases.json) that fit a
fuzz target into a corpus directory, each under the SHA-1 of its bytes.

    cases_to_seeds.py CASES_JSON TARGET DIR

inspect takes the documents of the validate, digest and platform-select
cases, reference the reference strings, platform the platform-parse strings
and the platforms the select cases ask for, challenge the WWW-Authenticate
values; other targets take nothing from it.
"""
import hashlib
import json
import os
import sys

KINDS = {
    "inspect": ("validate", "digest", "platform-select"),
    "reference": ("reference",),
    "platform": ("platform-parse", "platform-select"),
    "challenge": ("challenge",),
}


def texts(case, target):
    if case.get("kind") == "platform-select":
        if target == "platform":
            wanted = case.get("options", {}).get("platform")
            if isinstance(wanted, str):
                yield wanted
            return
    value = case.get("input")
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key in ("document", "bytes", "text", "platform", "header"):
            if isinstance(value.get(key), str):
                yield value[key]


def main():
    cases_path, target, out = sys.argv[1:4]
    kinds = KINDS.get(target, ())
    with open(cases_path, encoding="utf-8") as f:
        cases = json.load(f)
    written = 0
    for case in cases:
        if case.get("kind") not in kinds:
            continue
        for text in texts(case, target):
            data = text.encode("utf-8")
            name = hashlib.sha1(data).hexdigest()
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)
            written += 1
    print(f"fuzz: {written} seeds for {target} from {os.path.basename(cases_path)}")


if __name__ == "__main__":
    main()
