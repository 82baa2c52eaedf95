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

//! Faults injected into the requests a stand-in serves, for the tests that fault every
//! external call: requests are counted in the same counter file as the calls of the tests'
//! tool wrappers (one number for every external call of a run), and the request whose number
//! is `at` is refused (503, nothing done) or cut (done, its answer lost, as when the network
//! drops or the client is killed while waiting).

use std::io::Write;
use std::path::PathBuf;

/// How the chosen request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpFault {
    /// Answered 503 before the service acts.
    Refuse,
    /// The service acts; the connection closes before its answer.
    Cut,
}

#[derive(Debug, Clone)]
pub struct HttpFaults {
    /// The counter file the tool wrappers use too (`FAULT_COUNTER`); `<counter>.log` gets a
    /// line per request.
    pub counter: PathBuf,
    /// The number of the call that fails (0: none).
    pub at: usize,
    pub kind: HttpFault,
}

impl HttpFaults {
    /// Counts one request (`what`: the service, method and path, for the log) and says how it
    /// fails, if it is the chosen one.
    pub fn count(&self, what: &str) -> Option<HttpFault> {
        let number = std::fs::read_to_string(&self.counter)
            .ok()
            .and_then(|text| text.trim().parse::<usize>().ok())
            .unwrap_or(0)
            + 1;
        let _ = std::fs::write(&self.counter, format!("{number}\n"));
        let mut log = self.counter.clone().into_os_string();
        log.push(".log");
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(PathBuf::from(log))
        {
            let _ = writeln!(file, "{number} http {what}");
        }
        (number == self.at).then_some(self.kind)
    }
}
