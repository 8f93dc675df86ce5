//! Hostile servers for the runner's tests, on raw tokio TCP: a proxy that can reset or go
//! silent in front of the reference server, and a hand-written HTTP/1.1 server.

pub mod proxy;
pub mod raw;
