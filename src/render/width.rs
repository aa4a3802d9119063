//! How wide the reader's screen is: `COLUMNS` when set (the user's or a test's choice), else the
//! terminal's width (console asks the kernel), else 80 (a pipe, a file, CI).

/// The width used when the output is not a terminal and COLUMNS says nothing.
pub(crate) const DEFAULT: usize = 80;
/// Narrower than this, wrapping would leave no room for text after the labels.
const MIN: usize = 40;

/// Which stream the text goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    Stdout,
    Stderr,
}

/// The width for text written to `stream`, given the value of COLUMNS.
pub(crate) fn of(stream: Stream, columns: Option<&str>) -> usize {
    let terminal = match stream {
        Stream::Stdout => console::Term::stdout(),
        Stream::Stderr => console::Term::stderr(),
    };
    choose(columns, terminal.size_checked().map(|(_, c)| c.into()))
}

/// COLUMNS (a positive number) wins, then the terminal's width, then 80; never below 40.
fn choose(columns: Option<&str>, terminal: Option<usize>) -> usize {
    let from_env = columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0);
    from_env.or(terminal).unwrap_or(DEFAULT).max(MIN)
}

#[cfg(test)]
mod tests {
    use super::choose;

    #[test]
    fn columns_then_terminal_then_80() {
        assert_eq!(choose(Some("120"), Some(100)), 120);
        assert_eq!(choose(None, Some(100)), 100);
        assert_eq!(choose(None, None), 80);
        assert_eq!(choose(Some("wide"), None), 80);
        assert_eq!(choose(Some("0"), Some(132)), 132);
        assert_eq!(choose(Some("10"), None), 40);
    }
}
