//! DOCX grids: the peer fixtures in ../shared/peers/docx (skipped when absent) and DOCX files built
//! here, with docx-rs's writer or from raw WordprocessingML. Expected grids are written by hand
//! from what each file says.

use std::io::{Cursor, Write};
use std::path::PathBuf;
use std::time::Duration;

use docx_rs::{
    Docx, Hyperlink, HyperlinkType, Paragraph, Run, StructuredDataTag, Table as WTable, TableCell, TableRow,
    VMergeType,
};
use yusuan::decode::docx::{decode, DocxDocument};
use yusuan::limits::{Deadline, Limits};
use yusuan::model::Table;

fn read(bytes: &[u8]) -> DocxDocument {
    decode(bytes, &Limits::default(), &Deadline::start(Duration::from_secs(30))).expect("decodes")
}

fn pack(docx: Docx) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    docx.build().pack(&mut out).expect("docx-rs packs");
    out.into_inner()
}

/// A minimal package around a raw `w:body` (for what docx-rs's writer cannot express).
fn package_with_body(body: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    let files = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_string(),
        ),
        (
            "word/_rels/document.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>"#.to_string(),
        ),
        (
            "word/document.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>{body}</w:body></w:document>"#
            ),
        ),
    ];
    for (name, text) in files {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// (row, col, row_span, col_span, text without whitespace) of every cell, row-major.
fn layout(t: &Table) -> Vec<(usize, usize, usize, usize, String)> {
    t.cells.iter().map(|c| (c.row, c.col, c.row_span, c.col_span, squash(&c.text))).collect()
}

fn cell(r: usize, c: usize, rs: usize, cs: usize, text: &str) -> (usize, usize, usize, usize, String) {
    (r, c, rs, cs, squash(text))
}

fn peers() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/peers/docx");
    let alt = PathBuf::from("/work/shared/peers/docx");
    [dir, alt].into_iter().find(|d| d.is_dir())
}

fn peer_file(rel: &str) -> Option<Vec<u8>> {
    let Some(dir) = peers() else {
        eprintln!("skipping: ../shared/peers/docx is absent");
        return None;
    };
    std::fs::read(dir.join(rel)).ok()
}

fn p(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text))
}
fn tc(text: &str) -> TableCell {
    TableCell::new().add_paragraph(p(text))
}

#[test]
fn peer_merged_cells_grid_is_self_describing() {
    let Some(bytes) = peer_file("docx2python/resources/merged_cells.docx") else { return };
    let doc = read(&bytes);
    assert_eq!(doc.tables.len(), 1);
    let t = &doc.tables[0];
    assert_eq!((t.n_rows, t.n_cols), (5, 4));
    t.check_tiling().unwrap();
    // Each cell's text "RR-CC" lists the grid rows and columns it covers (docx2python's fixture).
    for c in &t.cells {
        let (rows, cols) = c.text.split_once('-').expect("cell text is rows-cols");
        let rows: Vec<usize> = rows.chars().map(|d| d.to_digit(10).unwrap() as usize).collect();
        let cols: Vec<usize> = cols.chars().map(|d| d.to_digit(10).unwrap() as usize).collect();
        assert_eq!((c.row, c.row_span), (rows[0], rows.len()), "rows of {:?}", c.text);
        assert_eq!((c.col, c.col_span), (cols[0], cols.len()), "cols of {:?}", c.text);
    }
    // and the layout docx2python's test expects: 0-12 spans two columns, 12-0 two rows, 34-123 2×3.
    assert_eq!(t.cells.len(), 13);
    assert!(layout(t).contains(&cell(3, 1, 2, 3, "34-123")));
}

#[test]
fn peer_paragraphs_and_tables_context_and_grids() {
    let Some(bytes) = peer_file("docx2python/resources/paragraphs_and_tables.docx") else { return };
    let doc = read(&bytes);
    assert_eq!(doc.tables.len(), 2);
    let (a, b) = (&doc.tables[0], &doc.tables[1]);
    assert_eq!((a.index, b.index), (0, 1));
    assert_eq!(a.text_rows(), vec![vec!["This", "Document"], vec!["Also", "Has"], vec!["Tables", ""]]);
    assert_eq!(a.context, vec!["This document has paragraphs."]);
    assert_eq!(a.title, None);
    assert_eq!((b.n_rows, b.n_cols), (4, 1));
    assert_eq!(squash(&b.text_rows()[0][0]), "OneMoreTable");
    assert_eq!(
        b.context,
        vec![
            "There are paragraphs between tables. These are used to check the .lineage attribute of Par instances.",
            "Here is another paragraph between the first and second tables.",
        ]
    );
    for t in &doc.tables {
        t.check_tiling().unwrap();
        assert!(t.pages.is_empty());
        assert!(t.cells.iter().all(|c| c.page.is_none() && c.bbox.is_none()));
    }
}

#[test]
fn peer_document_without_tables_has_none() {
    let Some(bytes) = peer_file("docx2python/resources/apples_and_pears.docx") else { return };
    assert!(read(&bytes).tables.is_empty());
}

/// Seed 002's project table, rebuilt: a title, agency and unit paragraph above; gridSpan and a
/// vMerge restart/continue pair ("预算规模及资金用途"), a 4-wide merged cell.
#[test]
fn budget_project_table_with_spans_merges_and_context() {
    let table = WTable::new(vec![
        TableRow::new(vec![
            tc("项目编码"),
            tc("13020925P00009410002P").grid_span(2),
            tc("项目名称"),
            tc("购买第三方服务").grid_span(2),
        ]),
        TableRow::new(vec![
            tc("预算规模及资金用途").vertical_merge(VMergeType::Restart),
            tc("预算数"),
            tc("299.65"),
            tc("其中：财政资金"),
            tc("299.65"),
            tc("其他资金"),
        ]),
        TableRow::new(vec![
            TableCell::new().vertical_merge(VMergeType::Continue),
            tc("购买第三方服务").grid_span(5),
        ]),
    ])
    .set_grid(vec![1500; 6]);
    let docx = Docx::new()
        .add_paragraph(p("第二部分"))
        .add_paragraph(p("1.购买第三方服务绩效目标表"))
        .add_paragraph(p("433001曹妃甸区行政审批局本级"))
        .add_paragraph(p(""))
        .add_paragraph(p("单位：万元"))
        .add_table(table);
    let doc = read(&pack(docx));
    assert_eq!(doc.tables.len(), 1);
    let t = &doc.tables[0];
    t.check_tiling().unwrap();
    assert_eq!((t.n_rows, t.n_cols, t.header_rows), (3, 6, 0));
    assert_eq!(
        layout(t),
        vec![
            cell(0, 0, 1, 1, "项目编码"),
            cell(0, 1, 1, 2, "13020925P00009410002P"),
            cell(0, 3, 1, 1, "项目名称"),
            cell(0, 4, 1, 2, "购买第三方服务"),
            cell(1, 0, 2, 1, "预算规模及资金用途"),
            cell(1, 1, 1, 1, "预算数"),
            cell(1, 2, 1, 1, "299.65"),
            cell(1, 3, 1, 1, "其中：财政资金"),
            cell(1, 4, 1, 1, "299.65"),
            cell(1, 5, 1, 1, "其他资金"),
            cell(2, 1, 1, 5, "购买第三方服务"),
        ]
    );
    assert_eq!(t.title.as_deref(), Some("1.购买第三方服务绩效目标表"));
    assert_eq!(
        t.context,
        vec!["第二部分", "1.购买第三方服务绩效目标表", "433001曹妃甸区行政审批局本级", "单位：万元"]
    );
}

#[test]
fn context_is_the_last_four_paragraphs_since_the_previous_table() {
    let one = || WTable::new(vec![TableRow::new(vec![tc("x")])]).set_grid(vec![2000]);
    let docx = Docx::new()
        .add_paragraph(p("a"))
        .add_table(one())
        .add_paragraph(p("b1"))
        .add_paragraph(p("b2"))
        .add_paragraph(p("b3"))
        .add_paragraph(p("部门收支总表（2021年）"))
        .add_paragraph(p("单位：万元"))
        .add_table(one())
        .add_table(one());
    let doc = read(&pack(docx));
    assert_eq!(doc.tables.len(), 3);
    assert_eq!(doc.tables[0].context, vec!["a"]);
    assert_eq!(doc.tables[1].context, vec!["b2", "b3", "部门收支总表（2021年）", "单位：万元"]);
    assert_eq!(doc.tables[1].title.as_deref(), Some("部门收支总表（2021年）"));
    assert!(doc.tables[2].context.is_empty());
    assert_eq!(doc.tables[2].title, None);
}

/// docx-rs's writer drops gridBefore/gridAfter, so this one is raw XML.
#[test]
fn grid_before_and_after_make_ragged_rows_that_still_tile() {
    let tcx = |t: &str| format!("<w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>");
    let body = format!(
        r#"<w:tbl><w:tblGrid><w:gridCol w:w="10"/><w:gridCol w:w="10"/><w:gridCol w:w="10"/><w:gridCol w:w="10"/></w:tblGrid>
        <w:tr>{a}{b}{c}{d}</w:tr>
        <w:tr><w:trPr><w:gridBefore w:val="1"/><w:gridAfter w:val="1"/></w:trPr>{m}{n}</w:tr>
        <w:tr><w:trPr><w:gridBefore w:val="3"/></w:trPr>{z}</w:tr>
        <w:tr>{y}</w:tr></w:tbl>"#,
        a = tcx("a"),
        b = tcx("b"),
        c = tcx("c"),
        d = tcx("d"),
        m = tcx("m"),
        n = tcx("n"),
        z = tcx("z"),
        y = tcx("y"),
    );
    let doc = read(&package_with_body(&body));
    let t = &doc.tables[0];
    t.check_tiling().unwrap();
    assert_eq!(
        t.text_rows(),
        vec![vec!["a", "b", "c", "d"], vec!["", "m", "n", ""], vec!["", "", "", "z"], vec!["y", "", "", ""]]
    );
    assert_eq!(t.cells.len(), 16);
}

#[test]
fn hyperlinks_and_content_controls_keep_their_text() {
    let link = Hyperlink::new("https://example.org", HyperlinkType::External)
        .add_run(Run::new().add_text("链接文字"));
    let sdt = StructuredDataTag::new().add_run(Run::new().add_text("控件内容"));
    let cell_sdt = StructuredDataTag::new().add_paragraph(p("块级控件"));
    let table = WTable::new(vec![TableRow::new(vec![
        TableCell::new()
            .add_paragraph(Paragraph::new().add_run(Run::new().add_text("见")).add_hyperlink(link)),
        TableCell::new().add_paragraph(
            Paragraph::new()
                .add_structured_data_tag(sdt)
                .add_bookmark_start(1, "bm")
                .add_run(Run::new().add_text("后"))
                .add_bookmark_end(1),
        ),
        TableCell::new().add_structured_data_tag(cell_sdt),
        TableCell::new().add_paragraph(p("第一段")).add_paragraph(p("第二段")),
    ])])
    .set_grid(vec![1000; 4]);
    let doc = read(&pack(Docx::new().add_table(table)));
    let t = &doc.tables[0];
    assert_eq!(t.text_rows(), vec![vec!["见链接文字", "控件内容后", "块级控件", "第一段\n第二段"]]);
}

/// A table inside a cell: the outer grid is unchanged, the inner table's text joins the outer
/// cell's text, and the inner table follows the outer one as a table of its own.
#[test]
fn nested_table_keeps_outer_grid_and_is_emitted_after_it() {
    let inner =
        WTable::new(vec![TableRow::new(vec![tc("i1"), tc("i2")]), TableRow::new(vec![tc("i3"), tc("i4")])])
            .set_grid(vec![500, 500]);
    let outer = WTable::new(vec![
        TableRow::new(vec![tc("标题").grid_span(2)]),
        TableRow::new(vec![TableCell::new().add_paragraph(p("内表说明")).add_table(inner), tc("右")]),
        TableRow::new(vec![tc("左下"), tc("右下")]),
    ])
    .set_grid(vec![1000, 1000]);
    let docx = Docx::new()
        .add_paragraph(p("外表"))
        .add_table(outer)
        .add_paragraph(p("之后"))
        .add_table(WTable::new(vec![TableRow::new(vec![tc("last")])]).set_grid(vec![100]));
    let doc = read(&pack(docx));
    assert_eq!(doc.tables.len(), 3);
    let (outer, inner, last) = (&doc.tables[0], &doc.tables[1], &doc.tables[2]);
    assert_eq!((outer.index, inner.index, last.index), (0, 1, 2));
    assert_eq!((outer.n_rows, outer.n_cols), (3, 2));
    outer.check_tiling().unwrap();
    assert_eq!(outer.text_rows()[1][0], "内表说明\ni1\ti2\ni3\ti4");
    assert_eq!(outer.text_rows()[1][1], "右");
    assert_eq!(outer.context, vec!["外表"]);
    assert_eq!(inner.text_rows(), vec![vec!["i1", "i2"], vec!["i3", "i4"]]);
    assert_eq!(inner.context, vec!["内表说明"]);
    assert_eq!(last.context, vec!["之后"]);
}

/// What only raw XML can say: repeated header rows, fields, tracked changes, a deleted row,
/// a block-level content control around a table, a continue cell under an unmarked cell.
#[test]
fn header_rows_fields_revisions_and_block_sdt_from_raw_xml() {
    let r = |t: &str| format!(r#"<w:r><w:t xml:space="preserve">{t}</w:t></w:r>"#);
    let tcx = |t: &str| format!("<w:tc><w:p>{}</w:p></w:tc>", r(t));
    let hdr = r#"<w:trPr><w:tblHeader/></w:trPr>"#;
    let field = format!(
        r#"<w:tc><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>{}<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:tc>"#,
        r("7")
    );
    let revised = format!(
        r#"<w:tc><w:p>{}<w:del w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z"><w:r><w:delText>旧</w:delText></w:r></w:del><w:ins w:id="2" w:author="a" w:date="2024-01-01T00:00:00Z">{}</w:ins></w:p></w:tc>"#,
        r("金额"),
        r("新")
    );
    let body = format!(
        r#"<w:p>{title}</w:p>
        <w:sdt><w:sdtPr/><w:sdtContent>
        <w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w="100"/><w:gridCol w:w="100"/></w:tblGrid>
          <w:tr>{hdr}{a}{b}</w:tr>
          <w:tr><w:trPr><w:tblHeader w:val="1"/></w:trPr>{c}{d}</w:tr>
          <w:tr><w:trPr><w:del w:id="3" w:author="a" w:date="2024-01-01T00:00:00Z"/></w:trPr>{x}{x}</w:tr>
          <w:tr>{field}{revised}</w:tr>
          <w:tr>{hdr}<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p>{lone}</w:p></w:tc>{e}</w:tr>
        </w:tbl></w:sdtContent></w:sdt>"#,
        title = r("收支总表"),
        a = tcx("项目"),
        b = tcx("金额"),
        c = tcx("甲"),
        d = tcx("乙"),
        x = tcx("删掉的行"),
        lone = r("孤"),
        e = tcx("尾"),
    );
    let doc = read(&package_with_body(&body));
    assert_eq!(doc.tables.len(), 1);
    let t = &doc.tables[0];
    t.check_tiling().unwrap();
    assert_eq!(t.header_rows, 2, "two leading tblHeader rows; the later marked row does not count");
    assert_eq!(
        t.text_rows(),
        vec![vec!["项目", "金额"], vec!["甲", "乙"], vec!["7\n孤", "金额新"], vec!["", "尾"]]
    );
    // The continue cell lines up with the unmarked cell above, so it extends it (as Word shows it);
    // its own text is kept, appended.
    assert_eq!(t.cell_at(3, 0).map(|c| (c.row, c.row_span)), Some((2, 2)));
    assert_eq!(t.title.as_deref(), Some("收支总表"));
}

#[test]
fn table_without_rows_is_not_a_table() {
    let body =
        r#"<w:tbl><w:tblGrid><w:gridCol w:w="100"/></w:tblGrid></w:tbl><w:p><w:r><w:t>x</w:t></w:r></w:p>"#;
    assert!(read(&package_with_body(body)).tables.is_empty());
}

/// No row marked as header: a first row with vertical merges opens a two-level header
/// (科目 over 类 | 款, 合计 spanning both rows); a label | value form with merges is not a header.
#[test]
fn unmarked_two_level_header_is_found_from_merges_but_forms_are_not_headers() {
    use VMergeType::{Continue, Restart};
    let header = WTable::new(vec![
        TableRow::new(vec![
            tc("功能分类科目").grid_span(2),
            tc("合计").vertical_merge(Restart),
            tc("基本支出").vertical_merge(Restart),
        ]),
        TableRow::new(vec![
            tc("类"),
            tc("科目名称"),
            TableCell::new().vertical_merge(Continue),
            TableCell::new().vertical_merge(Continue),
        ]),
        TableRow::new(vec![tc("201"), tc("一般公共服务支出"), tc("1,932.33"), tc("1,500.00")]),
    ])
    .set_grid(vec![800; 4]);
    let form = WTable::new(vec![
        TableRow::new(vec![
            tc("部门（单位）名称").vertical_merge(Restart),
            tc("支出预算总量"),
            tc("1932.33"),
        ]),
        TableRow::new(vec![
            TableCell::new().vertical_merge(Continue),
            tc("其中：部门预算支出"),
            tc("1932.33"),
        ]),
        TableRow::new(vec![tc("当年整体绩效目标"), tc("保障运行").grid_span(2)]),
    ])
    .set_grid(vec![800; 3]);
    let doc = read(&pack(Docx::new().add_table(header).add_paragraph(p("")).add_table(form)));
    assert_eq!(doc.tables.len(), 2);
    assert_eq!(doc.tables[0].header_rows, 2);
    assert_eq!(layout(&doc.tables[0])[1], cell(0, 2, 2, 1, "合计"));
    assert_eq!(doc.tables[1].header_rows, 0);
}

/// The generated evaluation corpus, when this checkout has it (corpus/ from the corpus branch):
/// every DOCX table matches its truth on grid, spans, text, title and header rows.
#[test]
fn corpus_docx_tables_match_their_truth() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let Ok(families) = std::fs::read_dir(&root) else {
        eprintln!("skipping: no corpus/ in this checkout");
        return;
    };
    let mut checked = 0;
    for family in families.flatten() {
        for entry in std::fs::read_dir(family.path()).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("docx") {
                continue;
            }
            let truth_path = path.with_extension("truth.json");
            let Ok(truth) = std::fs::read(&truth_path) else { continue };
            let truth: yusuan::Extraction = serde_json::from_slice(&truth).expect("truth parses");
            let doc = read(&std::fs::read(&path).unwrap());
            assert_eq!(doc.tables.len(), truth.tables.len(), "{}", path.display());
            for (got, want) in doc.tables.iter().zip(&truth.tables) {
                let what = format!("{} table {}", path.display(), want.index);
                assert_eq!((got.n_rows, got.n_cols), (want.n_rows, want.n_cols), "{what}");
                let (mut g, mut w) = (layout(got), layout(want));
                g.sort();
                w.sort();
                assert_eq!(g, w, "{what}");
                assert_eq!(got.title, want.title, "{what}");
                assert_eq!(got.header_rows, want.header_rows, "{what}");
                checked += 1;
            }
        }
    }
    eprintln!("{checked} corpus DOCX tables match");
}
