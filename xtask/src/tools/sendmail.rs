//! The command line of the sendmail-compatible mailer `mail --send` hands a mail to.

use anyhow::{Context, Result};

use super::{Tool, ToolCmd};

/// `<command...>` with the rendered mail on standard input: the mailer reads the recipients
/// from the headers (`-t` for sendmail, msmtp and most others).
pub fn send(command: &[String], eml: &[u8]) -> Result<ToolCmd> {
    let (program, args) = command.split_first().context(
        "the sendmail setting is empty: set `sendmail = [\"sendmail\", \"-t\", \"-oi\"]`",
    )?;
    Ok(ToolCmd::new(Tool::Sendmail, args)
        .program(program)
        .stdin(eml.to_vec()))
}
