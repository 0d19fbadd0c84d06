//! Strict JSON: the one home of the rule that an object with a repeated member name is
//! refused.
//!
//! RFC 7515 §4 and RFC 7519 §4 let a parser either refuse repeated member names or keep
//! the last one; jwt-guard refuses them, so that no other parser (the application's, a
//! gateway's, another JOSE library's) can read a different `alg`, `exp` or role than
//! the verifier did. Names are compared as they decode: `"a"` and `"\u0061"` are the
//! same name.
//!
//! Everything that reads untrusted JSON goes through this module:
//!
//! - the JOSE header reader and the issuer peek ask [`NameSet::next_unique_key`] for
//!   each top-level member name;
//! - the claims scan skips the values it does not read with [`Skip`] (or [`skip_map`] and
//!   [`skip_seq`]), which refuse repeated names in every object inside them;
//! - the claims map and the DPoP proof's header and claims are built by
//!   [`parse_object`].
//!
//! Escapes, UTF-8 and nesting are serde_json's: its recursion limit (128 levels) makes
//! deeper nesting an error, not a stack overflow. Non-finite numbers are refused
//! ([`finite`]).
//!
//! A leaf: it uses std, serde and serde_json and nothing of the crate.

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Visitor as _};
use serde_json::{Map, Value};

/// A member name, borrowed from the JSON text unless it has escapes. Compared by the
/// name it decodes to: `"\u0061lg"` is `alg`.
#[derive(Clone)]
pub(crate) enum Name<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Name<'_> {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Name::Borrowed(name) => name,
            Name::Owned(name) => name,
        }
    }
}

impl PartialEq for Name<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Name<'_> {}

impl std::hash::Hash for Name<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Name<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Name<'de>, E> {
                Ok(Name::Borrowed(name))
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<Name<'de>, E> {
                Ok(Name::Owned(name.to_owned()))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// The member names of one JSON object, to refuse a repeated one. The first
/// [`NameSet::INLINE`] names are held on the stack with a 32-bit fingerprint each (length
/// and three bytes), so that a lookup compares fingerprints and only compares names whose
/// fingerprints match: no allocation and no hashing for ordinary objects. A 256-bit
/// filter of the fingerprints says at once that most new names are new, without looking
/// at the others. Past [`NameSet::INLINE`] names, in a hash set, so that even a large
/// object costs linear time.
pub(crate) struct NameSet<'de> {
    /// One bit per fingerprint seen ([`NameSet::bit`]): a clear bit is a new name.
    filter: [u64; 4],
    prints: [u32; NameSet::INLINE],
    inline: [Option<Name<'de>>; NameSet::INLINE],
    len: usize,
    spilled: Option<HashSet<Name<'de>>>,
}

impl NameSet<'_> {
    const INLINE: usize = 32;

    fn print(name: &str) -> u32 {
        let bytes = name.as_bytes();
        match bytes {
            [] => 0,
            [.., last] => {
                let len = bytes.len() as u32 & 0xff;
                len | u32::from(bytes[0]) << 8
                    | u32::from(bytes[bytes.len() / 2]) << 16
                    | u32::from(*last) << 24
            }
        }
    }
}

impl Default for NameSet<'_> {
    fn default() -> Self {
        Self {
            filter: [0; 4],
            prints: [0; NameSet::INLINE],
            inline: [const { None }; NameSet::INLINE],
            len: 0,
            spilled: None,
        }
    }
}

impl<'de> NameSet<'de> {
    /// The filter's word and bit of a fingerprint (its bits mixed, then the top eight).
    fn bit(print: u32) -> (usize, u64) {
        let mixed = print.wrapping_mul(0x9e37_79b1) >> 24;
        ((mixed >> 6) as usize, 1 << (mixed & 63))
    }

    /// Records `name`; false (and nothing recorded) when it was seen already.
    fn insert_new(&mut self, name: Name<'de>) -> bool {
        if let Some(set) = &mut self.spilled {
            return set.insert(name);
        }
        let print = Self::print(name.as_str());
        let (word, bit) = Self::bit(print);
        if self.filter[word] & bit != 0
            && (0..self.len)
                .any(|i| self.prints[i] == print && self.inline[i].as_ref() == Some(&name))
        {
            return false;
        }
        if self.len < Self::INLINE {
            self.filter[word] |= bit;
            self.prints[self.len] = print;
            self.inline[self.len] = Some(name);
            self.len += 1;
        } else {
            let mut set: HashSet<Name<'de>> =
                self.inline.iter_mut().filter_map(Option::take).collect();
            set.insert(name);
            self.spilled = Some(set);
        }
        true
    }

    /// Reads the next member name of `access` and records it, refusing one already seen.
    /// The caller then reads (or skips) its value.
    ///
    /// ```text
    /// let mut seen = NameSet::default();
    /// while let Some(name) = seen.next_unique_key(&mut access)? {
    ///     match name.as_str() { "alg" => …, _ => access.next_value::<Skip>()?, }
    /// }
    /// ```
    pub(crate) fn next_unique_key<A: de::MapAccess<'de>>(
        &mut self,
        access: &mut A,
    ) -> Result<Option<Name<'de>>, A::Error> {
        let Some(name) = access.next_key::<Name<'de>>()? else {
            return Ok(None);
        };
        // A copy of a borrowed name is a pointer; only an escaped name allocates again.
        if !self.insert_new(name.clone()) {
            return Err(de::Error::custom("repeated member name"));
        }
        Ok(Some(name))
    }
}

/// Any JSON value, skipped without building it, refusing repeated member names in every
/// object inside it.
pub(crate) struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SkipVisitor).map(|()| Skip)
    }
}

/// Skips the members of an object, refusing repeated names in it and inside its values.
pub(crate) fn skip_map<'de, A: de::MapAccess<'de>>(mut access: A) -> Result<(), A::Error> {
    let mut seen = NameSet::default();
    while seen.next_unique_key(&mut access)?.is_some() {
        access.next_value::<Skip>()?;
    }
    Ok(())
}

/// Skips the items of an array, refusing repeated names inside them.
pub(crate) fn skip_seq<'de, A: de::SeqAccess<'de>>(mut access: A) -> Result<(), A::Error> {
    while access.next_element::<Skip>()?.is_some() {}
    Ok(())
}

/// Refuses a number that is not finite.
pub(crate) fn finite<E: de::Error>(v: f64) -> Result<(), E> {
    SkipVisitor.visit_f64(v)
}

struct SkipVisitor;

impl<'de> de::Visitor<'de> for SkipVisitor {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        if v.is_finite() {
            Ok(())
        } else {
            Err(de::Error::custom("not a finite number"))
        }
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, access: A) -> Result<(), A::Error> {
        skip_seq(access)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, access: A) -> Result<(), A::Error> {
        skip_map(access)
    }
}

/// Parses JSON text into a map, refusing a value that is not an object and repeated
/// member names at any depth.
pub(crate) fn parse_object(json: &str) -> Result<Map<String, Value>, serde_json::Error> {
    serde_json::from_str::<StrictObject>(json).map(|StrictObject(map)| map)
}

/// A JSON object whose objects, itself included, have no repeated member names.
struct StrictObject(Map<String, Value>);

impl<'de> Deserialize<'de> for StrictObject {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_map(StrictVisitor)? {
            Value::Object(map) => Ok(StrictObject(map)),
            _ => Err(de::Error::custom("expected a JSON object")),
        }
    }
}

/// A JSON value whose objects have no repeated member names.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

/// Builds a `serde_json::Value` as its own `Deserialize` does, refusing repeated names
/// (the map being built is the name set).
struct StrictVisitor;

impl<'de> de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| de::Error::custom("not a finite number"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = access.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(de::Error::custom("repeated member name"));
            }
            let StrictValue(value) = access.next_value()?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checked two ways that must agree: skipped ([`Skip`]) and built ([`parse_object`]).
    fn strict(json: &str) -> bool {
        let skipped = serde_json::from_str::<Skip>(json).is_ok();
        let built = parse_object(json);
        if json.trim_start().starts_with('{') {
            assert_eq!(skipped, built.is_ok(), "skip and build disagree on {json}");
        }
        built.is_ok()
    }

    /// An object of `n` distinct members `"k0":0, …`, with `extra` members appended.
    fn wide(n: usize, extra: &str) -> String {
        let members: Vec<String> = (0..n).map(|i| format!(r#""k{i}":{i}"#)).collect();
        let sep = if extra.is_empty() { "" } else { "," };
        format!("{{{}{sep}{extra}}}", members.join(","))
    }

    #[test]
    fn repeated_names_at_the_top_level() {
        assert!(strict(r#"{"a":1,"b":2}"#));
        assert!(!strict(r#"{"a":1,"a":1}"#));
        assert!(!strict(r#"{"a":1,"b":2,"a":{}}"#));
        assert!(!strict(r#"{"":1,"":2}"#));
    }

    #[test]
    fn repeated_names_nested_in_objects_and_arrays() {
        assert!(strict(r#"{"x":{"a":1},"y":{"a":1},"z":[{"a":1},{"a":1}]}"#));
        assert!(!strict(r#"{"x":{"a":1,"a":2}}"#));
        assert!(!strict(r#"{"x":[1,{"a":1,"a":2}]}"#));
        assert!(!strict(r#"{"x":[[{"y":[{"b":{"c":1,"c":2}}]}]]}"#));
        assert!(!strict(r#"[{"a":1,"a":2}]"#));
    }

    #[test]
    fn names_compare_as_they_decode() {
        for json in [
            r#"{"a":1,"\u0061":2}"#,
            r#"{"\u0061":1,"a":2}"#,
            r#"{"\u0061":1,"\u0061":2}"#,
            r#"{"é":1,"\u00e9":2}"#,
            r#"{"a\/b":1,"a/b":2}"#,
            r#"{"x":[{"alg":1,"\u0061lg":2}]}"#,
        ] {
            assert!(!strict(json), "{json}");
        }
        assert!(strict(r#"{"a":1,"\u0041":2}"#));
    }

    #[test]
    fn fingerprint_collisions_are_compared_in_full() {
        // Same length, first, middle and last byte: the same fingerprint, other names.
        assert_eq!(NameSet::print("abXcd"), NameSet::print("abXzd"));
        assert!(strict(r#"{"abXcd":1,"abXzd":2,"aqXcd":3}"#));
        assert!(!strict(r#"{"abXcd":1,"abXzd":2,"abXcd":3}"#));
    }

    #[test]
    fn past_32_names_the_spilled_set_still_refuses() {
        for n in [NameSet::INLINE, NameSet::INLINE + 1, 100] {
            assert!(strict(&wide(n, "")), "{n}");
            assert_eq!(parse_object(&wide(n, "")).unwrap().len(), n);
        }
        // A repeat of an early name, of the last inline one, of one held after the spill,
        // escaped or not, and a repeat that arrives before the spill.
        for dup in [r#""k0":0"#, r#""k31":0"#, r#""k39":0"#, r#""\u006b20":0"#] {
            let json = wide(40, dup);
            assert!(!strict(&json), "{dup}");
            assert!(!strict(&format!(r#"{{"x":[{json}]}}"#)), "{dup}");
        }
        assert!(!strict(&wide(10, r#""k3":0"#)));
    }

    #[test]
    fn values_and_shapes() {
        let map = parse_object(r#"{"a":1,"n":{"a":[1,-2,2.5,true,null,"s"],"b":{}}}"#).unwrap();
        assert_eq!(
            Value::Object(map),
            serde_json::json!({"a":1,"n":{"a":[1,-2,2.5,true,null,"s"],"b":{}}})
        );
        for not_object in ["[1]", "1", "null", r#""a""#, ""] {
            assert!(parse_object(not_object).is_err(), "{not_object}");
        }
        assert!(serde_json::from_str::<Skip>("[1,2.5,null]").is_ok());
        assert!(!strict(r#"{"a":1e400}"#));
        assert!(!strict(r#"{"a":1}x"#));
        assert!(!strict(r#"{"a":"\ud800"}"#));
    }

    #[test]
    fn nesting_past_serde_jsons_limit_is_an_error() {
        let deep = format!(r#"{{"a":{}1{}}}"#, "[".repeat(200), "]".repeat(200));
        assert!(!strict(&deep));
        let ok = format!(r#"{{"a":{}1{}}}"#, "[".repeat(100), "]".repeat(100));
        assert!(strict(&ok));
    }
}
