//! A driver that takes a dossier through its procedure's workflow over the
//! API, acting at each step as the role the step names.

use serde_json::{json, Value};

use super::TestApp;

pub const CATALOGUE: &str = include_str!("../../../../data/procedures/catalogue_caobang.json");
pub const UNIT: &str = "04.01279";

impl TestApp {
    /// Loads the demo catalogue straight into the store (the HTTP import
    /// needs a province administrator; see `import_catalogue_over_http`).
    pub async fn import_catalogue(&self) {
        let catalogue =
            motcua_domain::procedure::Catalogue::from_json(CATALOGUE).expect("catalogue");
        self.store()
            .put_procedures(catalogue.procedures())
            .await
            .expect("import");
    }

    /// The HTTP import, as an unrestricted (development-mode) caller.
    #[allow(dead_code)] // used by tests/api.rs
    pub async fn import_catalogue_over_http(&self) -> u16 {
        let res = self
            .client
            .post(self.url("/api/v1/procedures/import"))
            .header("content-type", "application/json")
            .body(CATALOGUE)
            .send()
            .await
            .expect("request");
        res.status().as_u16()
    }

    /// POST as an actor; returns status and body.
    pub async fn post_as(
        &self,
        path: &str,
        actor: (&str, &str, Option<&str>),
        headers: &[(&str, String)],
        body: &Value,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .post(self.url(path))
            .header("x-actor-role", actor.0)
            .header("x-actor-user", actor.1)
            .json(body);
        if let Some(unit) = actor.2 {
            req = req.header("x-actor-unit", unit);
        }
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn submit_online(&self, procedure: &str, key: Option<&str>) -> (u16, Value) {
        let headers: Vec<(&str, String)> = key
            .map(|k| ("idempotency-key", k.to_string()))
            .into_iter()
            .collect();
        self.post_as(
            "/api/v1/dossiers",
            ("applicant", "citizen.001", None),
            &headers,
            &json!({
                "procedure": procedure,
                "intake": "online",
                "receiving_unit": UNIT,
                "applicant": {"name": "Nông Thị Minh Trang", "personal_id": "004190000123", "user": "citizen.001"},
                "documents": [{"name_vi": "Tờ khai", "form": "original", "count": 1}]
            }),
        )
        .await
    }

    pub async fn act(
        &self,
        code: &str,
        actor: (&str, &str, Option<&str>),
        action: Value,
    ) -> (u16, Value) {
        self.post_as(
            &format!("/api/v1/dossiers/{code}/actions"),
            actor,
            &[],
            &action,
        )
        .await
    }

    /// The next action of the workflow and who performs it.
    pub async fn next_step(&self, code: &str) -> Option<(String, String, Option<String>, Value)> {
        let (_, view) = self.get_json(&format!("/api/v1/dossiers/{code}")).await;
        let d = &view["dossier"];
        let status = view["status_code"].as_u64()?;
        let step = d["step"].as_u64()? as usize;
        let steps = d["procedure"]["workflow"].as_array()?;
        let current = &steps[step];
        let role = current["role"].as_str()?.to_string();
        let unit = match current["agency"].as_str() {
            Some("receiving_center") => d["receiving_unit"].as_str().map(str::to_string),
            Some("competent") => d["competent_unit"].as_str().map(str::to_string),
            _ => None,
        };
        let user = format!("{role}.01279");
        let action = match (status, current["kind"].as_str()?) {
            (1, _) => json!({"action": "accept", "pages_digitized": 2}),
            (9, _) => json!({"action": "return_result", "way": "counter"}),
            (10, _) => return None,
            (_, "transfer") | (_, "external") => {
                let next = &steps[step + 1];
                json!({"action": "transfer", "to": next["agency"]})
            }
            (_, "assign") => json!({"action": "assign", "assignee": "specialist.01279"}),
            (_, "appraise") => json!({"action": "appraise", "outcome": "eligible"}),
            (_, "review") => json!({"action": "review_ok"}),
            (_, "approve") => json!({"action": "approve"}),
            (_, "clerical") => {
                json!({"action": "issue_result", "number": "12/2026", "register": "Sổ hộ tịch"})
            }
            (s, k) => panic!("no driver for status {s} step {k}"),
        };
        let user = if current["kind"] == "appraise" {
            d["assignee"].as_str().map(str::to_string).unwrap_or(user)
        } else {
            user
        };
        Some((role, user, unit, action))
    }

    /// Runs the workflow to the returned result; returns the actions taken.
    #[allow(dead_code)] // used by tests/api.rs
    pub async fn drive_to_return(&self, code: &str) -> Vec<String> {
        let mut taken = Vec::new();
        for _ in 0..30 {
            let Some((role, user, unit, action)) = self.next_step(code).await else {
                return taken;
            };
            let (status, body) = self
                .act(code, (&role, &user, unit.as_deref()), action.clone())
                .await;
            assert_eq!(status, 200, "{action} as {role}: {body}");
            taken.push(action["action"].as_str().unwrap_or_default().to_string());
        }
        panic!("the workflow did not end: {taken:?}");
    }
}
