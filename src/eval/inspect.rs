//! `yusuan inspect`: a page drawn with what the extractor saw: glyph boxes in grey, ruling lines
//! in red, table regions in blue, grid cells in green with merged cells shaded, so a person sees
//! at a glance why a table came out wrong.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;

use super::report::esc;

/// `yusuan inspect` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct InspectArgs {
    /// The PDF to draw.
    pub file: PathBuf,
    /// 1-based page.
    #[arg(long, default_value_t = 1)]
    pub page: u32,
    /// Where the SVG is written.
    #[arg(long)]
    pub svg: PathBuf,
}

/// Everything drawn on one page, in top-left-origin PDF points.
#[derive(Debug, Clone, Default)]
pub struct Scene {
    pub width: f64,
    pub height: f64,
    /// [x0, top, x1, bottom] and the character.
    pub glyphs: Vec<([f64; 4], char)>,
    /// Segments (x0, y0, x1, y1).
    pub rulings: Vec<[f64; 4]>,
    /// Table regions [x0, top, x1, bottom].
    pub regions: Vec<[f64; 4]>,
    /// Grid cells: box, merged (spans more than one slot), label "r,c".
    pub cells: Vec<SceneCell>,
}

#[derive(Debug, Clone)]
pub struct SceneCell {
    pub bbox: [f64; 4],
    pub merged: bool,
    pub label: String,
}

/// Drawn size per PDF point: pages are small on screen at 1 px per point.
const SCALE: f64 = 1.5;
/// Points added below the page for the legend.
const LEGEND_HEIGHT: f64 = 20.0;

/// The SVG of a scene: the page as a white sheet, then (bottom to top) merged-cell shading, glyph
/// boxes, grid cells, regions, rulings, so the rulings stay visible over everything.
pub fn render_svg(s: &Scene, title: &str) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{sw:.0}" height="{sh:.0}" viewBox="0 0 {w:.2} {vh:.2}"><title>{t}</title><rect x="0" y="0" width="{w:.2}" height="{vh:.2}" fill="#f4f4f4"/><rect x="0" y="0" width="{w:.2}" height="{h:.2}" fill="#fff" stroke="#000" stroke-width="0.5"/>"##,
        w = s.width.max(1.0),
        h = s.height.max(1.0),
        vh = s.height.max(1.0) + LEGEND_HEIGHT,
        sw = SCALE * s.width.max(1.0),
        sh = SCALE * (s.height.max(1.0) + LEGEND_HEIGHT),
        t = esc(title)
    );
    o.push_str(r##"<g id="merged" fill="#3cb371" fill-opacity="0.25" stroke="none">"##);
    for c in s.cells.iter().filter(|c| c.merged) {
        let [x0, y0, x1, y1] = c.bbox;
        let _ = write!(o, r#"<rect x="{x0:.2}" y="{y0:.2}" width="{:.2}" height="{:.2}"/>"#, x1 - x0, y1 - y0);
    }
    o.push_str("</g>");
    o.push_str(r##"<g id="glyphs" fill="#bbb" fill-opacity="0.6" stroke="none">"##);
    for (b, _) in &s.glyphs {
        let _ = write!(o, r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}"/>"#, b[0], b[1], b[2] - b[0], b[3] - b[1]);
    }
    o.push_str("</g>");
    // The characters themselves, faint, so a misplaced glyph can be read without the PDF open.
    o.push_str(r##"<g id="text" fill="#444" font-family="Noto Sans CJK SC, sans-serif">"##);
    for (b, ch) in &s.glyphs {
        let size = (b[3] - b[1]).max(1.0);
        let mut buf = [0u8; 4];
        let _ = write!(
            o,
            r#"<text x="{:.2}" y="{:.2}" font-size="{:.2}">{}</text>"#,
            b[0],
            b[3] - 0.18 * size,
            0.85 * size,
            esc(ch.encode_utf8(&mut buf))
        );
    }
    o.push_str("</g>");
    o.push_str(r##"<g id="cells" fill="none" stroke="#2e8b57" stroke-width="0.8">"##);
    for c in &s.cells {
        let [x0, y0, x1, y1] = c.bbox;
        let _ = write!(
            o,
            r#"<rect x="{x0:.2}" y="{y0:.2}" width="{:.2}" height="{:.2}"><title>{}</title></rect>"#,
            x1 - x0,
            y1 - y0,
            esc(&c.label)
        );
    }
    o.push_str("</g>");
    o.push_str(r##"<g id="regions" fill="none" stroke="#1e5bd8" stroke-width="2" stroke-dasharray="6 3">"##);
    for r in &s.regions {
        let _ = write!(o, r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}"/>"#, r[0], r[1], r[2] - r[0], r[3] - r[1]);
    }
    o.push_str("</g>");
    o.push_str(r##"<g id="rulings" stroke="#e00" stroke-width="1.2">"##);
    for l in &s.rulings {
        let _ = write!(o, r#"<line x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}"/>"#, l[0], l[1], l[2], l[3]);
    }
    o.push_str("</g>");
    // The legend sits below the page so it never hides anything drawn on it.
    let y = s.height.max(1.0) + 13.0;
    let _ = write!(
        o,
        r##"<g id="legend" font-size="9" font-family="sans-serif"><rect x="6" y="{y0:.2}" width="10" height="8" fill="#bbb"/><text x="19" y="{y:.2}">glyph</text><line x1="60" y1="{ym:.2}" x2="74" y2="{ym:.2}" stroke="#e00" stroke-width="1.2"/><text x="78" y="{y:.2}">ruling line</text><rect x="135" y="{y0:.2}" width="14" height="8" fill="none" stroke="#1e5bd8" stroke-width="1.5" stroke-dasharray="4 2"/><text x="153" y="{y:.2}">region</text><rect x="195" y="{y0:.2}" width="14" height="8" fill="none" stroke="#2e8b57"/><text x="213" y="{y:.2}">grid cell</text><rect x="262" y="{y0:.2}" width="14" height="8" fill="#3cb371" fill-opacity="0.25" stroke="#2e8b57"/><text x="280" y="{y:.2}">merged cell ({m})</text><text x="{wr:.2}" y="{y:.2}" text-anchor="end">{g} glyphs · {r} lines · {n} regions · {c} cells</text></g>"##,
        y0 = y - 7.5,
        ym = y - 3.5,
        m = s.cells.iter().filter(|c| c.merged).count(),
        wr = s.width.max(1.0) - 6.0,
        g = s.glyphs.len(),
        r = s.rulings.len(),
        n = s.regions.len(),
        c = s.cells.len()
    );
    o.push_str("</svg>\n");
    o
}

pub fn run(args: InspectArgs) -> anyhow::Result<i32> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let scene = build_scene(&args.file.display().to_string(), &bytes, args.page)?;
    let svg = render_svg(&scene, &format!("{} page {}", args.file.display(), args.page));
    std::fs::write(&args.svg, svg).with_context(|| format!("cannot write {}", args.svg.display()))?;
    eprintln!(
        "{}: page {}: {} glyphs, {} ruling lines, {} regions, {} grid cells → {}",
        args.file.display(),
        args.page,
        scene.glyphs.len(),
        scene.rulings.len(),
        scene.regions.len(),
        scene.cells.len(),
        args.svg.display()
    );
    Ok(0)
}

/// Decodes the page and collects what the layout stage saw on it: glyphs, merged ruling lines,
/// regions of connected rulings and the page's grids (ruled and open tables, before stitching).
pub fn build_scene(name: &str, bytes: &[u8], page: u32) -> anyhow::Result<Scene> {
    let limits = crate::Limits::default();
    let deadline = crate::limits::Deadline::start(limits.time_budget);
    let fail = |e: crate::ExtractError| anyhow::anyhow!("{name}: {}", super::error_text(&e));
    if crate::decode::sniff(bytes).map_err(fail)? != crate::Format::Pdf {
        anyhow::bail!("{name} is not a PDF: inspect draws PDF pages (a DOCX grid is explicit)");
    }
    let doc = crate::decode::pdf::decode(bytes, &limits, &deadline).map_err(fail)?;
    let Some(p) = page.checked_sub(1).and_then(|i| doc.pages.get(i as usize)) else {
        anyhow::bail!("{name} has {} pages; --page {page} is outside them", doc.pages.len());
    };
    Ok(scene_of_page(p))
}

/// The scene of one decoded page.
pub fn scene_of_page(p: &crate::decode::pdf::Page) -> Scene {
    let mut scene = Scene { width: p.width, height: p.height, ..Default::default() };
    scene.glyphs =
        p.glyphs.iter().filter(|g| !g.ch.is_whitespace()).map(|g| ([g.x0, g.top, g.x1, g.bottom], g.ch)).collect();
    let debug = crate::layout::debug_page(p);
    scene.rulings.extend(debug.lines.horizontal.iter().map(|l| [l.from, l.pos, l.to, l.pos]));
    scene.rulings.extend(debug.lines.vertical.iter().map(|l| [l.pos, l.from, l.pos, l.to]));
    scene.regions = debug.regions.iter().map(|r| r.bbox).collect();
    for (i, grid) in debug.grids.iter().enumerate() {
        for c in &grid.cells {
            let text: String = c.text.chars().take(40).collect();
            scene.cells.push(SceneCell {
                bbox: c.bbox,
                merged: c.row_span > 1 || c.col_span > 1,
                label: format!("grid {i} r{} c{} {}×{}: {text}", c.row, c.col, c.row_span, c.col_span),
            });
        }
    }
    scene
}
