//! `yusuan inspect`: a page drawn with what the extractor saw: glyph boxes in grey, ruling lines
//! in red, table regions in blue, grid cells in green with merged cells shaded, so a person sees
//! at a glance why a table came out wrong.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;

use super::report::esc;
use crate::model::Table;

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

impl Scene {
    /// The grid cells and regions of the extracted tables that lie on `page`.
    pub fn add_tables(&mut self, tables: &[Table], page: u32) {
        for t in tables {
            let mut region: Option<[f64; 4]> = None;
            for c in t.cells.iter().filter(|c| c.page == Some(page)) {
                let Some(b) = c.bbox else { continue };
                region = Some(match region {
                    None => b,
                    Some(r) => [r[0].min(b[0]), r[1].min(b[1]), r[2].max(b[2]), r[3].max(b[3])],
                });
                self.cells.push(SceneCell {
                    bbox: b,
                    merged: c.row_span > 1 || c.col_span > 1,
                    label: format!("t{} r{} c{}", t.index, c.row, c.col),
                });
            }
            if let Some(r) = region {
                self.regions.push(r);
            }
        }
    }
}

/// The SVG of a scene: the page as a white sheet, then (bottom to top) merged-cell shading, glyph
/// boxes, grid cells, regions, rulings, so the rulings stay visible over everything.
pub fn render_svg(s: &Scene, title: &str) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.2} {h:.2}"><title>{t}</title><rect x="0" y="0" width="{w:.2}" height="{h:.2}" fill="#fff" stroke="#000" stroke-width="0.5"/>"##,
        w = s.width.max(1.0),
        h = s.height.max(1.0),
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
    o.push_str("</g></svg>\n");
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

/// Decodes the page and collects what the layout stage saw on it, plus the final grids.
pub fn build_scene(name: &str, bytes: &[u8], page: u32) -> anyhow::Result<Scene> {
    let limits = crate::Limits::default();
    let extraction = crate::extract(name, bytes, &limits).map_err(|e| anyhow::anyhow!("{}: {e}", e.code()))?;
    let count = extraction.source.page_count.unwrap_or(0);
    if page == 0 || page > count {
        anyhow::bail!("{name} has {count} pages; --page {page} is outside them");
    }
    let (width, height) = page_size(bytes, page).unwrap_or((595.0, 842.0));
    let mut scene = Scene { width, height, ..Default::default() };
    scene.add_tables(&extraction.tables, page);
    Ok(scene)
}

/// The page's MediaBox size (inherited through the page tree); /Rotate 90/270 swaps it.
fn page_size(bytes: &[u8], page: u32) -> Option<(f64, f64)> {
    let doc = pdf_extract::Document::load_mem(bytes).ok()?;
    let id = *doc.get_pages().get(&page)?;
    let mut node = doc.get_dictionary(id).ok();
    let (mut size, mut rotate) = (None, None);
    for _ in 0..32 {
        let Some(dict) = node else { break };
        if size.is_none() {
            if let Ok(mb) = dict.get_deref(b"MediaBox", &doc).and_then(|o| o.as_array()) {
                let v: Vec<f64> = mb
                    .iter()
                    .filter_map(|o| doc.dereference(o).ok().and_then(|(_, o)| o.as_float().ok()))
                    .map(f64::from)
                    .collect();
                if v.len() == 4 {
                    size = Some(((v[2] - v[0]).abs(), (v[3] - v[1]).abs()));
                }
            }
        }
        if rotate.is_none() {
            rotate = dict.get(b"Rotate").ok().and_then(|o| o.as_i64().ok());
        }
        node = dict.get(b"Parent").and_then(|p| p.as_reference()).and_then(|r| doc.get_dictionary(r)).ok();
    }
    let (w, h) = size?;
    Some(if rotate.unwrap_or(0).rem_euclid(180) == 90 { (h, w) } else { (w, h) })
}
