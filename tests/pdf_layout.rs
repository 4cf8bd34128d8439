//! The PDF engine on small PDFs constructed here with lopdf: each test draws a table the way a
//! real producer does (LibreOffice: one stroked segment per cell border; Word/WPS: thin filled
//! rectangles; forms with a /Matrix; rotated pages; pages continued) and checks the grid, spans,
//! texts and pages against what was drawn. Hostile inputs check the typed errors.

use std::io::Write;

use pdf_extract::{Dictionary, Document, Object, Stream};
use yusuan::limits::Limits;
use yusuan::model::Table;

const PAGE_H: f64 = 842.0;

/// Text in the CJK test font (Type0, predefined UniGB-UCS2-H CMap, no ToUnicode: the decoder
/// must rewrite it), placed by its top-left corner in display coordinates.
fn cjk(x: f64, top: f64, size: f64, s: &str) -> String {
    let hex = utf16_hex(s);
    format!("BT /F2 {size} Tf 1 0 0 1 {x} {} Tm <{hex}> Tj ET\n", PAGE_H - top - 0.85 * size)
}

fn utf16_hex(s: &str) -> String {
    s.encode_utf16().map(|u| format!("{u:04X}")).collect()
}

/// An amount in F4 (half-width digits declared by a /W range) shown as one string, ending at
/// `right` (right-aligned as in a budget table).
fn amount_f4(right: f64, top: f64, size: f64, s: &str) -> String {
    let x = right - 0.5 * size * s.chars().count() as f64;
    format!("BT /F4 {size} Tf 1 0 0 1 {x} {} Tm <{}> Tj ET\n", PAGE_H - top - 0.85 * size, utf16_hex(s))
}

/// The same, shown the way WPS 表格 does: one string per character, each placed by `Td` at the
/// half-width advance, so the positions are right whatever width the reader takes for a glyph.
fn amount_f4_per_glyph(right: f64, top: f64, size: f64, s: &str) -> String {
    let step = 0.5 * size;
    let x = right - step * s.chars().count() as f64;
    let mut out = format!("BT /F4 {size} Tf 1 0 0 1 {x} {} Tm", PAGE_H - top - 0.85 * size);
    for (i, c) in s.chars().enumerate() {
        if i > 0 {
            out += &format!(" {step} 0 Td");
        }
        out += &format!(" <{}> Tj", utf16_hex(&c.to_string()));
    }
    out + " ET\n"
}

/// Helvetica's advance of a string of digits, commas and points (556 and 278 per 1000).
fn helvetica_width(size: f64, s: &str) -> f64 {
    s.chars().map(|c| if c.is_ascii_digit() { 0.556 } else { 0.278 }).sum::<f64>() * size
}

fn latin(x: f64, top: f64, size: f64, s: &str) -> String {
    format!("BT /F1 {size} Tf 1 0 0 1 {x} {} Tm ({s}) Tj ET\n", PAGE_H - top - 0.85 * size)
}

/// LibreOffice-style borders: every cell edge its own stroked segment; `skip_v` lists
/// (boundary index, row) of vertical segments left out, `skip_h` (boundary index, column).
fn stroked_grid(xs: &[f64], ys: &[f64], skip_v: &[(usize, usize)], skip_h: &[(usize, usize)]) -> String {
    let mut s = String::from("0.5 w 0 0 0 RG\n");
    for (i, &x) in xs.iter().enumerate() {
        for r in 0..ys.len() - 1 {
            if !skip_v.contains(&(i, r)) {
                s += &format!("{x} {} m {x} {} l S\n", PAGE_H - ys[r], PAGE_H - ys[r + 1]);
            }
        }
    }
    for (i, &y) in ys.iter().enumerate() {
        for c in 0..xs.len() - 1 {
            if !skip_h.contains(&(i, c)) {
                s += &format!("{} {} m {} {} l S\n", xs[c], PAGE_H - y, xs[c + 1], PAGE_H - y);
            }
        }
    }
    s
}

/// Word/WPS-style borders: each full border line one thin filled rectangle (`re f`).
fn rect_grid(xs: &[f64], ys: &[f64]) -> String {
    let mut s = String::from("0 0 0 rg\n");
    let (x0, x1) = (xs[0], xs[xs.len() - 1]);
    let (y0, y1) = (ys[0], ys[ys.len() - 1]);
    for &x in xs {
        s += &format!("{} {} 0.5 {} re f\n", x - 0.25, PAGE_H - y1, y1 - y0);
    }
    for &y in ys {
        s += &format!("{} {} {} 0.5 re f*\n", x0, PAGE_H - y - 0.25, x1 - x0);
    }
    s
}

struct PageSpec {
    content: String,
    rotate: i64,
    /// A Form XObject /Fm1 with this content and /Matrix, painted by the page content.
    form: Option<(String, [f64; 6])>,
    image: bool,
}

fn page(content: String) -> PageSpec {
    PageSpec { content, rotate: 0, form: None, image: false }
}

fn name(s: &str) -> Object {
    Object::Name(s.as_bytes().to_vec())
}

fn reals(v: &[f64]) -> Object {
    Object::Array(v.iter().map(|&x| Object::Real(x as f32)).collect())
}

fn build_pdf(pages: Vec<PageSpec>) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut helv = Dictionary::new();
    helv.set("Type", name("Font"));
    helv.set("Subtype", name("Type1"));
    helv.set("BaseFont", name("Helvetica"));
    helv.set("Encoding", name("WinAnsiEncoding"));
    let helv_id = doc.add_object(helv);
    let mut descriptor = Dictionary::new();
    descriptor.set("Type", name("FontDescriptor"));
    descriptor.set("FontName", name("TestSong"));
    descriptor.set("Flags", 4);
    descriptor.set("FontBBox", reals(&[0.0, -120.0, 1000.0, 880.0]));
    descriptor.set("ItalicAngle", 0);
    descriptor.set("Ascent", 880);
    descriptor.set("Descent", -120);
    descriptor.set("CapHeight", 700);
    descriptor.set("StemV", 80);
    let descriptor_id = doc.add_object(descriptor);
    let mut cid = Dictionary::new();
    cid.set("Type", name("Font"));
    cid.set("Subtype", name("CIDFontType0"));
    cid.set("BaseFont", name("TestSong"));
    let mut info = Dictionary::new();
    info.set("Registry", Object::string_literal("Adobe"));
    info.set("Ordering", Object::string_literal("GB1"));
    info.set("Supplement", 2);
    cid.set("CIDSystemInfo", info);
    cid.set("FontDescriptor", Object::Reference(descriptor_id));
    cid.set("DW", 1000);
    let cid_id = doc.add_object(cid);
    let mut type0 = Dictionary::new();
    type0.set("Type", name("Font"));
    type0.set("Subtype", name("Type0"));
    type0.set("BaseFont", name("TestSong"));
    type0.set("Encoding", name("UniGB-UCS2-H"));
    type0.set("DescendantFonts", Object::Array(vec![Object::Reference(cid_id)]));
    let type0_id = doc.add_object(type0);
    // F3: a Type0 font on the predefined GBK-EUC-H CMap (pdf-extract panics on it) with a
    // ToUnicode for two GBK codes: 中 = D6D0, 文 = CEC4.
    let gbk_cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n2 beginbfchar\n<D6D0> <4E2D>\n<CEC4> <6587>\nendbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end\n";
    let gbk_to_unicode = doc.add_object(Stream::new(Dictionary::new(), gbk_cmap.to_vec()));
    let mut gbk = Dictionary::new();
    gbk.set("Type", name("Font"));
    gbk.set("Subtype", name("Type0"));
    gbk.set("BaseFont", name("TestSongGBK"));
    gbk.set("Encoding", name("GBK-EUC-H"));
    gbk.set("DescendantFonts", Object::Array(vec![Object::Reference(cid_id)]));
    gbk.set("ToUnicode", Object::Reference(gbk_to_unicode));
    let gbk_id = doc.add_object(gbk);
    // F4: the CJK test font with half-width digits and punctuation given in the
    // `c_first c_last w` form of /W, as WPS and Word write it (`11 29 500`): ',' to '9' are 500.
    let mut cid_half = Dictionary::new();
    cid_half.set("Type", name("Font"));
    cid_half.set("Subtype", name("CIDFontType0"));
    cid_half.set("BaseFont", name("TestSongHalf"));
    let mut info = Dictionary::new();
    info.set("Registry", Object::string_literal("Adobe"));
    info.set("Ordering", Object::string_literal("GB1"));
    info.set("Supplement", 2);
    cid_half.set("CIDSystemInfo", info);
    cid_half.set("FontDescriptor", Object::Reference(descriptor_id));
    cid_half.set("DW", 1000);
    cid_half.set("W", Object::Array(vec![Object::Integer(0x2C), Object::Integer(0x39), Object::Integer(500)]));
    let cid_half_id = doc.add_object(cid_half);
    let mut half = Dictionary::new();
    half.set("Type", name("Font"));
    half.set("Subtype", name("Type0"));
    half.set("BaseFont", name("TestSongHalf"));
    half.set("Encoding", name("UniGB-UCS2-H"));
    half.set("DescendantFonts", Object::Array(vec![Object::Reference(cid_half_id)]));
    let half_id = doc.add_object(half);
    let mut fonts = Dictionary::new();
    fonts.set("F1", Object::Reference(helv_id));
    fonts.set("F4", Object::Reference(half_id));
    fonts.set("F2", Object::Reference(type0_id));
    fonts.set("F3", Object::Reference(gbk_id));
    let mut resources = Dictionary::new();
    resources.set("Font", fonts);
    let mut kids = Vec::new();
    for spec in pages {
        let mut res = resources.clone();
        let mut content = spec.content.clone();
        let mut xobjects = Dictionary::new();
        if let Some((form_content, m)) = &spec.form {
            let mut d = Dictionary::new();
            d.set("Type", name("XObject"));
            d.set("Subtype", name("Form"));
            d.set("BBox", reals(&[0.0, 0.0, 2000.0, 2000.0]));
            d.set("Matrix", reals(m));
            d.set("Resources", resources.clone());
            let id = doc.add_object(Stream::new(d, form_content.as_bytes().to_vec()));
            xobjects.set("Fm1", Object::Reference(id));
            content += "q /Fm1 Do Q\n";
        }
        if spec.image {
            let mut d = Dictionary::new();
            d.set("Type", name("XObject"));
            d.set("Subtype", name("Image"));
            d.set("Width", 2);
            d.set("Height", 2);
            d.set("ColorSpace", name("DeviceGray"));
            d.set("BitsPerComponent", 8);
            let id = doc.add_object(Stream::new(d, vec![0, 255, 255, 0]));
            xobjects.set("Im1", Object::Reference(id));
            content += "q 500 0 0 700 40 60 cm /Im1 Do Q\n";
        }
        if !xobjects.is_empty() {
            res.set("XObject", xobjects);
        }
        let content_id = doc.add_object(Stream::new(Dictionary::new(), content.into_bytes()));
        let mut p = Dictionary::new();
        p.set("Type", name("Page"));
        p.set("Parent", Object::Reference(pages_id));
        p.set("MediaBox", reals(&[0.0, 0.0, 595.0, PAGE_H]));
        p.set("Contents", Object::Reference(content_id));
        p.set("Resources", res);
        if spec.rotate != 0 {
            p.set("Rotate", spec.rotate);
        }
        kids.push(Object::Reference(doc.add_object(p)));
    }
    let mut pages_dict = Dictionary::new();
    pages_dict.set("Type", name("Pages"));
    pages_dict.set("Count", kids.len() as i64);
    pages_dict.set("Kids", Object::Array(kids));
    doc.objects.insert(pages_id, Object::Dictionary(pages_dict));
    let mut catalog = Dictionary::new();
    catalog.set("Type", name("Catalog"));
    catalog.set("Pages", Object::Reference(pages_id));
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", Object::Reference(catalog_id));
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("write pdf");
    out
}

fn extract(bytes: &[u8]) -> Result<yusuan::Extraction, yusuan::ExtractError> {
    yusuan::extract("t.pdf", bytes, &Limits::default())
}

fn text(t: &Table, row: usize, col: usize) -> String {
    t.cells.iter().find(|c| c.row == row && c.col == col).map(|c| c.text.clone()).unwrap_or_else(|| panic!("no cell at ({row},{col})"))
}

fn spans(t: &Table, row: usize, col: usize) -> (usize, usize) {
    let c = t.cells.iter().find(|c| c.row == row && c.col == col).expect("cell");
    (c.row_span, c.col_span)
}

/// The project table of the Hebei layout, reduced: a label merged over three rows (missing
/// horizontal segments), a value merged over two columns (missing vertical segments), wrapped
/// text, and a vertical label written one character per line.
fn project_table_content(ox: f64, oy: f64, borders: &dyn Fn(&[f64], &[f64]) -> String) -> String {
    let xs: Vec<f64> = [0.0, 80.0, 160.0, 300.0, 420.0].iter().map(|x| x + ox).collect();
    let ys: Vec<f64> = [0.0, 30.0, 60.0, 90.0, 120.0].iter().map(|y| y + oy).collect();
    let mut s = borders(&xs, &ys);
    s += &cjk(xs[0] + 4.0, ys[0] + 8.0, 10.0, "项目名称");
    s += &cjk(xs[1] + 4.0, ys[0] + 8.0, 10.0, "专家评审费");
    // Row 1–3, column 0: vertical label one character per line, "绩效指标".
    for (i, ch) in "绩效指标".chars().enumerate() {
        s += &cjk(xs[0] + 35.0, ys[1] + 8.0 + 19.0 * i as f64, 10.0, &ch.to_string());
    }
    s += &cjk(xs[1] + 4.0, ys[1] + 4.0, 10.0, "网络数据平");
    s += &cjk(xs[1] + 4.0, ys[1] + 16.0, 10.0, "台建设");
    s += &latin(xs[2] + 4.0, ys[1] + 8.0, 10.0, "100");
    s += &cjk(xs[3] + 4.0, ys[1] + 8.0, 10.0, "历史数据");
    s += &cjk(xs[1] + 4.0, ys[2] + 8.0, 10.0, "及时率");
    s += &latin(xs[2] + 4.0, ys[2] + 8.0, 10.0, "95%");
    s += &cjk(xs[3] + 4.0, ys[2] + 8.0, 10.0, "工作要求");
    s += &cjk(xs[1] + 4.0, ys[3] + 8.0, 10.0, "满意度");
    s += &latin(xs[2] + 4.0, ys[3] + 8.0, 10.0, "90%");
    s += &cjk(xs[3] + 4.0, ys[3] + 8.0, 10.0, "调查");
    s
}

fn check_project_table(t: &Table) {
    assert_eq!((t.n_rows, t.n_cols), (4, 4), "{t:#?}");
    assert!(t.check_tiling().is_ok());
    assert_eq!(text(t, 0, 0), "项目名称");
    assert_eq!(spans(t, 0, 1), (1, 3));
    assert_eq!(text(t, 0, 1), "专家评审费");
    assert_eq!(spans(t, 1, 0), (3, 1));
    assert_eq!(text(t, 1, 0), "绩效指标");
    assert_eq!(text(t, 1, 1), "网络数据平台建设");
    assert_eq!(text(t, 1, 2), "100");
    assert_eq!(text(t, 3, 3), "调查");
}

fn lo_borders(xs: &[f64], ys: &[f64]) -> String {
    // Row 0: columns 1–3 merged (vertical boundaries 2 and 3 missing in row 0);
    // column 0: rows 1–3 merged (horizontal boundaries 2 and 3 missing in column 0).
    stroked_grid(xs, ys, &[(2, 0), (3, 0)], &[(2, 0), (3, 0)])
}

#[test]
fn libreoffice_style_segments_give_spans_texts_and_title() {
    let mut content = cjk(60.0, 60.0, 12.0, "1.专家评审费绩效目标表");
    content += &cjk(60.0, 80.0, 10.0, "单位：元");
    content += &project_table_content(60.0, 100.0, &lo_borders);
    let x = extract(&build_pdf(vec![page(content)])).expect("extracts");
    assert_eq!(x.tables.len(), 1);
    let t = &x.tables[0];
    check_project_table(t);
    assert_eq!(t.title.as_deref(), Some("1.专家评审费绩效目标表"));
    assert_eq!(t.context, vec!["1.专家评审费绩效目标表".to_string(), "单位：元".to_string()]);
    let c = t.cells.iter().find(|c| c.row == 1 && c.col == 0).unwrap();
    assert_eq!(c.page, Some(1));
    let b = c.bbox.unwrap();
    assert!((b[0] - 60.0).abs() < 0.5 && (b[1] - 130.0).abs() < 0.5 && (b[3] - 220.0).abs() < 0.5, "{b:?}");
}

#[test]
fn thin_filled_rectangles_are_rulings_too() {
    // Word-style: full-length rectangles everywhere, so no merged cells: a 4×4 grid.
    let content = project_table_content(60.0, 100.0, &|xs, ys| rect_grid(xs, ys));
    let x = extract(&build_pdf(vec![page(content)])).expect("extracts");
    let t = &x.tables[0];
    assert_eq!((t.n_rows, t.n_cols), (4, 4));
    assert_eq!(text(t, 1, 1), "网络数据平台建设");
    // Without the merge, the vertical label is cut by the row lines: "效" and "指" centre in row 2.
    assert_eq!(text(t, 2, 0), "效指");
}

#[test]
fn form_xobject_matrix_places_the_table() {
    // The whole table drawn in a form shifted by its /Matrix: text and lines must land together.
    let form = project_table_content(0.0, 0.0, &lo_borders);
    let spec = PageSpec { content: String::new(), rotate: 0, form: Some((form, [1.0, 0.0, 0.0, 1.0, 50.0, -300.0])), image: false };
    let x = extract(&build_pdf(vec![spec])).expect("extracts");
    assert_eq!(x.tables.len(), 1);
    let t = &x.tables[0];
    check_project_table(t);
    let b = t.cells[0].bbox.unwrap();
    assert!((b[0] - 50.0).abs() < 0.5 && (b[1] - 300.0).abs() < 0.5, "{b:?}");
}

#[test]
fn rotated_page_is_read_as_displayed() {
    // Content drawn for a landscape reading: the page is portrait in user space with /Rotate 90,
    // and the content is turned -90° (as producers do), so the viewer shows it upright.
    let inner = project_table_content(60.0, 100.0, &lo_borders);
    let content = format!("q 0 1 -1 0 595 0 cm 1 0 0 1 0 {} cm\n{inner}Q\n", 595.0 - PAGE_H);
    let spec = PageSpec { content, rotate: 90, form: None, image: false };
    let x = extract(&build_pdf(vec![spec])).expect("extracts");
    assert_eq!(x.tables.len(), 1, "{:#?}", x.tables);
    check_project_table(&x.tables[0]);
}

#[test]
fn a_table_continued_on_the_next_page_is_stitched() {
    let xs = [60.0, 200.0, 340.0];
    let header = |top: f64| cjk(64.0, top + 6.0, 10.0, "科目名称") + &cjk(204.0, top + 6.0, 10.0, "金额");
    let mut p1 = cjk(60.0, 40.0, 12.0, "基本支出预算表");
    let ys1: Vec<f64> = (0..=36).map(|i| 60.0 + 20.0 * i as f64).collect();
    p1 += &stroked_grid(&xs, &ys1, &[], &[]);
    p1 += &header(60.0);
    for (i, y) in ys1.iter().enumerate().take(36).skip(1) {
        p1 += &cjk(64.0, y + 6.0, 10.0, &format!("科目{i}"));
        p1 += &latin(204.0, y + 6.0, 10.0, &format!("{i}.00"));
    }
    p1 += &latin(290.0, 815.0, 9.0, "- 1 -");
    let ys2: Vec<f64> = (0..=4).map(|i| 50.0 + 20.0 * i as f64).collect();
    let mut p2 = stroked_grid(&xs, &ys2, &[], &[]);
    p2 += &header(50.0);
    for (i, y) in ys2.iter().enumerate().take(4).skip(1) {
        p2 += &cjk(64.0, y + 6.0, 10.0, &format!("科目{}", 35 + i));
        p2 += &latin(204.0, y + 6.0, 10.0, &format!("{}.00", 35 + i));
    }
    p2 += &cjk(60.0, 200.0, 12.0, "部门收入总表");
    let ys3: Vec<f64> = (0..=2).map(|i| 220.0 + 20.0 * i as f64).collect();
    p2 += &stroked_grid(&xs, &ys3, &[], &[]);
    p2 += &header(220.0);
    let x = extract(&build_pdf(vec![page(p1), page(p2)])).expect("extracts");
    assert_eq!(x.tables.len(), 2, "{:#?}", x.tables.iter().map(|t| (&t.title, t.n_rows)).collect::<Vec<_>>());
    let t = &x.tables[0];
    assert_eq!(t.pages, vec![1, 2]);
    // 1 header + 35 rows on page 1 + 3 rows on page 2; the repeated header dropped.
    assert_eq!(t.n_rows, 39);
    assert!(t.check_tiling().is_ok());
    assert_eq!(text(t, 36, 0), "科目36");
    assert_eq!(t.cells.iter().find(|c| c.row == 36 && c.col == 1).unwrap().page, Some(2));
    assert_eq!(t.header_rows, 1);
    assert_eq!(x.tables[1].title.as_deref(), Some("部门收入总表"));
    assert_eq!(x.tables[1].pages, vec![2]);
}

#[test]
fn three_line_table_gets_columns_from_alignment() {
    let rule = |y: f64| format!("0.8 w 60 {} m 500 {} l S\n", PAGE_H - y, PAGE_H - y);
    let mut c = cjk(60.0, 60.0, 12.0, "政府采购预算明细表");
    c += &rule(80.0);
    c += &cjk(70.0, 86.0, 10.0, "项目");
    c += &cjk(300.0, 86.0, 10.0, "采购金额");
    c += &rule(102.0);
    for (i, (name, amount)) in [("办公设备", "12.00"), ("印刷服务", "3.50"), ("车辆维修", "8.25")].iter().enumerate() {
        let top = 110.0 + 18.0 * i as f64;
        c += &cjk(70.0, top, 10.0, name);
        c += &latin(300.0, top, 10.0, amount);
    }
    c += &rule(166.0);
    let x = extract(&build_pdf(vec![page(c)])).expect("extracts");
    assert_eq!(x.tables.len(), 1);
    let t = &x.tables[0];
    assert_eq!((t.n_rows, t.n_cols), (4, 2));
    assert_eq!(text(t, 0, 1), "采购金额");
    assert_eq!(text(t, 3, 0), "车辆维修");
    assert_eq!(text(t, 3, 1), "8.25");
    assert_eq!(t.title.as_deref(), Some("政府采购预算明细表"));
}

#[test]
fn image_only_document_is_no_text_layer() {
    let spec = PageSpec { content: String::new(), rotate: 0, form: None, image: true };
    let err = extract(&build_pdf(vec![spec])).unwrap_err();
    assert_eq!(err.code(), "no_text_layer");
}

#[test]
fn image_only_page_among_text_pages_is_a_warning() {
    let text_page = page(cjk(60.0, 60.0, 12.0, "说明"));
    let image_page = PageSpec { content: String::new(), rotate: 0, form: None, image: true };
    let x = extract(&build_pdf(vec![text_page, image_page])).expect("extracts");
    assert!(x.warnings.iter().any(|w| w.code == "image_only_page"), "{:?}", x.warnings);
}

#[test]
fn private_use_characters_raise_low_text_quality() {
    let mut c = cjk(60.0, 60.0, 12.0, "说明");
    c += &cjk(60.0, 80.0, 12.0, "\u{E001}\u{E002}\u{E003}\u{E004}");
    let x = extract(&build_pdf(vec![page(c)])).expect("extracts");
    assert!(x.warnings.iter().any(|w| w.code == "low_text_quality"), "{:?}", x.warnings);
}

#[test]
fn page_tree_that_loops_is_read_once_not_a_hang() {
    let bytes = build_pdf(vec![page(cjk(60.0, 60.0, 12.0, "说明"))]);
    let mut doc = Document::load_mem(&bytes).unwrap();
    let root = doc.catalog().unwrap().get(b"Pages").unwrap().as_reference().unwrap();
    // The root's kids: its own page and itself, twice.
    let pages = doc.get_object_mut(root).unwrap().as_dict_mut().unwrap();
    let mut kids = pages.get(b"Kids").unwrap().as_array().unwrap().clone();
    kids.push(Object::Reference(root));
    kids.push(Object::Reference(root));
    pages.set("Kids", Object::Array(kids));
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    let x = extract(&out).expect("the loop is skipped");
    assert_eq!(x.source.page_count, Some(1));
}

#[test]
fn flate_bomb_is_too_large() {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..8 {
        enc.write_all(&zeros).unwrap();
    }
    let bomb = enc.finish().unwrap();
    let bytes = build_pdf(vec![page(cjk(60.0, 60.0, 12.0, "说明"))]);
    let mut doc = Document::load_mem(&bytes).unwrap();
    let mut d = Dictionary::new();
    d.set("Filter", name("FlateDecode"));
    doc.add_object(Stream::new(d, bomb).with_compression(false));
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    let limits = Limits { max_stream_bytes: 1 << 20, ..Limits::default() };
    assert_eq!(yusuan::extract("t.pdf", &out, &limits).unwrap_err().code(), "too_large");
}

#[test]
fn truncated_file_is_truncated() {
    let bytes = build_pdf(vec![page(cjk(60.0, 60.0, 12.0, "说明"))]);
    let cut = &bytes[..bytes.len() / 3];
    let err = extract(cut).unwrap_err();
    assert!(matches!(err.code(), "truncated" | "no_text_layer"), "{err:?}");
}

#[test]
fn max_pages_is_enforced() {
    let bytes = build_pdf(vec![page(cjk(60.0, 60.0, 12.0, "一")), page(cjk(60.0, 60.0, 12.0, "二"))]);
    let limits = Limits { max_pages: 1, ..Limits::default() };
    assert_eq!(yusuan::extract("t.pdf", &bytes, &limits).unwrap_err().code(), "too_large");
}

/// Encrypts with qpdf (poppler-utils' companion, installed here); skipped where qpdf is absent.
fn qpdf_encrypt(bytes: &[u8], user: &str) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().ok()?;
    let (input, output) = (dir.path().join("in.pdf"), dir.path().join("out.pdf"));
    std::fs::write(&input, bytes).ok()?;
    let status = std::process::Command::new("qpdf")
        .args(["--encrypt", user, "owner-secret", "128", "--"])
        .arg(&input)
        .arg(&output)
        .status()
        .ok()?;
    status.success().then(|| std::fs::read(&output).ok()).flatten()
}

#[test]
fn encryption_with_a_user_password_is_encrypted_and_without_one_reads() {
    let bytes = build_pdf(vec![page(project_table_content(60.0, 100.0, &lo_borders))]);
    let Some(locked) = qpdf_encrypt(&bytes, "user-secret") else {
        eprintln!("qpdf not available: skipped");
        return;
    };
    assert_eq!(extract(&locked).unwrap_err().code(), "encrypted");
    let open = qpdf_encrypt(&bytes, "").expect("qpdf ran once already");
    let x = extract(&open).expect("empty user password opens it");
    check_project_table(&x.tables[0]);
}

#[test]
fn predefined_gbk_cmap_does_not_lose_the_page() {
    let mut c = cjk(60.0, 60.0, 12.0, "说明");
    c += &format!("BT /F3 12 Tf 1 0 0 1 60 {} Tm <D6D0CEC4> Tj ET\n", PAGE_H - 100.0);
    let bytes = build_pdf(vec![page(c)]);
    let deadline = yusuan::limits::Deadline::start(std::time::Duration::from_secs(30));
    let doc = yusuan::decode::pdf::decode(&bytes, &Limits::default(), &deadline).expect("decodes");
    let text: String = doc.pages[0].glyphs.iter().map(|g| g.ch).collect();
    assert!(text.contains("说明") && text.contains("中文"), "{text}");
    assert!(doc.pages[0].fonts.iter().any(|f| f == "TestSongGBK"));
}

#[test]
fn amounts_touching_at_a_shared_border_stay_in_their_own_cells() {
    // sh_04-like 收入预算总表 row: two equal amounts in adjacent 83 pt columns, each filling its
    // cell (2.84 pt from the left line, 2.16 pt from the right one). Row 1 as WPS 表格 writes it
    // (F4 with a /W range, one string per glyph); row 2 in Helvetica, only 0.5 pt from the
    // shared border on each side.
    let xs = [60.0, 220.0, 303.0, 386.0];
    let ys = [100.0, 124.0, 148.0, 172.0];
    let mut c = stroked_grid(&xs, &ys, &[], &[]);
    c += &cjk(64.0, 106.0, 12.0, "功能分类科目名称");
    c += &cjk(224.0, 106.0, 12.0, "合计");
    c += &cjk(306.0, 106.0, 12.0, "财政拨款");
    c += &cjk(64.0, 130.0, 12.0, "一般公共服务支出");
    c += &amount_f4_per_glyph(xs[2] - 2.16, 130.0, 12.0, "82,096,797.42");
    c += &amount_f4_per_glyph(xs[3] - 2.16, 130.0, 12.0, "82,096,797.42");
    c += &cjk(64.0, 154.0, 12.0, "行政运行");
    let amount = "12,029,501.84";
    c += &latin(xs[2] - 0.5 - helvetica_width(12.0, amount), 154.0, 12.0, amount);
    c += &latin(xs[2] + 0.5, 154.0, 12.0, amount);
    let x = extract(&build_pdf(vec![page(c)])).expect("extracts");
    assert_eq!(x.tables.len(), 1);
    let t = &x.tables[0];
    assert_eq!((t.n_rows, t.n_cols), (3, 3));
    assert_eq!((text(t, 1, 1), text(t, 1, 2)), ("82,096,797.42".to_string(), "82,096,797.42".to_string()));
    assert_eq!((text(t, 2, 1), text(t, 2, 2)), ("12,029,501.84".to_string(), "12,029,501.84".to_string()));
}

/// How a producer lays a landscape table on a page: the page's /Rotate, a `cm` wrapped around
/// the content, and the transform applied to every coordinate and text matrix inside it. The
/// content is written in a logical frame `frame_h` high (y up), which the transforms map onto
/// the 595 × 842 MediaBox.
struct Placement {
    rotate: i64,
    cm: Option<[f64; 6]>,
    matrix: [f64; 6],
    frame_h: f64,
}

/// Landscape content turned onto the portrait MediaBox so that /Rotate 90 shows it upright.
const TURN_FOR_ROTATE_90: [f64; 6] = [0.0, 1.0, -1.0, 0.0, 595.0, 0.0];
/// The same for /Rotate 270.
const TURN_FOR_ROTATE_270: [f64; 6] = [0.0, -1.0, 1.0, 0.0, 0.0, PAGE_H];
const IDENTITY: [f64; 6] = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

impl Placement {
    fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.matrix;
        (a * x + c * y + e, b * x + d * y + f)
    }

    fn line(&self, x0: f64, top0: f64, x1: f64, top1: f64) -> String {
        let (p, q) = (self.apply(x0, self.frame_h - top0), self.apply(x1, self.frame_h - top1));
        format!("{} {} m {} {} l S\n", p.0, p.1, q.0, q.1)
    }

    /// A string in `font` whose glyph box starts at (x, top) of the logical frame.
    fn text(&self, font: &str, x: f64, top: f64, size: f64, s: &str) -> String {
        let [a, b, c, d, _, _] = self.matrix;
        let (e, f) = self.apply(x, self.frame_h - top - 0.85 * size);
        format!("BT /{font} {size} Tf {a} {b} {c} {d} {e} {f} Tm <{}> Tj ET\n", utf16_hex(s))
    }

    /// An F4 amount right-aligned to `right`.
    fn amount(&self, right: f64, top: f64, size: f64, s: &str) -> String {
        self.text("F4", right - 0.5 * size * s.chars().count() as f64, top, size, s)
    }

    /// The page: a budget table whose amounts are right-aligned in narrow columns, so that
    /// glyphs read a full em wide (the /W range misread) would run past the table's edge.
    fn page(&self) -> PageSpec {
        let xs = [40.0, 200.0, 270.0, 340.0];
        let ys = [60.0, 80.0, 100.0, 120.0];
        let mut body = String::from("0.5 w 0 0 0 RG\n");
        for &x in &xs {
            body += &self.line(x, ys[0], x, ys[3]);
        }
        for &y in &ys {
            body += &self.line(xs[0], y, xs[3], y);
        }
        body += &self.text("F2", 44.0, 65.0, 10.0, "科目名称");
        body += &self.text("F2", 204.0, 65.0, 10.0, "合计");
        body += &self.text("F2", 274.0, 65.0, 10.0, "基本支出");
        body += &self.text("F2", 44.0, 85.0, 10.0, "一般公共服务支出");
        body += &self.amount(xs[2] - 3.0, 85.0, 9.0, "18,330.37");
        body += &self.amount(xs[3] - 3.0, 85.0, 9.0, "18,330.37");
        body += &self.text("F2", 44.0, 105.0, 10.0, "行政运行");
        body += &self.amount(xs[2] - 3.0, 105.0, 9.0, "729.00");
        body += &self.amount(xs[3] - 3.0, 105.0, 9.0, "7,877.76");
        let content = match self.cm {
            Some([a, b, c, d, e, f]) => format!("q {a} {b} {c} {d} {e} {f} cm\n{body}Q\n"),
            None => body,
        };
        PageSpec { content, rotate: self.rotate, form: None, image: false }
    }
}

const ROTATED_TABLE_TEXTS: [&str; 9] =
    ["科目名称", "合计", "基本支出", "一般公共服务支出", "18,330.37", "18,330.37", "行政运行", "729.00", "7,877.76"];

#[test]
fn rotated_pages_read_their_amounts_whole_however_the_producer_turns_them() {
    let upright_on_display = [
        // Word / PScript landscape: /Rotate 90 and one `cm` turning the whole content.
        ("rotate 90, cm", Placement { rotate: 90, cm: Some(TURN_FOR_ROTATE_90), matrix: IDENTITY, frame_h: 595.0 }),
        // Distiller: /Rotate 90, no `cm`, every text matrix turned and lines at turned coordinates.
        ("rotate 90, turned Tm", Placement { rotate: 90, cm: None, matrix: TURN_FOR_ROTATE_90, frame_h: 595.0 }),
        ("rotate 270, cm", Placement { rotate: 270, cm: Some(TURN_FOR_ROTATE_270), matrix: IDENTITY, frame_h: 595.0 }),
        ("rotate 270, turned Tm", Placement { rotate: 270, cm: None, matrix: TURN_FOR_ROTATE_270, frame_h: 595.0 }),
        // A portrait page shown upside down, its content turned back.
        ("rotate 180, cm", Placement { rotate: 180, cm: Some([-1.0, 0.0, 0.0, -1.0, 595.0, PAGE_H]), matrix: IDENTITY, frame_h: PAGE_H }),
    ];
    for (how, placement) in upright_on_display {
        let x = extract(&build_pdf(vec![placement.page()])).unwrap_or_else(|e| panic!("{how}: {e:?}"));
        assert_eq!(x.tables.len(), 1, "{how}: {:#?}", x.tables);
        let t = &x.tables[0];
        assert_eq!((t.n_rows, t.n_cols), (3, 3), "{how}");
        let read: Vec<String> = (0..3).flat_map(|r| (0..3).map(move |c| (r, c))).map(|(r, c)| text(t, r, c)).collect();
        assert_eq!(read, ROTATED_TABLE_TEXTS, "{how}");
    }
    // Shown sideways: the page turns upright content (or an unrotated page has turned content).
    // The grid is then the table turned; every text is still read whole along its baseline.
    let sideways = [
        ("rotate 90, upright content", Placement { rotate: 90, cm: None, matrix: IDENTITY, frame_h: PAGE_H }),
        ("no rotate, cm", Placement { rotate: 0, cm: Some(TURN_FOR_ROTATE_90), matrix: IDENTITY, frame_h: 595.0 }),
        ("no rotate, turned Tm", Placement { rotate: 0, cm: None, matrix: TURN_FOR_ROTATE_90, frame_h: 595.0 }),
    ];
    for (how, placement) in sideways {
        let x = extract(&build_pdf(vec![placement.page()])).unwrap_or_else(|e| panic!("{how}: {e:?}"));
        assert_eq!(x.tables.len(), 1, "{how}: {:#?}", x.tables);
        let t = &x.tables[0];
        assert_eq!((t.n_rows, t.n_cols), (3, 3), "{how}");
        let mut read: Vec<String> = t.cells.iter().map(|c| c.text.clone()).collect();
        let mut want: Vec<String> = ROTATED_TABLE_TEXTS.iter().map(|s| s.to_string()).collect();
        read.sort();
        want.sort();
        assert_eq!(read, want, "{how}");
    }
}

#[test]
fn amounts_in_a_font_with_ranged_widths_are_read_whole() {
    // Word 2007 / WPS 文字 tables (js_npc_office_2018 p12): the amount is one string in a font
    // whose half-width digits are declared by a /W range; read a full em wide, "7,877.76" would
    // run 36 pt past the table's right edge and come out "7,877".
    let xs = [60.0, 220.0, 300.0];
    let ys = [100.0, 120.0, 140.0];
    let mut c = stroked_grid(&xs, &ys, &[], &[]);
    c += &cjk(64.0, 105.0, 10.0, "科目名称");
    c += &cjk(224.0, 105.0, 10.0, "金额");
    c += &cjk(64.0, 125.0, 10.0, "合计");
    c += &amount_f4(xs[2] - 3.0, 125.0, 9.0, "7,877.76");
    let bytes = build_pdf(vec![page(c)]);
    let x = extract(&bytes).expect("extracts");
    assert_eq!(text(&x.tables[0], 1, 1), "7,877.76");
    // And the glyph boxes are half an em wide, as declared.
    let deadline = yusuan::limits::Deadline::start(std::time::Duration::from_secs(30));
    let doc = yusuan::decode::pdf::decode(&bytes, &Limits::default(), &deadline).expect("decodes");
    let seven = doc.pages[0].glyphs.iter().find(|g| g.ch == '7').unwrap();
    assert!((seven.x1 - seven.x0 - 4.5).abs() < 0.01, "{seven:?}");
}

/// Issue 15: a financial table ruled only between its column groups — one vertical rule between
/// 收入 and 支出 the table's full height, no horizontal rule — set with LibreOffice's generous
/// leading (a wrapped label's lines 7 pt apart, rows 11 pt apart at 9 pt).
#[test]
fn a_table_ruled_only_between_column_groups_is_read_from_its_rule_and_text() {
    let amount = |right: f64, top: f64, s: &str| latin(right - helvetica_width(9.0, s), top, 9.0, s);
    let mut c = cjk(60.0, 70.0, 12.0, "部门收支预算总表");
    c += &format!("0.5 w 0 0 0 RG 250 {} m 250 {} l S\n", PAGE_H - 100.0, PAGE_H - 250.0);
    c += &cjk(146.0, 105.0, 9.0, "收入");
    c += &cjk(366.0, 105.0, 9.0, "支出");
    for (x, s) in [(70.0, "项目"), (200.0, "预算数"), (260.0, "项目"), (455.0, "预算数")] {
        c += &cjk(x, 125.0, 9.0, s);
    }
    let rows: [(f64, &str, &str, &str, &str); 4] = [
        (150.0, "一般公共预算拨款", "1932.33", "一般公共服务支出", "1866.11"),
        (170.0, "事业收入", "12.00", "社会保障和就业支出", "39.70"),
        (190.0, "其他收入", "", "国有资本经营预算", "38.52"),
        (230.0, "收入总计", "1944.33", "支出总计", "1944.33"),
    ];
    for (top, label, income, item, spending) in rows {
        c += &cjk(70.0, top, 9.0, label);
        if !income.is_empty() {
            c += &amount(240.0, top, income);
        }
        c += &cjk(260.0, top, 9.0, item);
        c += &amount(490.0, top, spending);
    }
    // The third row's 支出 label wraps: its second line 16 pt below the first.
    c += &cjk(260.0, 206.0, 9.0, "支出");
    let x = extract(&build_pdf(vec![page(c)])).expect("extracts");
    assert_eq!(x.tables.len(), 1);
    let t = &x.tables[0];
    assert_eq!((t.n_rows, t.n_cols, t.header_rows), (6, 4, 2));
    assert_eq!((text(t, 0, 0), spans(t, 0, 0)), ("收入".to_string(), (1, 2)));
    assert_eq!((text(t, 0, 2), spans(t, 0, 2)), ("支出".to_string(), (1, 2)));
    assert_eq!(text(t, 1, 3), "预算数");
    assert_eq!(text(t, 3, 1), "12.00");
    assert_eq!(text(t, 4, 1), "");
    assert_eq!(text(t, 4, 2), "国有资本经营预算支出");
    assert_eq!(text(t, 4, 3), "38.52");
    assert_eq!(text(t, 5, 0), "收入总计");
    assert_eq!(text(t, 5, 3), "1944.33");
    assert_eq!(t.title.as_deref(), Some("部门收支预算总表"));
}
