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

//! Whether the release manager's signing key is linked to the project's committee on ATR,
//! which checks every `.asc` against that committee's keys only (a signature by a key it does
//! not hold is a blocker, and a blocker stops the vote). Public reads: no token needed.

use anyhow::Result;

use crate::config::Config;
use crate::tools::atr::{self, Atr};

/// Where the key stands on ATR.
pub struct Link {
    pub committee: String,
    pub linked: bool,
}

impl Link {
    pub fn read(client: &Atr, config: &Config, fingerprint: &str) -> Result<Link> {
        let committee = client.committee_of(&config.atr_project)?;
        let keys = client.committee_keys(&committee)?;
        Ok(Link {
            linked: keys.iter().any(|k| atr::same_key(k, fingerprint)),
            committee,
        })
    }

    /// What is wrong, and the fix, when the key is not linked.
    pub fn problem(&self, config: &Config, fingerprint: &str) -> Option<String> {
        (!self.linked).then(|| {
            format!(
                "key {fingerprint} is not linked to committee {} on ATR ({}), which checks every \
                 .asc against that committee's keys: run `cargo xtask keys append`, or add the \
                 key on {}/keys",
                self.committee, config.atr_url, config.atr_url
            )
        })
    }
}
