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

//! What every stand-in shares to be a server on 127.0.0.1: a free port, a thread taking the
//! connections one after the other, and its state behind a lock that one request's panic
//! does not close to the others.

use std::net::{TcpListener, TcpStream};
use std::sync::{Mutex, MutexGuard};

use anyhow::{Context, Result};

/// A free port of 127.0.0.1 that a stand-in listens on, not yet served.
pub(crate) struct Loopback {
    listener: TcpListener,
    /// `http://127.0.0.1:<port>`
    pub url: String,
}

impl Loopback {
    /// Listens on a free port of 127.0.0.1 for the stand-in `name` (`the JIRA stand-in`).
    pub fn bind(name: &str) -> Result<Loopback> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .with_context(|| format!("cannot listen on 127.0.0.1 for {name}"))?;
        let address = listener
            .local_addr()
            .with_context(|| format!("cannot tell the port {name} listens on"))?;
        Ok(Loopback {
            listener,
            url: format!("http://{address}"),
        })
    }

    /// Hands each connection to `handle`, one after the other, on a thread of its own that
    /// lives as long as the process (a stand-in wanting a thread per connection spawns it in
    /// `handle`).
    pub fn serve(self, mut handle: impl FnMut(TcpStream) + Send + 'static) {
        let listener = self.listener;
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                handle(stream);
            }
        });
    }
}

/// Locks a stand-in's state even when a panic while serving a request poisoned it: that one
/// request failed, the others must still be answered (and the test sees what was recorded).
pub(crate) fn lock<T>(state: &Mutex<T>) -> MutexGuard<'_, T> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::sync::Arc;

    use super::*;

    #[test]
    fn serves_each_connection_and_survives_a_poisoned_lock() {
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let loopback = Loopback::bind("the test stand-in").unwrap();
        let url = loopback.url.clone();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let shared = seen.clone();
        loopback.serve(move |mut stream| {
            let mut line = [0u8; 5];
            let _ = stream.read_exact(&mut line);
            lock(&shared).push(String::from_utf8_lossy(&line).into_owned());
            let _ = stream.write_all(b"done\n");
        });
        // A panic while the lock is held poisons it.
        let poisoner = seen.clone();
        let _ = std::thread::spawn(move || {
            let _guard = poisoner.lock();
            panic!("a request's handler fails");
        })
        .join();
        assert!(seen.is_poisoned());
        for word in ["first", "again"] {
            let address = url.trim_start_matches("http://");
            let mut stream = TcpStream::connect(address).unwrap();
            stream.write_all(word.as_bytes()).unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            assert_eq!(answer, "done\n");
        }
        assert_eq!(*lock(&seen), ["first", "again"]);
    }
}
