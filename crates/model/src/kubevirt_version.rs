//! `kubevirt.version`: which KubeVirt release the cluster runs, as the
//! inventory states it (`v1.6.0`, `1.6.0`, `v1.6` or `1.6`).
//!
//! KubeVirt's per-VM memory overhead changed between releases (see
//! `kubev_ha_plan::resources`), so the planner needs the release. Only the
//! releases whose overhead kubev-ha has read in KubeVirt's source are
//! accepted: a version outside [`KubeVirtVersion::OLDEST_MODELLED`] ..=
//! [`KubeVirtVersion::NEWEST_MODELLED`] is an input error naming the line,
//! never a silent guess. A version without a patch level stands for the
//! newest patch release of that minor version, the one a maintained
//! cluster runs.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A KubeVirt release: major, minor and, when stated, patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KubeVirtVersion {
    /// The major version (1 in v1.6.0).
    pub major: u32,
    /// The minor version (6 in v1.6.0).
    pub minor: u32,
    /// `None`: the newest patch release of `major.minor`.
    pub patch: Option<u32>,
}

impl KubeVirtVersion {
    /// The oldest release whose overhead constants kubev-ha models.
    pub const OLDEST_MODELLED: KubeVirtVersion = KubeVirtVersion { major: 1, minor: 2, patch: Some(0) };
    /// The newest release kubev-ha models (v1.9.0, tagged in
    /// kubevirt/kubevirt); the planner assumes it when the inventory
    /// states no version, and says so in the plan's assumptions.
    pub const NEWEST_MODELLED: KubeVirtVersion = KubeVirtVersion { major: 1, minor: 9, patch: Some(0) };

    /// The release `major.minor.patch`.
    pub const fn new(major: u32, minor: u32, patch: u32) -> KubeVirtVersion {
        KubeVirtVersion { major, minor, patch: Some(patch) }
    }

    /// The version as a comparable triple; a missing patch compares as the
    /// newest patch of its minor release.
    pub fn key(self) -> (u32, u32, u32) {
        (self.major, self.minor, self.patch.unwrap_or(u32::MAX))
    }

    /// Whether kubev-ha has read this release's overhead in KubeVirt's
    /// source. `v1.9` (no patch) is modelled as v1.9.0, the only v1.9
    /// release there is.
    pub fn is_modelled(self) -> bool {
        let (lo, hi) = (Self::OLDEST_MODELLED, Self::NEWEST_MODELLED);
        let minor = (self.major, self.minor);
        minor >= (lo.major, lo.minor)
            && minor <= (hi.major, hi.minor)
            && (minor < (hi.major, hi.minor) || self.patch.is_none_or(|p| Some(p) <= hi.patch))
    }
}

impl fmt::Display for KubeVirtVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(p) => write!(f, "v{}.{}.{p}", self.major, self.minor),
            None => write!(f, "v{}.{}", self.major, self.minor),
        }
    }
}

/// Text that is no KubeVirt release the planner models.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KubeVirtVersionError {
    /// Not a version number at all.
    #[error("`{0}` is not a KubeVirt release; expected a version such as v1.6.0 or 1.6 ({modelled})", modelled = modelled())]
    NotARelease(String),
    /// A release outside the range whose overheads the planner knows.
    #[error(
        "KubeVirt {0} is not modelled: {modelled}; state the nearest modelled release, or leave kubevirt.version out to assume {newest}",
        modelled = modelled(),
        newest = KubeVirtVersion::NEWEST_MODELLED
    )]
    NotModelled(KubeVirtVersion),
}

fn modelled() -> String {
    format!("kubev-ha models KubeVirt {} to {}", KubeVirtVersion::OLDEST_MODELLED, KubeVirtVersion::NEWEST_MODELLED)
}

impl FromStr for KubeVirtVersion {
    type Err = KubeVirtVersionError;
    fn from_str(s: &str) -> Result<Self, KubeVirtVersionError> {
        let text = s.trim();
        let bare = text.strip_prefix('v').unwrap_or(text);
        let parts: Vec<&str> = bare.split('.').collect();
        let number = |p: &str| p.parse::<u32>().ok().filter(|_| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        let parsed = match parts.as_slice() {
            [major, minor] => {
                number(major).zip(number(minor)).map(|(major, minor)| KubeVirtVersion { major, minor, patch: None })
            }
            [major, minor, patch] => number(major)
                .zip(number(minor))
                .zip(number(patch))
                .map(|((major, minor), patch)| KubeVirtVersion::new(major, minor, patch)),
            _ => None,
        };
        let Some(version) = parsed else {
            return Err(KubeVirtVersionError::NotARelease(s.to_string()));
        };
        if !version.is_modelled() {
            return Err(KubeVirtVersionError::NotModelled(version));
        }
        Ok(version)
    }
}

impl Serialize for KubeVirtVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KubeVirtVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // YAML reads `1.6` as a number; the version is its text either way.
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = KubeVirtVersion;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a KubeVirt version such as v1.6.0")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<KubeVirtVersion, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<KubeVirtVersion, E> {
                // `1.10` would read as 1.1: refuse a number rather than misread it.
                Err(E::custom(format!("`{v}` is a number; quote the version, as in \"v{v}\" (YAML reads 1.10 as 1.1)")))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<KubeVirtVersion, E> {
                Err(E::custom(format!("`{v}` is not a KubeVirt release; expected a version such as v1.6.0")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<KubeVirtVersion, E> {
                Err(E::custom(format!("`{v}` is not a KubeVirt release; expected a version such as v1.6.0")))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for KubeVirtVersion {
    fn schema_name() -> Cow<'static, str> {
        "KubeVirtVersion".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^v?[0-9]+\\.[0-9]+(\\.[0-9]+)?$",
            "description": "A KubeVirt release, v1.2.0 to v1.9.0 (v1.6 means the newest v1.6 patch release)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_with_or_without_v_and_patch() {
        assert_eq!("v1.6.0".parse::<KubeVirtVersion>(), Ok(KubeVirtVersion::new(1, 6, 0)));
        assert_eq!("1.6.3".parse::<KubeVirtVersion>(), Ok(KubeVirtVersion::new(1, 6, 3)));
        assert_eq!("v1.5".parse::<KubeVirtVersion>().map(|v| v.patch), Ok(None));
    }

    #[test]
    fn versions_outside_the_model_are_refused() {
        for bad in ["v1.1.1", "v0.59.0", "v1.10.0", "v2.0", "v1.9.1", "1", "v1.6.x", "latest", "v1..6"] {
            assert!(bad.parse::<KubeVirtVersion>().is_err(), "{bad}");
        }
        assert!("v1.9".parse::<KubeVirtVersion>().is_ok());
        assert!("v1.2.0".parse::<KubeVirtVersion>().is_ok());
    }

    #[test]
    fn a_missing_patch_compares_as_the_newest_patch() {
        let v15 = "v1.5".parse::<KubeVirtVersion>().unwrap();
        assert!(v15.key() > KubeVirtVersion::new(1, 5, 3).key());
        assert!(v15.key() < KubeVirtVersion::new(1, 6, 0).key());
    }
}
