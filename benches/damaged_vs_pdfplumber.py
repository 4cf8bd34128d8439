#!/usr/bin/env python3
"""Damaged documents: does yusuan still extract tables wherever pdfplumber still finds them?

    python3 benches/damaged_vs_pdfplumber.py [--real DIR] [--variants N] [--seed S] [--keep DIR]

Makes N seeded damaged variants of every PDF in DIR (default ../shared/real, never committed),
the three kinds a ten-year backfill meets (the same kinds as tests/damaged.rs):
- cut: the file cut at a random point in its second half-ish (25 %..100 % of its length);
- flip: 1..8 random bytes replaced by random bytes;
- block: a random block (64 B..16 KiB) of the file copied into a random place in the middle.
For each variant it runs pdfplumber (`find_tables()` on every page it can open) and
`yusuan extract` (release build), and reports: variants; those where pdfplumber finds at least one
table; of those, how many yusuan extracts at least one table from (the issue's target ≥ 95 %);
yusuan's exit codes; seconds per variant for each tool. The variants are written to a temporary
directory (or --keep DIR) and never committed.

Needs `cargo build --release` and pdfplumber (a venv under target/bench-venv is made for it when
it cannot be imported here).
"""
import argparse, collections, json, os, random, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdfplumber_env import plumber_python  # noqa: E402
BINARY = os.path.join(ROOT, "target", "release", "yusuan")
KINDS = ("cut", "flip", "block")

PLUMBER = """
import sys, json, time, pdfplumber
out = {}
for path in sys.argv[1:]:
    start = time.process_time()
    tables = 0
    try:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                try:
                    tables += len(page.find_tables())
                except Exception:
                    pass
    except Exception:
        pass
    out[path] = {"tables": tables, "cpu": time.process_time() - start}
print(json.dumps(out))
"""


def damage(data: bytes, kind: str, rng: random.Random) -> bytes:
    """One damaged copy of data (the same three kinds as tests/damaged.rs)."""
    n = len(data)
    if kind == "cut":
        return data[: rng.randint(n // 4, n - 1)]
    if kind == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(n)] = rng.randrange(256)
        return bytes(out)
    size = rng.randint(64, min(16384, n // 2))
    src = rng.randrange(n - size)
    at = rng.randint(n // 8, n - n // 8)
    return data[:at] + data[src : src + size] + data[at:]


def yusuan_tables(path, out_dir):
    start = time.monotonic()
    proc = subprocess.run([BINARY, "extract", "--out", out_dir, path], capture_output=True, timeout=300)
    took = time.monotonic() - start
    tables, damaged = 0, False
    name = os.path.splitext(os.path.basename(path))[0] + ".json"
    result = os.path.join(out_dir, name)
    if proc.returncode == 0 and os.path.exists(result):
        with open(result, encoding="utf-8") as f:
            doc = json.load(f)
        tables = len(doc.get("tables", []))
        damaged = any(w.get("code") == "damaged_document" for w in doc.get("warnings", []))
        os.remove(result)
    return proc.returncode, tables, damaged, took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--real", default=os.path.join(ROOT, "..", "shared", "real"))
    ap.add_argument("--variants", type=int, default=3, help="variants of each kind per document")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--keep", help="write the variants here instead of a temporary directory")
    args = ap.parse_args()
    if not os.path.exists(BINARY):
        sys.exit("build first: cargo build --release")
    sources = sorted(os.path.join(args.real, f) for f in os.listdir(args.real) if f.lower().endswith(".pdf"))
    if not sources:
        sys.exit(f"no PDF in {args.real}")
    work = args.keep or tempfile.mkdtemp(prefix="yusuan-damaged-")
    os.makedirs(work, exist_ok=True)
    out_dir = os.path.join(work, "out")
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(args.seed)
    variants = []
    for src in sources:
        data = open(src, "rb").read()
        stem = os.path.splitext(os.path.basename(src))[0]
        for kind in KINDS:
            for k in range(args.variants):
                path = os.path.join(work, f"{stem}.{kind}{k}.pdf")
                with open(path, "wb") as f:
                    f.write(damage(data, kind, rng))
                variants.append((path, kind))

    plumber = json.loads(subprocess.run([plumber_python(), "-c", PLUMBER] + [p for p, _ in variants],
                                        capture_output=True, text=True, check=True).stdout)
    rows = []
    for path, kind in variants:
        code, tables, damaged, took = yusuan_tables(path, out_dir)
        rows.append({"path": path, "kind": kind, "plumber_tables": plumber[path]["tables"],
                     "plumber_cpu": plumber[path]["cpu"], "exit": code, "tables": tables,
                     "damaged_warning": damaged, "seconds": took})

    def summary(sel, label):
        with_tables = [r for r in sel if r["plumber_tables"] > 0]
        both = [r for r in with_tables if r["tables"] > 0]
        share = 100.0 * len(both) / len(with_tables) if with_tables else float("nan")
        print(f"{label:8} variants {len(sel):4}  pdfplumber finds tables {len(with_tables):4}  "
              f"yusuan extracts tables from {len(both):4} of them ({share:5.1f} %)  "
              f"yusuan tables anywhere {sum(1 for r in sel if r['tables'] > 0):4}")

    print(f"{len(sources)} documents from {args.real}, seed {args.seed}, {args.variants} variant(s) of each kind")
    for kind in KINDS:
        summary([r for r in rows if r["kind"] == kind], kind)
    summary(rows, "all")
    codes = collections.Counter(r["exit"] for r in rows)
    print("yusuan exit codes:", dict(sorted(codes.items())), " crashes (exit 17 or signal):",
          sum(1 for r in rows if r["exit"] == 17 or r["exit"] < 0))
    print("damaged_document warnings:", sum(1 for r in rows if r["damaged_warning"]))
    print(f"seconds per variant: yusuan {sum(r['seconds'] for r in rows) / len(rows):.3f} (wall, whole command), "
          f"pdfplumber {sum(r['plumber_cpu'] for r in rows) / len(rows):.3f} (CPU, find_tables)")
    missed = [r for r in rows if r["plumber_tables"] > 0 and r["tables"] == 0]
    for r in missed:
        print(f"  missed: {os.path.basename(r['path'])} exit {r['exit']} (pdfplumber {r['plumber_tables']} tables)")


if __name__ == "__main__":
    main()
