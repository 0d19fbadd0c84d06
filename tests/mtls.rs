//! Certificate-bound access tokens (RFC 8705) end to end: axum served over real TLS on
//! 127.0.0.1 by `jwt_guard::axum::tls::TlsListener`, and actix-web by its rustls 0.23
//! listener with `jwt_guard::actix::client_certificate_on_connect`, and tonic by its own
//! TLS server under `GrpcAuthLayer`, with a CA, a server
//! certificate and two client certificates made at test time (rcgen); clients presenting
//! them with reqwest (`Identity`) and the `curl` binary. The attribute, the tower layer
//! and the actix-web middleware check `cnf.x5t#S256` against the connection's
//! certificate; behind a plain-HTTP hop, the RFC 9440 `Client-Cert` header counts only
//! for a strategy that trusts it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use actix_web::{App, HttpServer, web};
use axum::Router;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jwt_guard::actix::AuthMiddleware;
use jwt_guard::axum::tls::{TlsConnectInfo, TlsListener};
use jwt_guard::mtls::MtlsConfig;
use jwt_guard::policy::Policy;
use jwt_guard::resource_metadata::ProtectedResource;
use jwt_guard::testkit::Issuer;
use jwt_guard::tower::AuthLayer;
use jwt_guard::{JwtStrategy, Principal, TokenCacheConfig, authenticate};
use jwt_guard_tests::client::{self, Answer};
use jwt_guard_tests::runtime;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::server::WebPkiClientVerifier;
use serde_json::json;

#[allow(unreachable_pub, clippy::unwrap_used, reason = "generated code")]
mod proto {
    tonic::include_proto!("orders.v1");
}
use proto::orders_client::OrdersClient;
use proto::orders_server::{Orders, OrdersServer};
use proto::{GetRequest, Order};

/// The gRPC service: the owner it answers is [`who`] of the layer's principal.
struct Grpc;

#[tonic::async_trait]
impl Orders for Grpc {
    async fn get(
        &self,
        request: tonic::Request<GetRequest>,
    ) -> Result<tonic::Response<Order>, tonic::Status> {
        let principal = request
            .extensions()
            .get::<Principal>()
            .ok_or_else(|| tonic::Status::internal("no principal"))?;
        Ok(tonic::Response::new(Order {
            owner: who(principal),
            id: request.into_inner().id,
        }))
    }

    async fn delete(
        &self,
        request: tonic::Request<GetRequest>,
    ) -> Result<tonic::Response<Order>, tonic::Status> {
        self.get(request).await
    }
}

/// What a protected handler answers: the subject and the certificate thumbprint.
fn who(principal: &Principal) -> String {
    format!(
        "{} {}",
        principal.subject().unwrap_or("-"),
        principal.certificate_thumbprint().unwrap_or("unbound")
    )
}

#[authenticate("mtls")]
async fn attr(principal: Principal) -> String {
    who(&principal)
}

#[authenticate("mtls-required")]
async fn required(principal: Principal) -> String {
    who(&principal)
}

#[authenticate("mtls-none")]
async fn unchecked(principal: Principal) -> String {
    who(&principal)
}

#[authenticate("mtls-proxy")]
async fn proxied(principal: Principal) -> String {
    who(&principal)
}

#[authenticate("mtls-dpop")]
async fn with_dpop(principal: Principal) -> String {
    format!(
        "{} dpop={}",
        who(&principal),
        principal.dpop_thumbprint().unwrap_or("none")
    )
}

async fn layered(principal: Principal) -> String {
    who(&principal)
}

async fn actix_layered(principal: Principal) -> String {
    who(&principal)
}

/// A client's certificate and key, as PEM, and its `x5t#S256`.
struct Client {
    /// Certificate then key, the form `reqwest::Identity::from_pem` reads.
    identity_pem: String,
    cert_path: PathBuf,
    key_path: PathBuf,
    der: Vec<u8>,
    x5t: String,
}

struct Env {
    issuer: Issuer,
    /// `https://127.0.0.1:PORT`, over TLS asking for client certificates.
    tls: String,
    /// `http://127.0.0.1:PORT`: the hop behind a TLS-terminating proxy.
    plain: String,
    /// `https://127.0.0.1:PORT` of actix-web, over TLS asking for client certificates.
    actix: String,
    /// `https://127.0.0.1:PORT` of tonic's TLS server, asking for client certificates.
    grpc: String,
    ca_pem: String,
    ca_path: PathBuf,
    alice: Client,
    bob: Client,
}

static ENV: LazyLock<Env> = LazyLock::new(|| runtime::on_own_runtime(start));

/// A CA, a server certificate for 127.0.0.1 and two client certificates, in a fresh
/// directory under the target dir (for curl).
fn pki() -> (String, PathBuf, String, String, Client, Client) {
    let dir = jwt_guard_tests::target_dir().join(format!("mtls-pki-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("pki dir");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "jwt-guard test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca =
        CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("ca key")).expect("ca");
    let ca_pem = ca.pem();
    let ca_path = dir.join("ca.pem");
    std::fs::write(&ca_path, &ca_pem).expect("write ca");

    let server_key = KeyPair::generate().expect("server key");
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("server params")
        .signed_by(&server_key, &ca)
        .expect("server cert");

    let client = |name: &str| {
        let key = KeyPair::generate().expect("client key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("client params");
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.signed_by(&key, &ca).expect("client cert");
        let cert_path = dir.join(format!("{name}.pem"));
        let key_path = dir.join(format!("{name}.key"));
        std::fs::write(&cert_path, cert.pem()).expect("write cert");
        std::fs::write(&key_path, key.serialize_pem()).expect("write key");
        let der = cert.der().to_vec();
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &der);
        Client {
            identity_pem: format!("{}{}", cert.pem(), key.serialize_pem()),
            cert_path,
            key_path,
            x5t: URL_SAFE_NO_PAD.encode(digest.as_ref()),
            der,
        }
    };
    let (alice, bob) = (client("alice"), client("bob"));
    (
        ca_pem,
        ca_path,
        server.pem(),
        server_key.serialize_pem(),
        alice,
        bob,
    )
}

fn server_config(ca_pem: &str, cert_pem: &str, key_pem: &str) -> rustls::ServerConfig {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).expect("ca der"))
        .expect("root");
    // Clients without a certificate may still connect: the strategy decides.
    let verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
            .allow_unauthenticated()
            .build()
            .expect("verifier");
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(cert_pem.as_bytes()).expect("cert der")],
            PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).expect("key der"),
        )
        .expect("server config")
}

async fn start() -> Env {
    let issuer = Issuer::start().await.expect("issuer");
    let (ca_pem, ca_path, server_pem, server_key, alice, bob) = pki();

    let tcp = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let tls_base = format!("https://{}", tcp.local_addr().expect("addr"));
    let resource = ProtectedResource::builder(format!("{tls_base}/api"))
        .build()
        .expect("resource");
    let strategy = |config: Option<MtlsConfig>| {
        let builder = JwtStrategy::builder()
            .issuer(issuer.issuer())
            .token_cache(TokenCacheConfig::default());
        match config {
            Some(config) => builder.mtls_bound_tokens(config),
            None => builder,
        }
    };
    let register = |name: &str, strategy: jwt_guard::JwtStrategyBuilder| {
        jwt_guard::register(name, strategy.build().expect("strategy")).expect("register");
    };
    register("mtls", strategy(Some(MtlsConfig::allowed())));
    register("mtls-required", strategy(Some(MtlsConfig::required())));
    register("mtls-none", strategy(None));
    register(
        "mtls-proxy",
        strategy(Some(MtlsConfig::allowed().trust_client_cert_header())),
    );
    register(
        "mtls-dpop",
        strategy(Some(MtlsConfig::allowed())).dpop(
            jwt_guard::dpop::DpopConfig::allowed()
                .algorithms([jwt_guard::Algorithm::ES256])
                .external_origin(&tls_base),
        ),
    );
    register(
        "mtls-meta",
        strategy(Some(MtlsConfig::allowed())).protected_resource(&resource),
    );
    let policy = Policy::builder("mtls layer", ["mtls"])
        .build()
        .expect("policy");
    let app = Router::new()
        .route("/attr", get(attr))
        .route("/required", get(required))
        .route("/unchecked", get(unchecked))
        .route("/proxied", get(proxied))
        .route("/dpop", get(with_dpop))
        .nest(
            "/layer",
            Router::new()
                .route("/me", get(layered))
                .layer(AuthLayer::new(policy)),
        )
        .merge(resource.router());
    let config = server_config(&ca_pem, &server_pem, &server_key);
    let listener = TlsListener::new(tcp, Arc::new(config));
    let service = app
        .clone()
        .into_make_service_with_connect_info::<TlsConnectInfo>();
    tokio::spawn(async move { axum::serve(listener, service).await.expect("serve") });

    // The same app over plain HTTP: the hop behind a TLS-terminating proxy.
    let plain = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let plain_base = format!("http://{}", plain.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(plain, app).await.expect("serve") });

    // actix-web over rustls: the attribute and the middleware.
    let std_listener =
        std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("bind");
    let actix = format!("https://{}", std_listener.local_addr().expect("addr"));
    let config = server_config(&ca_pem, &server_pem, &server_key);
    let policy = Policy::builder("mtls actix", ["mtls"])
        .build()
        .expect("policy");
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(move || {
                App::new().route("/attr", web::get().to(attr)).service(
                    web::scope("/layer")
                        .wrap(AuthMiddleware::new(policy.clone()))
                        .route("/me", web::get().to(actix_layered)),
                )
            })
            .on_connect(jwt_guard::actix::client_certificate_on_connect)
            .workers(1)
            .disable_signals()
            .listen_rustls_0_23(std_listener, config)
            .expect("listen")
            .run()
            .await
            .expect("serve");
        });
    });

    // tonic with its own TLS: the layer reads the peer certificates of the connection.
    let grpc_listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let grpc = format!("https://{}", grpc_listener.local_addr().expect("addr"));
    let tls = tonic::transport::ServerTlsConfig::new()
        .identity(tonic::transport::Identity::from_pem(
            &server_pem,
            &server_key,
        ))
        .client_ca_root(tonic::transport::Certificate::from_pem(&ca_pem))
        .client_auth_optional(true);
    let layer = jwt_guard::tonic::GrpcAuthLayer::new(
        Policy::builder("mtls grpc", ["mtls"])
            .build()
            .expect("policy"),
    );
    let server = tonic::transport::Server::builder()
        .tls_config(tls)
        .expect("tls")
        .layer(layer)
        .add_service(OrdersServer::new(Grpc))
        .serve_with_incoming(tonic::transport::server::TcpIncoming::from(grpc_listener));
    tokio::spawn(async move { server.await.expect("serve") });

    Env {
        issuer,
        tls: tls_base,
        plain: plain_base,
        actix,
        grpc,
        ca_pem,
        ca_path,
        alice,
        bob,
    }
}

/// A reqwest client trusting only the test CA, presenting `client`'s certificate.
fn https(client: Option<&Client>) -> reqwest::Client {
    let env = &*ENV;
    let ca = reqwest::Certificate::from_pem(env.ca_pem.as_bytes()).expect("ca");
    let mut builder = reqwest::Client::builder().tls_certs_only([ca]);
    if let Some(client) = client {
        let identity =
            reqwest::Identity::from_pem(client.identity_pem.as_bytes()).expect("identity");
        builder = builder.identity(identity);
    }
    builder.build().expect("client")
}

async fn call(client: Option<&Client>, path: &str, token: &str) -> Answer {
    call_at(&ENV.tls, client, path, token).await
}

async fn call_at(base: &str, client: Option<&Client>, path: &str, token: &str) -> Answer {
    let request = https(client)
        .get(format!("{base}{path}"))
        .bearer_auth(token);
    client::answer(request).await
}

fn bound_to(client: &Client) -> String {
    ENV.issuer
        .token(json!({ "sub": "ada", "cnf": { "x5t#S256": client.x5t } }))
}

fn plain_token() -> String {
    ENV.issuer.token(json!({ "sub": "ada" }))
}

const MISMATCH: &str = "client certificate does not match the jwt";
const MISSING: &str = "jwt bound to a client certificate and none was presented";

#[tokio::test]
async fn the_right_certificate_passes_the_attribute_and_the_layer() {
    let env = &*ENV;
    let token = bound_to(&env.alice);
    let expected = format!("ada {}", env.alice.x5t);
    for path in ["/attr", "/layer/me"] {
        // Twice: the second is a token-cache hit, checked the same way.
        for _ in 0..2 {
            call(Some(&env.alice), path, &token)
                .await
                .assert_ok(&expected);
        }
    }
}

#[tokio::test]
async fn another_certificate_is_refused() {
    let env = &*ENV;
    let token = bound_to(&env.alice);
    for path in ["/attr", "/layer/me", "/required"] {
        // The first call may be a cold verification, the second a cache hit.
        for _ in 0..2 {
            call(Some(&env.bob), path, &token)
                .await
                .assert_invalid_token(MISMATCH);
        }
    }
    // The right client, after the refusals, on the same token.
    call(Some(&env.alice), "/attr", &token)
        .await
        .assert_ok(&format!("ada {}", env.alice.x5t));
}

#[tokio::test]
async fn no_certificate_is_refused() {
    let env = &*ENV;
    let token = bound_to(&env.bob);
    for path in ["/attr", "/layer/me"] {
        call(None, path, &token).await.assert_invalid_token(MISSING);
    }
    // Over plain HTTP there is no certificate either.
    client::bearer(&env.plain, "/attr", &token)
        .await
        .assert_invalid_token(MISSING);
}

#[tokio::test]
async fn actix_web_checks_the_binding_in_the_attribute_and_the_middleware() {
    let env = &*ENV;
    let token = bound_to(&env.alice);
    let expected = format!("ada {}", env.alice.x5t);
    for path in ["/attr", "/layer/me"] {
        for _ in 0..2 {
            call_at(&env.actix, Some(&env.alice), path, &token)
                .await
                .assert_ok(&expected);
        }
        call_at(&env.actix, Some(&env.bob), path, &token)
            .await
            .assert_invalid_token(MISMATCH);
        call_at(&env.actix, None, path, &token)
            .await
            .assert_invalid_token(MISSING);
        call_at(&env.actix, None, path, &plain_token())
            .await
            .assert_ok("ada unbound");
    }
}

#[tokio::test]
async fn with_dpop_the_proof_is_checked_first_then_the_certificate() {
    let env = &*ENV;
    let key = jwt_guard::testkit::DpopKey::generate(jwt_guard::Algorithm::ES256).expect("key");
    let htu = format!("{}/dpop", env.tls);
    let dpop_call = |client: Option<&'static Client>, token: String, proof: String| {
        let request = https(client)
            .get(&htu)
            .header("authorization", format!("DPoP {token}"))
            .header("dpop", proof);
        client::answer(request)
    };
    // Bound to both: the proof key and the certificate.
    let both = env.issuer.token(json!({
        "sub": "ada",
        "cnf": { "jkt": key.thumbprint(), "x5t#S256": env.alice.x5t },
    }));
    let proof = key.proof("GET", &htu, Some(&both));
    dpop_call(Some(&env.alice), both.clone(), proof)
        .await
        .assert_ok(&format!("ada {} dpop={}", env.alice.x5t, key.thumbprint()));
    let proof = key.proof("GET", &htu, Some(&both));
    let answer = dpop_call(Some(&env.bob), both.clone(), proof).await;
    assert_eq!(answer.status, 401, "{answer:?}");
    assert_eq!(answer.message(), format!("Invalid token: {MISMATCH}"));
    // Both wrong: the proof's refusal is the answer (DPoP first).
    let other_key =
        jwt_guard::testkit::DpopKey::generate(jwt_guard::Algorithm::ES256).expect("key");
    let proof = other_key.proof("POST", &htu, Some(&both));
    let answer = dpop_call(Some(&env.bob), both.clone(), proof).await;
    assert_eq!(answer.status, 401, "{answer:?}");
    assert_eq!(answer.message(), "Invalid DPoP proof");
    // The right certificate with another proof key: the key mismatch.
    let proof = other_key.proof("GET", &htu, Some(&both));
    let answer = dpop_call(Some(&env.alice), both, proof).await;
    assert_eq!(answer.message(), "DPoP proof key does not match the token");
    // Bound to the certificate only: not a DPoP token, but a good bearer one.
    let x5t_only = bound_to(&env.alice);
    let proof = key.proof("GET", &htu, Some(&x5t_only));
    let answer = dpop_call(Some(&env.alice), x5t_only.clone(), proof).await;
    assert_eq!(answer.message(), "Token is not bound to a DPoP key");
    call(Some(&env.alice), "/dpop", &x5t_only)
        .await
        .assert_ok(&format!("ada {} dpop=none", env.alice.x5t));
}

/// One gRPC call over TLS, presenting `client`'s certificate: the owner, or the status.
async fn grpc_get(client: Option<&Client>, token: &str) -> Result<String, tonic::Status> {
    let env = &*ENV;
    let mut tls = tonic::transport::ClientTlsConfig::new()
        .ca_certificate(tonic::transport::Certificate::from_pem(&env.ca_pem))
        .domain_name("localhost");
    if let Some(client) = client {
        let cert = std::fs::read_to_string(&client.cert_path).expect("cert");
        let key = std::fs::read_to_string(&client.key_path).expect("key");
        tls = tls.identity(tonic::transport::Identity::from_pem(cert, key));
    }
    let channel = tonic::transport::Channel::from_shared(env.grpc.clone())
        .expect("uri")
        .tls_config(tls)
        .expect("tls")
        .connect()
        .await
        .expect("connect");
    let mut request = tonic::Request::new(GetRequest { id: "7".into() });
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("metadata"),
    );
    OrdersClient::new(channel)
        .get(request)
        .await
        .map(|answer| answer.into_inner().owner)
}

#[tokio::test]
async fn tonic_checks_the_binding_against_its_tls_peer_certificate() {
    let env = &*ENV;
    let token = bound_to(&env.alice);
    for _ in 0..2 {
        assert_eq!(
            grpc_get(Some(&env.alice), &token).await.expect("alice"),
            format!("ada {}", env.alice.x5t)
        );
    }
    for (client, message) in [(Some(&env.bob), MISMATCH), (None, MISSING)] {
        let status = grpc_get(client, &token).await.expect_err("refused");
        assert_eq!(status.code(), tonic::Code::Unauthenticated);
        assert_eq!(status.message(), format!("Invalid token: {message}"));
    }
    assert_eq!(
        grpc_get(None, &plain_token()).await.expect("bearer"),
        "ada unbound"
    );
}

#[tokio::test]
async fn an_unbound_token_is_a_bearer_token_unless_binding_is_required() {
    let env = &*ENV;
    let token = plain_token();
    call(Some(&env.alice), "/attr", &token)
        .await
        .assert_ok("ada unbound");
    call(None, "/layer/me", &token)
        .await
        .assert_ok("ada unbound");
    call(Some(&env.alice), "/required", &token)
        .await
        .assert_invalid_token("jwt not bound to a client certificate");
    call(Some(&env.alice), "/required", &bound_to(&env.alice))
        .await
        .assert_ok(&format!("ada {}", env.alice.x5t));
}

#[tokio::test]
async fn a_strategy_without_the_option_refuses_bound_tokens() {
    let env = &*ENV;
    call(Some(&env.alice), "/unchecked", &bound_to(&env.alice))
        .await
        .assert_invalid_token("jwt cnf not supported");
    call(Some(&env.alice), "/unchecked", &plain_token())
        .await
        .assert_ok("ada unbound");
}

/// The `Client-Cert` value a TLS-terminating proxy sends for `client` (RFC 9440).
fn client_cert_header(client: &Client) -> String {
    format!(":{}:", STANDARD.encode(&client.der))
}

#[tokio::test]
async fn the_client_cert_header_counts_only_where_the_proxy_is_trusted() {
    let env = &*ENV;
    let token = bound_to(&env.alice);
    let auth = format!("Bearer {token}");
    let alice = client_cert_header(&env.alice);
    let bob = client_cert_header(&env.bob);
    // Trusted: the header is the certificate.
    client::get(
        &env.plain,
        "/proxied",
        &[("authorization", &auth), ("client-cert", &alice)],
    )
    .await
    .assert_ok(&format!("ada {}", env.alice.x5t));
    client::get(
        &env.plain,
        "/proxied",
        &[("authorization", &auth), ("client-cert", &bob)],
    )
    .await
    .assert_invalid_token(MISMATCH);
    client::get(&env.plain, "/proxied", &[("authorization", &auth)])
        .await
        .assert_invalid_token(MISSING);
    // Behind the proxy, the connection's own certificate is the proxy's: not used.
    let request = https(Some(&env.alice))
        .get(format!("{}/proxied", env.tls))
        .bearer_auth(&token);
    client::answer(request).await.assert_invalid_token(MISSING);
    // Untrusted: the header never satisfies the binding, over HTTP or over TLS.
    for path in ["/attr", "/layer/me"] {
        client::get(
            &env.plain,
            path,
            &[("authorization", &auth), ("client-cert", &alice)],
        )
        .await
        .assert_invalid_token(MISSING);
    }
    let request = https(Some(&env.bob))
        .get(format!("{}/attr", env.tls))
        .bearer_auth(&token)
        .header("client-cert", &alice);
    client::answer(request).await.assert_invalid_token(MISMATCH);
}

#[tokio::test]
async fn a_malformed_client_cert_header_is_refused_where_it_is_read() {
    let env = &*ENV;
    let auth = format!("Bearer {}", bound_to(&env.alice));
    let good = client_cert_header(&env.alice);
    let truncated = format!(
        ":{}:",
        STANDARD.encode(&env.alice.der[..env.alice.der.len() - 1])
    );
    // The DER with one byte more or less than a multiple of 3, so that its base64 has
    // padding to drop (a certificate's length varies with its signature).
    let der = &env.alice.der;
    let padded = match der.len() % 3 {
        0 => STANDARD.encode(&der[..der.len() - 1]),
        _ => STANDARD.encode(der),
    };
    let unpadded = format!(":{}:", padded.trim_end_matches('='));
    assert!(padded.ends_with('='), "{padded}");
    for bad in [
        good.trim_matches(':').to_owned(),
        format!("{good};a=1"),
        unpadded,
        truncated,
        ":not base64!:".to_owned(),
        format!(
            ":{}:",
            STANDARD.encode(der).replace('+', "-").replace('/', "_")
        ),
    ] {
        if bad == good {
            continue;
        }
        let answer = client::get(
            &env.plain,
            "/proxied",
            &[("authorization", &auth), ("client-cert", &bad)],
        )
        .await;
        answer.assert_401(
            "Client-Cert header is malformed",
            "Bearer error=\"invalid_request\"",
        );
    }
    // Repeated: malformed too.
    let request = reqwest::Client::new()
        .get(format!("{}/proxied", env.plain))
        .header("authorization", &auth)
        .header("client-cert", &good)
        .header("client-cert", &good);
    client::answer(request).await.assert_401(
        "Client-Cert header is malformed",
        "Bearer error=\"invalid_request\"",
    );
    // Where the header is not trusted it is not read: no 400-style refusal, the binding
    // simply has no certificate.
    client::get(
        &env.plain,
        "/attr",
        &[("authorization", &auth), ("client-cert", ":garbage:")],
    )
    .await
    .assert_invalid_token(MISSING);
}

#[tokio::test]
async fn the_metadata_says_certificate_bound_tokens_are_supported() {
    let env = &*ENV;
    let answer = client::answer(https(None).get(format!(
        "{}/.well-known/oauth-protected-resource/api",
        env.tls
    )))
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let doc = answer.json();
    assert_eq!(doc["tls_client_certificate_bound_access_tokens"], true);
    assert_eq!(doc["authorization_servers"], json!([env.issuer.issuer()]));
}

/// The `curl` binary, or a failure saying how to install it.
fn curl() -> &'static str {
    let found = std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(
        found,
        "curl is not installed: this suite drives it as a real mTLS client \
         (apt-get install -y curl; .ci/run installs it)"
    );
    "curl"
}

/// `curl` GETs `path` over TLS with `--cacert`, and with `client`'s `--cert`/`--key`:
/// the status and the body.
fn curl_get(client: Option<&Client>, path: &str, token: &str) -> (u16, String) {
    let env = &*ENV;
    let mut command = std::process::Command::new(curl());
    command
        .arg("--silent")
        .arg("--show-error")
        .arg("--max-time")
        .arg("20")
        .arg("--cacert")
        .arg(&env.ca_path)
        .arg("--header")
        .arg(format!("Authorization: Bearer {token}"))
        .arg("--write-out")
        .arg("\n%{http_code}");
    if let Some(client) = client {
        command
            .arg("--cert")
            .arg(&client.cert_path)
            .arg("--key")
            .arg(&client.key_path);
    }
    let out = command
        .arg(format!("{}{path}", env.tls))
        .output()
        .expect("run curl");
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let (body, status) = text.rsplit_once('\n').expect("status line");
    (status.parse().expect("status"), body.to_owned())
}

#[tokio::test]
async fn curl_presents_its_certificate() {
    let env = &*ENV;
    let token = bound_to(&env.alice);
    let (alice, bob) = (&env.alice, &env.bob);
    let cases = tokio::task::spawn_blocking(move || {
        [
            curl_get(Some(alice), "/attr", &token),
            curl_get(Some(alice), "/layer/me", &token),
            curl_get(Some(bob), "/attr", &token),
            curl_get(None, "/attr", &token),
        ]
    })
    .await
    .expect("curl");
    let expected = format!("ada {}", env.alice.x5t);
    assert_eq!(cases[0], (200, expected.clone()));
    assert_eq!(cases[1], (200, expected));
    assert_eq!(cases[2].0, 401, "{:?}", cases[2]);
    assert!(cases[2].1.contains(MISMATCH), "{:?}", cases[2]);
    assert_eq!(cases[3].0, 401, "{:?}", cases[3]);
    assert!(cases[3].1.contains(MISSING), "{:?}", cases[3]);
}
