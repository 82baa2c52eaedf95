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

//! The one clock. What a release writes down (the dates of its mails, the end of a vote, the
//! tarball's mtime) follows `SOURCE_DATE_EPOCH` when it is set, read once, so that reruns and
//! tests are reproducible. What must follow real time (whether a key has expired, when a
//! GitHub rate limit resets) reads the system clock here too, and never `SOURCE_DATE_EPOCH`.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, Context, Result};

/// `SOURCE_DATE_EPOCH` in seconds, or `None` when it is unset or empty.
pub fn source_date_epoch() -> Result<Option<i64>> {
    static VALUE: OnceLock<Result<Option<i64>, String>> = OnceLock::new();
    VALUE
        .get_or_init(|| match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(value) if !value.is_empty() => value.trim().parse().map(Some).map_err(|_| {
                format!("SOURCE_DATE_EPOCH={value} is not a number of seconds: fix or unset it")
            }),
            _ => Ok(None),
        })
        .clone()
        .map_err(|message| anyhow!(message))
}

/// Seconds since the epoch for what the release records: `SOURCE_DATE_EPOCH` when set, else
/// the system clock.
pub fn now() -> Result<i64> {
    match source_date_epoch()? {
        Some(epoch) => Ok(epoch),
        None => {
            let seconds = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .context("the system clock is before 1970: fix the clock")?
                .as_secs();
            i64::try_from(seconds).context("the system clock is far in the future: fix it")
        }
    }
}

/// Seconds since the epoch by the system clock alone, for checks against real time; 0 when
/// the clock is before 1970.
pub fn system_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default()
}

/// `Tue, 5 Nov 2024 07:08:09 +0000`
pub fn rfc5322_date(epoch: i64) -> String {
    mail_parser::DateTime::from_timestamp(epoch).to_rfc822()
}

/// `2024-11-05 07:08 UTC`
pub fn human_date(epoch: i64) -> String {
    let date = mail_parser::DateTime::from_timestamp(epoch);
    format!(
        "{} {:02}:{:02} UTC",
        iso_date(epoch),
        date.hour,
        date.minute
    )
}

/// `2024-11-05` (UTC)
pub fn iso_date(epoch: i64) -> String {
    let date = mail_parser::DateTime::from_timestamp(epoch);
    format!("{:04}-{:02}-{:02}", date.year, date.month, date.day)
}

/// A duration as a setting writes it: a whole number and a unit, `90s`, `20m` or `2h`.
pub fn parse_duration(text: &str) -> Result<std::time::Duration> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let seconds: Option<u64> = match (number.parse::<u64>(), unit) {
        (Ok(n), "s") => Some(n),
        (Ok(n), "m") => n.checked_mul(60),
        (Ok(n), "h") => n.checked_mul(3600),
        _ => None,
    };
    seconds
        .map(std::time::Duration::from_secs)
        .with_context(|| format!("`{text}` is not a duration: write a whole number and s, m or h, like \"90s\", \"20m\" or \"2h\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_have_a_number_and_a_unit() {
        assert_eq!(parse_duration("90s").unwrap().as_secs(), 90);
        assert_eq!(parse_duration("20m").unwrap().as_secs(), 1200);
        assert_eq!(parse_duration("2h").unwrap().as_secs(), 7200);
        for bad in ["", "20", "m", "1.5h", "-1m", "20 min"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_are_written_in_utc() {
        let epoch = 1_730_790_489;
        assert_eq!(rfc5322_date(epoch), "Tue, 5 Nov 2024 07:08:09 +0000");
        assert_eq!(human_date(epoch), "2024-11-05 07:08 UTC");
        assert_eq!(iso_date(epoch), "2024-11-05");
    }
}
