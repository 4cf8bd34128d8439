//! The generator's own model of a document: blocks of paragraphs and tables, each table a grid of
//! cells with spans. Every renderer (DOCX, HTML) draws from it and the ground truth is read from it,
//! never from an extractor.

use std::str::FromStr;

use rust_decimal::Decimal;

/// How a table's rules are drawn.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Border {
    /// Every cell boxed.
    Grid,
    /// Open table: a rule above, a rule under the header, a rule at the bottom; no verticals.
    ThreeLine,
    /// Any other choice of rules, edge by edge (borderless, three-line forms, rules only between
    /// column groups, a continuation drawn without its top rule).
    Ruled(Rules),
}

/// Which edges of a `Border::Ruled` table are drawn. Top and bottom are the table's outer edges
/// (1.5 pt when `thick`, else 0.5 pt), `rule_under` a 0.75 pt rule under that row (the header
/// rule), `groups` a 0.5 pt vertical rule at the left edge of every grid column whose bit is set.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Rules {
    pub top: bool,
    pub bottom: bool,
    pub thick: bool,
    pub sides: bool,
    pub inside_h: bool,
    pub inside_v: bool,
    pub rule_under: Option<usize>,
    pub groups: u64,
}

/// How an edge of a `Border::Ruled` table is drawn.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Line {
    Thin,
    Header,
    Thick,
}

impl Line {
    /// The pen width in points.
    pub fn pt(self) -> f32 {
        match self {
            Line::Thin => 0.5,
            Line::Header => 0.75,
            Line::Thick => 1.5,
        }
    }
}

impl Rules {
    fn outer(&self) -> Line {
        if self.thick {
            Line::Thick
        } else {
            Line::Thin
        }
    }
    /// The horizontal edge above row `r` (`r == n_rows`: the bottom edge).
    pub fn edge_h(&self, r: usize, n_rows: usize) -> Option<Line> {
        if r == 0 {
            self.top.then(|| self.outer())
        } else if r == n_rows {
            self.bottom.then(|| self.outer())
        } else if self.rule_under == Some(r - 1) {
            Some(Line::Header)
        } else {
            self.inside_h.then_some(Line::Thin)
        }
    }
    /// The vertical edge left of grid column `k` (`k == n_cols`: the right edge).
    pub fn edge_v(&self, k: usize, n_cols: usize) -> Option<Line> {
        if k == 0 || k == n_cols {
            self.sides.then_some(Line::Thin)
        } else {
            (self.inside_v || (k < 64 && self.groups & (1 << k) != 0)).then_some(Line::Thin)
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// One logical cell at its top-left grid slot. `text` holds the cell's paragraphs separated by '\n'.
#[derive(Clone, Debug)]
pub struct MCell {
    pub row: usize,
    pub col: usize,
    pub rs: usize,
    pub cs: usize,
    pub text: String,
    pub align: Align,
    pub bold: bool,
    /// Drawn in vertical writing (characters stacked top to bottom), as 001's 一级指标 labels.
    pub vertical: bool,
}

impl MCell {
    pub fn paragraphs(&self) -> Vec<&str> {
        if self.text.is_empty() {
            Vec::new()
        } else {
            self.text.split('\n').collect()
        }
    }
}

/// A cell as written in a row specification (HTML-style: slots covered by an earlier row's
/// row span are skipped automatically).
#[derive(Clone, Debug)]
pub struct S {
    pub text: String,
    pub rs: usize,
    pub cs: usize,
    pub align: Option<Align>,
    pub bold: bool,
    pub vertical: bool,
}

pub fn c(t: &str) -> S {
    S { text: t.to_string(), rs: 1, cs: 1, align: None, bold: false, vertical: false }
}
pub fn cs(t: &str, n: usize) -> S {
    S { cs: n, ..c(t) }
}
pub fn rs(t: &str, n: usize) -> S {
    S { rs: n, ..c(t) }
}
pub fn span(t: &str, r: usize, k: usize) -> S {
    S { rs: r, cs: k, ..c(t) }
}
impl S {
    pub fn l(mut self) -> S {
        self.align = Some(Align::Left);
        self
    }
    pub fn r(mut self) -> S {
        self.align = Some(Align::Right);
        self
    }
    pub fn b(mut self) -> S {
        self.bold = true;
        self
    }
    pub fn center(mut self) -> S {
        self.align = Some(Align::Center);
        self
    }
    pub fn v(mut self) -> S {
        self.vertical = true;
        self
    }
}

#[derive(Clone, Debug)]
pub struct TableModel {
    /// Relative widths of the grid columns.
    pub widths: Vec<f32>,
    pub cells: Vec<MCell>,
    pub n_rows: usize,
    pub header_rows: usize,
    /// The producer repeats the header rows at the top of every page the table continues on.
    pub repeat_header: bool,
    pub border: Border,
    pub font_pt: f32,
    /// Rows drawn without top/left/right rules (an agency line kept inside the table, as 002/003 do).
    pub borderless_rows: Vec<usize>,
    /// How the producers draw this logical table when it is not drawn as itself: these tables in
    /// order, each after a page break (a form whose continuation page has another column
    /// structure). The truth is always read from the logical table.
    pub drawn: Vec<TableModel>,
    occ: Vec<Vec<bool>>,
}

impl TableModel {
    pub fn new(widths: &[f32]) -> Self {
        TableModel {
            widths: widths.to_vec(),
            cells: Vec::new(),
            n_rows: 0,
            header_rows: 0,
            repeat_header: false,
            border: Border::Grid,
            font_pt: 9.0,
            borderless_rows: Vec::new(),
            drawn: Vec::new(),
            occ: Vec::new(),
        }
    }
    pub fn n_cols(&self) -> usize {
        self.widths.len()
    }
    pub fn header(mut self, n: usize, repeat: bool) -> Self {
        self.header_rows = n;
        self.repeat_header = repeat;
        self
    }
    pub fn font(mut self, pt: f32) -> Self {
        self.font_pt = pt;
        self
    }
    pub fn threeline(mut self) -> Self {
        self.border = Border::ThreeLine;
        self
    }

    /// Appends one row; returns its index. Panics on a row that does not fill the grid: that is
    /// a bug in the family's data, found at generation time.
    pub fn row(&mut self, specs: Vec<S>) -> usize {
        let r = self.n_rows;
        let n = self.n_cols();
        while self.occ.len() <= r {
            self.occ.push(vec![false; n]);
        }
        let mut col = 0;
        for s in specs {
            while col < n && self.occ[r][col] {
                col += 1;
            }
            assert!(col + s.cs <= n, "row {r}: cell {:?} overflows {n} columns", s.text);
            while self.occ.len() < r + s.rs {
                self.occ.push(vec![false; n]);
            }
            for rr in r..r + s.rs {
                for k in col..col + s.cs {
                    assert!(!self.occ[rr][k], "row {r}: slot ({rr},{k}) taken twice");
                    self.occ[rr][k] = true;
                }
            }
            let align = s.align.unwrap_or_else(|| default_align(&s.text));
            self.cells.push(MCell { row: r, col, rs: s.rs, cs: s.cs, text: s.text, align, bold: s.bold, vertical: s.vertical });
            col += s.cs;
        }
        assert!(self.occ[r].iter().all(|&b| b), "row {r} does not fill the grid: {:?}", self.occ[r]);
        self.n_rows += 1;
        r
    }

    /// Checks that no row span runs past the last row.
    pub fn finish(self) -> Self {
        assert!(self.occ.len() == self.n_rows, "a row span runs past the table's last row");
        self
    }

    pub fn cell_at(&self, r: usize, k: usize) -> Option<&MCell> {
        self.cells.iter().find(|c| r >= c.row && r < c.row + c.rs && k >= c.col && k < c.col + c.cs)
    }
}

fn default_align(t: &str) -> Align {
    let n = t.chars().count();
    if !t.is_empty() && t.chars().all(|ch| ch.is_ascii_digit() || ",.-%".contains(ch)) {
        Align::Right
    } else if n > 16 {
        Align::Left
    } else {
        Align::Center
    }
}

#[derive(Clone, Debug)]
pub enum Block {
    /// A centred document title.
    Title(String),
    /// A bold heading line.
    Heading(String),
    /// A body paragraph.
    Para(String),
    /// A right-aligned short line ("单位：万元").
    Right(String),
    Table(TableModel),
    PageBreak,
    /// Starts a new section in the given orientation (true = landscape).
    Section(bool),
}

/// What the truth warnings of a document are, pointing at a table by its position among tables.
#[derive(Clone, Debug)]
pub struct ExpectedWarning {
    pub code: &'static str,
    pub message: String,
    /// None for a finding about the document as a whole (a table missing from the 目录's list).
    pub table: Option<usize>,
    pub row: Option<usize>,
}

/// Which way a document's text is joined in its truth.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fmt {
    Docx,
    Pdf,
}

/// Builds the document's expected records for a format (text fields join like cells do).
pub type RecordFn = std::rc::Rc<dyn Fn(Fmt) -> Vec<yusuan::interpret::Record>>;

#[derive(Clone)]
pub struct DocModel {
    pub name: String,
    pub description: String,
    /// Orientation of the first section.
    pub landscape: bool,
    pub blocks: Vec<Block>,
    pub warnings: Vec<ExpectedWarning>,
    pub records: RecordFn,
    /// DOCX only: Word's bookmarks as the 002/003 sources carry them — `_Toc…` around every
    /// heading and `_GoBack` inside the cell (table, row, col) given here. They hold no text.
    pub docx_bookmarks: Option<(usize, usize, usize)>,
}

impl DocModel {
    pub fn tables(&self) -> Vec<&TableModel> {
        self.blocks.iter().filter_map(|b| if let Block::Table(t) = b { Some(t) } else { None }).collect()
    }
    /// Up to 4 non-empty paragraphs printed before each table (after the previous table).
    pub fn contexts(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        let mut pending: Vec<String> = Vec::new();
        for b in &self.blocks {
            match b {
                Block::Title(t) | Block::Heading(t) | Block::Para(t) | Block::Right(t) => {
                    let t = t.trim();
                    if !t.is_empty() {
                        pending.push(t.to_string());
                    }
                }
                Block::Table(_) => {
                    let start = pending.len().saturating_sub(4);
                    out.push(pending[start..].to_vec());
                    pending.clear();
                }
                _ => {}
            }
        }
        out
    }
}

/// A table title per schemas/README.md: the nearest context line ending in 表 or 表（…）.
pub fn title_of(context: &[String]) -> Option<String> {
    context.iter().rev().find(|t| looks_like_title(t)).cloned()
}

pub fn looks_like_title(t: &str) -> bool {
    let t = t.trim();
    if t.ends_with('表') {
        return true;
    }
    if let Some(i) = t.rfind('表') {
        let rest = &t[i + '表'.len_utf8()..];
        return (rest.starts_with('（') && rest.ends_with('）')) || (rest.starts_with('(') && rest.ends_with(')'));
    }
    false
}

/// Joins a cell's paragraphs the way the truth expects for the format (schemas/README.md):
/// DOCX "\n"; PDF no separator, except one space between two ASCII letters/digits.
pub fn join(text: &str, fmt: Fmt) -> String {
    let paras: Vec<&str> = text.split('\n').map(|p| p.trim()).collect();
    match fmt {
        Fmt::Docx => paras.join("\n").trim().to_string(),
        Fmt::Pdf => {
            let mut out = String::new();
            for p in paras {
                if p.is_empty() {
                    continue;
                }
                if let (Some(a), Some(b)) = (out.chars().last(), p.chars().next()) {
                    if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric() {
                        out.push(' ');
                    }
                }
                out.push_str(p);
            }
            out.trim().to_string()
        }
    }
}

/// Deterministic amounts: a small LCG, so every run draws the same documents.
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    /// An amount in hundredths (分 of 元, or of 万元) between lo and hi whole units.
    pub fn fen(&mut self, lo: u64, hi: u64) -> i64 {
        (lo * 100 + self.next() % ((hi - lo) * 100)) as i64
    }
}

/// An amount in hundredths printed with thousands separators: 123456780 → "1,234,567.80"; 0 → "".
pub fn thousands(hundredths: i64) -> String {
    if hundredths == 0 {
        return String::new();
    }
    let s = (hundredths / 100).to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{out}.{:02}", hundredths % 100)
}

/// A printed amount ("1,866.11", "80000.00", "0", "" or "-") in the printed unit → 元, 2 decimals.
pub fn amount(printed: &str, unit: &str) -> Option<Decimal> {
    let t: String = printed.chars().filter(|c| !c.is_whitespace() && *c != ',').collect();
    if t.is_empty() || t == "-" {
        return None;
    }
    let d = Decimal::from_str(&t).unwrap_or_else(|e| panic!("bad amount {printed:?}: {e}"));
    let mut y = match unit {
        "万元" => d * Decimal::from(10000),
        "元" => d,
        other => panic!("unknown unit {other}"),
    };
    y.rescale(2);
    Some(y)
}

/// "25.00%" → 25.00; "" → None.
pub fn percent(printed: &str) -> Option<Decimal> {
    let t: String = printed.chars().filter(|c| !c.is_whitespace() && *c != '%').collect();
    if t.is_empty() {
        return None;
    }
    Some(Decimal::from_str(&t).unwrap_or_else(|e| panic!("bad percent {printed:?}: {e}")))
}

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|e| panic!("bad decimal {s:?}: {e}"))
}

/// comparator, target, unit of an 指标值 per schemas/README.md, read from the value's first line.
pub fn parse_quantity(value: &str) -> (Option<String>, Option<Decimal>, Option<String>) {
    let first: String = value.split('\n').next().unwrap_or("").chars().filter(|c| !c.is_whitespace()).collect();
    let none = (None, None, None);
    let mut rest = first.as_str();
    let comps: [(&str, &str); 14] = [
        (">=", ">="),
        ("＞=", ">="),
        ("≥", ">="),
        ("≧", ">="),
        ("⩾", ">="),
        ("<=", "<="),
        ("＜=", "<="),
        ("≤", "<="),
        ("≦", "<="),
        ("⩽", "<="),
        (">", ">"),
        ("＞", ">"),
        ("<", "<"),
        ("＜", "<"),
    ];
    let mut comparator = None;
    for (p, norm) in comps {
        if let Some(r) = rest.strip_prefix(p) {
            comparator = Some(norm.to_string());
            rest = r;
            break;
        }
    }
    if comparator.is_none() {
        for p in ["=", "＝"] {
            if let Some(r) = rest.strip_prefix(p) {
                comparator = Some("=".to_string());
                rest = r;
                break;
            }
        }
    }
    let num_len = rest
        .char_indices()
        .take_while(|(_, ch)| ch.is_ascii_digit() || *ch == ',' || *ch == '.')
        .map(|(i, ch)| i + ch.len_utf8())
        .last()
        .unwrap_or(0);
    if num_len == 0 {
        return none;
    }
    let num = &rest[..num_len];
    let digits: String = num.chars().filter(|c| *c != ',').collect();
    if !digits.chars().next().is_some_and(|c| c.is_ascii_digit()) || digits.ends_with('.') {
        return none;
    }
    let Ok(target) = Decimal::from_str(&digits) else { return none };
    let mut unit = rest[num_len..].to_string();
    for (open, close) in [("(", ")"), ("（", "）")] {
        if unit.starts_with(open) && unit.ends_with(close) && unit.len() > open.len() + close.len() {
            unit = unit[open.len()..unit.len() - close.len()].to_string();
        }
    }
    let n = unit.chars().count();
    let unit = if unit.is_empty() {
        None
    } else if n <= 6 && !unit.chars().any(|c| c.is_ascii_digit() || ",，、;；。()（）".contains(c)) {
        Some(unit)
    } else {
        return none;
    };
    (comparator, Some(target), unit)
}

/// "2021年1月1日", "2021.1.1", "2021-1-1", "2021年1月" → YYYY-MM-DD (a bare month is the first day
/// for a start date, the last for an end date).
pub fn date(printed: &str, is_end: bool) -> Option<String> {
    let nums: Vec<u32> = printed
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    match nums.as_slice() {
        [y, m, d] => Some(format!("{y:04}-{m:02}-{d:02}")),
        [y, m] => {
            let d = if is_end {
                match m {
                    2 => 28,
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                }
            } else {
                1
            };
            Some(format!("{y:04}-{m:02}-{d:02}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("≥95百分比"), (Some(">=".into()), Some(dec("95")), Some("百分比".into())));
        assert_eq!(parse_quantity("＞6.00(次)"), (Some(">".into()), Some(dec("6.00")), Some("次".into())));
        assert_eq!(parse_quantity("100\n100%全部完成"), (None, Some(dec("100")), None));
        assert_eq!(parse_quantity("开展至少1次团体心理治疗"), (None, None, None));
    }
}
