//! Đơn vị hành chính — the unit registry over HTTP.

use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::NaiveDate;
use motcua_domain::units::{Era, Level, LineageLink, Unit, LEGACY_LAST_DAY, REFORM_DAY};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::params;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// One versioned record of an administrative unit.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnitDto {
    /// National statistics code (2, 3 or 5 digits; reused across eras).
    pub code: String,
    /// Full name, e.g. "Phường Nùng Trí Cao".
    pub name: String,
    pub short_name: String,
    /// `tinh`, `thanh_pho_truc_thuoc_trung_uong`, `huyen`, `quan`, `thi_xa`,
    /// `thanh_pho_thuoc_tinh`, `xa`, `phuong`, `thi_tran`, `dac_khu`, ...
    #[serde(rename = "type")]
    pub unit_type: String,
    /// Vietnamese label of the type, e.g. "Phường".
    pub type_label: String,
    /// `province`, `district` or `commune`.
    pub level: String,
    /// `legacy` (until 2025-06-30) or `two_level` (from 2025-07-01).
    pub era: String,
    pub parent_code: Option<String>,
    pub province_code: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl From<&Unit> for UnitDto {
    fn from(u: &Unit) -> Self {
        UnitDto {
            code: u.code.to_string(),
            name: u.name.clone(),
            short_name: u.short_name.clone(),
            unit_type: u.unit_type.as_str().to_string(),
            type_label: u.unit_type.label_vi().to_string(),
            level: u.level().as_str().to_string(),
            era: u.era().as_str().to_string(),
            parent_code: u.parent_code.as_ref().map(|c| c.to_string()),
            province_code: u.province_code.to_string(),
            valid_from: u.valid_from,
            valid_to: u.valid_to,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtQuery {
    /// The date the answer is for (YYYY-MM-DD); today in Vietnam by default.
    at: Option<String>,
}

fn unit_not_found(code: &str, at: NaiveDate) -> ApiError {
    ApiError::not_found(
        "unit_not_found",
        format!("Không có đơn vị mã {code} vào ngày {at}."),
        format!("No unit with code {code} on {at}."),
    )
}

/// The unit with a code, as it was on a date (codes are reused across eras).
#[utoipa::path(get, path = "/api/v1/units/{code}", tag = "units",
    params(("code" = String, Path, description = "2, 3 or 5 digit code"), AtQuery),
    responses((status = 200, body = UnitDto), (status = 400, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)))]
pub async fn get_unit(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<AtQuery>,
) -> ApiResult<Json<UnitDto>> {
    let code = params::unit_code(&code)?;
    let at = params::date(q.at.as_deref(), state.today())?;
    let unit = state
        .store
        .unit_at(&code, at)
        .await?
        .ok_or_else(|| unit_not_found(code.as_str(), at))?;
    Ok(Json(UnitDto::from(&unit)))
}

/// Every record held under a code, oldest first.
#[utoipa::path(get, path = "/api/v1/units/{code}/history", tag = "units",
    params(("code" = String, Path, description = "2, 3 or 5 digit code")),
    responses((status = 200, body = Vec<UnitDto>), (status = 400, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)))]
pub async fn unit_history(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<UnitDto>>> {
    let code = params::unit_code(&code)?;
    let history = state.store.unit_history(&code).await?;
    if history.is_empty() {
        return Err(ApiError::not_found(
            "unit_not_found",
            format!("Không có đơn vị mã {code}."),
            format!("No unit with code {code}."),
        ));
    }
    Ok(Json(history.iter().map(UnitDto::from).collect()))
}

/// The provinces valid on a date.
#[utoipa::path(get, path = "/api/v1/provinces", tag = "units", params(AtQuery),
    responses((status = 200, body = Vec<UnitDto>), (status = 400, body = crate::error::Problem)))]
pub async fn list_provinces(
    State(state): State<AppState>,
    Query(q): Query<AtQuery>,
) -> ApiResult<Json<Vec<UnitDto>>> {
    let at = params::date(q.at.as_deref(), state.today())?;
    Ok(Json(
        state
            .registry
            .provinces(motcua_domain::units::Era::of(at))
            .into_iter()
            .map(UnitDto::from)
            .collect(),
    ))
}

/// The communes (xã, phường, đặc khu; thị trấn before the reform) of a province on a date.
#[utoipa::path(get, path = "/api/v1/provinces/{code}/communes", tag = "units",
    params(("code" = String, Path, description = "2-digit province code"), AtQuery),
    responses((status = 200, body = Vec<UnitDto>), (status = 400, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)))]
pub async fn province_communes(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<AtQuery>,
) -> ApiResult<Json<Vec<UnitDto>>> {
    let code = params::unit_code_at(&code, Level::Province)?;
    let at = params::date(q.at.as_deref(), state.today())?;
    if state.store.unit_at(&code, at).await?.is_none() {
        return Err(unit_not_found(code.as_str(), at));
    }
    let communes = state.store.communes_of_province(&code, at).await?;
    Ok(Json(communes.iter().map(UnitDto::from).collect()))
}

/// One link of a unit's lineage, with the unit at the other end.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LineageEntry {
    pub unit: UnitDto,
    /// The legacy commune was divided among several new communes.
    pub split: bool,
    /// The default successor of a split commune.
    pub primary: bool,
}

/// A unit and where it came from (a new commune) or went (a legacy commune).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LineageDto {
    pub unit: UnitDto,
    /// `sources` for a two-level commune, `successors` for a legacy commune.
    pub direction: String,
    pub links: Vec<LineageEntry>,
}

/// Lineage of a commune: for a new commune the legacy units it was formed
/// from; for a legacy commune (ask with `at` ≤ 2025-06-30) its successors,
/// the primary one first.
#[utoipa::path(get, path = "/api/v1/units/{code}/lineage", tag = "units",
    params(("code" = String, Path, description = "5-digit commune code"), AtQuery),
    responses((status = 200, body = LineageDto), (status = 400, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)))]
pub async fn lineage(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<AtQuery>,
) -> ApiResult<Json<LineageDto>> {
    let code = params::unit_code_at(&code, Level::Commune)?;
    let at = params::date(q.at.as_deref(), state.today())?;
    let unit = state
        .store
        .unit_at(&code, at)
        .await?
        .ok_or_else(|| unit_not_found(code.as_str(), at))?;
    let registry = &state.registry;
    let (direction, links) = match Era::of(at) {
        Era::TwoLevel => ("sources", state.store.sources_of(&code).await?),
        Era::Legacy => ("successors", state.store.successors_of(&code).await?),
    };
    let entries = links
        .iter()
        .filter_map(|l| {
            let other = if direction == "sources" {
                let legacy = l
                    .legacy_commune_code
                    .as_ref()
                    .unwrap_or(&l.legacy_district_code);
                registry.unit_at(legacy, LEGACY_LAST_DAY)
            } else {
                registry.unit_at(&l.new_commune_code, REFORM_DAY)
            };
            other.map(|u| entry(l, u))
        })
        .collect();
    Ok(Json(LineageDto {
        unit: UnitDto::from(&unit),
        direction: direction.to_string(),
        links: entries,
    }))
}

fn entry(link: &LineageLink, unit: &Unit) -> LineageEntry {
    LineageEntry {
        unit: UnitDto::from(unit),
        split: link.split,
        primary: link.primary,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConvertQuery {
    /// Legacy commune: code (5 digits) or name, with or without diacritics or "Xã/Phường/Thị trấn".
    commune: Option<String>,
    /// Legacy district (huyện/quận/thị xã): code or name. Optional; narrows the search.
    district: Option<String>,
    /// Legacy (or new) province: code or name. Optional; narrows the search.
    province: Option<String>,
}

/// A new commune that (part of) a legacy commune went into.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SuccessorDto {
    pub commune: UnitDto,
    pub province: UnitDto,
    pub primary: bool,
}

/// A legacy address converted to the two-level system.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversionDto {
    /// The legacy commune (or island district) the address named.
    pub legacy: UnitDto,
    pub legacy_district: UnitDto,
    pub legacy_province: UnitDto,
    /// The new commune: the primary successor when the legacy commune was split.
    pub new_commune: UnitDto,
    pub new_province: UnitDto,
    /// The legacy commune was divided: `successors` lists every candidate,
    /// the primary first; the right one depends on where in the old commune
    /// the address lies.
    pub split: bool,
    pub successors: Vec<SuccessorDto>,
}

/// Maps a conversion error to its HTTP status and bilingual problem.
pub fn convert_error(e: &motcua_domain::units::ConvertError) -> ApiError {
    use axum::http::StatusCode;
    use motcua_domain::units::ConvertError as E;
    let status = match e {
        E::MissingCommune | E::InvalidCode { .. } => StatusCode::BAD_REQUEST,
        E::CodeNotFound { .. } | E::NotFound { .. } => StatusCode::NOT_FOUND,
        E::Ambiguous { .. }
        | E::DistrictMismatch { .. }
        | E::ProvinceMismatch { .. }
        | E::NoSuccessor { .. }
        | E::IncompleteData { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::new(status, e.code(), e.message_vi(), e.to_string())
        .with_extra(serde_json::json!({ "candidates": e.candidates() }))
}

/// Convert a legacy (three-level) address to the new commune and province.
#[utoipa::path(get, path = "/api/v1/convert", tag = "units", params(ConvertQuery),
    responses((status = 200, body = ConversionDto),
              (status = 400, description = "missing_commune, invalid_code", body = crate::error::Problem),
              (status = 404, description = "code_not_found, unit_not_found (with the nearest names)", body = crate::error::Problem),
              (status = 422, description = "ambiguous_name, district_mismatch, province_mismatch (with candidates)", body = crate::error::Problem)))]
pub async fn convert(
    State(state): State<AppState>,
    Query(q): Query<ConvertQuery>,
) -> ApiResult<Json<ConversionDto>> {
    let conversion = state
        .registry
        .convert_parts(
            q.commune.as_deref().unwrap_or(""),
            q.district.as_deref().filter(|s| !s.trim().is_empty()),
            q.province.as_deref().filter(|s| !s.trim().is_empty()),
        )
        .map_err(|e| convert_error(&e))?;
    let primary = conversion.primary();
    Ok(Json(ConversionDto {
        legacy: UnitDto::from(conversion.legacy_unit()),
        legacy_district: UnitDto::from(conversion.legacy_district),
        legacy_province: UnitDto::from(conversion.legacy_province),
        new_commune: UnitDto::from(primary.commune),
        new_province: UnitDto::from(conversion.new_province),
        split: conversion.split,
        successors: conversion
            .successors()
            .map(|s| SuccessorDto {
                commune: UnitDto::from(s.commune),
                province: UnitDto::from(s.province),
                primary: s.is_primary(),
            })
            .collect(),
    }))
}
