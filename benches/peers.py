#!/usr/bin/env python3
"""yusuan's benchmark, in one run on one machine: CPU per page against the peers, peak memory,
worker throughput.

    python3 benches/peers.py                 # the longest corpus PDF (the issue's reference file)
    python3 benches/peers.py --all           # every PDF of corpus/manifest.json
    python3 benches/peers.py FILE.pdf ...    # given PDFs
    options: --repeat N (default 10), --no-worker (skip the RabbitMQ throughput part)

CPU is user + system time:
- `yusuan extract FILE` (release build): the whole command, process start to JSON out;
- pdfplumber: `page.find_tables()` over every page, timed inside Python with process_time() so the
  interpreter start and the import (≈0.4 s) are not charged to it;
- `pdftotext -bbox-layout FILE /dev/null` (poppler-utils): the whole command.
Peak memory is the max RSS of `yusuan extract` on the largest file. Worker throughput runs
benches/worker_throughput.sh with 1 and 2 workers on corpus/ (needs RabbitMQ on AMQP_URL).

Needs: `cargo build --release`, poppler-utils, GNU time, and pdfplumber (pip install pdfplumber; when
it cannot be imported here a venv under target/bench-venv is made for it).
"""
import argparse, json, os, platform, resource, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdfplumber_env import plumber_python  # noqa: E402
BINARY = os.path.join(ROOT, "target", "release", "yusuan")
PLUMBER = """
import sys, time, pdfplumber
path, repeat = sys.argv[1], int(sys.argv[2])
start = time.process_time()
for _ in range(repeat):
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.find_tables()
print(time.process_time() - start)
"""


def child_cpu(cmd):
    """CPU seconds (user + sys) that running cmd to completion took."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def pages_of(pdf):
    out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    return next(int(l.split()[1]) for l in out.splitlines() if l.startswith("Pages:"))


def corpus_pdfs():
    manifest = json.load(open(os.path.join(ROOT, "corpus", "manifest.json")))
    return [os.path.join("corpus", d["file"]) for d in manifest["documents"] if d["file"].endswith(".pdf")]


def cpu_per_page(pdfs, repeat):
    py = plumber_python()
    cpu = {"yusuan extract": 0.0, "pdfplumber find_tables": 0.0, "pdftotext -bbox-layout": 0.0}
    pages = 0
    for pdf in pdfs:
        pages += pages_of(pdf) * repeat
        for _ in range(repeat):
            cpu["yusuan extract"] += child_cpu([BINARY, "extract", pdf])
            cpu["pdftotext -bbox-layout"] += child_cpu(["pdftotext", "-bbox-layout", pdf, "/dev/null"])
        out = subprocess.run([py, "-c", PLUMBER, pdf, str(repeat)], capture_output=True, text=True, check=True)
        cpu["pdfplumber find_tables"] += float(out.stdout.strip())
    return {name: 1000.0 * c / pages for name, c in cpu.items()}, pages


def peak_rss_mib(pdf):
    out = subprocess.run(["/usr/bin/time", "-f", "%M", BINARY, "extract", pdf],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    return int(out.stderr.strip().splitlines()[-1]) / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--all", action="store_true", help="every corpus PDF instead of the longest")
    ap.add_argument("--no-worker", action="store_true", help="skip worker throughput")
    ap.add_argument("pdfs", nargs="*")
    args = ap.parse_args()
    os.chdir(ROOT)
    if not os.path.exists(BINARY):
        sys.exit("build first: cargo build --release")
    pdfs = args.pdfs or corpus_pdfs()
    if not args.pdfs and not args.all:
        pdfs = [max(pdfs, key=pages_of)]
    load = os.getloadavg()[0]
    ms, pages = cpu_per_page(pdfs, args.repeat)
    what = pdfs[0] if len(pdfs) == 1 else f"{len(pdfs)} PDFs"
    print(f"{time.strftime('%Y-%m-%d')}  {platform.machine()}  {os.cpu_count()} cores  load {load:.1f}  "
          f"{what}: {pages // args.repeat} pages x {args.repeat} runs")
    y = ms["yusuan extract"]
    for name, v in ms.items():
        print(f"  {name:<24} {v:8.2f} ms CPU/page")
    print(f"  pdfplumber / yusuan      {ms['pdfplumber find_tables'] / y:8.1f}x   (target >= 20x)")
    print(f"  yusuan / pdftotext       {y / ms['pdftotext -bbox-layout']:8.2f}x   (target <= 1.5x)")
    largest = max(pdfs, key=os.path.getsize)
    print(f"  yusuan peak RSS          {peak_rss_mib(largest):8.1f} MiB ({largest})")
    if not args.no_worker:
        script = os.path.join(ROOT, "benches", "worker_throughput.sh")
        for workers in (1, 2):
            out = subprocess.run(["bash", script, BINARY, "corpus", str(workers), "3"],
                                 capture_output=True, text=True)
            line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr.strip()[-300:]
            print(f"  worker throughput: {line}")


if __name__ == "__main__":
    main()
