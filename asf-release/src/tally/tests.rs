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

//! The tally on whole threads in memory: candidates numbered from 0, the limits on hostile
//! mboxes, and that no input makes it panic.

// The tidy test reads what follows the attribute as test code.
#[cfg(test)]
mod threads {
    use super::super::*;
    use crate::version::Version;

    const VOTE_TIME: i64 = 1_714_979_289;

    fn message(from: &str, date: &str, subject: &str, id: &str, body: &str) -> String {
        format!(
            "From x Mon May  6 07:08:09 2024\nFrom: {from}\nDate: {date}\nSubject: {subject}\n\
             List-Id: <dev.tvm.apache.org>\nMessage-ID: <{id}>\nIn-Reply-To: <tvm-vote>\n\n{body}\n"
        )
    }

    fn roster() -> Roster {
        parse_roster(Utf8Path::new("roster.txt"), "rm\nalice\nbob\n", "tvm").unwrap()
    }

    fn tvm(rc: u32, subject: &str) -> Result<Tally> {
        let mbox = [
            message(
                "RM <rm@apache.org>",
                "Mon, 6 May 2024 07:08:09 +0000",
                subject,
                "tvm-vote",
                "Please vote.\n",
            ),
            message(
                "Alice <alice@apache.org>",
                "Mon, 6 May 2024 08:00:00 +0000",
                &format!("Re: {subject}"),
                "a",
                "+1\n",
            ),
            message(
                "Bob <bob@apache.org>",
                "Mon, 6 May 2024 09:00:00 +0000",
                &format!("Re: {subject}"),
                "b",
                "+1 (binding)\n",
            ),
        ]
        .concat();
        let version: Version = "0.14.0".parse().unwrap();
        tally(
            Utf8Path::new("vote.mbox"),
            mbox.as_bytes(),
            Some(&roster()),
            &Candidate { version, rc },
            None,
            VOTE_TIME + 100 * 3600,
        )
    }

    #[test]
    fn a_candidate_numbered_0_is_found_in_its_own_spelling() {
        let tally = tvm(0, "[VOTE] Release Apache TVM v0.14.0.rc0").unwrap();
        assert_eq!(tally.count(true, Ballot::PlusOne), 2);
        assert_eq!(tally.opening.message_id.as_deref(), Some("tvm-vote"));
        let err = tvm(1, "[VOTE] Release Apache TVM v0.14.0.rc0")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not the vote on 0.14.0 RC1"), "{err}");
        assert!(tvm(10, "[VOTE] Release Apache TVM v0.14.0.rc0").is_err());
    }

    #[test]
    fn a_vote_mail_in_doubt_never_starts_the_72_hours_of_a_pass() {
        let subject = "[VOTE] Release Apache TVM v0.14.0.rc0";
        let mut mbox = [
            message(
                "RM <rm@apache.org>",
                "Mon, 6 May 2024 07:08:09 +0000",
                subject,
                "tvm-vote",
                "+1\n",
            ),
            message(
                "Alice <alice@apache.org>",
                "Mon, 6 May 2024 08:00:00 +0000",
                &format!("Re: {subject}"),
                "a",
                "+1\n",
            ),
            message(
                "Bob <bob@apache.org>",
                "Mon, 6 May 2024 09:00:00 +0000",
                &format!("Re: {subject}"),
                "b",
                "+1\n",
            ),
        ]
        .concat();
        let version: Version = "0.14.0".parse().unwrap();
        let count = |mbox: &str| {
            tally(
                Utf8Path::new("v"),
                mbox.as_bytes(),
                Some(&roster()),
                &Candidate { version, rc: 0 },
                None,
                VOTE_TIME + 100 * 3600,
            )
            .unwrap()
        };
        assert_eq!(count(&mbox).outcome(), Outcome::Passed);
        // The VOTE mail did not come through the list: its own vote is doubtful and so is
        // its date.
        mbox = mbox.replacen("List-Id: <dev.tvm.apache.org>\n", "", 1);
        let tally = count(&mbox);
        assert_eq!(tally.outcome(), Outcome::NotDecided);
        assert_eq!(tally.count(true, Ballot::PlusOne), 2);
        assert!(
            tally.checks[0].why.contains("no List-Id"),
            "{:?}",
            tally.checks
        );
    }

    #[test]
    fn too_many_messages_is_an_error_not_a_slow_death() {
        let one = message(
            "A <a@apache.org>",
            "Mon, 6 May 2024 08:00:00 +0000",
            "x",
            "m",
            "+1\n",
        );
        let mbox = one.repeat(mbox::MAX_MESSAGES + 1);
        let err = mbox::parse(Utf8Path::new("big.mbox"), mbox.as_bytes(), None)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("more than 10000 messages"), "{err}");
    }

    #[test]
    fn an_oversized_message_is_skipped_and_said() {
        let subject = "[VOTE] Release Apache TVM v0.14.0.rc0";
        let big = "+1\n".to_string() + &"x".repeat(mbox::MAX_MESSAGE_BYTES);
        let mbox = [
            message(
                "RM <rm@apache.org>",
                "Mon, 6 May 2024 07:08:09 +0000",
                subject,
                "tvm-vote",
                "vote\n",
            ),
            message(
                "Alice <alice@apache.org>",
                "Mon, 6 May 2024 08:00:00 +0000",
                &format!("Re: {subject}"),
                "a",
                &big,
            ),
        ]
        .concat();
        let version: Version = "0.14.0".parse().unwrap();
        let tally = tally(
            Utf8Path::new("v"),
            mbox.as_bytes(),
            None,
            &Candidate { version, rc: 0 },
            None,
            VOTE_TIME,
        )
        .unwrap();
        assert!(tally.votes.is_empty());
        assert_eq!(tally.unreadable[0].from, "Alice <alice@apache.org>");
        assert!(
            tally.unreadable[0].why.contains("larger than 2 MiB"),
            "{:?}",
            tally.unreadable
        );
    }

    #[test]
    fn no_input_makes_the_tally_panic() {
        let version: Version = "1.0.0".parse().unwrap();
        let pieces = [
            "From x Mon May  6 07:08:09 2024\n",
            "From: =?UTF-8?B?G1sySw==?= <a@apache.org>\n",
            "From: <>\n",
            "Date: Mon, 6 May 2024 07:08:09 +0000\n",
            "Date: 99 Foo 99999 99:99:99\n",
            "Subject: [VOTE] Release Apache Demo 1.0.0 (RC1)\n",
            "Subject: Re: [VOTE] 1.0.0 rc1 RC1 rc99999999999999999999\n",
            "Message-ID: <a>\n",
            "In-Reply-To: <a>\n",
            "References: <a> <a> <\n",
            "Content-Type: text/html\n",
            "Content-Type: multipart/alternative; boundary=b\n--b\n",
            "Authentication-Results: x; dmarc=fail header.from=\n",
            "\n",
            "+1 -1 – 1 −1 ＋１ 0\n",
            "<blockquote><blockquote>+1</blockquote>&#x110000;&#; &\n",
            "On Mon\nwrote:\n",
            "\u{202e}\u{0}\u{1b}\n",
        ];
        // Every sequence of up to three pieces, after a valid opening.
        let opening = "From x Mon May  6 07:08:09 2024\nFrom: RM <rm@apache.org>\nDate: Mon, 6 May 2024 07:08:09 +0000\nSubject: [VOTE] Release Apache Demo 1.0.0 (RC1)\n\n+1\n";
        for a in &pieces {
            for b in &pieces {
                for c in &pieces {
                    let mbox = format!("{opening}{a}{b}{c}");
                    let _ = tally(
                        Utf8Path::new("f"),
                        mbox.as_bytes(),
                        Some(&roster()),
                        &Candidate { version, rc: 1 },
                        None,
                        0,
                    )
                    .map(|t| (report::text(&t, true), report::json(&t)));
                    let raw = format!("{a}{b}{c}");
                    let _ = mbox::parse(Utf8Path::new("f"), raw.as_bytes(), None);
                }
            }
        }
    }
}
