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

//! A stand-in for downloads.apache.org on 127.0.0.1: it serves what dist/release holds (read
//! with `svn cat`), as the mirror system does once it caught up. Tests make it late (404
//! until a moment), wrong (other bytes) or incomplete (404 for some names).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, Result};
use xshell::Shell;

use super::loopback::{lock, Loopback};
use crate::tools::svn;

/// How the stand-in misbehaves.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Everything answers 404 before this moment (the mirrors have not caught up).
    pub from: Option<Instant>,
    /// Files are served with a byte changed.
    pub corrupt: bool,
    /// File names (last path segment) that answer 404.
    pub missing: Vec<String>,
}

pub struct Mirror {
    /// The download base URL: `http://127.0.0.1:<port>`.
    pub url: String,
    behaviour: Arc<Mutex<Behaviour>>,
}

impl Mirror {
    /// Serves `<url>/<path>` from `<release>/<path>` (a dist/release URL).
    pub fn start(release: &str) -> Result<Mirror> {
        let sh = Shell::new().context("the downloads stand-in needs a working directory")?;
        let loopback = Loopback::bind("the downloads stand-in")?;
        let url = loopback.url.clone();
        let behaviour = Arc::new(Mutex::new(Behaviour::default()));
        let shared = behaviour.clone();
        let release = release.trim_end_matches('/').to_string();
        loopback.serve(move |stream| {
            let behaviour = lock(&shared).clone();
            let _ = serve(&sh, &release, &behaviour, stream);
        });
        Ok(Mirror { url, behaviour })
    }

    pub fn behave(&self, behaviour: Behaviour) {
        *lock(&self.behaviour) = behaviour;
    }
}

fn serve(sh: &Shell, release: &str, behaviour: &Behaviour, mut stream: TcpStream) -> Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or_default();
    let name = path.rsplit('/').next().unwrap_or_default();
    let safe = path.starts_with('/')
        && path[1..]
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains(['?', '%', '\\']));
    let late = behaviour.from.is_some_and(|from| Instant::now() < from);
    let found = match safe && !late && !behaviour.missing.iter().any(|m| m == name) {
        true => svn::cat(
            sh,
            &svn::Credentials::anonymous(),
            &format!("{release}{path}"),
            None,
        )
        .ok()
        .flatten(),
        false => None,
    };
    let (status, mut body) = match found {
        Some(bytes) => ("200 OK", bytes),
        None => ("404 Not Found", b"Not Found\n".to_vec()),
    };
    if behaviour.corrupt && status.starts_with("200") {
        if let Some(first) = body.first_mut() {
            *first ^= 0xff;
        }
    }
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)?;
    stream.flush()?;
    Ok(())
}
