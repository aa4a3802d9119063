//! `FixtureServer`: a tiny HTTP/1.1 server on 127.0.0.1 whose replies a test decides, for what a
//! real registry will not answer (OTP challenges, policy 403 bodies, 407...). Records every request.

use std::io::{self, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

use super::http::{find_header, read_framed_body, read_head, Head};

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The request target as sent, e.g. "/@scope%2fname".
    pub path: String,
    /// Names as sent (any case); look them up with `header`.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// A header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The reply a handler chooses.
#[derive(Debug, Clone)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: impl AsRef<[u8]>) -> Self {
        self.body = body.as_ref().to_vec();
        self
    }

    /// A JSON body with `content-type: application/json`.
    pub fn json(self, value: impl serde::Serialize) -> Self {
        let body = serde_json::to_vec(&value).expect("serialize fixture JSON");
        self.header("content-type", "application/json").body(body)
    }

    fn to_bytes(&self, keep_alive: bool) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("content-length: {}\r\n", self.body.len()));
        let connection = if keep_alive { "keep-alive" } else { "close" };
        head.push_str(&format!("connection: {connection}\r\n\r\n"));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync + 'static;

struct Shared {
    handler: Box<Handler>,
    requests: Mutex<Vec<Request>>,
    open_connections: Mutex<Vec<TcpStream>>,
    stopping: AtomicBool,
}

/// Serves until dropped; each connection gets its own thread (keep-alive is honoured).
pub struct FixtureServer {
    port: u16,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl FixtureServer {
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind fixture server on 127.0.0.1");
        let port = listener
            .local_addr()
            .expect("fixture server address")
            .port();
        let shared = Arc::new(Shared {
            handler: Box::new(handler),
            requests: Mutex::new(Vec::new()),
            open_connections: Mutex::new(Vec::new()),
            stopping: AtomicBool::new(false),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || accept_loop(listener, shared))
        };
        FixtureServer {
            port,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// "http://127.0.0.1:PORT/"
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared.requests).clone()
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so the acceptor sees `stopping`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        for stream in lock(&self.shared.open_connections).drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.open_connections).push(clone);
        }
        let shared = Arc::clone(&shared);
        thread::spawn(move || {
            let _ = serve_connection(stream, &shared);
        });
    }
}

fn serve_connection(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    while let Some(head) = read_head(&mut reader)? {
        let body = read_framed_body(&mut reader, &head)?.unwrap_or_default();
        let keep_alive = wants_keep_alive(&head);
        let request = to_request(head, body);
        lock(&shared.requests).push(request.clone());
        let response = catch_unwind(AssertUnwindSafe(|| (shared.handler)(&request)))
            .unwrap_or_else(|_| Response::new(500).body("fixture handler panicked"));
        writer.write_all(&response.to_bytes(keep_alive))?;
        if !keep_alive {
            break;
        }
    }
    Ok(())
}

fn wants_keep_alive(head: &Head) -> bool {
    let connection = head.header("connection").unwrap_or("").to_ascii_lowercase();
    if head.start_line.ends_with("HTTP/1.0") {
        connection == "keep-alive"
    } else {
        connection != "close"
    }
}

fn to_request(head: Head, body: Vec<u8>) -> Request {
    let mut parts = head.start_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    Request {
        method,
        path,
        headers: head.headers,
        body,
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        407 => "Proxy Authentication Required",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
