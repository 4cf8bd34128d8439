#!/usr/bin/env python3
"""Cross-check of yusuan's cell texts against pdftotext on the real documents (../shared/real).

    python3 benches/real_vs_pdftotext.py [--bin target/release/yusuan] [--real DIR] [--json OUT] [FILE.pdf ...]

DIR defaults to $YUSUAN_REAL, else the first of ../shared/real and ../../shared/real (a worktree)
that exists.

For every cell yusuan reports (page and box), the words of `pdftotext -bbox` whose centre lies in
the box are what the page prints there. Per cell it compares the numbers (multisets of numeric
tokens) and the characters (multisets, spaces ignored, so word order and spacing do not count).
Amounts in the page's words that fall in no cell are counted too (on budget pages they are mostly
the narrative's figures; list them with --json). pdftotext is a second reading, not the truth:
a difference says where to look. Needs poppler-utils.
"""
import argparse, html, json, os, re, subprocess, sys
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUM = re.compile(r'\d[\d,.]*\d|\d')
AMOUNT = re.compile(r'\d{1,3}(,\d{3})*\.\d{2}')


def numbers(s):
    return [t.rstrip('.,') for t in NUM.findall(s)]


def is_amount(t):
    return ',' in t or '.' in t


def pdftotext_pages(path):
    """Per page: the words with their boxes, in display coordinates (/Rotate applied, as ours)."""
    out = subprocess.run(['pdftotext', '-bbox', path, '-'], capture_output=True, text=True).stdout
    word = re.compile(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>')
    return [[(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in word.findall(page)]
            for page in re.findall(r'<page [^>]*>(.*?)</page>', out, re.S)]


def check(binary, path, totals):
    run = subprocess.run([binary, 'extract', path], capture_output=True, text=True)
    extraction = json.loads(run.stdout) if run.returncode == 0 else {'tables': []}
    pages = pdftotext_pages(path)
    cells_by_page = defaultdict(list)
    for table in extraction['tables']:
        for cell in table['cells']:
            if cell.get('page') and cell.get('bbox'):
                cells_by_page[cell['page']].append(cell)
    differ, outside = [], []
    for page, cells in sorted(cells_by_page.items()):
        if page > len(pages):
            continue
        printed = defaultdict(list)
        for x0, y0, x1, y1, text in pages[page - 1]:
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            hit = next((i for i, c in enumerate(cells) if c['bbox'][0] <= cx <= c['bbox'][2] and c['bbox'][1] <= cy <= c['bbox'][3]), None)
            if hit is None:
                outside.extend((page, n) for n in numbers(text) if AMOUNT.fullmatch(n))
            else:
                printed[hit].append(text)
        for i, cell in enumerate(cells):
            want_text = ' '.join(printed.get(i, []))
            want, got = Counter(numbers(want_text)), Counter(numbers(cell['text']))
            totals['cells'] += 1
            totals['numbers'] += sum(want.values())
            totals['amounts'] += sum(v for k, v in want.items() if is_amount(k))
            numbers_differ = want != got
            chars_differ = Counter(want_text.replace(' ', '')) != Counter(cell['text'].replace(' ', ''))
            if numbers_differ:
                lost = want - got
                totals['cells with other numbers'] += 1
                totals['amounts lost'] += sum(v for k, v in lost.items() if is_amount(k))
                totals['numbers lost'] += sum(lost.values())
                totals['numbers extra'] += sum((got - want).values())
            if chars_differ:
                totals['cells with other characters'] += 1
            if numbers_differ or chars_differ:
                differ.append({'page': page, 'row': cell['row'], 'col': cell['col'], 'pdftotext': want_text, 'yusuan': cell['text']})
        totals['pages'] += 1
    totals['amounts in no cell'] += len(outside)
    return {'differ': differ, 'amounts_in_no_cell': outside}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--bin', default=os.path.join(ROOT, 'target', 'release', 'yusuan'))
    ap.add_argument('--real', default=os.environ.get('YUSUAN_REAL'))
    ap.add_argument('--json', help='write every difference here')
    ap.add_argument('files', nargs='*')
    args = ap.parse_args()
    candidates = [os.path.join(ROOT, up, 'shared', 'real') for up in ('..', os.path.join('..', '..'))]
    real = args.real or next((c for c in candidates if os.path.isdir(c)), None)
    if not args.files and not real:
        sys.exit('no real documents: give --real DIR or files')
    files = args.files or sorted(os.path.join(real, f) for f in os.listdir(real) if f.endswith('.pdf'))
    totals = Counter()
    report = {}
    for path in files:
        report[os.path.basename(path)] = r = check(args.bin, path, totals)
        print(f"{os.path.basename(path)}: {len(r['differ'])} cells differ, {len(r['amounts_in_no_cell'])} amounts in no cell", flush=True)
    print(f"{len(files)} documents, {totals['pages']} pages with tables, {totals['cells']} cells, "
          f"{totals['amounts']} amounts ({totals['numbers']} numbers) in them per pdftotext")
    print(f"cells with other numbers: {totals['cells with other numbers']} (amounts lost {totals['amounts lost']}, "
          f"numbers lost {totals['numbers lost']}, extra {totals['numbers extra']}); "
          f"cells with other characters: {totals['cells with other characters']}; amounts in no cell: {totals['amounts in no cell']}")
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'totals': dict(totals), 'documents': report}, f, ensure_ascii=False, indent=1)


if __name__ == '__main__':
    sys.exit(main())
