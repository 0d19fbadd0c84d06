//! The one HTTP client helper of the suites: send a request to the app under test and
//! keep what the checks read (status, challenge, content type, other headers, body).

use http::HeaderMap;
use serde_json::{Value, json};

/// What the server answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// `WWW-Authenticate`.
    pub challenge: Option<String>,
    pub content_type: Option<String>,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// A header's value (`"?"` where it is not text); `None` when it is absent.
    pub fn header(&self, name: &str) -> Option<String> {
        header(&self.headers, name)
    }

    /// The body as JSON; `Null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// `error.message` of a LoopBack-shaped body; empty when there is none.
    pub fn message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A 401 or 403 in LoopBack's shape with this message and challenge, exactly: the
    /// whole body, and `application/json`.
    pub fn assert_error(&self, status: u16, message: &str, challenge: &str) {
        assert_eq!(self.status, status, "body: {}", self.body);
        let json = self.json();
        let name = if status == 401 {
            "UnauthorizedError"
        } else {
            "ForbiddenError"
        };
        assert_eq!(
            json,
            json!({ "error": { "statusCode": status, "name": name, "message": message } }),
            "{}",
            self.body
        );
        assert_eq!(self.challenge.as_deref(), Some(challenge));
        assert_eq!(self.content_type.as_deref(), Some("application/json"));
    }

    /// A 401 in LoopBack's shape with the given message and challenge (the fields of
    /// `error` it names; other fields and the content type are not checked).
    pub fn assert_401(&self, message: &str, challenge: &str) {
        assert_eq!(self.status, 401, "body: {}", self.body);
        let json: Value = serde_json::from_str(&self.body).expect("JSON body");
        assert_eq!(json["error"]["statusCode"], 401);
        assert_eq!(json["error"]["name"], "UnauthorizedError");
        assert_eq!(json["error"]["message"], message);
        assert_eq!(self.challenge.as_deref(), Some(challenge));
    }

    /// A 401 for an invalid token, for `reason`.
    pub fn assert_invalid_token(&self, reason: &str) {
        self.assert_401(
            &format!("Invalid token: {reason}"),
            "Bearer error=\"invalid_token\"",
        );
    }

    /// A 401 with this challenge (the body is not checked).
    pub fn assert_refused(&self, challenge: &str) {
        assert_eq!(self.status, 401, "{self:?}");
        assert_eq!(self.challenge.as_deref(), Some(challenge), "{self:?}");
    }

    /// A 200 with this body and no challenge.
    pub fn assert_ok(&self, body: &str) {
        assert_eq!((self.status, self.body.as_str()), (200, body));
        assert_eq!(self.challenge, None);
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| v.to_str().unwrap_or("?").to_owned())
}

/// Sends `request` and reads the whole answer.
///
/// # Panics
///
/// When the request cannot be sent or its body cannot be read.
pub async fn answer(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("request");
    let headers = response.headers().clone();
    Answer {
        status: response.status().as_u16(),
        challenge: header(&headers, "www-authenticate"),
        content_type: header(&headers, "content-type"),
        headers,
        body: response.text().await.expect("body"),
    }
}

/// `GET {base}{path}` with these headers.
pub async fn get(base: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = reqwest::Client::new().get(format!("{base}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    answer(request).await
}

/// `GET {base}{path}` with `Authorization: Bearer <token>`.
pub async fn bearer(base: &str, path: &str, token: &str) -> Answer {
    get(base, path, &[("authorization", &format!("Bearer {token}"))]).await
}
