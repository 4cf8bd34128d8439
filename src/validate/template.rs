//! Standard table sets without a 目录: a document that prints most of a template's tables (the nine
//! Shanghai 部门预算 tables, the Jiangsu 公开01–12表, the nine 部门决算 tables) and no 目录 to say
//! what it should hold is checked against the template itself: a table of the set that it does not
//! print is `template_table_missing`.
//!
//! Conservative by design: only where the free text was read and holds no 目录 (a 目录 is the
//! 目录 check's business, document.rs), only where at least two thirds of one set's tables are
//! printed (a 情况说明 published apart from its tables, as Jiangsu prints 第二部分 as a file of its
//! own, prints none), and a table counts as printed when its title shows anywhere: as a table's
//! title or context, or as a line of the text (an empty table printed as a heading alone).

use std::sync::OnceLock;

use regex::Regex;

use crate::interpret::headers::strip_list_number;
use crate::interpret::values::{canon, squash};
use crate::model::{Table, TextBlock, Warning};

/// One table of a set: the title keys it is printed under (after [`title_key`]).
type Slot = &'static [&'static str];

struct TemplateSet {
    name: &'static str,
    slots: &'static [Slot],
}

const SETS: &[TemplateSet] = &[
    TemplateSet {
        name: "上海市部门预算（九张表）",
        slots: &[
            &["财务收支预算总表"],
            &["部门收入预算总表"],
            &["部门支出预算总表"],
            &["财政拨款收支预算总表"],
            &["一般公共预算支出功能分类预算表"],
            &["政府性基金预算支出功能分类预算表"],
            &["国有资本经营预算支出功能分类预算表"],
            &["一般公共预算基本支出部门预算经济分类预算表", "一般公共预算基本支出经济分类预算表"],
            &["三公经费和机关运行经费预算表"],
        ],
    },
    TemplateSet {
        name: "江苏省部门预算公开01–12表",
        slots: &[
            &["收支预算总表"],
            &["收入预算总表"],
            &["支出预算总表"],
            &["财政拨款收支预算总表"],
            &["财政拨款支出预算表"],
            &["财政拨款基本支出预算表"],
            &["财政拨款政府性基金支出预算表", "政府性基金支出预算表", "政府性基金财政拨款支出预算表"],
            &["一般公共预算支出预算表"],
            &["一般公共预算基本支出预算表"],
            &["一般公共预算机关运行经费支出预算表"],
            &["三公经费、会议费、培训费支出预算表"],
            &["政府采购预算表", "政府采购支出预算表"],
        ],
    },
    TemplateSet {
        name: "部门决算（九张表）",
        slots: &[
            &["收入支出决算总表"],
            &["收入决算表"],
            &["支出决算表"],
            &["财政拨款收入支出决算总表"],
            &["一般公共预算财政拨款支出决算表"],
            &["一般公共预算财政拨款基本支出决算表"],
            &["财政拨款三公经费支出决算表"],
            &["政府性基金预算财政拨款收入支出决算表"],
            &["国有资本经营预算财政拨款收入支出决算表"],
        ],
    },
];

/// A printed title in comparable form: list number ("公开01表", "表3", "九、"), year ("2025年",
/// "2017年度"), quotes, a trailing qualifier in brackets ("（功能科目）") and whitespace removed.
fn title_key(text: &str) -> String {
    static YEAR: OnceLock<Regex> = OnceLock::new();
    static NUMBER: OnceLock<Regex> = OnceLock::new();
    let year = YEAR.get_or_init(|| Regex::new(r"[0-9]{4}年度?").unwrap());
    // Only numbers in digits: "表十一三公经费…" cannot say where 表十一 ends (Jiangsu prints 表十一
    // on a line of its own anyway, which is no title).
    let number = NUMBER.get_or_init(|| Regex::new(r"^(?:公开[0-9]{1,2}表|表[0-9]{1,2})[:：.、]?").unwrap());
    let t = canon(text).replace(['"', '“', '”', '‘', '’', '\''], "");
    let t = number.replace(&t, "").to_string();
    let t = strip_list_number(&t);
    let t = year.replace_all(&t, "").to_string();
    let t = match t.strip_suffix(')') {
        Some(x) => x.rfind('(').map(|i| x[..i].to_string()).unwrap_or(t.clone()),
        None => t,
    };
    squash(&t)
}

/// The slot a title is printed for: the longest slot key it ends with (the agency or 部门 may come
/// before it; "财政拨款收支预算总表" is its own slot, not 收支预算总表's).
fn slot_of(set: &TemplateSet, key: &str) -> Option<usize> {
    set.slots
        .iter()
        .enumerate()
        .flat_map(|(i, keys)| keys.iter().map(move |k| (i, *k)))
        .filter(|(_, k)| key.ends_with(k))
        .max_by_key(|(_, k)| k.chars().count())
        .map(|(i, _)| i)
}

pub fn check_template(tables: &[Table], text: &[TextBlock]) -> Vec<Warning> {
    // Without the free text we cannot know that no 目录 is printed; with a 目录, the 目录 check
    // says what is missing.
    if text.is_empty() || text.iter().any(|b| squash(&b.text) == "目录") {
        return Vec::new();
    }
    let keys: Vec<String> = tables
        .iter()
        .flat_map(|t| t.title.iter().chain(t.context.iter()))
        .chain(text.iter().map(|b| &b.text))
        .map(|t| title_key(t))
        .filter(|k| k.ends_with('表'))
        .collect();
    let best = SETS
        .iter()
        .map(|set| {
            let present: Vec<bool> = (0..set.slots.len()).map(|i| keys.iter().any(|k| slot_of(set, k) == Some(i))).collect();
            (set, present)
        })
        .max_by_key(|(_, present)| present.iter().filter(|&&p| p).count());
    let Some((set, present)) = best else { return Vec::new() };
    let n = present.iter().filter(|&&p| p).count();
    if n * 3 < set.slots.len() * 2 || n == set.slots.len() {
        return Vec::new();
    }
    present
        .iter()
        .enumerate()
        .filter(|(_, &p)| !p)
        .map(|(i, _)| {
            Warning::new(
                "template_table_missing",
                format!(
                    "the document prints {n} of the {} tables of the {} set and no 目录, but not \"{}\"",
                    set.slots.len(),
                    set.name,
                    set.slots[i][0]
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_reduce_to_their_slot() {
        let js = &SETS[1];
        assert_eq!(slot_of(js, &title_key("公开04表 财政拨款收支预算总表")), Some(3));
        assert_eq!(slot_of(js, &title_key("收支预算总表")), Some(0));
        assert_eq!(slot_of(js, &title_key("“三公”经费、会议费、培训费支出预算表（一般公共预算）")), Some(10));
        assert_eq!(slot_of(js, &title_key("2019年政府采购预算表")), Some(11));
        assert_eq!(slot_of(js, &title_key("财政拨款基本支出预算表（经济科目）")), Some(5));
        assert_eq!(slot_of(js, &title_key("一般公共预算基本支出预算表")), Some(8));
        let sh = &SETS[0];
        assert_eq!(slot_of(sh, &title_key("2025年部门“三公”经费和机关运行经费预算表")), Some(8));
        assert_eq!(slot_of(sh, &title_key("2025年部门收入预算总表")), Some(1));
        assert_eq!(slot_of(sh, &title_key("2025年部门财政拨款收支预算总表")), Some(3));
    }
}
