//! Prints the tables the PDF engine finds: `cargo run --example pdf_tables -- FILE.pdf [--json]`.
//! A development aid for tuning the layout stage; `yusuan extract` is the real interface.

use std::time::Duration;

use yusuan::decode::pdf;
use yusuan::layout;
use yusuan::limits::{Deadline, Limits};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let bytes = std::fs::read(path).expect("readable file");
        let deadline = Deadline::start(Duration::from_secs(60));
        let doc = match pdf::decode(&bytes, &Limits::default(), &deadline) {
            Ok(d) => d,
            Err(e) => {
                println!("{path}: {} ({e})", e.code());
                continue;
            }
        };
        let (tables, _) = layout::tables_from_pages(&doc.pages, &deadline).expect("layout");
        if json {
            println!("{}", serde_json::to_string(&tables).unwrap());
            continue;
        }
        println!("{path}: {} pages, warnings {:?}", doc.page_count, doc.warnings);
        if let Ok(want) = std::env::var("GLYPHS") {
            for p in doc.pages.iter().filter(|p| p.number.to_string() == want) {
                for g in &p.glyphs {
                    println!("    {:?} x {:.1}-{:.1} y {:.1}-{:.1} size {:.1} rot {:.0} font {}", g.ch, g.x0, g.x1, g.top, g.bottom, g.size, g.rotation, g.font);
                }
                for r in &p.rulings {
                    println!("    {:?}", r);
                }
            }
        }
        if std::env::var("PARTS").is_ok() {
            for p in &doc.pages {
                for t in layout::page_tables(p) {
                    println!("  part p{} bbox {:?} {}x{} above {:?} below {:?}", t.page, t.grid.bbox(), t.grid.n_rows(), t.grid.n_cols(), t.lines_above, t.lines_below);
                    println!("       xs {:?}", t.grid.xs);
                }
            }
        }
        for p in &doc.pages {
            println!("  page {} {}x{}: {} glyphs, {} rulings, fonts {:?}", p.number, p.width, p.height, p.glyphs.len(), p.rulings.len(), p.fonts);
        }
        for t in &tables {
            println!("== table {} pages {:?} {}x{} header_rows {} title {:?}", t.index, t.pages, t.n_rows, t.n_cols, t.header_rows, t.title);
            println!("   context {:?}", t.context);
            for c in &t.cells {
                if c.row_span > 1 || c.col_span > 1 || !c.text.is_empty() {
                    println!("   ({},{}) {}x{} p{:?} {:?}", c.row, c.col, c.row_span, c.col_span, c.page, c.text);
                }
            }
        }
    }
}
