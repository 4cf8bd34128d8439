//! What a table is, from its header cells, its labels and the title / context above it.

use super::headers::{label_key, row_cells, table_context};
use super::project::Field;
use super::values::canon;
use crate::model::Table;

/// The kinds of table a budget document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// A 项目绩效目标表 with its project information (and, in the combined layouts, indicators).
    Project,
    /// The indicator half of a Hebei info + indicator pair: indicators, no project information.
    ProjectIndicators,
    /// 部门（单位）整体绩效目标表.
    Department,
    /// A financial table.
    Financial(FinancialKind),
    /// Anything else: kept as a table, no records, no warning.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinancialKind {
    /// 收支总表 (财政拨款收支总表, 部门收支总表, 财务收支预算总表).
    IncomeExpenditureSummary,
    /// 收入总表.
    IncomeSummary,
    /// 支出总表.
    ExpenditureSummary,
    /// 功能分类支出预算表 (一般公共预算财政拨款支出预算表 …).
    FunctionalExpenditure,
    /// 经济分类基本支出预算表.
    EconomicBasicExpenditure,
    /// "三公"经费支出表.
    ThreePublic,
    /// 政府性基金预算支出表.
    GovernmentFund,
    /// 政府采购预算明细表.
    Procurement,
    /// A table with a 科目 column whose title names none of the above.
    OtherSubjectTable,
}

/// Labels that only a project table's information block carries.
const PROJECT_LABELS: &[&str] = &["项目编码", "项目名称", "项目代码"];

pub fn is_indicator_header_row(table: &Table, r: usize) -> bool {
    let keys: Vec<String> = row_cells(table, r).iter().map(|c| label_key(&c.text)).collect();
    keys.iter().any(|k| k == "一级指标") && keys.iter().any(|k| k == "二级指标" || k == "三级指标")
}

/// The first row that is the header of an indicator block (一级指标 | 二级指标 | 三级指标 …).
pub fn indicator_header_row(table: &Table) -> Option<usize> {
    (0..table.n_rows).find(|&r| is_indicator_header_row(table, r))
}

/// Does any cell's label satisfy `pred`?
fn any_label(table: &Table, pred: impl Fn(&str) -> bool) -> bool {
    table.cells.iter().any(|c| pred(&label_key(&c.text)))
}

/// Is there a subject-code column: 科目编码, or split 类 | 款 | 项 columns?
fn has_subject_columns(table: &Table) -> bool {
    let head = table.n_rows.min(6);
    let mut split = [false; 3];
    for c in table.cells.iter().filter(|c| c.row < head) {
        let k = label_key(&c.text);
        if super::lines::is_code_key(&k) {
            return true;
        }
        match k.as_str() {
            "类" => split[0] = true,
            "款" => split[1] = true,
            "项" => split[2] = true,
            _ => {}
        }
    }
    split[0] && split[1]
}

pub fn classify(table: &Table) -> TableKind {
    let ctx = table_context(table);
    let title = canon(ctx.title.as_deref().unwrap_or(""));
    let first_rows: String =
        table.cells.iter().filter(|c| c.row < 2).map(|c| canon(&c.text)).collect::<Vec<_>>().join("|");
    let title_or_top = format!("{title}|{first_rows}");

    if title_or_top.contains("整体绩效目标") || any_label(table, |k| k == "支出预算总量" || k == "当年整体绩效目标")
    {
        return TableKind::Department;
    }
    // A 项目名称 column header also opens 项目支出预算表-style lists; a project table pairs it with
    // the information labels or an indicator block.
    let has_project_labels = any_label(table, |k| PROJECT_LABELS.contains(&k));
    let has_information = any_label(table, |k| {
        matches!(
            super::project::field_of(k),
            Some(Field::Total | Field::Fiscal | Field::FundUse | Field::Goal | Field::CompetentDept | Field::ImplementingUnit | Field::Start | Field::FundsBlock)
        )
    });
    let has_indicator_block = indicator_header_row(table).is_some();
    if has_project_labels && (has_information || has_indicator_block) {
        return TableKind::Project;
    }
    if has_indicator_block {
        return TableKind::ProjectIndicators;
    }
    let financial = |kind| TableKind::Financial(kind);
    let subject = has_subject_columns(table);
    if title.contains("三公") {
        return financial(FinancialKind::ThreePublic);
    }
    if title.contains("政府采购") {
        return financial(FinancialKind::Procurement);
    }
    if title.contains("政府性基金") {
        return financial(FinancialKind::GovernmentFund);
    }
    if (title.contains("收支") || (title.contains("收入") && title.contains("支出"))) && title.contains("总表") {
        return financial(FinancialKind::IncomeExpenditureSummary);
    }
    if title.contains("收入") && title.contains("总表") {
        return financial(FinancialKind::IncomeSummary);
    }
    if title.contains("支出总表") || (title.contains("支出") && title.contains("总表")) {
        return financial(FinancialKind::ExpenditureSummary);
    }
    if subject && (title.contains("基本支出") || any_label(table, |k| k.contains("经济分类"))) {
        return financial(FinancialKind::EconomicBasicExpenditure);
    }
    if subject {
        if title.contains("支出") || any_label(table, |k| k.contains("功能分类")) {
            return financial(FinancialKind::FunctionalExpenditure);
        }
        return financial(FinancialKind::OtherSubjectTable);
    }
    // A summary table without a title: 收入 | 支出 halves.
    if any_label(table, |k| k == "收入") && any_label(table, |k| k == "支出") && any_label(table, |k| k.contains("合计") || k.contains("总计")) {
        return financial(FinancialKind::IncomeExpenditureSummary);
    }
    TableKind::Other
}
