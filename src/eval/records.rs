//! Record field accuracy: expected records are paired with extracted ones of the same kind, then
//! every expected field is checked. Indicators inside a record are paired by (level2, level3)
//! (department indicators by name), so one missing indicator costs its own fields only.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::matching::take_free_pairs;
use super::metrics::norm_text;
use crate::interpret::Record;

/// Correct / total of one field (or of all fields).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FieldCount {
    pub correct: usize,
    pub total: usize,
}

impl FieldCount {
    pub fn add(&mut self, other: FieldCount) {
        self.correct += other.correct;
        self.total += other.total;
    }
    pub fn accuracy(&self) -> Option<f64> {
        (self.total > 0).then(|| self.correct as f64 / self.total as f64)
    }
}

/// One expected field the extractor got wrong (for the report's mismatch list).
#[derive(Debug, Clone, Serialize)]
pub struct FieldMismatch {
    pub record: String,
    pub field: String,
    pub expected: String,
    pub extracted: String,
}

/// The outcome of comparing one document's records.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecordComparison {
    pub expected: usize,
    pub extracted: usize,
    pub matched: usize,
    /// "<kind>.<field>" → counts; indicator fields are "<kind>.indicators.<field>".
    pub fields: BTreeMap<String, FieldCount>,
    pub mismatches: Vec<FieldMismatch>,
}

impl RecordComparison {
    pub fn total(&self) -> FieldCount {
        let mut t = FieldCount::default();
        for c in self.fields.values() {
            t.add(*c);
        }
        t
    }
}

/// Fields that say where a record came from, not what it says: positional bookkeeping that
/// differs legitimately when table indexes shift.
const SKIPPED: &[&str] = &["kind", "source_tables", "row"];

/// (field name, value) pairs of a flattened record or indicator.
type Fields = Vec<(String, Option<String>)>;

/// A record flattened to comparable scalars: "field" / "spending_plan.mar" / "amounts.<header>".
struct Flat {
    kind: String,
    label: String,
    fields: Fields,
    /// (pairing key, flattened fields) per indicator.
    indicators: Vec<(String, Fields)>,
}

fn kind_of(r: &Record) -> &'static str {
    match r {
        Record::ProjectPerformance(_) => "project_performance",
        Record::BudgetLine(_) => "budget_line",
        Record::DepartmentPerformance(_) => "department_performance",
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn flatten_into(prefix: &str, v: &Value, out: &mut Vec<(String, Option<String>)>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                if SKIPPED.contains(&k.as_str()) {
                    continue;
                }
                let name = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten_into(&name, x, out);
            }
        }
        Value::Array(items) => {
            let joined: Vec<String> = items.iter().filter_map(scalar).collect();
            out.push((prefix.to_string(), Some(joined.join("|"))));
        }
        other => out.push((prefix.to_string(), scalar(other))),
    }
}

fn flatten(r: &Record) -> Flat {
    let kind = kind_of(r).to_string();
    let mut value = serde_json::to_value(r).unwrap_or(Value::Null);
    let mut indicators = Vec::new();
    if let Some(Value::Array(items)) = value.as_object_mut().and_then(|m| m.remove("indicators")) {
        for item in items {
            let key = if kind == "department_performance" {
                text_of(&item, "name")
            } else {
                format!("{}\u{1f}{}", text_of(&item, "level2"), text_of(&item, "level3"))
            };
            let mut fields = Vec::new();
            flatten_into("indicators", &item, &mut fields);
            indicators.push((key, fields));
        }
    }
    let mut fields = Vec::new();
    flatten_into("", &value, &mut fields);
    let label = match r {
        Record::ProjectPerformance(p) => p.project_name.clone().or(p.title.clone()),
        Record::BudgetLine(b) => Some(format!(
            "{} {} {}",
            b.table_title.as_deref().unwrap_or(""),
            b.subject_code.as_deref().unwrap_or(""),
            b.subject_name.as_deref().unwrap_or("")
        )),
        Record::DepartmentPerformance(d) => d.title.clone().or(d.agency_name.clone()),
    }
    .unwrap_or_default();
    Flat { kind, label, fields, indicators }
}

fn text_of(v: &Value, key: &str) -> String {
    v.get(key).and_then(scalar).map(|s| norm_text(&s)).unwrap_or_default()
}

/// Two field values agree when their texts agree with whitespace removed, or both are numbers
/// of equal value ("2996500.00" = "2996500.0").
pub fn values_agree(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => {
            let (x, y) = (norm_text(x), norm_text(y));
            if x == y {
                return true;
            }
            match (x.parse::<Decimal>(), y.parse::<Decimal>()) {
                (Ok(p), Ok(q)) => p == q,
                _ => false,
            }
        }
        _ => false,
    }
}

/// A record's fields by name, for [`similarity`].
fn field_map(f: &Flat) -> BTreeMap<&str, &Option<String>> {
    f.fields.iter().map(|(k, v)| (k.as_str(), v)).collect()
}

/// How many flattened fields two records share (`b` as its [`field_map`]); pairs records that are
/// not identical.
fn similarity(a: &Flat, b: &BTreeMap<&str, &Option<String>>) -> usize {
    a.fields.iter().filter(|(k, v)| v.is_some() && b.get(k.as_str()).is_some_and(|w| values_agree(v, w))).count()
}

/// A record's identity for the first, exact pairing pass.
fn identity(f: &Flat) -> String {
    let get = |name: &str| {
        f.fields.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.as_deref()).map(norm_text).unwrap_or_default()
    };
    match f.kind.as_str() {
        "project_performance" => format!("{}|{}", get("project_name"), get("title")),
        "budget_line" => format!("{}|{}|{}", get("table_title"), get("subject_code"), get("subject_name")),
        _ => format!("{}|{}", get("title"), get("agency_name")),
    }
}

/// Above this many candidate pairs per kind, the similarity pass is skipped (exact pairing only).
const MAX_SIMILARITY_PAIRS: usize = 250_000;

/// Pairs expected and extracted records of one kind: first those with the same identity, in
/// document order, then the rest by the number of agreeing fields (at least one).
fn pair(expected: &[&Flat], extracted: &[&Flat]) -> Vec<(usize, usize)> {
    let mut used_e = vec![false; expected.len()];
    let mut used_p = vec![false; extracted.len()];
    // Each expected record takes the first free extracted one of the same identity.
    let (ids_e, ids_p): (Vec<String>, Vec<String>) =
        (expected.iter().map(|f| identity(f)).collect(), extracted.iter().map(|f| identity(f)).collect());
    let (ids_e, ids_p) = (&ids_e, &ids_p);
    let same_identity = (0..expected.len())
        .flat_map(|i| (0..extracted.len()).filter(move |&j| ids_e[i] == ids_p[j]).map(move |j| (i, j)));
    let mut pairs = take_free_pairs(same_identity, &mut used_e, &mut used_p);
    let rest_e: Vec<usize> = (0..expected.len()).filter(|&i| !used_e[i]).collect();
    let rest_p: Vec<usize> = (0..extracted.len()).filter(|&j| !used_p[j]).collect();
    if rest_e.len() * rest_p.len() <= MAX_SIMILARITY_PAIRS {
        let maps: Vec<_> = rest_p.iter().map(|&j| field_map(extracted[j])).collect();
        let mut cands: Vec<(usize, usize, usize)> = Vec::new();
        for &i in &rest_e {
            for (&j, map) in rest_p.iter().zip(&maps) {
                let s = similarity(expected[i], map);
                if s > 0 {
                    cands.push((s, i, j));
                }
            }
        }
        // Highest agreement first; among equals, the nearest in document order.
        cands.sort_by(|a, b| b.0.cmp(&a.0).then((a.1.abs_diff(a.2)).cmp(&b.1.abs_diff(b.2))));
        pairs.extend(take_free_pairs(cands.into_iter().map(|(_, i, j)| (i, j)), &mut used_e, &mut used_p));
    }
    pairs.sort();
    pairs
}

fn show(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "null".to_string())
}

fn score_fields(
    kind: &str,
    label: &str,
    expected: &[(String, Option<String>)],
    extracted: Option<&[(String, Option<String>)]>,
    out: &mut RecordComparison,
) {
    for (name, ev) in expected {
        let got = extracted.and_then(|x| x.iter().find(|(k, _)| k == name)).map(|(_, v)| v.clone());
        let ok = got.as_ref().is_some_and(|g| values_agree(ev, g));
        let c = out.fields.entry(format!("{kind}.{name}")).or_default();
        c.total += 1;
        if ok {
            c.correct += 1;
        } else {
            out.mismatches.push(FieldMismatch {
                record: format!("{kind}: {label}"),
                field: name.clone(),
                expected: show(ev),
                extracted: match &got {
                    Some(g) => show(g),
                    None if extracted.is_none() => "(record not extracted)".to_string(),
                    None => "(indicator not extracted)".to_string(),
                },
            });
        }
    }
}

/// Compares a document's extracted records with the expected ones. Every expected field counts
/// once (null included: a value where the truth has none is an error too); an expected record
/// with no extracted partner counts all its fields wrong. Extra extracted records show in
/// `extracted` − `matched`.
pub fn compare_records(expected: &[Record], extracted: &[Record]) -> RecordComparison {
    let ef: Vec<Flat> = expected.iter().map(flatten).collect();
    let pf: Vec<Flat> = extracted.iter().map(flatten).collect();
    let mut out = RecordComparison { expected: expected.len(), extracted: extracted.len(), ..Default::default() };
    for kind in ["project_performance", "budget_line", "department_performance"] {
        let e: Vec<&Flat> = ef.iter().filter(|f| f.kind == kind).collect();
        let p: Vec<&Flat> = pf.iter().filter(|f| f.kind == kind).collect();
        let pairs = pair(&e, &p);
        out.matched += pairs.len();
        let partner: BTreeMap<usize, usize> = pairs.into_iter().collect();
        for (i, er) in e.iter().enumerate() {
            let pr = partner.get(&i).map(|&j| p[j]);
            score_fields(kind, &er.label, &er.fields, pr.map(|x| x.fields.as_slice()), &mut out);
            let mut used = vec![false; pr.map_or(0, |x| x.indicators.len())];
            for (key, ind) in &er.indicators {
                let found = pr.and_then(|x| {
                    let j = (0..x.indicators.len()).find(|&j| !used[j] && &x.indicators[j].0 == key)?;
                    used[j] = true;
                    Some(x.indicators[j].1.as_slice())
                });
                let label = format!("{} / {}", er.label, key.replace('\u{1f}', " / "));
                match (pr, found) {
                    (None, _) => score_fields(kind, &label, ind, None, &mut out),
                    (Some(_), f) => score_fields(kind, &label, ind, Some(f.unwrap_or(&[])), &mut out),
                }
            }
        }
    }
    out
}
