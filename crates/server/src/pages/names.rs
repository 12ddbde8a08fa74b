//! Tên, không phải mã — what a person reads instead of an identifier: an
//! official's full name instead of the username, a Center's name instead of
//! its unit id.

use motcua_domain::access::Username;
use motcua_domain::dossier::UserId;

use crate::AppState;

/// The official's full name ("Hoàng Văn Minh"), or the username when the
/// account is unknown (e.g. a user of an external identity provider).
pub async fn official_name(state: &AppState, user: &UserId) -> String {
    let Ok(username) = Username::parse(user.as_str()) else {
        return user.to_string();
    };
    match state.store.official(&username).await {
        Ok(Some(o)) if !o.official.display_name.trim().is_empty() => o.official.display_name,
        _ => user.to_string(),
    }
}

/// The Center's name for a unit id (`04.01279`), or the id when the
/// registry does not know it.
pub fn center(state: &AppState, unit: &str) -> String {
    center_name(state, unit).unwrap_or_else(|| unit.to_string())
}

/// "Trung tâm Phục vụ hành chính công Phường Nùng Trí Cao" for
/// `04.01279`: the commune's name from the registry, never its code.
pub fn center_name(state: &AppState, center: &str) -> Option<String> {
    let (_, commune) = center.split_once('.')?;
    let code = motcua_domain::units::UnitCode::parse(commune).ok()?;
    let unit = state.registry.unit_at(&code, state.today())?;
    Some(format!("Trung tâm Phục vụ hành chính công {}", unit.name))
}
