//! Secrets: random tokens, their hashes, and password hashing with
//! argon2id (OWASP parameters: 19 MiB, 2 passes) on the blocking pool.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

/// Random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b)?;
    Ok(b)
}

/// A fresh 256-bit token as lowercase hex (64 characters).
pub fn random_token() -> Result<String, getrandom::Error> {
    Ok(hex::encode(random_bytes::<32>()?))
}

/// A uniformly random code of 6 decimal digits.
pub fn random_code() -> Result<String, getrandom::Error> {
    const LIMIT: u32 = u32::MAX - u32::MAX % 1_000_000;
    loop {
        let n = u32::from_le_bytes(random_bytes::<4>()?);
        if n < LIMIT {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Whether `s` looks like a token we issue (64 lowercase hex digits):
/// anything else is refused without touching the database.
pub fn is_token(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("no randomness: {0}")]
    Random(#[from] getrandom::Error),
    #[error("the blocking pool failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| HashError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

fn verify_now(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The argon2id PHC string of `password`, computed off the async runtime.
pub async fn hash_password(password: &str) -> Result<String, HashError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_now(&password)).await?
}

/// Whether `password` matches the PHC string `phc` (false for a malformed
/// one), off the async runtime.
pub async fn verify_password(password: &str, phc: &str) -> Result<bool, HashError> {
    let (password, phc) = (password.to_string(), phc.to_string());
    Ok(tokio::task::spawn_blocking(move || verify_now(&password, &phc)).await?)
}

/// Verifies against a fixed hash, so that a login for a username that does
/// not exist takes as long as one with a wrong password.
pub async fn verify_dummy(password: &str) -> Result<(), HashError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = match DUMMY.get() {
        Some(p) => p.clone(),
        None => {
            let p = hash_password("motcua: no such account").await?;
            DUMMY.get_or_init(|| p).clone()
        }
    };
    verify_password(password, &phc).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_hash_and_verify() {
        let h = hash_password("một mật khẩu dài").await.expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("một mật khẩu dài", &h)
            .await
            .expect("verify"));
        assert!(!verify_password("another password", &h)
            .await
            .expect("verify"));
        assert!(!verify_password("x", "not a hash").await.expect("verify"));
        let again = hash_password("một mật khẩu dài").await.expect("hash");
        assert_ne!(h, again, "salted");
    }

    #[test]
    fn tokens_and_codes() {
        let t = random_token().expect("token");
        assert!(is_token(&t));
        assert_ne!(t, random_token().expect("token"));
        assert!(!is_token(&t.to_uppercase()));
        assert!(!is_token("abc"));
        for _ in 0..100 {
            let c = random_code().expect("code");
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
