//! Checked-in copies of generated code: compare, show a readable diff, and
//! refresh on request, so a change to the generated API is always reviewed.

use std::fs;
use std::path::Path;

/// The environment variable that makes [`check_snapshot`] rewrite a stale
/// snapshot instead of failing.
pub const REFRESH_VARIABLE: &str = "C2M_AUTH_REFRESH";

/// What [`check_snapshot`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Snapshot {
    /// The checked-in file equals the fresh output.
    Current,
    /// It differed, and was rewritten because `C2M_AUTH_REFRESH=1` was set.
    Refreshed,
}

/// Compares the snapshot at `path` with `fresh`. When they differ, rewrites
/// it if `C2M_AUTH_REFRESH=1` is set; otherwise returns a message with a
/// unified diff (checked in → generated) and `refresh_command`.
pub fn check_snapshot(path: &Path, fresh: &str, refresh_command: &str) -> Result<Snapshot, String> {
    let checked_in = fs::read_to_string(path).unwrap_or_default();
    if checked_in == fresh {
        return Ok(Snapshot::Current);
    }
    if std::env::var(REFRESH_VARIABLE).is_ok_and(|v| v == "1") {
        crate::write_if_changed(path, fresh)
            .map_err(|e| format!("cannot refresh {}: {e}", path.display()))?;
        return Ok(Snapshot::Refreshed);
    }
    let diff = similar::TextDiff::from_lines(checked_in.as_str(), fresh);
    let unified = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("{} (checked in)", path.display()), "generated now")
        .to_string();
    const MAX_LINES: usize = 400;
    let total = unified.lines().count();
    let mut shown: String = unified
        .lines()
        .take(MAX_LINES)
        .collect::<Vec<_>>()
        .join("\n");
    if total > MAX_LINES {
        shown.push_str(&format!("\n... ({} more diff lines)", total - MAX_LINES));
    }
    Err(format!(
        "the generated code differs from the checked-in snapshot {}:\n\n{shown}\n\nIf the change is intended, refresh the snapshot and commit it:\n\n    {refresh_command}\n",
        path.display()
    ))
}
