//! A credential signed by a test issuer key, an uninitialised service (every refusal comes
//! before the keys are needed) and one initialised service per test binary.

use std::path::PathBuf;
use std::sync::Arc;

use honestly_zk::eddsa::PrivateKey;
use honestly_zk::revocation::RevocationTree;
use honestly_zk::{fr_from_decimal, Fr};
use tokio::sync::OnceCell;

use crate::cpu::CpuPool;
use crate::credentials::claims::tests::sample;
use crate::credentials::{
    CalendarDate, Claims, Credential, CredentialIssuer, IssuerPublicKey, IssuerSignature,
};
use crate::zk::credential_proofs::{
    holder_commitment, prove_credential_query, CredentialProof, CredentialProofError, CredentialQuery,
};
use crate::zk::service::ZkService;

/// The test holder's secret.
pub fn secret() -> Fr {
    Fr::from(424_242u64)
}

/// The test issuer's key.
pub fn issuer_key() -> PrivateKey {
    PrivateKey::from_bytes([5; 32])
}

pub fn day(value: u32) -> CalendarDate {
    CalendarDate::from_yyyymmdd(value).unwrap()
}

/// `claims` signed by `key`.
pub fn sign(claims: Claims, key: &PrivateKey) -> Credential {
    let point = key.public_key().point();
    let signature = key.sign(claims.claims_hash());
    let r8 = signature.r8();
    Credential {
        claims,
        issuer: CredentialIssuer::new(IssuerPublicKey { x: point.x(), y: point.y() }, None, None).unwrap(),
        signature: IssuerSignature {
            r8x: r8.x(),
            r8y: r8.y(),
            s: fr_from_decimal(&signature.s().to_string()).unwrap(),
        },
    }
}

/// The sample claims (born 1945-05-09, German, document until 2031-06-30, credential
/// 2026-12-02 to 2027-12-02) for the test holder, changed by `change`, signed.
pub fn credential(change: impl FnOnce(&mut Claims)) -> Credential {
    let mut claims = sample();
    claims.holder = holder_commitment(secret());
    change(&mut claims);
    sign(claims, &issuer_key())
}

/// A tree with other credentials revoked.
pub fn tree() -> RevocationTree {
    RevocationTree::from_ids([3u128, 1 << 90]).unwrap()
}

/// A service whose keys are not loaded: proving stops at `KeysLoading`, after every check.
pub fn unloaded() -> ZkService {
    let dir = PathBuf::from("/nonexistent/honestly-test-keys");
    ZkService::new(dir.clone(), dir, CpuPool::for_this_machine())
}

/// A service with generated keys (made once per test binary).
pub async fn loaded() -> &'static Arc<ZkService> {
    static SERVICE: OnceCell<Arc<ZkService>> = OnceCell::const_new();
    SERVICE
        .get_or_init(|| async {
            let dir = tempfile::tempdir().unwrap().keep();
            let zk = ZkService::new(dir.join("keys"), dir.join("external"), CpuPool::for_this_machine());
            zk.initialise().await.unwrap();
            Arc::new(zk)
        })
        .await
}

/// Proves `query` about `credential` on `date` with scope 7 and nonce 8.
pub async fn prove_on(
    zk: &ZkService,
    credential: &Credential,
    query: &CredentialQuery,
    date: u32,
) -> Result<CredentialProof, CredentialProofError> {
    prove_credential_query(
        zk,
        credential,
        secret(),
        &tree(),
        query,
        Fr::from(7u64),
        Fr::from(8u64),
        day(date),
    )
    .await
}

/// The query `{json}`.
pub fn query(json: &str) -> CredentialQuery {
    serde_json::from_str(json).unwrap()
}
