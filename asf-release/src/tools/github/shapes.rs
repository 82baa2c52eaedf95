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

//! The shapes of GitHub's JSON that serde cannot read as they come: labels that are objects
//! or plain strings, and a field whose absence means something else than its `null`.

use serde::Deserialize;

use super::Label;

/// A label as the API description allows it: `{"name": ...}` or a plain string.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum LabelShape {
    Named { name: String },
    Plain(String),
}

impl From<LabelShape> for Label {
    fn from(shape: LabelShape) -> Label {
        match shape {
            LabelShape::Named { name } | LabelShape::Plain(name) => Label { name },
        }
    }
}

/// A field that is there, `null` or not: `Some(value)`; absent: `None` (serde's default).
pub(super) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}
