//! ICDAR 2013 table-competition score of the PDF engine: adjacency-relation precision / recall /
//! F1 (the competition's structure metric, as in ../shared/peers/tools/adjacency_f1.py).
//! `cargo run --release --example icdar2013 -- ../shared/peers/icdar2013 [-v]`
//! Each ground-truth table is compared with the found table on its page that overlaps its region
//! most (no overlap: nothing found, every relation missed).

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use yusuan::decode::pdf;
use yusuan::layout;
use yusuan::limits::{Deadline, Limits};
use yusuan::model::Table;

struct Span {
    r0: usize,
    r1: usize,
    c0: usize,
    c1: usize,
    text: String,
}

fn norm(t: &str) -> String {
    t.chars().filter(|c| !c.is_whitespace()).flat_map(|c| c.to_lowercase()).collect()
}

/// Multiset of (text, neighbour text, direction) over direct neighbours among non-empty cells.
fn relations(cells: &[Span]) -> HashMap<(String, String, char), usize> {
    let mut at: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, c) in cells.iter().enumerate() {
        if norm(&c.text).is_empty() {
            continue;
        }
        for r in c.r0..=c.r1 {
            for k in c.c0..=c.c1 {
                at.insert((r, k), i);
            }
        }
    }
    let mut out = HashMap::new();
    if at.is_empty() {
        return out;
    }
    let maxr = at.keys().map(|k| k.0).max().unwrap();
    let maxc = at.keys().map(|k| k.1).max().unwrap();
    let mut rel = std::collections::HashSet::new();
    let mut owners: Vec<usize> = at.values().copied().collect();
    owners.sort_unstable();
    owners.dedup();
    for &i in &owners {
        let c = &cells[i];
        for r in c.r0..=c.r1 {
            for k in c.c1 + 1..=maxc {
                if let Some(&j) = at.get(&(r, k)) {
                    rel.insert((i, j, 'h'));
                    break;
                }
            }
        }
        for k in c.c0..=c.c1 {
            for r in c.r1 + 1..=maxr {
                if let Some(&j) = at.get(&(r, k)) {
                    rel.insert((i, j, 'v'));
                    break;
                }
            }
        }
    }
    for (a, b, d) in rel {
        *out.entry((norm(&cells[a].text), norm(&cells[b].text), d)).or_insert(0) += 1;
    }
    out
}

fn table_box_on_page(t: &Table, page: u32) -> Option<[f64; 4]> {
    let mut b: Option<[f64; 4]> = None;
    for c in t.cells.iter().filter(|c| c.page == Some(page)) {
        let cb = c.bbox?;
        b = Some(match b {
            None => cb,
            Some(x) => [x[0].min(cb[0]), x[1].min(cb[1]), x[2].max(cb[2]), x[3].max(cb[3])],
        });
    }
    b
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = std::path::PathBuf::from(args.first().map(String::as_str).unwrap_or("../shared/peers/icdar2013"));
    let verbose = args.iter().any(|a| a == "-v");
    let gt = std::fs::read_to_string(root.join("icdar2013_gt.jsonl")).expect("icdar2013_gt.jsonl");
    let (mut tp, mut np, mut ng) = (0usize, 0usize, 0usize);
    let (mut n_tables, mut found) = (0, 0);
    let mut cache: HashMap<String, (Vec<Table>, Vec<f64>)> = HashMap::new();
    let mut cpu = Duration::ZERO;
    let mut pages_total = 0usize;
    for line in gt.lines() {
        let doc: Value = serde_json::from_str(line).expect("json line");
        let Some(pdf_path) = doc["pdf"].as_str() else { continue };
        if !cache.contains_key(pdf_path) {
            let bytes = std::fs::read(root.join(pdf_path)).expect("pdf");
            let started = std::time::Instant::now();
            let deadline = Deadline::start(Duration::from_secs(60));
            let entry = match pdf::decode(&bytes, &Limits::default(), &deadline) {
                Ok(d) => {
                    let (tables, _) = layout::tables_from_pages(&d.pages, &deadline).expect("layout");
                    pages_total += d.pages.len();
                    (tables, d.pages.iter().map(|p| p.height).collect())
                }
                Err(e) => {
                    eprintln!("{pdf_path}: {}", e.code());
                    (Vec::new(), Vec::new())
                }
            };
            cpu += started.elapsed();
            cache.insert(pdf_path.to_string(), entry);
        }
        let (tables, heights) = &cache[pdf_path];
        let (mut dtp, mut dnp, mut dng) = (0, 0, 0);
        for t in doc["tables"].as_array().unwrap() {
            n_tables += 1;
            let page = t["page"].as_u64().unwrap() as u32;
            let gt_cells: Vec<Span> = t["cells"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|c| {
                    let r0 = c["start_row"].as_u64()? as usize;
                    let c0 = c["start_col"].as_u64()? as usize;
                    Some(Span {
                        r0,
                        r1: c["end_row"].as_u64().map_or(r0, |v| v as usize).max(r0),
                        c0,
                        c1: c["end_col"].as_u64().map_or(c0, |v| v as usize).max(c0),
                        text: c["text"].as_str().unwrap_or("").to_string(),
                    })
                })
                .collect();
            let h = heights.get(page as usize - 1).copied().unwrap_or(792.0);
            let rb = &t["region_bboxes"][0]["bbox"];
            let g = [rb[0].as_f64().unwrap(), h - rb[3].as_f64().unwrap(), rb[2].as_f64().unwrap(), h - rb[1].as_f64().unwrap()];
            let mut best: Option<(f64, &Table)> = None;
            for pt in tables.iter().filter(|pt| pt.pages.contains(&page)) {
                let Some(b) = table_box_on_page(pt, page) else { continue };
                let ix = (b[2].min(g[2]) - b[0].max(g[0])).max(0.0) * (b[3].min(g[3]) - b[1].max(g[1])).max(0.0);
                if ix > 0.0 && best.is_none_or(|(v, _)| ix > v) {
                    best = Some((ix, pt));
                }
            }
            let pred: Vec<Span> = match best {
                Some((_, pt)) => {
                    found += 1;
                    pt.cells
                        .iter()
                        .map(|c| Span { r0: c.row, r1: c.row + c.row_span - 1, c0: c.col, c1: c.col + c.col_span - 1, text: c.text.clone() })
                        .collect()
                }
                None => Vec::new(),
            };
            let (p, g) = (relations(&pred), relations(&gt_cells));
            let hit: usize = p.iter().map(|(k, v)| (*v).min(*g.get(k).unwrap_or(&0))).sum();
            dtp += hit;
            dnp += p.values().sum::<usize>();
            dng += g.values().sum::<usize>();
        }
        if verbose {
            let f = if dnp + dng > 0 { 2.0 * dtp as f64 / (dnp + dng) as f64 } else { 0.0 };
            println!("{:8} tp {:5} pred {:5} gt {:5} F1 {:.3}", doc["doc"].as_str().unwrap(), dtp, dnp, dng, f);
        }
        tp += dtp;
        np += dnp;
        ng += dng;
    }
    let p = if np > 0 { tp as f64 / np as f64 } else { 0.0 };
    let r = if ng > 0 { tp as f64 / ng as f64 } else { 0.0 };
    let f = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    println!(
        "ICDAR 2013: {n_tables} GT tables, {found} matched by region overlap; adjacency P={p:.3} R={r:.3} F1={f:.3}; {} pages decoded+laid out in {:.0} ms ({:.2} ms/page)",
        pages_total,
        cpu.as_secs_f64() * 1000.0,
        cpu.as_secs_f64() * 1000.0 / pages_total.max(1) as f64
    );
}
