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

//! End-to-end tests of `vote tally` on vote threads written the way real mail clients write
//! them (Gmail, Outlook, Thunderbird, Apple Mail, the lists.apache.org mbox export), with the
//! counts each must give, a thread of more than 40 messages, and the attacks of issue 11: a
//! forged older [VOTE] mail, replies from other threads, the word "binding" from outside the
//! roster, failed DMARC, and hostile bytes in names and lines.

mod common;

use common::threads::*;
use common::*;

#[test]
fn a_gmail_thread_counts_own_words_only() {
    let re = format!("Re: {SUBJECT}");
    let mails = [
        vote_mail(),
        mail("Alice Apple <alice@apache.org>", 2.0, &re, "CAGm1@mail.gmail.com", Some("vote-1@apache.org"),
            "+1 (binding)\n\nI checked:\n- signatures and checksums are fine\n- LICENSE and NOTICE are fine\n- built from source with cargo 1.80\n\n\
             On Mon, May 6, 2024 at 9:08 AM Release Manager <\nrm@apache.org> wrote:\n\n> Hello, Community,\n>\n> [ ] +1 Release this package\n> [ ] -1 Do not release\n"),
        mail("Bob Banana <bob@apache.org>", 3.0, &re, "CAGm2@mail.gmail.com", Some("vote-1@apache.org"),
            "+1! checked the signatures, the build and the tests.\n\nBob\n"),
        // Only thanks above a quote that holds a vote (no prefix on the wrapped attribution).
        mail("Erin Elder <erin@example.com>", 4.0, &re, "CAGm3@mail.gmail.com", Some("CAGm1@mail.gmail.com"),
            "Thanks Alice for the detailed check, will vote later.\n\nOn Mon, May 6, 2024 at 11:08 AM Alice Apple <alice@apache.org>\nwrote:\n\n> +1 (binding)\n"),
        mail("Dave Date <dave@example.com>", 5.0, &re, "CAGm4@mail.gmail.com", Some("vote-1@apache.org"),
            "+1 (non-binding), casting my vote from the community\n\n-- \nDave Date\n+1-555-0100\n"),
        // A forwarded mail is not a vote.
        mail("Frank Fig <frank@example.org>", 6.0, &re, "CAGm5@mail.gmail.com", Some("vote-1@apache.org"),
            "FYI for our downstream packagers.\n\n---------- Forwarded message ---------\nFrom: Release Manager <rm@apache.org>\nDate: Mon, May 6, 2024\nSubject: [VOTE]\n\n+1 (binding)\n"),
        mail("Carol Cherry <carol@apache.org>", 7.0, &re, "CAGm6@mail.gmail.com", Some("vote-1@apache.org"),
            "Hi,\n\nso here is my +1 (binding)\n\nCarol\n"),
    ];
    let (output, report) = run(&mails, true);
    assert_eq!(output.status.code(), Some(0), "{report}");
    // rm (own +1 in the VOTE mail), alice, bob, carol binding; dave non-binding.
    assert_counts(&report, [4, 0, 0, 0], [1, 0, 0, 0]);
    assert!(report.contains("+1 Release Manager <rm@apache.org>: 2024-05-06 07:08 UTC, message 1 <vote-1@apache.org> line 14: \"I will start with my own +1 (binding).\", binding (on the roster as rm)"), "{report}");
    assert!(
        report.contains("from Erin Elder <erin@example.com> (2024-05-06 11:08 UTC): no vote found"),
        "{report}"
    );
    assert!(
        report.contains("from Frank Fig <frank@example.org> (2024-05-06 13:08 UTC): no vote found"),
        "{report}"
    );
}

#[test]
fn an_outlook_thread_counts_own_words_only() {
    let mails = [
        vote_mail(),
        mail("Alice Apple <alice@apache.org>", 2.0, &format!("RE: {SUBJECT}"), "AM0PR1@outlook.com", Some("vote-1@apache.org"),
            "+1 (binding)\n\nBest regards,\nAlice\n\n________________________________\nFrom: Release Manager <rm@apache.org>\nSent: Monday, May 6, 2024 9:08 AM\nTo: dev@demo.apache.org\nSubject: [VOTE] Release Apache Demo 1.0.0 (RC1)\n\n[ ] +1 Release this package\n-1 whatever\n"),
        mail("Heidi Hazel <heidi@example.com>", 3.0, &format!("AW: {SUBJECT}"), "AM0PR2@outlook.com", Some("vote-1@apache.org"),
            "-1\n\nThe build fails on Windows: error: unknown flag --frozen\n\n-----Original Message-----\nFrom: Alice Apple <alice@apache.org>\nSent: Monday, May 6, 2024 11:08 AM\n\n+1 (binding)\n"),
        // Top-posted thanks: the whole vote below is Bob's quote of Alice.
        mail("Bob Banana <bob@apache.org>", 4.0, &format!("RE: {SUBJECT}"), "AM0PR3@outlook.com", Some("AM0PR1@outlook.com"),
            "Thanks for checking.\n\nFrom: Alice Apple <alice@apache.org>\nDate: Monday, 6 May 2024 at 11:08\nTo: dev@demo.apache.org\nSubject: RE: [VOTE] Release Apache Demo 1.0.0 (RC1)\n+1 (binding)\n"),
        mail("Bob Banana <bob@apache.org>", 9.0, &format!("RE: {SUBJECT}"), "AM0PR4@outlook.com", Some("vote-1@apache.org"),
            "+1 for the source release – 1 for the convenience binaries, they miss the NOTICE.\n"),
        mail("Carol Cherry <carol@apache.org>", 10.0, &format!("RE: {SUBJECT}"), "AM0PR5@outlook.com", Some("vote-1@apache.org"),
            "+1 (binding)\n"),
    ];
    let (output, report) = run(&mails, true);
    assert_eq!(output.status.code(), Some(0), "{report}");
    // rm, alice, carol binding +1; bob's line holds "– 1" and "+1": ambiguous, not counted.
    assert_counts(&report, [3, 0, 0, 0], [0, 0, 0, 1]);
    assert!(
        report.contains("ambiguous, not counted: Bob Banana <bob@apache.org>"),
        "{report}"
    );
    assert!(
        report.contains("from Bob Banana <bob@apache.org> (2024-05-06 11:08 UTC): no vote found"),
        "{report}"
    );
}

#[test]
fn thunderbird_and_apple_mail_threads_count_own_words_only() {
    let re = format!("Re: {SUBJECT}");
    let mails = [
        vote_mail(),
        // Thunderbird: the attribution on one line, then `>` quotes.
        mail("Grace Grape <grace@apache.org>", 1.0, &re, "tb1@thunderbird", Some("vote-1@apache.org"),
            "[X] +1 Release this package as Apache Demo 1.0.0\n[ ] 0  I won't get in the way\n[ ] -1 Do not release this package because ...\n\nOn 06.05.24 09:08, Release Manager wrote:\n> Please vote\n"),
        // Thunderbird forward.
        mail("Ivan Iris <ivan@apache.org>", 2.0, &re, "tb2@thunderbird", Some("vote-1@apache.org"),
            "Forwarding for the record.\n\n-------- Original Message --------\nSubject: Re: [VOTE]\nDate: Mon, 6 May 2024\nFrom: Alice Apple <alice@apache.org>\n\n+1 (binding)\n"),
        // Apple Mail: attribution with `>` and "Sent from my iPhone".
        mail("Alice Apple <alice.apple@gmail.com>", 3.0, &re, "AM1@icloud.com", Some("vote-1@apache.org"),
            "−1 (binding): the NOTICE file says 2023.\n\nSent from my iPhone\n\n> On May 6, 2024, at 09:08, Release Manager <rm@apache.org> wrote:\n>\n> +1 from me\n"),
        mail("Alice Apple <alice@apache.org>", 20.0, &re, "AM2@icloud.com", Some("AM1@icloud.com"),
            "I change my vote to +1 (binding): the year is that of the first release.\n\nBegin forwarded message:\n\n+1\n"),
        mail("Zoe Zest <zoe@example.org>", 21.0, &re, "AM3@icloud.com", Some("vote-1@apache.org"),
            "-0: the download page is not updated yet, but that is no blocker.\n"),
        mail("Yann Yew <yann@example.org>", 22.0, &re, "AM4@icloud.com", Some("vote-1@apache.org"),
            "0\n"),
    ];
    let (output, report) = run(&mails, true);
    assert_eq!(output.status.code(), Some(0), "{report}");
    // rm, grace, alice (changed -1 -> +1 across two addresses: one person) binding +1.
    assert_counts(&report, [3, 0, 0, 0], [0, 1, 1, 0]);
    assert!(
        report.contains("changed from -1 (cast 2024-05-06 10:08 UTC)"),
        "{report}"
    );
    assert!(
        report.contains("from Ivan Iris <ivan@apache.org> (2024-05-06 09:08 UTC): no vote found"),
        "{report}"
    );
}

#[test]
fn a_lists_apache_org_export_without_threading_headers_goes_by_subject() {
    let mails = [
        vote_mail(),
        mail(
            "Alice Apple <alice@apache.org>",
            1.0,
            &format!("Re: {SUBJECT}"),
            "l1@apache.org",
            None,
            "+1\n",
        ),
        mail(
            "Bob Banana <bob@apache.org>",
            2.0,
            &format!("回复: {SUBJECT}"),
            "l2@apache.org",
            None,
            "+1, thanks for driving the release\n",
        ),
        mail(
            "Carol Cherry <carol@apache.org>",
            3.0,
            &format!("SV: Re: {SUBJECT}"),
            "l3@apache.org",
            None,
            "+1.\n",
        ),
        // Other threads: the next candidate, a discussion, a look-alike version, the result.
        mail(
            "Grace Grape <grace@apache.org>",
            4.0,
            "Re: [VOTE] Release Apache Demo 1.0.0 (RC2)",
            "l4@apache.org",
            None,
            "-1\n",
        ),
        mail(
            "Ivan Iris <ivan@apache.org>",
            5.0,
            "Re: [DISCUSS] Release Apache Demo 1.0.0 (RC1)",
            "l5@apache.org",
            None,
            "-1 until the NOTICE is fixed\n",
        ),
        mail(
            "Ivan Iris <ivan@apache.org>",
            6.0,
            "Re: [VOTE] Release Apache Demo 11.0.0 (RC10)",
            "l6@apache.org",
            None,
            "-1\n",
        ),
        mail(
            "Release Manager <rm@apache.org>",
            90.0,
            "[RESULT][VOTE] Release Apache Demo 1.0.0 (RC1)",
            "l7@apache.org",
            None,
            "+1 from 4 binding\n",
        ),
    ];
    let (output, report) = run(&mails, false);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_counts(&report, [4, 0, 0, 0], [0, 0, 0, 0]);
    assert!(
        report.contains("other thread (Re: [VOTE] Release Apache Demo 1.0.0 (RC2))"),
        "{report}"
    );
    assert!(
        report.contains("other thread (Re: [DISCUSS] Release Apache Demo 1.0.0 (RC1))"),
        "{report}"
    );
    assert!(
        report.contains("other thread (Re: [VOTE] Release Apache Demo 11.0.0 (RC10))"),
        "{report}"
    );
    assert!(report.contains("a [RESULT] or [CANCEL] mail"), "{report}");
}

#[test]
fn replies_chained_to_another_thread_do_not_count_even_with_our_subject() {
    let mut rc2 = mail(
        "Other RM <other@apache.org>",
        -1.0,
        "[VOTE] Release Apache Demo 1.0.0 (RC2)",
        "vote-2@apache.org",
        None,
        "Please vote\n",
    );
    rc2.at = VOTE_TIME - 10 * HOUR;
    let mails = [
        rc2,
        vote_mail(),
        mail(
            "Alice Apple <alice@apache.org>",
            1.0,
            &format!("Re: {SUBJECT}"),
            "c1@x",
            Some("vote-1@apache.org"),
            "+1\n",
        ),
        // The subject says RC1 but the headers answer the RC2 thread.
        mail(
            "Bob Banana <bob@apache.org>",
            2.0,
            &format!("Re: {SUBJECT}"),
            "c2@x",
            Some("vote-2@apache.org"),
            "-1\n",
        ),
    ];
    let mut text = mbox(&mails, true);
    text = text.replace(
        "References: <vote-1@apache.org> <vote-2@apache.org>",
        "References: <vote-2@apache.org>",
    );
    let setup = setup("");
    let output = setup.tally(&text, Some(ROSTER), VOTE_TIME + 100 * HOUR, &["--verbose"]);
    let report = stdout(&output);
    assert_counts(&report, [2, 0, 0, 0], [0, 0, 0, 0]);
    assert!(report.contains("message 4 <c2@x> from Bob Banana <bob@apache.org> (2024-05-06 09:08 UTC): other thread"), "{report}");
}

#[test]
fn only_the_release_manager_s_vote_mail_opens_the_vote() {
    // Mallory posts a [VOTE] mail with the same subject, dated two days earlier, and three
    // replies to it: it must neither start the 72 hours early nor bring its votes in.
    let mut forged = mail(
        "Mallory <mallory@example.com>",
        0.0,
        SUBJECT,
        "forged@evil",
        None,
        "+1\n",
    );
    forged.at = VOTE_TIME - 48 * HOUR;
    let mut mails = vec![forged, vote_mail()];
    for (i, who) in ["m1@evil.example", "m2@evil.example", "m3@evil.example"]
        .iter()
        .enumerate()
    {
        let mut reply = mail(
            &format!("Sock {i} <{who}>"),
            1.0,
            &format!("Re: {SUBJECT}"),
            &format!("s{i}@evil"),
            Some("forged@evil"),
            "-1\n",
        );
        reply.at = VOTE_TIME - 47 * HOUR;
        mails.push(reply);
    }
    mails.push(mail(
        "Alice Apple <alice@apache.org>",
        1.0,
        &format!("Re: {SUBJECT}"),
        "a@x",
        Some("vote-1@apache.org"),
        "+1\n",
    ));
    let mut text = mbox(&mails, true);
    text = text.replace(
        "References: <vote-1@apache.org> <forged@evil>",
        "References: <forged@evil>",
    );
    let setup = setup("");
    // 30 hours after the real VOTE mail, 78 after the forged one: not yet.
    let output = setup.tally(&text, Some(ROSTER), VOTE_TIME + 30 * HOUR, &["--verbose"]);
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(4), "{report}{}", stderr(&output));
    assert!(report.contains("opening mail: message 2 <vote-1@apache.org> from Release Manager <rm@apache.org> (the configured sender (mail-from or git user.email))"), "{report}");
    assert!(
        report.contains(
            "opened 2024-05-06 07:08 UTC; 72 hours end 2024-05-09 07:08 UTC (42 hours left)"
        ),
        "{report}"
    );
    assert!(report.contains("message 1 <forged@evil> from Mallory <mallory@example.com> (2024-05-04 07:08 UTC): another [VOTE] mail on this candidate, not the release manager's"), "{report}");
    assert_counts(&report, [2, 0, 0, 0], [0, 0, 0, 0]);

    // `--from` names the release manager explicitly; a wrong one is refused with the senders.
    let output = setup.tally(
        &text,
        Some(ROSTER),
        VOTE_TIME + 30 * HOUR,
        &["--from", "rm@apache.org"],
    );
    assert!(
        stdout(&output).contains("(the release manager named with --from)"),
        "{}",
        stdout(&output)
    );
    assert_fails_with(
        &setup.tally(
            &text,
            Some(ROSTER),
            VOTE_TIME + 30 * HOUR,
            &["--from", "carol@apache.org"],
        ),
        &[
            "no [VOTE] mail on 1.0.0 RC1 from carol@apache.org (--from)",
            "mallory@example.com, rm@apache.org",
        ],
    );
    // A sender who opened no vote, and two people who did: the tool does not guess.
    let other = self::setup("mail-from = \"Carol <carol@apache.org>\"\n");
    assert_fails_with(
        &other.tally(&text, Some(ROSTER), VOTE_TIME + 30 * HOUR, &[]),
        &[
            "from 2 people",
            "name the release manager with --from ADDRESS",
        ],
    );
}

#[test]
fn binding_comes_from_the_roster_and_a_spoofed_vote_that_decides_leaves_it_not_decided() {
    let re = format!("Re: {SUBJECT}");
    let mut spoofed = mail(
        "Carol Cherry <carol@apache.org>",
        3.0,
        &re,
        "sp@x",
        Some("vote-1@apache.org"),
        "+1 (binding)\n",
    );
    spoofed.headers.push_str("Authentication-Results: mxout1-he-de.apache.org (amavisd-new);\n\tdkim=none; dmarc=fail (p=NONE sp=NONE dis=NONE) header.from=apache.org\nAuthentication-Results: spamproc; spf=pass smtp.mailfrom=other.example\n");
    let mails = [
        vote_mail(),
        mail(
            "Mallory <mallory@example.com>",
            1.0,
            &re,
            "m@x",
            Some("vote-1@apache.org"),
            "+1 (binding)\n",
        ),
        mail(
            "Alice Apple <alice@apache.org>",
            2.0,
            &re,
            "a@x",
            Some("vote-1@apache.org"),
            "+1 (non-binding)\n",
        ),
        spoofed,
    ];
    let (output, report) = run(&mails, true);
    // Carol's +1 would be the third binding one, but DMARC failed for it: never PASSED.
    assert_eq!(output.status.code(), Some(5), "{report}");
    assert_counts(&report, [2, 0, 0, 0], [1, 0, 0, 0]);
    assert!(report.contains("+1 Mallory <mallory@example.com>: 2024-05-06 08:08 UTC, message 2 <m@x> line 1: \"+1 (binding)\", non-binding (not on the roster)"), "{report}");
    assert!(
        report.contains(
            "Mallory <mallory@example.com> called the vote binding but is not on the roster"
        ),
        "{report}"
    );
    assert!(report.contains("doubtful, not counted: +1 Carol Cherry <carol@apache.org> (binding if genuine): 2024-05-06 10:08 UTC, message 4 <sp@x> line 1: \"+1 (binding)\": Authentication-Results say dmarc=fail for apache.org"), "{report}");
    assert!(!report.contains("spf=fail"), "{report}");
    assert!(report.contains("result: NOT DECIDED (2 binding +1, 0 binding -1 from mails nothing speaks against): check these 1 messages in the archive"), "{report}");
    assert!(report.contains("  - message 4 <sp@x> from Carol Cherry <carol@apache.org>: +1, on the roster as carol: Authentication-Results say dmarc=fail for apache.org\n"), "{report}");
    assert!(
        report.contains(
            "confirms the vote with a reply to the thread from their @apache.org address"
        ),
        "{report}"
    );
}

#[test]
fn html_only_mails_are_read_without_their_blockquotes() {
    let re = format!("Re: {SUBJECT}");
    let html = |body: &str| {
        let mut m = mail("x", 1.0, &re, "h", Some("vote-1@apache.org"), body);
        m.headers = "Content-Type: text/html; charset=UTF-8\n".to_string();
        m
    };
    let mut alice = html("<html><body><div dir=\"ltr\">&#43;1 (binding)<br>Checked the signatures.</div><br><div class=\"gmail_quote\"><blockquote class=\"gmail_quote\">-1 disapprove</blockquote></div></body></html>");
    alice.from = "Alice Apple <alice@apache.org>".into();
    alice.id = "h1@x".into();
    let mut bob = html("<html><body><p>Thanks!</p><blockquote type=\"cite\"><div>+1 (binding)</div><blockquote>-1</blockquote><div>+1</div></blockquote></body></html>");
    bob.from = "Bob Banana <bob@apache.org>".into();
    bob.id = "h2@x".into();
    let mut carol = html("<div>&minus;1 &mdash; the source archive contains a jar</div>");
    carol.from = "Carol Cherry <carol@apache.org>".into();
    carol.id = "h3@x".into();
    let (output, report) = run(&[vote_mail(), alice, bob, carol], true);
    assert_eq!(output.status.code(), Some(3), "{report}");
    assert_counts(&report, [2, 0, 0, 1], [0, 0, 0, 0]);
    assert!(report.contains("message 3 <h2@x> from Bob Banana <bob@apache.org> (2024-05-06 08:08 UTC): no vote found"), "{report}");
    assert!(
        report.contains("line 2: \"−1 — the source archive contains a jar\""),
        "{report}"
    );
}

/// A thread of 48 messages as a busy vote looks: most vote once, some change their vote, some
/// only thank or ask, some quote others' votes, a few write ambiguous lines, signatures with
/// phone numbers and dates, clients of every kind; the expected counts are built alongside.
#[test]
fn a_thread_of_48_messages_is_counted_exactly() {
    let re = format!("Re: {SUBJECT}");
    let mut mails = vec![vote_mail()];
    let pmc = ["alice", "bob", "carol", "grace", "ivan"];
    let mut expected_binding_plus = 1; // the release manager's own +1
    let mut expected_nonbinding_plus = 0;
    let mut expected_nonbinding_minus = 0;
    let styles = [
        "+1\n",
        "+1 (non-binding)\n\nTested on macOS 14 with JDK 21.\n",
        "Hi,\n\n+1, thanks for driving the release!\n\n-- \nSent from a phone, +1-555-0100\n",
        "[x] +1 Release this package as Apache Demo 1.0.0\n[ ] 0  I won't get in the way\n[ ] -1 Do not release\n",
        "LGTM. +1\n\nOn Mon, May 6, 2024 at 9:08 AM Release Manager <rm@apache.org> wrote:\n> [ ] -1 Do not release\n",
    ];
    for n in 0..30 {
        let who = format!("user{n:02}@example.org");
        let hours = 1.0 + n as f64;
        let body = styles[n % styles.len()];
        mails.push(mail(
            &format!("User {n} <{who}>"),
            hours,
            &re,
            &format!("u{n}@x"),
            Some("vote-1@apache.org"),
            body,
        ));
        expected_nonbinding_plus += 1;
    }
    // Three of them change their mind to -1, one of those back to +1.
    for (n, hours, body) in [
        (
            3,
            40.0,
            "Changing my vote to -1: the tests fail on Windows.\n",
        ),
        (7, 41.0, "-1.\n"),
        (11, 42.0, "−1, see my other mail\n"),
        (11, 60.0, "Back to +1: the failure was my setup.\n"),
    ] {
        mails.push(mail(
            &format!("User {n} <user{n:02}@example.org>"),
            hours,
            &re,
            &format!("chg{n}-{hours}@x"),
            Some("vote-1@apache.org"),
            body,
        ));
    }
    expected_nonbinding_plus -= 2;
    expected_nonbinding_minus += 2;
    // Messages that cast no vote: thanks, questions, quotes only, an ambiguous line.
    let no_votes = [
        "Thanks everyone, will vote later this week.\n",
        "Does the RC-1 tag point at the right commit? The 2024-05-01 build was different.\n",
        "> +1 (binding)\n> checked everything\n",
        "+1 for the idea but -1 for releasing before the fix\n",
        "Meeting notes: 10:00 UTC+1, call +1-555-0199.\n",
        "Version 1.0 and 1.0.0 both mentioned in the README.\n",
    ];
    for (i, body) in no_votes.iter().enumerate() {
        mails.push(mail(
            &format!("Talker {i} <talker{i}@example.net>"),
            50.0 + i as f64,
            &re,
            &format!("t{i}@x"),
            Some("vote-1@apache.org"),
            body,
        ));
    }
    for (i, id) in pmc.iter().enumerate() {
        mails.push(mail(&format!("PMC {id} <{id}@apache.org>"), 70.0 + i as f64, &re, &format!("p{i}@x"), Some("vote-1@apache.org"), "+1 (binding)\n\nI checked signatures, checksums, LICENSE, NOTICE and built from source.\n"));
        expected_binding_plus += 1;
    }
    assert!(mails.len() >= 40, "{}", mails.len());
    let (output, report) = run(&mails, true);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_counts(
        &report,
        [expected_binding_plus, 0, 0, 0],
        [expected_nonbinding_plus, 0, 0, expected_nonbinding_minus],
    );
    assert_eq!(
        report.matches("ambiguous, not counted").count(),
        1,
        "{report}"
    );
    assert!(report.contains("changed from +1 (cast 2024-05-06 19:08 UTC)\n      changed from -1 (cast 2024-05-08 01:08 UTC)"), "{report}");
    assert_eq!(report.matches(": quoted text only").count(), 1, "{report}");
    assert_eq!(report.matches(": no vote found").count(), 4, "{report}");
}

#[test]
fn hostile_bytes_are_shown_escaped_and_never_reach_the_result_mail() {
    let re = format!("Re: {SUBJECT}");
    // The name decodes to an escape sequence that would erase the line; the vote line holds one.
    let mut evil = mail(
        "=?UTF-8?B?G1sySxtbMUFBbGljZQ==?= <mallory@example.com>",
        1.0,
        &re,
        "e\u{1b}[2K@x",
        Some("vote-1@apache.org"),
        "+1 \u{1b}[2K\u{202e}(binding)\n",
    );
    evil.headers = "Content-Type: text/plain; charset=UTF-8\n".into();
    let mails = [
        mail(
            "Release Manager <rm@apache.org>",
            0.0,
            &format!("{SUBJECT} \u{1b}]0;pwned\u{7}"),
            "vote-1@apache.org",
            None,
            "+1\n",
        ),
        evil,
        mail(
            "Alice Apple <alice@apache.org>",
            2.0,
            &re,
            "a@x",
            Some("vote-1@apache.org"),
            "+1\n",
        ),
        mail(
            "Bob Banana <bob@apache.org>",
            3.0,
            &re,
            "b@x",
            Some("vote-1@apache.org"),
            "+1\n",
        ),
    ];
    let setup = setup("");
    let text = mbox(&mails, true);
    let output = setup.tally(&text, Some(ROSTER), VOTE_TIME + 100 * HOUR, &["--verbose"]);
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(
        !report.contains('\u{1b}') && !report.contains('\u{202e}') && !report.contains('\u{7}'),
        "{report:?}"
    );
    assert!(
        report.contains("\\x1b[2K\\x1b[1AAlice <mallory@example.com>"),
        "{report}"
    );
    assert!(
        report.contains("line 1: \"+1 \\x1b[2K\\u{202e}(binding)\""),
        "{report}"
    );

    let json = setup.tally(&text, Some(ROSTER), VOTE_TIME + 100 * HOUR, &["--json"]);
    let value: serde_json::Value =
        serde_json::from_str(&stdout(&json)).expect("--json prints JSON");
    assert_eq!(value["outcome"], "passed");
    assert_eq!(value["binding"]["+1"], 3);
    assert_eq!(value["non_binding"]["+1"], 1);
    assert_eq!(value["votes"][1]["why"], "not on the roster");
    assert_eq!(
        value["votes"][1]["source"]["line"],
        "+1 \\x1b[2K\\u{202e}(binding)"
    );
    assert_eq!(value["opening"]["message_id"], "vote-1@apache.org");

    // The RESULT mail: the voter's name escaped and cut, no byte of the thread otherwise (the
    // thread link is built from this repository's own VOTE subject).
    setup
        .world
        .write(&setup.repo, "target/asf-release/1.0.0-rc1/.keep", b"");
    let result = setup
        .world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .env("SOURCE_DATE_EPOCH", (VOTE_TIME + 100 * HOUR).to_string())
        .args([
            "--repo",
            setup.repo.to_str().unwrap(),
            "mail",
            "result",
            "1.0.0",
            "--rc",
            "1",
            "--mbox",
        ])
        .arg(setup.world.path("thread.mbox"))
        .arg("--roster")
        .arg(setup.world.path("roster.txt"))
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}{}",
        stdout(&result),
        stderr(&result)
    );
    let eml = std::fs::read_to_string(
        setup
            .repo
            .join("target/asf-release/records/1.0.0-rc1/result.eml"),
    )
    .unwrap();
    assert!(
        !eml.contains('\u{1b}') && !eml.contains("pwned") && !eml.contains('\u{202e}'),
        "{eml:?}"
    );
    assert!(
        eml.contains("+1 \\x1b[2K\\x1b[1AAlice <mallory@example.com>"),
        "{eml}"
    );
    assert!(
        eml.contains("%5BVOTE%5D%20Release%20Apache%20Demo%201.0.0%20%28RC1%29\n"),
        "{eml}"
    );
}

#[test]
fn only_the_release_manager_closes_the_vote_and_a_resent_vote_mail_keeps_its_replies() {
    let re = format!("Re: {SUBJECT}");
    let result = "[RESULT][VOTE] Release Apache Demo 1.0.0 (RC1)";
    let mut resend = vote_mail();
    resend.at += 2 * HOUR;
    resend.id = "vote-1-resend@apache.org".into();
    let mails = [
        vote_mail(),
        resend,
        mail(
            "Alice Apple <alice@apache.org>",
            3.0,
            &re,
            "a@x",
            Some("vote-1-resend@apache.org"),
            "+1\n",
        ),
        // Someone else's [RESULT] closes nothing.
        mail(
            "Mallory <mallory@example.com>",
            4.0,
            result,
            "r0@x",
            None,
            "The vote has failed.\n",
        ),
        mail(
            "Bob Banana <bob@apache.org>",
            5.0,
            &re,
            "b@x",
            Some("vote-1@apache.org"),
            "+1\n",
        ),
        mail(
            "Carol Cherry <carol@apache.org>",
            6.0,
            &re,
            "c@x",
            Some("vote-1@apache.org"),
            "+1\n",
        ),
        mail(
            "Release Manager <rm@apache.org>",
            80.0,
            result,
            "r1@x",
            None,
            "The vote passed.\n",
        ),
        mail(
            "Grace Grape <grace@apache.org>",
            81.0,
            &re,
            "g@x",
            Some("vote-1@apache.org"),
            "-1, sorry I am late\n",
        ),
    ];
    let (output, report) = run(&mails, true);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_counts(&report, [4, 0, 0, 0], [0, 0, 0, 0]);
    assert!(report.contains("message 8 <g@x> from Grace Grape <grace@apache.org> (2024-05-09 16:08 UTC): sent after the release manager's [RESULT] or [CANCEL] mail"), "{report}");
    assert!(
        report.contains("72 hours end 2024-05-09 07:08 UTC"),
        "{report}"
    );
}
