use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use motcua_domain::units::{Level, Unit, LEGACY_LAST_DAY};

use super::{render, PageError};
use crate::api::params;
use crate::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct Home<'a> {
    provinces: Vec<&'a Unit>,
}

pub async fn home(State(state): State<AppState>) -> Response {
    let today = state.today();
    render(&Home {
        provinces: state
            .registry
            .provinces(motcua_domain::units::Era::of(today)),
    })
}

struct CommuneRow<'a> {
    commune: &'a Unit,
    sources: Vec<&'a Unit>,
}

#[derive(Template)]
#[template(path = "province.html")]
struct ProvincePage<'a> {
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
        province,
        xa: count("xa"),
        phuong: count("phuong"),
        dac_khu: count("dac_khu"),
        sources_total: rows.iter().map(|r| r.sources.len()).sum(),
        rows,
    };
    Ok(render(&page))
}
