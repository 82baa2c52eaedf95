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

//! What single files must hold or must not be: the LICENSE and NOTICE texts, compiled code.

use crate::archive::license::classify::squash;

pub(super) const APACHE_LICENSE: &str = include_str!("../LICENSE-2.0.txt");

/// Names compiled content by its first bytes, and binary content by a compiled-code suffix.
pub fn compiled_code(path: &str, head: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"\x7fELF") {
        return Some("ELF executable or library");
    }
    if starts(&[0xfe, 0xed, 0xfa, 0xce])
        || starts(&[0xfe, 0xed, 0xfa, 0xcf])
        || starts(&[0xce, 0xfa, 0xed, 0xfe])
        || starts(&[0xcf, 0xfa, 0xed, 0xfe])
    {
        return Some("Mach-O executable or library");
    }
    if starts(&[0xca, 0xfe, 0xba, 0xbe]) {
        return Some("Java class file or Mach-O universal binary");
    }
    if starts(b"MZ")
        && (path.ends_with(".exe")
            || path.ends_with(".dll")
            || head.windows(4).any(|w| w == b"PE\0\0"))
    {
        return Some("Windows PE executable or library");
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        return Some("zip archive (jar, wheel ...)");
    }
    if starts(b"\0asm") {
        return Some("WebAssembly module");
    }
    if starts(b"!<arch>\n") {
        return Some("static library (ar archive)");
    }
    if head.len() >= 4
        && &head[2..4] == b"\r\n"
        && (path.ends_with(".pyc") || path.ends_with(".pyo"))
    {
        return Some("compiled Python bytecode");
    }
    // A name alone proves nothing: an empty `.dll` or a `.dylib` holding one line of text is a
    // test fixture, not a library. Binary bytes of no known format under a compiled-code name
    // (a COFF object, a stripped format) still count.
    if is_empty_or_text(head) {
        return None;
    }
    let lower = path.to_ascii_lowercase();
    for (suffix, what) in [
        (".class", "Java class file"),
        (".jar", "Java archive"),
        (".pyc", "compiled Python bytecode"),
        (".so", "shared library"),
        (".dylib", "shared library"),
        (".dll", "Windows library"),
        (".exe", "Windows executable"),
        (".o", "object file"),
    ] {
        if lower.ends_with(suffix) {
            return Some(what);
        }
    }
    None
}

/// Whether the first bytes are nothing, or text: UTF-8 (the head may cut the last
/// character) without NUL bytes or other control characters than whitespace.
fn is_empty_or_text(head: &[u8]) -> bool {
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(err) if err.error_len().is_none() => {
            // Only an incomplete character at the very end.
            std::str::from_utf8(&head[..err.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    text.chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\x0c'))
}

/// The LICENSE holds the Apache License 2.0 terms (more licenses may follow them).
pub(super) fn is_apache_license(text: &[u8]) -> bool {
    let normalise = |bytes: &[u8]| squash(bytes).replace("https", "http");
    let reference = normalise(APACHE_LICENSE.as_bytes());
    let end = "endoftermsandconditions";
    let terms = match reference.find(end) {
        Some(at) => &reference[..at + end.len()],
        None => reference.as_str(),
    };
    normalise(text).contains(terms)
}

pub(super) fn notice_problems(text: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(text) else {
        return vec!["is not UTF-8 text".into()];
    };
    let mut problems = Vec::new();
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    if !first.is_some_and(|line| line.contains("Apache")) {
        problems.push("the first line must name the product, like `Apache APISIX`".into());
    }
    let copyright = text
        .lines()
        .any(|l| l.contains("Copyright") && l.contains("The Apache Software Foundation"));
    if !copyright {
        problems.push("no `Copyright <years> The Apache Software Foundation` line".into());
    }
    let squashed = squash(text.as_bytes()).replace("https", "http");
    if !squashed.contains(
        "thisproductincludessoftwaredevelopedattheapachesoftwarefoundationhttpwwwapacheorg",
    ) {
        problems.push("no attribution `This product includes software developed at The Apache Software Foundation (http://www.apache.org/).`".into());
    }
    problems
}
