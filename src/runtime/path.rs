//! Path parameters: each value is exactly one segment of the request path.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::BoundsError;

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`)
/// is escaped: `/` and `\` (which URL parsers also read as a separator),
/// `%`, `?`, `#`, `;`, controls, spaces and every non-ASCII byte.
const OUTSIDE_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Escapes a path parameter's value for its segment. The generated request
/// code calls it for every path parameter; [`check_path_segment`] has
/// already refused the values no escaping can keep in one segment.
pub fn encode_path(value: &str) -> String {
    utf8_percent_encode(value, OUTSIDE_UNRESERVED).to_string()
}

/// Refuses a path parameter value that cannot be one segment: an empty one
/// (`/tokens//revoke`), and `.` or `..`, which every URL parser, the
/// server's included, folds into the path around it even when escaped
/// (`%2E%2E`). The error names the parameter, never the value.
pub fn check_path_segment(name: &str, value: &str) -> Result<(), BoundsError> {
    let problem = match value {
        "" => "is empty, and a path parameter must fill its segment",
        "." | ".." => {
            "is a dot segment (`.` or `..`), which URL parsers fold into the path around it"
        }
        _ => return Ok(()),
    };
    Err(BoundsError {
        path: name.to_string(),
        problem: problem.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_characters_stay_as_they_are() {
        assert_eq!(encode_path("tok_AZaz09-._~"), "tok_AZaz09-._~");
        assert_eq!(encode_path("../x"), "..%2Fx");
        assert_eq!(encode_path("..\\..\\x"), "..%5C..%5Cx");
        assert_eq!(encode_path("a?b#c;d%e"), "a%3Fb%23c%3Bd%25e");
        assert_eq!(encode_path("é"), "%C3%A9");
    }

    #[test]
    fn empty_and_dot_segments_are_refused_by_name() {
        for value in ["", ".", ".."] {
            let error = check_path_segment("tokenId", value).unwrap_err();
            assert_eq!(error.path, "tokenId");
        }
        assert!(check_path_segment("tokenId", "...").is_ok());
        assert!(check_path_segment("tokenId", ".x").is_ok());
    }
}
