//! Access tokens that must be refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use honestly_core::auth::jwt::{encode, AccessClaims};

use crate::helpers::{assert_error, TestApp, STRONG};

fn claims_of(token: &str) -> AccessClaims {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn forged_expired_and_misused_tokens_are_all_401() {
    let app = TestApp::spawn_env(&[("JWT_SECRET", STRONG)]).await;
    let login = app.register_and_login("mallory").await;
    let access = login["access_token"].as_str().unwrap();
    let valid = claims_of(access);
    assert_eq!(app.get_bearer("/auth/me", access).await.status(), 200);
    // Re-signing the same claims with the right key is accepted: the forgeries below differ
    // from it in exactly one respect each.
    assert_eq!(app.get_bearer("/auth/me", &encode(&valid, STRONG.as_bytes())).await.status(), 200);

    let mut expired = valid.clone();
    expired.iat -= 7200;
    expired.exp = expired.iat + 60;
    let mut wrong_typ = valid.clone();
    wrong_typ.typ = "refresh".into();
    let mut wrong_aud = valid.clone();
    wrong_aud.aud = "somebody-else".into();
    let mut escalated = valid.clone();
    escalated.role = honestly_core::auth::Role::Admin;

    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&valid).unwrap());
    let alg_none = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#));
    let mut tampered = encode(&escalated, STRONG.as_bytes());
    // Keep the genuine signature over a changed payload.
    let genuine_sig = access.rsplit('.').next().unwrap();
    tampered = format!("{}.{genuine_sig}", tampered.rsplit_once('.').unwrap().0);

    let cases = [
        ("expired", encode(&expired, STRONG.as_bytes())),
        ("wrong secret", encode(&valid, b"another-secret-entirely-0123456789abcdef")),
        ("wrong typ", encode(&wrong_typ, STRONG.as_bytes())),
        ("wrong audience", encode(&wrong_aud, STRONG.as_bytes())),
        ("alg none", alg_none),
        ("tampered payload", tampered),
        ("refresh token as access token", login["refresh_token"].as_str().unwrap().to_string()),
        ("garbage", "not.a.jwt".to_string()),
    ];
    for (name, token) in cases {
        let r = app.get_bearer("/auth/me", &token).await;
        assert_eq!(r.status(), 401, "{name} was accepted");
        assert_error(r, 401, "UNAUTHORIZED").await;
    }
    let no_header = app.get("/auth/me").await;
    assert_error(no_header, 401, "UNAUTHORIZED").await;
}
