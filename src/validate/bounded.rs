//! Patterns with a long counted repetition over a large class (`\p{Han}[\p{Han}、]{1,24}`,
//! `[^“”。；]{2,80}`): the compiled automaton holds one copy of the class for every count, which
//! costs a millisecond or more per pattern, in every process, for documents whose prose the pattern
//! never matches. A `Bounded` searches with the same pattern with those counts lifted (`+`, `*`),
//! compiled in a fraction of the time, and reads the captured text's length against the bound.
//!
//! Why the answer is the written pattern's: a match of the written pattern is a match of the lifted
//! one, and at one start the two prefer their matches in the same order (a bound only cuts
//! alternatives off). So when every match the lifted pattern finds in a text keeps within the
//! bounds, the written pattern finds those same matches with the same captures. A text where one
//! goes past a bound is searched with the written pattern, compiled then.

use std::sync::OnceLock;

use regex::{Captures, Regex};

pub(crate) struct Bounded {
    lifted: Regex,
    written: String,
    exact: OnceLock<Regex>,
    within: fn(&Captures) -> bool,
}

impl Bounded {
    /// `written` is the pattern as meant; each `(bounded, lifted)` pair is replaced in it to give
    /// the cheap pattern; `within` says whether a match of the cheap pattern keeps every bound.
    pub(crate) fn new(written: String, lifts: &[(&str, &str)], within: fn(&Captures) -> bool) -> Bounded {
        let mut lifted = written.clone();
        for (bounded, unbounded) in lifts {
            assert!(lifted.contains(bounded), "{bounded} is not in {written}");
            lifted = lifted.replace(bounded, unbounded);
        }
        Bounded { lifted: Regex::new(&lifted).unwrap(), written, exact: OnceLock::new(), within }
    }

    fn exact(&self) -> &Regex {
        self.exact.get_or_init(|| Regex::new(&self.written).unwrap())
    }

    /// Every match of the written pattern, in order, as `Regex::captures_iter` gives them.
    pub(crate) fn captures_all<'t>(&self, text: &'t str) -> Vec<Captures<'t>> {
        let found: Vec<Captures> = self.lifted.captures_iter(text).collect();
        if found.iter().all(|c| (self.within)(c)) {
            return found;
        }
        self.exact().captures_iter(text).collect()
    }

    /// The first match of the written pattern, as `Regex::captures` gives it.
    pub(crate) fn captures<'t>(&self, text: &'t str) -> Option<Captures<'t>> {
        match self.lifted.captures(text) {
            Some(c) if !(self.within)(&c) => self.exact().captures(text),
            found => found,
        }
    }
}

/// Whether the named group, when it took part, is at most `n` characters long.
pub(crate) fn chars_at_most(c: &Captures, name: &str, n: usize) -> bool {
    c.name(name).is_none_or(|m| m.as_str().chars().count() <= n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRITTEN: &str = r"(?P<name>\p{Han}[\p{Han}、]{1,4})（类）(?P<n>[0-9]+)";

    fn short_names(c: &Captures) -> bool {
        chars_at_most(c, "name", 5)
    }

    fn spans(found: &[Captures]) -> Vec<(usize, usize, String)> {
        found.iter().map(|c| (c.get(0).unwrap().start(), c.get(0).unwrap().end(), c["name"].to_string())).collect()
    }

    #[test]
    fn a_text_within_the_bounds_gives_the_written_patterns_matches_without_compiling_it() {
        let b = Bounded::new(WRITTEN.to_string(), &[("{1,4}", "+")], short_names);
        let text = "其中教育（类）12，科学（类）3。";
        let found = b.captures_all(text);
        assert_eq!(spans(&found), spans(&Regex::new(WRITTEN).unwrap().captures_iter(text).collect::<Vec<_>>()));
        assert_eq!(spans(&found).len(), 2);
        assert!(b.exact.get().is_none());
        assert_eq!(&b.captures(text).unwrap()["name"], "其中教育");
    }

    #[test]
    fn a_match_past_a_bound_falls_back_to_the_written_pattern() {
        let b = Bounded::new(WRITTEN.to_string(), &[("{1,4}", "+")], short_names);
        // The written pattern starts the name five characters before （类）; the lifted one at 一.
        let text = "一二三四五六七八（类）12，科学（类）3。";
        let written: Vec<Captures> = Regex::new(WRITTEN).unwrap().captures_iter(text).collect();
        let found = b.captures_all(text);
        assert_eq!(spans(&found), spans(&written));
        assert_eq!(&found[0]["name"], "四五六七八");
        assert_eq!(&b.captures(text).unwrap()["name"], "四五六七八");
        assert!(b.exact.get().is_some());
    }

    #[test]
    #[should_panic(expected = "is not in")]
    fn a_lift_that_is_not_in_the_pattern_is_refused() {
        Bounded::new(WRITTEN.to_string(), &[("{1,30}", "+")], short_names);
    }
}
