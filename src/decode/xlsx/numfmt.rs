//! A cell's value → the text Excel prints for it, from its number format code: what a reader of
//! the PDF of the same table would see ("1,234.50", "12.5%", "2023年1月1日"). Covers the formats
//! budget sheets use: digit placeholders with grouping and decimals, percent, sign sections,
//! literal text (quoted, escaped or bare CJK), colours and locale tags (ignored), and dates.
//! Anything else (fractions, scientific) prints as General.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

/// A number as Excel's General format shows it for budget figures: at most 15 significant digits
/// (Excel's precision: a sum saved as 0.30000000000000004 shows as 0.3), integers without
/// decimals, otherwise the shortest form.
pub fn general(value: f64) -> String {
    let shortest = format!("{value}");
    let significant = shortest.trim_start_matches(['-', '0', '.']).bytes().filter(u8::is_ascii_digit).count();
    let value: f64 = if significant > 15 { format!("{value:.14e}").parse().unwrap_or(value) } else { value };
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// Splits a format code into its sections at unquoted, unescaped ';'.
fn sections(code: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let (mut quoted, mut escaped) = (false, false);
    for ch in code.chars() {
        let current = out.last_mut().expect("at least one section");
        if escaped {
            escaped = false;
            current.push(ch);
            continue;
        }
        match ch {
            '\\' => {
                escaped = true;
                current.push(ch);
            }
            '"' => {
                quoted = !quoted;
                current.push(ch);
            }
            ';' if !quoted => out.push(String::new()),
            _ => current.push(ch),
        }
    }
    out
}

/// A format's pieces once literals are separated from placeholders.
enum Piece {
    Literal(String),
    /// The number itself: the digit placeholders, '.' and ',' of the pattern.
    Number(String),
}

fn pieces(section: &str) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let push_literal = |out: &mut Vec<Piece>, text: &str| match out.last_mut() {
        Some(Piece::Literal(l)) => l.push_str(text),
        _ => out.push(Piece::Literal(text.to_string())),
    };
    let mut chars = section.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' => {
                let mut text = String::new();
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                    text.push(c);
                }
                push_literal(&mut out, &text);
            }
            '\\' => {
                if let Some(c) = chars.next() {
                    push_literal(&mut out, &c.to_string());
                }
            }
            // `_x` leaves the width of x blank, `*x` repeats x to fill the cell: neither is text.
            '_' | '*' => {
                chars.next();
            }
            '[' => {
                // [Red], [>=100], [$-804] are not printed; [$¥-804] prints its currency symbol.
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    inner.push(c);
                }
                if let Some(symbol) = inner.strip_prefix('$') {
                    push_literal(&mut out, symbol.split('-').next().unwrap_or(""));
                }
            }
            '0' | '#' | '?' | '.' | ',' => {
                let continues_number = matches!(out.last(), Some(Piece::Number(_)));
                // A ',' or '.' outside a number pattern is plain text ("单位, 元").
                if !continues_number && matches!(ch, '.' | ',') {
                    push_literal(&mut out, &ch.to_string());
                } else if let Some(Piece::Number(n)) = out.last_mut() {
                    n.push(ch);
                } else {
                    out.push(Piece::Number(ch.to_string()));
                }
            }
            'E' | 'e' if matches!(out.last(), Some(Piece::Number(_))) && matches!(chars.peek(), Some('+' | '-')) => {
                // Scientific notation: not used for budget figures; the caller falls back.
                return Vec::new();
            }
            _ => push_literal(&mut out, &ch.to_string()),
        }
    }
    out
}

/// A section is a date format when, outside quotes, escapes and brackets, it holds a y/d/h/s
/// token, or m without digit placeholders ("m月" is a month, not "0.0m").
fn is_date_format(section: &str) -> bool {
    let (mut tokens, mut quoted, mut skip, mut depth) = (String::new(), false, false, 0u32);
    for c in section.to_ascii_lowercase().chars() {
        if skip {
            skip = false;
            continue;
        }
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '\\' | '_' | '*' => skip = true,
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => tokens.push(c),
            _ => {}
        }
    }
    let has_digits = tokens.contains('0') || tokens.contains('#');
    tokens.chars().any(|c| matches!(c, 'y' | 'd' | 'h' | 's')) || (tokens.contains('m') && !has_digits)
}

/// Renders `value` with the format `code`. `code` "General" (any case) or "@" prints General.
pub fn render(value: f64, code: &str) -> String {
    let trimmed = code.trim();
    if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("general") || trimmed == "@" {
        return general(value);
    }
    let sections = sections(trimmed);
    if is_date_format(&sections[0]) {
        return date(value, &sections[0]).unwrap_or_else(|| general(value));
    }
    let (section, signed) = if value < 0.0 && sections.len() >= 2 {
        (&sections[1], false)
    } else if value == 0.0 && sections.len() >= 3 {
        (&sections[2], false)
    } else {
        (&sections[0], value < 0.0)
    };
    let pieces = pieces(section);
    if pieces.is_empty() {
        return general(value);
    }
    let percent = pieces.iter().filter(|p| matches!(p, Piece::Literal(l) if l.contains('%'))).count();
    let Ok(mut number) = Decimal::from_str(&format!("{}", value.abs())) else { return general(value) };
    for _ in 0..percent.min(3) {
        number *= Decimal::ONE_HUNDRED;
    }
    let mut out = String::new();
    if signed {
        out.push('-');
    }
    let mut number_written = false;
    for piece in pieces {
        match piece {
            Piece::Literal(l) => out.push_str(&l),
            Piece::Number(pattern) if !number_written => {
                out.push_str(&digits(number, &pattern));
                number_written = true;
            }
            Piece::Number(pattern) => out.push_str(&pattern),
        }
    }
    out
}

/// The number part: `pattern` like "#,##0.00", "0", "#,##0,," (trailing commas scale by 1000).
fn digits(mut number: Decimal, pattern: &str) -> String {
    let trailing_commas = pattern.len() - pattern.trim_end_matches(',').len();
    for _ in 0..trailing_commas.min(4) {
        number /= Decimal::ONE_THOUSAND;
    }
    let pattern = pattern.trim_end_matches(',');
    let (int_pattern, frac_pattern) = pattern.split_once('.').unwrap_or((pattern, ""));
    let decimals = frac_pattern.chars().filter(|c| matches!(c, '0' | '#' | '?')).count() as u32;
    let required_decimals = frac_pattern.chars().filter(|c| *c == '0').count();
    let grouping = int_pattern.contains(',');
    let min_int_digits = int_pattern.chars().filter(|c| *c == '0').count();
    let rounded = number.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.*}", decimals as usize, rounded);
    let (int_text, frac_text) = text.split_once('.').unwrap_or((&text, ""));
    let mut int_digits = int_text.trim_start_matches('0').to_string();
    while int_digits.len() < min_int_digits {
        int_digits.insert(0, '0');
    }
    if grouping {
        let bytes: Vec<char> = int_digits.chars().collect();
        let mut grouped = String::new();
        for (i, c) in bytes.iter().enumerate() {
            if i > 0 && (bytes.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(*c);
        }
        int_digits = grouped;
    }
    // Optional decimals (#) drop trailing zeros down to the required ones.
    let mut frac = frac_text.to_string();
    while frac.len() > required_decimals && frac.ends_with('0') {
        frac.pop();
    }
    if frac.is_empty() {
        if frac_pattern.is_empty() && !pattern.contains('.') {
            int_digits
        } else {
            format!("{int_digits}.")
        }
    } else {
        format!("{int_digits}.{frac}")
    }
}

/// An Excel serial date (1900 system, with its phantom 1900-02-29) → civil date.
fn civil_from_serial(serial: f64) -> Option<(i64, u32, u32, u32, u32, u32)> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let mut days = serial.floor() as i64;
    let seconds = ((serial - serial.floor()) * 86_400.0).round() as u32;
    if days >= 60 {
        days -= 1; // Excel's 1900-02-29 does not exist
    }
    // Serial 25 569 is 1970-01-01, one day less once the phantom day is taken out.
    let z = days - 25_568 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some((y, m, d, seconds / 3600, seconds / 60 % 60, seconds % 60))
}

/// A date format: y, m, d, h, s tokens (m after h is minutes), everything else literal.
fn date(serial: f64, section: &str) -> Option<String> {
    let (y, mo, d, h, mi, s) = civil_from_serial(serial)?;
    let mut out = String::new();
    let chars: Vec<char> = section.chars().collect();
    let mut i = 0;
    let mut after_hour = false;
    while i < chars.len() {
        let c = chars[i];
        let run = chars[i..].iter().take_while(|&&x| x.eq_ignore_ascii_case(&c)).count();
        match c.to_ascii_lowercase() {
            '"' => {
                let end = chars[i + 1..].iter().position(|&x| x == '"').map_or(chars.len(), |p| i + 1 + p);
                out.extend(&chars[i + 1..end]);
                i = end + 1;
                continue;
            }
            '\\' => {
                if let Some(next) = chars.get(i + 1) {
                    out.push(*next);
                }
                i += 2;
                continue;
            }
            '[' => {
                i += chars[i..].iter().position(|&x| x == ']').map_or(chars.len() - i, |p| p + 1);
                continue;
            }
            'y' => out.push_str(&if run <= 2 { format!("{:02}", y % 100) } else { format!("{y}") }),
            'm' if after_hour => out.push_str(&format!("{mi:02}")),
            'm' => out.push_str(&if run >= 2 { format!("{mo:02}") } else { mo.to_string() }),
            'd' => out.push_str(&if run >= 2 { format!("{d:02}") } else { d.to_string() }),
            'h' => {
                out.push_str(&if run >= 2 { format!("{h:02}") } else { h.to_string() });
                after_hour = true;
            }
            's' => out.push_str(&format!("{s:02}")),
            _ => {
                out.push(c);
                i += 1;
                continue;
            }
        }
        i += run;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_budget_number_formats_as_printed() {
        assert_eq!(render(314266470.92, "#,##0.00"), "314,266,470.92");
        assert_eq!(render(1932.33, "0.00"), "1932.33");
        assert_eq!(render(2.675, "0.00"), "2.68");
        assert_eq!(render(-1234.5, "#,##0.00"), "-1,234.50");
        assert_eq!(render(-1234.5, "#,##0.00;(#,##0.00)"), "(1,234.50)");
        assert_eq!(render(0.0, "#,##0.00;-#,##0.00;\"-\""), "-");
        assert_eq!(render(0.125, "0.0%"), "12.5%");
        assert_eq!(render(1500.0, "#,##0\"元\""), "1,500元");
        assert_eq!(render(1500.0, "[Red]#,##0.00_ "), "1,500.00");
        assert_eq!(render(12.0, "#,##0.##"), "12.");
        assert_eq!(render(12.5, "General"), "12.5");
        assert_eq!(render(300.0, "General"), "300");
        assert_eq!(render(0.1 + 0.2, "General"), "0.3");
        assert_eq!(render(314266470.92, "General"), "314266470.92");
        assert_eq!(render(1234567.0, "#,##0,"), "1,235");
        assert_eq!(render(44927.0, "yyyy\"年\"m\"月\"d\"日\""), "2023年1月1日");
        assert_eq!(render(44927.0, "yyyy-mm-dd"), "2023-01-01");
        assert_eq!(render(45291.0, "yyyy/m/d"), "2023/12/31");
    }
}
