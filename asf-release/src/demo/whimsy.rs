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

//! A stand-in for whimsy.apache.org's public data on 127.0.0.1: `/public/<file>.json` for the
//! files it is given, `404 Not Found` for anything else, GET only.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use anyhow::Result;

use super::loopback::{lock, Loopback};

pub struct WhimsyStandIn {
    /// `http://127.0.0.1:<port>`
    pub url: String,
    files: Arc<Mutex<Vec<(String, String)>>>,
}

impl WhimsyStandIn {
    pub fn start() -> Result<WhimsyStandIn> {
        let loopback = Loopback::bind("the whimsy stand-in")?;
        let url = loopback.url.clone();
        let files = Arc::new(Mutex::new(Vec::new()));
        let shared = files.clone();
        loopback.serve(move |stream| {
            let files = lock(&shared).clone();
            let _ = serve(&files, stream);
        });
        Ok(WhimsyStandIn { url, files })
    }

    /// Serves `text` as `/public/<name>` from now on.
    pub fn publish(&self, name: &str, text: &str) {
        let mut files = lock(&self.files);
        files.retain(|(file, _)| file != name);
        files.push((name.to_string(), text.to_string()));
    }
}

fn serve(files: &[(String, String)], mut stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let found = path
        .strip_prefix("/public/")
        .and_then(|name| files.iter().find(|(file, _)| file == name))
        .filter(|_| method == "GET");
    let (status, kind, body) = match found {
        Some((_, text)) => ("200 OK", "application/json", text.as_str()),
        None => ("404 Not Found", "text/html", "<h1>Not Found</h1>"),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}
