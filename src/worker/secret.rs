//! A credential read from a flag or the environment (`SINK_TOKEN`): kept out of `Debug` output, and
//! so out of every log line, panic message and error report that formats the arguments.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares in time independent of where the first difference is, so the sink's answer time
    /// tells nothing about how much of a guessed token was right.
    pub fn matches(&self, candidate: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), candidate.as_bytes());
        let mut difference = (a.len() != b.len()) as u8;
        for i in 0..a.len().max(b.len()) {
            difference |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0xff);
        }
        difference == 0
    }
}

impl std::str::FromStr for Secret {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err("the token is empty".into());
        }
        // A token with a line break would make an invalid header; a trailing newline from a
        // mounted Secret file is trimmed above.
        if trimmed.chars().any(|c| c.is_control()) {
            return Err("the token contains control characters".into());
        }
        Ok(Secret(trimmed.to_string()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_formats_its_value_and_compares_exactly() {
        let s: Secret = "tok-123\n".parse().unwrap();
        assert_eq!(s.expose(), "tok-123");
        assert!(!format!("{s:?} {s}").contains("tok-123"));
        assert!(s.matches("tok-123"));
        for wrong in ["tok-12", "tok-1234", "tok-124", "", "TOK-123"] {
            assert!(!s.matches(wrong), "{wrong}");
        }
        assert!("".parse::<Secret>().is_err());
        assert!("a\u{7}b".parse::<Secret>().is_err());
    }
}
