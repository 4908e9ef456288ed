//! A TCP proxy in front of a real server (Dovecot's IMAP, OpenSMTPD's
//! SMTP) that a test can tell to cut every connection and refuse new ones,
//! to stall (accept and never pass a byte either way), and to resume. It
//! runs on a runtime of its own, so that tests blocking their own threads
//! (`wait_for` sleeps) cannot hold it up.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Forward,
    /// Connections closed, new ones refused (nothing listens).
    Cut,
    /// Connections accepted and held; nothing passes either way.
    Stall,
    Quit,
}

#[derive(Debug)]
pub struct Proxy {
    /// Where clients connect, on 127.0.0.1.
    pub port: u16,
    mode: watch::Sender<Mode>,
    accepted: Arc<AtomicUsize>,
    lose_final_answers: Arc<AtomicBool>,
}

impl Proxy {
    /// A proxy to `127.0.0.1:upstream`, forwarding.
    pub fn start(upstream: u16) -> Proxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("address").port();
        let (mode, watching) = watch::channel(Mode::Forward);
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        let lose_final_answers = Arc::new(AtomicBool::new(false));
        let lose = lose_final_answers.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("proxy runtime");
            runtime.block_on(serve(listener, port, upstream, watching, counter, lose));
        });
        Proxy {
            port,
            mode,
            accepted,
            lose_final_answers,
        }
    }

    /// SMTP: once a client has sent a message's final dot (RFC 5321
    /// 4.1.1.4), the server's answer is swallowed and the connection
    /// closed. The server took the message; the client cannot know.
    pub fn lose_final_answers(&self, on: bool) {
        self.lose_final_answers.store(on, Ordering::SeqCst);
    }

    /// Closes every connection and refuses new ones, as a server that went
    /// down.
    pub fn cut(&self) {
        self.mode.send_replace(Mode::Cut);
    }

    /// Accepts connections but passes nothing, either way, on new
    /// connections and open ones: a server that hangs.
    pub fn stall(&self) {
        self.mode.send_replace(Mode::Stall);
    }

    /// Forwards again; stalled connections carry on where they were.
    pub fn resume(&self) {
        self.mode.send_replace(Mode::Forward);
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.mode.send_replace(Mode::Quit);
    }
}

async fn serve(
    listener: std::net::TcpListener,
    port: u16,
    upstream: u16,
    mut mode: watch::Receiver<Mode>,
    accepted: Arc<AtomicUsize>,
    lose: Arc<AtomicBool>,
) {
    let mut listener = Some(TcpListener::from_std(listener).expect("tokio listener"));
    loop {
        let now = *mode.borrow_and_update();
        match (now, &listener) {
            (Mode::Quit, _) => return,
            (Mode::Cut, Some(_)) => listener = None,
            (Mode::Cut, None) => {
                if mode.changed().await.is_err() {
                    return;
                }
            }
            (Mode::Forward | Mode::Stall, None) => {
                // The same port again: clients are configured with it.
                match TcpListener::bind(("127.0.0.1", port)).await {
                    Ok(l) => listener = Some(l),
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
            (Mode::Forward | Mode::Stall, Some(l)) => {
                tokio::select! {
                    conn = l.accept() => {
                        if let Ok((client, _)) = conn {
                            accepted.fetch_add(1, Ordering::SeqCst);
                            tokio::spawn(carry(client, upstream, mode.clone(), lose.clone()));
                        }
                    }
                    changed = mode.changed() => {
                        if changed.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    }
}

/// Waits while the proxy stalls. False when the connection must go.
async fn may_pass(mode: &mut watch::Receiver<Mode>) -> bool {
    loop {
        match *mode.borrow_and_update() {
            Mode::Forward => return true,
            Mode::Cut | Mode::Quit => return false,
            Mode::Stall => {}
        }
        if mode.changed().await.is_err() {
            return false;
        }
    }
}

/// One client connection: to the server once the proxy forwards, then
/// both ways, until either side closes or the proxy cuts.
async fn carry(
    client: TcpStream,
    upstream: u16,
    mut mode: watch::Receiver<Mode>,
    lose: Arc<AtomicBool>,
) {
    if !may_pass(&mut mode).await {
        return;
    }
    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_in, client_out) = client.into_split();
    let (server_in, server_out) = server.into_split();
    // Set by the client's side when it sent a final dot and the answer to
    // it is to be lost.
    let dot = Arc::new(AtomicBool::new(false));
    let up = pump(
        client_in,
        server_out,
        mode.clone(),
        Watch::Dot(dot.clone(), lose),
    );
    let down = pump(server_in, client_out, mode.clone(), Watch::Swallow(dot));
    let cut = async {
        loop {
            if matches!(*mode.borrow_and_update(), Mode::Cut | Mode::Quit) {
                return;
            }
            if mode.changed().await.is_err() {
                return;
            }
        }
    };
    // Whichever ends first ends the connection: both sockets drop.
    tokio::select! {
        () = up => {}
        () = down => {}
        () = cut => {}
    }
}

/// What one direction looks out for.
enum Watch {
    /// Client to server: notes a final dot when answers are to be lost.
    Dot(Arc<AtomicBool>, Arc<AtomicBool>),
    /// Server to client: once the dot was noted, the answer is dropped
    /// and the connection ends.
    Swallow(Arc<AtomicBool>),
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut mode: watch::Receiver<Mode>,
    watch: Watch,
) {
    let mut buf = vec![0u8; 16 * 1024];
    // The last bytes sent, so that a dot split over two reads is seen.
    let mut tail = Vec::new();
    loop {
        if !may_pass(&mut mode).await {
            return;
        }
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        match &watch {
            Watch::Dot(dot, lose) if lose.load(Ordering::SeqCst) => {
                tail.extend_from_slice(&buf[..n]);
                if tail.windows(5).any(|w| w == b"\r\n.\r\n") {
                    dot.store(true, Ordering::SeqCst);
                }
                let keep = tail.len().saturating_sub(4);
                tail.drain(..keep);
            }
            Watch::Swallow(dot) if dot.load(Ordering::SeqCst) => return,
            _ => {}
        }
        // Read during a stall: hold it until the proxy forwards again.
        if !may_pass(&mut mode).await {
            return;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
