//! `yusuan eval`: metrics on constructed tables (expected values computed by hand), a cross-check
//! of the adjacency metric against the Python reference, the real command on a tiny DOCX corpus,
//! and the HTML report loaded in headless Chromium.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use yusuan::eval::corpus::Thresholds;
use yusuan::eval::metrics::{adjacency_counts, cell_counts, grits, Counts};
use yusuan::eval::records::compare_records;
use yusuan::eval::score::score_document;
use yusuan::interpret::{Indicator, ProjectPerformance, Record};
use yusuan::model::{Cell, Extraction, Format, Source, Table};

fn cell(row: usize, col: usize, rs: usize, cs: usize, text: &str) -> Cell {
    Cell { row, col, row_span: rs, col_span: cs, text: text.into(), page: None, bbox: None }
}

fn table(n_rows: usize, n_cols: usize, cells: Vec<Cell>) -> Table {
    Table { index: 0, pages: vec![], title: None, n_rows, n_cols, header_rows: 1, cells, context: vec![] }
}

/// The 4×3 table used throughout: a vertically merged "地区" and a horizontally merged "人数".
///
/// ```text
/// | 地区 | 人数      |
/// |      | 男  | 女  |
/// | 东城 | 12  | 15  |
/// | 西城 | 8   | 9   |
/// ```
fn district_table(last: &str) -> Table {
    table(
        4,
        3,
        vec![
            cell(0, 0, 2, 1, "地区"),
            cell(0, 1, 1, 2, "人数"),
            cell(1, 1, 1, 1, "男"),
            cell(1, 2, 1, 1, "女"),
            cell(2, 0, 1, 1, "东城"),
            cell(2, 1, 1, 1, "12"),
            cell(2, 2, 1, 1, "15"),
            cell(3, 0, 1, 1, "西城"),
            cell(3, 1, 1, 1, "8"),
            cell(3, 2, 1, 1, last),
        ],
    )
}

#[test]
fn perfect_match_scores_one_everywhere() {
    let t = district_table("9");
    assert_eq!(cell_counts(&t, &t), Counts::new(10, 10, 10));
    assert_eq!(cell_counts(&t, &t).f1(), Some(1.0));
    let adj = adjacency_counts(&t.cells, &t.cells);
    // Counted by hand: 7 horizontal + 8 vertical relations (see the figure above).
    assert_eq!(adj, Counts::new(15, 15, 15));
    let g = grits(&t, &t).unwrap();
    assert_eq!((g.topology, g.content), (1.0, 1.0));
    // Whitespace never matters.
    let mut spaced = t.clone();
    spaced.cells[0].text = " 地 区\n".into();
    assert_eq!(cell_counts(&t, &spaced).f1(), Some(1.0));
}

#[test]
fn a_split_cell_lowers_cell_f1_by_the_right_amount() {
    let expected = district_table("9");
    // The extractor missed the merge of "人数": two cells, "人数" spanning one column and an empty one.
    let mut split = expected.clone();
    split.cells[1] = cell(0, 1, 1, 1, "人数");
    split.cells.push(cell(0, 2, 1, 1, ""));
    let c = cell_counts(&expected, &split);
    // 9 of the 10 expected cells are found; 11 cells were extracted.
    assert_eq!(c, Counts::new(9, 11, 10));
    let f1 = c.f1().unwrap();
    assert!((f1 - 18.0 / 21.0).abs() < 1e-12, "{f1}");
    assert!((c.precision().unwrap() - 9.0 / 11.0).abs() < 1e-12);
    assert!((c.recall().unwrap() - 0.9).abs() < 1e-12);

    // Adjacency: the split loses "人数"→"女" (vertical, now 人数 is above 男 only) and
    // "男"→"女" stays; the empty cell adds nothing. 14 of 15 relations remain; no new ones.
    let adj = adjacency_counts(&expected.cells, &split.cells);
    assert_eq!(adj, Counts::new(14, 14, 15));

    // GriTS topology: the two slots under "人数" change from a 1×2 extent to 1×1 (IoU 1/2 each),
    // every other slot is identical: 2·(10 + 0.5 + 0.5) / (12 + 12).
    let g = grits(&expected, &split).unwrap();
    assert!((g.topology - 22.0 / 24.0).abs() < 1e-12, "{g:?}");
    // GriTS content: slot (0,2) now holds "" instead of "人数" (similarity 0).
    assert!((g.content - 22.0 / 24.0).abs() < 1e-12, "{g:?}");
}

#[test]
fn adjacency_f1_on_a_hand_computed_example() {
    // Expected:            Extracted (the two value columns swapped in the last row):
    // | a | b | c |        | a | b | c |
    // | d |   | e |        | d |   | e |
    // | f | g | h |        | f | h | g |
    let e = table(
        3,
        3,
        vec![
            cell(0, 0, 1, 1, "a"),
            cell(0, 1, 1, 1, "b"),
            cell(0, 2, 1, 1, "c"),
            cell(1, 0, 1, 1, "d"),
            cell(1, 1, 1, 1, ""),
            cell(1, 2, 1, 1, "e"),
            cell(2, 0, 1, 1, "f"),
            cell(2, 1, 1, 1, "g"),
            cell(2, 2, 1, 1, "h"),
        ],
    );
    let mut p = e.clone();
    p.cells[7].text = "h".into();
    p.cells[8].text = "g".into();
    // Expected relations: h: a-b b-c d-e f-g g-h; v: a-d b-g (skips the empty cell) c-e d-f e-h = 10.
    // Extracted: h: a-b b-c d-e f-h h-g; v: a-d b-h c-e d-f e-g = 10.
    // Common: a-b b-c d-e a-d c-e d-f = 6.  P = R = F1 = 0.6.
    let c = adjacency_counts(&e.cells, &p.cells);
    assert_eq!(c, Counts::new(6, 10, 10));
    assert_eq!(c.f1(), Some(0.6));
    // Case is ignored like the reference's normalisation.
    let mut upper = e.clone();
    upper.cells[0].text = "A".into();
    assert_eq!(adjacency_counts(&e.cells, &upper.cells).f1(), Some(1.0));
}

/// /work/shared (or wherever `shared/peers` sits above the repository).
fn shared_peers() -> Option<PathBuf> {
    let mut dir = Some(Path::new(env!("CARGO_MANIFEST_DIR")));
    while let Some(d) = dir {
        let p = d.join("shared/peers");
        if p.join("tools/adjacency_f1.py").exists() {
            return Some(p);
        }
        dir = d.parent();
    }
    None
}

fn to_gt_json(cells: &[Cell]) -> Value {
    Value::Array(
        cells
            .iter()
            .map(|c| {
                json!({"start_row": c.row, "end_row": c.row + c.row_span - 1, "start_col": c.col,
                       "end_col": c.col + c.col_span - 1, "text": c.text})
            })
            .collect(),
    )
}

#[test]
fn adjacency_agrees_with_the_python_reference() {
    let Some(peers) = shared_peers() else {
        eprintln!("SKIP: shared/peers/tools/adjacency_f1.py not found above the repository");
        return;
    };
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("SKIP: python3 is not installed");
        return;
    }
    // Cases: the constructed tables above, plus real ICDAR 2013 tables against damaged copies of
    // themselves (a row dropped, two columns merged, texts changed).
    let mut cases: Vec<(Vec<Cell>, Vec<Cell>)> = Vec::new();
    let d = district_table("9");
    let mut split = d.clone();
    split.cells[1] = cell(0, 1, 1, 1, "人数");
    cases.push((d.cells.clone(), d.cells.clone()));
    cases.push((d.cells.clone(), split.cells.clone()));
    cases.push((d.cells.clone(), district_table("90").cells));
    let gt = std::fs::read_to_string(peers.join("icdar2013/icdar2013_gt.jsonl")).unwrap();
    let wanted = ["eu-001", "us-018", "us-025", "eu-021"];
    for line in gt.lines() {
        let doc: Value = serde_json::from_str(line).unwrap();
        if !wanted.contains(&doc["doc"].as_str().unwrap()) {
            continue;
        }
        let t = &doc["tables"][0];
        let cells: Vec<Cell> = t["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let (sr, er) = (c["start_row"].as_u64().unwrap() as usize, c["end_row"].as_u64().unwrap() as usize);
                let (sc, ec) = (c["start_col"].as_u64().unwrap() as usize, c["end_col"].as_u64().unwrap() as usize);
                cell(sr, sc, er - sr + 1, ec - sc + 1, c["text"].as_str().unwrap())
            })
            .collect();
        let dropped: Vec<Cell> = cells.iter().filter(|c| c.row != 2).cloned().collect();
        let merged: Vec<Cell> = cells
            .iter()
            .filter(|c| c.col != 2)
            .map(|c| {
                let mut c = c.clone();
                if c.col == 1 && c.col_span == 1 {
                    c.col_span = 2;
                }
                c
            })
            .collect();
        let retexted: Vec<Cell> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut c = c.clone();
                if i % 7 == 3 {
                    c.text = format!("{} x", c.text.to_uppercase());
                }
                c
            })
            .collect();
        cases.push((cells.clone(), cells.clone()));
        cases.push((cells.clone(), dropped));
        cases.push((cells.clone(), merged));
        cases.push((cells, retexted));
    }
    assert!(cases.len() >= 15, "the ICDAR tables were not found");
    let input: Vec<Value> = cases.iter().map(|(g, p)| json!({"gt": to_gt_json(g), "pred": to_gt_json(p)})).collect();
    let dir = tempfile::tempdir().unwrap();
    let input_path = dir.path().join("cases.json");
    std::fs::write(&input_path, serde_json::to_string(&input).unwrap()).unwrap();
    let script = format!(
        "import sys, json\nsys.path.insert(0, {tools:?})\nimport adjacency_f1 as a\n\
         print(json.dumps([list(a.score(c['pred'], c['gt'])) for c in json.load(open({input:?}))]))",
        tools = peers.join("tools").display().to_string(),
        input = input_path.display().to_string()
    );
    let out = Command::new("python3").arg("-c").arg(&script).output().unwrap();
    assert!(out.status.success(), "python reference failed: {}", String::from_utf8_lossy(&out.stderr));
    let reference: Vec<[usize; 3]> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reference.len(), cases.len());
    for (i, ((g, p), r)) in cases.iter().zip(&reference).enumerate() {
        let c = adjacency_counts(g, p);
        assert_eq!([c.matched, c.predicted, c.expected], *r, "case {i}");
    }
    // The damaged copies must actually differ, or the comparison proves little.
    assert!(reference.iter().any(|r| r[0] < r[2]));
}

fn indicator(l2: &str, l3: &str, value: &str) -> Indicator {
    Indicator {
        level1: Some("产出指标".into()),
        level2: Some(l2.into()),
        level3: Some(l3.into()),
        value: Some(value.into()),
        ..Default::default()
    }
}

#[test]
fn record_fields_are_counted_per_field_with_indicators_paired_by_level2_level3() {
    let expected = ProjectPerformance {
        project_name: Some("办公设备购置".into()),
        budget_total: Some("2996500.00".parse().unwrap()),
        indicators: vec![indicator("数量指标", "购置台数", "10台"), indicator("质量指标", "合格率", "100%")],
        ..Default::default()
    };
    // Extracted: indicators in the other order (pairing by level2+level3 must not care), a wrong
    // value in one, the amount with one decimal (numerically equal), a spurious goal.
    let mut got = expected.clone();
    got.indicators = vec![indicator("质量指标", "合格率", "99%"), indicator("数量指标", "购置台数", "10台")];
    got.budget_total = Some("2996500.0".parse().unwrap());
    got.goal = Some("x".into());
    let rc = compare_records(
        &[Record::ProjectPerformance(expected.clone())],
        &[Record::ProjectPerformance(got)],
    );
    assert_eq!((rc.expected, rc.extracted, rc.matched), (1, 1, 1));
    let f = |k: &str| rc.fields.get(k).copied().unwrap_or_else(|| panic!("no field {k}: {:?}", rc.fields.keys()));
    assert_eq!((f("project_performance.budget_total").correct, f("project_performance.budget_total").total), (1, 1));
    assert_eq!((f("project_performance.goal").correct, f("project_performance.goal").total), (0, 1));
    assert_eq!((f("project_performance.indicators.value").correct, f("project_performance.indicators.value").total), (1, 2));
    assert_eq!((f("project_performance.indicators.level3").correct, f("project_performance.indicators.level3").total), (2, 2));
    // Every field of the record: 19 scalar fields (spending_plan counts as one null) + 9 per indicator.
    let total = rc.total();
    assert_eq!(total.total, 19 + 2 * 9);
    assert_eq!(total.correct, total.total - 2);
    assert_eq!(rc.mismatches.len(), 2);

    // A record that was not extracted at all costs all of its fields.
    let none = compare_records(&[Record::ProjectPerformance(expected)], &[]);
    assert_eq!((none.total().correct, none.total().total, none.matched), (0, 37, 0));
}

fn extraction(tables: Vec<Table>) -> Extraction {
    Extraction {
        schema_version: "1".into(),
        source: Source { file_name: "x.docx".into(), sha256: "0".repeat(64), format: Format::Docx, page_count: None },
        tables,
        records: vec![],
        warnings: vec![],
        text: vec![],
    }
}

#[test]
fn tables_pair_by_content_so_a_missed_table_does_not_shift_the_rest() {
    let a = district_table("9");
    let mut b = table(2, 2, vec![cell(0, 0, 1, 1, "项目"), cell(0, 1, 1, 1, "金额"), cell(1, 0, 1, 1, "购置"), cell(1, 1, 1, 1, "5")]);
    b.index = 1;
    let truth = extraction(vec![a.clone(), b.clone()]);
    // The extractor found only the second table.
    let mut only_b = b.clone();
    only_b.index = 0;
    let d = score_document("x.docx", "fam", &truth, Ok(extraction(vec![only_b])), 0.01);
    assert_eq!(d.scores.tables, Counts::new(1, 1, 2));
    // b's 4 cells match; a's 10 are missing.
    assert_eq!(d.scores.cells, Counts::new(4, 4, 14));
    // GriTS mean over expected tables: a missed (0), b perfect (1).
    assert_eq!(d.scores.metrics().grits_content, Some(0.5));
    // A failed extraction counts every expected table as missed.
    let failed = score_document("x.docx", "fam", &truth, Err("unsupported: no".into()), 0.01);
    assert_eq!(failed.scores.tables, Counts::new(0, 0, 2));
    assert_eq!(failed.scores.failed_documents, 1);
    assert_eq!(failed.scores.metrics().cell_f1, Some(0.0));
}

#[test]
fn thresholds_gate_per_family_with_default_fallback() {
    let t = district_table("9");
    let truth = extraction(vec![t.clone()]);
    let good = score_document("a.docx", "good", &truth, Ok(extraction(vec![t.clone()])), 0.01);
    let bad = score_document("b.docx", "bad", &truth, Ok(extraction(vec![district_table("90")])), 0.01);
    let mut thresholds = BTreeMap::new();
    thresholds.insert("default".to_string(), Thresholds { cell_f1: Some(0.99), ..Default::default() });
    let report = yusuan::eval::build_report("c", vec![good.clone(), bad.clone()], &thresholds, "default");
    assert!(!report.passed);
    let failing: Vec<_> = report.checks.iter().filter(|c| !c.passed).map(|c| (c.family.as_str(), c.metric.as_str())).collect();
    assert_eq!(failing, vec![("bad", "cell_f1")]);
    // A family entry overrides the default for that family only.
    thresholds.insert("bad".to_string(), Thresholds { cell_f1: Some(0.85), ..Default::default() });
    let report = yusuan::eval::build_report("c", vec![good, bad], &thresholds, "default");
    assert!(report.passed, "{:?}", report.checks);
    assert_eq!(report.overall.scores.cells, Counts::new(19, 20, 20));
}

// ---------------------------------------------------------------------------------------------
// The command on a tiny DOCX corpus

fn para(text: &str) -> docx_rs::Paragraph {
    docx_rs::Paragraph::new().add_run(docx_rs::Run::new().add_text(text))
}

/// Writes the district table of [`district_table`] as a real DOCX (vMerge + gridSpan).
fn write_district_docx(path: &Path) {
    use docx_rs::{Docx, Table as DTable, TableCell as DCell, TableRow as DRow, VMergeType};
    let c = |t: &str| DCell::new().add_paragraph(para(t));
    let rows = vec![
        DRow::new(vec![c("地区").vertical_merge(VMergeType::Restart), c("人数").grid_span(2)]),
        DRow::new(vec![DCell::new().add_paragraph(para("")).vertical_merge(VMergeType::Continue), c("男"), c("女")]),
        DRow::new(vec![c("东城"), c("12"), c("15")]),
        DRow::new(vec![c("西城"), c("8"), c("9")]),
    ];
    let table = DTable::new(rows).set_grid(vec![2000, 2000, 2000]);
    let file = std::fs::File::create(path).unwrap();
    Docx::new().add_paragraph(para("各区人数")).add_table(table).build().pack(file).unwrap();
}

fn truth_json(file_name: &str, last: &str) -> Value {
    let t = district_table(last);
    json!({
        "schema_version": "1",
        "source": {"file_name": file_name, "sha256": "", "format": "docx", "page_count": null},
        "tables": [{"index": 0, "pages": [], "title": null, "n_rows": t.n_rows, "n_cols": t.n_cols,
                    "header_rows": 2, "cells": t.cells, "context": []}],
        "records": [],
        "warnings": []
    })
}

/// Two families: `exact_docx` whose truth is the document, and `wrong_truth_docx` whose truth
/// says "90" where the document prints "9" (so a correct extractor scores 9 of 10 cells).
fn tiny_corpus(dir: &Path) {
    for fam in ["exact_docx", "wrong_truth_docx"] {
        std::fs::create_dir_all(dir.join(fam)).unwrap();
        write_district_docx(&dir.join(fam).join("districts.docx"));
    }
    std::fs::write(dir.join("exact_docx/districts.truth.json"), truth_json("districts.docx", "9").to_string()).unwrap();
    std::fs::write(dir.join("wrong_truth_docx/districts.truth.json"), truth_json("districts.docx", "90").to_string())
        .unwrap();
    let manifest = json!({"documents": [
        {"file": "exact_docx/districts.docx", "truth": "exact_docx/districts.truth.json", "family": "exact_docx",
         "producer": "docx", "description": "merged header cells"},
        {"file": "wrong_truth_docx/districts.docx", "truth": "wrong_truth_docx/districts.truth.json",
         "family": "wrong_truth_docx", "producer": "docx", "description": "truth differs in one cell"},
        {"file": "exact_docx/no_truth.docx", "family": "exact_docx", "producer": "docx", "description": "not scored"}
    ]});
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    std::fs::write(dir.join("thresholds.json"), json!({"default": {"cell_f1": 0.99, "table_recall": 0.99}}).to_string())
        .unwrap();
}

fn family<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["families"].as_array().unwrap().iter().find(|f| f["family"] == name).unwrap_or_else(|| panic!("no family {name}"))
}

fn close(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-9)
}

#[test]
fn eval_command_scores_a_tiny_docx_corpus_and_gates_on_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    tiny_corpus(dir.path());
    let html_dir = dir.path().join("report");
    let out = Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .args(["eval", "--json", "--html"])
        .arg(&html_dir)
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: stderr {stderr}"));
    // The wrong-truth family is below cell F1 0.99: exit 3 and exactly that check failing.
    assert_eq!(out.status.code(), Some(3), "stderr: {stderr}");
    let failing: Vec<(String, String)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| (c["family"].as_str().unwrap().to_string(), c["metric"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(failing, vec![("wrong_truth_docx".to_string(), "cell_f1".to_string())], "{report:#}");

    let exact = family(&report, "exact_docx");
    assert_eq!(exact["scores"]["documents"], 1);
    assert!(close(&exact["metrics"]["table_recall"], 1.0), "{exact:#}");
    assert!(close(&exact["metrics"]["cell_f1"], 1.0), "{exact:#}");
    assert!(close(&exact["metrics"]["adjacency_f1"], 1.0), "{exact:#}");
    assert!(close(&exact["metrics"]["grits_content"], 1.0), "{exact:#}");
    let wrong = family(&report, "wrong_truth_docx");
    assert!(close(&wrong["metrics"]["cell_f1"], 0.9), "{wrong:#}");
    // 13 of 15 relations survive: 8→9 and 15→9 differ from 8→90 and 15→90.
    assert!(close(&wrong["metrics"]["adjacency_f1"], 13.0 / 15.0), "{wrong:#}");
    // GriTS content: 11 identical slots + LCS("90", "9") = 2/3, over 12 + 12 slots.
    assert!(close(&wrong["metrics"]["grits_content"], 2.0 * (11.0 + 2.0 / 3.0) / 24.0), "{wrong:#}");
    assert!(close(&report["overall"]["metrics"]["cell_f1"], 0.95));
    assert!(report["documents"][0]["seconds"].as_f64().unwrap() > 0.0);

    // The terminal table names the failing check.
    let text = Command::new(env!("CARGO_BIN_EXE_yusuan")).arg("eval").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert_eq!(text.status.code(), Some(3));
    assert!(stdout.contains("FAIL: 1 of 4 threshold checks"), "{stdout}");
    assert!(stdout.contains("wrong_truth_docx cell_f1 = 0.900000 < 0.99"), "{stdout}");

    // --family restricts the run, so the exact family alone passes.
    let only = Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .args(["eval", "--family", "exact_docx"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(only.status.code(), Some(0), "{}", String::from_utf8_lossy(&only.stdout));

    // No records in this corpus: the per-field chart is left out (2 charts).
    assert_html_renders(&html_dir.join("index.html"), 2, &["wrong_truth_docx", "0.9000", "0.8667", "FAIL: 1 of 4"]);
}

#[test]
fn eval_without_a_manifest_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_yusuan")).arg("eval").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("manifest"));
}

#[test]
fn html_report_of_constructed_documents_renders_in_chromium() {
    // Independent of the extractor: two documents scored from constructed extractions.
    let t = district_table("9");
    let record = ProjectPerformance {
        project_name: Some("办公设备购置".into()),
        indicators: vec![indicator("数量指标", "购置台数", "10台")],
        ..Default::default()
    };
    let mut truth = extraction(vec![t.clone()]);
    truth.records = vec![Record::ProjectPerformance(record.clone())];
    let mut split = t.clone();
    split.cells[1] = cell(0, 1, 1, 1, "人数");
    split.cells.push(cell(0, 2, 1, 1, ""));
    let mut split_doc = extraction(vec![split]);
    let mut wrong_value = record.clone();
    wrong_value.indicators[0].value = Some("1台".into());
    split_doc.records = vec![Record::ProjectPerformance(wrong_value)];
    let mut good_doc = extraction(vec![t.clone()]);
    good_doc.records = truth.records.clone();
    let docs = vec![
        score_document("good.docx", "fam_good", &truth, Ok(good_doc), 0.020),
        score_document("split.docx", "fam_split", &truth, Ok(split_doc), 0.045),
    ];
    let mut thresholds = BTreeMap::new();
    thresholds.insert("default".to_string(), Thresholds { cell_f1: Some(0.99), ..Default::default() });
    let report = yusuan::eval::build_report("constructed", docs, &thresholds, "default");
    let dir = tempfile::tempdir().unwrap();
    yusuan::eval::report::write_html(&report, dir.path()).unwrap();
    if let Some(keep) = std::env::var_os("EVAL_KEEP_HTML") {
        // For looking at the page by eye: EVAL_KEEP_HTML=/tmp/r.html cargo test --test eval html_report
        std::fs::copy(dir.path().join("index.html"), keep).unwrap();
    }
    // Cell F1 of the split document: 18/21 = 0.8571; its record has 19 + 9 fields, one wrong:
    // 27/28 = 0.9643; overall field accuracy 55/56 = 0.9821.
    assert_html_renders(
        &dir.path().join("index.html"),
        3,
        &["fam_split", "0.8571", "0.9643", "0.9821", "split.docx", "FAIL: 1 of 2", "1台", "10台"],
    );
}

/// The DOM Chromium builds for a file (headless, --dump-dom), or None when no Chromium is installed.
fn chromium_dom(file: &Path) -> Option<String> {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()))
    else {
        eprintln!("SKIP: no chromium installed; {} was not loaded in a browser", file.display());
        return None;
    };
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Loads the page in headless Chromium and checks the rendered DOM: the verdict, the figures, the
/// charts and the side-by-side grids of the mismatches.
fn assert_html_renders(index: &Path, charts: usize, figures: &[&str]) {
    let Some(dom) = chromium_dom(index) else { return };
    assert!(dom.contains(r#"id="verdict""#), "no verdict in the rendered page");
    for f in figures {
        assert!(dom.contains(f), "the rendered report lacks {f:?}");
    }
    assert_eq!(dom.matches("<svg").count(), charts, "charts drawn");
    assert!(dom.contains(r#"class="pair""#), "no side-by-side grids");
}

// ---------------------------------------------------------------------------------------------
// inspect

/// The page inspected below: `write_district_docx` converted once with LibreOffice 7.4
/// (`soffice --headless --convert-to pdf`) and committed, so the test needs no LibreOffice.
fn districts_pdf() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inspect/districts.pdf")
}

#[test]
fn inspect_draws_rulings_region_grid_and_merged_cells_of_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("districts.docx");
    write_district_docx(&docx);
    let pdf = districts_pdf();
    let svg = dir.path().join("page.svg");
    let out = Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .arg("inspect")
        .arg(&pdf)
        .args(["--page", "1", "--svg"])
        .arg(&svg)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&svg).unwrap();
    let group = |id: &str| {
        let start = text.find(&format!(r#"<g id="{id}""#)).unwrap_or_else(|| panic!("no group {id}"));
        let end = start + text[start..].find("</g>").unwrap();
        text[start..end].to_string()
    };
    // The document: one 4×3 table with two merged cells (地区 over two rows, 人数 over two
    // columns) → 10 cells; LibreOffice draws its borders as 5 horizontal and 4 vertical lines once
    // collinear segments are merged; 20 visible characters (the table and the line above it).
    assert_eq!(group("regions").matches("<rect").count(), 1);
    assert_eq!(group("cells").matches("<rect").count(), 10);
    assert_eq!(group("merged").matches("<rect").count(), 2);
    assert_eq!(group("rulings").matches("<line").count(), 9);
    assert_eq!(group("glyphs").matches("<rect").count(), 20);
    assert!(group("text").contains(">西<"));

    // A DOCX has no page to draw: a clear error, not an empty picture.
    let out = Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .arg("inspect")
        .arg(&docx)
        .arg("--svg")
        .arg(dir.path().join("x.svg"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a PDF"));
    let out = Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .arg("inspect")
        .arg(&pdf)
        .args(["--page", "7", "--svg"])
        .arg(dir.path().join("x.svg"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("outside"));

    // The SVG is well-formed: Chromium renders it as an SVG document, not an XML error page.
    if let Some(dom) = chromium_dom(&svg) {
        assert!(!dom.contains("error on line"), "{dom}");
        assert!(dom.contains(r#"id="rulings""#));
    }
}

// ---------------------------------------------------------------------------------------------
// ICDAR 2013 protocol

#[test]
fn icdar_boxes_are_flipped_on_the_displayed_page() {
    use yusuan::decode::pdf::geometry::PageFrame;
    use yusuan::eval::icdar::to_display_box;
    // Unrotated A4: plain y flip.
    let a4 = PageFrame::new([0.0, 0.0, 595.0, 842.0], 0);
    assert_eq!(to_display_box(&a4, [100.0, 451.0, 482.0, 543.0]), [100.0, 299.0, 482.0, 391.0]);
    // eu-015: /Rotate 90 on an A4 MediaBox; the GT region [60, 292, 356, 505] lies on the
    // 842 × 595 landscape page as displayed: top 595 − 505 = 90, bottom 595 − 292 = 303.
    let landscape = PageFrame::new([0.0, 0.0, 595.0, 842.0], 90);
    assert_eq!(to_display_box(&landscape, [60.0, 292.0, 356.0, 505.0]), [60.0, 90.0, 356.0, 303.0]);
}

#[test]
fn icdar_region_is_scored_against_the_overlapping_table_on_its_page() {
    use yusuan::decode::pdf::geometry::PageFrame;
    use yusuan::eval::icdar::{load_ground_truth, score_region, to_display_box};
    let Some(peers) = shared_peers() else {
        eprintln!("SKIP: shared/peers not found above the repository");
        return;
    };
    let gt = load_ground_truth(&peers.join("icdar2013")).unwrap();
    let doc = gt.iter().find(|d| d.doc == "eu-001").unwrap();
    let frame = PageFrame::new([0.0, 0.0, 595.0, 842.0], 0);
    let region = &doc.tables[0];
    // Our "extraction": the GT table itself at the region's display box, plus a decoy below it
    // whose texts differ (listed first, so picking by order instead of by position scores 0).
    let rb = to_display_box(&frame, region.region_bboxes[0].bbox);
    let mut real = table(1, 1, region.grid_cells());
    real.pages = vec![region.page];
    for c in &mut real.cells {
        c.page = Some(region.page);
        c.bbox = Some(rb);
    }
    let mut decoy = real.clone();
    for c in &mut decoy.cells {
        c.bbox = Some([rb[0], rb[3] + 50.0, rb[2], rb[3] + 60.0]);
        c.text = format!("{} decoy", c.text);
    }
    let (counts, found) = score_region(region, &[decoy.clone(), real.clone()], Some(&frame));
    assert!(found);
    assert_eq!(counts.f1(), Some(1.0));
    // On another page nothing is found and every relation is missed.
    for t in [&mut decoy, &mut real] {
        t.pages = vec![region.page + 1];
        for c in &mut t.cells {
            c.page = Some(region.page + 1);
        }
    }
    let (counts, found) = score_region(region, &[decoy, real], Some(&frame));
    assert!(!found);
    assert_eq!((counts.matched, counts.predicted), (0, 0));
    assert!(counts.expected > 0);
}

#[test]
fn icdar_command_reports_the_set_in_a_small_copy() {
    let Some(peers) = shared_peers() else {
        eprintln!("SKIP: shared/peers not found above the repository");
        return;
    };
    // A one-document copy of the set keeps the test fast.
    let src = peers.join("icdar2013");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("competition-dataset-eu")).unwrap();
    std::fs::copy(src.join("competition-dataset-eu/eu-001.pdf"), dir.path().join("competition-dataset-eu/eu-001.pdf"))
        .unwrap();
    let line = std::fs::read_to_string(src.join("icdar2013_gt.jsonl"))
        .unwrap()
        .lines()
        .find(|l| l.contains(r#""doc": "eu-001""#))
        .unwrap()
        .to_string();
    std::fs::write(dir.path().join("icdar2013_gt.jsonl"), line + "\n").unwrap();
    let html = dir.path().join("html");
    let out = Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .args(["eval", "--json", "--html"])
        .arg(&html)
        .arg("--icdar2013")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    // From the ground truth (the Python reference counts the same): 7 regions, 665 relations.
    assert_eq!(r["regions"], 7);
    assert_eq!(r["adjacency"]["expected"], 665);
    assert_eq!(r["documents"][0]["doc"], "eu-001");
    assert!(r["f1"].as_f64().is_some());
    assert!(r["pages"].as_u64().unwrap() >= 1);
    let page = std::fs::read_to_string(html.join("index.html")).unwrap();
    assert!(page.contains("eu-001"));
}

#[test]
fn a_misspelt_threshold_is_an_error_not_a_silently_ungated_metric() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("thresholds.json");
    std::fs::write(&path, r#"{"_note": "comments are fine", "default": {"cell_f": 0.99}}"#).unwrap();
    let err = yusuan::eval::corpus::load_thresholds(&path).unwrap_err();
    assert!(format!("{err:#}").contains("cell_f"), "{err:#}");
    std::fs::write(&path, r#"{"_note": "x", "default": {"cell_f1": 0.99}, "a_family": {"table_recall": 0.5}}"#).unwrap();
    let t = yusuan::eval::corpus::load_thresholds(&path).unwrap();
    assert_eq!(t.len(), 2);
    let resolved = t["a_family"].resolved(&t["default"]);
    assert_eq!(resolved, vec![("table_recall", 0.5), ("cell_f1", 0.99)]);
}

#[test]
fn the_committed_thresholds_hold_the_issue_targets() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/thresholds.json");
    let t = yusuan::eval::corpus::load_thresholds(&path).unwrap();
    let d = &t["default"];
    assert_eq!(d.cell_f1, Some(0.99));
    assert_eq!(d.record_field_accuracy, Some(0.99));
}

#[test]
fn every_corpus_truth_loads_and_its_tables_tile() {
    // What eval compares against must itself be sound: a truth grid with a gap or an overlap
    // would make every figure of its family meaningless.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    if !dir.join("manifest.json").exists() {
        eprintln!("SKIP: no corpus/manifest.json in this checkout");
        return;
    }
    let docs = yusuan::eval::corpus::load(&dir, &[]).unwrap();
    assert!(!docs.is_empty());
    for d in &docs {
        assert!(d.path.exists(), "{} is listed but missing", d.file);
        for t in &d.truth.tables {
            if let Err(e) = t.check_tiling() {
                panic!("{} table {}: {e}", d.file, t.index);
            }
        }
    }
}
