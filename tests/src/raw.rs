//! A raw HTTP/1.1 client on a TCP socket, for what reqwest cannot do: announce a large
//! body, send only part of it, and read the answer.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Sends a request head announcing `announced` body bytes, then only `sent` of them, and
/// reads what the server answers (without sending the rest).
pub fn post_partial_body(
    addr: SocketAddr,
    path: &str,
    auth: Option<&str>,
    announced: usize,
    sent: usize,
) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let auth = auth.map_or(String::new(), |a| format!("authorization: {a}\r\n"));
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n{auth}content-length: {announced}\r\nconnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).expect("head");
    stream.write_all(&vec![b' '; sent]).expect("some body");
    let mut response = Vec::new();
    // The server answers, then closes; a reset after the answer is fine.
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
            Err(_) if !response.is_empty() => break,
            Err(err) => panic!("no answer: {err}"),
        }
    }
    String::from_utf8_lossy(&response).into_owned()
}
