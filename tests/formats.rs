//! XLSX in and CSV / XLSX out (issue 14). Outputs are made by the real CLI, read back with the
//! same crates (csv, calamine) and compared with the JSON document of the same input; the XLSX
//! reader is fed workbooks written by rust_xlsxwriter.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::{Data, Reader, Xlsx};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatBorder, Formula, Workbook};
use yusuan::interpret::Record;
use yusuan::output::printed_number;
use yusuan::{Extraction, Format as SourceFormat, Limits};

fn yusuan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yusuan")).args(args).output().expect("run yusuan")
}

fn corpus(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus").join(file)
}

fn json_of(path: &Path) -> Extraction {
    let out = yusuan(&["extract", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Reads a CSV file written by yusuan: it must start with the UTF-8 BOM.
fn read_csv(path: &Path, has_header: bool) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{}: no BOM", path.display());
    let mut reader = csv::ReaderBuilder::new().has_headers(has_header).from_reader(&bytes[3..]);
    let header = if has_header { reader.headers().unwrap().iter().map(String::from).collect() } else { Vec::new() };
    let rows = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

fn amount_text(d: &Option<rust_decimal::Decimal>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

const DOCS: [&str; 3] = [
    "shanghai_budget_docx/binjiang_education_2023.docx",
    "chongqing_docx/tongnan_2021.docx",
    "hebei_pair_docx/caofeidian_2021.docx",
];

#[test]
fn csv_output_reads_back_as_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let inputs: Vec<PathBuf> = DOCS.iter().map(|d| corpus(d)).collect();
    let jsons: Vec<Extraction> = inputs.iter().map(|p| json_of(p)).collect();
    let mut args = vec!["extract", "--format", "csv", "--out", dir.path().to_str().unwrap()];
    args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
    let out = yusuan(&args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    // Budget lines: one row per line, in document order; amounts in 元 by column name.
    let (header, rows) = read_csv(&dir.path().join("records_budget_lines.csv"), true);
    assert_eq!(&header[..8], ["document", "table", "row", "table_title", "agency_name", "amount_unit", "subject_code", "subject_name"]);
    let mut expected_lines = 0;
    let mut row_iter = rows.iter();
    for x in &jsons {
        for r in &x.records {
            let Record::BudgetLine(line) = r else { continue };
            expected_lines += 1;
            let row = row_iter.next().expect("a CSV row per budget line");
            let col = |name: &str| &row[header.iter().position(|h| h == name).unwrap()];
            assert_eq!(col("document"), &x.source.file_name);
            assert_eq!(col("subject_code"), &line.subject_code.clone().unwrap_or_default());
            assert_eq!(col("subject_name"), &line.subject_name.clone().unwrap_or_default());
            assert_eq!(col("table"), &line.source_tables[0].to_string());
            for name in &header[8..] {
                let want = line.amounts.get(name).map(amount_text).unwrap_or_default();
                assert_eq!(col(name), &want, "{} row {:?} column {name}", x.source.file_name, line.row);
            }
        }
    }
    assert!(expected_lines > 250, "the three documents hold {expected_lines} budget lines");
    assert_eq!(rows.len(), expected_lines);

    // Projects and their indicators, joined by (document, record).
    let (pheader, prows) = read_csv(&dir.path().join("records_projects.csv"), true);
    let (iheader, irows) = read_csv(&dir.path().join("records_indicators.csv"), true);
    let pcol = |row: &Vec<String>, name: &str| row[pheader.iter().position(|h| h == name).unwrap()].clone();
    let icol = |row: &Vec<String>, name: &str| row[iheader.iter().position(|h| h == name).unwrap()].clone();
    let mut projects = 0;
    for x in &jsons {
        for (i, r) in x.records.iter().enumerate() {
            let Record::ProjectPerformance(p) = r else { continue };
            projects += 1;
            let row = prows
                .iter()
                .find(|row| pcol(row, "document") == x.source.file_name && pcol(row, "record") == i.to_string())
                .unwrap_or_else(|| panic!("{} record {i} not in records_projects.csv", x.source.file_name));
            assert_eq!(pcol(row, "project_name"), p.project_name.clone().unwrap_or_default());
            assert_eq!(pcol(row, "budget_total"), amount_text(&p.budget_total));
            let indicators: Vec<&Vec<String>> = irows
                .iter()
                .filter(|row| icol(row, "document") == x.source.file_name && icol(row, "record") == i.to_string())
                .collect();
            assert_eq!(indicators.len(), p.indicators.len());
            for (row, ind) in indicators.iter().zip(&p.indicators) {
                assert_eq!(icol(row, "level3"), ind.level3.clone().unwrap_or_default());
                assert_eq!(icol(row, "value"), ind.value.clone().unwrap_or_default());
                assert_eq!(icol(row, "target"), amount_text(&ind.target));
            }
        }
    }
    assert!(projects >= 10, "{projects} projects");

    // Warnings, all documents together.
    let (_, wrows) = read_csv(&dir.path().join("warnings.csv"), true);
    let warnings: Vec<(String, String)> =
        jsons.iter().flat_map(|x| x.warnings.iter().map(|w| (x.source.file_name.clone(), w.code.clone()))).collect();
    assert_eq!(wrows.iter().map(|r| (r[0].clone(), r[1].clone())).collect::<Vec<_>>(), warnings);

    // One CSV per table: the grid with merged cells repeated (the default, fill).
    for x in &jsons {
        for t in &x.tables {
            let name = yusuan::output::csv::table_file_name(&x.source.file_name, t.index);
            let (_, grid) = read_csv(&dir.path().join(&name), false);
            assert_eq!(grid.len(), t.n_rows, "{name}");
            for c in &t.cells {
                for (r, row) in grid.iter().enumerate().skip(c.row).take(c.row_span) {
                    for (k, slot) in row.iter().enumerate().skip(c.col).take(c.col_span) {
                        assert_eq!(slot, &c.text, "{name} slot ({r}, {k})");
                    }
                }
            }
        }
    }
}

#[test]
fn csv_tables_with_merged_blank_keep_text_at_the_top_left_only() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(DOCS[1]);
    let json = json_of(&input);
    let out = yusuan(&["extract", "--format", "csv", "--merged", "blank", "--out", dir.path().to_str().unwrap(), input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mut spanning = 0;
    for t in &json.tables {
        let (_, grid) = read_csv(&dir.path().join(yusuan::output::csv::table_file_name(&json.source.file_name, t.index)), false);
        assert_eq!(grid, t.text_rows(), "table {}", t.index);
        spanning += t.cells.iter().filter(|c| c.row_span > 1 || c.col_span > 1).count();
    }
    assert!(spanning > 20, "{spanning} spanning cells exercised");
}

#[test]
fn xlsx_output_reads_back_as_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(DOCS[0]);
    let json = json_of(&input);
    let out = yusuan(&["extract", "--format", "xlsx", "--out", dir.path().to_str().unwrap(), input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let path = dir.path().join("binjiang_education_2023.xlsx");
    let mut book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let mut expected_names: Vec<String> = yusuan::output::xlsx::RECORD_SHEETS.iter().map(|s| s.to_string()).collect();
    expected_names.extend(json.tables.iter().map(|t| yusuan::output::table_sheet_name(t.index)));
    assert_eq!(book.sheet_names(), expected_names);

    // Budget lines: amounts are numbers equal to the JSON's decimals.
    let range = book.worksheet_range("budget_lines").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
    let lines: Vec<_> = json.records.iter().filter_map(|r| if let Record::BudgetLine(l) = r { Some(l) } else { None }).collect();
    assert_eq!(rows.len() - 1, lines.len());
    assert!(lines.len() > 150);
    let mut numbers = 0;
    for (row, line) in rows[1..].iter().zip(&lines) {
        assert_eq!(row[7].to_string(), line.subject_name.clone().unwrap_or_default());
        for (k, name) in header.iter().enumerate().skip(8) {
            match line.amounts.get(name).copied().flatten() {
                Some(d) => {
                    assert_eq!(row[k], Data::Float(d.to_f64().unwrap()), "{name}");
                    numbers += 1;
                }
                None => assert_eq!(row[k], Data::Empty, "{name}"),
            }
        }
    }
    assert!(numbers > 400, "{numbers} amounts compared");

    // Tables: merged regions are the spans; texts as printed, figures as numbers.
    book.load_merged_regions().unwrap();
    for t in &json.tables {
        let name = yusuan::output::table_sheet_name(t.index);
        let mut merges: Vec<(u32, u32, u32, u32)> = book
            .merged_regions_by_sheet(&name)
            .iter()
            .map(|(_, _, d)| (d.start.0, d.start.1, d.end.0, d.end.1))
            .collect();
        merges.sort();
        let mut spans: Vec<(u32, u32, u32, u32)> = t
            .cells
            .iter()
            .filter(|c| c.row_span > 1 || c.col_span > 1)
            .map(|c| (c.row as u32, c.col as u32, (c.row + c.row_span - 1) as u32, (c.col + c.col_span - 1) as u32))
            .collect();
        spans.sort();
        assert_eq!(merges, spans, "{name}");
        let range = book.worksheet_range(&name).unwrap();
        for c in &t.cells {
            let got = range.get_value((c.row as u32, c.col as u32)).cloned().unwrap_or(Data::Empty);
            match printed_number(&c.text) {
                Some((number, _)) => assert_eq!(got, Data::Float(number), "{name} ({}, {})", c.row, c.col),
                None if c.text.is_empty() => assert_eq!(got, Data::Empty),
                None => assert_eq!(got, Data::String(c.text.clone()), "{name} ({}, {})", c.row, c.col),
            }
        }
    }
}

#[test]
fn csv_and_xlsx_need_an_output_directory() {
    let out = yusuan(&["extract", "--format", "xlsx", corpus(DOCS[0]).to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out"));
}

/// A workbook as a bureau publishes it: title and unit rows, a bordered table with a two-row
/// merged header marked as print titles, figures as numbers with number formats, a date, a
/// formula with its saved result, a note under the table, and a hidden helper sheet.
fn bureau_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let border = Format::new().set_border(FormatBorder::Thin);
    let money = border.clone().set_num_format("#,##0.00");
    let ws = book.add_worksheet().set_name("收支总表").unwrap();
    ws.merge_range(0, 0, 0, 3, "某区财政局2023年部门收支总表", &Format::new()).unwrap();
    ws.write_string(1, 0, "编制单位：某区财政局").unwrap();
    ws.write_string(1, 3, "单位：元").unwrap();
    ws.merge_range(2, 0, 2, 1, "收入", &border).unwrap();
    ws.merge_range(2, 2, 2, 3, "支出", &border).unwrap();
    for (col, text) in ["项目", "预算数", "项目", "预算数"].iter().enumerate() {
        ws.write_string_with_format(3, col as u16, *text, &border).unwrap();
    }
    ws.write_string_with_format(4, 0, "一般公共预算拨款", &border).unwrap();
    ws.write_number_with_format(4, 1, 1234567.5, &money).unwrap();
    ws.write_string_with_format(4, 2, "一般公共服务支出", &border).unwrap();
    ws.write_number_with_format(4, 3, 1234567.5, &money).unwrap();
    ws.write_string_with_format(5, 0, "计划开始日期", &border).unwrap();
    ws.write_number_with_format(5, 1, 44927.0, &border.clone().set_num_format("yyyy\"年\"m\"月\"d\"日\"")).unwrap();
    ws.write_string_with_format(5, 2, "合计", &border).unwrap();
    ws.write_formula_with_format(5, 3, Formula::new("=SUM(D5:D5)").set_result("1234567.5"), &money).unwrap();
    ws.write_string(8, 0, "备注：本表按部门预算口径编制").unwrap();
    ws.set_repeat_rows(2, 3).unwrap();
    let hidden = book.add_worksheet().set_name("辅助").unwrap();
    hidden.write_string(0, 0, "隐藏").unwrap();
    hidden.write_string(0, 1, "工作表").unwrap();
    hidden.set_hidden(true);
    book.save_to_buffer().unwrap()
}

#[test]
fn xlsx_input_goes_through_the_same_stages() {
    let bytes = bureau_workbook();
    let x = yusuan::extract("bureau.xlsx", &bytes, &Limits::default()).unwrap();
    assert_eq!(x.source.format, SourceFormat::Xlsx);
    assert_eq!(x.source.page_count, None);
    assert_eq!(x.tables.len(), 1, "the hidden sheet is not read");
    let t = &x.tables[0];
    t.check_tiling().unwrap();
    assert_eq!((t.n_rows, t.n_cols), (4, 4));
    assert_eq!(t.title.as_deref(), Some("某区财政局2023年部门收支总表"));
    assert_eq!(t.context, ["某区财政局2023年部门收支总表", "编制单位：某区财政局", "单位：元"]);
    assert_eq!(t.header_rows, 2);
    assert_eq!(
        t.text_rows(),
        [
            ["收入", "", "支出", ""],
            ["项目", "预算数", "项目", "预算数"],
            ["一般公共预算拨款", "1,234,567.50", "一般公共服务支出", "1,234,567.50"],
            ["计划开始日期", "2023年1月1日", "合计", "1,234,567.50"],
        ]
    );
    assert_eq!(t.cells[0].col_span, 2);
    assert!(x.warnings.iter().any(|w| w.code == "xlsx_formulas" && w.message.contains("1 cells")));
    // The records stage read the figures through the same interpretation as for PDF and DOCX.
    let json = serde_json::to_value(&x).unwrap();
    assert_eq!(json["source"]["format"], "xlsx");

    // And the CLI takes the file as it takes a PDF or a DOCX; the output validates.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bureau.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    let from_cli = json_of(&path);
    assert_eq!(from_cli.tables, x.tables);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/extraction.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&serde_json::to_value(&from_cli).unwrap()));
}

#[test]
fn corpus_workbook_extracts_to_the_truth_tables_and_records() {
    // The corpus's XLSX family is made from the DOCX truth; its extraction must give the DOCX
    // truth's records.
    let xlsx = corpus("chongqing_xlsx/tongnan_2021.xlsx");
    let truth: Extraction =
        serde_json::from_str(&std::fs::read_to_string(corpus("chongqing_xlsx/tongnan_2021.truth.json")).unwrap()).unwrap();
    let got = yusuan::extract("tongnan_2021.xlsx", &std::fs::read(&xlsx).unwrap(), &Limits::default()).unwrap();
    assert_eq!(got.tables.len(), truth.tables.len());
    let texts = |x: &Extraction| -> Vec<Vec<Vec<String>>> { x.tables.iter().map(|t| t.text_rows()).collect() };
    assert_eq!(texts(&got), texts(&truth));
    let by_kind = |x: &Extraction| -> HashMap<&'static str, usize> {
        let mut m = HashMap::new();
        for r in &x.records {
            let k = match r {
                Record::BudgetLine(_) => "budget_line",
                Record::ProjectPerformance(_) => "project",
                Record::DepartmentPerformance(_) => "department",
            };
            *m.entry(k).or_default() += 1;
        }
        m
    };
    assert_eq!(by_kind(&got), by_kind(&truth));
}
