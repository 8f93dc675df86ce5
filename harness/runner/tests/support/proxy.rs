//! A TCP proxy in front of a real server that turns hostile on demand: it resets the first
//! connections it accepts, and once told to go silent it forwards nothing more, in either
//! direction, while holding every connection open (a target that stopped answering).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// A running proxy; its connections end when it is dropped.
pub struct Proxy {
    addr: SocketAddr,
    silent: Arc<watch::Sender<bool>>,
    accepted: Arc<AtomicUsize>,
    _tasks: JoinSet<()>,
}

impl Proxy {
    /// Forwards to `upstream`, resetting the first `resets` connections at once.
    pub async fn start(upstream: SocketAddr, resets: usize) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let silent = Arc::new(watch::channel(false).0);
        let accepted = Arc::new(AtomicUsize::new(0));
        let mut tasks = JoinSet::new();
        let (on, count) = (silent.clone(), accepted.clone());
        tasks.spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((client, _)) = listener.accept().await {
                let n = count.fetch_add(1, Ordering::SeqCst);
                if n < resets {
                    // SO_LINGER 0: the close is a RST, as from a crashed or overloaded peer.
                    let _ = client.set_zero_linger();
                    drop(client);
                    continue;
                }
                connections.spawn(connection(client, upstream, on.subscribe()));
            }
        });
        Proxy {
            addr,
            silent,
            accepted,
            _tasks: tasks,
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Connections accepted so far (reset ones included).
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Stops forwarding anything, on every connection, old and new; holds them all open.
    pub fn go_silent(&self) {
        self.silent.send_replace(true);
    }
}

async fn connection(client: TcpStream, upstream: SocketAddr, silent: watch::Receiver<bool>) {
    if *silent.borrow() {
        return hold(client).await;
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    tokio::join!(
        pump(client_read, server_write, silent.clone()),
        pump(server_read, client_write, silent),
    );
}

/// Copies bytes one way until either side closes; once silent, parks holding both halves.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut silent: watch::Receiver<bool>) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let read = tokio::select! {
            read = from.read(&mut buf) => read,
            _ = silent.wait_for(|s| *s) => break,
        };
        let n = match read {
            Ok(0) | Err(_) => {
                let _ = to.shutdown().await;
                return;
            }
            Ok(n) => n,
        };
        if *silent.borrow() {
            break;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
    // Silent: the connection stays open and nothing more moves.
    let _halves = (from, to);
    std::future::pending::<()>().await;
}

async fn hold(socket: TcpStream) {
    let _socket = socket;
    std::future::pending::<()>().await;
}
