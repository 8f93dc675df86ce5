//! Exit codes of `ucwa-conform`, in one place (design section 11).

/// Every case passed (or was skipped, or non-strict without `--strict`).
pub const OK: i32 = 0;
/// At least one conformance failure or error verdict.
pub const FAILURES: i32 = 1;
/// A bad case file, profile or command line: nothing was sent.
pub const USAGE: i32 = 2;
/// The target could not be reached or signed in to.
pub const UNREACHABLE: i32 = 3;
