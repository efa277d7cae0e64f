//! The issuers hosted here as the verifier sees them: keys by id (for `trusted_issuers` given
//! as ids) and each issuer's current signed revocation state (for credential proofs checked
//! without a state of their own).

use async_trait::async_trait;
use honestly_zk::revocation::SignedState;
use honestly_zk::Fr;

use super::model::IssuerRecord;
use super::service::IssuanceService;
use crate::credentials::IssuerPublicKey;
use crate::ids::IssuerId;
use crate::zk::IssuerDirectory;

impl IssuanceService {
    /// The issuer hosted here with this public key.
    pub async fn issuer_with_key(&self, key: (Fr, Fr)) -> Option<IssuerRecord> {
        self.store.issuer_by_key(&IssuerPublicKey { x: key.0, y: key.1 }).await.ok()?
    }
}

#[async_trait]
impl IssuerDirectory for IssuanceService {
    async fn issuer_key(&self, id: &str) -> Option<(Fr, Fr)> {
        let id = IssuerId::parse(id).ok()?;
        let issuer = self.store.issuer(&id).await.ok()??;
        Some((issuer.public_key.x, issuer.public_key.y))
    }

    async fn current_revocation_state(&self, key: (Fr, Fr)) -> Option<SignedState> {
        let issuer = self.issuer_with_key(key).await?;
        let current = self.revocations(&issuer).await.ok()?;
        Some(current.state.clone())
    }
}
