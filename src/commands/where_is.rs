//! `where MODEL`: where a model can be called, offline, from the embedded knowledge base: the
//! regions that serve it on demand, those that serve it only through profiles, every profile
//! with its destinations per source region, and its lifecycle.

use crate::cli::WhereArgs;
use crate::error::UsageError;
use crate::knowledge;
use crate::output::{Emitter, Ui};
use crate::render;

pub fn run(args: WhereArgs, ui: &Ui) -> anyhow::Result<u8> {
    let kb = knowledge::embedded();
    let Some(w) = kb.whereabouts(args.model.trim()) else {
        let hint = kb.did_you_mean(args.model.trim());
        return Err(UsageError(format!(
            "`{}` is not in the knowledge base of {}{hint}",
            args.model, kb.date
        ))
        .into());
    };
    Emitter::stdout(args.format).table_or_json(ui, &w, render::where_table)?;
    Ok(0)
}
