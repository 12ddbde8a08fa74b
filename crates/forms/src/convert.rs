//! Conversions from the domain's types (the dependency points inward:
//! forms depend on motcua-domain, never the reverse).

use motcua_domain::calendar::Timeliness;
use motcua_domain::dossier;
use motcua_domain::procedure;

use crate::{Applicant, DocumentForm, ReceivedDocument, ReturnWay, StepResult};

impl From<procedure::DocumentForm> for DocumentForm {
    fn from(f: procedure::DocumentForm) -> Self {
        match f {
            procedure::DocumentForm::Original => DocumentForm::Original,
            procedure::DocumentForm::Copy => DocumentForm::Copy,
            procedure::DocumentForm::CertifiedCopy => DocumentForm::CertifiedCopy,
            procedure::DocumentForm::OriginalOrCertifiedCopy => {
                DocumentForm::OriginalOrCertifiedCopy
            }
        }
    }
}

impl From<&dossier::ReceivedDocument> for ReceivedDocument {
    fn from(d: &dossier::ReceivedDocument) -> Self {
        ReceivedDocument {
            name: d.name_vi.clone(),
            form: d.form.into(),
            count: d.count,
        }
    }
}

impl From<dossier::ReturnWay> for ReturnWay {
    fn from(w: dossier::ReturnWay) -> Self {
        match w {
            dossier::ReturnWay::Counter => ReturnWay::Counter,
            dossier::ReturnWay::Post => ReturnWay::Post,
            dossier::ReturnWay::Online => ReturnWay::Online,
        }
    }
}

impl From<Timeliness> for StepResult {
    fn from(t: Timeliness) -> Self {
        match t {
            Timeliness::Early => StepResult::Early,
            Timeliness::OnTime => StepResult::OnTime,
            Timeliness::Late => StepResult::Late,
            Timeliness::InProgressOnTrack => StepResult::InProgress,
            Timeliness::Overdue => StepResult::Overdue,
        }
    }
}

/// Name and personal identifier; address and contacts are not part of the
/// domain's applicant and stay empty.
impl From<&dossier::Applicant> for Applicant {
    fn from(a: &dossier::Applicant) -> Self {
        Applicant {
            name: a.name.clone(),
            personal_id: a.personal_id.as_ref().map(|p| p.as_str().to_string()),
            ..Applicant::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_domain_values() {
        assert_eq!(
            DocumentForm::from(procedure::DocumentForm::CertifiedCopy),
            DocumentForm::CertifiedCopy
        );
        assert_eq!(
            StepResult::from(Timeliness::Overdue).label_vi(),
            "Đang xử lý, quá hạn"
        );
        assert_eq!(ReturnWay::from(dossier::ReturnWay::Post), ReturnWay::Post);
        let a = dossier::Applicant {
            name: "Nông Văn Dền".into(),
            personal_id: dossier::PersonalId::parse("004095001234").ok(),
            user: None,
        };
        let a = Applicant::from(&a);
        assert_eq!(a.personal_id.as_deref(), Some("004095001234"));
    }
}
