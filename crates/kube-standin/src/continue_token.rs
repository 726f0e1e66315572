//! The `continue` token of a paged list.
//!
//! Opaque to clients, as the API's ListMeta documents it. The stand-in's is
//! shaped as the API server's own (k8s.io/apiserver `pkg/storage`
//! `continue.go`): base64 (URL-safe, unpadded) of a small JSON object with
//! the API version of the token, the resource version of the list it
//! continues, and the storage key to start at. Objects are kept in key
//! order (`namespace/name`, or `name` for cluster-scoped kinds), as etcd
//! returns them, so a key fully determines where the next page starts.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// Where the next page of a list starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContinueToken {
    /// The token format, `meta.k8s.io/v1`.
    #[serde(rename = "v")]
    pub version: String,
    /// The resource version of the list the token continues.
    #[serde(rename = "rv")]
    pub resource_version: u64,
    /// The first storage key of the next page.
    pub start: String,
}

/// Why a `continue` value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContinueError {
    /// Not a token the stand-in made (400 Bad Request).
    #[error("continue key is not valid: {0}")]
    Invalid(String),
    /// A token of another resource version (410 Gone, `Expired`).
    #[error(
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."
    )]
    Expired,
}

const TOKEN_VERSION: &str = "meta.k8s.io/v1";

impl ContinueToken {
    /// The token that continues a list of `resource_version` at `start`.
    pub fn new(resource_version: u64, start: String) -> ContinueToken {
        ContinueToken { version: TOKEN_VERSION.to_string(), resource_version, start }
    }

    /// The opaque text sent to the client.
    pub fn encode(&self) -> String {
        // Serializing a struct of strings and a number cannot fail.
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a client's `continue` value back, for the list at `resource_version`.
    pub fn decode(text: &str, resource_version: u64) -> Result<ContinueToken, ContinueError> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|e| ContinueError::Invalid(e.to_string()))?;
        let token: ContinueToken = serde_json::from_slice(&bytes).map_err(|e| ContinueError::Invalid(e.to_string()))?;
        if token.version != TOKEN_VERSION {
            return Err(ContinueError::Invalid(format!("got version {:?}, expected {TOKEN_VERSION:?}", token.version)));
        }
        if token.resource_version != resource_version {
            return Err(ContinueError::Expired);
        }
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_reads_back_as_made() {
        let t = ContinueToken::new(42, "kube-system/etcd-cp-1\u{0}".to_string());
        let text = t.encode();
        assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{text}");
        assert_eq!(ContinueToken::decode(&text, 42).unwrap(), t);
    }

    #[test]
    fn a_token_of_another_list_version_is_expired() {
        let text = ContinueToken::new(41, "a".to_string()).encode();
        assert_eq!(ContinueToken::decode(&text, 42).unwrap_err(), ContinueError::Expired);
    }

    #[test]
    fn garbage_is_invalid_not_a_panic() {
        for bad in ["", "!!!", "bm90IGpzb24", &URL_SAFE_NO_PAD.encode(br#"{"v":"x","rv":1,"start":""}"#)] {
            assert!(matches!(ContinueToken::decode(bad, 1), Err(ContinueError::Invalid(_))), "{bad:?}");
        }
    }
}
