//! Word's table model → an explicit grid of cells that tiles `n_rows × n_cols`.
//!
//! Word stores a row as a list of `w:tc`, each covering `w:gridSpan` columns of the table grid
//! (`w:tblGrid`), after `w:gridBefore` empty grid columns and before `w:gridAfter` ones. A vertical
//! merge is a `w:vMerge="restart"` cell followed, in the rows below, by `w:vMerge` (continue) cells
//! at the same grid columns; together they are one cell with a row span.

use crate::error::ExtractError;
use crate::model::Cell;

/// Grids larger than this are refused: a few `w:gridSpan="999999"` in a tiny file would
/// otherwise make us allocate millions of filler cells.
pub const MAX_GRID_SLOTS: usize = 4_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VMerge {
    None,
    Restart,
    Continue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCell {
    pub grid_span: usize,
    pub v_merge: VMerge,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceRow {
    pub grid_before: usize,
    pub grid_after: usize,
    pub cells: Vec<SourceCell>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub n_rows: usize,
    pub n_cols: usize,
    /// Row-major by top-left slot.
    pub cells: Vec<Cell>,
}

/// Builds the grid. Slots no `w:tc` covers (gridBefore / gridAfter, rows shorter than the grid)
/// become empty 1×1 cells so that the cells tile the grid, as the contract requires.
///
/// A continue cell extends the cell above only when that cell starts at the same grid column,
/// has the same span and ends in the row just above; otherwise the file is inconsistent and the
/// continue cell stands alone (what Word itself displays). Text found in a continue cell is
/// appended to the merged cell's text rather than dropped.
pub fn build(declared_cols: usize, rows: &[SourceRow]) -> Result<Grid, ExtractError> {
    let n_rows = rows.len();
    let mut n_cols = declared_cols;
    for row in rows {
        let width = row
            .cells
            .iter()
            .fold(row.grid_before, |acc, c| acc.saturating_add(c.grid_span.max(1)))
            .saturating_add(row.grid_after);
        n_cols = n_cols.max(width);
    }
    if n_cols > MAX_GRID_SLOTS || n_rows.saturating_mul(n_cols) > MAX_GRID_SLOTS {
        return Err(ExtractError::TooLarge(format!(
            "a table grid of {n_rows}×{n_cols} slots exceeds the limit of {MAX_GRID_SLOTS}"
        )));
    }
    let mut cells: Vec<Cell> = Vec::new();
    // For each grid column, the index in `cells` of the cell covering it in the previous row.
    let mut above: Vec<Option<usize>> = vec![None; n_cols];
    for (r, row) in rows.iter().enumerate() {
        let mut current: Vec<Option<usize>> = vec![None; n_cols];
        let mut col = 0;
        let place_filler = |cells: &mut Vec<Cell>, current: &mut Vec<Option<usize>>, col: usize| {
            cells.push(Cell {
                row: r,
                col,
                row_span: 1,
                col_span: 1,
                text: String::new(),
                page: None,
                bbox: None,
            });
            current[col] = Some(cells.len() - 1);
        };
        while col < row.grid_before.min(n_cols) {
            place_filler(&mut cells, &mut current, col);
            col += 1;
        }
        for source in &row.cells {
            let span = source.grid_span.max(1);
            let continued = match source.v_merge {
                VMerge::Continue => above[col].filter(|&i| {
                    let c = &cells[i];
                    c.col == col && c.col_span == span && c.row + c.row_span == r
                }),
                _ => None,
            };
            match continued {
                Some(i) => {
                    let cell = &mut cells[i];
                    cell.row_span += 1;
                    if !source.text.is_empty() {
                        if !cell.text.is_empty() {
                            cell.text.push('\n');
                        }
                        cell.text.push_str(&source.text);
                    }
                    current[col..col + span].fill(Some(i));
                }
                None => {
                    cells.push(Cell {
                        row: r,
                        col,
                        row_span: 1,
                        col_span: span,
                        text: source.text.clone(),
                        page: None,
                        bbox: None,
                    });
                    current[col..col + span].fill(Some(cells.len() - 1));
                }
            }
            col += span;
        }
        while col < n_cols {
            place_filler(&mut cells, &mut current, col);
            col += 1;
        }
        above = current;
    }
    cells.sort_by_key(|c| (c.row, c.col));
    Ok(Grid { n_rows, n_cols, cells })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Table;

    fn cell(text: &str, span: usize, v: VMerge) -> SourceCell {
        SourceCell { grid_span: span, v_merge: v, text: text.into() }
    }
    fn row(cells: Vec<SourceCell>) -> SourceRow {
        SourceRow { grid_before: 0, grid_after: 0, cells }
    }
    fn as_table(g: &Grid) -> Table {
        Table {
            index: 0,
            pages: vec![],
            title: None,
            n_rows: g.n_rows,
            n_cols: g.n_cols,
            header_rows: 0,
            cells: g.cells.clone(),
            context: vec![],
        }
    }
    fn spans(g: &Grid) -> Vec<(usize, usize, usize, usize, String)> {
        g.cells.iter().map(|c| (c.row, c.col, c.row_span, c.col_span, c.text.clone())).collect()
    }

    #[test]
    fn vmerge_chain_of_three_is_one_cell() {
        use VMerge::*;
        let rows = vec![
            row(vec![cell("a", 1, Restart), cell("b", 1, None)]),
            row(vec![cell("", 1, Continue), cell("c", 1, None)]),
            row(vec![cell("", 1, Continue), cell("d", 1, None)]),
        ];
        let g = build(2, &rows).unwrap();
        assert!(as_table(&g).check_tiling().is_ok());
        assert_eq!(spans(&g)[0], (0, 0, 3, 1, "a".into()));
        assert_eq!(g.cells.len(), 4);
    }

    #[test]
    fn vmerge_respects_column_spans_and_misalignment() {
        use VMerge::*;
        // A 2-wide restart continued by a 2-wide continue merges; a 1-wide continue under a
        // 2-wide restart does not line up and stands alone.
        let rows = vec![
            row(vec![cell("x", 2, Restart), cell("y", 1, Restart)]),
            row(vec![cell("", 2, Continue), cell("", 1, Continue)]),
            row(vec![cell("", 1, Continue), cell("z", 1, None), cell("w", 1, None)]),
        ];
        let g = build(3, &rows).unwrap();
        assert!(as_table(&g).check_tiling().is_ok());
        assert_eq!(
            spans(&g),
            vec![
                (0, 0, 2, 2, "x".into()),
                (0, 2, 2, 1, "y".into()),
                (2, 0, 1, 1, "".into()),
                (2, 1, 1, 1, "z".into()),
                (2, 2, 1, 1, "w".into()),
            ]
        );
    }

    #[test]
    fn continue_without_restart_above_starts_a_cell() {
        let rows = vec![row(vec![cell("only", 1, VMerge::Continue)])];
        let g = build(1, &rows).unwrap();
        assert_eq!(spans(&g), vec![(0, 0, 1, 1, "only".into())]);
    }

    #[test]
    fn grid_before_and_after_are_filled_and_grid_widens_for_overfull_rows() {
        let rows = vec![
            SourceRow { grid_before: 1, grid_after: 1, cells: vec![cell("m", 1, VMerge::None)] },
            row(vec![cell("a", 1, VMerge::None), cell("b", 3, VMerge::None)]),
        ];
        let g = build(3, &rows).unwrap();
        assert_eq!(g.n_cols, 4);
        assert!(as_table(&g).check_tiling().is_ok());
        assert_eq!(
            spans(&g),
            vec![
                (0, 0, 1, 1, "".into()),
                (0, 1, 1, 1, "m".into()),
                (0, 2, 1, 1, "".into()),
                (0, 3, 1, 1, "".into()),
                (1, 0, 1, 1, "a".into()),
                (1, 1, 1, 3, "b".into()),
            ]
        );
    }

    #[test]
    fn absurd_spans_are_refused_not_allocated() {
        let rows = vec![row(vec![cell("a", usize::MAX, VMerge::None), cell("b", usize::MAX, VMerge::None)])];
        assert_eq!(build(1, &rows).unwrap_err().code(), "too_large");
    }
}
