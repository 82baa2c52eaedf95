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

//! A gzip file as `gzip -d` reads it: one or more members one after the other, then nothing
//! or only zero bytes (tape and block padding, which gzip ignores). Anything else after the
//! last member is refused: gzip calls it "trailing garbage" and GNU tar fails on its warning.

use std::io::{self, BufRead, Read};

use flate2::bufread::GzDecoder;

pub struct Gunzip<R: BufRead> {
    /// `None` only while one state turns into the next.
    state: Option<State<R>>,
}

enum State<R: BufRead> {
    Member(Box<GzDecoder<R>>),
    Done(R),
}

impl<R: BufRead> Gunzip<R> {
    pub fn new(input: R) -> Gunzip<R> {
        Gunzip {
            state: Some(State::Member(Box::new(GzDecoder::new(input)))),
        }
    }

    /// The input, positioned after what was read.
    pub fn into_inner(self) -> Option<R> {
        self.state.map(|state| match state {
            State::Member(member) => member.into_inner(),
            State::Done(input) => input,
        })
    }

    /// After a member: another one, zeros to the end, or the end.
    fn after_member(mut input: R) -> io::Result<State<R>> {
        match input.fill_buf()?.first() {
            None => Ok(State::Done(input)),
            Some(0) => loop {
                let buffer = input.fill_buf()?;
                if buffer.is_empty() {
                    return Ok(State::Done(input));
                }
                if buffer.iter().any(|b| *b != 0) {
                    return Err(trailing_garbage());
                }
                let n = buffer.len();
                input.consume(n);
            },
            // A gzip member starts with 0x1f 0x8b; the decoder refuses the rest of a bad one.
            Some(0x1f) => Ok(State::Member(Box::new(GzDecoder::new(input)))),
            Some(_) => Err(trailing_garbage()),
        }
    }
}

fn trailing_garbage() -> io::Error {
    io::Error::other(
        "bytes other than zeros after the gzip stream (gzip calls them trailing garbage)",
    )
}

impl<R: BufRead> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while !buf.is_empty() {
            let member = match self.state.as_mut() {
                Some(State::Member(member)) => member,
                _ => return Ok(0),
            };
            let n = member.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            if let Some(State::Member(member)) = self.state.take() {
                self.state = Some(Self::after_member(member.into_inner())?);
            }
        }
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn gunzip(bytes: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        Gunzip::new(bytes).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn members_and_zero_padding_are_read_like_gzip_does() {
        assert_eq!(gunzip(&gz(b"one")).unwrap(), b"one");
        let two = [gz(b"one"), gz(b"two")].concat();
        assert_eq!(gunzip(&two).unwrap(), b"onetwo");
        let padded = [gz(b"one"), vec![0; 10_000]].concat();
        assert_eq!(gunzip(&padded).unwrap(), b"one");
        for bad in [
            [gz(b"one"), b"garbage".to_vec()].concat(),
            [gz(b"one"), vec![0; 100], gz(b"two")].concat(),
            b"not gzip".to_vec(),
            Vec::new(),
        ] {
            assert!(gunzip(&bad).is_err(), "{bad:?}");
        }
    }
}
