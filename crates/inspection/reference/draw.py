#!/usr/bin/env python3
"""An independent re-implementation of docs/INSPECTION-DRAW.md
(xinyong-inspection-draw/1), written from the document, not from the Rust
code. Standard library only. Not part of the crate's build; the Rust tests
pin the values it prints (tests/golden.rs).

    python3 draw.py vector                   # the generator test vector (§9)
    python3 draw.py PLAN.json SEED_HEX       # published digests and the draw
"""
import hashlib
import json
import sys

TAG = b"xinyong-inspection-draw/1"


def u64be(n):
    return n.to_bytes(8, "big")


class Generator:
    def __init__(self, seed: bytes, plan_id: str):
        p = plan_id.encode("utf-8")
        self.key = hashlib.sha256(TAG + u64be(len(seed)) + seed + u64be(len(p)) + p).digest()
        self.block_index = 0
        self.words = []

    def next_u64(self):
        if not self.words:
            block = hashlib.sha256(self.key + u64be(self.block_index)).digest()
            self.block_index += 1
            self.words = [int.from_bytes(block[i:i + 8], "big") for i in range(0, 32, 8)]
        return self.words.pop(0)

    def below(self, n):
        r = (1 << 64) % n
        while True:
            x = self.next_u64()
            if x < (1 << 64) - r:
                return x % n


def partial_fisher_yates(g, lst, k):
    lst = list(lst)
    for j in range(k):
        t = j + g.below(len(lst) - j)
        lst[j], lst[t] = lst[t], lst[j]
    return lst[:k]


def sha(b):
    return hashlib.sha256(b).hexdigest()


def canonical(plan):
    pool = sorted(plan["pool"], key=lambda e: e["uscc"].encode())
    roster = sorted(plan["roster"], key=lambda i: i["id"].encode())
    rec = sorted({(r["inspector"], r["uscc"], r["reason"]) for r in plan["recusals"]},
                 key=lambda t: [f.encode() for f in t])
    items = sorted(plan["items"], key=lambda s: s.encode())
    b = lambda f: "1" if f else "0"
    lists = {
        "pool": "".join(f'{e["uscc"]}\t{e["class"]}\t{b(e["no_inspection_without_complaint"])}\t{b(e["complaint"])}\n' for e in pool),
        "roster": "".join(f'{i["id"]}\t{i["department"]}\n' for i in roster),
        "recusals": "".join(f"{i}\t{u}\t{r}\n" for (i, u, r) in rec),
        "items": "".join(f"{it}\n" for it in items),
    }
    return pool, roster, rec, items, {k: v.encode("utf-8") for k, v in lists.items()}


def draw(plan, seed):
    pool, roster, rec, items, _ = canonical(plan)
    ratios = plan["params"]["ratios"]
    m = plan["params"]["items_per_task"]
    g = Generator(seed, plan["plan_id"])
    chosen = [e for e in pool if e["no_inspection_without_complaint"] and e["complaint"]]
    for cls in "ABCD":
        members = [e for e in pool if e["class"] == cls and not e["no_inspection_without_complaint"]]
        k = -(-len(members) * ratios[cls] // 10000)  # ceil
        chosen += partial_fisher_yates(g, members, k)
    chosen.sort(key=lambda e: e["uscc"].encode())
    lines = []
    for e in chosen:
        recused = {i for (i, u, _) in rec if u == e["uscc"]}
        eligible = [i["id"] for i in roster if i["id"] not in recused]
        if len(eligible) < 2:
            pair = ["", ""]
        else:
            pair = partial_fisher_yates(g, eligible, 2)
        its = partial_fisher_yates(g, items, m)
        basis = "complaint" if e["no_inspection_without_complaint"] else "random"
        lines.append("\t".join([e["uscc"], e["class"], basis] + pair + its) + "\n")
    return lines


def main():
    if sys.argv[1] == "vector":
        g = Generator(bytes(range(32)), "TEST-2026-001")
        print("key", g.key.hex())
        for i in range(8):
            print(f"u64[{i}] {g.next_u64():016x}")
        g = Generator(bytes(range(32)), "TEST-2026-001")
        print("below(10) x 10:", [g.below(10) for _ in range(10)])
        print("below(1000003) x 4:", [g.below(1000003) for _ in range(4)])
        return
    plan = json.load(open(sys.argv[1], encoding="utf-8"))
    seed = bytes.fromhex(sys.argv[2])
    *_, lists = canonical(plan)
    for k in ["pool", "roster", "recusals", "items"]:
        n = lists[k].count(b"\n")
        print(f"{k}\t{n}\t{sha(lists[k])}")
    print("commitment\t" + sha(seed))
    lines = draw(plan, seed)
    sys.stdout.write("".join(lines))
    print("draw\t" + sha("".join(lines).encode("utf-8")))


if __name__ == "__main__":
    main()
