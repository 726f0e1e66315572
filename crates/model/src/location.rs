//! Where a value was written in its source file, and a wrapper that keeps
//! that position beside the value.
//!
//! Findings point at the line of the node, class or workload they judge,
//! so the parts of the model that findings are about are [`Located`]. Values
//! built in code (generated inventories, probed hosts) simply have no
//! position.

use std::borrow::Cow;
use std::fmt;
use std::ops::{Deref, DerefMut};

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A position in a source file: 1-based line and column, and the byte
/// offset when the source was a string in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SourcePos {
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1.
    pub column: u32,
    /// The byte offset into the source, when the reader knows it; not serialised.
    #[serde(skip)]
    pub offset: Option<usize>,
}

impl SourcePos {
    /// A position from line and column, without a byte offset.
    pub fn new(line: u32, column: u32) -> Self {
        SourcePos { line, column, offset: None }
    }

    pub(crate) fn from_saphyr(location: serde_saphyr::Location) -> Option<SourcePos> {
        if location == serde_saphyr::Location::UNKNOWN || location.line() == 0 {
            return None;
        }
        Some(SourcePos {
            line: u32::try_from(location.line()).unwrap_or(u32::MAX),
            column: u32::try_from(location.column()).unwrap_or(u32::MAX),
            offset: location.span().byte_offset().and_then(|o| usize::try_from(o).ok()),
        })
    }
}

impl fmt::Display for SourcePos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A value and, when it was read from a file, where it starts.
///
/// Dereferences to the value, serialises as the bare value, and reads from
/// YAML through `serde_saphyr::Spanned`, which records the position.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value itself.
    pub value: T,
    /// Where the value starts in its file; `None` for a value made in code.
    pub at: Option<SourcePos>,
}

impl<T> Located<T> {
    /// A value made in code, with no position in any file.
    pub fn new(value: T) -> Self {
        Located { value, at: None }
    }

    /// The value, without its position.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T> From<T> for Located<T> {
    fn from(value: T) -> Self {
        Located::new(value)
    }
}

impl<T> Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Located<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

// A located collection iterates like the collection, so `for x in &list`
// reads the same whether or not the list keeps its position.
impl<'a, T> IntoIterator for &'a Located<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (&self.value).into_iter()
    }
}

impl<'a, T> IntoIterator for &'a mut Located<T>
where
    &'a mut T: IntoIterator,
{
    type Item = <&'a mut T as IntoIterator>::Item;
    type IntoIter = <&'a mut T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (&mut self.value).into_iter()
    }
}

// Collected in code, a located collection has no position, like `new`.
impl<A, T: FromIterator<A>> FromIterator<A> for Located<T> {
    fn from_iter<I: IntoIterator<Item = A>>(iter: I) -> Self {
        Located::new(iter.into_iter().collect())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Located { at: SourcePos::from_saphyr(spanned.referenced), value: spanned.value })
    }
}

impl<T: Serialize> Serialize for Located<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<T: JsonSchema> JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}
