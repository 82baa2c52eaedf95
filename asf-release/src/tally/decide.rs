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

//! Whether the result is decided when some messages cannot be taken at their word: each
//! person's vote is one of a few possibilities (the last vote nothing speaks against, or a
//! later one that may be forged or could not be read, binding or not when the roster cannot
//! tell), and a message whose sender could not be read could be any member's vote. The
//! result is decided when the most favourable and the least favourable choice for a pass give
//! the same result; the pass rule (at least three binding +1, more binding +1 than -1) only
//! grows with each binding +1 and shrinks with each binding -1, so those two choices bound
//! every other.

/// What one possibility of a person's vote does to the pass: +1 a binding +1, -1 a binding
/// -1, 0 anything else (no vote, ±0, non-binding).
pub type Score = i8;

/// The binding +1 and -1 of one choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub plus: usize,
    pub minus: usize,
}

impl Counts {
    pub fn passes(self) -> bool {
        self.plus >= 3 && self.plus > self.minus
    }
}

/// The most and the least favourable choice for a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub best: Counts,
    pub worst: Counts,
}

impl Range {
    pub fn decided(self) -> bool {
        self.best.passes() == self.worst.passes()
    }
}

/// `people`: the possible scores of each person's vote (never empty); `unknown`: messages of
/// the thread whose sender could not be read; `members`: the size of the roster.
pub fn range(people: &[Vec<Score>], unknown: usize, members: usize) -> Range {
    let mut best = Counts { plus: 0, minus: 0 };
    let mut worst = Counts { plus: 0, minus: 0 };
    for options in people {
        let add = |counts: &mut Counts, score: Score| match score {
            1 => counts.plus += 1,
            -1 => counts.minus += 1,
            _ => {}
        };
        add(&mut best, options.iter().copied().max().unwrap_or(0));
        add(&mut worst, options.iter().copied().min().unwrap_or(0));
    }
    // An unknown sender: at best a member's -1 turns +1 (or one more member votes +1), at
    // worst a member's +1 turns -1 (or one more member votes -1).
    for _ in 0..unknown {
        if best.minus > 0 {
            best.minus -= 1;
            best.plus += 1;
        } else if best.plus < members {
            best.plus += 1;
        }
        if worst.plus > 0 {
            worst.plus -= 1;
            worst.minus += 1;
        } else if worst.minus < members {
            worst.minus += 1;
        }
    }
    Range { best, worst }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doubtful_vote_decides_only_when_it_could_change_the_result() {
        // Three certain +1 and a doubtful +1: passes either way.
        let certain = vec![vec![1], vec![1], vec![1]];
        let mut people = certain.clone();
        people.push(vec![0, 1]);
        assert!(range(&people, 0, 9).decided());
        // Two certain +1 and a doubtful +1: it decides.
        let mut people = vec![vec![1], vec![1], vec![0, 1]];
        assert!(!range(&people, 0, 9).decided());
        // Carol's real -1 and a forged later +1 of hers: with three others' +1 it passes
        // either way; with two it does not.
        people = vec![vec![1], vec![1], vec![1], vec![-1, 1]];
        assert!(range(&people, 0, 9).decided());
        people = vec![vec![1], vec![1], vec![-1, 1], vec![1]];
        assert!(range(&people, 0, 9).decided());
        people = vec![vec![1], vec![1], vec![-1, 1]];
        let range_ = range(&people, 0, 9);
        assert!(!range_.decided() && !range_.worst.passes() && range_.best.passes());
    }

    #[test]
    fn an_unreadable_message_of_an_unknown_sender_could_be_any_member_s() {
        let five = vec![vec![1]; 5];
        assert!(
            range(&five, 1, 9).decided(),
            "4 +1 against 1 -1 still passes"
        );
        let three = vec![vec![1]; 3];
        assert!(!range(&three, 1, 9).decided());
        let two = vec![vec![1]; 2];
        assert!(!range(&two, 1, 9).decided());
        assert!(
            range(&two, 1, 2).decided(),
            "a roster of two cannot give three +1"
        );
    }
}
