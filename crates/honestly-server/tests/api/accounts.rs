//! Account management: roles and the disabled state are read from the store on every request,
//! so a change ends the account's powers and sessions at once; the last administrator stays.

use honestly_core::auth::{Password, Role, Username};
use serde_json::{json, Value};

use crate::helpers::{assert_error, TestApp, PASSWORD};

/// Creates an admin directly (as `honestly user create` does) and logs in: its token.
pub async fn admin_token(app: &TestApp, name: &str) -> String {
    let admin = Username::parse(name).unwrap();
    let password = Password::parse(PASSWORD, &admin).unwrap();
    app.state.auth.create_user(&admin, &password, Role::Admin).await.unwrap();
    login(app, name).await.expect("admin logs in")
}

async fn login(app: &TestApp, name: &str) -> Option<String> {
    let r = app.post_json("/auth/login", &json!({"username": name, "password": PASSWORD})).await;
    if r.status() != 200 {
        return None;
    }
    Some(r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string())
}

async fn patch(app: &TestApp, token: &str, id: &str, body: Value) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/admin/users/{id}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn me(app: &TestApp, token: &str) -> u16 {
    app.get_bearer("/auth/me", token).await.status().as_u16()
}

#[tokio::test]
async fn role_and_disabled_state_take_effect_at_once() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, "root-admin").await;
    let mallory = app.register_and_login("mallory").await;
    let id = mallory["user"]["id"].as_str().unwrap().to_string();
    let user_token = mallory["access_token"].as_str().unwrap().to_string();
    assert_error(app.get_bearer("/admin/users", &user_token).await, 403, "FORBIDDEN").await;
    assert_error(patch(&app, &user_token, &id, json!({"role": "admin"})).await, 403, "FORBIDDEN").await;

    // Promoted: the old session ends; a new login has the powers.
    let r = patch(&app, &admin, &id, json!({"role": "admin"})).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["user"]["role"], "admin");
    assert_eq!(body["user"]["disabled"], false);
    assert_error(app.get_bearer("/auth/me", &user_token).await, 401, "UNAUTHORIZED").await;
    let admin_token_of_mallory = login(&app, "mallory").await.unwrap();
    assert_eq!(app.get_bearer("/admin/users", &admin_token_of_mallory).await.status(), 200);

    // Demoted: the token that carries `role: admin` is refused at once, not at its expiry.
    assert_eq!(patch(&app, &admin, &id, json!({"role": "user"})).await.status(), 200);
    assert_error(app.get_bearer("/admin/users", &admin_token_of_mallory).await, 401, "UNAUTHORIZED").await;
    let user_token = login(&app, "mallory").await.unwrap();
    assert_error(app.get_bearer("/admin/users", &user_token).await, 403, "FORBIDDEN").await;

    // Disabled: tokens refused and no login; enabled again: login works.
    assert_eq!(patch(&app, &admin, &id, json!({"disabled": true})).await.status(), 200);
    assert_eq!(me(&app, &user_token).await, 401);
    assert!(login(&app, "mallory").await.is_none());
    let listed: Value = app.get_bearer("/admin/users", &admin).await.json().await.unwrap();
    let row = listed["users"].as_array().unwrap().iter().find(|u| u["id"] == id.as_str()).unwrap().clone();
    assert_eq!(row["disabled"], true);
    assert_eq!(patch(&app, &admin, &id, json!({"disabled": false})).await.status(), 200);
    let back = login(&app, "mallory").await.unwrap();
    assert_eq!(me(&app, &back).await, 200);

    // Bad input changes nothing.
    assert_error(patch(&app, &admin, &id, json!({"role": "emperor"})).await, 400, "VALIDATION_FAILED").await;
    assert_error(patch(&app, &admin, &id, json!({})).await, 400, "VALIDATION_FAILED").await;
    assert_error(
        patch(&app, &admin, &id, json!({"role": "user", "extra": 1})).await,
        400,
        "VALIDATION_FAILED",
    )
    .await;
    let unknown = "usr_00000000000000000000000000000000";
    assert_error(patch(&app, &admin, unknown, json!({"disabled": true})).await, 404, "NOT_FOUND").await;
    assert_error(patch(&app, &admin, "not-an-id", json!({"disabled": true})).await, 404, "NOT_FOUND").await;
    assert_eq!(me(&app, &back).await, 200, "refused changes end no session");

    // Each change is in the audit trail, naming the account by id.
    app.state.audit.flush().await.unwrap();
    let events = app.state.store.audit_events_after(0, 10_000).await.unwrap();
    for action in ["user.set_role", "user.disable", "user.enable"] {
        assert!(
            events.iter().any(|e| e.action == action && e.target.as_deref() == Some(id.as_str())),
            "{action} audited"
        );
    }
}

#[tokio::test]
async fn the_last_admin_can_be_neither_demoted_disabled_nor_erased() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, "only-admin").await;
    let me_body: Value = app.get_bearer("/auth/me", &admin).await.json().await.unwrap();
    let id = me_body["user"]["id"].as_str().unwrap().to_string();
    for body in
        [json!({"role": "user"}), json!({"disabled": true}), json!({"role": "admin", "disabled": true})]
    {
        assert_error(patch(&app, &admin, &id, body).await, 409, "CONFLICT").await;
    }
    let r =
        app.client.delete(app.url(&format!("/admin/users/{id}"))).bearer_auth(&admin).send().await.unwrap();
    assert_error(r, 409, "CONFLICT").await;
    let r = app
        .client
        .delete(app.url("/auth/me"))
        .bearer_auth(&admin)
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_error(r, 409, "CONFLICT").await;
    assert_eq!(me(&app, &admin).await, 200, "nothing changed");

    // With a second admin, the first may step down.
    let second = admin_token(&app, "second-admin").await;
    assert_eq!(patch(&app, &second, &id, json!({"role": "verifier"})).await.status(), 200);
    assert_eq!(me(&app, &admin).await, 401);
}

#[tokio::test]
async fn an_admin_erases_an_account_with_everything_it_owns() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, "root-admin").await;
    let victim = app.register_and_login("departing").await;
    let token = victim["access_token"].as_str().unwrap();
    let id = victim["user"]["id"].as_str().unwrap();
    let doc: Value =
        app.upload(token, "a.txt", b"to be erased".to_vec(), "other").await.json().await.unwrap();
    let user_token = app.register_and_login("plain-user").await["access_token"].as_str().unwrap().to_string();
    let r = app
        .client
        .delete(app.url(&format!("/admin/users/{id}")))
        .bearer_auth(&user_token)
        .send()
        .await
        .unwrap();
    assert_error(r, 403, "FORBIDDEN").await;

    let r =
        app.client.delete(app.url(&format!("/admin/users/{id}"))).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(me(&app, token).await, 401);
    assert!(login(&app, "departing").await.is_none());
    let sha = doc["document"]["sha256"].as_str().unwrap();
    assert!(app.state.store.document_by_sha256(sha).await.unwrap().is_none());
    let r =
        app.client.delete(app.url(&format!("/admin/users/{id}"))).bearer_auth(&admin).send().await.unwrap();
    assert_error(r, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn the_role_in_a_token_grants_nothing_the_store_does_not_say() {
    use secrecy::ExposeSecret;

    let app = TestApp::spawn().await;
    admin_token(&app, "root-admin").await;
    let login = app.register_and_login("forger").await;
    let token = login["access_token"].as_str().unwrap();
    // A validly signed token of a live session whose `role` claim says admin (as a token
    // issued before a demotion would): the account is a user, so it is treated as one.
    let key = app.state.config.secrets.jwt_secret.expose_secret().as_bytes().to_vec();
    let now = honestly_core::clock::Timestamp::now().unix();
    let mut claims = honestly_core::auth::jwt::decode_access(token, &key, now).unwrap();
    assert_eq!(claims.role, Role::User);
    claims.role = Role::Admin;
    let claims_admin = honestly_core::auth::jwt::encode(&claims, &key);
    assert_eq!(me(&app, &claims_admin).await, 200, "the token itself is valid");
    assert_error(app.get_bearer("/admin/users", &claims_admin).await, 403, "FORBIDDEN").await;
    let circuit = json!({"name": "forged", "verification_key": {}});
    let r = app.client.post(app.url("/zkp/circuits")).bearer_auth(&claims_admin).json(&circuit).send().await;
    assert_error(r.unwrap(), 403, "FORBIDDEN").await;
}
