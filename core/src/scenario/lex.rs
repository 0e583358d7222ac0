//! Lines and words of the scenario language.
//!
//! A script is read one physical line at a time by a [`LineReader`], which the console and the
//! script runner share, so the same text means the same thing in both. The reader handles `#`
//! comments, blank lines, a trailing `\` that joins the next line, and the records block of
//! `kafka-console-producer` (every following line up to a line `EOF`). Words are split like a
//! POSIX shell: blanks separate words, single quotes keep everything literally, double quotes
//! keep everything but `\"`, `\\`, `\$` and `` \` ``, and a backslash outside quotes makes the
//! next character literal. Quotes never span lines: an unterminated one is an error naming the
//! line where it opened.
//!
//! Every input is bounded (see the `MAX_*` constants) so that a pasted megabyte or a hostile
//! link cannot freeze a browser tab; going over a limit is an error that states the limit.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// The largest script [`crate::scenario::run_script`] accepts, in bytes.
pub const MAX_SCRIPT_BYTES: usize = 1 << 20;
/// The longest line, in characters, after `\` continuations are joined.
pub const MAX_LINE_CHARS: usize = 4096;
/// The most words one line may have.
pub const MAX_WORDS: usize = 256;
/// The most records one `kafka-console-producer` block may hold.
pub const MAX_BLOCK_RECORDS: usize = 10_000;

/// The tool whose following lines, up to `EOF`, are its input.
pub const BLOCK_COMMAND: &str = "kafka-console-producer";
/// The line that ends a records block.
pub const BLOCK_END: &str = "EOF";

/// A lexical error at a given (1-based) line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub line_no: usize,
    pub message: String,
}

/// One complete command as written: its first line, its text (continuations joined) and, for
/// `kafka-console-producer`, the records that followed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub line_no: usize,
    /// The command's text with continuations joined (what a transcript shows).
    pub source: String,
    /// The shell words, or why they could not be split.
    pub words: Result<Vec<String>, LexError>,
    /// The records block, for a command that takes one.
    pub block: Option<Vec<String>>,
}

/// Splits a duration with a unit (`500ms`, `2s`, `1.5s`, `1m`, `1h`) into milliseconds.
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let scale: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "" => {
            return Err(format!(
                "'{s}' needs a unit: write for example 500ms, 2s or 1m"
            ))
        }
        _ => {
            return Err(format!(
            "'{s}' is not a duration: the unit must be ms, s, m or h (for example 500ms, 2s, 1m)"
        ))
        }
    };
    scaled(num, scale).ok_or_else(|| format!("'{s}' is not a duration (for example 500ms, 2s, 1m)"))
}

/// Splits a size (`512`, `512B`, `4KiB`, `1MiB`, `1GiB`) into bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let scale: u64 = match unit {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => {
            return Err(format!(
                "'{s}' is not a size: write bytes or use KiB, MiB or GiB (for example 4096, 4KiB, 1MiB)"
            ))
        }
    };
    scaled(num, scale).ok_or_else(|| format!("'{s}' is not a size (for example 4096, 4KiB, 1MiB)"))
}

/// `num * scale` for a decimal `num` such as `1.5`, exact for whole results, `None` if it
/// is not a number or overflows.
fn scaled(num: &str, scale: u64) -> Option<u64> {
    let (int, frac) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 9 {
        return None;
    }
    let whole: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut total = whole.checked_mul(scale)?;
    if !frac.is_empty() {
        let f: u64 = frac.parse().ok()?;
        let denom = 10u64.checked_pow(frac.len() as u32)?;
        let part = f.checked_mul(scale)? / denom;
        total = total.checked_add(part)?;
    }
    Some(total)
}

/// Which line each byte of a joined logical line came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Origins(Vec<(usize, usize)>);

impl Origins {
    fn line_at(&self, byte: usize) -> usize {
        let mut line = self.0.first().map(|p| p.1).unwrap_or(1);
        for &(start, l) in &self.0 {
            if start <= byte {
                line = l;
            }
        }
        line
    }
}

/// Splits one logical line into shell words. `origins` maps byte offsets to line numbers for
/// the error message of an unterminated quote.
fn split_words_at(text: &str, origins: &Origins) -> Result<Vec<String>, LexError> {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = text.char_indices().peekable();
    let push = |words: &mut Vec<String>, cur: &mut String, at: usize| -> Result<(), LexError> {
        if words.len() >= MAX_WORDS {
            return Err(LexError {
                line_no: origins.line_at(at),
                message: format!("a line is limited to {MAX_WORDS} words"),
            });
        }
        words.push(core::mem::take(cur));
        Ok(())
    };
    while let Some((i, c)) = chars.next() {
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                if in_word {
                    push(&mut words, &mut cur, i)?;
                    in_word = false;
                }
            }
            '#' if !in_word => break,
            '\'' => {
                in_word = true;
                let mut closed = false;
                for (_, q) in chars.by_ref() {
                    if q == '\'' {
                        closed = true;
                        break;
                    }
                    cur.push(q);
                }
                if !closed {
                    let line_no = origins.line_at(i);
                    return Err(LexError {
                        line_no,
                        message: format!(
                            "unterminated single quote (opened on line {line_no}); quotes do not span lines"
                        ),
                    });
                }
            }
            '"' => {
                in_word = true;
                let mut closed = false;
                while let Some((_, q)) = chars.next() {
                    match q {
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\\' => match chars.peek() {
                            Some(&(_, n)) if matches!(n, '"' | '\\' | '$' | '`') => {
                                cur.push(n);
                                chars.next();
                            }
                            _ => cur.push('\\'),
                        },
                        _ => cur.push(q),
                    }
                }
                if !closed {
                    let line_no = origins.line_at(i);
                    return Err(LexError {
                        line_no,
                        message: format!(
                            "unterminated double quote (opened on line {line_no}); quotes do not span lines"
                        ),
                    });
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some((_, n)) => cur.push(n),
                    None => cur.push('\\'),
                }
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        push(&mut words, &mut cur, text.len())?;
    }
    Ok(words)
}

/// Splits a single line into shell words (errors name line 1).
pub fn split_words(text: &str) -> Result<Vec<String>, LexError> {
    split_words_at(text, &Origins(alloc::vec![(0, 1)]))
}

/// Whether a line's first word is the tool that takes a records block. Decided on the raw
/// text so that even a line whose quotes fail to split still consumes its block.
fn starts_block(text: &str) -> bool {
    let t = text.trim_start();
    let first = t.split([' ', '\t']).next().unwrap_or("");
    let first = first.rsplit('/').next().unwrap_or(first);
    let first = first.strip_suffix(".sh").unwrap_or(first);
    first == BLOCK_COMMAND
}

/// Whether a line has nothing to run: blank or only a comment.
fn is_blank_or_comment(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || t.starts_with('#')
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum State {
    #[default]
    Idle,
    /// Lines joined so far by a trailing `\`.
    Continuing {
        line_no: usize,
        text: String,
        origins: Origins,
    },
    /// A `kafka-console-producer` line whose records are being read.
    Block {
        line_no: usize,
        source: String,
        words: Result<Vec<String>, LexError>,
        records: Vec<String>,
        error: Option<LexError>,
    },
}

/// Turns physical lines into complete [`Item`]s. Shared by the console (one line per call) and
/// the script runner.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineReader {
    state: State,
}

impl LineReader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the reader holds an unfinished command (a continuation or a records block).
    pub fn is_pending(&self) -> bool {
        !matches!(self.state, State::Idle)
    }

    /// Whether the reader is inside a records block (the console shows a different prompt).
    pub fn in_block(&self) -> bool {
        matches!(self.state, State::Block { .. })
    }

    /// Drops an unfinished command.
    pub fn cancel(&mut self) {
        self.state = State::Idle;
    }

    /// Feeds one physical line (without its newline). Returns a complete item, if this line
    /// completed one.
    pub fn push(&mut self, line_no: usize, raw: &str) -> Option<Item> {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match core::mem::take(&mut self.state) {
            State::Block {
                line_no: start,
                source,
                words,
                mut records,
                mut error,
            } => {
                if raw.trim() == BLOCK_END {
                    let words = match error {
                        Some(e) => Err(e),
                        None => words,
                    };
                    return Some(Item {
                        line_no: start,
                        source,
                        words,
                        block: Some(records),
                    });
                }
                if error.is_none() {
                    if records.len() >= MAX_BLOCK_RECORDS {
                        error = Some(LexError {
                            line_no,
                            message: format!(
                                "a {BLOCK_COMMAND} block is limited to {MAX_BLOCK_RECORDS} records"
                            ),
                        });
                    } else if raw.chars().count() > MAX_LINE_CHARS {
                        error = Some(LexError {
                            line_no,
                            message: format!(
                                "line {line_no} is longer than the limit of {MAX_LINE_CHARS} characters"
                            ),
                        });
                    } else {
                        records.push(raw.to_string());
                    }
                }
                self.state = State::Block {
                    line_no: start,
                    source,
                    words,
                    records,
                    error,
                };
                None
            }
            State::Continuing {
                line_no: start,
                mut text,
                mut origins,
            } => {
                origins.0.push((text.len(), line_no));
                text.push_str(raw);
                self.after_join(start, text, origins)
            }
            State::Idle => {
                if is_blank_or_comment(raw) {
                    return None;
                }
                let origins = Origins(alloc::vec![(0, line_no)]);
                self.after_join(line_no, raw.to_string(), origins)
            }
        }
    }

    /// A line has been appended; continue, open a block or finish the item.
    fn after_join(&mut self, start: usize, mut text: String, origins: Origins) -> Option<Item> {
        let too_long = text.chars().count() > MAX_LINE_CHARS;
        // Blanks after the `\` are forgiven: editors leave them and they cannot be seen.
        let kept = text.trim_end_matches([' ', '\t']).len();
        if !too_long && ends_with_continuation(&text[..kept]) {
            text.truncate(kept - 1);
            self.state = State::Continuing {
                line_no: start,
                text,
                origins,
            };
            return None;
        }
        let source = text.trim().to_string();
        let words = if too_long {
            Err(LexError {
                line_no: start,
                message: format!(
                    "line {start} is longer than the limit of {MAX_LINE_CHARS} characters"
                ),
            })
        } else {
            split_words_at(&text, &origins)
        };
        if starts_block(&text) {
            self.state = State::Block {
                line_no: start,
                source,
                words,
                records: Vec::new(),
                error: None,
            };
            return None;
        }
        Some(Item {
            line_no: start,
            source,
            words,
            block: None,
        })
    }

    /// The input ended. An unfinished block or continuation becomes an item whose error names
    /// the line where it started.
    pub fn finish(&mut self) -> Option<Item> {
        match core::mem::take(&mut self.state) {
            State::Idle => None,
            State::Continuing {
                line_no,
                text,
                origins,
            } => {
                // A trailing `\` on the last line joins nothing: run what is there.
                let source = text.trim().to_string();
                let words = split_words_at(&text, &origins);
                Some(Item {
                    line_no,
                    source,
                    words,
                    block: None,
                })
            }
            State::Block {
                line_no, source, ..
            } => Some(Item {
                line_no,
                source,
                words: Err(LexError {
                    line_no,
                    message: format!(
                        "the records of {BLOCK_COMMAND} on line {line_no} are never closed by a line {BLOCK_END}"
                    ),
                }),
                block: None,
            }),
        }
    }

    /// Ends a records block as Ctrl-D does in the console (like a line `EOF`); `None` if no
    /// block is open.
    pub fn end_block(&mut self) -> Option<Item> {
        if self.in_block() {
            self.push(0, BLOCK_END)
        } else {
            None
        }
    }
}

/// Whether a line ends in a `\` that is not itself escaped and not inside a comment.
fn ends_with_continuation(text: &str) -> bool {
    if is_blank_or_comment(text) && !text.trim().is_empty() {
        return false;
    }
    let trailing = text.bytes().rev().take_while(|&b| b == b'\\').count();
    trailing % 2 == 1
}

/// Reads a whole script into items. A script over [`MAX_SCRIPT_BYTES`] is refused whole.
pub fn read_script(text: &str) -> Result<Vec<Item>, LexError> {
    if text.len() > MAX_SCRIPT_BYTES {
        return Err(LexError {
            line_no: 1,
            message: format!(
                "the script is {} bytes; scripts are limited to {} bytes (1 MiB)",
                text.len(),
                MAX_SCRIPT_BYTES
            ),
        });
    }
    let mut reader = LineReader::new();
    let mut items = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        if let Some(item) = reader.push(i + 1, raw) {
            items.push(item);
        }
    }
    if let Some(item) = reader.finish() {
        items.push(item);
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn words(s: &str) -> Vec<String> {
        split_words(s).unwrap()
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(words("a  b\tc"), vec!["a", "b", "c"]);
        assert_eq!(
            words(r#"value="hello world" x"#),
            vec!["value=hello world", "x"]
        );
        assert_eq!(words("'a \"b\" c'"), vec!["a \"b\" c"]);
        assert_eq!(words(r#""a \"q\" \\ \n""#), vec![r#"a "q" \ \n"#]);
        assert_eq!(words(r"a\ b"), vec!["a b"]);
        assert_eq!(words(r#"x="" y"#), vec!["x=", "y"]);
        assert_eq!(words(r#""""#), vec![""]);
        assert_eq!(words("a # comment 'unclosed"), vec!["a"]);
        assert_eq!(words("a#b '#c'"), vec!["a#b", "#c"]);
    }

    #[test]
    fn hostile_text_is_just_text() {
        let w = words("produce p1 orders key=<script>alert(1)</script> value='$(rm -rf /)'");
        assert_eq!(w[3], "key=<script>alert(1)</script>");
        assert_eq!(w[4], "value=$(rm -rf /)");
    }

    #[test]
    fn unterminated_quote_names_its_line() {
        let items =
            read_script("cluster brokers=1\n\nproduce p1 t value=\"oops\nrun 1s\n").unwrap();
        assert_eq!(items.len(), 3);
        let e = items[1].words.clone().unwrap_err();
        assert_eq!(e.line_no, 3);
        assert!(e.message.contains("double quote"), "{}", e.message);
        assert!(items[2].words.is_ok());
    }

    #[test]
    fn quote_opened_on_a_continued_line_names_that_line() {
        let items = read_script("kafka-topics --create \\\n  --topic 'x\n").unwrap();
        let e = items[0].words.clone().unwrap_err();
        assert_eq!(e.line_no, 2, "{e:?}");
    }

    #[test]
    fn comments_blank_lines_and_continuations() {
        let text = "# header\n\nkafka-topics --create \\\n   --topic orders \\\n   --partitions 3\nrun 1s # later\n";
        let items = read_script(text).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].line_no, 3);
        assert_eq!(
            items[0].words.as_ref().unwrap(),
            &vec![
                "kafka-topics",
                "--create",
                "--topic",
                "orders",
                "--partitions",
                "3"
            ]
        );
        assert_eq!(items[1].line_no, 6);
        assert_eq!(items[1].words.as_ref().unwrap(), &vec!["run", "1s"]);
    }

    #[test]
    fn a_comment_ending_in_backslash_does_not_continue() {
        let items = read_script("# a comment \\\nrun 1s\n").unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].line_no, 2);
    }

    #[test]
    fn console_producer_takes_the_block_up_to_eof() {
        let text = "kafka-console-producer --topic t --property parse.key=true\nk1:v1\n# not a comment\n\nEOF\nrun 1s\n";
        let items = read_script(text).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[0].block.as_ref().unwrap(),
            &vec!["k1:v1", "# not a comment", ""]
        );
        assert_eq!(items[1].line_no, 6);
    }

    #[test]
    fn unterminated_block_names_its_start() {
        let items = read_script("run 1s\nkafka-console-producer --topic t\na\nb\n").unwrap();
        assert_eq!(items.len(), 2);
        let e = items[1].words.clone().unwrap_err();
        assert_eq!(e.line_no, 2);
        assert!(e.message.contains("EOF"), "{}", e.message);
    }

    #[test]
    fn long_lines_are_refused_with_the_limit() {
        let long = "x".repeat(MAX_LINE_CHARS + 1);
        let items = read_script(&alloc::format!("run 1s\nproduce {long}\n")).unwrap();
        let e = items[1].words.clone().unwrap_err();
        assert!(e.message.contains("4096"), "{}", e.message);
        let huge = "#".repeat(MAX_SCRIPT_BYTES + 1);
        assert!(read_script(&huge).unwrap_err().message.contains("limited"));
    }

    #[test]
    fn too_many_words_is_refused() {
        let many = "a ".repeat(MAX_WORDS + 1);
        assert!(split_words(&many).unwrap_err().message.contains("256"));
    }

    #[test]
    fn durations_and_sizes() {
        assert_eq!(parse_duration("500ms"), Ok(500));
        assert_eq!(parse_duration("2s"), Ok(2000));
        assert_eq!(parse_duration("1.5s"), Ok(1500));
        assert_eq!(parse_duration("1m"), Ok(60_000));
        assert_eq!(parse_duration("1h"), Ok(3_600_000));
        assert!(parse_duration("500").unwrap_err().contains("unit"));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("99999999999999999999h").is_err());
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("4KiB"), Ok(4096));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("0.5KiB"), Ok(512));
        assert!(parse_size("1KB").unwrap_err().contains("KiB"));
    }

    #[test]
    fn console_reader_buffers_continuations_and_blocks() {
        let mut r = LineReader::new();
        assert!(r.push(1, "kafka-topics --list \\").is_none());
        assert!(r.is_pending());
        let item = r.push(2, "--exclude-internal").unwrap();
        assert_eq!(item.words.unwrap().len(), 3);
        assert!(r.push(3, "kafka-console-producer --topic t").is_none());
        assert!(r.in_block());
        assert!(r.push(4, "hello").is_none());
        let item = r.end_block().unwrap();
        assert_eq!(item.block.unwrap(), vec!["hello"]);
        assert!(!r.is_pending());
    }
}
