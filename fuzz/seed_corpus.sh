#!/usr/bin/env bash
# Assembles the working fuzz corpora fuzz/corpus/{pdf,docx} (not committed) from:
#   - fuzz/seeds/{pdf,docx}            committed small seeds
#   - $CORPUS_DIR (default: ../corpus)  the generated evaluation corpus, when present
#   - ../tests/fixtures                 hostile fixtures and crashers
#   - $PEERS_DIR (default: ../../shared/peers) up to 40 small peer PDFs and the peer DOCX files
# For the docx target, each DOCX also contributes its word/document.xml alone: the target packs
# non-zip inputs as the main document part, which is where the interesting parsing happens.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
corpus_dir="${CORPUS_DIR:-$here/../corpus}"
peers_dir="${PEERS_DIR:-$here/../../shared/peers}"
mkdir -p "$here/corpus/pdf" "$here/corpus/docx"
cp -n "$here"/seeds/pdf/* "$here/corpus/pdf/" 2>/dev/null || true
cp -n "$here"/seeds/docx/* "$here/corpus/docx/" 2>/dev/null || true
add_docx() {
  local f="$1" base
  base="$(basename "$f" .docx)-$(sha256sum "$f" | cut -c1-8)"
  cp -n "$f" "$here/corpus/docx/$base.docx"
  unzip -p "$f" word/document.xml > "$here/corpus/docx/$base.document.xml" 2>/dev/null || rm -f "$here/corpus/docx/$base.document.xml"
}
for root in "$corpus_dir" "$here/../tests/fixtures"; do
  [ -d "$root" ] || continue
  while IFS= read -r -d '' f; do cp -n "$f" "$here/corpus/pdf/$(sha256sum "$f" | cut -c1-16).pdf"; done \
    < <(find "$root" -type f -name '*.pdf' -size -200k -print0)
  while IFS= read -r -d '' f; do add_docx "$f"; done < <(find "$root" -type f -name '*.docx' -print0)
done
if [ -d "$peers_dir" ]; then
  find "$peers_dir" -type f -name '*.pdf' -size -60k | sort | head -40 | while read -r f; do
    cp -n "$f" "$here/corpus/pdf/$(sha256sum "$f" | cut -c1-16).pdf"
  done
  while IFS= read -r -d '' f; do add_docx "$f"; done < <(find "$peers_dir/docx" -type f -name '*.docx' -print0)
fi
echo "pdf: $(ls "$here/corpus/pdf" | wc -l) files, docx: $(ls "$here/corpus/docx" | wc -l) files"
