//! HTML writer for Chromium's print-to-PDF. Header rows that must repeat go into <thead> (Chromium
//! repeats it on every page); tables whose header must not repeat are all <tbody>.

use std::fmt::Write as _;

use crate::docx::esc;
use crate::model::{Align, Block, Border, DocModel, TableModel};

fn table_html(t: &TableModel) -> String {
    let total: f32 = t.widths.iter().sum();
    let mut x = String::new();
    let class = match t.border {
        Border::Grid => "grid",
        Border::ThreeLine => "three",
        Border::Ruled(_) => "ruled",
    };
    let _ = write!(x, "<table class=\"{class}\" style=\"font-size:{}pt\"><colgroup>", t.font_pt);
    for w in &t.widths {
        let _ = write!(x, "<col style=\"width:{:.2}%\">", w / total * 100.0);
    }
    x.push_str("</colgroup>");
    let split = if t.repeat_header { t.header_rows } else { 0 };
    for r in 0..t.n_rows {
        if r == 0 && split > 0 {
            x.push_str("<thead>");
        }
        if r == split {
            x.push_str("<tbody>");
        }
        let mut classes = Vec::new();
        if t.borderless_rows.contains(&r) {
            classes.push("open");
        }
        if t.header_rows > 0 && r + 1 == t.header_rows {
            classes.push("hlast");
        }
        if r < t.header_rows {
            classes.push("head");
        }
        let _ = write!(x, "<tr class=\"{}\">", classes.join(" "));
        for cell in t.cells.iter().filter(|c| c.row == r) {
            let mut attrs = String::new();
            if cell.rs > 1 {
                let _ = write!(attrs, " rowspan=\"{}\"", cell.rs);
            }
            if cell.cs > 1 {
                let _ = write!(attrs, " colspan=\"{}\"", cell.cs);
            }
            let align = match cell.align {
                Align::Left => "l",
                Align::Center => "c",
                Align::Right => "r",
            };
            if let Border::Ruled(rules) = t.border {
                // every edge of the cell, as the DOCX draws it
                let edges = [
                    ("top", rules.edge_h(cell.row, t.n_rows)),
                    ("right", rules.edge_v(cell.col + cell.cs, t.n_cols())),
                    ("bottom", rules.edge_h(cell.row + cell.rs, t.n_rows)),
                    ("left", rules.edge_v(cell.col, t.n_cols())),
                ];
                let style: Vec<String> = edges.iter().filter_map(|(side, l)| l.map(|l| format!("border-{side}:{}pt solid #000", l.pt()))).collect();
                if !style.is_empty() {
                    let _ = write!(attrs, " style=\"{}\"", style.join(";"));
                }
            }
            let body: Vec<String> = cell.paragraphs().iter().map(|p| format!("<div>{}</div>", esc(p))).collect();
            let _ = write!(x, "<td class=\"{align}{}{}\"{attrs}>{}</td>", if cell.bold { " b" } else { "" }, if cell.vertical { " v" } else { "" }, body.join(""));
        }
        x.push_str("</tr>");
        if split > 0 && r + 1 == split {
            x.push_str("</thead>");
        }
    }
    x.push_str("</tbody></table>");
    x
}

const CSS: &str = r#"
@page { size: A4; margin: 20mm 18mm; }
@page land { size: A4 landscape; margin: 18mm 16mm; }
body { font-family: "Noto Sans CJK SC", sans-serif; font-size: 10.5pt; line-height: 1.45; margin: 0; }
.land { page: land; }
h1 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 16pt; text-align: center; margin: 0 0 10pt 0; }
h2 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 12pt; margin: 8pt 0 6pt 0; }
p { margin: 0 0 5pt 0; text-align: justify; }
p.right { text-align: right; font-size: 9pt; margin: 0 0 3pt 0; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 0 0 12pt 0; line-height: 1.3; }
tr { break-inside: avoid; page-break-inside: avoid; }
td { padding: 2pt 3pt; vertical-align: middle; word-wrap: break-word; overflow-wrap: anywhere; }
table.grid td { border: 0.5pt solid #000; }
table.grid tr.open td { border-top: none; border-left: none; border-right: none; }
table.three { border-top: 1.5pt solid #000; border-bottom: 1.5pt solid #000; }
table.three tr.hlast td { border-bottom: 0.75pt solid #000; }
td.l { text-align: left; } td.c { text-align: center; } td.r { text-align: right; }
tr.head td, td.b { font-weight: bold; }
td.v div { writing-mode: vertical-rl; margin: 0 auto; }
.pb { break-after: page; }
"#;

pub fn write_html(doc: &DocModel) -> String {
    let mut body = String::new();
    body.push_str(if doc.landscape { "<div class=\"land\">" } else { "<div>" });
    for b in &doc.blocks {
        match b {
            Block::Title(t) => {
                let _ = write!(body, "<h1>{}</h1>", esc(t));
            }
            Block::Heading(t) => {
                let _ = write!(body, "<h2>{}</h2>", esc(t));
            }
            Block::Para(t) => {
                let _ = write!(body, "<p>{}</p>", esc(t));
            }
            Block::Right(t) => {
                let _ = write!(body, "<p class=\"right\">{}</p>", esc(t));
            }
            Block::Table(t) if t.drawn.is_empty() => body.push_str(&table_html(t)),
            Block::Table(t) => {
                for (i, part) in t.drawn.iter().enumerate() {
                    if i > 0 {
                        body.push_str("<div class=\"pb\"></div>");
                    }
                    body.push_str(&table_html(part));
                }
            }
            Block::PageBreak => body.push_str("<div class=\"pb\"></div>"),
            Block::Section(l) => {
                body.push_str("</div>");
                body.push_str(if *l { "<div class=\"land\">" } else { "<div>" });
            }
        }
    }
    body.push_str("</div>");
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>{body}</body></html>\n",
        esc(&doc.name)
    )
}
