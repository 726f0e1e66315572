//! Errors from reading input: what was wrong and exactly where.
//!
//! [`InputError`] carries the source text so the binary can show the
//! offending line (miette); its `Display` is the plain
//! `file:line:column: message` form that scripts and tests read.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::location::SourcePos;

/// One thing wrong with an input, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// What is wrong, as one sentence for the user.
    pub message: String,
    /// Where in the file; `None` when the problem has no place (an empty file, say).
    pub pos: Option<SourcePos>,
    /// What to do about it, shown below the message (a "did you mean", an example).
    pub help: Option<String>,
}

impl Problem {
    /// A problem without a position.
    pub fn new(message: impl Into<String>) -> Self {
        Problem { message: message.into(), pos: None, help: None }
    }
    /// A problem at `pos`.
    pub fn at(pos: SourcePos, message: impl Into<String>) -> Self {
        Problem { pos: Some(pos), ..Problem::new(message) }
    }
    /// A problem at `pos` when there is one.
    pub fn maybe_at(pos: Option<SourcePos>, message: impl Into<String>) -> Self {
        Problem { pos, ..Problem::new(message) }
    }
    /// The same problem with a help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line:column: message`, or `file: message` without a position.
    pub fn render(&self, file: &str) -> String {
        match self.pos {
            Some(p) => format!("{file}:{}:{}: {}", p.line, p.column, self.message),
            None => format!("{file}: {}", self.message),
        }
    }
}

/// The input could not be used: one or more problems in one file.
#[derive(Debug, Clone)]
pub struct InputError {
    /// The file as the user named it (`-` or `<stdin>` for standard input).
    pub file: String,
    /// Every problem found, in file order.
    pub problems: Vec<Problem>,
    text: Arc<str>,
    named: NamedSource<Arc<str>>,
    related: Vec<RelatedProblem>,
}

impl InputError {
    /// The problems of `file`, whose text is `text` (kept to show the offending lines).
    pub fn new(file: &str, text: impl Into<Arc<str>>, problems: Vec<Problem>) -> Self {
        Self::from_shared(file, text.into(), problems)
    }

    pub(crate) fn from_shared(file: &str, text: Arc<str>, problems: Vec<Problem>) -> Self {
        let related = if problems.len() > 1 {
            problems
                .iter()
                .map(|p| RelatedProblem {
                    file: file.to_string(),
                    text: text.clone(),
                    named: NamedSource::new(file, text.clone()),
                    problem: p.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let named = NamedSource::new(file, text.clone());
        InputError { file: file.to_string(), problems, text, named, related }
    }

    /// For problems found outside this crate (rule IDs in waivers, say).
    pub fn with_problems(file: &str, text: Arc<str>, problems: Vec<Problem>) -> Self {
        Self::from_shared(file, text, problems)
    }

    /// The text of the file, shared.
    pub fn source_text(&self) -> Arc<str> {
        self.text.clone()
    }
}

impl InputError {
    /// Every problem as a `file:line:column: message` line.
    pub fn render_plain(&self) -> String {
        self.problems.iter().map(|p| p.render(&self.file)).collect::<Vec<_>>().join("\n")
    }
}

/// One problem: its `file:line:column: message`; several: a count, with
/// each problem shown as a related diagnostic (see [`InputError::render_plain`]).
impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => f.write_str(&one.render(&self.file)),
            many => write!(f, "{}: {} problems", self.file, many.len()),
        }
    }
}

impl std::error::Error for InputError {}

fn label_for(text: &str, problem: &Problem) -> Option<LabeledSpan> {
    let pos = problem.pos?;
    let offset = pos.offset.or_else(|| offset_of(text, pos))?;
    let len = text[offset.min(text.len())..].find(['\n', ',', '}', ']']).unwrap_or(0).max(1);
    let len = len.min(text.len().saturating_sub(offset));
    Some(LabeledSpan::at(offset..offset + len, "here"))
}

/// The byte offset of a 1-based line and column.
fn offset_of(text: &str, pos: SourcePos) -> Option<usize> {
    let line_start =
        if pos.line <= 1 { 0 } else { text.match_indices('\n').nth(pos.line as usize - 2).map(|(i, _)| i + 1)? };
    let line = &text[line_start..];
    let col = line.char_indices().nth(pos.column.saturating_sub(1) as usize).map_or(line.len(), |(i, _)| i);
    Some(line_start + col)
}

impl Diagnostic for InputError {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self.problems.as_slice() {
            [one] => one.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>),
            _ => None,
        }
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        (self.problems.len() == 1).then_some(&self.named as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        match self.problems.as_slice() {
            [one] => label_for(&self.text, one).map(|l| Box::new(std::iter::once(l)) as _),
            _ => None,
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() { None } else { Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic))) }
    }
}

/// One of several problems, shown with its own snippet.
#[derive(Debug, Clone)]
struct RelatedProblem {
    file: String,
    text: Arc<str>,
    named: NamedSource<Arc<str>>,
    problem: Problem,
}

impl fmt::Display for RelatedProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem.render(&self.file))
    }
}

impl std::error::Error for RelatedProblem {}

impl Diagnostic for RelatedProblem {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.problem.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.named as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        label_for(&self.text, &self.problem).map(|l| Box::new(std::iter::once(l)) as _)
    }
}

/// Why a file could not be loaded.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum LoadError {
    /// The file could not be read (missing, unreadable, a directory).
    #[error("cannot read {path}")]
    Io {
        /// The file as the user named it.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// More than the input limit (`--max-input`); `size` when the file
    /// said it, `None` for a stream stopped at the limit.
    #[error("{path}: {}", too_large(*limit, *size))]
    #[diagnostic(help(
        "an inventory of 20,000 workers is under 8 MiB; if this really is one, raise the limit with --max-input (e.g. --max-input 256Mi)"
    ))]
    TooLarge {
        /// The file as the user named it.
        path: String,
        /// The limit in force.
        limit: crate::quantity::ByteSize,
        /// The file's size in bytes, when the file system told it.
        size: Option<u64>,
    },
    /// The file was read, but its content is not a usable inventory.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Input(InputError),
}

fn too_large(limit: crate::quantity::ByteSize, size: Option<u64>) -> String {
    match size {
        Some(size) => format!(
            "the file is {}, over the input limit of {}; not read",
            crate::quantity::ByteSize::bytes(size).human(),
            limit.human()
        ),
        None => format!("more than the input limit of {}; stopped reading", limit.human()),
    }
}

/// An error and the errors that caused it, as one line:
/// `cannot run ssh: No such file or directory`. Reports keep the reason a
/// node or an endpoint could not be asked as text (it is data, not an
/// error of the tool), and this is how a typed error becomes that text
/// without losing its causes.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}

/// What a panicked task or thread said, from its panic payload (a `&str`
/// or a `String` for `panic!` with a message).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "no message".to_string()
    }
}
