//! Value parsing for budget tables: label normalisation, amounts (rust_decimal, units → 元),
//! percentages, comparators, indicator quantities and dates. Never floats: every number goes
//! from text straight into `Decimal`.

use std::str::FromStr;
use std::sync::OnceLock;

use regex::Regex;
use rust_decimal::Decimal;

/// The text with every whitespace character removed: what "the same text" means in these
/// documents, whose cells wrap and whose PDF text layer inserts spaces inside words.
pub fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A label in comparable form: whitespace removed and full-width ASCII forms folded to half-width
/// ("（万元）" → "(万元)", "：" → ":", "１" → "1"), so that synonyms written either way match.
pub fn canon(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '〔' | '【' => '[',
            '〕' | '】' => ']',
            '“' | '”' => '"',
            _ => c,
        })
        .collect()
}

/// The multiplier that turns an amount printed in `unit` into 元.
pub fn unit_factor(unit: &str) -> Option<Decimal> {
    match canon(unit).as_str() {
        "元" => Some(Decimal::ONE),
        "千元" => Some(Decimal::from(1_000)),
        "万元" => Some(Decimal::from(10_000)),
        "百万元" => Some(Decimal::from(1_000_000)),
        "亿元" => Some(Decimal::from(100_000_000)),
        _ => None,
    }
}

/// The multiplier for amounts printed under `unit`: 元 when the unit is not printed or not known.
pub fn factor_of(unit: Option<&str>) -> Decimal {
    unit.and_then(unit_factor).unwrap_or(Decimal::ONE)
}

/// The unit named in a "单位：万元" line or a header such as "资金总额(万元)" / "项目资金（元）".
pub fn find_unit(text: &str) -> Option<String> {
    static UNIT_LINE: OnceLock<Regex> = OnceLock::new();
    static UNIT_PAREN: OnceLock<Regex> = OnceLock::new();
    let t = canon(text);
    let line = UNIT_LINE.get_or_init(|| Regex::new(r"单位[:]?(亿元|百万元|千元|万元|元)").unwrap());
    if let Some(c) = line.captures(&t) {
        return Some(c[1].to_string());
    }
    let paren = UNIT_PAREN.get_or_init(|| Regex::new(r"\((亿元|百万元|千元|万元|元)\)").unwrap());
    paren.captures(&t).map(|c| c[1].to_string())
}

/// Parses a plain number as printed in a table: thousands separators (`,` `，`), whitespace inside
/// ("25 . 00"), a leading sign. `None` when the text is anything else.
pub fn parse_number(text: &str) -> Option<Decimal> {
    let printed = canon(text);
    if !thousands_groups_ok(&printed) {
        return None;
    }
    let t: String = printed.chars().filter(|&c| c != ',' && c != '，').collect();
    if t.is_empty() || !t.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    if !t.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+'))) {
        return None;
    }
    Decimal::from_str(t.trim_start_matches('+')).ok()
}

/// Thousands separators, where a number has them, must group the integer part by three ("1,234",
/// "12,345,678.90"): "1,6" or "18,33" is not 16 or 1833 but a number printed (or read) broken, and
/// guessing its value would publish a wrong amount. Text without separators passes.
fn thousands_groups_ok(t: &str) -> bool {
    let sep = |c: char| c == ',' || c == '，';
    if !t.contains(sep) {
        return true;
    }
    let unsigned = t.trim_start_matches(['-', '+']);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if frac.contains(sep) {
        return false;
    }
    let groups: Vec<&str> = int.split(sep).collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    first_ok && groups[1..].iter().all(|g| g.len() == 3)
}

/// Does the text look like an amount printed with broken thousands grouping ("1,6", "18,33")?
/// Such a cell reads as no amount; the validator says so (`malformed_amount`).
pub fn is_malformed_amount(text: &str) -> bool {
    let t = canon(text);
    let digits_and_separators = t.chars().all(|c| c.is_ascii_digit() || matches!(c, ',' | '，' | '.' | '-' | '+'));
    digits_and_separators && t.chars().any(|c| c.is_ascii_digit()) && !thousands_groups_ok(&t)
}

/// An amount cell converted to 元 with exactly 2 decimals. Blank, "-" and dashes are `None`
/// (nothing printed); "0" is `0.00`. `None` also for text that is not an amount.
pub fn parse_amount(text: &str, factor: Decimal) -> Option<Decimal> {
    let t = canon(text);
    if t.is_empty() || t.chars().all(|c| matches!(c, '-' | '—' | '–' | '－' | '/')) {
        return None;
    }
    parse_number(&t).map(|n| to_yuan(n, factor))
}

/// `amount × factor`, rounded half-away-from-zero to 分 and carried with scale 2 so it serialises
/// as "2996500.00".
fn to_yuan(amount: Decimal, factor: Decimal) -> Decimal {
    let mut v = (amount * factor).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    v.rescale(2);
    v
}

/// A percentage cell ("25.00%", "25%", "25 . 00%", "0% ") as a decimal without `%`.
pub fn parse_percent(text: &str) -> Option<Decimal> {
    let t = canon(text);
    let t = t.trim_end_matches('%');
    parse_number(t)
}

/// A comparator in any of the printed forms, normalised to ">=", "<=", ">", "<", "=".
pub fn normalise_comparator(text: &str) -> Option<&'static str> {
    let t = canon(text);
    match t.as_str() {
        "≥" | "≧" | ">=" | "⩾" | "=>" | "不低于" | "不少于" => Some(">="),
        "≤" | "≦" | "<=" | "⩽" | "=<" | "不高于" | "不超过" => Some("<="),
        ">" | "大于" => Some(">"),
        "<" | "小于" => Some("<"),
        "=" | "等于" => Some("="),
        _ => None,
    }
}

/// The quantity an indicator value states: `(comparator, target, unit)` parsed from the first
/// line of the value when that line is a whole quantity `[comparator] number [unit]`
/// (schemas/README.md), otherwise all three `None`.
///
/// Two forms of "a number, then a note" keep their number (the unit is then `None`): a space
/// between two digits ends the first line (a PDF line wrap between ASCII characters becomes a
/// space: 003's "100\n100%全部完成" reads "100 100%全部完成"), and a note that starts right after
/// the number with a character no unit starts with ("≥99回访好评率不低于95%").
pub fn parse_quantity(value: &str) -> (Option<String>, Option<Decimal>, Option<String>) {
    static QUANTITY: OnceLock<Regex> = OnceLock::new();
    static DIGIT_GAP: OnceLock<Regex> = OnceLock::new();
    static RAW_PREFIX: OnceLock<Regex> = OnceLock::new();
    let none = (None, None, None);
    let first = value.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let gap = DIGIT_GAP.get_or_init(|| Regex::new(r"[0-9]\s+[0-9]").unwrap());
    let first = match gap.find(first) {
        Some(m) => &first[..m.start() + 1],
        None => first,
    };
    let line = canon(first);
    let re = QUANTITY.get_or_init(|| {
        Regex::new(r"^(>=|<=|=>|=<|⩾|⩽|≥|≧|≤|≦|>|<|=)?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(.*)$").unwrap()
    });
    let Some(c) = re.captures(&line) else { return none };
    let comparator = match c.get(1) {
        Some(m) => match normalise_comparator(m.as_str()) {
            Some(op) => Some(op.to_string()),
            None => return none,
        },
        None => None,
    };
    let Some(target) = parse_number(&c[2]) else { return none };
    let mut rest = c[3].to_string();
    if rest.chars().count() > 2 && rest.starts_with('(') && rest.ends_with(')') {
        rest = rest[1..rest.len() - 1].to_string();
    }
    if rest.is_empty() {
        return (comparator, Some(target), None);
    }
    let n = rest.chars().count();
    let forbidden = |ch: char| ch.is_ascii_digit() || ",，、;；。()（）".contains(ch);
    if n <= 6 && !rest.chars().any(forbidden) {
        return (comparator, Some(target), Some(rest));
    }
    // A note run on directly after the number, not a unit.
    let raw = RAW_PREFIX.get_or_init(|| Regex::new(r"^\s*\S*?[0-9.,]+(\s*)(\S)").unwrap());
    let starts_note = rest.chars().next().is_some_and(|ch| is_cjk(ch) && !UNIT_STARTS.contains(ch));
    let adjacent = raw.captures(first).is_some_and(|m| m[1].is_empty());
    if starts_note && adjacent {
        return (comparator, Some(target), None);
    }
    none
}

/// Characters a unit after a number starts with (年, 元, 个, 人, 次 …): a note starting with one of
/// these could be a unit with a long tail, so it is not read as "number + note".
const UNIT_STARTS: &str = "年月日时分秒元万千百亿个人次项件天周户家台套张份名条篇册本辆座批期倍平米公吨株亩间处类部";

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF)
}

/// Which end of a period a date names: "2021年1月" is the 1st for a start and the last day of the
/// month for an end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateEnd {
    Start,
    End,
}

/// A printed date ("2021年1月1日", "2021.1.1", "2021-1-1", "2021/1/1", "2021年1月") as `YYYY-MM-DD`.
pub fn parse_date(text: &str, end: DateEnd) -> Option<String> {
    static FULL: OnceLock<Regex> = OnceLock::new();
    static MONTH: OnceLock<Regex> = OnceLock::new();
    let t = canon(text);
    let full = FULL.get_or_init(|| Regex::new(r"^(\d{4})(?:年|\.|-|/)(\d{1,2})(?:月|\.|-|/)(\d{1,2})日?$").unwrap());
    if let Some(c) = full.captures(&t) {
        let (y, m, d) = (c[1].parse::<u32>().ok()?, c[2].parse::<u32>().ok()?, c[3].parse::<u32>().ok()?);
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        return Some(format!("{y:04}-{m:02}-{d:02}"));
    }
    let month = MONTH.get_or_init(|| Regex::new(r"^(\d{4})(?:年|\.|-|/)(\d{1,2})月?$").unwrap());
    let c = month.captures(&t)?;
    let (y, m) = (c[1].parse::<u32>().ok()?, c[2].parse::<u32>().ok()?);
    if !(1..=12).contains(&m) {
        return None;
    }
    let d = match end {
        DateEnd::Start => 1,
        DateEnd::End => days_in_month(y, m),
    };
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn amounts_are_yuan_with_two_decimals() {
        let wan = unit_factor("万元").unwrap();
        assert_eq!(parse_amount("299.65", wan).unwrap().to_string(), "2996500.00");
        assert_eq!(parse_amount("1,866.11", wan).unwrap().to_string(), "18661100.00");
        assert_eq!(parse_amount("80000.00", Decimal::ONE).unwrap().to_string(), "80000.00");
        assert_eq!(parse_amount("0", Decimal::ONE).unwrap().to_string(), "0.00");
        assert_eq!(parse_amount("1,234,567.8", Decimal::ONE).unwrap().to_string(), "1234567.80");
        assert_eq!(parse_amount("12 .5", unit_factor("千元").unwrap()).unwrap().to_string(), "12500.00");
        assert_eq!(parse_amount(" ", Decimal::ONE), None);
        assert_eq!(parse_amount("-", Decimal::ONE), None);
        // Broken thousands grouping is not an amount (real pages printed/read "1,6", "18,33").
        assert_eq!(parse_amount("1,6", Decimal::ONE), None);
        assert_eq!(parse_amount("18,33", Decimal::ONE), None);
        assert_eq!(parse_amount("1,234,56.00", Decimal::ONE), None);
        assert_eq!(parse_amount("12,345,678.90", Decimal::ONE), Some(Decimal::new(1234567890, 2)));
        assert_eq!(parse_amount("-1,234.5", Decimal::ONE), Some(Decimal::new(-123450, 2)));
        assert!(is_malformed_amount("18,33") && is_malformed_amount("1,6"));
        assert!(!is_malformed_amount("18,330.37") && !is_malformed_amount("合计") && !is_malformed_amount("1833"));
        assert_eq!(parse_amount("合计", Decimal::ONE), None);
        assert_eq!(parse_amount("-3.5", Decimal::ONE).unwrap().to_string(), "-3.50");
    }

    #[test]
    fn units_from_lines_and_headers() {
        assert_eq!(find_unit("单位：万元").as_deref(), Some("万元"));
        assert_eq!(find_unit("单位: 万元").as_deref(), Some("万元"));
        assert_eq!(find_unit("441001玉田县行政审批局本级\t单位：元").as_deref(), Some("元"));
        assert_eq!(find_unit("资金总额(万元)").as_deref(), Some("万元"));
        assert_eq!(find_unit("项目资金（元）").as_deref(), Some("元"));
        assert_eq!(find_unit("预算数"), None);
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percent("25.00%"), Some(d("25.00")));
        assert_eq!(parse_percent("25 . 00%").unwrap().to_string(), "25.00");
        assert_eq!(parse_percent("25%").unwrap().to_string(), "25");
        assert_eq!(parse_percent("0% "), Some(d("0")));
        assert_eq!(parse_percent(""), None);
    }

    #[test]
    fn quantities_from_indicator_values() {
        let q = |s: &str| {
            let (c, t, u) = parse_quantity(s);
            (c, t.map(|t| t.to_string()), u)
        };
        let s = |x: &str| Some(x.to_string());
        assert_eq!(q("≥50人"), (s(">="), s("50"), s("人")));
        assert_eq!(q("≥95 百分 比"), (s(">="), s("95"), s("百分比")));
        assert_eq!(q("100%"), (None, s("100"), s("%")));
        assert_eq!(q("＞6.00(次)"), (s(">"), s("6.00"), s("次")));
        assert_eq!(q("≧ 90"), (s(">="), s("90"), None));
        assert_eq!(q("≤1,000万元"), (s("<="), s("1000"), s("万元")));
        assert_eq!(q("32 个工作日"), (None, s("32"), s("个工作日")));
        assert_eq!(q("100\n100%全部完成"), (None, s("100"), None));
        assert_eq!(q("100 100%全部完成"), (None, s("100"), None));
        assert_eq!(q("≥99回访好评率不低于95%"), (s(">="), s("99"), None));
        assert_eq!(q("90根据资金到位情况逐步开展，年底前不低于任务90%"), (None, s("90"), None));
        assert_eq!(q("100场地全部符合使用要求"), (None, s("100"), None));
        assert_eq!(q("300元/人，12场次，9万元"), (None, None, None));
        assert_eq!(q("满意度≧90%"), (None, None, None));
        assert_eq!(q("300 元/人, 12 场 次, 9 万元"), (None, None, None));
        assert_eq!(q("2021年12月完成"), (None, None, None));
        assert_eq!(q("开展至少1次团体心理治疗"), (None, None, None));
        assert_eq!(q("24*7"), (None, None, None));
        assert_eq!(q(""), (None, None, None));
    }

    #[test]
    fn dates_to_iso() {
        assert_eq!(parse_date("2021年1月1日", DateEnd::Start).as_deref(), Some("2021-01-01"));
        assert_eq!(parse_date("2021 年 12 月 31 日", DateEnd::End).as_deref(), Some("2021-12-31"));
        assert_eq!(parse_date("2022.3.1", DateEnd::Start).as_deref(), Some("2022-03-01"));
        assert_eq!(parse_date("2021.12.31", DateEnd::End).as_deref(), Some("2021-12-31"));
        assert_eq!(parse_date("2021-1-1", DateEnd::Start).as_deref(), Some("2021-01-01"));
        assert_eq!(parse_date("2021年1月", DateEnd::Start).as_deref(), Some("2021-01-01"));
        assert_eq!(parse_date("2024年2月", DateEnd::End).as_deref(), Some("2024-02-29"));
        assert_eq!(parse_date("2021年2月30日", DateEnd::End), None);
        assert_eq!(parse_date("全年", DateEnd::End), None);
    }

    #[test]
    fn comparators() {
        for s in ["≥", "≧", ">=", "＞=", "⩾"] {
            assert_eq!(normalise_comparator(s), Some(">="), "{s}");
        }
        for s in ["≤", "≦", "<=", "＜=", "⩽"] {
            assert_eq!(normalise_comparator(s), Some("<="), "{s}");
        }
        assert_eq!(normalise_comparator("＞"), Some(">"));
        assert_eq!(normalise_comparator("＜"), Some("<"));
        assert_eq!(normalise_comparator("＝"), Some("="));
        assert_eq!(normalise_comparator("约"), None);
    }
}
