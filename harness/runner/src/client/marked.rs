//! A connection that says when a request has left: for background requests whose order on the
//! wire matters (a P-GET that must be parked before the next step replaces it or moves the
//! clock). HTTP gives no such signal, so the connection's own I/O gives it: the first flush
//! after a write, above TLS, means the request head is with the kernel.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use hyper::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection};
use tokio::sync::oneshot;
use tower::Service;

/// The sender of the "written" signal, shared between the connector and its one connection.
pub type Signal = Arc<Mutex<Option<oneshot::Sender<()>>>>;

/// A connector whose connections signal once, after their first flushed write.
#[derive(Clone)]
pub struct MarkedConnector<C> {
    pub inner: C,
    pub signal: Signal,
}

impl<C> Service<Uri> for MarkedConnector<C>
where
    C: Service<Uri> + Clone + Send + 'static,
    C::Response: Read + Write + Connection + Unpin + Send + 'static,
    C::Future: Send + 'static,
    C::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = MarkedIo<C::Response>;
    type Error = C::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let signal = self.signal.clone();
        Box::pin(async move {
            let io = connecting.await?;
            Ok(MarkedIo {
                io,
                signal,
                wrote: false,
            })
        })
    }
}

/// The I/O of a marked connection.
pub struct MarkedIo<T> {
    io: T,
    signal: Signal,
    wrote: bool,
}

impl<T> MarkedIo<T> {
    fn fire(&mut self) {
        if let Ok(mut slot) = self.signal.lock()
            && let Some(sender) = slot.take()
        {
            let _ = sender.send(());
        }
    }
}

impl<T: Read + Unpin> Read for MarkedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: Write + Unpin> Write for MarkedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.io).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.wrote = true;
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.wrote = true;
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let result = Pin::new(&mut self.io).poll_flush(cx);
        if self.wrote && matches!(result, Poll::Ready(Ok(()))) {
            self.fire();
        }
        result
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

impl<T: Connection> Connection for MarkedIo<T> {
    fn connected(&self) -> Connected {
        self.io.connected()
    }
}
