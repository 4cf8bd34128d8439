//! Damaged documents (issue 16): seeded damaged variants of the corpus documents (and of the real
//! documents in ../shared/real when they are on this machine; never committed) — cut at a random
//! point, a few random bytes changed, a random block copied into the middle. For every variant:
//! no panic (a caught panic is `internal_error`), no hang (each extraction is timed), and the
//! corpus documents still give their tables when the damage leaves them readable.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use yusuan::error::ExtractError;
use yusuan::limits::Limits;
use yusuan::model::Extraction;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The kinds of damage a backfill of old archives meets.
#[derive(Debug, Clone, Copy)]
enum Damage {
    /// An interrupted download: the file cut at a random point.
    Cut,
    /// A few bytes changed on a disk.
    Flip,
    /// A random block of the file copied into the middle (a re-assembled download).
    Block,
}

const KINDS: [Damage; 3] = [Damage::Cut, Damage::Flip, Damage::Block];

/// One damaged copy of `bytes`, from the seeded generator.
fn damage(bytes: &[u8], kind: Damage, rng: &mut fastrand::Rng) -> Vec<u8> {
    let n = bytes.len();
    match kind {
        Damage::Cut => bytes[..rng.usize(n / 4..n)].to_vec(),
        Damage::Flip => {
            let mut out = bytes.to_vec();
            for _ in 0..rng.usize(1..=8) {
                out[rng.usize(..n)] = rng.u8(..);
            }
            out
        }
        Damage::Block => {
            let size = rng.usize(64..=(n / 2).clamp(65, 16384));
            let src = rng.usize(..n - size);
            let at = rng.usize(n / 8..=n - n / 8);
            let mut out = bytes[..at].to_vec();
            out.extend_from_slice(&bytes[src..src + size]);
            out.extend_from_slice(&bytes[at..]);
            out
        }
    }
}

/// The wall time any one damaged variant may take (debug build, two shared cores); the
/// extraction's own budget is set below it so that a slow variant ends in `timeout`, not here.
const VARIANT_WALL: Duration = Duration::from_secs(60);

fn limits() -> Limits {
    Limits { time_budget: Duration::from_secs(30), ..Limits::default() }
}

/// Extracts on a worker thread and fails the test if it takes longer than `VARIANT_WALL`.
fn extract_timed(name: &str, bytes: Vec<u8>) -> (Result<Extraction, ExtractError>, Duration) {
    let (tx, rx) = mpsc::channel();
    let file = name.to_string();
    let start = Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send(yusuan::extract(&file, &bytes, &limits()));
    });
    let result = rx.recv_timeout(VARIANT_WALL).unwrap_or_else(|_| panic!("{name}: no answer within {VARIANT_WALL:?} (hang)"));
    (result, start.elapsed())
}

fn corpus_documents() -> Vec<PathBuf> {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(manifest_dir().join("corpus/manifest.json")).unwrap()).unwrap();
    manifest["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| manifest_dir().join("corpus").join(d["file"].as_str().unwrap()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("pdf") | Some("docx")))
        .collect()
}

fn name_of(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// Runs every variant; returns (variants, with tables). Panics on a panic, hang or internal error.
fn run_variants(documents: &[PathBuf], per_kind: usize, seed: u64) -> (usize, usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut variants, mut with_tables) = (0, 0);
    let mut slowest = Duration::ZERO;
    for path in documents {
        let bytes = std::fs::read(path).unwrap();
        for kind in KINDS {
            for k in 0..per_kind {
                let damaged = damage(&bytes, kind, &mut rng);
                let label = format!("{} {kind:?} #{k}", name_of(path));
                let (result, took) = extract_timed(&name_of(path), damaged);
                slowest = slowest.max(took);
                variants += 1;
                match result {
                    Ok(x) => {
                        if !x.tables.is_empty() {
                            with_tables += 1;
                        }
                    }
                    Err(e) => assert!(
                        !matches!(e, ExtractError::Internal(_)),
                        "{label}: a damaged document must give a typed error, got {e}"
                    ),
                }
            }
        }
    }
    eprintln!("{variants} variants, {with_tables} with tables, slowest {slowest:?}");
    (variants, with_tables)
}

#[test]
fn corpus_variants_never_panic_or_hang() {
    let docs = corpus_documents();
    assert!(docs.len() >= 20, "the corpus lists its PDFs and DOCX");
    let (variants, with_tables) = run_variants(&docs, 2, 16);
    assert_eq!(variants, docs.len() * 6);
    // Flipped bytes and copied blocks leave most of a document readable.
    assert!(with_tables * 2 > variants, "{with_tables} of {variants} variants gave tables");
}

#[test]
fn real_variants_never_panic_or_hang_when_present() {
    let dir = std::env::var_os("YUSUAN_REAL_DOCS").map(PathBuf::from).unwrap_or_else(|| manifest_dir().join("../shared/real"));
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: no real documents in {}", dir.display());
        return;
    };
    let mut docs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("pdf") | Some("docx")))
        .collect();
    docs.sort();
    let (variants, _) = run_variants(&docs, 1, 7);
    assert_eq!(variants, docs.len() * 3);
}

/// A file cut late (inside its cross-reference data, after the page content) still gives the
/// tables of the whole document, and says it was damaged.
#[test]
fn pdf_cut_in_its_cross_reference_keeps_every_table() {
    let mut checked = 0;
    for path in corpus_documents().iter().filter(|p| p.extension().unwrap() == "pdf") {
        let bytes = std::fs::read(path).unwrap();
        let whole = yusuan::extract(&name_of(path), &bytes, &limits()).unwrap();
        let Some(xref) = bytes.windows(6).rposition(|w| w == b"\nxref\n" || w == b"\nxref\r") else { continue };
        let cut = &bytes[..xref + 10];
        let (got, _) = extract_timed(&name_of(path), cut.to_vec());
        let got = got.unwrap_or_else(|e| panic!("{}: cut in the xref: {e}", name_of(path)));
        assert_eq!(got.tables.len(), whole.tables.len(), "{}", name_of(path));
        assert_eq!(got.records.len(), whole.records.len(), "{}", name_of(path));
        assert!(got.warnings.iter().any(|w| w.code == "damaged_document"), "{}: {:?}", name_of(path), got.warnings);
        checked += 1;
    }
    assert!(checked >= 5, "{checked} corpus PDFs with a classic xref table");
}

/// One flipped digit in an xref offset: lopdf loses the object, the scan gets it back.
#[test]
fn pdf_with_a_damaged_xref_offset_keeps_every_table() {
    let path = corpus_documents().into_iter().find(|p| p.extension().unwrap() == "pdf" && {
        let b = std::fs::read(p).unwrap();
        b.windows(6).any(|w| w == b"\nxref\n" || w == b"\nxref\r")
    });
    let path = path.expect("a corpus PDF with a classic xref table");
    let bytes = std::fs::read(&path).unwrap();
    let whole = yusuan::extract(&name_of(&path), &bytes, &limits()).unwrap();
    let xref = bytes.windows(6).rposition(|w| w == b"\nxref\n" || w == b"\nxref\r").unwrap();
    let mut damaged = bytes.clone();
    // Every in-use entry's offset gets its leading digits changed: each points at the wrong place.
    let table_start = xref + 6;
    let mut i = table_start;
    let mut changed = 0;
    while i + 20 <= damaged.len() && changed < 1000 {
        let line = &damaged[i..i + 20];
        if line[17] == b'n' && line[..10].iter().all(u8::is_ascii_digit) {
            damaged[i + 6] = if damaged[i + 6] == b'9' { b'1' } else { damaged[i + 6] + 1 };
            changed += 1;
        }
        if damaged[i..].starts_with(b"trailer") {
            break;
        }
        i += 1;
    }
    assert!(changed > 5);
    let (got, _) = extract_timed(&name_of(&path), damaged);
    let got = got.unwrap();
    assert_eq!(got.tables, whole.tables);
    assert!(got.warnings.iter().any(|w| w.code == "damaged_document" && w.message.contains("scanning")), "{:?}", got.warnings);
}

/// A PDF of which only the header is left has nothing readable: still `truncated`.
#[test]
fn pdf_with_nothing_readable_is_truncated() {
    let path = corpus_documents().into_iter().find(|p| p.extension().unwrap() == "pdf").unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let (got, _) = extract_timed("head.pdf", bytes[..200].to_vec());
    let err = got.unwrap_err();
    assert_eq!(err.code(), "truncated", "{err}");
    assert_eq!(err.exit_code(), 12);
}

/// A DOCX without its central directory is read through its local headers: same tables.
#[test]
fn docx_without_central_directory_keeps_every_table() {
    let path = corpus_documents().into_iter().find(|p| p.extension().unwrap() == "docx").unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let whole = yusuan::extract(&name_of(&path), &bytes, &limits()).unwrap();
    let cd = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    let (got, _) = extract_timed(&name_of(&path), bytes[..cd].to_vec());
    let got = got.unwrap();
    assert_eq!(got.tables, whole.tables);
    assert!(got.warnings.iter().any(|w| w.code == "damaged_document"), "{:?}", got.warnings);
}

/// A DOCX whose document part is cut inside a table keeps the complete rows, and the warning says
/// where the table was cut.
#[test]
fn docx_cut_inside_a_table_keeps_its_complete_rows() {
    let path = corpus_documents().into_iter().find(|p| p.extension().unwrap() == "docx").unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let whole = yusuan::extract(&name_of(&path), &bytes, &limits()).unwrap();
    // Rebuild the package stored (uncompressed) so a cut lands at a known place in the XML.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        parts.push((f.name().to_string(), data));
    }
    // The document part last, so that the cut falls in it.
    parts.sort_by_key(|(n, _)| n == "word/document.xml");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in &parts {
        out.start_file(name.as_str(), stored).unwrap();
        std::io::Write::write_all(&mut out, data).unwrap();
    }
    let zipped = out.finish().unwrap().into_inner();
    // The document part's data: after its local header (30 bytes, the name, the extra field).
    let name_at = (30..zipped.len() - 17)
        .find(|&i| &zipped[i..i + 17] == b"word/document.xml" && &zipped[i - 30..i - 26] == b"PK\x03\x04")
        .unwrap();
    let header = name_at - 30;
    let extra = u16::from_le_bytes([zipped[header + 28], zipped[header + 29]]) as usize;
    let doc_start = name_at + 17 + extra;
    let xml = &parts.last().unwrap().1;
    // Cut in the middle of the last table's second row from the end.
    let rows: Vec<usize> = xml.windows(6).enumerate().filter(|(_, w)| *w == b"</w:tr").map(|(i, _)| i).collect();
    assert!(rows.len() >= 3);
    let cut_at = doc_start + rows[rows.len() - 2] - 20;
    let (got, _) = extract_timed(&name_of(&path), zipped[..cut_at].to_vec());
    let got = got.unwrap();
    let last = whole.tables.last().unwrap();
    let kept = got.tables.last().unwrap();
    assert_eq!(got.tables.len(), whole.tables.len());
    // The cut row and the one after it are lost (the row count also holds rows the grid adds).
    assert!(kept.n_rows < last.n_rows && kept.n_rows + 2 >= last.n_rows, "{} of {} rows kept", kept.n_rows, last.n_rows);
    let warning = got.warnings.iter().find(|w| w.code == "damaged_document").expect("damaged_document");
    assert!(warning.message.contains("cut after row"), "{}", warning.message);
}
