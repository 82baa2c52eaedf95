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

/// `svn ls` of a URL, without prompting for anything.
pub fn list_cmd(url: &str) -> ToolCmd {
    ToolCmd::new(Tool::Svn, ["list", "--non-interactive", "--", url])
}

/// The entries of a directory URL (directories end in `/`), or the reason `svn` could not
/// list it (unreachable server, missing path, svn not installed).
pub fn list(sh: &Shell, url: &str) -> Result<std::result::Result<Vec<String>, String>> {
    if let Err(err) = Tool::Svn.require() {
        return Ok(Err(format!("{err:#}")));
    }
    let output = list_cmd(url).output(sh)?;
    if !output.status.success() {
        return Ok(Err(String::from_utf8_lossy(&output.stderr)
            .trim()
            .to_string()));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(Ok(text
        .lines()
        .map(|line| line.trim().to_string())
        .collect()))
}
