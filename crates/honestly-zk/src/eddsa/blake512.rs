//! BLAKE-512 (the SHA-3 finalist, not BLAKE2), the hash circomlibjs' `eddsa` and
//! `@zk-kit/eddsa-poseidon` (its default "blake-1" flavour) use to turn a private key into the
//! signing scalar and the nonce. Only one-shot hashing of short inputs is needed.

/// The first digits of π, BLAKE-512's round constants.
const C: [u64; 16] = [
    0x243F_6A88_85A3_08D3,
    0x1319_8A2E_0370_7344,
    0xA409_3822_299F_31D0,
    0x082E_FA98_EC4E_6C89,
    0x4528_21E6_38D0_1377,
    0xBE54_66CF_34E9_0C6C,
    0xC0AC_29B7_C97C_50DD,
    0x3F84_D5B5_B547_0917,
    0x9216_D5D9_8979_FB1B,
    0xD131_0BA6_98DF_B5AC,
    0x2FFD_72DB_D01A_DFB7,
    0xB8E1_AFED_6A26_7E96,
    0xBA7C_9045_F12C_7F99,
    0x24A1_9947_B391_6CF7,
    0x0801_F2E2_858E_FC16,
    0x6369_20D8_7157_4E69,
];

/// SHA-512's initial value, which BLAKE-512 shares.
const IV: [u64; 8] = [
    0x6A09_E667_F3BC_C908,
    0xBB67_AE85_84CA_A73B,
    0x3C6E_F372_FE94_F82B,
    0xA54F_F53A_5F1D_36F1,
    0x510E_527F_ADE6_82D1,
    0x9B05_688C_2B3E_6C1F,
    0x1F83_D9AB_FB41_BD6B,
    0x5BE0_CD19_137E_2179,
];

const SIGMA: [[usize; 16]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

/// Columns then diagonals of the 4×4 state.
const LANES: [[usize; 4]; 8] = [
    [0, 4, 8, 12],
    [1, 5, 9, 13],
    [2, 6, 10, 14],
    [3, 7, 11, 15],
    [0, 5, 10, 15],
    [1, 6, 11, 12],
    [2, 7, 8, 13],
    [3, 4, 9, 14],
];

fn compress(h: &mut [u64; 8], block: &[u8], bits: u128) {
    let mut m = [0u64; 16];
    for (w, chunk) in m.iter_mut().zip(block.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *w = u64::from_be_bytes(b);
    }
    // The counter is at most 2^64 bits here: inputs are in-memory slices.
    let t0 = bits as u64;
    let t1 = (bits >> 64) as u64;
    let mut v = [0u64; 16];
    v[..8].copy_from_slice(h);
    v[8..12].copy_from_slice(&C[..4]);
    v[12] = t0 ^ C[4];
    v[13] = t0 ^ C[5];
    v[14] = t1 ^ C[6];
    v[15] = t1 ^ C[7];
    for round in 0..16 {
        let s = &SIGMA[round % 10];
        for (i, &[a, b, c, d]) in LANES.iter().enumerate() {
            let (x, y) = (s[2 * i], s[2 * i + 1]);
            v[a] = v[a].wrapping_add(v[b]).wrapping_add(m[x] ^ C[y]);
            v[d] = (v[d] ^ v[a]).rotate_right(32);
            v[c] = v[c].wrapping_add(v[d]);
            v[b] = (v[b] ^ v[c]).rotate_right(25);
            v[a] = v[a].wrapping_add(v[b]).wrapping_add(m[y] ^ C[x]);
            v[d] = (v[d] ^ v[a]).rotate_right(16);
            v[c] = v[c].wrapping_add(v[d]);
            v[b] = (v[b] ^ v[c]).rotate_right(11);
        }
    }
    for i in 0..8 {
        h[i] ^= v[i] ^ v[i + 8];
    }
}

/// BLAKE-512 of `data` (salt zero), as `blake-hash`'s `createBlakeHash("blake512")` computes it.
pub(crate) fn blake512(data: &[u8]) -> [u8; 64] {
    let n = data.len();
    // Message, a 1 bit, zeros up to 111 mod 128, a final 1 bit, then the 128-bit bit length.
    let padded_len = (n + 1 + 16).div_ceil(128) * 128;
    let mut buf = vec![0u8; padded_len];
    buf[..n].copy_from_slice(data);
    buf[n] = 0x80;
    buf[padded_len - 17] |= 0x01;
    let total_bits = (n as u128) * 8;
    buf[padded_len - 16..].copy_from_slice(&total_bits.to_be_bytes());
    let mut h = IV;
    for (i, block) in buf.chunks_exact(128).enumerate() {
        let start = i * 128;
        // The counter holds the message bits up to the end of this block; a block holding
        // padding only counts zero.
        let bits = if start >= n { 0 } else { (n.min(start + 128) as u128) * 8 };
        compress(&mut h, block, bits);
    }
    buf.iter_mut().for_each(|b| *b = 0);
    let mut out = [0u8; 64];
    for (chunk, w) in out.chunks_exact_mut(8).zip(h) {
        chunk.copy_from_slice(&w.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::blake512;

    /// Known answers printed by npm `blake-hash` (circomlibjs' BLAKE-512), covering the
    /// padding edge cases: empty input, one byte, 111 bytes (the 0x81 pad byte), 112 bytes
    /// (a padding-only last block), one full block and several blocks.
    #[test]
    fn known_answers_from_blake_hash() {
        let cases: [(&[u8], &str); 6] = [
            (b"", "a8cfbbd73726062df0c6864dda65defe58ef0cc52a5625090fa17601e1eecd1b628e94f396ae402a00acc9eab77b4d4c2e852aaaa25a636d80af3fc7913ef5b8"),
            (&[0], "97961587f6d970faba6d2478045de6d1fabd09b61ae50932054d52bc29d31be4ff9102b9f69e2bbdb83be13d4b9c06091e5fa0b48bd081b634058be0ec49beb3"),
            (&[b'a'; 111], "93e94241778a8b6e7461f8567963aee4dc7ce2a8d6f187bb4341c889570e2e96f8598569281c813a4283487b3492d8797c389a7c8927e99186efabb68cccab1d"),
            (&[b'a'; 112], "2e09048abf211af05d6f9b76434798bfe3c6b89342fb3ba75c334062be9a9901ebf6197a223c570c7199205ea9a0d5c07b9541722c07513fa009d2445d6de61c"),
            (&[b'b'; 128], "c1c6f608efae0911131844c59215ab7ac0bb9f3c84c591485070f82cc58d17f57f4ba7419f19db4579645939cd69c5f8c24bdd3d3ca2c9e4ad312aaaa00df5d6"),
            (&[b'c'; 300], "36af1d086bccca8727465a74f4e57907262062f4597bebe879a776a81e0a26aa715e543b6c61b2d1af8f57d90d48fb691d899e39fdcda3f7b5a22483ba0e9415"),
        ];
        for (input, expected) in cases {
            assert_eq!(hex::encode(blake512(input)), expected, "{} bytes", input.len());
        }
    }
}
