//! Which JSON keys hold which part of an article. Scrapers and datasets name them
//! differently; the defaults cover the common names, and `--field role=key` overrides.

use std::collections::BTreeMap;

use serde_json::Value;

/// The parts of an article that newsdex reads from a JSON object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FieldRole {
    /// The headline.
    Title,
    /// The article text.
    Body,
    /// The publication date.
    Date,
    /// The outlet.
    Source,
    /// The original address.
    Url,
    /// The byline.
    Authors,
}

impl FieldRole {
    /// Every role with its name as written in `--field NAME=KEY`.
    pub const ALL: [(FieldRole, &'static str); 6] = [
        (FieldRole::Title, "title"),
        (FieldRole::Body, "body"),
        (FieldRole::Date, "date"),
        (FieldRole::Source, "source"),
        (FieldRole::Url, "url"),
        (FieldRole::Authors, "authors"),
    ];

    /// The JSON keys tried, in order, when the user gave none.
    fn default_keys(self) -> &'static [&'static str] {
        match self {
            FieldRole::Title => &["title", "headline"],
            FieldRole::Body => &["body", "content_original", "content", "text", "maintext", "article"],
            FieldRole::Date => &["date", "published", "publish_date", "date_publish", "published_at"],
            FieldRole::Source => &["source", "publisher", "outlet", "source_name"],
            FieldRole::Url => &["url", "link", "source_url"],
            FieldRole::Authors => &["authors", "author", "byline"],
        }
    }

    /// The role called `name` in `--field` (case-insensitive).
    pub fn parse(name: &str) -> Option<FieldRole> {
        Self::ALL.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)).map(|(r, _)| *r)
    }
}

/// The JSON key (or keys, tried in order) for each role.
#[derive(Debug, Clone, Default)]
pub struct FieldMap {
    overrides: BTreeMap<FieldRole, String>,
}

impl FieldMap {
    /// Adds an override written as `role=key`, such as `body=content_original`.
    pub fn set(&mut self, spec: &str) -> Result<(), String> {
        let (role, key) = spec
            .split_once('=')
            .ok_or_else(|| format!("`{spec}` is not ROLE=KEY (for example body=content_original)"))?;
        let role = FieldRole::parse(role.trim()).ok_or_else(|| {
            let names: Vec<&str> = FieldRole::ALL.iter().map(|(_, n)| *n).collect();
            format!("unknown field role `{role}`; roles are {}", names.join(", "))
        })?;
        if key.trim().is_empty() {
            return Err(format!("`{spec}` names no JSON key"));
        }
        self.overrides.insert(role, key.trim().to_owned());
        Ok(())
    }

    /// The value for `role` in `object`: the override key when given, else the first
    /// default key holding a non-empty value.
    pub fn get<'a>(&self, object: &'a serde_json::Map<String, Value>, role: FieldRole) -> Option<&'a Value> {
        if let Some(key) = self.overrides.get(&role) {
            return object.get(key);
        }
        role.default_keys().iter().filter_map(|k| object.get(*k)).find(|v| !is_blank(v))
    }

    /// The value for `role` as text: strings as they are, numbers printed, the first
    /// element of an array.
    pub fn text(&self, object: &serde_json::Map<String, Value>, role: FieldRole) -> Option<String> {
        value_text(self.get(object, role)?)
    }

    /// The authors: an array of strings or objects with a `name`, or one string of
    /// comma-, semicolon- or "and"-separated names.
    pub fn authors(&self, object: &serde_json::Map<String, Value>) -> Vec<String> {
        match self.get(object, FieldRole::Authors) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|item| match item {
                    Value::Object(o) => o.get("name").and_then(value_text),
                    other => value_text(other),
                })
                .collect(),
            Some(other) => value_text(other).map(|s| split_byline(&s)).unwrap_or_default(),
            None => Vec::new(),
        }
    }
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn value_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => return items.iter().find_map(value_text),
        Value::Object(o) => return o.get("name").or_else(|| o.get("text")).and_then(value_text),
        _ => return None,
    };
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

fn split_byline(byline: &str) -> Vec<String> {
    let byline = byline.trim();
    let byline = byline.strip_prefix("By ").or_else(|| byline.strip_prefix("by ")).unwrap_or(byline);
    byline
        .split([',', ';'])
        .flat_map(|part| part.split(" and "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> serde_json::Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn default_keys_find_allsides_fields() {
        let o = object(json!({"title": "T", "content_original": "Body", "date": "2017-01-01",
            "source": "CNN", "url": "http://x", "authors": "Jane Doe, John Roe"}));
        let map = FieldMap::default();
        assert_eq!(map.text(&o, FieldRole::Body).as_deref(), Some("Body"));
        assert_eq!(map.text(&o, FieldRole::Source).as_deref(), Some("CNN"));
        assert_eq!(map.authors(&o), vec!["Jane Doe", "John Roe"]);
    }

    #[test]
    fn empty_default_falls_through_to_next_key() {
        let o = object(json!({"content": "", "text": "Real body"}));
        assert_eq!(FieldMap::default().text(&o, FieldRole::Body).as_deref(), Some("Real body"));
    }

    #[test]
    fn override_wins() {
        let mut map = FieldMap::default();
        map.set("body=story").unwrap();
        let o = object(json!({"body": "wrong", "story": "right"}));
        assert_eq!(map.text(&o, FieldRole::Body).as_deref(), Some("right"));
    }

    #[test]
    fn bad_override_names_the_problem() {
        let mut map = FieldMap::default();
        assert!(map.set("bodyx").unwrap_err().contains("ROLE=KEY"));
        assert!(map.set("colour=x").unwrap_err().contains("unknown field role"));
    }

    #[test]
    fn authors_from_arrays_and_bylines() {
        let map = FieldMap::default();
        let o = object(json!({"author": [{"name": "A B"}, "C D"]}));
        assert_eq!(map.authors(&o), vec!["A B", "C D"]);
        let o = object(json!({"byline": "By Jane Doe and John Roe"}));
        assert_eq!(map.authors(&o), vec!["Jane Doe", "John Roe"]);
    }
}
