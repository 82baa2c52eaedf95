//! Every `svn` and `svnmucc` command line of the tool.

use anyhow::Result;
use xshell::Shell;

use super::{Tool, ToolCmd};

/// `1.14.2` from `svn --version --quiet`.
pub fn version(sh: &Shell) -> Result<String> {
    ToolCmd::new(Tool::Svn, ["--version", "--quiet"]).read(sh)
}

/// `1.14.2` from `svnmucc --version --quiet`.
pub fn svnmucc_version(sh: &Shell) -> Result<String> {
    let text = ToolCmd::new(Tool::Svnmucc, ["--version", "--quiet"]).read(sh)?;
    Ok(text.lines().next().unwrap_or_default().to_string())
}
