//! Đơn vị hành chính — the registry of provinces and communes, under
//! `/don-vi-hanh-chinh` (the root `/` is the citizen's portal).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::units::{Level, Unit, LEGACY_LAST_DAY};

use super::ui::{Ctx, Lang};
use super::{render, PageError};
use crate::api::params;
use crate::auth::session::MaybeSession;
use crate::AppState;

/// The registry's own path.
pub const REGISTRY: &str = "/don-vi-hanh-chinh";

#[derive(Template)]
#[template(path = "units.html")]
struct Provinces<'a> {
    c: Ctx,
    provinces: Vec<&'a Unit>,
}

/// `/don-vi-hanh-chinh`: the provinces.
pub async fn provinces(State(state): State<AppState>, l: Lang, session: MaybeSession) -> Response {
    let today = state.today();
    render(&Provinces {
        c: Ctx::new(l, REGISTRY, session),
        provinces: state
            .registry
            .provinces(motcua_domain::units::Era::of(today)),
    })
}

/// `/tinh/{code}`, the registry's former address: moved permanently.
pub async fn old_province_page(Path(code): Path<String>) -> Response {
    let code: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect();
    Redirect::permanent(&format!("{REGISTRY}/{code}")).into_response()
}

struct CommuneRow<'a> {
    commune: &'a Unit,
    sources: Vec<&'a Unit>,
}

#[derive(Template)]
#[template(path = "province.html")]
struct ProvincePage<'a> {
    c: Ctx,
    province: &'a Unit,
    rows: Vec<CommuneRow<'a>>,
    xa: usize,
    phuong: usize,
    dac_khu: usize,
    sources_total: usize,
}

/// A province's communes and, for each, the legacy units it was formed from.
pub async fn province_page(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let code = params::unit_code_at(&code, Level::Province)?;
    let today = state.today();
    let registry = &state.registry;
    let province = registry.unit_at(&code, today).ok_or_else(|| {
        crate::error::ApiError::not_found(
            "unit_not_found",
            format!("Không có tỉnh mã {code}."),
            format!("No province with code {code}."),
        )
    })?;
    let communes = registry.communes_of_province(&code, today);
    let rows: Vec<CommuneRow<'_>> = communes
        .into_iter()
        .map(|c| CommuneRow {
            commune: c,
            sources: registry
                .sources_of(&c.code)
                .into_iter()
                .map(|(_, u)| u)
                .filter(|u| u.valid_on(LEGACY_LAST_DAY))
                .collect(),
        })
        .collect();
    let count = |t: &str| {
        rows.iter()
            .filter(|r| r.commune.unit_type.as_str() == t)
            .count()
    };
    let page = ProvincePage {
        c: Ctx::new(l, &format!("{REGISTRY}/{}", province.code), session),
        province,
        xa: count("xa"),
        phuong: count("phuong"),
        dac_khu: count("dac_khu"),
        sources_total: rows.iter().map(|r| r.sources.len()).sum(),
        rows,
    };
    Ok(render(&page))
}
