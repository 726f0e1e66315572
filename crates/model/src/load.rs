//! Reading an inventory or a `KubeVCluster` manifest from YAML, with every
//! problem reported at its file, line and column.
//!
//! The YAML reader is serde-saphyr, which keeps positions for errors and
//! for [`Located`](crate::Located) values. Errors from serde are reworded
//! here: the path to the field goes in front, and an unknown key or value
//! gets a "did you mean" from the names serde says it expected.

use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use crate::error::{InputError, LoadError, Problem};
use crate::inventory::{self, Inventory};
use crate::kubev_cluster::{self, KubeVCluster};
use crate::location::SourcePos;
use crate::validate;

/// Which kind of document a file held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SourceFormat {
    /// `kind: Inventory`, the tool's own format.
    Inventory,
    /// Kube-V's installer manifest, `kind: KubeVCluster`.
    KubeVCluster,
    /// The machine `kubev-ha host` runs on; no file at all.
    Host,
}

/// An inventory read from a file, with where it came from.
#[derive(Debug, Clone)]
pub struct LoadedInventory {
    /// The inventory: as written, or mapped from a KubeVCluster manifest.
    pub inventory: Inventory,
    /// The file name as the user gave it (for `file:line` in reports).
    pub source_name: String,
    /// Which kind of file it was.
    pub format: SourceFormat,
    /// Things worth saying that did not stop the reading, such as keys of a
    /// KubeVCluster manifest this tool does not know.
    pub warnings: Vec<Problem>,
    /// The text that was read, for pointing at it in later errors.
    pub source_text: Arc<str>,
}

impl LoadedInventory {
    /// An input error about this file, for problems found after loading
    /// (a waiver naming a rule that does not exist, say).
    pub fn input_error(&self, problems: Vec<Problem>) -> InputError {
        InputError::from_shared(&self.source_name, self.source_text.clone(), problems)
    }
}

/// Reads and checks the file at `path`.
// The error is large (the file's text, for the rendered snippet), but it
// is returned once per run and only on bad input: boxing buys nothing.
#[allow(clippy::result_large_err)]
pub fn load_file(path: &Path) -> Result<LoadedInventory, LoadError> {
    let text = crate::input::read_path(path, crate::input::DEFAULT_MAX_INPUT)?;
    parse_str(&path.display().to_string(), &text).map_err(LoadError::Input)
}

/// Reads and checks the input `path` names (`-`: standard input), refusing
/// more than `max_input` bytes before reading them all.
#[allow(clippy::result_large_err)]
pub fn load_input(path: &Path, max_input: crate::ByteSize) -> Result<LoadedInventory, LoadError> {
    let (name, text) = crate::input::read_input(path, max_input)?;
    parse_str(&name, &text).map_err(LoadError::Input)
}

/// Reads an inventory or KubeVCluster manifest from bytes; `name` is used in messages.
// The error is large (the file's text, for the rendered snippet), but it
// is returned once per run and only on bad input: boxing buys nothing.
#[allow(clippy::result_large_err)]
pub fn parse_bytes(name: &str, bytes: &[u8]) -> Result<LoadedInventory, InputError> {
    parse_str(name, crate::input::text_of(name, bytes)?)
}

/// Reads an inventory or KubeVCluster manifest from text.
// The error is large (the file's text, for the rendered snippet), but it
// is returned once per run and only on bad input: boxing buys nothing.
#[allow(clippy::result_large_err)]
pub fn parse_str(name: &str, text: &str) -> Result<LoadedInventory, InputError> {
    let shared: Arc<str> = Arc::from(text);
    let fail = |problems: Vec<Problem>| InputError::from_shared(name, shared.clone(), problems);
    // What makes a read inventory unusable (duplicates, dangling
    // references), however it was written.
    let validated = |inventory: Inventory, format: SourceFormat, warnings: Vec<Problem>| {
        let problems = validate::validate(&inventory);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(LoadedInventory { inventory, source_name: name.to_string(), format, warnings, source_text: shared.clone() })
    };

    let header = match Header::scan(text) {
        Some(header) => header,
        None => Header::deserialize_from(text).map_err(|p| fail(vec![p]))?,
    };

    let Some(kind) = header.kind else {
        return Err(fail(vec![Problem::new("missing `kind`: expected `Inventory` or `KubeVCluster`").with_help(
            "start the file with `apiVersion: kubev-ha/v1alpha1` and `kind: Inventory`, or give a Kube-V `KubeVCluster` manifest",
        )]));
    };
    let kind_pos = kind.pos;
    // Each kind is read in one version only: a document of another version
    // is refused at its `apiVersion` (or at `kind` when it has none) rather
    // than read as if its fields meant what this version's do.
    let wrong_api_version = |expected: &str, what: &str| -> Option<InputError> {
        let api = header.api_version.as_ref().map(|a| a.value.as_str());
        if api == Some(expected) {
            return None;
        }
        let pos = header.api_version.as_ref().and_then(|a| a.pos).or(kind_pos);
        let found = api.map_or("nothing".to_string(), |a| format!("`{a}`"));
        Some(fail(vec![Problem::maybe_at(
            pos,
            format!("apiVersion is {found}; {what} needs `apiVersion: {expected}`"),
        )]))
    };
    match kind.value.as_str() {
        inventory::KIND => {
            if let Some(e) = wrong_api_version(inventory::API_VERSION, "an Inventory") {
                return Err(e);
            }
            let inventory: Inventory = deserialize_with_paths(text).map_err(|p| fail(vec![p]))?;
            validated(inventory, SourceFormat::Inventory, vec![]).map_err(fail)
        }
        kubev_cluster::KIND => {
            // The spec (and Kube-V's example manifest) name one version;
            // a manifest of another is not one whose keys this mapping knows.
            if let Some(e) = wrong_api_version(kubev_cluster::API_VERSION, "a KubeVCluster manifest") {
                return Err(e);
            }
            let mut ignored = Vec::new();
            let options = yaml_options(text);
            let mut path_of_error = None;
            let manifest: KubeVCluster = serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
                let mut track = serde_path_to_error::Track::new();
                let tracked = serde_path_to_error::Deserializer::new(de, &mut track);
                let result = serde_ignored::deserialize(tracked, |path| ignored.extend(ignored_path(&path)));
                if result.is_err() {
                    path_of_error = document_path(&track.path());
                }
                result
            })
            .map_err(|e| fail(vec![problem_from_yaml_error(&e, path_of_error.as_deref())]))?;
            let unread: Vec<String> = ignored.iter().map(|p| p.join(".")).collect();
            let (mut warnings, mut errors) = manifest.unread_keys(&unread, text);
            let (inventory, notes, mapping_errors) = manifest.into_inventory();
            errors.extend(mapping_errors);
            if !errors.is_empty() {
                return Err(fail(errors));
            }
            warnings.extend(notes);
            validated(inventory, SourceFormat::KubeVCluster, warnings).map_err(fail)
        }
        other => {
            let hint = crate::suggest::did_you_mean(other, [inventory::KIND, kubev_cluster::KIND]);
            let mut p = Problem::maybe_at(
                kind_pos,
                format!("`kind: {other}` is not something this tool reads: expected `Inventory` or `KubeVCluster`"),
            );
            p.help = hint.map(|h| format!("did you mean `{h}`?"));
            Err(fail(vec![p]))
        }
    }
}

/// A scalar of the document's top level and where it was written.
struct HeaderValue {
    value: String,
    pos: Option<SourcePos>,
}

/// `apiVersion` and `kind`, which decide how the rest of the document is read.
struct Header {
    api_version: Option<HeaderValue>,
    kind: Option<HeaderValue>,
}

impl Header {
    /// Finds both keys among the YAML parser's events, stopping as soon as
    /// they are found. Kubernetes-style files put them first, so this costs
    /// a handful of events instead of a second pass over the whole document
    /// (at 20,000 nodes that pass was 39 % of `plan`'s time).
    ///
    /// Anything this does not read plainly (no top-level mapping, a syntax
    /// error, a tag, an alias, a merge key, a complex key, a null, a key
    /// written twice) gives `None`, and the caller reads the header through
    /// serde instead, which knows every one of those cases and reports them
    /// with the same messages as before.
    fn scan(text: &str) -> Option<Header> {
        Self::scan_counting(text).0
    }

    /// [`Header::scan`], and how many parser events it read.
    fn scan_counting(text: &str) -> (Option<Header>, usize) {
        let mut events = 0;
        let header = Self::scan_events(text, &mut events);
        (header, events)
    }

    fn scan_events(text: &str, events: &mut usize) -> Option<Header> {
        use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

        let mut parser = Parser::new_from_str(text);
        let mut next = move || {
            *events += 1;
            parser.next_event().and_then(Result::ok)
        };
        let (Event::StreamStart, _) = next()? else { return None };
        let (Event::DocumentStart(..), _) = next()? else { return None };
        let (Event::MappingStart(_, 0, None), _) = next()? else { return None };

        let mut header = Header { api_version: None, kind: None };
        loop {
            if header.api_version.is_some() && header.kind.is_some() {
                return Some(header);
            }
            let key = match next()? {
                (Event::Scalar(key, _, 0, None), _) if key != "<<" => key,
                // The end of the top-level mapping with a key still missing:
                // serde says what is missing, in its words.
                _ => return None,
            };
            let slot = match key.as_ref() {
                "apiVersion" => Some(&mut header.api_version),
                "kind" => Some(&mut header.kind),
                _ => None,
            };
            match (slot, next()?) {
                (Some(slot), (Event::Scalar(value, style, 0, None), span)) => {
                    let null =
                        style == ScalarStyle::Plain && matches!(value.as_ref(), "" | "~" | "null" | "Null" | "NULL");
                    if null || slot.is_some() {
                        return None;
                    }
                    let start = span.start;
                    let pos = u32::try_from(start.line())
                        .ok()
                        .zip(u32::try_from(start.col() + 1).ok())
                        .map(|(line, column)| SourcePos { line, column, offset: start.byte_offset() });
                    *slot = Some(HeaderValue { value: value.into_owned(), pos });
                }
                (Some(_), _) => return None,
                // Another key's value: a scalar, or a collection to skip whole.
                (None, (Event::Scalar(..), _)) => {}
                (None, (Event::MappingStart(..) | Event::SequenceStart(..), _)) => {
                    let mut depth = 1usize;
                    while depth > 0 {
                        match next()? {
                            (Event::MappingStart(..) | Event::SequenceStart(..), _) => depth += 1,
                            (Event::MappingEnd | Event::SequenceEnd, _) => depth -= 1,
                            _ => {}
                        }
                    }
                }
                (None, _) => return None,
            }
        }
    }

    /// The header read by serde over the whole document: the slow way, and
    /// the one that explains every odd case.
    fn deserialize_from(text: &str) -> Result<Header, Problem> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Spanned {
            api_version: Option<serde_saphyr::Spanned<String>>,
            kind: Option<serde_saphyr::Spanned<String>>,
        }
        let value = |s: serde_saphyr::Spanned<String>| HeaderValue {
            pos: SourcePos::from_saphyr(s.referenced),
            value: s.value,
        };
        let spanned: Spanned = deserialize_with_paths(text)?;
        Ok(Header { api_version: spanned.api_version.map(value), kind: spanned.kind.map(value) })
    }
}

/// The reader's options. The structural budget grows with the input, since
/// every YAML node takes at least a couple of bytes: an inventory of
/// thousands of hosts reads, while alias and anchor budgets (the defence
/// against "billion laughs") stay at serde-saphyr's defaults.
fn yaml_options(text: &str) -> serde_saphyr::Options {
    let budget = serde_saphyr::budget! {
        max_nodes: text.len().max(250_000),
        max_events: text.len().saturating_mul(2).max(1_000_000),
    };
    serde_saphyr::options! { with_snippet: false, budget: budget }
}

/// Deserialises `text` as `T`, turning a failure into a [`Problem`] that
/// names the path to the bad value and where it is.
///
/// The path is tracked only when reading fails: the document is then read a
/// second time with serde_path_to_error, so a good file does not pay for the
/// tracking of every value (a fifth of the reading time of a large file), and
/// a bad one gets the same message as always.
fn deserialize_with_paths<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, Problem> {
    if let Ok(value) = serde_saphyr::from_str_with_options(text, yaml_options(text)) {
        return Ok(value);
    }
    let options = yaml_options(text);
    let mut path_of_error = None;
    serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
        let mut track = serde_path_to_error::Track::new();
        let tracked = serde_path_to_error::Deserializer::new(de, &mut track);
        let result = T::deserialize(tracked);
        if result.is_err() {
            path_of_error = document_path(&track.path());
        }
        result
    })
    .map_err(|e| problem_from_yaml_error(&e, path_of_error.as_deref()))
}

/// The path serde_path_to_error tracked, as the user wrote it: a
/// [`Located`](crate::Located) value is read through serde-saphyr's
/// `Spanned`, which serde sees as a struct whose `value` field holds the
/// real value, so a `value` segment is the wrapper, not the document (no
/// field of the model is called `value`; a free-form label named `value`
/// would lose that segment, and keep its position). `None` for a path
/// inside the wrapper's own bookkeeping.
fn document_path(path: &serde_path_to_error::Path) -> Option<String> {
    use serde_path_to_error::Segment;

    let mut shown = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Map { key } if is_spanned_bookkeeping(key) => return None,
            Segment::Map { key } if key == "value" => {}
            Segment::Unknown => {}
            Segment::Seq { index } => shown.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !shown.is_empty() {
                    shown.push('.');
                }
                shown.push_str(key);
            }
        }
    }
    Some(shown)
}

/// The path of a key serde_ignored saw, as dot-separated segments with list
/// indices as numbers, without the `Spanned` wrapper's segments (see
/// [`document_path`]); `None` inside the wrapper's bookkeeping.
fn ignored_path(path: &serde_ignored::Path) -> Option<Vec<String>> {
    use serde_ignored::Path;

    let mut segments = match path {
        Path::Root => return Some(vec![]),
        Path::Seq { parent, .. } | Path::Map { parent, .. } => ignored_path(parent)?,
        Path::Some { parent } | Path::NewtypeVariant { parent } => return ignored_path(parent),
        Path::NewtypeStruct { parent } => return ignored_path(parent),
    };
    match path {
        Path::Seq { index, .. } => segments.push(index.to_string()),
        Path::Map { key, .. } if is_spanned_bookkeeping(key) => return None,
        // The field of the wrapper that holds the value (see `document_path`).
        Path::Map { key, .. } if key == "value" => {}
        Path::Map { key, .. } => segments.push(key.clone()),
        _ => {}
    }
    Some(segments)
}

/// The fields of serde-saphyr's `Spanned` other than the value itself.
fn is_spanned_bookkeeping(key: &str) -> bool {
    matches!(key, "__serde_saphyr_private_spanned" | "referenced" | "defined")
}

fn problem_from_yaml_error(err: &serde_saphyr::Error, path: Option<&str>) -> Problem {
    use serde_saphyr::MessageFormatter;
    let formatter = serde_saphyr::UserMessageFormatter;
    let raw = formatter.format_message(err.without_snippet()).to_string();
    let message = escape_controls(&raw);
    let pos = err.location().and_then(SourcePos::from_saphyr);
    let path = path.filter(|p| !p.is_empty());
    let help = crate::suggest::help_for_serde_message(&message).or_else(|| {
        path.is_none().then(|| {
            "an inventory is a YAML mapping that starts with `apiVersion: kubev-ha/v1alpha1` and `kind: Inventory`"
                .to_string()
        })
    });
    // The help lists what is allowed; the message only needs to name the culprit.
    let message = crate::suggest::shorten_unknown_name(&message).unwrap_or(message);
    let text = match path {
        Some(p) => format!("{p}: {message}"),
        None => message,
    };
    let mut problem = Problem::maybe_at(pos, text);
    problem.help = help;
    problem
}

/// The message with control characters escaped, so input never sends terminal
/// control sequences through an error message.
fn escape_controls(raw: &str) -> String {
    raw.chars().map(|c| if c.is_control() { c.escape_debug().to_string() } else { c.to_string() }).collect()
}

/// Where the key at `path` (mapping keys, and list indices written as
/// numbers) is written, read from the YAML parser's events, so block and
/// flow style alike get the key's own line and column. `None` when the
/// path is not there plainly (an alias, a merge key, a complex key).
pub(crate) fn parsed_key_position(text: &str, path: &[&str]) -> Option<SourcePos> {
    use serde_saphyr::granit_parser::{Event, Parser};

    let mut parser = Parser::new_from_str(text);
    let mut next = move || parser.next_event().and_then(Result::ok);
    let (Event::StreamStart, _) = next()? else { return None };
    let (Event::DocumentStart(..), _) = next()? else { return None };
    let first = next()?;
    find_in_node(&mut next, first, path)
}

type ParserEvent<'a> = (serde_saphyr::granit_parser::Event<'a>, serde_saphyr::granit_parser::Span);

/// Walks the node that starts with `first` down `path`.
fn find_in_node<'a>(
    next: &mut impl FnMut() -> Option<ParserEvent<'a>>,
    first: ParserEvent<'a>,
    path: &[&str],
) -> Option<SourcePos> {
    use serde_saphyr::granit_parser::Event;

    let (wanted, rest) = path.split_first()?;
    match first.0 {
        Event::MappingStart(..) => loop {
            let (key, span) = next()?;
            let Event::Scalar(key, ..) = key else { return None };
            let value = next()?;
            if key.as_ref() == *wanted {
                return if rest.is_empty() { position_of_span(&span) } else { find_in_node(next, value, rest) };
            }
            skip_node(next, value)?;
        },
        Event::SequenceStart(..) => {
            let index: usize = wanted.parse().ok()?;
            for i in 0.. {
                let item = next()?;
                if matches!(item.0, Event::SequenceEnd) {
                    return None;
                }
                if i == index {
                    let span = item.1;
                    return if rest.is_empty() { position_of_span(&span) } else { find_in_node(next, item, rest) };
                }
                skip_node(next, item)?;
            }
            None
        }
        _ => None,
    }
}

/// Reads the rest of the node that starts with `first`.
fn skip_node<'a>(next: &mut impl FnMut() -> Option<ParserEvent<'a>>, first: ParserEvent<'a>) -> Option<()> {
    use serde_saphyr::granit_parser::Event;

    let mut depth = match first.0 {
        Event::MappingStart(..) | Event::SequenceStart(..) => 1usize,
        _ => return Some(()),
    };
    while depth > 0 {
        match next()?.0 {
            Event::MappingStart(..) | Event::SequenceStart(..) => depth += 1,
            Event::MappingEnd | Event::SequenceEnd => depth -= 1,
            _ => {}
        }
    }
    Some(())
}

fn position_of_span(span: &serde_saphyr::granit_parser::Span) -> Option<SourcePos> {
    let start = span.start;
    let line = u32::try_from(start.line()).ok()?;
    let column = u32::try_from(start.col() + 1).ok()?;
    Some(SourcePos { line, column, offset: start.byte_offset() })
}

#[cfg(test)]
mod position_tests {
    use super::*;

    #[test]
    fn the_parser_places_keys_in_block_and_flow_style() {
        let at = |text: &str, path: &[&str]| parsed_key_position(text, path).map(|p| (p.line, p.column));
        let block = "apiVersion: x\nmetadata:\n  # a comment\n  labels: {name: y}\n  name: \"\"\nnodes: []\n";
        assert_eq!(at(block, &["nodes"]), Some((6, 1)));
        assert_eq!(at(block, &["metadata", "name"]), Some((5, 3)), "not the label of the same name");
        assert_eq!(at(block, &["metadata", "missing"]), None);
        assert_eq!(at("{metadata: {name: \"\"}}", &["metadata", "name"]), Some((1, 13)));
        let hosts = "controlPlane:\n  hosts:\n    - address: a\n    - {address: b, sshUser: c}\n";
        assert_eq!(at(hosts, &["controlPlane", "hosts", "1", "sshUser"]), Some((4, 20)));
        assert_eq!(at(hosts, &["controlPlane", "hosts", "2", "address"]), None);
        assert_eq!(at("nodesx: 1\n", &["nodes"]), None);
    }
}

#[cfg(test)]
mod header_tests {
    use super::*;

    /// A header's values and positions, comparable.
    type Flat = Option<(String, Option<(u32, u32, Option<usize>)>)>;

    fn both(header: &Header) -> (Flat, Flat) {
        let flat = |v: &Option<HeaderValue>| -> Flat {
            v.as_ref().map(|v| (v.value.clone(), v.pos.map(|p| (p.line, p.column, p.offset))))
        };
        (flat(&header.api_version), flat(&header.kind))
    }

    #[test]
    fn the_scan_reads_what_serde_reads_wherever_the_keys_are() {
        let documents = [
            "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nnodes: []\n",
            "metadata:\n  name: x\n  labels: {a: [1, {b: 2}]}\nnodes:\n  - name: a\nkind: KubeVCluster\napiVersion: v\n",
            "{\"apiVersion\": \"kubev-ha/v1alpha1\", \"kind\": \"Inventory\", \"nodes\": []}",
            "# a comment\n---\napiVersion: 'quoted'\nkind: \"Inventory\"\n",
            "  apiVersion: indented\n  kind: Inventory\n",
            "x: &anchor {a: 1}\napiVersion: a\nkind: b\n",
        ];
        for text in documents {
            let scanned = Header::scan(text).unwrap_or_else(|| panic!("the scan gave up on {text:?}"));
            let read = Header::deserialize_from(text).unwrap();
            assert_eq!(both(&scanned), both(&read), "{text:?}");
        }
    }

    #[test]
    fn the_header_of_a_large_inventory_costs_a_few_events_not_a_pass() {
        // Regression: the header was read by a full serde pass over the
        // document before the body's own pass (39 % of `plan` at 20,000 nodes).
        let mut text = String::from("apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {name: big}\nnodes:\n");
        for i in 0..5_000 {
            text.push_str(&format!("  - {{name: n{i}, address: 10.0.{}.{}, roles: [worker]}}\n", i / 250, i % 250));
        }
        let (header, events) = Header::scan_counting(&text);
        assert_eq!(header.and_then(|h| h.kind).map(|k| k.value).as_deref(), Some("Inventory"));
        assert!(events <= 8, "the scan read {events} events");
        // With the keys last, the scan skips the rest without deserialising it.
        let late =
            format!("{}kind: Inventory\napiVersion: kubev-ha/v1alpha1\n", &text[text.find("metadata").unwrap()..]);
        let (header, events) = Header::scan_counting(&late);
        assert!(header.is_some() && events > 5_000, "{events}");
    }

    #[test]
    fn the_scan_leaves_odd_headers_to_serde() {
        let odd = [
            "kind: Inventory\n",                               // apiVersion missing: serde says so
            "apiVersion: a\nkind: ~\n",                        // a null
            "apiVersion: a\nkind: !!str Inventory\n",          // a tag
            "base: &b Inventory\napiVersion: a\nkind: *b\n",   // an alias
            "apiVersion: a\n<<: {kind: Inventory}\n",          // a merge key
            "apiVersion: a\napiVersion: b\nkind: c\n",         // a key written twice
            "- apiVersion: a\n",                               // not a mapping
            "apiVersion: a\nkind: [Inventory]\n",              // not a scalar
            "apiVersion: a\nkind: Inventory\n  bad: indent\n", // the scan stops before the error...
        ];
        for text in &odd[..odd.len() - 1] {
            assert!(Header::scan(text).is_none(), "the scan should leave {text:?} to serde");
        }
        // ...and the error is then the body's to report.
        assert!(Header::scan(odd[odd.len() - 1]).is_some());
    }
}
