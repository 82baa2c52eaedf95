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

//! When ATR's JWT runs out, and where it is kept between runs. The token is ATR's to check;
//! the client only reads its `exp` claim (unverified, it is a hint) to mint the next token
//! before the old one is refused: a long upload or a wait for checks can outlast the 30
//! minutes.
//!
//! ATR mints at most 10 tokens an hour, and every step runs in a process of its own (so does
//! each `status` probe that counts a running vote): a JWT is kept for the next process in the
//! user's private runtime directory (`$XDG_RUNTIME_DIR`, a per-user tmpfs), in a file only the
//! user can read, named after a hash of ATR's address, the ASF id and the token, so another
//! account or a new token never picks it up. Without `XDG_RUNTIME_DIR` (CI), nothing is kept.

use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;

use crate::encoding::base64url_decode;

/// The directory under `$XDG_RUNTIME_DIR`.
const CACHE_DIR: &str = "asf-release-xtask";

/// Renew when less than this is left: a request sent with it still arrives in time.
pub const MARGIN_SECONDS: i64 = 60;

/// The largest JWT whose claims are read (ATR's are a few hundred bytes).
const MAX_LENGTH: usize = 8 * 1024;

/// The expiry (seconds since the epoch) a JWT claims, `None` when it cannot be read.
pub fn expires_at(jwt: &str) -> Option<i64> {
    if jwt.len() > MAX_LENGTH {
        return None;
    }
    let mut parts = jwt.split('.');
    let (Some(_header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    #[derive(Deserialize)]
    struct Claims {
        exp: i64,
    }
    let claims: Claims = serde_json::from_slice(&base64url_decode(payload)?).ok()?;
    Some(claims.exp)
}

/// Whether a JWT is still good for a request at `now`; one whose expiry cannot be read is
/// used until ATR refuses it (401), which mints a new one.
pub fn usable(jwt: &str, now: i64) -> bool {
    expires_at(jwt).is_none_or(|exp| exp - now > MARGIN_SECONDS)
}

/// The JWT of one account on one ATR, kept between runs.
pub struct Cache {
    path: Utf8PathBuf,
}

/// The cache file's name: a hash of the account, so the token never shows in a path.
fn file_name(base: &str, uid: &str, token: &str) -> String {
    use sha2::{Digest, Sha512};
    let digest = Sha512::digest(format!("{base}\n{uid}\n{token}").as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("atr-{hex}.jwt")
}

/// Whether only the owner may read or write `path` (and it is no link).
fn private(path: &Utf8Path) -> bool {
    std::fs::symlink_metadata(path)
        .is_ok_and(|m| !m.file_type().is_symlink() && m.permissions().mode() & 0o077 == 0)
}

impl Cache {
    /// The cache of `uid`'s token on ATR at `base`; `None` without a runtime directory.
    pub fn for_account(base: &str, uid: &str, token: &str) -> Option<Cache> {
        let runtime = Utf8PathBuf::from(std::env::var("XDG_RUNTIME_DIR").ok()?);
        if !runtime.is_absolute() {
            return None;
        }
        Some(Cache {
            path: runtime.join(CACHE_DIR).join(file_name(base, uid, token)),
        })
    }

    /// The kept JWT when it is still usable at `now` and its file is private.
    pub fn load(&self, now: i64) -> Option<String> {
        let dir = self.path.parent()?;
        if !private(dir) || !private(&self.path) {
            return None;
        }
        let mut text = String::new();
        std::fs::File::open(&self.path)
            .ok()?
            .take(MAX_LENGTH as u64 + 1)
            .read_to_string(&mut text)
            .ok()?;
        let jwt = text.trim().to_string();
        let fresh = expires_at(&jwt).is_some_and(|exp| exp - now > MARGIN_SECONDS);
        fresh.then_some(jwt)
    }

    /// Keeps `jwt` for the next run; a failure only costs a token next time.
    pub fn store(&self, jwt: &str) {
        let Some(dir) = self.path.parent() else {
            return;
        };
        let made = std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir);
        if made.is_err() || !private(dir) || expires_at(jwt).is_none() {
            return;
        }
        let temp = self
            .path
            .with_extension(format!("{}.partial", std::process::id()));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)
            .and_then(|mut file| file.write_all(jwt.as_bytes()));
        if written.is_err() || std::fs::rename(&temp, &self.path).is_err() {
            let _ = std::fs::remove_file(&temp);
        }
    }

    /// Forgets a JWT ATR refused.
    pub fn forget(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::base64url;

    fn token(claims: &str) -> String {
        format!(
            "{}.{}.c2ln",
            base64url(br#"{"alg":"HS256","typ":"JWT"}"#),
            base64url(claims.as_bytes())
        )
    }

    #[test]
    fn the_expiry_is_read_from_the_claims_and_renewal_comes_ahead_of_it() {
        let jwt = token(r#"{"sub":"rm","exp":1800,"iat":0}"#);
        assert_eq!(expires_at(&jwt), Some(1800));
        assert!(usable(&jwt, 0));
        assert!(usable(&jwt, 1800 - MARGIN_SECONDS - 1));
        assert!(!usable(&jwt, 1800 - MARGIN_SECONDS));
        assert!(!usable(&jwt, 5000));
    }

    #[test]
    fn a_kept_token_is_private_fresh_and_per_account() {
        let runtime = tempfile::tempdir().unwrap();
        let base = runtime.path().to_str().unwrap();
        let cache = |uid: &str, token: &str| Cache {
            path: Utf8PathBuf::from(base).join(CACHE_DIR).join(file_name(
                "https://atr",
                uid,
                token,
            )),
        };
        let kept = cache("rm", "pat");
        let jwt = token(r#"{"exp":1000}"#);
        kept.store(&jwt);
        let mode = |p: &Utf8Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&kept.path), 0o600);
        assert_eq!(mode(kept.path.parent().unwrap()), 0o700);
        assert_eq!(kept.load(0).as_deref(), Some(jwt.as_str()));
        assert_eq!(
            kept.load(1000 - MARGIN_SECONDS),
            None,
            "too close to its expiry"
        );
        assert_eq!(cache("rm", "new-pat").load(0), None, "another token");
        // Readable by others: not trusted (someone may have put it there).
        std::fs::set_permissions(&kept.path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(kept.load(0), None);
        kept.forget();
        assert!(!kept.path.exists());
        // A token without a readable expiry is never kept.
        kept.store("opaque");
        assert!(!kept.path.exists());
    }

    #[test]
    fn unreadable_tokens_are_left_to_atr() {
        for jwt in [
            "opaque".to_string(),
            "a.b".to_string(),
            "a.b.c.d".to_string(),
            token(r#"{"exp":"soon"}"#),
            token("not json"),
            format!("x.{}.y", "A".repeat(MAX_LENGTH)),
        ] {
            assert_eq!(expires_at(&jwt), None, "{jwt}");
            assert!(usable(&jwt, i64::MAX / 2), "{jwt}");
        }
    }
}
