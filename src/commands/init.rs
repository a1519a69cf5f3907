//! `init`: write a commented starter `bedrock-doctor.toml`, optionally filled from a scan of
//! the code (`--from-lint`).

use crate::checks;
use crate::cli::InitArgs;
use crate::config;
use crate::error::UsageError;
use crate::output::Ui;
use anyhow::Context as _;

pub fn run(args: InitArgs, ui: &Ui) -> anyhow::Result<u8> {
    let (regions, models, arns) = if args.from_lint.is_empty() {
        (vec![], vec![], vec![])
    } else {
        let inv =
            crate::lint::inventory_paths(&args.from_lint, &[]).map_err(|e| UsageError(e.to_string()))?;
        (
            inv.regions.into_iter().collect(),
            inv.models.into_iter().collect(),
            inv.arns.into_iter().collect(),
        )
    };
    let text = config::starter(&regions, &models, &arns, &checks::infos());
    if args.output == "-" {
        ui.print(&text)?;
        return Ok(0);
    }
    let path = std::path::Path::new(&args.output);
    if path.exists() && !args.force {
        return Err(UsageError(format!(
            "`{}` exists; pass --force to overwrite it",
            path.display()
        ))
        .into());
    }
    std::fs::write(path, &text).with_context(|| format!("writing `{}`", path.display()))?;
    eprintln!(
        "wrote {} ({} regions, {} models, {} granted ARNs); edit it, then run `bedrock-doctor check`",
        path.display(),
        regions.len(),
        models.len(),
        arns.len()
    );
    Ok(0)
}
