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

//! The exit codes that carry a meaning beyond success and failure, for scripts and for the
//! flow that runs each step as its own process: named once, used where they are produced and
//! where they are read.

/// Success: the step is done (`vote tally`: the vote passed).
pub const SUCCESS: u8 = 0;
/// `release` stopped where a person is needed (the vote, a confirmation, a blocked step).
pub const STOPPED: u8 = 2;
/// `vote tally`: the vote failed.
pub const VOTE_FAILED: u8 = 3;
/// `vote tally`: not decided yet (72 hours not over, or too few binding votes).
pub const VOTE_NOT_YET: u8 = 4;
/// `vote tally`: not decided: messages that may be forged or could not be read could change
/// the result; a person checks them.
pub const VOTE_NOT_DECIDED: u8 = 5;
