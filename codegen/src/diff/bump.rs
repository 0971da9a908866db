//! The version bump a spec change needs, read from the change report's
//! verdicts, and the check of a proposed `Cargo.toml` version against it.
//!
//! Bumps are named as semver names them, and applied as Cargo applies them
//! to 0.x versions, where the leftmost non-zero number is the breaking one:
//!
//! | change | bump | from 1.2.3 | from 0.1.0 | from 0.0.4 |
//! | --- | --- | --- | --- | --- |
//! | breaking | major | 2.0.0 | 0.2.0 | 0.0.5 |
//! | compatible | minor | 1.3.0 | 0.1.1 | 0.0.5 |
//! | none in the API | patch | 1.2.4 | 0.1.1 | 0.0.5 |

use std::cmp::Ordering;
use std::fmt;

use super::{Change, Report, Verdict};

/// How big a version bump a change needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing in the generated API changes (documentation, say).
    Patch,
    /// The API changes compatibly: code that compiled keeps compiling.
    Minor,
    /// Breaking: code that uses the client may stop compiling or working.
    Major,
}

impl Bump {
    /// The bump the report's verdicts need: major for any breaking change,
    /// minor for any other change, patch for none.
    pub fn needed(report: &Report) -> Bump {
        if report.is_breaking() {
            Bump::Major
        } else if report.changes.is_empty() {
            Bump::Patch
        } else {
            Bump::Minor
        }
    }

    /// Its name: `major`, `minor` or `patch`.
    pub fn name(self) -> &'static str {
        match self {
            Bump::Major => "major",
            Bump::Minor => "minor",
            Bump::Patch => "patch",
        }
    }

    /// The smallest version after `from` that this bump allows.
    pub fn smallest_after(self, from: &Version) -> Version {
        let Version {
            major,
            minor,
            patch,
            ..
        } = *from;
        let (major, minor, patch) = match self {
            Bump::Major if major > 0 => (major + 1, 0, 0),
            Bump::Major if minor > 0 => (0, minor + 1, 0),
            Bump::Minor if major > 0 => (major, minor + 1, 0),
            _ => (major, minor, patch + 1),
        };
        Version {
            major,
            minor,
            patch,
            suffix: String::new(),
        }
    }

    /// One line for the report: the bump and what it means for a 0.x crate.
    pub fn summary(self) -> String {
        match self {
            Bump::Major => "Version bump needed: **major** (breaking): for a 0.y.z crate y+1, e.g. 0.1.0 → 0.2.0; from 1.0.0, x+1.".to_string(),
            Bump::Minor => "Version bump needed: **minor** (compatible): for a 0.y.z crate z+1, e.g. 0.1.0 → 0.1.1; from 1.0.0, y+1.".to_string(),
            Bump::Patch => "Version bump needed: **patch** (no API change): z+1, e.g. 0.1.0 → 0.1.1.".to_string(),
        }
    }
}

/// A version as `Cargo.toml` writes it: `MAJOR.MINOR.PATCH`, maybe with a
/// pre-release or build suffix, which the bump check does not weigh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// The first number.
    pub major: u64,
    /// The second number.
    pub minor: u64,
    /// The third number.
    pub patch: u64,
    /// `-rc.1`, `+build`, or empty.
    pub suffix: String,
}

impl Version {
    /// Parses `1.2.3`, `0.2.0-rc.1` and the like.
    pub fn parse(text: &str) -> Result<Version, String> {
        let text = text.trim();
        let end = text.find(['-', '+']).unwrap_or(text.len());
        let (numbers, suffix) = text.split_at(end);
        let parts: Vec<&str> = numbers.split('.').collect();
        let number = |part: &str| part.parse::<u64>().ok();
        match parts.as_slice() {
            [a, b, c] => match (number(a), number(b), number(c)) {
                (Some(major), Some(minor), Some(patch)) => Ok(Version {
                    major,
                    minor,
                    patch,
                    suffix: suffix.to_string(),
                }),
                _ => Err(format!("`{text}` is not a version (MAJOR.MINOR.PATCH)")),
            },
            _ => Err(format!("`{text}` is not a version (MAJOR.MINOR.PATCH)")),
        }
    }

    fn numbers(&self) -> (u64, u64, u64) {
        (self.major, self.minor, self.patch)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}.{}{}",
            self.major, self.minor, self.patch, self.suffix
        )
    }
}

/// The `[package]` version of a `Cargo.toml`, read line by line (the
/// generator needs no TOML parser for one key); `file` names it in errors.
/// `version.workspace = true` reads `[workspace.package]`.
pub fn manifest_version(text: &str, file: &str) -> Result<Version, String> {
    let mut table = String::new();
    let mut package = None;
    let mut workspace = None;
    let mut inherits = false;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            table = name.trim().to_string();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        let quoted = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .map(str::to_string);
        match (table.as_str(), key) {
            ("package", "version") => package = quoted,
            ("package", "version.workspace") => inherits = value == "true",
            ("workspace.package", "version") => workspace = quoted,
            _ => {}
        }
    }
    let found = if inherits { workspace } else { package };
    let text = found.ok_or_else(|| format!("{file}: no version in [package]"))?;
    Version::parse(&text).map_err(|e| format!("{file}: {e}"))
}

/// A proposed version weighed against the bump a report needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// The bump the changes need.
    pub needed: Bump,
    /// The version before the change.
    pub from: Version,
    /// The version proposed with it.
    pub to: Version,
    /// The smallest version the changes allow.
    pub smallest: Version,
    /// Whether `to` is big enough.
    pub ok: bool,
    /// Why, in one Markdown paragraph; when it is too small, naming the
    /// changes that need the bigger bump.
    pub message: String,
}

impl Check {
    /// Weighs `from` → `to` against `report`. A breaking change must raise
    /// the version in the same change, so that no compatible release ships
    /// it; for other changes the version may stay as it is, since any
    /// release must raise it anyway (crates.io takes a version once).
    pub fn new(report: &Report, from: Version, to: Version) -> Check {
        let needed = Bump::needed(report);
        let smallest = needed.smallest_after(&from);
        let order = to.numbers().cmp(&from.numbers());
        let ok = match order {
            Ordering::Less => false,
            Ordering::Equal => needed != Bump::Major,
            Ordering::Greater => to.numbers() >= smallest.numbers(),
        };
        let message = if order == Ordering::Less {
            format!("❌ The version goes down, from `{from}` to `{to}`.")
        } else if ok && order == Ordering::Equal {
            format!(
                "✅ The version stays `{from}`: fine for a {} change; its release needs `{smallest}` or later.",
                needed.name()
            )
        } else if ok {
            format!(
                "✅ `{from}` → `{to}` is enough for a {} change (`{smallest}` or later).",
                needed.name()
            )
        } else {
            let mut text = format!(
                "❌ `{from}` → `{to}` is too small: a {} bump to `{smallest}` or later is needed, for",
                needed.name()
            );
            for change in needing(report, needed) {
                text.push_str(&format!("\n- {}: {}", change.place, change.description));
            }
            text
        };
        Check {
            needed,
            from,
            to,
            smallest,
            ok,
            message,
        }
    }
}

/// The changes that make the report need `bump`.
fn needing(report: &Report, bump: Bump) -> impl Iterator<Item = &Change> {
    report
        .changes
        .iter()
        .filter(move |c| bump != Bump::Major || c.verdict == Verdict::Breaking)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn change(verdict: Verdict) -> Change {
        Change {
            verdict,
            place: "operation `x`".into(),
            description: "something".into(),
            files: Vec::new(),
        }
    }

    fn report(verdicts: &[Verdict]) -> Report {
        Report {
            changes: verdicts.iter().map(|v| change(*v)).collect(),
        }
    }

    #[test]
    fn smallest_bumps_follow_cargo_for_0x() {
        let cases = [
            (Bump::Major, "1.2.3", "2.0.0"),
            (Bump::Minor, "1.2.3", "1.3.0"),
            (Bump::Patch, "1.2.3", "1.2.4"),
            (Bump::Major, "0.1.0", "0.2.0"),
            (Bump::Minor, "0.1.0", "0.1.1"),
            (Bump::Patch, "0.1.0", "0.1.1"),
            (Bump::Major, "0.0.4", "0.0.5"),
            (Bump::Minor, "0.0.4", "0.0.5"),
        ];
        for (bump, from, smallest) in cases {
            assert_eq!(
                bump.smallest_after(&v(from)),
                v(smallest),
                "{bump:?} {from}"
            );
        }
    }

    #[test]
    fn needed_bump_reads_the_verdicts() {
        use Verdict::{Breaking, Compatible};
        assert_eq!(Bump::needed(&report(&[])), Bump::Patch);
        assert_eq!(Bump::needed(&report(&[Compatible])), Bump::Minor);
        assert_eq!(Bump::needed(&report(&[Compatible, Breaking])), Bump::Major);
    }

    #[test]
    fn breaking_needs_the_bump_in_the_same_change() {
        let breaking = report(&[Verdict::Breaking]);
        let check = Check::new(&breaking, v("0.1.0"), v("0.1.0"));
        assert!(!check.ok);
        assert!(
            check.message.contains("`0.2.0` or later"),
            "{}",
            check.message
        );
        assert!(check.message.contains("operation `x`: something"));
        assert!(!Check::new(&breaking, v("0.1.0"), v("0.1.5")).ok);
        assert!(Check::new(&breaking, v("0.1.0"), v("0.2.0")).ok);
        assert!(Check::new(&breaking, v("0.1.0"), v("1.0.0")).ok);
        assert!(!Check::new(&breaking, v("1.4.0"), v("1.5.0")).ok);
    }

    #[test]
    fn compatible_may_keep_the_version_but_not_lower_it() {
        let compatible = report(&[Verdict::Compatible]);
        assert!(Check::new(&compatible, v("0.1.0"), v("0.1.0")).ok);
        assert!(Check::new(&compatible, v("0.1.0"), v("0.1.1")).ok);
        assert!(!Check::new(&compatible, v("1.2.0"), v("1.2.1")).ok);
        assert!(!Check::new(&compatible, v("0.2.0"), v("0.1.9")).ok);
    }

    #[test]
    fn versions_come_from_the_package_table() {
        let manifest = "[workspace]\nmembers = [\".\"]\n\n[workspace.package]\nversion = \"0.3.0\"\n\n[package]\nname = \"x\"\nversion = \"0.1.0\" # released\n";
        assert_eq!(manifest_version(manifest, "Cargo.toml"), Ok(v("0.1.0")));
        let inherited = manifest.replace("version = \"0.1.0\"", "version.workspace = true");
        assert_eq!(manifest_version(&inherited, "Cargo.toml"), Ok(v("0.3.0")));
        let error = manifest_version("[package]\nname = \"x\"\n", "a/Cargo.toml").unwrap_err();
        assert_eq!(error, "a/Cargo.toml: no version in [package]");
        assert!(Version::parse("1.2").is_err());
        assert_eq!(v("0.2.0-rc.1").to_string(), "0.2.0-rc.1");
    }
}
