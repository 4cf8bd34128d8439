#!/usr/bin/env python3
"""CPU per page of `yusuan extract`, pdfplumber's table finder and `pdftotext -bbox-layout`.

One run, same machine, same PDFs; prints the ratios and yusuan's peak memory (max RSS).

    python3 benches/peers.py [--repeat N] [PDF ...]     (default: every PDF in corpus/manifest.json)

Needs a release build (`cargo build --release`), poppler-utils, and pdfplumber (pip install pdfplumber;
when it is missing here, a venv under target/bench-venv is made for it). CPU is user+sys of the child
processes (resource.getrusage), so start-up costs are included for every tool alike.
"""
import argparse, json, os, platform, resource, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUMBER = "import pdfplumber,sys\nwith pdfplumber.open(sys.argv[1]) as pdf:\n    [p.find_tables() for p in pdf.pages]\n"


def child_cpu(cmd):
    """Runs cmd, returns the CPU seconds (user + sys) it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu


def plumber_python():
    try:
        import pdfplumber  # noqa: F401
        return sys.executable
    except ImportError:
        venv = os.path.join(ROOT, "target", "bench-venv")
        py = os.path.join(venv, "bin", "python")
        if not os.path.exists(py):
            subprocess.run([sys.executable, "-m", "venv", venv], check=True)
            subprocess.run([py, "-m", "pip", "install", "-q", "pdfplumber"], check=True)
        return py


def pages_of(pdf):
    out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    return next(int(l.split()[1]) for l in out.splitlines() if l.startswith("Pages:"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("pdfs", nargs="*")
    args = ap.parse_args()
    os.chdir(ROOT)
    pdfs = args.pdfs or [
        os.path.join("corpus", d["file"])
        for d in json.load(open("corpus/manifest.json"))["documents"]
        if d["file"].endswith(".pdf")
    ]
    binary = os.path.join("target", "release", "yusuan")
    if not os.path.exists(binary):
        sys.exit("build first: cargo build --release")
    py = plumber_python()
    tools = {
        "yusuan extract": lambda f: [binary, "extract", f],
        "pdfplumber find_tables": lambda f: [py, "-c", PLUMBER, f],
        "pdftotext -bbox-layout": lambda f: ["pdftotext", "-bbox-layout", f, "/dev/null"],
    }
    cpu = {t: 0.0 for t in tools}
    pages = 0
    for pdf in pdfs:
        n = pages_of(pdf)
        pages += n * args.repeat
        for _ in range(args.repeat):
            for name, cmd in tools.items():
                cpu[name] += child_cpu(cmd(pdf))
    # Peak memory of yusuan alone on the largest file (RUSAGE_CHILDREN's maxrss mixes all tools).
    largest = max(pdfs, key=os.path.getsize)
    rss_out = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "extract", largest],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    yusuan_rss = int(rss_out.stderr.strip().splitlines()[-1]) if rss_out.stderr.strip() else 0
    ms = {t: 1000.0 * c / pages for t, c in cpu.items()}
    y = ms["yusuan extract"]
    print(f"{time.strftime('%Y-%m-%d')}  {platform.machine()}  {os.cpu_count()} cores  "
          f"{len(pdfs)} PDFs x {args.repeat} runs = {pages} pages")
    for name, v in ms.items():
        ratio = "" if name == "yusuan extract" else f"   yusuan = {y / v:.3f}x of this" if v else ""
        print(f"  {name:<24} {v:8.2f} ms CPU/page{ratio}")
    print(f"  pdfplumber / yusuan      {ms['pdfplumber find_tables'] / y:8.1f}x")
    print(f"  yusuan peak RSS ({os.path.basename(largest)}): {yusuan_rss / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
