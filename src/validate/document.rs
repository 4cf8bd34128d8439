//! Document-level review checks: the 目录 against the tables printed, empty tables against their
//! notes, the 情况说明 prose against itself and against the tables. What a reviewer of a
//! 预算/决算公开 checks beyond the arithmetic of one table (codes in schemas/README.md).
//!
//! The prose comes from the extraction's free text ([`TextBlock`]s, PDF only). A finding is raised
//! only where both sides were read: a figure not found, a table not recognised, says nothing.

use std::sync::OnceLock;

use regex::Regex;
use rust_decimal::Decimal;

use crate::interpret::values::{canon, factor_of, find_unit, parse_number, squash};
use crate::model::{Cell, Table, TextBlock, Warning};

pub fn check_document(tables: &[Table], text: &[TextBlock]) -> Vec<Warning> {
    let mut out = Vec::new();
    if text.is_empty() {
        return out;
    }
    out.extend(check_contents(tables, text));
    let prose = Prose::of(text);
    out.extend(check_empty_tables(tables, text, &prose));
    out.extend(check_growth(&prose));
    out.extend(check_three_public(&prose, tables));
    out.extend(check_basic_split(&prose));
    out
}

pub(crate) fn finding(code: &str, message: String, pages: Vec<u32>) -> Warning {
    let mut w = Warning::new(code, message);
    w.text_pages = pages;
    w
}

// ---------------------------------------------------------------------------------------------
// 1. Tables present: every table the 目录 lists is printed, once.

/// A 目录 entry or a heading in comparable form: numbering ("1．", "九、"), dot leaders and the
/// page number, the year, quotes and whitespace removed.
fn title_key(text: &str) -> String {
    static NUMBERING: OnceLock<Regex> = OnceLock::new();
    static TAIL: OnceLock<Regex> = OnceLock::new();
    static YEAR: OnceLock<Regex> = OnceLock::new();
    let t = canon(text).replace(['"', '‘', '’', '\'', '「', '」'], "");
    let numbering = NUMBERING.get_or_init(|| Regex::new(r"^[(]?[0-9一二三四五六七八九十]+[.、)]").unwrap());
    let t = numbering.replace(&t, "");
    let tail = TAIL.get_or_init(|| Regex::new(r"[….·•\-—_0-9]+$").unwrap());
    let t = tail.replace(&t, "");
    let year = YEAR.get_or_init(|| Regex::new(r"[0-9]{4}年度?").unwrap());
    let t = year.replace_all(&t, "");
    // "财政拨款基本支出预算表（经济科目）": the qualifier after the title is not part of it.
    let t = t.strip_suffix(')').and_then(|x| x.rfind('(').map(|i| &x[..i])).unwrap_or(&t);
    t.to_string()
}

/// The pages of the 目录 and the table titles it lists (the entries that end in 表), in order.
/// When the 目录 numbers tables with Arabic numerals under a Chinese-numbered part ("五、部门预算表"
/// then "1. …表"), only the numbered tables are tables: the part heading is not one.
fn contents(text: &[TextBlock]) -> Option<(u32, Vec<String>)> {
    let start = text.iter().position(|b| squash(&b.text) == "目录")?;
    let page = text[start].page;
    let entries: Vec<&TextBlock> = text[start + 1..].iter().take_while(|b| b.page == page).collect();
    let arabic = |t: &str| canon(t).starts_with(|c: char| c.is_ascii_digit());
    let any_arabic = entries.iter().any(|b| arabic(&b.text) && title_key(&b.text).ends_with('表'));
    let listed: Vec<String> = entries
        .iter()
        .filter(|b| !any_arabic || arabic(&b.text))
        .map(|b| title_key(&b.text))
        // "第二部分 部门预算表" names a part of the document, not a table.
        .filter(|k| k.ends_with('表') && k.chars().count() >= 4 && !(k.starts_with('第') && k.contains("部分")))
        .collect();
    (!listed.is_empty()).then_some((page, listed))
}

/// Does a printed heading name the listed table? Publishers shorten or lengthen titles between the
/// 目录 and the page ("政府采购支出预算表" listed, "政府采购预算表" printed; "政府性基金财政拨款支出预算表"
/// listed, "…政府性基金预算财政拨款支出预算表" printed): one must read as the other with words left
/// out, and the shorter keep most of the longer.
fn names_table(heading: &str, listed: &str) -> bool {
    if !heading.ends_with('表') {
        return false;
    }
    let l = listed.chars().count();
    if is_subsequence(listed, heading) {
        return true;
    }
    // The heading may carry the agency before the title ("江苏省高级人民法院部门政府采购预算表",
    // "公开10表:政府性基金支出预算表"): its longest tail that reads into the listed title.
    let chars: Vec<char> = heading.chars().collect();
    let tail = (1..=chars.len())
        .take_while(|&n| is_subsequence(&chars[chars.len() - n..].iter().collect::<String>(), listed))
        .last()
        .unwrap_or(0);
    tail * 10 >= l * 7
}

fn is_subsequence(short: &str, long: &str) -> bool {
    let mut rest = long.chars();
    short.chars().all(|c| rest.any(|d| d == c))
}

fn check_contents(tables: &[Table], text: &[TextBlock]) -> Vec<Warning> {
    let Some((toc_page, listed)) = contents(text) else { return Vec::new() };
    let body: Vec<(&TextBlock, String)> = text.iter().filter(|b| b.page != toc_page).map(|b| (b, title_key(&b.text))).collect();
    let table_keys: Vec<String> = tables
        .iter()
        .flat_map(|t| t.title.iter().chain(t.context.iter()))
        .map(|x| title_key(x))
        .collect();
    let as_table = |key: &str| table_keys.iter().any(|k| names_table(k, key));
    // A 情况说明 published apart from its tables (Jiangsu prints 第二部分 部门预算表 as its own
    // file) lists tables none of which it holds: that is the publication's layout, not a defect.
    if !listed.iter().any(|k| as_table(k)) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for key in &listed {
        // Present: read as a table, or its title printed as a heading outside the 目录 (an empty
        // table may print a heading and no grid).
        if !as_table(key) && !body.iter().any(|(_, k)| names_table(k, key)) {
            out.push(finding(
                "toc_table_missing",
                format!("the 目录 (page {toc_page}) lists \"{key}\" but no page of the document prints that table"),
                vec![toc_page],
            ));
        }
    }
    // Present twice: the exact heading in two runs of pages with another listed table between
    // them (a table continued over pages may repeat its heading; that is one run).
    let mut runs: Vec<(usize, Vec<u32>)> = Vec::new();
    for (b, k) in &body {
        let Some(i) = listed.iter().position(|l| l == k) else { continue };
        match runs.last_mut() {
            Some((last, pages)) if *last == i => pages.push(b.page),
            _ => runs.push((i, vec![b.page])),
        }
    }
    for (i, key) in listed.iter().enumerate() {
        let mine: Vec<&(usize, Vec<u32>)> = runs.iter().filter(|(j, _)| *j == i).collect();
        if mine.len() > 1 {
            let pages: Vec<u32> = mine.iter().map(|(_, p)| p[0]).collect();
            out.push(finding(
                "toc_table_duplicate",
                format!("\"{key}\" (listed once in the 目录, page {toc_page}) is printed as a table heading on pages {pages:?}"),
                pages,
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 2. Empty tables carry a note.

/// What a note on an empty table says: "本单位无政府性基金预算", "此表为空", "不涉及".
fn is_empty_note(text: &str) -> bool {
    let t = squash(text);
    ["无", "为空", "空表", "不涉及", "未安排", "没有"].iter().any(|m| t.contains(m))
}

/// A financial table (amount unit printed, a 合计/总计 label) with no figure other than zero.
fn is_empty_financial(table: &Table) -> bool {
    let unit = table.context.iter().find_map(|c| find_unit(c)).is_some()
        || table.cells.iter().any(|c| find_unit(&c.text).is_some());
    let has_total = table.cells.iter().any(|c| {
        let t = squash(&c.text);
        t == "合计" || t == "总计"
    });
    let figures = table.cells.iter().filter(|c| c.row >= table.header_rows).filter_map(|c| parse_number(&c.text));
    unit && has_total && table.n_rows > table.header_rows && figures.into_iter().all(|v| v.is_zero())
}

/// What an empty table is about, for finding its note in the prose.
const SUBJECTS: &[&str] = &["政府性基金", "国有资本经营", "三公", "机关运行经费", "政府采购", "上年结转", "专户"];

/// Does a sentence of the prose say the table's subject has nothing ("本部门无政府性基金预算",
/// "政府性基金支出预算支出0万元")?
fn prose_explains(prose: &Prose, table: &Table) -> bool {
    let title = squash(table.title.as_deref().unwrap_or(""));
    let Some(subject) = SUBJECTS.iter().find(|s| title.contains(*s)) else { return false };
    static ZERO: OnceLock<Regex> = OnceLock::new();
    let zero = ZERO.get_or_init(|| Regex::new(r"(^|[^0-9.,])0(\.0+)?万?元").unwrap());
    prose
        .text
        .split(['。', '；', ';'])
        .filter(|sentence| sentence.contains(subject))
        .any(|sentence| is_empty_note(sentence) || zero.is_match(sentence))
}

fn check_empty_tables(tables: &[Table], text: &[TextBlock], prose: &Prose) -> Vec<Warning> {
    let mut out = Vec::new();
    for table in tables.iter().filter(|t| is_empty_financial(t)) {
        let in_table = table.cells.iter().any(|c| is_empty_note(&c.text)) || table.context.iter().any(|c| is_empty_note(c));
        // A note under the table may run onto the next page.
        let last = table.pages.iter().max().copied().unwrap_or(0);
        let near = text.iter().filter(|b| table.pages.contains(&b.page) || b.page == last + 1).any(|b| is_empty_note(&b.text));
        if !in_table && !near && !prose_explains(prose, table) {
            let title = table.title.clone().unwrap_or_else(|| format!("table {}", table.index));
            out.push(
                finding(
                    "empty_table_unexplained",
                    format!("\"{title}\" prints no figure and no note says why (本单位无…, 此表为空) on the table or its page"),
                    table.pages.clone(),
                )
                .at(table.index, None),
            );
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The prose: free text joined into one string, with the page of every character.

pub(crate) struct Prose {
    pub(crate) text: String,
    /// (byte offset where a block starts, its page), ascending.
    starts: Vec<(usize, u32)>,
    /// Byte offsets where a heading or a numbered paragraph starts ("一、…", "（二）…", "3．…"): a
    /// quoted sentence does not run across them.
    breaks: Vec<usize>,
}

impl Prose {
    pub(crate) fn of(blocks: &[TextBlock]) -> Prose {
        let mut text = String::new();
        let mut starts = Vec::new();
        let mut breaks = Vec::new();
        static NUMBERED: OnceLock<Regex> = OnceLock::new();
        let numbered = NUMBERED.get_or_init(|| Regex::new(r"^(?:[（(][一二三四五六七八九十0-9]+[)）]|[一二三四五六七八九十]+、|[0-9]+[.．、])").unwrap());
        let mut previous_heading = false;
        for b in blocks.iter().filter(|b| !is_page_number(&b.text)) {
            let t = squash(&b.text);
            // A heading: short, no sentence punctuation, and a heading's words (a wrapped line of
            // prose may be short and unpunctuated too).
            let heading = !t.contains(['。', '；', '，', ','])
                && t.chars().count() <= 40
                && (["说明", "情况", "概况", "表", "目录", "职能", "设置", "解释"].iter().any(|w| t.ends_with(w)) || t.contains("部分"));
            if numbered.is_match(&t) || heading || previous_heading {
                breaks.push(text.len());
            }
            previous_heading = heading;
            starts.push((text.len(), b.page));
            text.push_str(&squash(&b.text));
        }
        Prose { text, starts, breaks }
    }

    pub(crate) fn page_at(&self, offset: usize) -> u32 {
        match self.starts.binary_search_by_key(&offset, |s| s.0) {
            Ok(i) => self.starts[i].1,
            Err(i) => self.starts[i.saturating_sub(1)].1,
        }
    }

    pub(crate) fn pages(&self, from: usize, to: usize) -> Vec<u32> {
        let mut pages = vec![self.page_at(from), self.page_at(to.saturating_sub(1).max(from))];
        pages.dedup();
        pages
    }

    /// The finding with the sentence around the byte range quoted (`Warning::quote`).
    pub(crate) fn quoted(&self, from: usize, to: usize, mut w: Warning) -> Warning {
        w.quote = Some(self.sentence(from, to).to_string());
        w
    }

    /// Does a heading or a numbered paragraph start at this byte offset?
    pub(crate) fn opens_paragraph(&self, offset: usize) -> bool {
        self.breaks.binary_search(&offset).is_ok()
    }

    /// The sentence (up to 。；) around a byte range, for messages.
    pub(crate) fn sentence(&self, from: usize, to: usize) -> &str {
        let ends = |c: char| matches!(c, '。' | '；' | ';');
        let start = self.text[..from].char_indices().rev().find(|&(_, c)| ends(c)).map(|(i, c)| i + c.len_utf8()).unwrap_or(0);
        let start = self.breaks.iter().copied().filter(|&b| b <= from).max().unwrap_or(0).max(start);
        let end = self.text[to..].find(ends).map(|i| to + i).unwrap_or(self.text.len());
        let end = self.breaks.iter().copied().filter(|&b| b >= to).min().unwrap_or(end).min(end);
        &self.text[start..end]
    }
}

/// A page's folio ("27", "- 13 -", "第3页"): joined into the prose it would glue a digit onto the
/// figure that runs over the page break.
fn is_page_number(text: &str) -> bool {
    let t = canon(text);
    let t = t.trim_matches(|c: char| matches!(c, '-' | '—' | '–' | '第' | '页' | '·'));
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
}

/// A printed amount: its value and its precision (the half-step of its last printed digit).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Printed {
    pub(crate) value: Decimal,
    pub(crate) half_step: Decimal,
}

pub(crate) fn printed(text: &str) -> Option<Printed> {
    let t = canon(text);
    let value = parse_number(&t)?;
    let decimals = t.split_once('.').map(|(_, f)| f.len() as u32).unwrap_or(0);
    Some(Printed { value, half_step: Decimal::new(5, decimals + 1) })
}

pub(crate) const NUM: &str = r"[0-9][0-9,，]*(?:\.[0-9]+)?";

// ---------------------------------------------------------------------------------------------
// 3a. "X万元，与上年相比增加 Y 万元，增长 Z%": the rate against the two amounts stated.

fn check_growth(prose: &Prose) -> Vec<Warning> {
    static GROWTH: OnceLock<Regex> = OnceLock::new();
    let re = GROWTH.get_or_init(|| {
        Regex::new(&format!(
            r"(?P<x>{NUM})万元[，,。；]?(?:与上年(?:预算数?|决算数?)?相比|比上年(?:预算数?|决算数?)?|较上年(?:预算数?|决算数?)?)[^。；%％万]{{0,14}}?(?P<dir>增加|减少)(?P<y>{NUM})万元[，,]?(?P<word>增长|下降|减少|增加)(?P<z>{NUM})[%％]"
        ))
        .unwrap()
    });
    let mut out = Vec::new();
    for c in re.captures_iter(&prose.text) {
        let (Some(x), Some(y), Some(z)) = (printed(&c["x"]), printed(&c["y"]), printed(&c["z"])) else { continue };
        let up = &c["dir"] == "增加";
        let whole = c.get(0).unwrap();
        let pages = prose.pages(whole.start(), whole.end());
        let rate_up = matches!(&c["word"], "增长" | "增加");
        if rate_up != up {
            out.push(prose.quoted(
                whole.start(),
                whole.end(),
                finding(
                    "text_growth_mismatch",
                    format!("\"{}\": the amount is said to {} but the rate to {}", whole.as_str(), &c["dir"], &c["word"]),
                    pages,
                ),
            ));
            continue;
        }
        // Last year = this year ∓ the change; the rate's interval from the amounts' precision.
        let prev = if up { x.value - y.value } else { x.value + y.value };
        let prev_slack = x.half_step + y.half_step;
        if prev - prev_slack <= Decimal::ZERO {
            continue;
        }
        let hundred = Decimal::ONE_HUNDRED;
        let low = (y.value - y.half_step) / (prev + prev_slack) * hundred;
        let high = (y.value + y.half_step) / (prev - prev_slack) * hundred;
        // One unit of the rate's last digit more than rounding allows: publishers round the rate
        // from unrounded amounts, or truncate it.
        let slack = z.half_step * Decimal::from(3);
        if z.value + slack < low || z.value - slack > high {
            let expected = (y.value / prev * hundred).round_dp(2);
            let message = format!(
                "\"{}\": {} 万元 against last year's {} 万元 is {expected}%, not {}%",
                whole.as_str(),
                y.value,
                prev,
                z.value
            );
            out.push(prose.quoted(whole.start(), whole.end(), finding("text_growth_mismatch", message, pages)));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 4. 基本支出 = 人员经费 + 公用经费, as one passage of the prose states the three.

fn check_basic_split(prose: &Prose) -> Vec<Warning> {
    static BASIC: OnceLock<Regex> = OnceLock::new();
    static PART: OnceLock<Regex> = OnceLock::new();
    let basic = BASIC.get_or_init(|| Regex::new(&format!(r"基本支出(?:预算数|决算数|预算|决算)?(?:为|是)?(?P<n>{NUM})万元[,，。；:：]?其中")).unwrap());
    let part = PART.get_or_init(|| Regex::new(&format!(r"(?P<label>人员经费|公用经费)(?:支出)?(?:预算数|决算数|预算|决算)?(?:为|是)?(?P<n>{NUM})万元")).unwrap());
    let mut out = Vec::new();
    for c in basic.captures_iter(&prose.text) {
        let Some(total) = printed(&c["n"]) else { continue };
        let whole = c.get(0).unwrap();
        // The two parts follow "其中" before the next sentence about anything else: within the
        // next 600 bytes (two short paragraphs), each the first of its kind.
        let end = (whole.end() + 600).min(prose.text.len());
        let end = (end..=prose.text.len()).find(|&i| prose.text.is_char_boundary(i)).unwrap_or(prose.text.len());
        let window = &prose.text[whole.end()..end];
        let first = |label: &str| {
            part.captures_iter(window).find(|p| &p["label"] == label).and_then(|p| {
                let at = p.get(0).unwrap();
                printed(&p["n"]).map(|v| (v, whole.end() + at.end()))
            })
        };
        let (Some((staff, e1)), Some((office, e2))) = (first("人员经费"), first("公用经费")) else { continue };
        let slack = total.half_step + staff.half_step + office.half_step;
        if (staff.value + office.value - total.value).abs() > slack {
            let message = format!(
                "the prose states 基本支出 {} 万元 but 人员经费 {} + 公用经费 {} = {} 万元",
                total.value,
                staff.value,
                office.value,
                staff.value + office.value
            );
            let end = e1.max(e2);
            out.push(prose.quoted(whole.start(), end, finding("text_sum_mismatch", message, prose.pages(whole.start(), end))));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 3b/4. 三公 in the prose: its total against its items, each item against the 三公 table.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Total,
    Abroad,
    Cars,
    CarPurchase,
    CarRunning,
    Reception,
    Running,
}

impl Item {
    fn name(self) -> &'static str {
        match self {
            Item::Total => "“三公”经费",
            Item::Abroad => "因公出国（境）费",
            Item::Cars => "公务用车购置及运行费",
            Item::CarPurchase => "公务用车购置费",
            Item::CarRunning => "公务用车运行费",
            Item::Reception => "公务接待费",
            Item::Running => "机关运行经费",
        }
    }

    /// Does a table cell's label name this item?
    fn labels(self, cell: &str) -> bool {
        let t = canon(cell).replace(['"', '“', '”'], "");
        match self {
            Item::Total => false,
            Item::Abroad => t.starts_with("因公出国(境)"),
            Item::Cars => t.starts_with("公务用车购置及运行"),
            Item::CarPurchase => t == "公务用车购置费" || t == "购置费",
            Item::CarRunning => t == "公务用车运行费" || t == "运行费" || t == "公务用车运行维护费" || t == "运行维护费",
            Item::Reception => t.starts_with("公务接待"),
            Item::Running => t.starts_with("机关运行经费"),
        }
    }
}

/// One figure the prose states: which item, its amount in 万元, where.
#[derive(Debug, Clone, Copy)]
struct Stated {
    item: Item,
    amount: Printed,
    start: usize,
    end: usize,
}

fn stated_items(prose: &Prose) -> Vec<Stated> {
    static ITEMS: OnceLock<Regex> = OnceLock::new();
    let re = ITEMS.get_or_init(|| {
        let filler = r"(?:预算数|决算数|预算支出|决算支出|支出预算|支出决算|预算|决算|支出|合计|总额)?(?:为|是)?";
        Regex::new(&format!(
            r#"(?P<label>[“"]三公[”"]经费|因公出国[（(]境[)）]费|公务用车购置及运行(?:维护)?费|公务用车购置费|公务用车运行(?:维护)?费|公务接待费|机关运行经费){filler}(?P<n>{NUM})万元"#
        ))
        .unwrap()
    });
    re.captures_iter(&prose.text)
        .filter_map(|c| {
            let label = &c["label"];
            let item = if label.contains("三公") {
                Item::Total
            } else if label.starts_with("因公出国") {
                Item::Abroad
            } else if label.starts_with("公务用车购置及运行") {
                Item::Cars
            } else if label == "公务用车购置费" {
                Item::CarPurchase
            } else if label.starts_with("公务用车运行") {
                Item::CarRunning
            } else if label == "公务接待费" {
                Item::Reception
            } else {
                Item::Running
            };
            let whole = c.get(0).unwrap();
            Some(Stated { item, amount: printed(&c["n"])?, start: whole.start(), end: whole.end() })
        })
        .collect()
}

fn check_three_public(prose: &Prose, tables: &[Table]) -> Vec<Warning> {
    let stated = stated_items(prose);
    let mut out = Vec::new();
    // The total and its items stated together: each total with the first of every item after it
    // and before the next total.
    for (i, total) in stated.iter().enumerate().filter(|(_, s)| s.item == Item::Total) {
        let group: Vec<&Stated> = stated[i + 1..].iter().take_while(|s| s.item != Item::Total).collect();
        let first = |item: Item| group.iter().find(|s| s.item == item).copied();
        let (Some(abroad), Some(cars), Some(reception)) = (first(Item::Abroad), first(Item::Cars), first(Item::Reception)) else {
            continue;
        };
        let sum = abroad.amount.value + cars.amount.value + reception.amount.value;
        let slack = total.amount.half_step + abroad.amount.half_step + cars.amount.half_step + reception.amount.half_step;
        if (sum - total.amount.value).abs() > slack {
            let end = reception.end.max(cars.end).max(abroad.end);
            let message = format!(
                "the prose states “三公”经费 {} 万元 but its items 因公出国（境）费 {} + 公务用车购置及运行费 {} + 公务接待费 {} = {} 万元",
                total.amount.value, abroad.amount.value, cars.amount.value, reception.amount.value, sum
            );
            out.push(prose.quoted(total.start, end, finding("text_sum_mismatch", message, prose.pages(total.start, end))));
        }
        if let (Some(purchase), Some(running)) = (first(Item::CarPurchase), first(Item::CarRunning)) {
            let parts = purchase.amount.value + running.amount.value;
            let slack = cars.amount.half_step + purchase.amount.half_step + running.amount.half_step;
            if (parts - cars.amount.value).abs() > slack {
                let message = format!(
                    "the prose states 公务用车购置及运行费 {} 万元 but 购置费 {} + 运行费 {} = {} 万元",
                    cars.amount.value, purchase.amount.value, running.amount.value, parts
                );
                let end = running.end.max(purchase.end);
                out.push(prose.quoted(cars.start, end, finding("text_sum_mismatch", message, prose.pages(cars.start, end))));
            }
        }
    }
    // Each item against the 三公 table: the first figure the prose states for it (later ones are
    // last year's or a comparison's).
    let Some(table) = tables.iter().find(|t| t.title.as_deref().is_some_and(|x| x.contains("三公"))) else { return out };
    let factor = table
        .context
        .iter()
        .find_map(|c| find_unit(c))
        .or_else(|| table.cells.iter().find_map(|c| find_unit(&c.text)))
        .map(|u| factor_of(Some(&u)));
    // A 三公 table printing no figure at all while the prose states one above 0 (三公 0.95 万元 in
    // the text, a blank table): the table is the defect, not one figure of it.
    let blank = !table.cells.iter().any(|c| c.row >= table.header_rows && parse_number(&c.text).is_some());
    if blank {
        if let Some(s) = stated.iter().find(|s| s.item != Item::Running && !s.amount.value.is_zero()) {
            out.push(
                finding(
                    "empty_table_stated_nonzero",
                    format!(
                        "\"{}\" prints no figure but the prose states {} {} 万元 (\"{}\")",
                        table.title.as_deref().unwrap_or(""),
                        s.item.name(),
                        s.amount.value,
                        prose.sentence(s.start, s.end)
                    ),
                    prose.pages(s.start, s.end),
                )
                .at(table.index, None),
            );
        }
        return out;
    }
    let Some(factor) = factor else { return out };
    let wan = Decimal::from(10_000);
    for item in [Item::Abroad, Item::Cars, Item::CarPurchase, Item::CarRunning, Item::Reception, Item::Running] {
        let Some(s) = stated.iter().find(|s| s.item == item) else { continue };
        let figures = table_figures(table, item);
        let agrees = |value: Decimal| (value * factor / wan - s.amount.value).abs() <= s.amount.half_step;
        let Some(&(cell, _)) = figures.first() else { continue };
        if !figures.iter().any(|&(_, v)| agrees(v)) {
            let meaning = if factor == wan { String::new() } else { format!(" (= {} 万元)", (figures[0].1 * factor / wan).round_dp(4).normalize()) };
            out.push(super::prose::table_mismatch(
                prose,
                (s.start, s.end),
                item.name(),
                &format!("{} 万元", s.amount.value),
                table,
                cell,
                &meaning,
            ));
        }
    }
    out
}

/// The figures a table prints for an item: under each cell naming it (a header naming a column; the
/// first row below with a number), or right of it (a label in a row). A 决算 table names each item
/// twice, under 预算数 and under 决算数.
fn table_figures(table: &Table, item: Item) -> Vec<(&Cell, Decimal)> {
    table
        .cells
        .iter()
        .filter(|c| item.labels(&c.text))
        .flat_map(|label| {
            // Every column under the label (预算数 and 决算数 under one 公务接待费), in the first
            // row below that prints a number there.
            let below: Vec<(&Cell, Decimal)> = (label.row + label.row_span..table.n_rows)
                .map(|r| {
                    table
                        .cells
                        .iter()
                        .filter(|c| c.row == r && c.col >= label.col && c.col < label.col + label.col_span)
                        .filter_map(|c| parse_number(&c.text).map(|v| (c, v)))
                        .collect::<Vec<_>>()
                })
                .find(|found| !found.is_empty())
                .unwrap_or_default();
            if !below.is_empty() {
                return below;
            }
            let mut right: Vec<_> = table.cells.iter().filter(|c| c.row == label.row && c.col > label.col).collect();
            right.sort_by_key(|c| c.col);
            right.iter().find_map(|c| parse_number(&c.text).map(|v| (*c, v))).into_iter().collect()
        })
        .collect()
}
