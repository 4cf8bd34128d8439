//! The three outputs of `yusuan eval`: a terminal table, JSON (serde of [`EvalReport`]) and a
//! static HTML report with inline SVG charts (no scripts, no network: it must open anywhere).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

use super::metrics::cell_equal;
use super::records::FieldCount;
use super::score::{DocReport, Metrics, Scores, TableComparison, WarningBrief};
use super::real::{document_rows, RealReport, DOCUMENT_COLUMNS};
use super::{EvalReport, FamilyReport};
use crate::model::Table;

/// A rate with four decimals, or "—" when there is nothing to measure.
pub fn rate(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.4}"))
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}"))
}

fn counts3(matched: usize, expected: usize, extracted: usize) -> String {
    format!("{matched}/{expected}/{extracted}")
}

const COLUMNS: [&str; 14] = [
    "family", "docs", "tables m/e/x", "det P", "det R", "cell F1", "GriTS top", "GriTS con", "adj F1", "records m/e/x",
    "field acc", "warn m/e/x", "ms/page", "ms/doc",
];

fn family_row(f: &FamilyReport) -> Vec<String> {
    let (s, m): (&Scores, &Metrics) = (&f.scores, &f.metrics);
    let docs = if s.failed_documents > 0 {
        format!("{} ({} failed)", s.documents, s.failed_documents)
    } else {
        s.documents.to_string()
    };
    vec![
        f.family.clone(),
        docs,
        counts3(s.tables.matched, s.tables.expected, s.tables.predicted),
        rate(m.table_precision),
        rate(m.table_recall),
        rate(m.cell_f1),
        rate(m.grits_topology),
        rate(m.grits_content),
        rate(m.adjacency_f1),
        counts3(s.records.matched, s.records.expected, s.records.predicted),
        rate(m.record_field_accuracy),
        counts3(s.warnings.matched, s.warnings.expected, s.warnings.predicted),
        ms(m.ms_per_page),
        ms(m.ms_per_document),
    ]
}

fn text_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let width = |s: &str| s.chars().map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 }).sum::<usize>();
    let mut w: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(width(c));
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        for (i, c) in cells.iter().enumerate() {
            let pad = w[i] - width(c);
            if i == 0 {
                let _ = write!(out, "{c}{}", " ".repeat(pad));
            } else {
                let _ = write!(out, "  {}{c}", " ".repeat(pad));
            }
        }
        out.push('\n');
    };
    line(header.to_vec(), &mut out);
    line(w.iter().map(|&n| "-".repeat(n)).collect::<Vec<_>>().iter().map(|s| s.as_str()).collect(), &mut out);
    for r in rows {
        line(r.iter().map(|s| s.as_str()).collect(), &mut out);
    }
    out
}

/// Fields sorted worst first (then by name).
fn fields_worst_first(fields: &std::collections::BTreeMap<String, FieldCount>) -> Vec<(&String, &FieldCount)> {
    let mut v: Vec<_> = fields.iter().collect();
    v.sort_by(|a, b| a.1.accuracy().unwrap_or(1.0).total_cmp(&b.1.accuracy().unwrap_or(1.0)).then(a.0.cmp(b.0)));
    v
}

pub fn render_terminal(r: &EvalReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "yusuan eval {}: {} documents in {} families (m/e/x = matched / expected / extracted)\n",
        r.corpus,
        r.overall.scores.documents,
        r.families.len()
    );
    let mut rows: Vec<Vec<String>> = r.families.iter().map(family_row).collect();
    rows.push(family_row(&r.overall));
    out.push_str(&text_table(&COLUMNS, &rows));

    let fields = fields_worst_first(&r.overall.fields);
    if !fields.is_empty() {
        let _ = writeln!(out, "\nrecord field accuracy (worst first):");
        let frows: Vec<Vec<String>> = fields
            .iter()
            .take(30)
            .map(|(k, c)| vec![k.to_string(), format!("{}/{}", c.correct, c.total), rate(c.accuracy())])
            .collect();
        out.push_str(&text_table(&["field", "correct/total", "accuracy"], &frows));
        if fields.len() > 30 {
            let _ = writeln!(out, "… {} more fields (see --json or --html)", fields.len() - 30);
        }
    }

    let _ = writeln!(out, "\nslowest documents:");
    let srows: Vec<Vec<String>> = r
        .slowest(5)
        .iter()
        .map(|d| {
            vec![
                d.file.clone(),
                d.pages.map_or("—".into(), |p| p.to_string()),
                format!("{:.1}", d.seconds * 1000.0),
                d.pages.filter(|&p| p > 0).map_or("—".into(), |p| format!("{:.1}", d.seconds * 1000.0 / p as f64)),
            ]
        })
        .collect();
    out.push_str(&text_table(&["document", "pages", "ms", "ms/page"], &srows));

    let failed: Vec<&DocReport> = r.documents.iter().filter(|d| d.error.is_some()).collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\nextraction errors:");
        for d in failed {
            let _ = writeln!(out, "  {}: {}", d.file, d.error.as_deref().unwrap_or(""));
        }
    }

    if let Some(real) = &r.real {
        out.push_str(&render_real_terminal(real));
    }

    let failing: Vec<_> = r.checks.iter().filter(|c| !c.passed).collect();
    if r.checks.is_empty() {
        let _ = writeln!(out, "\nno thresholds apply");
    } else if failing.is_empty() {
        let _ = writeln!(out, "\nPASS: all {} threshold checks", r.checks.len());
    } else {
        let _ = writeln!(out, "\nFAIL: {} of {} threshold checks", failing.len(), r.checks.len());
        for c in failing {
            let _ = writeln!(
                out,
                "  {} {} = {} < {}",
                c.family,
                c.metric,
                c.value.map_or("—".into(), |v| format!("{v:.6}")),
                c.minimum
            );
        }
    }
    out
}

/// The real set's section: per family, per document (grids, records, warnings TRUE / FALSE /
/// missed), the false and missed warnings themselves, and its own verdict.
fn render_real_terminal(real: &RealReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n== real documents ({}) ==", real.docs_dir);
    let Some(rr) = &real.report else {
        let _ = writeln!(out, "SKIPPED: {}", real.skipped.as_deref().unwrap_or("not scored"));
        return out;
    };
    if !real.missing_documents.is_empty() {
        let _ = writeln!(out, "not found there, not scored: {}", real.missing_documents.join(", "));
    }
    let mut rows: Vec<Vec<String>> = rr.families.iter().map(family_row).collect();
    rows.push(family_row(&rr.overall));
    out.push_str(&text_table(&COLUMNS, &rows));
    let m = &rr.overall.metrics;
    let _ = writeln!(
        out,
        "\nwarnings on the real set: precision {} recall {} (TRUE = a printed defect of the truth)\n",
        rate(m.warning_precision),
        rate(m.warning_recall)
    );
    out.push_str(&text_table(&DOCUMENT_COLUMNS, &document_rows(rr)));
    for d in &rr.documents {
        for (label, list) in [("FALSE", &d.warnings_unexpected), ("missed", &d.warnings_missing)] {
            for w in list.iter().take(12) {
                let pages: Vec<String> = w.pages.iter().map(|p| p.to_string()).collect();
                let _ = writeln!(out, "  {label} {} p{} {}: {}", d.file, pages.join(","), w.code, w.message);
            }
            if list.len() > 12 {
                let _ = writeln!(out, "  {label} {}: … {} more (see --json)", d.file, list.len() - 12);
            }
        }
    }
    let failing: Vec<_> = rr.checks.iter().filter(|c| !c.passed).collect();
    if failing.is_empty() {
        let _ = writeln!(out, "real set: PASS all {} threshold checks", rr.checks.len());
    } else {
        let _ = writeln!(out, "real set: FAIL {} of {} threshold checks", failing.len(), rr.checks.len());
        for c in failing {
            let value = c.value.map_or("—".into(), |v| format!("{v:.6}"));
            let _ = writeln!(out, "  {} {} = {value} < {}", c.family, c.metric, c.minimum);
        }
    }
    out
}

/// The real set's section of the HTML report.
fn render_real_html(real: &RealReport) -> String {
    let mut h = format!("<h2 id=\"real\">Real documents ({})</h2>", esc(&real.docs_dir));
    let Some(rr) = &real.report else {
        let _ = write!(h, r#"<p class="note">SKIPPED: {}</p>"#, esc(real.skipped.as_deref().unwrap_or("not scored")));
        return h;
    };
    let failing = rr.checks.iter().filter(|c| !c.passed).count();
    let verdict = if failing == 0 { "pass" } else { "fail" };
    let _ = write!(h, r#"<p class="{verdict}">real set: {failing} of {} threshold checks failing</p>"#, rr.checks.len());
    if !real.missing_documents.is_empty() {
        let _ = write!(h, "<p>Not found, not scored: {}</p>", esc(&real.missing_documents.join(", ")));
    }
    let mut rows: Vec<Vec<String>> = rr.families.iter().map(family_row).collect();
    rows.push(family_row(&rr.overall));
    h.push_str(&figures_table(&COLUMNS, &rows));
    h.push_str(&figures_table(&DOCUMENT_COLUMNS, &document_rows(rr)));
    let mut list = Vec::new();
    for d in &rr.documents {
        for (label, warnings) in [("FALSE", &d.warnings_unexpected), ("missed", &d.warnings_missing)] {
            for w in warnings {
                let pages: Vec<String> = w.pages.iter().map(|p| p.to_string()).collect();
                list.push(vec![label.to_string(), d.file.clone(), pages.join(", "), w.code.clone(), w.message.clone()]);
            }
        }
    }
    if !list.is_empty() {
        h.push_str("<h3>False and missed warnings</h3>");
        h.push_str(&figures_table(&["", "document", "pages", "code", "message"], &list));
    }
    h.push_str(&document_findings_html(&rr.documents));
    h
}

/// Every document-level finding raised, as a reviewer reads it: the prose sentence with its pages
/// beside the table cell it disagrees with.
fn document_findings_html(documents: &[DocReport]) -> String {
    let rows: Vec<Vec<String>> = documents
        .iter()
        .flat_map(|d| d.document_findings.iter().map(move |w| (d, w)))
        .map(|(d, w)| {
            let pages: Vec<String> = w.pages.iter().map(|p| p.to_string()).collect();
            let prose = match &w.quote {
                Some(q) if pages.is_empty() => format!("“{q}”"),
                Some(q) => format!("p{}: “{q}”", pages.join(", ")),
                None => pages.iter().map(|p| format!("p{p}")).collect::<Vec<_>>().join(", "),
            };
            vec![d.file.clone(), w.code.clone(), prose, cell_label(w), w.message.clone()]
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut h = String::from("<h3>Document-level findings</h3>");
    h.push_str(&figures_table(&["document", "code", "prose (pages: sentence)", "table cell", "message"], &rows));
    h
}

/// "table 3 row 2 col 4, p10: 12,323.48" for a finding's cell; the table (and row) when no cell.
pub(crate) fn cell_label(w: &WarningBrief) -> String {
    match (&w.cell, w.table) {
        (Some(c), _) => {
            let page = c.page.map(|p| format!(", p{p}")).unwrap_or_default();
            format!("table {} row {} col {}{page}: {}", c.table, c.row, c.col, c.text.split_whitespace().collect::<String>())
        }
        (None, Some(t)) => match w.row {
            Some(r) => format!("table {t} row {r}"),
            None => format!("table {t}"),
        },
        (None, None) => "—".to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// HTML

pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const SERIES_COLOURS: [&str; 6] = ["#4e79a7", "#59a14f", "#f28e2b", "#b07aa1", "#e15759", "#76b7b2"];

/// A horizontal grouped bar chart as inline SVG: one group per row label, one bar per series.
/// Values run from 0 to `max`; a missing value is drawn as "n/a".
pub fn hbar_chart(
    title: &str,
    series: &[&str],
    rows: &[(String, Vec<Option<f64>>)],
    max: f64,
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let (label_w, bar_w, bar_h, gap) = (300.0, 420.0, 13.0, 8.0);
    let group_h = bar_h * series.len() as f64 + gap;
    let legend_h = if series.len() > 1 { 22.0 } else { 0.0 };
    let top = 28.0 + legend_h;
    let height = top + group_h * rows.len() as f64 + 10.0;
    let width = label_w + bar_w + 90.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{t}"><text x="0" y="16" font-size="14" font-weight="bold">{t}</text>"#,
        t = esc(title)
    );
    if series.len() > 1 {
        let mut x = 0.0;
        for (i, name) in series.iter().enumerate() {
            let _ = write!(
                s,
                r#"<rect x="{x}" y="26" width="12" height="12" fill="{}"/><text x="{}" y="36" font-size="12">{}</text>"#,
                SERIES_COLOURS[i % SERIES_COLOURS.len()],
                x + 16.0,
                esc(name)
            );
            x += 24.0 + 7.5 * name.chars().count() as f64;
        }
    }
    let max = if max > 0.0 { max } else { 1.0 };
    for (g, (label, values)) in rows.iter().enumerate() {
        let y0 = top + g as f64 * group_h;
        let short: String = if label.chars().count() > 44 {
            format!("…{}", label.chars().rev().take(43).collect::<Vec<_>>().into_iter().rev().collect::<String>())
        } else {
            label.clone()
        };
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="12" text-anchor="end"><title>{}</title>{}</text>"#,
            label_w - 6.0,
            y0 + group_h / 2.0,
            esc(label),
            esc(&short)
        );
        for (i, v) in values.iter().enumerate() {
            let y = y0 + i as f64 * bar_h;
            match v {
                Some(v) => {
                    let w = (v / max).clamp(0.0, 1.0) * bar_w;
                    let _ = write!(
                        s,
                        r#"<rect x="{label_w}" y="{y}" width="{w:.1}" height="{}" fill="{}"><title>{}: {}</title></rect><text x="{:.1}" y="{}" font-size="11">{}</text>"#,
                        bar_h - 2.0,
                        SERIES_COLOURS[i % SERIES_COLOURS.len()],
                        esc(series.get(i).copied().unwrap_or("")),
                        esc(&fmt(*v)),
                        label_w + w + 4.0,
                        y + bar_h - 3.0,
                        esc(&fmt(*v))
                    );
                }
                None => {
                    let _ = write!(
                        s,
                        r##"<text x="{}" y="{}" font-size="11" fill="#888">n/a</text>"##,
                        label_w + 4.0,
                        y + bar_h - 3.0
                    );
                }
            }
        }
    }
    let _ = write!(
        s,
        r##"<line x1="{label_w}" y1="{}" x2="{label_w}" y2="{}" stroke="#333"/></svg>"##,
        top - 2.0,
        height - 8.0
    );
    s
}

const STYLE: &str = r#"
body{font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;margin:24px;color:#222}
h1{font-size:22px} h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}
table.figures{border-collapse:collapse;font-size:13px}
table.figures th,table.figures td{border:1px solid #ccc;padding:3px 7px;text-align:right}
table.figures td:first-child,table.figures th:first-child{text-align:left}
.pass{color:#1a7f37;font-weight:bold}.fail{color:#c62828;font-weight:bold}
.pair{display:flex;gap:24px;align-items:flex-start;overflow-x:auto}
.pair>div{flex:0 0 auto}
table.grid{border-collapse:collapse;font-size:11px}
table.grid td{border:1px solid #999;padding:2px 4px;vertical-align:top;max-width:220px}
table.grid td.bad{background:#ffd6d6} table.grid td.ok{background:#eef8ee}
.note{color:#666;font-size:12px}
"#;

/// At most this many imperfect tables get side-by-side grids; at most this many rows each.
const MAX_GRID_VIEWS: usize = 80;
const MAX_GRID_ROWS: usize = 120;

/// A table as an HTML grid; a cell is marked ok when the other side has the same cell.
fn grid_html(t: &Table, other: Option<&Table>) -> String {
    let others: HashMap<(usize, usize), &crate::model::Cell> =
        other.map(|o| o.cells.iter().map(|c| ((c.row, c.col), c)).collect()).unwrap_or_default();
    let mut by_row: Vec<Vec<&crate::model::Cell>> = vec![Vec::new(); t.n_rows];
    for c in &t.cells {
        if c.row < t.n_rows {
            by_row[c.row].push(c);
        }
    }
    let mut s = String::from(r#"<table class="grid">"#);
    for (r, cells) in by_row.iter_mut().enumerate().take(MAX_GRID_ROWS) {
        cells.sort_by_key(|c| c.col);
        s.push_str("<tr>");
        for c in cells.iter() {
            let ok = others.get(&(c.row, c.col)).is_some_and(|o| cell_equal(o, c) || cell_equal(c, o));
            let rs = c.row_span.min(MAX_GRID_ROWS - r);
            let _ = write!(
                s,
                r#"<td class="{}" rowspan="{}" colspan="{}" title="r{} c{} {}×{}">{}</td>"#,
                if ok { "ok" } else { "bad" },
                rs,
                c.col_span,
                c.row,
                c.col,
                c.row_span,
                c.col_span,
                esc(&c.text).replace('\n', "<br>")
            );
        }
        s.push_str("</tr>");
    }
    s.push_str("</table>");
    if t.n_rows > MAX_GRID_ROWS {
        let _ = write!(s, r#"<p class="note">{} more rows not shown</p>"#, t.n_rows - MAX_GRID_ROWS);
    }
    s
}

fn comparison_title(d: &DocReport, c: &TableComparison) -> String {
    let name = |t: Option<&Table>| {
        t.and_then(|t| t.title.clone()).filter(|s| !s.is_empty()).map(|s| format!(" «{s}»")).unwrap_or_default()
    };
    match (c.expected, c.extracted) {
        (Some(i), Some(j)) => format!(
            "expected table {i}{} ↔ extracted table {j}: cells {}/{} expected matched, {} extracted; GriTS con {}",
            name(d.expected_tables.get(i)),
            c.cells.matched,
            c.cells.expected,
            c.cells.predicted,
            rate(c.grits_content)
        ),
        (Some(i), None) => format!("expected table {i}{} was not extracted", name(d.expected_tables.get(i))),
        (None, Some(j)) => format!("extracted table {j}{} is not in the truth", name(d.extracted_tables.get(j))),
        (None, None) => String::new(),
    }
}

fn figures_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from(r#"<table class="figures"><tr>"#);
    for h in header {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{}</td>", esc(c));
        }
        s.push_str("</tr>");
    }
    s.push_str("</table>");
    s
}

/// Field × family accuracy, coloured from red (0) to green (1), for families that have records.
fn field_matrix(r: &EvalReport, fields: &[(&String, &FieldCount)]) -> String {
    let fams: Vec<&FamilyReport> = r.families.iter().filter(|f| !f.fields.is_empty()).collect();
    let mut s = String::from(r#"<h3>Per field and family</h3><table class="figures"><tr><th>field</th>"#);
    for f in &fams {
        let _ = write!(s, "<th>{}</th>", esc(&f.family));
    }
    s.push_str("</tr>");
    for (name, _) in fields {
        let _ = write!(s, "<tr><td>{}</td>", esc(name));
        for f in &fams {
            match f.fields.get(*name).and_then(|c| c.accuracy().map(|a| (a, c))) {
                Some((a, c)) => {
                    // Hue 0 (red) at accuracy 0 to 120 (green) at 1.
                    let _ = write!(
                        s,
                        r#"<td style="background:hsl({:.0},70%,85%)" title="{}/{}">{a:.4}</td>"#,
                        120.0 * a,
                        c.correct,
                        c.total
                    );
                }
                None => s.push_str("<td>—</td>"),
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</table>");
    s
}

pub fn render_html(r: &EvalReport) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>yusuan eval: {c}</title><style>{STYLE}</style></head><body><h1>yusuan eval: {c}</h1>"#,
        c = esc(&r.corpus)
    );
    let failing = r.checks.iter().filter(|c| !c.passed).count();
    if failing == 0 {
        let _ = write!(h, r#"<p id="verdict" class="pass">PASS: all {} threshold checks</p>"#, r.checks.len());
    } else {
        let _ = write!(h, r#"<p id="verdict" class="fail">FAIL: {failing} of {} threshold checks</p>"#, r.checks.len());
    }
    let _ = write!(
        h,
        "<p>{} documents, {} families. m/e/x = matched / expected / extracted.</p>",
        r.overall.scores.documents,
        r.families.len()
    );
    h.push_str("<h2>Per family</h2>");
    let mut rows: Vec<Vec<String>> = r.families.iter().map(family_row).collect();
    rows.push(family_row(&r.overall));
    h.push_str(&figures_table(&COLUMNS, &rows));

    let series = ["table recall", "cell F1", "GriTS con", "adjacency F1", "record field acc"];
    let chart_rows: Vec<(String, Vec<Option<f64>>)> = r
        .families
        .iter()
        .chain(std::iter::once(&r.overall))
        .map(|f| {
            let m = &f.metrics;
            (f.family.clone(), vec![m.table_recall, m.cell_f1, m.grits_content, m.adjacency_f1, m.record_field_accuracy])
        })
        .collect();
    h.push_str("<h2>Accuracy per family</h2>");
    h.push_str(&hbar_chart("Accuracy per family", &series, &chart_rows, 1.0, &|v| format!("{v:.4}")));

    let fields = fields_worst_first(&r.overall.fields);
    if !fields.is_empty() {
        h.push_str("<h2>Record field accuracy</h2>");
        let frows: Vec<(String, Vec<Option<f64>>)> = fields
            .iter()
            .map(|(k, c)| (format!("{k} ({}/{})", c.correct, c.total), vec![c.accuracy()]))
            .collect();
        h.push_str(&hbar_chart("Accuracy per field", &["accuracy"], &frows, 1.0, &|v| format!("{v:.4}")));
        h.push_str(&field_matrix(r, &fields));
    }

    h.push_str("<h2>Slowest documents</h2>");
    let slow = r.slowest(15);
    let max = slow.first().map_or(1.0, |d| d.seconds * 1000.0);
    let srows: Vec<(String, Vec<Option<f64>>)> = slow
        .iter()
        .map(|d| {
            let pages = d.pages.map_or(String::new(), |p| format!(", {p} p."));
            (format!("{}{pages}", d.file), vec![Some(d.seconds * 1000.0)])
        })
        .collect();
    h.push_str(&hbar_chart("Wall time per document (ms)", &["ms"], &srows, max, &|v| format!("{v:.1} ms")));

    h.push_str("<h2>Threshold checks</h2>");
    let crows: Vec<Vec<String>> = r
        .checks
        .iter()
        .map(|c| {
            vec![
                c.family.clone(),
                c.metric.clone(),
                format!("{}", c.minimum),
                c.value.map_or("—".into(), |v| format!("{v:.6}")),
                if c.passed { "pass".into() } else { "FAIL".into() },
            ]
        })
        .collect();
    h.push_str(&figures_table(&["family", "metric", "minimum", "value", "result"], &crows));

    h.push_str("<h2>Documents</h2>");
    let drows: Vec<Vec<String>> = r
        .documents
        .iter()
        .map(|d| {
            let m = d.scores.metrics();
            vec![
                d.file.clone(),
                d.family.clone(),
                counts3(d.scores.tables.matched, d.scores.tables.expected, d.scores.tables.predicted),
                rate(m.cell_f1),
                rate(m.grits_content),
                rate(m.adjacency_f1),
                rate(m.record_field_accuracy),
                counts3(d.scores.warnings.matched, d.scores.warnings.expected, d.scores.warnings.predicted),
                format!("{:.1}", d.seconds * 1000.0),
                d.error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    h.push_str(&figures_table(
        &["document", "family", "tables m/e/x", "cell F1", "GriTS con", "adj F1", "field acc", "warn m/e/x", "ms", "error"],
        &drows,
    ));

    h.push_str(r#"<h2 id="mismatches">Mismatches</h2><p class="note">Left: expected; right: extracted. Red cells have no identical counterpart (same slot, spans and text) on the other side.</p>"#);
    let mut shown = 0usize;
    let mut not_shown = 0usize;
    for d in &r.documents {
        let bad: Vec<&TableComparison> = d.tables.iter().filter(|c| !c.is_perfect()).collect();
        let has_other = d.field_mismatch_count > 0 || !d.warnings_missing.is_empty() || !d.warnings_unexpected.is_empty();
        if bad.is_empty() && !has_other && d.error.is_none() {
            continue;
        }
        let _ = write!(h, "<h3>{} <span class=\"note\">({})</span></h3>", esc(&d.file), esc(&d.family));
        if let Some(e) = &d.error {
            let _ = write!(h, r#"<p class="fail">extraction failed: {}</p>"#, esc(e));
        }
        for c in bad {
            if shown >= MAX_GRID_VIEWS {
                not_shown += 1;
                continue;
            }
            shown += 1;
            let e = c.expected.and_then(|i| d.expected_tables.get(i));
            let x = c.extracted.and_then(|j| d.extracted_tables.get(j));
            let _ = write!(h, "<h4>{}</h4><div class=\"pair\">", esc(&comparison_title(d, c)));
            for (label, t, other) in [("expected", e, x), ("extracted", x, e)] {
                let _ = write!(h, "<div><p><b>{label}</b>");
                match t {
                    Some(t) => {
                        let _ = write!(h, " {}×{}</p>{}", t.n_rows, t.n_cols, grid_html(t, other));
                    }
                    None => h.push_str(" (none)</p>"),
                }
                h.push_str("</div>");
            }
            h.push_str("</div>");
        }
        if d.field_mismatch_count > 0 {
            let _ = write!(h, "<h4>record fields: {} wrong</h4>", d.field_mismatch_count);
            let rows: Vec<Vec<String>> = d
                .field_mismatches
                .iter()
                .take(60)
                .map(|m| vec![m.record.clone(), m.field.clone(), m.expected.clone(), m.extracted.clone()])
                .collect();
            h.push_str(&figures_table(&["record", "field", "expected", "extracted"], &rows));
            if d.field_mismatch_count > 60 {
                let _ = write!(h, r#"<p class="note">{} more in the JSON report</p>"#, d.field_mismatch_count - 60);
            }
        }
        if !d.warnings_missing.is_empty() || !d.warnings_unexpected.is_empty() {
            h.push_str("<h4>warnings</h4>");
            let rows: Vec<Vec<String>> = d
                .warnings_missing
                .iter()
                .map(|w| ("missing", w))
                .chain(d.warnings_unexpected.iter().map(|w| ("unexpected", w)))
                .map(|(k, w)| {
                    vec![
                        k.to_string(),
                        w.code.clone(),
                        w.table.map_or("—".into(), |t| t.to_string()),
                        w.row.map_or("—".into(), |t| t.to_string()),
                        w.message.clone(),
                    ]
                })
                .collect();
            h.push_str(&figures_table(&["", "code", "table", "row", "message"], &rows));
        }
    }
    if shown == 0 && not_shown == 0 {
        h.push_str("<p>No table mismatches.</p>");
    }
    if not_shown > 0 {
        let _ = write!(h, r#"<p class="note">{not_shown} more imperfect tables not drawn (see the JSON report).</p>"#);
    }
    h.push_str(&document_findings_html(&r.documents));
    if let Some(real) = &r.real {
        h.push_str(&render_real_html(real));
    }
    h.push_str("</body></html>\n");
    h
}

pub fn write_html(r: &EvalReport, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join("index.html");
    std::fs::write(&path, render_html(r)).with_context(|| format!("cannot write {}", path.display()))
}
