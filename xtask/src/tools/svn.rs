//! Every `svn` and `svnmucc` command line of the tool.

use anyhow::Result;
use xshell::Shell;

use super::{Tool, ToolCmd};

/// `1.14.2` from `svn --version --quiet`.
pub fn version(sh: &Shell) -> Result<String> {
    ToolCmd::new(Tool::Svn, ["--version", "--quiet"]).read(sh)
}

/// `1.14.2` from the first line of `svnmucc --version` (it has no `--quiet`).
pub fn svnmucc_version(sh: &Shell) -> Result<String> {
    let text = ToolCmd::new(Tool::Svnmucc, ["--version"]).read(sh)?;
    let first = text.lines().next().unwrap_or_default();
    let version = first.split_whitespace().nth(2).unwrap_or(first);
    Ok(version.to_string())
}

/// `svn export URL DEST`: a file or a directory tree, without working-copy metadata. The
/// trailing `@` stops svn from reading an `@` inside the URL as a peg revision.
pub fn export(url: &str, dest: &camino::Utf8Path) -> ToolCmd {
    ToolCmd::new(
        Tool::Svn,
        [
            "export".to_string(),
            "--non-interactive".into(),
            "--quiet".into(),
            "--".into(),
            format!("{url}@"),
            dest.to_string(),
        ],
    )
}
