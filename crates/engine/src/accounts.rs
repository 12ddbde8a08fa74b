//! Tài khoản cán bộ — the administration of officials' accounts: who may
//! create, grant, revoke, deactivate and read ([`Principal::may_grant`],
//! [`Principal::check_account_change`], [`Principal::may_view_account`]),
//! then the store's change with its account event. Passwords arrive
//! hashed: hashing and re-authentication belong to the server.

use chrono::{DateTime, Utc};
use motcua_domain::access::{Assignment, ManageRefusal, Principal, Username};
use motcua_store::{AccountEvent, NewOfficial, Official, StoreError};

use crate::Engine;

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("no official {0}")]
    NotFound(Username),
    #[error("the username {0} is taken")]
    Exists(Username),
    #[error(transparent)]
    Refused(#[from] ManageRefusal),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        AccountError::Store(e)
    }
}

fn found(username: &Username) -> impl Fn(StoreError) -> AccountError + '_ {
    move |e| match e {
        StoreError::NotFound(_) => AccountError::NotFound(username.clone()),
        e => AccountError::Store(e),
    }
}

/// Every role must be one `admin` may grant.
fn grantable(admin: &Principal, roles: &[Assignment]) -> Result<(), ManageRefusal> {
    if roles.iter().all(|a| admin.may_grant(a)) {
        Ok(())
    } else {
        Err(ManageRefusal::OutOfReach)
    }
}

impl Engine {
    /// The accounts an administrator reads: those holding a role within
    /// their reach, by username.
    pub async fn managed_officials(
        &self,
        admin: &Principal,
    ) -> Result<Vec<Official>, AccountError> {
        if !admin.is_administrator() {
            return Err(ManageRefusal::OutOfReach.into());
        }
        let listed = self.store.officials_in_scope(&admin.admin_scope()).await?;
        Ok(listed
            .into_iter()
            .filter(|o| admin.may_view_account(&o.assignments))
            .collect())
    }

    /// One account and its events, for an administrator who reads it.
    pub async fn official_account(
        &self,
        admin: &Principal,
        username: &Username,
    ) -> Result<(Official, Vec<AccountEvent>), AccountError> {
        let official = self
            .store
            .official(username)
            .await?
            .ok_or_else(|| AccountError::NotFound(username.clone()))?
            .official;
        if !admin.may_view_account(&official.assignments) {
            return Err(ManageRefusal::OutOfReach.into());
        }
        let events = self.store.account_events(username).await?;
        Ok((official, events))
    }

    /// Creates an official with roles `admin` may grant.
    pub async fn create_official(
        &self,
        admin: &Principal,
        new: &NewOfficial,
        now: DateTime<Utc>,
    ) -> Result<Official, AccountError> {
        grantable(admin, &new.assignments)?;
        match self
            .store
            .create_official_by(new, Some(admin.user()), now)
            .await
        {
            Ok(o) => Ok(o),
            Err(StoreError::Conflict(_)) => Err(AccountError::Exists(new.username.clone())),
            Err(e) => Err(e.into()),
        }
    }

    /// Grants roles `admin` may grant.
    pub async fn grant_roles(
        &self,
        admin: &Principal,
        username: &Username,
        roles: &[Assignment],
        now: DateTime<Utc>,
    ) -> Result<Official, AccountError> {
        grantable(admin, roles)?;
        self.store
            .add_assignments(username, roles, Some(admin.user()), now)
            .await
            .map_err(found(username))
    }

    /// Revokes one role (and ends the official's sessions).
    pub async fn revoke_role(
        &self,
        admin: &Principal,
        username: &Username,
        role: &Assignment,
        now: DateTime<Utc>,
    ) -> Result<Official, AccountError> {
        Ok(self
            .store
            .revoke_assignment(username, role, admin, now)
            .await
            .map_err(found(username))??)
    }

    /// Deactivates (ending the official's sessions) or reactivates an
    /// account.
    pub async fn set_official_active(
        &self,
        admin: &Principal,
        username: &Username,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<Official, AccountError> {
        Ok(self
            .store
            .set_official_active(username, active, Some(admin), now)
            .await
            .map_err(found(username))??)
    }

    /// Records an official's new password (hashed), ending their sessions
    /// but `keep`.
    pub async fn change_password(
        &self,
        username: &Username,
        password_hash: &str,
        keep: Option<&[u8; 32]>,
        now: DateTime<Utc>,
    ) -> Result<(), AccountError> {
        self.store
            .set_password(username, password_hash, keep, now)
            .await
            .map_err(found(username))
    }
}
