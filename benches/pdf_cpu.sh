#!/usr/bin/env bash
# CPU time per page: yusuan's PDF engine (decode + tables) vs `pdftotext -bbox-layout` vs
# pdfplumber's table finder, on one PDF (the issue asks for the longest corpus PDF).
# Usage: benches/pdf_cpu.sh [FILE.pdf|longest] [REPEATS] [PROFILE]   (PROFILE: release (default) | debug)
# "longest" (the default) picks the corpus PDF with the most pages.
# Needs poppler-utils; pdfplumber is measured when python3 can import it (pip install pdfplumber).
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-longest}
repeats=${2:-20}
profile=${3:-release}
if [ "$file" = longest ]; then
  file=$(for f in corpus/*/*.pdf; do echo "$(pdfinfo "$f" | awk '/^Pages:/ {print $2}') $f"; done | sort -n | tail -1 | cut -d' ' -f2-)
fi
pages=$(pdfinfo "$file" | awk '/^Pages:/ {print $2}')

if [ "$profile" = release ]; then
  cargo build -q --release --example pdf_bench
  bin=target/release/examples/pdf_bench
else
  cargo build -q --example pdf_bench
  bin=target/debug/examples/pdf_bench
fi
ours=$("$bin" "$file" "$repeats" | sed 's/.*; \([0-9.]*\) ms per page/\1/')

cpu_of() { # CPU seconds (user + sys) of a command
  /usr/bin/time -f '%U %S' "$@" 2>&1 >/dev/null | tail -1 | awk '{print $1 + $2}'
}
t_pdftotext=$(cpu_of bash -c "for i in \$(seq $repeats); do pdftotext -bbox-layout '$file' /dev/null; done")
pdftotext_ms=$(python3 -c "print(round($t_pdftotext * 1000 / ($pages * $repeats), 2))")

plumber_ms=n/a
if python3 -c 'import pdfplumber' 2>/dev/null; then
  plumber_repeats=$(( repeats < 3 ? repeats : 3 ))
  t_plumber=$(cpu_of python3 -c "
import pdfplumber, sys
for _ in range($plumber_repeats):
    with pdfplumber.open('$file') as pdf:
        for p in pdf.pages:
            p.find_tables()
")
  plumber_ms=$(python3 -c "print(round($t_plumber * 1000 / ($pages * $plumber_repeats), 2))")
fi
echo "file: $file ($pages pages), profile $profile"
echo "yusuan decode+tables: $ours ms CPU/page"
echo "pdftotext -bbox-layout: $pdftotext_ms ms CPU/page"
echo "pdfplumber find_tables: $plumber_ms ms CPU/page"
python3 - <<PY
ours = float("$ours"); ptt = float("$pdftotext_ms")
pl = "$plumber_ms"
print(f"ratio to pdftotext: {ours / ptt:.2f}x (target <= 1.5x)")
if pl != "n/a":
    print(f"pdfplumber / yusuan: {float(pl) / ours:.1f}x (target >= 20x)")
PY
