//! circomlib's Poseidon over BN254 (x^5, 8 full rounds, circomlib's partial-round counts and
//! constants), natively and as an R1CS gadget that computes the same function.
//!
//! The constants come from `light-poseidon`'s circom parameter set and are parsed once per
//! width. Known answers from circomlibjs are checked in the tests below.

use std::sync::OnceLock;

use ark_ff::{Field, Zero};
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::SynthesisError;
use light_poseidon::{parameters::bn254_x5::get_poseidon_parameters, PoseidonParameters};

use crate::Fr;

/// The largest number of inputs supported (circomlib goes up to 16).
pub const MAX_INPUTS: usize = 12;

fn params(n_inputs: usize) -> &'static PoseidonParameters<Fr> {
    static CACHE: [OnceLock<PoseidonParameters<Fr>>; MAX_INPUTS] = [const { OnceLock::new() }; MAX_INPUTS];
    assert!(
        (1..=MAX_INPUTS).contains(&n_inputs),
        "Poseidon supports 1..={MAX_INPUTS} inputs, got {n_inputs}"
    );
    CACHE[n_inputs - 1].get_or_init(|| {
        let width = u8::try_from(n_inputs + 1).unwrap_or(u8::MAX);
        // The parameter table covers widths 2..=13; the assert above keeps us inside it.
        get_poseidon_parameters::<Fr>(width).unwrap_or_else(|e| panic!("poseidon params: {e}"))
    })
}

/// Poseidon(inputs) exactly as circomlib's `Poseidon(n)` template computes it.
///
/// # Panics
/// When `inputs` is empty or longer than [`MAX_INPUTS`] (a programming error: every caller
/// in this crate uses 2 or 3 inputs).
pub fn poseidon_hash(inputs: &[Fr]) -> Fr {
    let p = params(inputs.len());
    let t = p.width;
    let mut state = Vec::with_capacity(t);
    state.push(Fr::zero());
    state.extend_from_slice(inputs);
    let half = p.full_rounds / 2;
    let rounds = p.full_rounds + p.partial_rounds;
    let mut next = vec![Fr::zero(); t];
    for round in 0..rounds {
        for (i, s) in state.iter_mut().enumerate() {
            *s += p.ark[round * t + i];
        }
        let full = round < half || round >= half + p.partial_rounds;
        let sbox = |x: &mut Fr| {
            let x2 = x.square();
            *x *= x2.square();
        };
        if full {
            state.iter_mut().for_each(sbox);
        } else {
            sbox(&mut state[0]);
        }
        for (i, out) in next.iter_mut().enumerate() {
            *out = state.iter().zip(&p.mds[i]).fold(Fr::zero(), |acc, (a, m)| acc + *a * m);
        }
        std::mem::swap(&mut state, &mut next);
    }
    state[0]
}

fn sbox_var(x: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    let x2 = x.square()?;
    let x4 = x2.square()?;
    Ok(x4 * x)
}

/// The R1CS gadget for [`poseidon_hash`]: 3 constraints per S-box, linear layers free.
///
/// # Panics
/// Same input-count rule as [`poseidon_hash`].
pub fn poseidon_gadget(inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    let p = params(inputs.len());
    let t = p.width;
    let mut state: Vec<FpVar<Fr>> = Vec::with_capacity(t);
    state.push(FpVar::Constant(Fr::zero()));
    state.extend(inputs.iter().cloned());
    let half = p.full_rounds / 2;
    let rounds = p.full_rounds + p.partial_rounds;
    for round in 0..rounds {
        for (i, s) in state.iter_mut().enumerate() {
            *s = &*s + p.ark[round * t + i];
        }
        let full = round < half || round >= half + p.partial_rounds;
        if full {
            for s in state.iter_mut() {
                *s = sbox_var(s)?;
            }
        } else {
            state[0] = sbox_var(&state[0])?;
        }
        let mut next = Vec::with_capacity(t);
        for row in &p.mds {
            let mut acc = FpVar::Constant(Fr::zero());
            for (a, m) in state.iter().zip(row) {
                acc += a * *m;
            }
            next.push(acc);
        }
        state = next;
    }
    Ok(state.swap_remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::{fr_from_decimal, fr_to_decimal};
    use ark_relations::gr1cs::ConstraintSystem;
    use light_poseidon::{Poseidon, PoseidonHasher};
    use proptest::prelude::*;

    fn n(x: u64) -> Fr {
        Fr::from(x)
    }

    #[test]
    fn known_answers_from_circomlibjs() {
        let cases: [(&[Fr], &str); 6] = [
            (&[n(1)], "18586133768512220936620570745912940619677854269274689475585506675881198879027"),
            (&[n(1), n(2)], "7853200120776062878684798364095072458815029376092732009249414926327459813530"),
            (
                &[n(1), n(2), n(3)],
                "6542985608222806190361240322586112750744169038454362455181422643027100751666",
            ),
            (
                &[n(1), n(2), n(3), n(4)],
                "18821383157269793795438455681495246036402687001665670618754263018637548127333",
            ),
            (&[n(0), n(0)], "14744269619966411208579211824598458697587494354926760081771325075741142829156"),
            (
                &[n(631_152_000), n(1_234_567_890_123_456_789), n(42)],
                "11636250752108471814548411737448498869935579560460454401954732201864296220518",
            ),
        ];
        for (inputs, expected) in cases {
            assert_eq!(fr_to_decimal(&poseidon_hash(inputs)), expected, "{inputs:?}");
        }
    }

    #[test]
    fn gadget_constraint_counts_are_small() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = FpVar::new_witness(cs.clone(), || Ok(n(1))).unwrap();
        let b = FpVar::new_witness(cs.clone(), || Ok(n(2))).unwrap();
        let h = poseidon_gadget(&[a, b]).unwrap();
        assert_eq!(h.value().unwrap(), poseidon_hash(&[n(1), n(2)]));
        assert!(cs.is_satisfied().unwrap());
        // 3 per S-box; the first round's capacity element is a constant, so 3 fewer.
        assert_eq!(cs.num_constraints(), 3 * (8 * 3 + 57) - 3);
    }

    fn arb_fr() -> impl Strategy<Value = Fr> {
        prop::array::uniform32(any::<u8>()).prop_map(|b| crate::field::field_from_sha256(&b))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn gadget_equals_native(inputs in prop::collection::vec(arb_fr(), 1..=4)) {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let vars: Vec<_> = inputs
                .iter()
                .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
                .collect();
            let h = poseidon_gadget(&vars).unwrap();
            let native = poseidon_hash(&inputs);
            prop_assert_eq!(h.value().unwrap(), native);
            prop_assert!(cs.is_satisfied().unwrap());
            let mut light = Poseidon::<Fr>::new_circom(inputs.len()).unwrap();
            prop_assert_eq!(light.hash(&inputs).unwrap(), native);
        }

        #[test]
        fn gadget_rejects_a_wrong_output(a in arb_fr(), b in arb_fr(), wrong in arb_fr()) {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let va = FpVar::new_witness(cs.clone(), || Ok(a)).unwrap();
            let vb = FpVar::new_witness(cs.clone(), || Ok(b)).unwrap();
            let out = FpVar::new_input(cs.clone(), || Ok(wrong)).unwrap();
            poseidon_gadget(&[va, vb]).unwrap().enforce_equal(&out).unwrap();
            prop_assert_eq!(cs.is_satisfied().unwrap(), wrong == poseidon_hash(&[a, b]));
        }
    }

    #[test]
    fn decimal_inputs_parse() {
        assert_eq!(poseidon_hash(&[fr_from_decimal("1").unwrap()]), poseidon_hash(&[n(1)]));
    }
}
