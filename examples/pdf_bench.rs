//! CPU time per page of the PDF engine (decode + table layout) on one file, repeated:
//! `cargo run --example pdf_bench -- FILE.pdf [REPEATS]`. Prints the process CPU time (user +
//! system, from /proc/self/stat) divided by pages × repeats. benches/pdf_cpu.sh compares it with
//! pdftotext -bbox-layout and pdfplumber's table finder on the same file.

use std::time::Duration;

use yusuan::decode::pdf;
use yusuan::layout;
use yusuan::limits::{Deadline, Limits};

/// utime + stime of this process in seconds (Linux clock ticks, 100 per second).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields after the name start at "state" (field 3); utime is field 14, stime 15.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().expect("usage: pdf_bench FILE.pdf [REPEATS]");
    let repeats: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(20);
    let bytes = std::fs::read(path).expect("readable file");
    let start = cpu_seconds();
    let mut pages = 0;
    let mut tables = 0;
    let mut layout_cpu = 0.0;
    for _ in 0..repeats {
        let deadline = Deadline::start(Duration::from_secs(600));
        let doc = pdf::decode(&bytes, &Limits::default(), &deadline).expect("decodes");
        let before_layout = cpu_seconds();
        let (t, _) = layout::tables_from_pages(&doc.pages, &deadline).expect("layout");
        layout_cpu += cpu_seconds() - before_layout;
        pages += doc.pages.len();
        tables = t.len();
    }
    let cpu = cpu_seconds() - start;
    println!(
        "{path}: {} pages × {repeats}, {tables} tables; CPU {:.3} s (layout {:.3} s); {:.2} ms per page",
        pages / repeats,
        cpu,
        layout_cpu,
        cpu * 1000.0 / pages as f64
    );
}
