//! What crosses the network, seen from outside the daemon: a tap that
//! relays to a real server and keeps what each client sent, and scripted
//! servers that offer no STARTTLS but would take a login and a message in
//! plaintext, so that a client falling back to plaintext is caught.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What each connection's client sent, in the order they came.
pub type Sent = Arc<Mutex<Vec<Vec<u8>>>>;

/// Accepts on `listener` until dropped, handing each client to `serve`.
#[derive(Debug)]
struct Acceptor {
    port: u16,
    ip: String,
    stop: Arc<AtomicBool>,
}

impl Acceptor {
    fn start(ip: &str, serve: impl Fn(TcpStream) + Send + 'static) -> Acceptor {
        let listener = TcpListener::bind((ip, 0)).expect("bind");
        let port = listener.local_addr().expect("address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                if let Ok(client) = client {
                    serve(client);
                }
            }
        });
        Acceptor {
            port,
            ip: ip.to_string(),
            stop,
        }
    }
}

impl Drop for Acceptor {
    fn drop(&mut self) {
        // The accepting thread waits in accept(): one last connection
        // wakes it to see the flag.
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect((self.ip.as_str(), self.port));
    }
}

/// A relay from `ip` (any loopback address: 127.0.0.2 is one no
/// certificate of the test stack holds) to `127.0.0.1:upstream`, keeping
/// what each client sent, as an eavesdropper on the network sees it.
#[derive(Debug)]
pub struct Tap {
    pub port: u16,
    sent: Sent,
    _acceptor: Acceptor,
}

impl Tap {
    pub fn start(ip: &str, upstream: u16) -> Tap {
        let sent: Sent = Arc::default();
        let keep = sent.clone();
        let acceptor = Acceptor::start(ip, move |client| {
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                return;
            };
            let (Ok(mut from_server), Ok(mut to_client)) = (server.try_clone(), client.try_clone())
            else {
                return;
            };
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut from_server, &mut to_client);
                let _ = to_client.shutdown(Shutdown::Both);
            });
            let keep = keep.clone();
            std::thread::spawn(move || {
                let (mut client, mut server) = (client, server);
                let index = {
                    let mut all = keep.lock().unwrap();
                    all.push(Vec::new());
                    all.len() - 1
                };
                let mut buf = [0u8; 16 * 1024];
                while let Ok(n @ 1..) = client.read(&mut buf) {
                    keep.lock().unwrap()[index].extend_from_slice(&buf[..n]);
                    if server.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = server.shutdown(Shutdown::Both);
            });
        });
        Tap {
            port: acceptor.port,
            sent,
            _acceptor: acceptor,
        }
    }

    /// What each client sent so far, one entry per connection.
    pub fn sent(&self) -> Vec<Vec<u8>> {
        self.sent.lock().unwrap().clone()
    }
}

/// A server on 127.0.0.1 that greets, then answers each line the client
/// sends with `answer(line, &mut state)` (`None` closes), keeping every
/// byte the client sent.
#[derive(Debug)]
pub struct Scripted {
    pub port: u16,
    sent: Sent,
    _acceptor: Acceptor,
}

/// What a scripted server says to one line, given its state (for SMTP:
/// inside DATA or not).
pub type Answer = fn(&str, &mut bool) -> Option<String>;

impl Scripted {
    pub fn start(greeting: &'static str, answer: Answer) -> Scripted {
        let sent: Sent = Arc::default();
        let keep = sent.clone();
        let acceptor = Acceptor::start("127.0.0.1", move |mut client| {
            let keep = keep.clone();
            std::thread::spawn(move || {
                let index = {
                    let mut all = keep.lock().unwrap();
                    all.push(Vec::new());
                    all.len() - 1
                };
                if client.write_all(greeting.as_bytes()).is_err() {
                    return;
                }
                let Ok(reader) = client.try_clone() else {
                    return;
                };
                let mut lines = BufReader::new(reader);
                let mut state = false;
                let mut line = Vec::new();
                loop {
                    line.clear();
                    match lines.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    keep.lock().unwrap()[index].extend_from_slice(&line);
                    let text = String::from_utf8_lossy(&line);
                    let Some(out) = answer(text.trim_end(), &mut state) else {
                        let _ = client.shutdown(Shutdown::Both);
                        return;
                    };
                    if client.write_all(out.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        });
        Scripted {
            port: acceptor.port,
            sent,
            _acceptor: acceptor,
        }
    }

    /// What each client sent so far, one entry per connection.
    pub fn sent(&self) -> Vec<Vec<u8>> {
        self.sent.lock().unwrap().clone()
    }
}

/// An IMAP server (RFC 3501) without STARTTLS in its capabilities, which
/// refuses the command but takes any login: `greeting` says whether the
/// capabilities come in the greeting or only when asked.
pub fn imap_without_starttls(capabilities_in_greeting: bool) -> Scripted {
    let greeting = if capabilities_in_greeting {
        "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE] scripted ready\r\n"
    } else {
        "* OK scripted ready\r\n"
    };
    Scripted::start(greeting, |line, _| {
        let (tag, rest) = line.split_once(' ').unwrap_or((line, ""));
        let command = rest.split(' ').next().unwrap_or("").to_ascii_uppercase();
        Some(match command.as_str() {
            "CAPABILITY" => {
                format!("* CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE\r\n{tag} OK done\r\n")
            }
            "STARTTLS" => format!("{tag} BAD unknown command\r\n"),
            "SELECT" | "EXAMINE" => format!(
                "* 0 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT 1] ok\r\n{tag} OK [READ-WRITE] done\r\n"
            ),
            "UID" => format!("* SEARCH\r\n{tag} OK done\r\n"),
            "LOGOUT" => return None,
            _ => format!("{tag} OK done\r\n"),
        })
    })
}

/// An SMTP server (RFC 5321) whose EHLO answer lists no STARTTLS, which
/// refuses the command but takes any login and any message.
pub fn smtp_without_starttls() -> Scripted {
    Scripted::start("220 scripted ESMTP\r\n", |line, in_data| {
        if *in_data {
            if line == "." {
                *in_data = false;
                return Some("250 2.0.0 taken\r\n".into());
            }
            return Some(String::new());
        }
        let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
        Some(match verb.as_str() {
            "EHLO" => {
                "250-scripted\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 10000000\r\n"
                    .into()
            }
            "STARTTLS" => "502 5.5.1 not offered\r\n".into(),
            "AUTH" => "235 2.7.0 accepted\r\n".into(),
            "DATA" => {
                *in_data = true;
                "354 go on\r\n".into()
            }
            "QUIT" => return None,
            _ => "250 2.0.0 ok\r\n".into(),
        })
    })
}

/// The lines a client sent in plaintext on one connection: all of it
/// when TLS never started, else what came before its first TLS record
/// (a handshake record, 0x16 0x03, at the start or after a line). The
/// second value is what followed, TLS records only unless a client fell
/// back to plaintext.
pub fn plaintext(sent: &[u8]) -> (Vec<String>, &[u8]) {
    let start = (0..sent.len().saturating_sub(1))
        .find(|&i| sent[i] == 0x16 && sent[i + 1] == 0x03 && (i == 0 || sent[i - 1] == b'\n'))
        .unwrap_or(sent.len());
    let lines = String::from_utf8_lossy(&sent[..start])
        .lines()
        .map(str::to_string)
        .collect();
    (lines, &sent[start..])
}

/// Whether `haystack` holds `needle`, ASCII case ignored.
pub fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// A web proxy that serves nothing: it keeps the first line of each
/// request (`GET http://…`, `CONNECT host:443`) and closes. A browser
/// told to use it shows here every request it makes to the network.
#[derive(Debug)]
pub struct Sink {
    pub port: u16,
    heard: Arc<Mutex<Vec<String>>>,
    _acceptor: Acceptor,
}

impl Sink {
    pub fn start() -> Sink {
        let heard: Arc<Mutex<Vec<String>>> = Arc::default();
        let keep = heard.clone();
        let acceptor = Acceptor::start("127.0.0.1", move |client| {
            let mut first = String::new();
            // A client that connects and says nothing is counted too.
            let _ = client.set_read_timeout(Some(std::time::Duration::from_secs(2)));
            let _ = BufReader::new(&client).read_line(&mut first);
            keep.lock().unwrap().push(first.trim_end().to_string());
        });
        Sink {
            port: acceptor.port,
            heard,
            _acceptor: acceptor,
        }
    }

    /// The requests so far, emptied.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.heard.lock().unwrap())
    }
}
