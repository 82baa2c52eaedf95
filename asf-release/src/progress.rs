// Licensed to the Apache Software Foundation (ASF) under one
// or more contributor license agreements.  See the NOTICE file
// distributed with this work for additional information
// regarding copyright ownership.  The ASF licenses this file
// to you under the Apache License, Version 2.0 (the
// "License"); you may not use this file except in compliance
// with the License.  You may obtain a copy of the License at
//
//   http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing,
// software distributed under the License is distributed on an
// "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY
// KIND, either express or implied.  See the License for the
// specific language governing permissions and limitations
// under the License.

//! Progress bars for long work, on a terminal only: in CI (`CI` set) or when stderr is a file
//! or a pipe, the plain lines the steps print are enough and a bar would only add noise.
//! One line, redrawn in place at most ten times a second (a crate for this cost a second of
//! every cold build).

use std::cell::Cell;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

const WIDTH: u64 = 30;
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// A bar of `len` units, drawn on stderr.
pub struct Bar {
    what: String,
    len: u64,
    pos: Cell<u64>,
    watched: bool,
    started: Instant,
    drawn: Cell<Option<Instant>>,
}

/// A bar of `len` units; hidden where no person watches.
pub fn bar(len: u64, what: &str) -> Bar {
    Bar {
        what: what.to_string(),
        len,
        pos: Cell::new(0),
        watched: std::io::stderr().is_terminal() && std::env::var_os("CI").is_none(),
        started: Instant::now(),
        drawn: Cell::new(None),
    }
}

impl Bar {
    pub fn inc(&self, units: u64) {
        self.pos
            .set(self.pos.get().saturating_add(units).min(self.len));
        let due = self
            .drawn
            .get()
            .is_none_or(|at| at.elapsed() >= REDRAW_EVERY);
        if self.watched && (due || self.pos.get() == self.len) {
            self.drawn.set(Some(Instant::now()));
            self.draw(&self.line());
        }
    }

    /// Sets how many units are done (for work that can also go back, like a retry).
    pub fn set_position(&self, pos: u64) {
        self.pos.set(pos.min(self.len));
        if self.watched {
            self.drawn.set(Some(Instant::now()));
            self.draw(&self.line());
        }
    }

    /// Runs `print` with the bar's line cleared, then draws the bar again below its output.
    pub fn suspend(&self, print: impl FnOnce()) {
        if self.watched && self.drawn.get().is_some() {
            self.draw("");
        }
        print();
        if self.watched && self.drawn.get().is_some() {
            self.draw(&self.line());
        }
    }

    /// Leaves the bar's last state on its own line (the work stopped short).
    pub fn abandon(&self) {
        if self.watched && self.drawn.get().is_some() {
            let _ = writeln!(std::io::stderr());
        }
    }

    /// Removes the bar's line.
    pub fn finish_and_clear(&self) {
        if self.watched && self.drawn.get().is_some() {
            self.draw("");
        }
    }

    /// `  packaging [=====>    ] 120/400 (3s)`: the last figure is the time left.
    fn line(&self) -> String {
        let (pos, len) = (self.pos.get(), self.len.max(1));
        let filled = (pos * WIDTH / len) as usize;
        let mut bar = "=".repeat(filled);
        if filled < WIDTH as usize {
            bar.push('>');
        }
        let left = match pos {
            0 => 0,
            _ => self.started.elapsed().as_secs() * (len - pos) / pos,
        };
        format!("  {} [{bar:<30}] {pos}/{} ({left}s)", self.what, self.len)
    }

    fn draw(&self, line: &str) {
        // Carriage return, then erase the line: the next draw or message starts clean.
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[2K{line}");
        let _ = stderr.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_the_share_done() {
        let bar = bar(4, "packaging");
        bar.pos.set(2);
        assert_eq!(
            bar.line(),
            "  packaging [===============>              ] 2/4 (0s)"
        );
        bar.pos.set(4);
        assert!(bar.line().contains("[==============================] 4/4"));
    }
}
