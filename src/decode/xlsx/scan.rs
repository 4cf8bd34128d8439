//! What calamine reads but does not tell: which part holds which sheet, each cell's style (its
//! number format and whether it has borders), formulas, and the print-title rows. Read with
//! quick-xml from parts the package vetting already accepted (well formed, no DTD, bounded).

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// One entry of `cellXfs`: what a cell's `s` attribute points at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CellStyle {
    /// The number format code ("General", "#,##0.00", `yyyy"年"m"月"d"日"` …).
    pub format: String,
    /// Any side of the cell's border is drawn: the cell is part of a ruled table.
    pub bordered: bool,
}

/// Per cell of one sheet: its style index, and how many cells hold a formula.
#[derive(Debug, Default)]
pub struct SheetScan {
    pub styles: HashMap<(u32, u32), u32>,
    pub formulas: usize,
}

fn local_attr(start: &BytesStart, name: &[u8]) -> Option<String> {
    start
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
}

/// The built-in number formats of ECMA-376 §18.8.30 that budget sheets use; the others
/// (fractions, locale-specific dates) fall back to General.
fn builtin_format(id: u32) -> &'static str {
    match id {
        1 => "0",
        2 => "0.00",
        3 => "#,##0",
        4 => "#,##0.00",
        9 => "0%",
        10 => "0.00%",
        14 => "yyyy-mm-dd",
        37 => "#,##0 ;(#,##0)",
        38 => "#,##0 ;[Red](#,##0)",
        39 => "#,##0.00;(#,##0.00)",
        40 => "#,##0.00;[Red](#,##0.00)",
        49 => "@",
        _ => "General",
    }
}

/// `xl/styles.xml` → the cell styles in `cellXfs` order. A missing or unreadable part gives no
/// styles: every cell is then General and unbordered.
pub fn cell_styles(xml: &[u8]) -> Vec<CellStyle> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut custom: HashMap<u32, String> = HashMap::new();
    let mut borders: Vec<bool> = Vec::new();
    let mut xfs: Vec<(u32, u32)> = Vec::new();
    let (mut in_borders, mut in_cell_xfs) = (false, false);
    loop {
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        match event {
            Event::Start(ref s) | Event::Empty(ref s) => {
                let empty = matches!(event, Event::Empty(_));
                match s.local_name().as_ref() {
                    b"numFmt" => {
                        let id = local_attr(s, b"numFmtId").and_then(|v| v.parse().ok());
                        if let (Some(id), Some(code)) = (id, local_attr(s, b"formatCode")) {
                            custom.insert(id, code);
                        }
                    }
                    b"borders" if !empty => in_borders = true,
                    b"border" if in_borders => borders.push(false),
                    b"left" | b"right" | b"top" | b"bottom" if in_borders => {
                        let drawn = local_attr(s, b"style").is_some_and(|v| v != "none");
                        if let Some(last) = borders.last_mut() {
                            *last |= drawn;
                        }
                    }
                    b"cellXfs" if !empty => in_cell_xfs = true,
                    b"xf" if in_cell_xfs => {
                        let number = |n: &[u8]| local_attr(s, n).and_then(|v| v.parse().ok()).unwrap_or(0);
                        xfs.push((number(b"numFmtId"), number(b"borderId")));
                    }
                    _ => {}
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                b"borders" => in_borders = false,
                b"cellXfs" => in_cell_xfs = false,
                _ => {}
            },
            _ => {}
        }
    }
    xfs.into_iter()
        .map(|(fmt, border)| CellStyle {
            format: custom.get(&fmt).cloned().unwrap_or_else(|| builtin_format(fmt).to_string()),
            bordered: borders.get(border as usize).copied().unwrap_or(false),
        })
        .collect()
}

/// `xl/workbook.xml` and its relationships → (sheet name, part path) in workbook order, and the
/// print-title rows per sheet name (0-based, inclusive) from `_xlnm.Print_Titles`.
pub struct WorkbookScan {
    pub sheet_paths: Vec<(String, String)>,
    pub print_titles: HashMap<String, (u32, u32)>,
}

pub fn workbook(workbook_xml: &[u8], rels_xml: &[u8]) -> WorkbookScan {
    let mut targets: HashMap<String, String> = HashMap::new();
    let mut reader = Reader::from_reader(rels_xml);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(ref s)) | Ok(Event::Empty(ref s)) if s.local_name().as_ref() == b"Relationship" => {
                if let (Some(id), Some(target)) = (local_attr(s, b"Id"), local_attr(s, b"Target")) {
                    targets.insert(id, target);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    let mut sheets: Vec<(String, String)> = Vec::new();
    let mut names_by_id: Vec<String> = Vec::new();
    let mut print_titles = HashMap::new();
    // A Print_Titles name being read: its sheet (by localSheetId) and its formula so far (quick-xml
    // hands text over in pieces around entity references).
    let mut pending_title: Option<(Option<usize>, String)> = None;
    let mut reader = Reader::from_reader(workbook_xml);
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(ref s)) | Ok(Event::Empty(ref s)) => match s.local_name().as_ref() {
                b"sheet" => {
                    let name = local_attr(s, b"name").unwrap_or_default();
                    names_by_id.push(name.clone());
                    if let Some(target) = local_attr(s, b"id").and_then(|id| targets.get(&id)) {
                        sheets.push((name, part_path(target)));
                    }
                }
                b"definedName" if local_attr(s, b"name").as_deref() == Some("_xlnm.Print_Titles") => {
                    let sheet_id = local_attr(s, b"localSheetId").and_then(|v| v.parse().ok());
                    pending_title = Some((sheet_id, String::new()));
                }
                _ => {}
            },
            Ok(Event::Text(t)) => {
                if let Some((_, formula)) = pending_title.as_mut() {
                    formula.push_str(&t.decode().map(|c| c.into_owned()).unwrap_or_default());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some((_, formula)) = pending_title.as_mut() {
                    let name = r.decode().map(|c| c.into_owned()).unwrap_or_default();
                    formula.push_str(match name.as_str() {
                        "apos" => "'",
                        "quot" => "\"",
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        _ => "",
                    });
                }
            }
            Ok(Event::End(_)) => {
                if let Some((sheet_id, formula)) = pending_title.take() {
                    let sheet = sheet_id.and_then(|i| names_by_id.get(i).cloned());
                    if let Some((named, rows)) = parse_print_titles(&formula) {
                        if let Some(sheet) = sheet.or(named) {
                            print_titles.insert(sheet, rows);
                        }
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    WorkbookScan { sheet_paths: sheets, print_titles }
}

/// A relationship target relative to `xl/` ("worksheets/sheet1.xml") or absolute
/// ("/xl/worksheets/sheet1.xml") → the part's name in the zip.
fn part_path(target: &str) -> String {
    match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("xl/{}", target.trim_start_matches("./")),
    }
}

/// `'表 1'!$3:$4` (possibly followed by `,'表 1'!$A:$A` for print-title columns) → the sheet
/// name when given and the rows, 0-based inclusive.
fn parse_print_titles(formula: &str) -> Option<(Option<String>, (u32, u32))> {
    for piece in formula.split(',') {
        let (sheet, range) = match piece.rsplit_once('!') {
            Some((sheet, range)) => {
                let sheet = sheet.trim_matches('\'').replace("''", "'");
                (Some(sheet), range)
            }
            None => (None, piece),
        };
        let mut rows = range.split(':').map(|r| r.trim_start_matches('$').parse::<u32>());
        if let (Some(Ok(first)), Some(Ok(last))) = (rows.next(), rows.next()) {
            if first >= 1 && last >= first {
                return Some((sheet, (first - 1, last - 1)));
            }
        }
    }
    None
}

/// Excel's sheet size: 1 048 576 rows × 16 384 columns (XFD).
const MAX_ROW: u64 = 1_048_576;
const MAX_COL: u64 = 16_384;

/// One side of a reference as calamine parses it: optional column letters, optional row digits,
/// within the sheet (short enough never to overflow calamine's u32 arithmetic) → (row, col),
/// 1-based, 0 where the part is missing.
fn reference_in_sheet(part: &str) -> Option<(u64, u64)> {
    let letters = part.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = &part[letters..];
    if letters > 3 || digits.len() > 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let col = part[..letters].bytes().fold(0u64, |acc, b| acc * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1));
    let row: u64 = if digits.is_empty() { 0 } else { digits.parse().ok().filter(|r| *r >= 1)? };
    (col <= MAX_COL && row <= MAX_ROW).then_some((row, col))
}

/// A cell or range reference calamine can read without overflowing: each side in the sheet, and
/// a range not reversed (calamine subtracts its start from its end unchecked).
fn reference_is_sound(value: &str) -> bool {
    let sides: Vec<Option<(u64, u64)>> = value.split(':').map(reference_in_sheet).collect();
    match sides.as_slice() {
        [Some(_)] => true,
        [Some((r0, c0)), Some((r1, c1))] => r1 >= r0 && c1 >= c0,
        _ => false,
    }
}

/// Checks what calamine trusts without checking, before it reads a part:
/// - every cell, row, merge and dimension reference: calamine accumulates them in u32 unchecked
///   (a reference like "A99999999999" overflows: a panic in debug builds, a wrong position in
///   release) and subtracts a range's start from its end unchecked;
/// - the shared-string table's `uniqueCount`: calamine reserves that many strings up front, so a
///   20-byte attribute could ask for terabytes and abort the process. It must not exceed twice
///   the strings the part holds (plus slack for writers that count loosely).
///
/// Either is damage, so `truncated`.
pub fn check_for_calamine(part: &str, xml: &[u8]) -> Result<(), crate::error::ExtractError> {
    let damaged = |what: String| crate::error::ExtractError::Truncated(format!("{part}: {what}"));
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut declared_strings: Option<u64> = None;
    let mut strings: u64 = 0;
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(ref s)) | Ok(Event::Empty(ref s)) => {
                let local = s.local_name();
                let (attr, is_row) = match local.as_ref() {
                    b"c" => (b"r".as_slice(), false),
                    b"row" => (b"r".as_slice(), true),
                    b"mergeCell" | b"dimension" => (b"ref".as_slice(), false),
                    b"sst" => {
                        // What calamine parses (atoi of the raw value); anything it cannot parse
                        // it ignores.
                        declared_strings = local_attr(s, b"uniqueCount").and_then(|v| v.trim().parse().ok());
                        continue;
                    }
                    b"si" => {
                        strings += 1;
                        continue;
                    }
                    _ => continue,
                };
                let Some(value) = local_attr(s, attr) else { continue };
                let valid = if is_row {
                    value.parse::<u64>().is_ok_and(|r| (1..=MAX_ROW).contains(&r))
                } else {
                    reference_is_sound(&value)
                };
                if !valid {
                    let shown: String = value.chars().take(40).collect();
                    return Err(damaged(format!("the reference \"{shown}\" is outside the sheet")));
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    match declared_strings {
        Some(declared) if declared > strings.saturating_mul(2) + 1024 => {
            Err(damaged(format!("declares {declared} shared strings and holds {strings}")))
        }
        _ => Ok(()),
    }
}

/// "BC12" → (row 11, col 54). None for anything else.
fn cell_ref(r: &str) -> Option<(u32, u32)> {
    let letters = r.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let col = r[..letters].bytes().fold(0u32, |acc, b| acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1));
    let row: u32 = r[letters..].parse().ok()?;
    (row >= 1).then(|| (row - 1, col - 1))
}

/// One worksheet part → the style of every cell that has one, and the count of formulas. Cells
/// and rows without an `r` attribute follow the previous one, as calamine places them.
pub fn sheet(xml: &[u8]) -> SheetScan {
    let mut scan = SheetScan::default();
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let (mut row, mut col): (Option<u32>, Option<u32>) = (None, None);
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(ref s)) | Ok(Event::Empty(ref s)) => match s.local_name().as_ref() {
                b"row" => {
                    row = match local_attr(s, b"r").and_then(|v| v.parse::<u32>().ok()) {
                        Some(r) if r >= 1 => Some(r - 1),
                        _ => Some(row.map_or(0, |r| r + 1)),
                    };
                    col = None;
                }
                b"c" => {
                    let position = match local_attr(s, b"r").as_deref().and_then(cell_ref) {
                        Some(p) => p,
                        None => (row.unwrap_or(0), col.map_or(0, |c| c + 1)),
                    };
                    col = Some(position.1);
                    if let Some(style) = local_attr(s, b"s").and_then(|v| v.parse().ok()) {
                        scan.styles.insert(position, style);
                    }
                }
                b"f" => scan.formulas += 1,
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    scan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cell_refs_print_titles_and_styles() {
        assert_eq!(cell_ref("A1"), Some((0, 0)));
        assert_eq!(cell_ref("BC12"), Some((11, 54)));
        assert_eq!(cell_ref("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_ref("1A"), None);
        assert_eq!(reference_in_sheet("XFD1048576"), Some((1_048_576, 16_384)));
        assert!(reference_is_sound("A1:C4") && reference_is_sound("B7") && reference_is_sound("A:C"));
        for bad in ["A99999999999", "XFE1", "A0", "ABCD1", "A1B", "A1048577", "B2:A1", "A3:C1", "A1:B2:C3"] {
            assert!(!reference_is_sound(bad), "{bad}");
        }
        let bad = br#"<worksheet><mergeCells><mergeCell ref="A1:B99999999999"/></mergeCells></worksheet>"#;
        assert_eq!(check_for_calamine("s", bad).unwrap_err().code(), "truncated");
        let good = br#"<worksheet><dimension ref="A1:C4"/><sheetData><row r="2"><c r="B2"/></row></sheetData></worksheet>"#;
        assert!(check_for_calamine("s", good).is_ok());
        let reserve_bomb = br#"<sst uniqueCount="999999999999"><si><t>a</t></si></sst>"#;
        assert_eq!(check_for_calamine("s", reserve_bomb).unwrap_err().code(), "truncated");
        assert!(check_for_calamine("s", br#"<sst count="3" uniqueCount="2"><si><t>a</t></si><si><t>b</t></si></sst>"#).is_ok());
        assert_eq!(parse_print_titles("'表 1'!$3:$4"), Some((Some("表 1".into()), (2, 3))));
        assert_eq!(parse_print_titles("Sheet1!$A:$A,Sheet1!$1:$2"), Some((Some("Sheet1".into()), (0, 1))));
        let styles = br##"<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00_ "/></numFmts>
            <borders count="2"><border><left/><right/></border><border><left style="thin"/></border></borders>
            <cellXfs count="3"><xf numFmtId="0" borderId="0"/><xf numFmtId="164" borderId="1"/><xf numFmtId="4"/></cellXfs></styleSheet>"##;
        let got = cell_styles(styles);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], CellStyle { format: "General".into(), bordered: false });
        assert_eq!(got[1], CellStyle { format: "#,##0.00_ ".into(), bordered: true });
        assert_eq!(got[2], CellStyle { format: "#,##0.00".into(), bordered: false });
        let scan = sheet(br#"<worksheet><sheetData><row r="2"><c r="B2" s="1"><f>A1*2</f><v>4</v></c><c s="2"/></row></sheetData></worksheet>"#);
        assert_eq!(scan.styles.get(&(1, 1)), Some(&1));
        assert_eq!(scan.styles.get(&(1, 2)), Some(&2));
        assert_eq!(scan.formulas, 1);
    }
}
