//! Helpers shared by the test binaries: budget tables built by hand (here) and the harness of the
//! tests against the real broker (`broker`). Each test binary uses what it needs.
#![allow(dead_code)]

pub mod broker;

use std::str::FromStr;

use rust_decimal::Decimal;
use yusuan::model::{Cell, Table};

// ---------------------------------------------------------------------------------------------
// Building tables by hand: one string per grid slot; "^" continues the cell above (a vertical
// merge), "<" the cell to the left (a horizontal merge).

pub fn grid(index: usize, context: &[&str], rows: &[&[&str]]) -> Table {
    let n_rows = rows.len();
    let n_cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let slot = |r: usize, c: usize| rows.get(r).and_then(|row| row.get(c)).copied().unwrap_or("");
    let mut cells = Vec::new();
    for r in 0..n_rows {
        for c in 0..n_cols {
            let t = slot(r, c);
            if t == "^" || t == "<" {
                continue;
            }
            let mut col_span = 1;
            while c + col_span < n_cols && slot(r, c + col_span) == "<" {
                col_span += 1;
            }
            let mut row_span = 1;
            while r + row_span < n_rows && slot(r + row_span, c) == "^" {
                row_span += 1;
            }
            cells.push(Cell { row: r, col: c, row_span, col_span, text: t.to_string(), page: None, bbox: None });
        }
    }
    let table = Table {
        index,
        pages: vec![],
        title: context.iter().rev().find(|p| p.ends_with('表')).map(|s| s.to_string()),
        n_rows,
        n_cols,
        header_rows: 0,
        cells,
        context: context.iter().map(|s| s.to_string()).collect(),
    };
    table.check_tiling().expect("fixture tiles its grid");
    table
}

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

