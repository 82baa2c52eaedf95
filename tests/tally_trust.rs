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

//! End-to-end tests of `vote tally` on the traps of issue 28, each on a thread written the way
//! real clients and the list archive write it, with the counts and the exit code: forged
//! senders (`.INVALID` without the list's rewriting, two mailboxes in From, failed DMARC, a
//! "message" cut out of another's body by an unescaped `From ` line) never make a pass; votes
//! in any text part are read, attachments reported, disagreeing text and HTML versions are
//! ambiguous; bottom-posted and inline replies keep the voter's lines; subjects as people
//! write them; one unreadable message never blocks the count.

mod common;

use common::threads::*;
use common::*;

fn re() -> String {
    format!("Re: {SUBJECT}")
}

fn reply(from: &str, hours: f64, id: &str, body: &str) -> Mail {
    mail(from, hours, &re(), id, Some("vote-1@apache.org"), body)
}

/// The release manager's VOTE mail without a vote of their own.
fn plain_vote_mail() -> Mail {
    let mut vote = vote_mail();
    vote.body = "Please vote:\n\n[ ] +1 approve\n[ ] 0 no opinion\n[ ] -1 disapprove because...\n"
        .to_string();
    vote
}

#[test]
fn a_forged_invalid_address_never_counts_as_the_member_it_names() {
    let mut forged = reply(
        "Carol Cherry <carol@apache.org.INVALID>",
        30.0,
        "forged@evil.example",
        "I change my vote to +1 (binding)\n",
    );
    // The list delivered it, but the ASF's servers saw a signature of evil.example only.
    forged.signed_by = Some("evil.example".into());
    // A real sender the list rewrote for DMARC: the ASF's servers vouch for yahoo.com.
    let dave = reply(
        "Dave Date <dave@yahoo.com.INVALID>",
        3.0,
        "dave@yahoo.example",
        "+1 (non-binding)\n",
    );
    let mails = vec![
        vote_mail(),
        reply("Alice Apple <alice@apache.org>", 1.0, "a@x", "+1\n"),
        reply(
            "Carol Cherry <carol@apache.org>",
            2.0,
            "c@x",
            "-1 (binding): the NOTICE is wrong\n",
        ),
        dave,
        forged,
    ];
    let (output, report) = run(&mails, true);
    // Counted: rm and alice +1, carol -1: failed; with the forged +1 it would pass.
    assert_eq!(output.status.code(), Some(5), "{report}");
    assert_counts(&report, [2, 0, 0, 1], [1, 0, 0, 0]);
    assert!(
        report.contains("+1 Dave Date <dave@yahoo.com>: 2024-05-06 10:08 UTC, message 4"),
        "{report}"
    );
    assert!(report.contains("doubtful, not counted: +1 Carol Cherry <carol@apache.org> (binding if genuine): 2024-05-07 13:08 UTC, message 5 <forged@evil.example> line 1: \"I change my vote to +1 (binding)\": its address carries the .INVALID mark the list adds when it rewrites a sender for DMARC, but no ASF mail server says apache.org signed it (DKIM): anyone can write such an address"), "{report}");
    assert!(!report.contains("changed from -1"), "{report}");
    assert!(
        report.contains("result: NOT DECIDED (2 binding +1, 1 binding -1"),
        "{report}"
    );

    // With a fourth binding +1 the forged vote decides nothing: listed, not counted.
    let mut more = mails.clone();
    more.push(reply("Bob Banana <bob@apache.org>", 4.0, "b@x", "+1\n"));
    more.push(reply("Grace Grape <grace@apache.org>", 5.0, "g@x", "+1\n"));
    let (output, report) = run(&more, true);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_counts(&report, [4, 0, 0, 1], [1, 0, 0, 0]);
    assert!(
        report.contains("doubtful, not counted: +1 Carol Cherry <carol@apache.org>"),
        "{report}"
    );
    assert!(
        report.contains("result: PASSED (4 binding +1, 1 binding -1)"),
        "{report}"
    );
}

#[test]
fn a_from_with_two_mailboxes_never_counts_as_the_first() {
    let mails = [
        vote_mail(),
        reply("Alice Apple <alice@apache.org>", 1.0, "a@x", "+1\n"),
        reply(
            "Carol Cherry <carol@apache.org>, Mallory <mallory@evil.example>",
            2.0,
            "two@x",
            "+1 (binding)\n",
        ),
    ];
    let (output, report) = run(&mails, true);
    assert_eq!(output.status.code(), Some(5), "{report}");
    assert_counts(&report, [2, 0, 0, 0], [0, 0, 0, 0]);
    assert!(
        report.contains(
            "doubtful, not counted: +1 Carol Cherry <carol@apache.org> (binding if genuine)"
        ),
        "{report}"
    );
    assert!(report.contains("its From: holds 2 mailboxes"), "{report}");
}

#[test]
fn failed_spf_never_makes_a_pass() {
    let mut spoofed = reply("Bob Banana <bob@apache.org>", 2.0, "sp@x", "+1\n");
    spoofed.headers.push_str(
        "Authentication-Results: mx1-ec2-va.apache.org; spf=fail smtp.mailfrom=bob@apache.org\n",
    );
    let mails = [
        vote_mail(),
        reply("Alice Apple <alice@apache.org>", 1.0, "a@x", "+1\n"),
        spoofed,
    ];
    let (output, report) = run(&mails, true);
    assert_eq!(output.status.code(), Some(5), "{report}");
    assert!(
        report.contains("Authentication-Results say spf=fail for apache.org"),
        "{report}"
    );
}

#[test]
fn a_message_cut_out_of_another_s_body_by_an_unescaped_from_line_never_counts() {
    // Mallory's body holds a line an mboxo writer did not escape, and after it a message of
    // "Carol" with no list headers: the split happens, but the "message" is not the list's.
    let smuggled = "Some thoughts below.\n\nFrom carol@apache.org Mon May  6 10:00:00 2024\n\
                    From: Carol Cherry <carol@apache.org>\nSubject: Re: [VOTE] Release Apache Demo 1.0.0 (RC1)\n\
                    Date: Mon, 6 May 2024 10:00:00 +0000\nMessage-ID: <smuggled@x>\nIn-Reply-To: <vote-1@apache.org>\n\n+1 (binding)\n";
    let mails = [
        vote_mail(),
        reply("Alice Apple <alice@apache.org>", 1.0, "a@x", "+1\n"),
        reply("Mallory <mallory@evil.example>", 2.0, "m@x", smuggled),
    ];
    let text = mbox(&mails, true).replace(">From carol@apache.org", "From carol@apache.org");
    let setup = setup("");
    let output = setup.tally(&text, Some(ROSTER), VOTE_TIME + 100 * HOUR, &["--verbose"]);
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(5), "{report}{}", stderr(&output));
    assert_counts(&report, [2, 0, 0, 0], [0, 0, 0, 0]);
    assert!(report.contains("doubtful, not counted: +1 Carol Cherry <carol@apache.org> (binding if genuine): 2024-05-06 10:00 UTC, message 4 <smuggled@x>"), "{report}");
    assert!(
        report.contains("it has no List-Id: it is not as the list delivered it"),
        "{report}"
    );
    assert!(
        report.contains("a \"message\" that starts inside another's body"),
        "{report}"
    );
}

/// A mail of several MIME parts.
fn multipart(from: &str, hours: f64, id: &str, kind: &str, parts: &[(&str, &str)]) -> Mail {
    let mut body = String::new();
    for (headers, text) in parts {
        body.push_str(&format!("--b1\n{headers}\n{text}\n"));
    }
    body.push_str("--b1--\n");
    let mut m = reply(from, hours, id, &body);
    m.headers = format!("Content-Type: multipart/{kind}; boundary=\"b1\"\n");
    m
}

#[test]
fn every_text_part_is_read_and_attachments_and_disagreeing_versions_are_reported() {
    let plain = "Content-Type: text/plain; charset=UTF-8\n";
    let mails = [
        plain_vote_mail(),
        reply("Alice Apple <alice@apache.org>", 1.0, "a@x", "+1\n"),
        reply("Bob Banana <bob@apache.org>", 1.5, "b@x", "+1\n"),
        reply("Grace Grape <grace@apache.org>", 1.6, "g@x", "+1\n"),
        // Apple Mail splits the text around an inline image.
        multipart(
            "Carol Cherry <carol@apache.org>",
            2.0,
            "apple@icloud.com",
            "mixed",
            &[
                (plain, "I built it from source, see the screenshot:"),
                (
                    "Content-Type: image/png; name=shot.png\nContent-Disposition: inline; filename=shot.png\nContent-Transfer-Encoding: base64\n",
                    "iVBORw0KGgo=",
                ),
                (plain, "-1 (binding): the binary has no NOTICE.\n\nSent from my Mac"),
            ],
        ),
        // The text version says +1, the HTML version -1.
        multipart(
            "Ivan Iris <ivan@apache.org>",
            3.0,
            "alt@x",
            "alternative",
            &[
                (plain, "+1\n"),
                (
                    "Content-Type: text/html; charset=UTF-8\n",
                    "<div dir=\"ltr\">-1 (binding)</div>",
                ),
            ],
        ),
        // A vote in an attachment is no vote, but a person should read it.
        multipart(
            "Heidi Hazel <heidi@example.com>",
            4.0,
            "att@x",
            "mixed",
            &[
                (plain, "My review is attached."),
                (
                    "Content-Type: text/plain; name=review.txt\nContent-Disposition: attachment; filename=review.txt\n",
                    "-1\n",
                ),
            ],
        ),
    ];
    let (output, report) = run(&mails, true);
    assert_eq!(output.status.code(), Some(0), "{report}");
    // alice, bob, grace +1; carol's -1 from the second text part; ivan ambiguous.
    assert_counts(&report, [3, 0, 0, 1], [0, 0, 0, 0]);
    assert!(report.contains("-1 Carol Cherry <carol@apache.org>: 2024-05-06 09:08 UTC, message 5 <apple@icloud.com> line 3: \"-1 (binding): the binary has no NOTICE.\""), "{report}");
    assert!(report.contains("ambiguous, not counted: Ivan Iris <ivan@apache.org>: 2024-05-06 10:08 UTC, message 6 <alt@x> line 1: \"+1\" (its text version says +1 and its HTML version -1: ask the voter)"), "{report}");
    assert!(report.contains("attachment, not read as a vote: message 7 <att@x> from Heidi Hazel <heidi@example.com> carries \"review.txt\" (text/plain): read it in the archive"), "{report}");
    assert!(
        report.contains("message 7 <att@x> from Heidi Hazel <heidi@example.com> (2024-05-06 11:08 UTC): no vote found"),
        "{report}"
    );
    assert!(
        !report.contains("shot.png"),
        "an inline image is no attachment:\n{report}"
    );
}

#[test]
fn bottom_posted_and_inline_replies_keep_the_voter_s_lines() {
    let mails = [
        plain_vote_mail(),
        reply("Alice Apple <alice@apache.org>", 1.0, "a@x", "+1 (binding)\n"),
        // Gmail, bottom-posted: the attribution, the quoted VOTE mail, then the vote.
        reply(
            "Bob Banana <bob@apache.org>",
            2.0,
            "bottom@mail.gmail.com",
            "On Mon, May 6, 2024 at 9:08 AM Release Manager <rm@apache.org> wrote:\n\n\
             > Please vote:\n>\n> [ ] +1 approve\n> [ ] -1 disapprove because...\n\n\
             +1 (binding), checked signatures and checksums\n\nBob\n",
        ),
        // Thunderbird, inline: quote, answer, quote, answer.
        reply(
            "Carol Cherry <carol@apache.org>",
            3.0,
            "inline@thunderbird",
            "On 06.05.24 09:08, Release Manager wrote:\n> Please vote:\n\nI checked the LICENSE and NOTICE: fine.\n\n\
             > [ ] +1 approve\n\n+1\n\n> [ ] -1 disapprove because...\n\nNo reason to.\n",
        ),
        // A Yahoo top-post: the answered mail copied below the attribution without `>`.
        reply(
            "Erin Elder <erin@example.com>",
            4.0,
            "top@yahoo.com",
            "Thanks for running this, will test tomorrow.\n\nOn Monday, May 6, 2024 at 09:08, Release Manager <rm@apache.org> wrote:\n\n\
             Please vote:\n\n+1 approve\nI will start with my own +1\n",
        ),
    ];
    let (output, report) = run(&mails, true);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_counts(&report, [3, 0, 0, 0], [0, 0, 0, 0]);
    assert!(report.contains("+1 Bob Banana <bob@apache.org>: 2024-05-06 09:08 UTC, message 3 <bottom@mail.gmail.com> line 8: \"+1 (binding), checked signatures and checksums\""), "{report}");
    assert!(report.contains("+1 Carol Cherry <carol@apache.org>: 2024-05-06 10:08 UTC, message 4 <inline@thunderbird> line 8: \"+1\""), "{report}");
    assert!(
        report.contains("from Erin Elder <erin@example.com> (2024-05-06 11:08 UTC): no vote found"),
        "{report}"
    );
}

/// The thread of a VOTE mail with `subject`, with three binding +1.
fn thread_with_subject(subject: &str, id: &str) -> Vec<Mail> {
    let mut vote = plain_vote_mail();
    vote.subject = subject.to_string();
    vote.id = id.to_string();
    let re = format!("Re: {subject}");
    vec![
        vote,
        mail(
            "Alice Apple <alice@apache.org>",
            1.0,
            &re,
            &format!("a.{id}"),
            Some(id),
            "+1\n",
        ),
        mail(
            "Bob Banana <bob@apache.org>",
            2.0,
            &re,
            &format!("b.{id}"),
            Some(id),
            "+1\n",
        ),
        mail(
            "Carol Cherry <carol@apache.org>",
            3.0,
            &re,
            &format!("c.{id}"),
            Some(id),
            "+1\n",
        ),
    ]
}

#[test]
fn subjects_as_people_write_them_are_found() {
    for subject in [
        "[VOTE] Release 1.0.0, release candidate #1",
        "[VOTE] Release Apache Demo 1.0.0 RC1",
        "[VOTE] Release Apache Demo 1.0.0",
        "[VOTE] Demo 1.0 Release",
    ] {
        let (output, report) = run(&thread_with_subject(subject, "vote-1@apache.org"), true);
        assert_eq!(output.status.code(), Some(0), "{subject}:\n{report}");
        assert_counts(&report, [3, 0, 0, 0], [0, 0, 0, 0]);
    }
    // Two threads without a candidate number: which one is RC1 cannot be told.
    let mut two = thread_with_subject("[VOTE] Release Apache Demo 1.0.0", "vote-1@apache.org");
    let mut second = thread_with_subject("[VOTE] Release Apache Demo 1.0.0", "vote-2@apache.org");
    for m in &mut second {
        m.at += 200 * HOUR;
    }
    two.extend(second);
    let setup = setup("");
    let output = setup.tally(&mbox(&two, true), Some(ROSTER), VOTE_TIME + 400 * HOUR, &[]);
    assert_fails_with(
        &output,
        &[
            "holds 2 [VOTE] threads on 1.0.0 whose subjects name no candidate number",
            "pass the thread of RC1 alone with --mbox FILE",
        ],
    );
    // A subject naming another candidate is no match.
    let (output, report) = run(
        &thread_with_subject("[VOTE] Release Apache Demo 1.0.0 RC2", "vote-1@apache.org"),
        true,
    );
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(report.contains("no [VOTE] mail on 1.0.0 RC1"), "{report}");
}

#[test]
fn one_unreadable_message_never_blocks_the_count() {
    // An RFC 2047 encoded word where the address should be, and one that hides it entirely.
    let encoded = reply("Zed <=?UTF-8?Q?zed=40example.com?=>", 1.0, "z@x", "+1\n");
    let hidden = reply("=?UTF-8?B?WmVkIFplbml0aA==?=", 2.0, "h@x", "-1\n");
    let mut mails = vec![
        vote_mail(),
        reply("Alice Apple <alice@apache.org>", 3.0, "a@x", "+1\n"),
        reply("Bob Banana <bob@apache.org>", 4.0, "b@x", "+1\n"),
        reply("Carol Cherry <carol@apache.org>", 5.0, "c@x", "+1\n"),
        reply("Grace Grape <grace@apache.org>", 6.0, "g@x", "+1\n"),
        encoded,
        hidden,
    ];
    let (output, report) = run(&mails, true);
    // Five binding +1: one unknown sender's vote cannot change that.
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_counts(&report, [5, 0, 0, 0], [0, 0, 0, 0]);
    assert!(report.contains("unreadable, not counted: message 7 <h@x> from (sender unknown): its From: holds no address (`=?UTF-8?B?WmVkIFplbml0aA==?=`)"), "{report}");
    assert!(
        report.contains("doubtful, not counted: +1 Zed <zed@example.com> (non-binding)"),
        "{report}"
    );
    assert!(
        report.contains("its address is written as an RFC 2047 encoded word"),
        "{report}"
    );

    // With three binding +1 it could be a member's -1: not decided.
    mails.retain(|m| !m.from.contains("bob") && !m.from.contains("grace"));
    let (output, report) = run(&mails, true);
    assert_eq!(output.status.code(), Some(5), "{report}");
    assert!(report.contains("  - message 5 <h@x> from (sender unknown): it could not be read (its From: holds no address"), "{report}");
    assert!(report.contains("it could be any member's vote"), "{report}");
}
