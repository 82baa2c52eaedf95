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

//! A gzip writer that compresses fixed-size blocks on several threads and still gives the same
//! bytes on every machine: the block boundaries depend only on the input offset, each block is
//! primed with the 32 KiB before it (as pigz does), and the blocks are written in order. The
//! thread count changes the speed, never the output.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::thread::JoinHandle;

use flate2::{Compress, Compression, FlushCompress, Status};

/// Uncompressed bytes per block.
const BLOCK: usize = 1024 * 1024;
/// Deflate's window: how much of the previous block primes the next.
const DICTIONARY: usize = 32 * 1024;
const LEVEL: u32 = 6;
/// The gzip header's OS byte: 255 is "unknown", the same on every platform.
pub const OS_UNKNOWN: u8 = 255;

pub struct ParallelGzEncoder<W: Write> {
    out: W,
    block: Vec<u8>,
    dictionary: Vec<u8>,
    crc: crc32fast::Hasher,
    total: u64,
    in_flight: VecDeque<JoinHandle<io::Result<Vec<u8>>>>,
    threads: usize,
}

impl<W: Write> ParallelGzEncoder<W> {
    pub fn new(mut out: W) -> io::Result<Self> {
        // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS
        out.write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, OS_UNKNOWN])?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(ParallelGzEncoder {
            out,
            block: Vec::with_capacity(BLOCK),
            dictionary: Vec::new(),
            crc: crc32fast::Hasher::new(),
            total: 0,
            in_flight: VecDeque::new(),
            threads,
        })
    }

    fn write_oldest(&mut self) -> io::Result<()> {
        if let Some(handle) = self.in_flight.pop_front() {
            let compressed = handle
                .join()
                .map_err(|_| io::Error::other("a compression thread panicked"))??;
            self.out.write_all(&compressed)?;
        }
        Ok(())
    }

    fn send_block(&mut self, last: bool) -> io::Result<()> {
        let input = std::mem::replace(&mut self.block, Vec::with_capacity(BLOCK));
        let dictionary = std::mem::take(&mut self.dictionary);
        self.dictionary = input[input.len().saturating_sub(DICTIONARY)..].to_vec();
        // One block more than threads waits its turn: a core whose block ended early takes
        // the next one instead of idling until the oldest is written.
        while self.in_flight.len() > self.threads {
            self.write_oldest()?;
        }
        let handle = std::thread::Builder::new()
            .name("deflate".into())
            .spawn(move || deflate_block(&dictionary, &input, last))?;
        self.in_flight.push_back(handle);
        Ok(())
    }

    /// Ends the stream: last block, CRC-32 and size trailer.
    pub fn finish(mut self) -> io::Result<W> {
        self.send_block(true)?;
        while !self.in_flight.is_empty() {
            self.write_oldest()?;
        }
        let crc = self.crc.clone().finalize();
        self.out.write_all(&crc.to_le_bytes())?;
        // ISIZE is the length modulo 2^32 by definition.
        self.out.write_all(&(self.total as u32).to_le_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for ParallelGzEncoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = BLOCK - self.block.len();
        let taken = &buf[..room.min(buf.len())];
        self.block.extend_from_slice(taken);
        self.crc.update(taken);
        self.total += taken.len() as u64;
        if self.block.len() == BLOCK {
            self.send_block(false)?;
        }
        Ok(taken.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        // Blocks have fixed sizes; flushing early would change the bytes.
        Ok(())
    }
}

/// Raw deflate of one block. Every block but the last ends with a sync flush (an empty stored
/// block), so the blocks concatenate into one valid deflate stream.
fn deflate_block(dictionary: &[u8], input: &[u8], last: bool) -> io::Result<Vec<u8>> {
    let mut compress = Compress::new(Compression::new(LEVEL), false);
    if !dictionary.is_empty() {
        compress
            .set_dictionary(dictionary)
            .map_err(io::Error::other)?;
    }
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    let mut out = Vec::with_capacity(input.len() / 2 + 1024);
    loop {
        let consumed = compress.total_in() as usize;
        if out.len() == out.capacity() {
            out.reserve(64 * 1024);
        }
        let status = compress
            .compress_vec(&input[consumed..], &mut out, flush)
            .map_err(io::Error::other)?;
        let all_in = compress.total_in() as usize == input.len();
        let room_left = out.len() < out.capacity();
        match status {
            Status::StreamEnd => break,
            _ if !last && all_in && room_left => break,
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn compress(data: &[u8], threads: usize, chunk_writes: usize) -> Vec<u8> {
        let mut encoder = ParallelGzEncoder::new(Vec::new()).unwrap();
        encoder.threads = threads;
        for piece in data.chunks(chunk_writes) {
            encoder.write_all(piece).unwrap();
        }
        encoder.finish().unwrap()
    }

    fn sample(size: usize) -> Vec<u8> {
        let mut state = 12345u32;
        (0..size)
            .map(|i| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                if i % 3 == 0 {
                    (state >> 24) as u8
                } else {
                    b"the quick brown fox "[i % 20]
                }
            })
            .collect()
    }

    #[test]
    fn round_trips_through_a_standard_gzip_decoder() {
        for size in [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 17] {
            let data = sample(size);
            let compressed = compress(&data, 2, 8191);
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(&compressed[..])
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, data, "size {size}");
        }
    }

    #[test]
    fn output_does_not_depend_on_threads_or_write_sizes() {
        let data = sample(2 * BLOCK + 999);
        let one = compress(&data, 1, 100_000);
        assert_eq!(one, compress(&data, 2, 7));
        assert_eq!(one, compress(&data, 8, BLOCK));
    }
}
