//! Splits a configuration file into tokens with their line numbers.
//!
//! Tokens are separated by white space and newlines; `#` outside quotes
//! starts a comment that runs to the end of the line. Double quotes make one
//! token of text with spaces; inside them `\"` is a quote, `\\` a backslash,
//! and a backslash at the end of a line continues the string on the next line
//! (the backslash and the newline are dropped, as in a POSIX shell). Quoted
//! and unquoted text with no space between is one token (`a"b c"` is `ab c`).

use alloc::string::String;
use alloc::vec::Vec;

/// One word of the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The text, quotes and escapes removed.
    pub text: String,
    /// Line (or command-line argument number) where the token starts.
    pub line: u32,
    /// Whether any part of it was in double quotes: a quoted token is always
    /// an argument, never an option keyword.
    pub quoted: bool,
}

/// A lexical error: the line and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    /// Line of the problem.
    pub line: u32,
    /// What is wrong.
    pub message: &'static str,
}

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Result<Vec<Token>, LexError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1u32;
    // The token being built: its text, start line and whether it was quoted.
    let mut current: Option<Token> = None;
    while let Some(c) = chars.next() {
        match c {
            '\n' | ' ' | '\t' | '\r' => {
                if let Some(t) = current.take() {
                    tokens.push(t);
                }
                if c == '\n' {
                    line += 1;
                }
            }
            '#' => {
                if let Some(t) = current.take() {
                    tokens.push(t);
                }
                while chars.peek().is_some_and(|&c| c != '\n') {
                    chars.next();
                }
            }
            '"' => {
                let start = line;
                let token = current.get_or_insert_with(|| Token {
                    text: String::new(),
                    line: start,
                    quoted: true,
                });
                token.quoted = true;
                loop {
                    match chars.next() {
                        None => {
                            return Err(LexError {
                                line: start,
                                message: "unterminated string: no closing '\"'",
                            });
                        }
                        Some('"') => break,
                        Some('\n') => {
                            return Err(LexError {
                                line: start,
                                message: "unterminated string: a string goes on to the next line only after a backslash",
                            });
                        }
                        Some('\\') => match chars.peek() {
                            Some('\n') => {
                                chars.next();
                                line += 1;
                            }
                            Some('\r') => {
                                chars.next();
                                if chars.peek() == Some(&'\n') {
                                    chars.next();
                                    line += 1;
                                } else {
                                    token.text.push_str("\\\r");
                                }
                            }
                            Some(&e @ ('"' | '\\')) => {
                                chars.next();
                                token.text.push(e);
                            }
                            _ => token.text.push('\\'),
                        },
                        Some(c) => token.text.push(c),
                    }
                }
            }
            c => current
                .get_or_insert_with(|| Token {
                    text: String::new(),
                    line,
                    quoted: false,
                })
                .text
                .push(c),
        }
    }
    if let Some(t) = current.take() {
        tokens.push(t);
    }
    Ok(tokens)
}
