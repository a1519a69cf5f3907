//! How the renderers may style their output: a value handed down by the command, never a global.

use crate::check_info::Column;
use crate::report::Finding;

/// How the table renderer may style its output.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    /// Width to lay tables out in; `None` lets them grow.
    pub width: Option<u16>,
    /// The model-matrix column a finding fills, as the check that made it declares
    /// (`checks::column`); [`crate::check_info::no_column`] draws no matrix cells.
    pub columns: fn(&Finding) -> Option<Column>,
}
