//! Resource identifiers (RFC 8707 audiences, RFC 9728 `resource`) compared as RFC 3986
//! §6.2.2.1 and §6.2.3 say: the scheme and the host case-insensitively, the scheme's
//! default port the same as no port, an empty path the same as `/` when compared (the
//! canonical form keeps it empty); the path (and anything after it) exactly, as written. No other normalization: no percent-decoding,
//! no dot segments, no trailing-slash equivalence beyond the empty path. A leaf.

/// An absolute `http`/`https` URI cut at its parts, borrowed from the text.
struct Parts<'a> {
    scheme: &'a str,
    host: &'a str,
    /// The port, the scheme's default when none (or an empty one) is written.
    port: u16,
    /// The path and what follows it, `""` for an empty path.
    rest: &'a str,
}

impl<'a> Parts<'a> {
    /// `None` for anything but an absolute http(s) URI with a host and no user
    /// information.
    fn of(uri: &'a str) -> Option<Self> {
        let (scheme, after) = uri.split_once("://")?;
        let default_port = if scheme.eq_ignore_ascii_case("https") {
            443
        } else if scheme.eq_ignore_ascii_case("http") {
            80
        } else {
            return None;
        };
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(end);
        if authority.contains('@') {
            return None;
        }
        // An IPv6 literal keeps its colons inside brackets.
        let port_at = match authority.rfind(']') {
            Some(close) => authority[close..].find(':').map(|i| close + i),
            None => authority.rfind(':'),
        };
        let (host, port) = match port_at {
            Some(colon) => {
                let digits = &authority[colon + 1..];
                let port = if digits.is_empty() {
                    default_port
                } else if digits.bytes().all(|b| b.is_ascii_digit()) {
                    digits.parse().ok()?
                } else {
                    return None;
                };
                (&authority[..colon], port)
            }
            None => (authority, default_port),
        };
        if host.is_empty() {
            return None;
        }
        Some(Self {
            scheme,
            host,
            port,
            rest,
        })
    }

    fn default_port(&self) -> u16 {
        if self.scheme.eq_ignore_ascii_case("https") {
            443
        } else {
            80
        }
    }
}

/// The canonical form of an absolute http(s) URI: scheme and host in lower case, the
/// scheme's default port left out, the rest as written — an empty path stays empty (it
/// compares equal to `/`, but authorization servers that match resource indicators
/// exactly would not take a `/` the user did not write). `None` for anything else (no
/// scheme, another scheme, no host, user information, a bad port).
pub(crate) fn canonical(uri: &str) -> Option<String> {
    let parts = Parts::of(uri)?;
    let rest = parts.rest;
    let mut out = String::with_capacity(uri.len() + 1);
    out.push_str(&parts.scheme.to_ascii_lowercase());
    out.push_str("://");
    out.push_str(&parts.host.to_ascii_lowercase());
    if parts.port != parts.default_port() {
        out.push(':');
        out.push_str(&parts.port.to_string());
    }
    out.push_str(rest);
    Some(out)
}

/// True when `candidate` (a token's `aud` value) names the resource `canonical` (a
/// [`canonical`] form, made once at build time). Equal strings answer at once; otherwise
/// part by part, without allocating.
pub(crate) fn same_resource(canonical: &str, candidate: &str) -> bool {
    if canonical == candidate {
        return true;
    }
    let (Some(a), Some(b)) = (Parts::of(canonical), Parts::of(candidate)) else {
        return false;
    };
    a.scheme.eq_ignore_ascii_case(b.scheme)
        && a.host.eq_ignore_ascii_case(b.host)
        && a.port == b.port
        && same_path(a.rest, b.rest)
}

/// The paths (and what follows) equal, an empty path being `/` (RFC 3986 §6.2.3).
fn same_path(a: &str, b: &str) -> bool {
    match (a.starts_with('/'), b.starts_with('/')) {
        (true, false) => a.strip_prefix('/') == Some(b),
        (false, true) => b.strip_prefix('/') == Some(a),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_lowers_scheme_and_host_and_drops_the_default_port() {
        let cases = [
            (
                "HTTPS://MCP.Example.com:443/mcp",
                "https://mcp.example.com/mcp",
            ),
            ("https://mcp.example.com/MCP", "https://mcp.example.com/MCP"),
            ("http://h.test:80", "http://h.test"),
            ("http://h.test:", "http://h.test"),
            ("HTTP://H.test:80/", "http://h.test/"),
            ("https://h.test:8443/a/", "https://h.test:8443/a/"),
            ("https://h.test:80/a", "https://h.test:80/a"),
            ("http://[::1]:8080/x", "http://[::1]:8080/x"),
            ("http://[::1]/x", "http://[::1]/x"),
            ("https://h.test/a%2Fb", "https://h.test/a%2Fb"),
        ];
        for (input, want) in cases {
            assert_eq!(canonical(input).as_deref(), Some(want), "{input}");
        }
        for bad in [
            "/mcp",
            "ftp://h/x",
            "https://",
            "https://u@h/x",
            "https://h:x/",
            "https://h:99999/",
            "mcp.example.com",
        ] {
            assert_eq!(canonical(bad), None, "{bad}");
        }
    }

    #[test]
    fn same_resource_compares_part_by_part() {
        let resource = "https://mcp.example.com/mcp";
        for same in [
            "https://mcp.example.com/mcp",
            "HTTPS://MCP.EXAMPLE.COM/mcp",
            "https://Mcp.Example.com:443/mcp",
        ] {
            assert!(same_resource(resource, same), "{same}");
        }
        for other in [
            "https://mcp.example.com/MCP",
            "https://mcp.example.com/mcp/",
            "http://mcp.example.com/mcp",
            "https://mcp.example.com:8443/mcp",
            "https://mcp.example.com/mcp?x",
            "https://mcp.example.com",
            "https://evil.example/mcp",
            "https://u@mcp.example.com/mcp",
            "mcp.example.com/mcp",
            "",
        ] {
            assert!(!same_resource(resource, other), "{other}");
        }
        assert!(same_resource("http://h.test/", "HTTP://h.test"));
        assert!(same_resource("http://h.test/", "http://h.test:80"));
        assert!(
            same_resource("http://h.test", "http://h.test/"),
            "an empty path is `/`"
        );
        assert!(!same_resource("http://h.test", "http://h.test//"));
    }
}
