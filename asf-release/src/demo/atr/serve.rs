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

//! The stand-in's HTTP side: one request per connection, read with a size limit, answered
//! (or cut when a test asks).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use serde_json::json;

use super::{Cut, Seen, State};
use crate::demo::faults::HttpFault;
use crate::demo::loopback::lock;

/// ATR's `MAX_CONTENT_LENGTH` is 512 MiB; the stand-in takes less.
const REQUEST_LIMIT: usize = 64 * 1024 * 1024;

pub struct Incoming {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// An answer: status and JSON body.
pub type Answer = (u16, String);

pub fn error(status: u16, message: &str) -> Answer {
    (status, json!({ "error": message }).to_string())
}

fn read_request(stream: &TcpStream) -> std::io::Result<Option<Incoming>> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let (mut length, mut authorization, mut content_type) = (0usize, None, None);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            break;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap_or((header, ""));
        let value = value.trim().to_string();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse().unwrap_or(usize::MAX),
            "authorization" => authorization = Some(value),
            "content-type" => content_type = Some(value),
            _ => {}
        }
    }
    if length > REQUEST_LIMIT {
        return Ok(None);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(Incoming {
        method,
        path,
        authorization,
        content_type,
        body,
    }))
}

fn respond(mut stream: TcpStream, (status, body): &Answer) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}

pub fn serve(state: &Arc<Mutex<State>>, stream: TcpStream) {
    let request = match read_request(&stream) {
        Ok(Some(request)) => request,
        Ok(None) => {
            let _ = respond(stream, &error(413, "Request Entity Too Large"));
            return;
        }
        Err(_) => return,
    };
    let mut state = lock(state);
    let what = format!("atr {} {}", request.method, request.path);
    let fault = state.faults.as_ref().and_then(|f| f.count(&what));
    if fault == Some(HttpFault::Refuse) {
        drop(state);
        let _ = respond(stream, &error(503, "Service Unavailable"));
        return;
    }
    let cut = match state.cut.as_mut() {
        Some((route, skip, _)) if request.path.starts_with(route.as_str()) && *skip > 0 => {
            *skip -= 1;
            None
        }
        Some((route, _, cut)) if request.path.starts_with(route.as_str()) => Some(*cut),
        _ => None,
    };
    if cut.is_some() {
        state.cut = None;
    }
    if cut == Some(Cut::Before) {
        // The connection drops before ATR saw the request.
        return;
    }
    // The signature checks of revisions made since the last request (see keys.rs).
    super::keys::check_new_signatures(&mut state);
    let answer = match &state.forced {
        Some((route, status, body)) if request.path.starts_with(route.as_str()) => {
            let answer = (*status, body.clone());
            state.forced = None;
            answer
        }
        _ => super::routes::answer(&mut state, &request),
    };
    state.seen.push(Seen {
        method: request.method.clone(),
        path: request.path.clone(),
        authorization: request.authorization.clone(),
        status: answer.0,
    });
    drop(state);
    if cut == Some(Cut::After) || fault == Some(HttpFault::Cut) {
        // ATR acted; its answer is lost.
        return;
    }
    let _ = respond(stream, &answer);
}
