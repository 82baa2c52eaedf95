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

//! The settings as the project wrote them, key by key: what `config` shows as written, beside
//! what the tool fills in.

use anyhow::{Context, Result};
use camino::Utf8Path;

use super::read::{location, Location};

/// Where the settings live and the keys written there, with their values as TOML.
pub fn written(repo: &Utf8Path) -> Result<Option<(Location, toml::Table)>> {
    let Some(location) = location(repo) else {
        return Ok(None);
    };
    let path = match &location {
        Location::SettingsFile(path) | Location::Manifest(path) => path,
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    let mut table: toml::Table =
        toml::from_str(&text).with_context(|| format!("invalid TOML in {path}"))?;
    if let Location::Manifest(_) = location {
        table = ["workspace", "metadata", "asf-release"]
            .iter()
            .try_fold(toml::Value::Table(table), |value, key| match value {
                toml::Value::Table(mut table) => table.remove(*key),
                _ => None,
            })
            .and_then(|value| match value {
                toml::Value::Table(table) => Some(table),
                _ => None,
            })
            .unwrap_or_default();
    }
    Ok(Some((location, table)))
}
