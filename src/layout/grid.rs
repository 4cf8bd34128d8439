//! CellGrid: rows and columns from the ruling lines of a region, merged cells where an internal
//! segment is missing, glyphs assigned to cells by their centre, and cell text.

use crate::decode::pdf::Glyph;

use super::regions::Region;
use super::rulings::Line;
use super::text::block_text;

/// Line positions closer than this (points) are one grid line (double borders, line caps).
pub const GRID_TOLERANCE: f64 = 2.5;
/// A boundary segment counts as drawn when lines cover at least this share of it.
const COVERED_SHARE: f64 = 0.5;

/// One logical cell: top-left slot, spans, box `[x0, top, x1, bottom]` and text.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GridCell {
    pub row: usize,
    pub col: usize,
    pub row_span: usize,
    pub col_span: usize,
    pub bbox: [f64; 4],
    pub text: String,
}

/// Grid lines (`xs`: column edges, `ys`: row edges, both ascending) and the cells tiling them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CellGrid {
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    pub cells: Vec<GridCell>,
}

impl CellGrid {
    pub fn n_rows(&self) -> usize {
        self.ys.len().saturating_sub(1)
    }
    pub fn n_cols(&self) -> usize {
        self.xs.len().saturating_sub(1)
    }
    pub fn bbox(&self) -> [f64; 4] {
        [self.xs[0], self.ys[0], *self.xs.last().unwrap_or(&0.0), *self.ys.last().unwrap_or(&0.0)]
    }

    /// The grid slot holding point (x, y), if inside the grid.
    pub fn slot_at(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let col = self.xs.partition_point(|&e| e <= x);
        let row = self.ys.partition_point(|&e| e <= y);
        (col >= 1 && col < self.xs.len() && row >= 1 && row < self.ys.len()).then(|| (row - 1, col - 1))
    }

    /// Index of the cell covering each slot, row-major.
    pub fn slot_owners(&self) -> Vec<usize> {
        let nc = self.n_cols();
        let mut owner = vec![usize::MAX; self.n_rows() * nc];
        for (i, c) in self.cells.iter().enumerate() {
            for r in c.row..c.row + c.row_span {
                for k in c.col..c.col + c.col_span {
                    owner[r * nc + k] = i;
                }
            }
        }
        owner
    }

    /// Puts each glyph in the cell containing its centre and sets every cell's text. Returns
    /// which glyphs landed in the grid.
    ///
    /// The one exception to the centre rule is a run of text that truly crosses a column border
    /// (overflow: one of its glyphs lies across the border line): the glyphs after the border
    /// stay with the cell the run starts in instead of leaking into the neighbour. Two runs that
    /// merely touch at a border (amounts filling their cells up to the shared line) each keep
    /// their own cell, however small the gap between them.
    pub fn fill_text(&mut self, glyphs: &[Glyph]) -> Vec<bool> {
        let owners = self.slot_owners();
        let nc = self.n_cols();
        let mut cell_of: Vec<usize> = glyphs
            .iter()
            .map(|g| match self.slot_at(g.cx(), g.cy()) {
                Some((r, c)) => owners[r * nc + c],
                None => usize::MAX,
            })
            .collect();
        self.keep_border_crossing_runs_together(glyphs, &mut cell_of);
        let mut per_cell: Vec<Vec<&Glyph>> = vec![Vec::new(); self.cells.len()];
        for (g, &owner) in glyphs.iter().zip(&cell_of) {
            if owner != usize::MAX {
                per_cell[owner].push(g);
            }
        }
        for (cell, gs) in self.cells.iter_mut().zip(&per_cell) {
            cell.text = block_text(gs);
        }
        cell_of.iter().map(|&o| o != usize::MAX).collect()
    }

    /// Part of [`CellGrid::fill_text`]'s assignment: walks each line left to right and moves a
    /// glyph into its predecessor's cell (the cell to its left) only when the run they belong to
    /// crosses the border between them — the predecessor or the glyph itself lies across the
    /// border line, or the predecessor was moved for the same run.
    fn keep_border_crossing_runs_together(&self, glyphs: &[Glyph], cell_of: &mut [usize]) {
        let mut order: Vec<usize> = (0..glyphs.len()).filter(|&i| cell_of[i] != usize::MAX && glyphs[i].upright()).collect();
        order.sort_by(|&a, &b| glyphs[a].x0.total_cmp(&glyphs[b].x0));
        // Glyphs sorted by right edge, to find the glyph just before each one on its line.
        let mut by_end = order.clone();
        by_end.sort_by(|&a, &b| glyphs[a].x1.total_cmp(&glyphs[b].x1));
        let ends: Vec<f64> = by_end.iter().map(|&i| glyphs[i].x1).collect();
        let mut continues_crossing = vec![false; glyphs.len()];
        for &gi in &order {
            let g = &glyphs[gi];
            let lo = ends.partition_point(|&e| e < g.x0 - 0.1 * g.size);
            let hi = ends.partition_point(|&e| e <= g.x0 + 0.3 * g.size);
            let pred = by_end[lo..hi].iter().copied().find(|&p| {
                let q = &glyphs[p];
                p != gi && q.x0 < g.x0 && (q.cy() - g.cy()).abs() < 0.3 * g.size && (q.size - g.size).abs() < 0.2 * g.size
            });
            let Some(p) = pred else { continue };
            if cell_of[p] == cell_of[gi] {
                continue;
            }
            let (a, b) = (&self.cells[cell_of[p]], &self.cells[cell_of[gi]]);
            // Only across a column boundary within the same rows.
            if !(a.row <= b.row && b.row < a.row + a.row_span && a.col + a.col_span == b.col) {
                continue;
            }
            let border = self.xs[b.col];
            if continues_crossing[p] || lies_across(&glyphs[p], border) || lies_across(g, border) {
                cell_of[gi] = cell_of[p];
                continues_crossing[gi] = true;
            }
        }
    }
}

/// Whether a glyph's box reaches across the vertical line `x` by more than a tenth of its size
/// on both sides (a box that only touches the line, as the last digit of an amount filling its
/// cell does, is on one side).
fn lies_across(g: &Glyph, x: f64) -> bool {
    let margin = (0.1 * g.size).max(0.5);
    g.x0 < x - margin && g.x1 > x + margin
}

impl CellGrid {
    /// The visible upright glyphs of each cell (indexed like `self.cells`) that `keep` accepts,
    /// assigned by centre; the text-alignment splits below look only at these.
    fn upright_glyphs_by_cell<'g>(&self, glyphs: &'g [Glyph], keep: impl Fn(&GridCell) -> bool) -> Vec<Vec<&'g Glyph>> {
        let nc = self.n_cols();
        let owners = self.slot_owners();
        let mut per_cell: Vec<Vec<&Glyph>> = vec![Vec::new(); self.cells.len()];
        for g in glyphs.iter().filter(|g| g.upright() && !g.ch.is_whitespace()) {
            if let Some((r, c)) = self.slot_at(g.cx(), g.cy()) {
                let o = owners[r * nc + c];
                if o != usize::MAX && keep(&self.cells[o]) {
                    per_cell[o].push(g);
                }
            }
        }
        per_cell
    }

    /// Splits grid columns whose cells hold several text columns aligned across rows (tables
    /// ruled only between column groups). A column is split only where at least
    /// [`MIN_SPLIT_ROWS`] rows show separate chunks and no row's chunk crosses the gap; the top
    /// row, a group's header, may cross it: a cell whose text crosses a split spans the new
    /// columns instead of being cut.
    pub fn split_columns_by_text(&mut self, glyphs: &[Glyph]) {
        let nc = self.n_cols();
        // Glyphs per single-column cell, and each cell's chunks line by line.
        let per_cell = self.upright_glyphs_by_cell(glyphs, |cell| cell.col_span == 1);
        let cell_chunks: Vec<Vec<Vec<(f64, f64)>>> = per_cell
            .iter()
            .map(|gs| super::text::lines(gs, super::text::Direction::Upright).iter().map(|l| super::text::chunk_spans(l, SPLIT_GAP)).collect())
            .collect();
        let header_may_cross = self.n_rows() > 1;
        let mut splits: Vec<Vec<f64>> = vec![Vec::new(); nc];
        for (c, split) in splits.iter_mut().enumerate() {
            let lines_chunks: Vec<Vec<(f64, f64)>> = self
                .cells
                .iter()
                .zip(&cell_chunks)
                .filter(|(cell, _)| cell.col == c && !(header_may_cross && cell.row == 0))
                .flat_map(|(_, lines)| lines.iter().cloned())
                .collect();
            *split = super::text::column_gaps(&lines_chunks, MIN_SPLIT_ROWS)
                .into_iter()
                .filter(|&x| x > self.xs[c] + 2.0 && x < self.xs[c + 1] - 2.0)
                .collect();
        }
        if splits.iter().all(|s| s.is_empty()) {
            return;
        }
        let (start, xs) = with_splits(&self.xs, &splits);
        let mut cells = Vec::with_capacity(self.cells.len());
        for (cell, lines) in self.cells.iter().zip(&cell_chunks) {
            let (a, b) = (start[cell.col], start[cell.col + cell.col_span]);
            let crosses = cell.col_span == 1 && lines.iter().flatten().any(|&(x0, x1)| splits[cell.col].iter().any(|&x| x0 < x && x1 > x));
            if cell.col_span == 1 && b - a > 1 && !crosses {
                for k in a..b {
                    cells.push(GridCell { col: k, col_span: 1, bbox: [xs[k], cell.bbox[1], xs[k + 1], cell.bbox[3]], ..cell.clone() });
                }
            } else {
                cells.push(GridCell { col: a, col_span: b - a, ..cell.clone() });
            }
        }
        cells.sort_by_key(|c| (c.row, c.col));
        self.xs = xs;
        self.cells = cells;
    }
}

impl CellGrid {
    /// Undoes merges that only reflect undrawn lines: tables ruled horizontally with column lines
    /// in the header only. A merged one-row cell is split back into its columns when its text
    /// chunks sit inside single columns, in two or more of them, and at least
    /// [`MIN_SPLIT_ROWS`] cells of the same column range look like that (a real merged cell
    /// holds one chunk running across the boundary, or text in one column only).
    pub fn split_false_merges(&mut self, glyphs: &[Glyph]) {
        let per_cell = self.upright_glyphs_by_cell(glyphs, |cell| cell.col_span > 1 && cell.row_span == 1);
        let mut candidates: std::collections::HashMap<(usize, usize), Vec<usize>> = Default::default();
        for (i, (cell, gs)) in self.cells.iter().zip(&per_cell).enumerate() {
            if gs.is_empty() {
                continue;
            }
            let inner = &self.xs[cell.col + 1..cell.col + cell.col_span];
            let mut columns_used = std::collections::BTreeSet::new();
            let mut clean = true;
            for line in super::text::lines(gs, super::text::Direction::Upright) {
                for (x0, x1) in super::text::chunk_spans(&line, SPLIT_GAP) {
                    if inner.iter().any(|&b| x0 < b - 0.5 && x1 > b + 0.5) {
                        clean = false;
                    }
                    columns_used.insert(self.xs.partition_point(|&e| e <= (x0 + x1) / 2.0));
                }
            }
            if clean && columns_used.len() >= 2 {
                candidates.entry((cell.col, cell.col_span)).or_default().push(i);
            }
        }
        let split: std::collections::HashSet<usize> =
            candidates.into_values().filter(|v| v.len() >= MIN_SPLIT_ROWS).flatten().collect();
        if split.is_empty() {
            return;
        }
        let mut cells = Vec::with_capacity(self.cells.len() + split.len() * 2);
        for (i, cell) in self.cells.iter().enumerate() {
            if split.contains(&i) {
                for k in cell.col..cell.col + cell.col_span {
                    cells.push(GridCell { col: k, col_span: 1, bbox: [self.xs[k], cell.bbox[1], self.xs[k + 1], cell.bbox[3]], ..cell.clone() });
                }
            } else {
                cells.push(cell.clone());
            }
        }
        cells.sort_by_key(|c| (c.row, c.col));
        self.cells = cells;
    }
}

impl CellGrid {
    /// Splits tall ruled rows that hold many text lines aligned across columns (tables ruled
    /// around blocks of rows, not between them). Needs at least [`MIN_SPLIT_BANDS`] line bands
    /// and [`MIN_SPLIT_COLUMNS`] columns with text in most bands, so a row where one or two
    /// cells wrap their text stays one row; or two cells or more holding a figure per line
    /// ([`stacked_figure_cells`]), whatever the count of bands. A row with fewer than two
    /// figures is a header wrapped over lines and stays one row.
    pub fn split_rows_by_text(&mut self, glyphs: &[Glyph]) {
        self.split_rows_by_text_with(glyphs, MIN_SPLIT_BANDS, MIN_SPLIT_COLUMNS, MIN_SPLIT_FIGURES);
    }

    /// [`CellGrid::split_rows_by_text`] with explicit thresholds: open tables, whose rules mark
    /// groups of rows, split bands of two lines already when most columns have both, figures or
    /// not (their header is above the header rule).
    pub fn split_rows_by_text_with(&mut self, glyphs: &[Glyph], min_bands: usize, min_busy: usize, min_figures: usize) {
        let nr = self.n_rows();
        let per_cell = self.upright_glyphs_by_cell(glyphs, |cell| cell.row_span == 1);
        let mut splits: Vec<Vec<f64>> = vec![Vec::new(); nr];
        for (r, split) in splits.iter_mut().enumerate() {
            // Lines of each cell in this row: (top, bottom, cell).
            let mut spans: Vec<(f64, f64, usize)> = Vec::new();
            let mut figure_lines = 0;
            for (i, (cell, gs)) in self.cells.iter().zip(&per_cell).enumerate() {
                if cell.row != r || gs.is_empty() {
                    continue;
                }
                for line in super::text::lines(gs, super::text::Direction::Upright) {
                    spans.push((line.top, line.bottom, i));
                    figure_lines += usize::from(super::text::looks_like_number(&line.text()));
                }
            }
            // Rows of data hold figures; a header row whose cells wrap their labels holds none.
            if figure_lines < min_figures {
                continue;
            }
            spans.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut bands: Vec<(f64, f64, std::collections::BTreeSet<usize>)> = Vec::new();
            for (t, b, i) in spans {
                match bands.last_mut() {
                    // Lines overlapping by more than a third of their height share a band.
                    Some(band) if t < band.1 - (b - t) / 3.0 => {
                        band.1 = band.1.max(b);
                        band.2.insert(i);
                    }
                    _ => bands.push((t, b, [i].into_iter().collect())),
                }
            }
            let stacked = stacked_figure_cells(&per_cell, &spans_cells(&self.cells, r));
            if bands.len() < 2 || (bands.len() < min_bands && stacked < 2) {
                continue;
            }
            let mut lines_per_cell: std::collections::HashMap<usize, usize> = Default::default();
            for band in &bands {
                for &i in &band.2 {
                    *lines_per_cell.entry(i).or_default() += 1;
                }
            }
            let busy = lines_per_cell.values().filter(|&&n| n * 5 >= bands.len() * 3).count();
            if busy < min_busy && stacked < 2 {
                continue;
            }
            *split = bands.windows(2).map(|w| (w[0].1 + w[1].0) / 2.0).collect();
        }
        if splits.iter().all(|s| s.is_empty()) {
            return;
        }
        let (start, ys) = with_splits(&self.ys, &splits);
        let mut cells = Vec::with_capacity(self.cells.len());
        for cell in &self.cells {
            let (a, b) = (start[cell.row], start[cell.row + cell.row_span]);
            if cell.row_span == 1 && b - a > 1 {
                for k in a..b {
                    cells.push(GridCell { row: k, row_span: 1, bbox: [cell.bbox[0], ys[k], cell.bbox[2], ys[k + 1]], ..cell.clone() });
                }
            } else {
                cells.push(GridCell { row: a, row_span: b - a, ..cell.clone() });
            }
        }
        cells.sort_by_key(|c| (c.row, c.col));
        self.ys = ys;
        self.cells = cells;
    }
}

/// Indexes of the single-row cells of row `r`.
fn spans_cells(cells: &[GridCell], r: usize) -> Vec<usize> {
    cells.iter().enumerate().filter(|(_, c)| c.row == r && c.row_span == 1).map(|(i, _)| i).collect()
}

/// Evidence: figures do not wrap. Cells among `cells` holding two lines or more that are each
/// a figure hold one row's figure per line (a ruled row standing for several rows whose lines
/// were not drawn).
fn stacked_figure_cells(per_cell: &[Vec<&Glyph>], cells: &[usize]) -> usize {
    cells
        .iter()
        .filter(|&&i| {
            let lines = super::text::lines(&per_cell[i], super::text::Direction::Upright);
            lines.len() >= 2 && lines.iter().all(|l| super::text::looks_like_number(&l.text()))
        })
        .count()
}

/// Inserts each interval's split positions into the axis `edges` (n + 1 boundaries of n intervals).
/// Returns, per old boundary index, its index in the new axis (so an old span `a..b` maps to
/// `start[a]..start[b]`), and the new boundaries.
fn with_splits(edges: &[f64], splits: &[Vec<f64>]) -> (Vec<usize>, Vec<f64>) {
    let mut start = Vec::with_capacity(edges.len());
    let mut out = Vec::with_capacity(edges.len() + splits.iter().map(Vec::len).sum::<usize>());
    for (i, split) in splits.iter().enumerate() {
        start.push(out.len());
        out.push(edges[i]);
        out.extend(split);
    }
    start.push(out.len());
    out.push(edges[splits.len()]);
    (start, out)
}

/// Line bands a ruled row must hold before it is split into text rows.
const MIN_SPLIT_BANDS: usize = 4;
/// Cells of that row that must have a line in most bands.
const MIN_SPLIT_COLUMNS: usize = 3;
/// Lines of that row that must be figures (a header wrapped over lines holds none).
const MIN_SPLIT_FIGURES: usize = 2;

/// Gap (in glyph sizes) that separates text columns inside one ruled column: wider than a word
/// space, narrower than the usual column gutter; alignment across rows does the rest.
const SPLIT_GAP: f64 = 0.45;
/// Rows that must show a text column gap before a ruled column is split by it.
const MIN_SPLIT_ROWS: usize = 3;

/// Clusters sorted values closer than `tol` into their mean.
pub fn cluster(mut values: Vec<f64>, tol: f64) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    let mut out: Vec<f64> = Vec::new();
    let mut group: Vec<f64> = Vec::new();
    for v in values {
        if let Some(&last) = group.last() {
            if v - last > tol {
                out.push(group.iter().sum::<f64>() / group.len() as f64);
                group.clear();
            }
        }
        group.push(v);
    }
    if !group.is_empty() {
        out.push(group.iter().sum::<f64>() / group.len() as f64);
    }
    out
}

/// Share of `[a, b]` covered by the lines.
fn coverage(lines: &[Line], a: f64, b: f64) -> f64 {
    if b <= a {
        return 1.0;
    }
    let mut spans: Vec<(f64, f64)> = lines.iter().map(|l| (l.from.max(a), l.to.min(b))).filter(|s| s.1 > s.0).collect();
    spans.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut covered = 0.0;
    let mut end = a;
    for (s, e) in spans {
        let s = s.max(end);
        if e > s {
            covered += e - s;
            end = e;
        }
    }
    covered / (b - a)
}

/// Lines of `lines` at each edge position (within the tolerance).
fn lines_at(edges: &[f64], lines: &[Line]) -> Vec<Vec<Line>> {
    let mut out = vec![Vec::new(); edges.len()];
    for l in lines {
        let i = edges.partition_point(|&e| e < l.pos);
        let best = [i.wrapping_sub(1), i]
            .into_iter()
            .filter(|&k| k < edges.len())
            .min_by(|&p, &q| (edges[p] - l.pos).abs().total_cmp(&(edges[q] - l.pos).abs()));
        if let Some(k) = best {
            if (edges[k] - l.pos).abs() <= GRID_TOLERANCE {
                out[k].push(*l);
            }
        }
    }
    out
}

struct Slots {
    parent: Vec<usize>,
}

impl Slots {
    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
    }
}

/// Grid of a ruled region. A missing internal segment between two slots merges them; merged
/// groups are grown to rectangles. `None` for a single box (a frame around text is no table).
pub fn ruled_grid(region: &Region) -> Option<CellGrid> {
    let h = &region.horizontal;
    let v = &region.vertical;
    let x_extent = (h.iter().map(|l| l.from).fold(f64::MAX, f64::min), h.iter().map(|l| l.to).fold(f64::MIN, f64::max));
    let y_extent = (v.iter().map(|l| l.from).fold(f64::MAX, f64::min), v.iter().map(|l| l.to).fold(f64::MIN, f64::max));
    let xs = cluster(v.iter().map(|l| l.pos).chain([x_extent.0, x_extent.1]).collect(), GRID_TOLERANCE);
    let ys = cluster(h.iter().map(|l| l.pos).chain([y_extent.0, y_extent.1]).collect(), GRID_TOLERANCE);
    grid_from_lines(xs, ys, h, v)
}

/// Builds the cells of a grid given its edges and the drawn lines.
pub fn grid_from_lines(xs: Vec<f64>, ys: Vec<f64>, h: &[Line], v: &[Line]) -> Option<CellGrid> {
    let (nr, nc) = (ys.len().checked_sub(1)?, xs.len().checked_sub(1)?);
    if nr == 0 || nc == 0 || nr * nc < 2 {
        return None;
    }
    let v_at = lines_at(&xs, v);
    let h_at = lines_at(&ys, h);
    let mut slots = Slots { parent: (0..nr * nc).collect() };
    for r in 0..nr {
        for c in 0..nc {
            let i = r * nc + c;
            if c + 1 < nc && coverage(&v_at[c + 1], ys[r], ys[r + 1]) < COVERED_SHARE {
                slots.union(i, i + 1);
            }
            if r + 1 < nr && coverage(&h_at[r + 1], xs[c], xs[c + 1]) < COVERED_SHARE {
                slots.union(i, i + nc);
            }
        }
    }
    // Grow every merged group to its bounding rectangle (an L-shaped group means a segment was
    // drawn into a merged area; the cell is still the rectangle).
    loop {
        let mut rect: std::collections::HashMap<usize, (usize, usize, usize, usize)> = Default::default();
        for r in 0..nr {
            for c in 0..nc {
                let root = slots.find(r * nc + c);
                let e = rect.entry(root).or_insert((r, r, c, c));
                e.0 = e.0.min(r);
                e.1 = e.1.max(r);
                e.2 = e.2.min(c);
                e.3 = e.3.max(c);
            }
        }
        let mut changed = false;
        for (root, (r0, r1, c0, c1)) in rect {
            for r in r0..=r1 {
                for c in c0..=c1 {
                    if slots.find(r * nc + c) != slots.find(root) {
                        slots.union(root, r * nc + c);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut cells = Vec::new();
    let mut seen = vec![false; nr * nc];
    for r in 0..nr {
        for c in 0..nc {
            let root = slots.find(r * nc + c);
            if seen[root] {
                continue;
            }
            seen[root] = true;
            let mut r1 = r;
            while r1 + 1 < nr && slots.find((r1 + 1) * nc + c) == root {
                r1 += 1;
            }
            let mut c1 = c;
            while c1 + 1 < nc && slots.find(r * nc + c1 + 1) == root {
                c1 += 1;
            }
            cells.push(GridCell {
                row: r,
                col: c,
                row_span: r1 - r + 1,
                col_span: c1 - c + 1,
                bbox: [xs[c], ys[r], xs[c1 + 1], ys[r1 + 1]],
                text: String::new(),
            });
        }
    }
    Some(CellGrid { xs, ys, cells })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::text::tests::word;

    fn l(pos: f64, from: f64, to: f64) -> Line {
        Line { pos, from, to }
    }

    /// 3×3 grid on 0/30/60/90 (x) and 0/20/40/60 (y) where the first column's cells of rows 1–2
    /// are merged (the horizontal segment at y=40 is missing in column 0) and row 0's last two
    /// cells are merged (the vertical segment at x=60 is missing in row 0).
    fn region() -> Region {
        let horizontal = vec![l(0.0, 0.0, 90.0), l(20.0, 0.0, 90.0), l(40.0, 30.0, 90.0), l(60.0, 0.0, 90.0)];
        let vertical = vec![l(0.0, 0.0, 60.0), l(30.0, 0.0, 60.0), l(60.0, 20.0, 60.0), l(90.0, 0.0, 60.0)];
        Region { bbox: [0.0, 0.0, 90.0, 60.0], horizontal, vertical }
    }

    #[test]
    fn missing_segments_become_spans() {
        let g = ruled_grid(&region()).unwrap();
        assert_eq!((g.n_rows(), g.n_cols()), (3, 3));
        let spans: Vec<(usize, usize, usize, usize)> = g.cells.iter().map(|c| (c.row, c.col, c.row_span, c.col_span)).collect();
        assert_eq!(spans, vec![(0, 0, 1, 1), (0, 1, 1, 2), (1, 0, 2, 1), (1, 1, 1, 1), (1, 2, 1, 1), (2, 1, 1, 1), (2, 2, 1, 1)]);
    }

    #[test]
    fn glyphs_go_to_the_cell_holding_their_centre() {
        let mut g = ruled_grid(&region()).unwrap();
        // "overflowing" starts in cell (1,1) and runs past x=60 into (1,2): the glyphs whose
        // centres are beyond 60 belong to (1,2), the rest stay; a label centred in the merged
        // column-0 cell lands there.
        let mut glyphs = word("金额", 33.0, 24.0, 10.0);
        glyphs.extend(word("合计", 5.0, 35.0, 10.0));
        glyphs.extend(word("数量", 63.0, 44.0, 10.0));
        let used = g.fill_text(&glyphs);
        assert!(used.iter().all(|&u| u));
        let text = |r: usize, c: usize| g.cells.iter().find(|x| x.row == r && x.col == c).unwrap().text.clone();
        assert_eq!(text(1, 1), "金额");
        assert_eq!(text(1, 0), "合计");
        assert_eq!(text(2, 2), "数量");
        assert_eq!(text(1, 2), "");
    }

    #[test]
    fn overflowing_text_does_not_leak_into_the_neighbour() {
        let mut g = ruled_grid(&region()).unwrap();
        // One run of glyphs from x=42 to x=72 in row 1: it starts in (1,1) and runs on into
        // (1,2) without a gap, "支" (57–64.5) lying across the border at 60; a separate word in
        // (1,2) after a gap stays there.
        let mut glyphs = word("项目支出", 42.0, 24.0, 7.5);
        glyphs.extend(word("5", 80.0, 24.0, 7.5));
        g.fill_text(&glyphs);
        let text = |r: usize, c: usize| g.cells.iter().find(|x| x.row == r && x.col == c).unwrap().text.clone();
        assert_eq!(text(1, 1), "项目支出");
        assert_eq!(text(1, 2), "5");
    }

    #[test]
    fn amounts_touching_at_a_border_keep_their_own_cells() {
        let mut g = ruled_grid(&region()).unwrap();
        // Row 1: an amount in (1,1) right-aligned up to 0.3 pt before the border at 60, the next
        // amount in (1,2) starting 0.3 pt after it: no glyph lies across the line.
        let mut glyphs = word("96.42", 34.7, 24.0, 10.0);
        glyphs.extend(word("96.42", 60.3, 24.0, 10.0));
        g.fill_text(&glyphs);
        let text = |r: usize, c: usize| g.cells.iter().find(|x| x.row == r && x.col == c).unwrap().text.clone();
        assert_eq!(text(1, 1), "96.42");
        assert_eq!(text(1, 2), "96.42");
    }

    /// Box 0..300 × 0..(20·rows) with horizontal lines between rows and vertical lines at
    /// `inner_x` drawn only through the first row (a header with column lines, body without).
    fn header_ruled(rows: usize, inner_x: &[f64]) -> Region {
        let bottom = 20.0 * rows as f64;
        let horizontal = (0..=rows).map(|r| l(20.0 * r as f64, 0.0, 300.0)).collect();
        let mut vertical = vec![l(0.0, 0.0, bottom), l(300.0, 0.0, bottom)];
        vertical.extend(inner_x.iter().map(|&x| l(x, 0.0, 20.0)));
        Region { bbox: [0.0, 0.0, 300.0, bottom], horizontal, vertical }
    }

    #[test]
    fn merges_that_only_reflect_undrawn_column_lines_are_split() {
        let mut g = ruled_grid(&header_ruled(4, &[100.0, 200.0])).unwrap();
        let mut glyphs = Vec::new();
        for r in 1..4 {
            let top = 20.0 * r as f64 + 5.0;
            glyphs.extend(word("Austria", 5.0, top, 8.0));
            glyphs.extend(word("86.2", 120.0, top, 8.0));
            glyphs.extend(word("3,375", 220.0, top, 8.0));
        }
        assert_eq!(g.cells.iter().filter(|c| c.col_span == 3).count(), 3);
        g.split_false_merges(&glyphs);
        g.fill_text(&glyphs);
        assert!(g.cells.iter().all(|c| c.col_span == 1));
        let text = |r: usize, c: usize| g.cells.iter().find(|x| x.row == r && x.col == c).unwrap().text.clone();
        assert_eq!((text(2, 0), text(2, 1), text(2, 2)), ("Austria".into(), "86.2".into(), "3,375".into()));
    }

    #[test]
    fn a_real_merged_cell_with_one_text_run_stays_merged() {
        let mut g = ruled_grid(&header_ruled(4, &[100.0, 200.0])).unwrap();
        let mut glyphs = Vec::new();
        for r in 1..4 {
            // One CJK run crossing both undrawn boundaries in every row.
            glyphs.extend(word("用于行政审批等专家评审费用的支出网络数据平台建设", 10.0, 20.0 * r as f64 + 5.0, 10.0));
        }
        g.split_false_merges(&glyphs);
        assert_eq!(g.cells.iter().filter(|c| c.col_span == 3).count(), 3);
    }

    #[test]
    fn tall_rows_of_aligned_lines_are_split_but_wrapped_cells_are_not() {
        // One tall row (0..100) in three columns holding five aligned lines each.
        let r = Region {
            bbox: [0.0, 0.0, 300.0, 100.0],
            horizontal: vec![l(0.0, 0.0, 300.0), l(100.0, 0.0, 300.0)],
            vertical: vec![l(0.0, 0.0, 100.0), l(100.0, 0.0, 100.0), l(200.0, 0.0, 100.0), l(300.0, 0.0, 100.0)],
        };
        let mut g = ruled_grid(&r).unwrap();
        let mut glyphs = Vec::new();
        for i in 0..5 {
            let top = 5.0 + 18.0 * i as f64;
            glyphs.extend(word(&format!("Row{i}"), 5.0, top, 8.0));
            glyphs.extend(word(&format!("{i}0"), 120.0, top, 8.0));
            glyphs.extend(word(&format!("{i}5"), 220.0, top, 8.0));
        }
        g.split_rows_by_text(&glyphs);
        assert_eq!(g.n_rows(), 5);
        g.fill_text(&glyphs);
        assert_eq!(g.cells.iter().find(|c| c.row == 3 && c.col == 2).unwrap().text, "35");

        // The same row where only one cell wraps over four lines and the others hold one line.
        let mut g = ruled_grid(&r).unwrap();
        let mut glyphs = Vec::new();
        for i in 0..4 {
            glyphs.extend(word("项目资金主要用于", 5.0, 5.0 + 14.0 * i as f64, 10.0));
        }
        glyphs.extend(word("100", 120.0, 40.0, 10.0));
        glyphs.extend(word("工作要求", 220.0, 40.0, 10.0));
        g.split_rows_by_text(&glyphs);
        assert_eq!(g.n_rows(), 1);

        // Three lines, a section label among them: figures stacked in two cells are rows.
        let mut g = ruled_grid(&r).unwrap();
        let mut glyphs = Vec::new();
        for (i, (label, figures)) in [("Cohort", false), ("Treated", true), ("Control", true)].into_iter().enumerate() {
            let top = 5.0 + 18.0 * i as f64;
            glyphs.extend(word(label, 5.0, top, 8.0));
            if figures {
                glyphs.extend(word(&format!("{i}1.5%"), 120.0, top, 8.0));
                glyphs.extend(word(&format!("{i}8.5%"), 220.0, top, 8.0));
            }
        }
        g.split_rows_by_text(&glyphs);
        assert_eq!(g.n_rows(), 3);
        g.fill_text(&glyphs);
        assert_eq!(g.cells.iter().find(|c| c.row == 2 && c.col == 2).unwrap().text, "28.5%");

        // A header row whose labels wrap over four lines in every column: one row.
        let mut g = ruled_grid(&r).unwrap();
        let mut glyphs = Vec::new();
        for (i, words) in [["Number", "Pct", "Share"], ["of", "of", "of"], ["listed", "all", "FTSE"], ["firms", "firms", "firms"]].into_iter().enumerate() {
            for (k, w) in words.into_iter().enumerate() {
                glyphs.extend(word(w, 5.0 + 100.0 * k as f64, 5.0 + 18.0 * i as f64, 8.0));
            }
        }
        g.split_rows_by_text(&glyphs);
        assert_eq!(g.n_rows(), 1);
    }

    #[test]
    fn a_ruled_column_holding_aligned_text_columns_is_split() {
        let r = Region {
            bbox: [0.0, 0.0, 300.0, 80.0],
            horizontal: (0..=4).map(|i| l(20.0 * i as f64, 0.0, 300.0)).collect(),
            vertical: vec![l(0.0, 0.0, 80.0), l(100.0, 0.0, 80.0), l(300.0, 0.0, 80.0)],
        };
        let mut g = ruled_grid(&r).unwrap();
        let mut glyphs = Vec::new();
        for i in 0..4 {
            let top = 20.0 * i as f64 + 5.0;
            glyphs.extend(word("State", 5.0, top, 8.0));
            glyphs.extend(word("1,234", 120.0, top, 8.0));
            glyphs.extend(word("5,678", 220.0, top, 8.0));
        }
        g.split_columns_by_text(&glyphs);
        assert_eq!(g.n_cols(), 3);
        g.fill_text(&glyphs);
        assert_eq!(g.cells.iter().find(|c| c.row == 1 && c.col == 2).unwrap().text, "5,678");
    }

    #[test]
    fn a_group_header_over_aligned_text_columns_spans_them() {
        // Ruled between column groups only; the group's header row names the group on one line
        // (across the text columns) and its columns on the next.
        let r = Region {
            bbox: [0.0, 0.0, 300.0, 100.0],
            horizontal: [0.0, 30.0, 100.0].into_iter().map(|y| l(y, 0.0, 300.0)).collect(),
            vertical: vec![l(0.0, 0.0, 100.0), l(100.0, 0.0, 100.0), l(300.0, 0.0, 100.0)],
        };
        let mut g = ruled_grid(&r).unwrap();
        let mut glyphs = word("Age", 5.0, 3.0, 8.0);
        glyphs.extend(word("Non-Hispanic-white", 130.0, 3.0, 8.0));
        glyphs.extend(word("Male", 120.0, 15.0, 8.0));
        glyphs.extend(word("Female", 220.0, 15.0, 8.0));
        for i in 0..4 {
            let top = 35.0 + 15.0 * i as f64;
            glyphs.extend(word(&format!("{i}-5"), 5.0, top, 8.0));
            glyphs.extend(word("1,234", 120.0, top, 8.0));
            glyphs.extend(word("5,678", 220.0, top, 8.0));
        }
        g.split_columns_by_text(&glyphs);
        assert_eq!(g.n_cols(), 3);
        let header = g.cells.iter().find(|c| c.row == 0 && c.col == 1).unwrap();
        assert_eq!(header.col_span, 2);
    }

    #[test]
    fn a_single_box_is_not_a_grid() {
        let r = Region {
            bbox: [0.0, 0.0, 10.0, 10.0],
            horizontal: vec![l(0.0, 0.0, 10.0), l(10.0, 0.0, 10.0)],
            vertical: vec![l(0.0, 0.0, 10.0), l(10.0, 0.0, 10.0)],
        };
        assert!(ruled_grid(&r).is_none());
    }
}
