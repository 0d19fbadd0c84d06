//! Tenants: the `{tenant}` placeholder, which tenants a pattern accepts (a list or a
//! predicate), the budget of engines made for unseen tenants, and the check that keeps a
//! tenant's key URL inside its template.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The placeholder of a tenant pattern, in an issuer or a key URL.
pub(crate) const TENANT: &str = "{tenant}";

/// The default bound on the tenant engines one strategy holds.
pub(crate) const DEFAULT_MAX_TENANTS: usize = 256;

/// The longest tenant accepted in an `iss` (an Entra ID tenant id is 36 characters).
pub(super) const MAX_TENANT_CHARS: usize = 128;

/// How many engines for unseen tenants a strategy makes, at most, in a window: a token
/// bucket of `count` engines, refilled evenly over `per`.
///
/// Only engines that fetch count (a key URL per tenant, discovery, LoopBack's rule); a
/// tenant whose keys are pinned or at one shared URL costs no fetch. Defaults to 60 per
/// minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TenantBudget {
    /// Engines made at once at most (the bucket's size); at least 1.
    pub(crate) count: u32,
    /// The time over which `count` engines are allowed again; more than zero.
    pub(crate) per: Duration,
}

impl TenantBudget {
    /// 60 new tenant engines per minute, 60 at once.
    pub(crate) const DEFAULT: Self = Self {
        count: 60,
        per: Duration::from_secs(60),
    };
}

impl Default for TenantBudget {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The token bucket of a [`TenantBudget`].
pub(super) struct Bucket {
    budget: TenantBudget,
    /// Engines that may be made now (fractional while refilling), and when it was counted.
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    pub(super) fn new(budget: TenantBudget) -> Self {
        Self {
            budget,
            state: Mutex::new((f64::from(budget.count), Instant::now())),
        }
    }

    /// Takes one engine from the bucket, or says how long until one is back.
    pub(super) fn take(&self, now: Instant) -> Result<(), Duration> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (tokens, since) = &mut *state;
        let count = f64::from(self.budget.count);
        let per_engine = self.budget.per.as_secs_f64() / count;
        let refilled = now.saturating_duration_since(*since).as_secs_f64() / per_engine;
        *tokens = (*tokens + refilled).min(count);
        *since = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            return Ok(());
        }
        let wait = (1.0 - *tokens) * per_engine;
        Err(Duration::try_from_secs_f64(wait).unwrap_or(self.budget.per))
    }
}

/// Checks the URL of a tenant's keys (or the issuer they are discovered from), `template`
/// with `tenant` in place of `{tenant}`: parsed (dot segments resolved), it must keep the
/// template's scheme, host and port, and its path (or query) must be the template's up
/// to the placeholder followed by the tenant itself. With the placeholder in the host,
/// everything but the host's first label must be the template's.
pub(crate) fn url_stays_in_frame(template: &str, tenant: &str) -> bool {
    const SAMPLE: &str = "tenant";
    if tenant.is_empty() {
        return false;
    }
    let (Some((prefix, _)), Ok(url), Ok(sample)) = (
        template.split_once(TENANT),
        url::Url::parse(&template.replace(TENANT, tenant)),
        url::Url::parse(&template.replace(TENANT, SAMPLE)),
    ) else {
        return false;
    };
    if url.scheme() != sample.scheme()
        || url.port_or_known_default() != sample.port_or_known_default()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return false;
    }
    match url::Url::parse(prefix) {
        // The placeholder is past the authority: the host is fixed.
        Ok(frame) if frame.has_host() && url.host() == frame.host() => match frame.query() {
            None => url
                .path()
                .strip_prefix(frame.path())
                .is_some_and(|rest| rest.starts_with(tenant)),
            Some(query) => {
                url.path() == frame.path()
                    && url
                        .query()
                        .and_then(|q| q.strip_prefix(query))
                        .is_some_and(|rest| rest.starts_with(tenant))
            }
        },
        Ok(_) => false,
        // The placeholder is in the host: the rest of the URL is the sample's.
        Err(_) => {
            let suffix = sample.host_str().and_then(|h| h.strip_prefix(SAMPLE));
            let host = url.host_str();
            let label = tenant.to_ascii_lowercase();
            suffix.is_some_and(|suffix| {
                host.and_then(|h| h.strip_prefix(label.as_str())) == Some(suffix)
                    && !suffix.is_empty()
            }) && url.path() == sample.path()
                && url.query() == sample.query()
        }
    }
}

/// A predicate over tenants.
pub(crate) type TenantPredicate = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Which tenants a pattern accepts.
#[derive(Clone, Default)]
pub(crate) struct TenantFilter {
    pub(crate) list: Vec<String>,
    pub(crate) predicate: Option<TenantPredicate>,
}

impl TenantFilter {
    pub(crate) fn is_set(&self) -> bool {
        !self.list.is_empty() || self.predicate.is_some()
    }

    pub(super) fn allows(&self, tenant: &str) -> bool {
        self.list.iter().any(|t| t == tenant) || self.predicate.as_ref().is_some_and(|p| p(tenant))
    }
}
