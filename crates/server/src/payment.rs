//! Thanh toán — a pluggable payment interface. A provider takes the
//! applicant's payment of the amount a dossier awaits (status 6) and
//! answers with a receipt; the portal then records it as
//! `Action::ConfirmPayment` by the `system` actor, with the amount
//! requested (the domain refuses any other amount). The built-in
//! [`SimulatedProvider`] approves every payment at once, for the demo.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_domain::dossier::DossierCode;

/// What is paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentOrder {
    pub dossier: DossierCode,
    pub amount_vnd: u64,
    pub description: String,
    /// Retry-safe: the same key gives the same receipt.
    pub idempotency_key: String,
}

/// The provider's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReceipt {
    /// The provider's reference, recorded as the receipt number.
    pub receipt: String,
    pub paid_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("the payment was declined: {0}")]
    Declined(String),
    #[error("the payment provider is unavailable")]
    Unavailable,
}

/// A payment gateway (the national portal's payment platform, a bank…).
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// A short name shown to the payer.
    fn name(&self) -> &'static str;
    async fn pay(
        &self,
        order: &PaymentOrder,
        now: DateTime<Utc>,
    ) -> Result<PaymentReceipt, PaymentError>;
}

/// Thanh toán mô phỏng — approves every order; the receipt is derived from
/// the idempotency key, so a retried payment has the same receipt.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimulatedProvider;

#[async_trait]
impl PaymentProvider for SimulatedProvider {
    fn name(&self) -> &'static str {
        "Thanh toán mô phỏng / Simulated payment"
    }

    async fn pay(
        &self,
        order: &PaymentOrder,
        now: DateTime<Utc>,
    ) -> Result<PaymentReceipt, PaymentError> {
        use sha2::Digest;
        if order.amount_vnd == 0 {
            return Err(PaymentError::Declined("nothing to pay".into()));
        }
        let digest = sha2::Sha256::digest(
            format!(
                "{}|{}|{}",
                order.dossier, order.amount_vnd, order.idempotency_key
            )
            .as_bytes(),
        );
        Ok(PaymentReceipt {
            receipt: format!("MP-{}", hex::encode(&digest[..6]).to_uppercase()),
            paid_at: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_simulated_provider_is_retry_safe() {
        let order = PaymentOrder {
            dossier: DossierCode::parse("H15.50.05.13-261008-0975").expect("a code"),
            amount_vnd: 8000,
            description: "Lệ phí".into(),
            idempotency_key: "k1".into(),
        };
        let now = Utc::now();
        let a = SimulatedProvider.pay(&order, now).await.expect("paid");
        let b = SimulatedProvider.pay(&order, now).await.expect("paid");
        assert_eq!(a.receipt, b.receipt);
        let free = PaymentOrder {
            amount_vnd: 0,
            ..order
        };
        assert!(SimulatedProvider.pay(&free, now).await.is_err());
    }
}
