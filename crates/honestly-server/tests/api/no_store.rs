//! Every answer that carries a secret (tokens, an agent's secret, a link's token, a signed
//! content URL) or private content is `Cache-Control: no-store`.

use serde_json::{json, Value};

use crate::agent_support::{ai_app, Agent};
use crate::helpers::PASSWORD;
use crate::share::{create_link, owner_with_proof, path_of};

/// What a route answered: its status and `Cache-Control`.
struct Seen {
    route: &'static str,
    status: u16,
    cache_control: Option<String>,
}

fn seen(route: &'static str, response: &reqwest::Response) -> Seen {
    let cache_control = response.headers().get("cache-control").map(|v| v.to_str().unwrap().to_string());
    Seen { route, status: response.status().as_u16(), cache_control }
}

#[tokio::test]
async fn every_answer_carrying_a_secret_says_no_store() {
    let app = ai_app(&[]).await;
    let owner = owner_with_proof(&app).await;
    let mut answers = Vec::new();

    let login = app.post_json("/auth/login", &json!({"username": "owner", "password": PASSWORD})).await;
    answers.push(seen("POST /auth/login", &login));
    let login: Value = login.json().await.unwrap();
    let refreshed = app.post_json("/auth/refresh", &json!({"refresh_token": login["refresh_token"]})).await;
    answers.push(seen("POST /auth/refresh", &refreshed));

    let agent = app.client.post(app.url("/ai/agents")).bearer_auth(&owner.token).json(&json!({}));
    let agent = agent.send().await.unwrap();
    answers.push(seen("POST /ai/agents", &agent));
    let agent: Value = agent.json().await.unwrap();
    let delegated = Agent {
        id: agent["data"]["agent_id"].as_str().unwrap().into(),
        secret: agent["data"]["secret"].as_str().unwrap().into(),
    };

    let link = json!({"document_id": owner.document_id, "access_level": "full"});
    let posted = app.client.post(app.url("/vault/share-links")).bearer_auth(&owner.token).json(&link);
    answers.push(seen("POST /vault/share-links", &posted.send().await.unwrap()));
    let signed = delegated.envelope("create_share_link", link);
    let by_agent = delegated.post(&app, "/ai/create-share-link", &signed).await;
    answers.push(seen("POST /ai/create-share-link", &by_agent));

    let full = create_link(&app, &owner, json!({"access_level": "full"})).await;
    let view = app.get(&path_of(&full)).await;
    answers.push(seen("GET /vault/share/{token} (JSON view)", &view));
    let view: Value = view.json().await.unwrap();
    let content_url = view["content_url"].as_str().unwrap();
    let content = app.get(&content_url[content_url.find("/vault/").unwrap()..]).await;
    answers.push(seen("GET /vault/share/{token}/content", &content));
    let bundle = app.get(&format!("{}/bundle", path_of(&full))).await;
    answers.push(seen("GET /vault/share/{token}/bundle", &bundle));
    let qr = app.get(&format!("/vault/qr/{}", full["token"].as_str().unwrap())).await;
    answers.push(seen("GET /vault/qr/{token}", &qr));
    let document = format!("/vault/documents/{}/content", owner.document_id);
    answers.push(seen("GET /vault/documents/{id}/content", &app.get_bearer(&document, &owner.token).await));
    answers.push(seen("GET /vault/export", &app.get_bearer("/vault/export", &owner.token).await));

    for answer in &answers {
        assert!((200..300).contains(&answer.status), "{}: {}", answer.route, answer.status);
        assert_eq!(answer.cache_control.as_deref(), Some("no-store"), "{}", answer.route);
    }
}
