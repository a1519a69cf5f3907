//! One room per subcommand. Each has one entry point, `run(args, &Ui) -> anyhow::Result<u8>`:
//! it takes its parsed arguments and the output handle, and returns the exit code (usage
//! errors are [`crate::error::UsageError`], exit 2). `main.rs` only dispatches to them.

pub mod check;
pub mod completions;
pub mod demo;
pub mod explain;
pub mod init;
pub mod invoke;
pub mod knowledge;
pub mod lint;
pub mod list_checks;
pub mod models;
pub mod policy;
pub mod session;
pub mod triage;
pub mod where_is;
