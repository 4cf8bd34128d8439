//! Affine transforms in PDF's row-vector convention and the page frame that maps user space to
//! the displayed page (top-left origin, y down, `/Rotate` applied).

/// `[a b c d e f]`: x' = a·x + c·y + e, y' = b·x + d·y + f (PDF's `cm` / `Tm` layout).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine(pub [f64; 6]);

impl Affine {
    pub const IDENTITY: Affine = Affine([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self` applied first, then `then` (PDF's `cm` is `M × CTM`: `m.then(ctm)`).
    pub fn then(&self, then: &Affine) -> Affine {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = then.0;
        Affine([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    /// Geometric mean scale: how a line width or font size grows under this transform.
    pub fn scale(&self) -> f64 {
        let [a, b, c, d, _, _] = self.0;
        (a * d - b * c).abs().sqrt()
    }
}

/// Maps PDF user space (y up, origin at the MediaBox's lower-left) to the page as displayed:
/// origin top-left, y down, in points, after the page's `/Rotate`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageFrame {
    pub llx: f64,
    pub lly: f64,
    /// Unrotated MediaBox size.
    pub media_width: f64,
    pub media_height: f64,
    /// 0, 90, 180 or 270 (clockwise, as `/Rotate`).
    pub rotate: u16,
}

impl PageFrame {
    pub fn new(media_box: [f64; 4], rotate: i64) -> Self {
        let (x0, x1) = (media_box[0].min(media_box[2]), media_box[0].max(media_box[2]));
        let (y0, y1) = (media_box[1].min(media_box[3]), media_box[1].max(media_box[3]));
        PageFrame {
            llx: x0,
            lly: y0,
            media_width: (x1 - x0).max(1.0),
            media_height: (y1 - y0).max(1.0),
            rotate: (rotate.rem_euclid(360) / 90 * 90) as u16,
        }
    }

    /// Displayed width and height.
    pub fn display_size(&self) -> (f64, f64) {
        if self.rotate % 180 == 90 {
            (self.media_height, self.media_width)
        } else {
            (self.media_width, self.media_height)
        }
    }

    /// A user-space point on the displayed page.
    pub fn to_display(&self, x: f64, y: f64) -> (f64, f64) {
        let u = x - self.llx;
        let v = y - self.lly;
        let (w, h) = (self.media_width, self.media_height);
        match self.rotate {
            90 => (v, u),
            180 => (w - u, v),
            270 => (h - v, w - u),
            _ => (u, h - v),
        }
    }

    /// A user-space direction vector on the displayed page (y down).
    pub fn vector_to_display(&self, dx: f64, dy: f64) -> (f64, f64) {
        match self.rotate {
            90 => (dy, dx),
            180 => (-dx, dy),
            270 => (-dy, -dx),
            _ => (dx, -dy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_maps_corners_like_a_viewer() {
        // A4 portrait media box shown rotated 90° clockwise: the lower-left corner of the media box
        // becomes the top-left of the landscape page, the upper-left becomes the top-right.
        let f = PageFrame::new([0.0, 0.0, 595.0, 842.0], 90);
        assert_eq!(f.display_size(), (842.0, 595.0));
        assert_eq!(f.to_display(0.0, 0.0), (0.0, 0.0));
        assert_eq!(f.to_display(0.0, 842.0), (842.0, 0.0));
        assert_eq!(f.to_display(595.0, 0.0), (0.0, 595.0));
        let f0 = PageFrame::new([0.0, 0.0, 595.0, 842.0], 0);
        assert_eq!(f0.to_display(10.0, 842.0), (10.0, 0.0));
        let f270 = PageFrame::new([0.0, 0.0, 595.0, 842.0], -90);
        assert_eq!(f270.rotate, 270);
        assert_eq!(f270.to_display(595.0, 842.0), (0.0, 0.0));
    }

    #[test]
    fn cm_composes_in_pdf_order() {
        let ctm = Affine([2.0, 0.0, 0.0, 2.0, 10.0, 0.0]);
        let m = Affine([1.0, 0.0, 0.0, 1.0, 5.0, 5.0]);
        // `m cm` on top of ctm: translate by 5 in the scaled space → 10 + 2·5.
        assert_eq!(m.then(&ctm).apply(0.0, 0.0), (20.0, 10.0));
    }
}
