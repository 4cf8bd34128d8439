//! The typed records of CONTRACT §2. Amounts are `rust_decimal` in 元 with 2 decimals
//! (serialised as strings), percentages are decimals without `%`, dates are `YYYY-MM-DD`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

// Records are built once and serialised; boxing the large variant would only complicate every
// consumer's pattern match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    ProjectPerformance(ProjectPerformance),
    BudgetLine(BudgetLine),
    DepartmentPerformance(DepartmentPerformance),
}

/// One 项目绩效目标表, whatever its layout (Hebei pair or combined, Yutian, Chongqing, Shanghai).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProjectPerformance {
    pub title: Option<String>,
    pub agency_code: Option<String>,
    pub agency_name: Option<String>,
    /// The unit as printed: "元" or "万元" (amounts below are always 元).
    pub amount_unit: Option<String>,
    pub project_code: Option<String>,
    pub project_name: Option<String>,
    pub budget_total: Option<Decimal>,
    pub budget_fiscal: Option<Decimal>,
    pub budget_other: Option<Decimal>,
    /// 上年结转（资金）: last year's carried-over funds, part of the year's total. An addition to
    /// the contract, present where the form prints the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_carryover: Option<Decimal>,
    pub fund_use: Option<String>,
    pub spending_plan: Option<SpendingPlan>,
    pub goal: Option<String>,
    pub competent_dept: Option<String>,
    pub implementing_unit: Option<String>,
    pub project_nature: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub overview: Option<String>,
    pub legal_basis: Option<String>,
    pub indicators: Vec<Indicator>,
    /// Indexes of the tables this record was read from (an addition to the contract).
    #[serde(default)]
    pub source_tables: Vec<usize>,
}

/// Cumulative share of the budget to be spent by the end of March, June, October, December (%).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SpendingPlan {
    pub mar: Option<Decimal>,
    pub jun: Option<Decimal>,
    pub oct: Option<Decimal>,
    pub dec: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Indicator {
    pub level1: Option<String>,
    pub level2: Option<String>,
    pub level3: Option<String>,
    pub description: Option<String>,
    /// The 指标值 text exactly as printed.
    pub value: Option<String>,
    /// One of ">=", "<=", ">", "<", "=" or null.
    pub comparator: Option<String>,
    pub target: Option<Decimal>,
    pub unit: Option<String>,
    pub basis: Option<String>,
}

/// One 科目 row of a financial table.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BudgetLine {
    /// The table's title without the agency prefix.
    pub table_title: Option<String>,
    pub agency_name: Option<String>,
    pub amount_unit: Option<String>,
    /// 类/款/项 concatenated ("2040607"); null for rows without a code (总计, 合计 …).
    pub subject_code: Option<String>,
    pub subject_name: Option<String>,
    /// Leaf column header → amount in 元 (null where the cell is blank).
    pub amounts: BTreeMap<String, Option<Decimal>>,
    #[serde(default)]
    pub source_tables: Vec<usize>,
    /// Grid row the line was read from.
    #[serde(default)]
    pub row: Option<usize>,
}

/// One 部门整体绩效目标表.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DepartmentPerformance {
    pub title: Option<String>,
    pub agency_name: Option<String>,
    pub amount_unit: Option<String>,
    /// 支出预算总量 in 元.
    pub budget_total: Option<Decimal>,
    /// 其中：部门预算支出 in 元.
    pub budget_department: Option<Decimal>,
    /// 当年整体绩效目标.
    pub goal: Option<String>,
    pub indicators: Vec<DepartmentIndicator>,
    #[serde(default)]
    pub source_tables: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DepartmentIndicator {
    pub name: Option<String>,
    /// 指标权重 in percent, without `%`.
    pub weight: Option<Decimal>,
    /// 计量单位.
    pub unit: Option<String>,
    /// 指标性质 normalised to ">=", "<=", ">", "<", "=".
    pub comparator: Option<String>,
    /// 指标值 as printed.
    pub value: Option<String>,
    pub target: Option<Decimal>,
}
