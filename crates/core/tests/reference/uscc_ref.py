#!/usr/bin/env python3
"""Independent reference check of unified social credit codes (GB 32100-2015).

Written from the text of the standards (GB 32100-2015 for the code and its
MOD 31 check character, GB 11714 for the embedded organisation code), not
from the Rust implementation, and deliberately in a different style:

* the check-character weights are computed as pow(3, i, 31);
* character values come from an explicit dictionary;
* the GB 11714 check uses an explicit value table and a result table.

Input: codes on stdin, UTF-8, one per line (lines are split on "\\n" only,
so any other character, including CR, is part of the code).
Output: one JSON object per code, the same object as `xinyong uscc check`:
    {"code": ..., "valid": ..., "check_ok": ..., "error": ...}
With the option --org, well-formed codes also get "org_check_ok" (the GB 11714
check of positions 9-17), which the Rust test compares with
Uscc::org_code_check_ok.

Normalisation policy of the platform: strip surrounding whitespace (the
Unicode White_Space characters), upper-case ASCII letters only, then require
18 characters of the alphabet. A check-character mismatch leaves the code
valid (error null) with check_ok false.
"""

import json
import sys
import unicodedata

# GB 32100-2015, 4.3: the 31 code characters; I, O, Z, S, V are not used.
CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {ch: i for i, ch in enumerate(CODE_CHARS)}

# Weight of position i (1-based) is 3^(i-1) mod 31.
WEIGHTS = [pow(3, i, 31) for i in range(17)]

# GB 11714: character values for the 8 body characters of an org code.
ORG_VALUE = {str(d): d for d in range(10)}
ORG_VALUE.update({chr(ord("A") + k): 10 + k for k in range(26)})
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_RESULT = {n: str(n) for n in range(1, 10)}
ORG_RESULT[10] = "X"
ORG_RESULT[11] = "0"

# Unicode White_Space (what Rust's str::trim removes).
WHITE_SPACE = set(
    "\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def strip_white_space(s):
    start, end = 0, len(s)
    while start < end and s[start] in WHITE_SPACE:
        start += 1
    while end > start and s[end - 1] in WHITE_SPACE:
        end -= 1
    return s[start:end]


def ascii_upper(s):
    return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in s)


def check_character(first17):
    total = 0
    for position, ch in enumerate(first17):
        total += VALUE[ch] * WEIGHTS[position]
    c = 31 - total % 31
    if c == 31:
        c = 0
    return CODE_CHARS[c]


def org_check_character(body8):
    total = sum(ORG_VALUE[ch] * w for ch, w in zip(body8, ORG_WEIGHTS))
    return ORG_RESULT[11 - total % 11]


def report(raw, with_org=False):
    code = ascii_upper(strip_white_space(raw))
    if code == "":
        return {"code": raw, "valid": False, "check_ok": False,
                "error": "empty code (统一社会信用代码为空)"}
    if len(code) != 18:
        return {"code": raw, "valid": False, "check_ok": False,
                "error": "wrong length %d (统一社会信用代码应为18位)" % len(code)}
    for position, ch in enumerate(code, start=1):
        if ch not in VALUE:
            # Rust's {:?} of a char: quoted, with escapes for a few characters.
            return {"code": raw, "valid": False, "check_ok": False,
                    "error": "character %s at position %d is not allowed "
                             "(统一社会信用代码只能由数字和除I、O、Z、S、V以外的大写字母组成)"
                             % (rust_char_debug(ch), position)}
    result = {"code": raw, "valid": True,
              "check_ok": check_character(code[:17]) == code[17],
              "error": None}
    if with_org:
        # positions 9-16 are the org-code body, position 17 its check character
        result["org_check_ok"] = org_check_character(code[8:16]) == code[16]
    return result


def rust_char_debug(ch):
    """Rust's Debug format of a char, for the characters the tests use."""
    escapes = {"\t": "\\t", "\r": "\\r", "\n": "\\n", "'": "\\'", "\\": "\\\\",
               "\0": "\\0"}
    if ch in escapes:
        return "'%s'" % escapes[ch]
    if unicodedata.category(ch) == "Cc":
        return "'\\u{%x}'" % ord(ch)
    return "'%s'" % ch


def main():
    with_org = "--org" in sys.argv[1:]
    data = sys.stdin.buffer.read().decode("utf-8")
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out = sys.stdout
    for raw in lines:
        out.write(json.dumps(report(raw, with_org), ensure_ascii=False))
        out.write("\n")
    # Self-checks of the reference itself (standards.md §1.5).
    assert report("91350100M000100Y43")["check_ok"]
    assert org_check_character("63159284") == "X"
    assert org_check_character("00000000") == "0"
    assert check_character("0" * 17) == "0"


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")
    main()
