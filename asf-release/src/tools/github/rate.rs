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

//! GitHub's rate limits, as its REST documentation asks clients to treat them: wait for
//! `retry-after` seconds; else, when `x-ratelimit-remaining` is 0, until `x-ratelimit-reset`;
//! else a minute, doubled on every further retry. Writes are paced so that a long run of
//! them (a 150-PR relabel) stays below the secondary limit on content-creating requests.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::http::Response;

/// Pause between two mutating requests; GitHub's best practices ask for at least a second.
pub const WRITE_INTERVAL_VAR: &str = "ASF_RELEASE_GITHUB_WRITE_INTERVAL_MS";
const DEFAULT_WRITE_INTERVAL: Duration = Duration::from_secs(1);
/// The longest single wait for a rate limit before giving up with the time to come back.
pub const MAX_WAIT_VAR: &str = "ASF_RELEASE_GITHUB_MAX_WAIT_SECS";
const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Retries of one request after rate-limit answers.
pub const MAX_RETRIES: u32 = 3;

/// How this run treats rate limits, read once from the environment.
pub struct Policy {
    pub write_interval: Duration,
    pub max_wait: Duration,
}

fn env_number(name: &str, unit: &str) -> Result<Option<u64>> {
    match std::env::var(name) {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse()
            .map(Some)
            .with_context(|| format!("{name} must be a whole number of {unit}, not `{text}`")),
        _ => Ok(None),
    }
}

impl Policy {
    pub fn from_env() -> Result<Policy> {
        Ok(Policy {
            write_interval: env_number(WRITE_INTERVAL_VAR, "milliseconds")?
                .map_or(DEFAULT_WRITE_INTERVAL, Duration::from_millis),
            max_wait: env_number(MAX_WAIT_VAR, "seconds")?
                .map_or(DEFAULT_MAX_WAIT, Duration::from_secs),
        })
    }
}

/// Spaces mutating requests `interval` apart.
pub struct Pacer {
    interval: Duration,
    last: std::cell::Cell<Option<Instant>>,
}

impl Pacer {
    pub fn new(interval: Duration) -> Pacer {
        Pacer {
            interval,
            last: std::cell::Cell::new(None),
        }
    }

    /// Sleeps until `interval` after the previous write, then counts this one.
    pub fn before_write(&self) {
        if let Some(last) = self.last.get() {
            let since = last.elapsed();
            if since < self.interval {
                std::thread::sleep(self.interval - since);
            }
        }
        self.last.set(Some(Instant::now()));
    }
}

/// A rate-limit answer: how long GitHub asks us to wait, and why.
#[derive(Debug, PartialEq, Eq)]
pub struct Limited {
    pub wait: Duration,
    /// `retry-after`, `x-ratelimit-reset`, or a backoff of ours.
    pub source: &'static str,
    /// The primary (hourly) limit is used up, rather than a secondary limit.
    pub primary: bool,
}

/// `Some` when the answer is a rate limit (403 or 429 with GitHub's signs of one).
pub fn limited(response: &Response, message: &str, now: u64, retry: u32) -> Option<Limited> {
    let status = response.status;
    let retry_after = response.header("retry-after");
    let remaining_zero = response.header("x-ratelimit-remaining").map(str::trim) == Some("0");
    let says_limit = message.to_ascii_lowercase().contains("rate limit");
    let is_limit =
        status == 429 || (status == 403 && (retry_after.is_some() || remaining_zero || says_limit));
    if !is_limit {
        return None;
    }
    if let Some(seconds) = retry_after.and_then(|s| s.trim().parse::<u64>().ok()) {
        return Some(Limited {
            wait: Duration::from_secs(seconds),
            source: "retry-after",
            primary: remaining_zero,
        });
    }
    if remaining_zero {
        if let Some(reset) = response
            .header("x-ratelimit-reset")
            .and_then(|s| s.trim().parse::<u64>().ok())
        {
            return Some(Limited {
                wait: Duration::from_secs(reset.saturating_sub(now) + 1),
                source: "x-ratelimit-reset",
                primary: true,
            });
        }
    }
    Some(Limited {
        wait: Duration::from_secs(60u64 << retry.min(6)),
        source: "backoff",
        primary: false,
    })
}

/// Waits `wait` with a visible countdown (a bar on a terminal, a line in logs).
pub fn wait_visibly(wait: Duration, what: &str, retry: u32) {
    let seconds = wait.as_secs();
    let until = clock(crate::clock::system_now() + seconds);
    eprintln!(
        "  GitHub's rate limit on {what}: waiting {seconds} s, until {until}, then retrying \
         ({retry} of {MAX_RETRIES})"
    );
    let bar = crate::progress::bar(seconds, "waiting for GitHub's rate limit (seconds)");
    let deadline = Instant::now() + wait;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        if left.is_zero() {
            break;
        }
        std::thread::sleep(left.min(Duration::from_secs(1)));
        bar.inc(1);
    }
    bar.finish_and_clear();
}

/// A Unix time as the local clock shows it: `14:03:12 CET`, with the date when not today.
pub fn clock(epoch: u64) -> String {
    let Some(then) = local(epoch) else {
        return format!("{epoch} (seconds since the epoch)");
    };
    let time = format!("{:02}:{:02}:{:02}", then.hour, then.minute, then.second);
    let with_zone = |text: String| match &then.zone {
        Some(zone) => format!("{text} {zone}"),
        None => format!("{text} local time"),
    };
    match local(crate::clock::system_now()) {
        Some(today) if today.date == then.date => with_zone(time),
        _ => with_zone(format!("{} {time}", then.date)),
    }
}

struct LocalTime {
    date: String,
    hour: i32,
    minute: i32,
    second: i32,
    zone: Option<String>,
}

/// The C library's view of local time (TZ, /etc/localtime); std has none.
fn local(epoch: u64) -> Option<LocalTime> {
    let time = libc::time_t::try_from(epoch).ok()?;
    // SAFETY: `tm` is plain data that localtime_r fills; both pointers are valid for the call.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let filled = unsafe { libc::localtime_r(&time, &mut tm) };
    if filled.is_null() {
        return None;
    }
    let zone = if tm.tm_zone.is_null() {
        None
    } else {
        // SAFETY: tm_zone points at a NUL-terminated abbreviation owned by the C library.
        let name = unsafe { std::ffi::CStr::from_ptr(tm.tm_zone) };
        name.to_str()
            .ok()
            .filter(|z| !z.is_empty() && z.bytes().all(|b| b.is_ascii_graphic()))
            .map(str::to_string)
    };
    Some(LocalTime {
        date: format!(
            "{:04}-{:02}-{:02}",
            tm.tm_year + 1900,
            tm.tm_mon + 1,
            tm.tm_mday
        ),
        hour: tm.tm_hour,
        minute: tm.tm_min,
        second: tm.tm_sec,
        zone,
    })
}

/// Fails when a wait is longer than this run accepts.
pub fn check_wait(limited: &Limited, policy: &Policy) -> Result<()> {
    if limited.wait > policy.max_wait {
        bail!(
            "waiting {} s is more than {} s ({MAX_WAIT_VAR})",
            limited.wait.as_secs(),
            policy.max_wait.as_secs()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)]) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: String::new(),
        }
    }

    #[test]
    fn retry_after_comes_first_then_the_reset_then_a_backoff() {
        let now = 1_700_000_000;
        let both = answer(
            403,
            &[
                ("retry-after", "30"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1700003600"),
            ],
        );
        assert_eq!(limited(&both, "", now, 0).unwrap().wait.as_secs(), 30);
        let reset = answer(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1700000100"),
            ],
        );
        let found = limited(&reset, "API rate limit exceeded", now, 0).unwrap();
        assert_eq!((found.wait.as_secs(), found.primary), (101, true));
        // The reset header alone (GitHub sends it on every answer) is no reason to wait.
        let plain = answer(
            403,
            &[
                ("x-ratelimit-remaining", "4999"),
                ("x-ratelimit-reset", "1700003600"),
            ],
        );
        assert_eq!(limited(&plain, "Resource not accessible", now, 0), None);
        let secondary = answer(403, &[("x-ratelimit-remaining", "4000")]);
        let waits: Vec<u64> = (0..3)
            .map(|retry| {
                limited(
                    &secondary,
                    "You have exceeded a secondary rate limit",
                    now,
                    retry,
                )
                .unwrap()
                .wait
                .as_secs()
            })
            .collect();
        assert_eq!(waits, [60, 120, 240]);
        assert!(limited(&answer(429, &[]), "", now, 0).is_some());
    }

    #[test]
    fn clock_times_are_local() {
        let now = crate::clock::system_now();
        let shown = clock(now);
        assert!(shown.len() >= 8 && shown.as_bytes()[2] == b':', "{shown}");
    }
}
