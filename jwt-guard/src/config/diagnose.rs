//! What a configuration mistake is reported as: the unknown key and its closest known
//! one, the place in the file (line and column), and our words for serde's.

use std::fmt;
use std::ops::Range;

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use toml::de::{DeTable, DeValue};

use super::forms::{
    DpopSettings, JwksSettings, KeyMaterial, LimitsSettings, MtlsSettings, NonceSettings,
    OLD_NAMES, PemKey, ProtectedResourceSettings, ReplayStoreSettings, StatusListSettings,
    StrategyConfig, TenantBudgetSettings, TokenCacheSettings,
};
use super::suggest;

/// The tables of a strategy's configuration whose keys are fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Strategy,
    Jwks,
    TokenCache,
    Limits,
    TenantBudget,
    Dpop,
    Nonce,
    ReplayStore,
    Resource,
    Mtls,
    Key,
    PemKey,
    StatusList,
}

impl Form {
    /// The keys the table's serde form reads, 0.2 spellings included: taken from serde
    /// itself, so that they cannot drift from the structs.
    pub(crate) fn known(self) -> &'static [&'static str] {
        match self {
            Self::Strategy => fields_of::<StrategyConfig>(),
            Self::Jwks => fields_of::<JwksSettings>(),
            Self::TokenCache => fields_of::<TokenCacheSettings>(),
            Self::Limits => fields_of::<LimitsSettings>(),
            Self::TenantBudget => fields_of::<TenantBudgetSettings>(),
            Self::Dpop => fields_of::<DpopSettings>(),
            Self::Nonce => fields_of::<NonceSettings>(),
            Self::ReplayStore => fields_of::<ReplayStoreSettings>(),
            Self::Resource => fields_of::<ProtectedResourceSettings>(),
            Self::Mtls => fields_of::<MtlsSettings>(),
            Self::Key => fields_of::<KeyMaterial>(),
            Self::PemKey => fields_of::<PemKey>(),
            Self::StatusList => fields_of::<StatusListSettings>(),
        }
    }

    /// The form of the table under `key`, when its keys are fixed.
    pub(crate) fn child(self, key: &str) -> Option<Self> {
        Some(match (self, key) {
            (Self::Strategy, "jwks_config" | "jwks") => Self::Jwks,
            (Self::Strategy, "token_cache") => Self::TokenCache,
            (Self::Strategy, "limits") => Self::Limits,
            (Self::Strategy, "new_tenant_budget") => Self::TenantBudget,
            (Self::Strategy, "dpop") => Self::Dpop,
            (Self::Strategy, "protected_resource") => Self::Resource,
            (Self::Strategy, "mtls_bound_tokens") => Self::Mtls,
            (
                Self::Strategy,
                "jwks_json" | "jwk_json" | "rsa_pem" | "ec_pem" | "ed_pem" | "hmac_secret",
            ) => Self::Key,
            (Self::Strategy, "pem_keys") => Self::PemKey,
            (Self::Strategy, "status_list") => Self::StatusList,
            (Self::Dpop, "require_nonce") => Self::Nonce,
            (Self::Dpop, "replay_store") => Self::ReplayStore,
            (Self::Nonce, "secret") => Self::Key,
            _ => return None,
        })
    }
}

/// An unknown key: its dotted path, where it is, and the hint.
#[derive(Debug)]
pub(crate) struct UnknownKey {
    pub(crate) path: String,
    pub(crate) span: Range<usize>,
    pub(crate) hint: String,
}

/// The first unknown key of `table` (read as `form`) and its sub-tables, in file order.
pub(crate) fn unknown_key(table: &DeTable<'_>, form: Form, prefix: &str) -> Option<UnknownKey> {
    let mut found = Vec::new();
    collect_unknown(table, form, prefix, &mut found);
    found.into_iter().min_by_key(|unknown| unknown.span.start)
}

fn collect_unknown(table: &DeTable<'_>, form: Form, prefix: &str, found: &mut Vec<UnknownKey>) {
    let known = form.known();
    for (key, value) in table {
        let name: &str = key.get_ref();
        let path = join(prefix, name);
        if !known.contains(&name) {
            found.push(UnknownKey {
                path,
                span: key.span(),
                hint: hint(name, known),
            });
            continue;
        }
        let Some(child) = form.child(name) else {
            continue;
        };
        match value.get_ref() {
            DeValue::Table(sub) => collect_unknown(sub, child, &path, found),
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let DeValue::Table(sub) = item.get_ref() {
                        collect_unknown(sub, child, &format!("{path}[{i}]"), found);
                    }
                }
            }
            _ => {}
        }
    }
}

/// `did you mean "issuer"?`, or the keys of the table when none is close. 0.2
/// spellings are read but never suggested.
pub(crate) fn hint(name: &str, known: &[&'static str]) -> String {
    let current: Vec<&str> = known
        .iter()
        .copied()
        .filter(|k| !OLD_NAMES.iter().any(|(old, _)| old == k))
        .collect();
    match suggest::closest(name, current.iter().copied()) {
        Some(close) => format!("did you mean {close:?}?"),
        None => format!("expected one of: {}", current.join(", ")),
    }
}

/// The dotted path of the deepest key of `table` at byte `offset` (its key or its value).
pub(crate) fn path_at(table: &DeTable<'_>, offset: usize, prefix: &str) -> Option<String> {
    for (key, value) in table {
        let path = join(prefix, key.get_ref());
        // Tables first: a `[a.b]` table's own span need not cover its keys.
        match value.get_ref() {
            DeValue::Table(sub) => {
                if let Some(deeper) = path_at(sub, offset, &path) {
                    return Some(deeper);
                }
            }
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let DeValue::Table(sub) = item.get_ref()
                        && let Some(deeper) = path_at(sub, offset, &format!("{path}[{i}]"))
                    {
                        return Some(deeper);
                    }
                }
            }
            _ => {}
        }
        if key.span().contains(&offset) || value.span().contains(&offset) {
            return Some(path);
        }
    }
    None
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// ` (line L, column C)` for a byte span of `text`, or nothing without a span.
pub(crate) fn at(text: &str, span: Option<Range<usize>>) -> String {
    span.map(|span| {
        let (line, column) = line_column(text, span.start);
        format!(" (line {line}, column {column})")
    })
    .unwrap_or_default()
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A serde message in our words: "expected X, found Y" for serde's "invalid type: Y,
/// expected X", `missing key "x"` for "missing field `x`".
pub(crate) fn ours(message: &str) -> String {
    let message = message.trim_end();
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some((found, expected)) = message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split_once(", expected "))
        {
            let found = match found {
                "map" => "a table",
                "sequence" => "a list",
                other => other,
            };
            let expected = match expected {
                "usize" | "u64" | "u32" | "u16" | "u8" => "a whole number, 0 or more",
                "a borrowed string" => "a string",
                other => other,
            };
            return format!("expected {expected}, found {found}");
        }
    }
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return format!("missing key {name:?}");
    }
    if let Some(name) = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name)
    {
        return format!("unknown key {name:?}");
    }
    message.to_owned()
}

/// The field names serde's derive gives `deserialize_struct` for `T` (aliases included).
pub(crate) fn fields_of<T: DeserializeOwned>() -> &'static [&'static str] {
    match T::deserialize(FieldsOf) {
        Err(Captured(Some(fields))) => fields,
        _ => &[],
    }
}

/// A deserializer that only records the fields a struct asks for.
struct FieldsOf;

#[derive(Debug)]
struct Captured(Option<&'static [&'static str]>);

impl fmt::Display for Captured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a struct")
    }
}

impl std::error::Error for Captured {}

impl de::Error for Captured {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Self(None)
    }
}

impl<'de> Deserializer<'de> for FieldsOf {
    type Error = Captured;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Captured> {
        Err(Captured(None))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Captured> {
        Err(Captured(Some(fields)))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
        identifier ignored_any
    }
}
