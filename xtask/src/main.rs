use std::process::ExitCode;

fn main() -> ExitCode {
    match xtask::cli::main() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
