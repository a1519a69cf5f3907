//! `completions SHELL` and `man`: generated from the same clap definition as `--help`.

use crate::cli::Cli;
use crate::output::Ui;
use clap::CommandFactory;

/// `completions SHELL`.
pub fn run(shell: clap_complete::Shell, ui: &Ui) -> anyhow::Result<u8> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "bedrock-doctor", &mut buf);
    ui.print(&String::from_utf8_lossy(&buf))?;
    Ok(0)
}

/// `man`.
pub fn man(ui: &Ui) -> anyhow::Result<u8> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    ui.print(&String::from_utf8_lossy(&buf))?;
    Ok(0)
}
