//! Reading a probe's captured output: npm's `http fetch` lines and `npm error` lines on stderr,
//! the answer on stdout. Works on plain text; colour codes are stripped first.

use std::sync::OnceLock;

use regex::Regex;

use super::kind::ProbeKind;
use super::outcome::{Access, HttpLine, NpmError, Outcome, Owners, Versions, View, Whoami};

/// What a finished probe printed.
#[derive(Debug, Clone, Copy)]
pub struct Captured<'a> {
    pub exit_code: Option<i32>,
    pub stdout: &'a str,
    pub stderr: &'a str,
}

/// The HTTP lines and the kind-specific outcome of a finished probe.
pub fn parse(kind: &ProbeKind, out: Captured) -> (Vec<HttpLine>, Outcome) {
    let stderr = strip_ansi(out.stderr);
    let stdout = strip_ansi(out.stdout);
    let requests = http_lines(&stderr);
    let ok = out.exit_code == Some(0);
    let error = || npm_error(&stderr, &requests);
    let outcome = match kind {
        ProbeKind::Whoami => Outcome::Whoami(whoami(ok, &stdout, error(), &requests)),
        ProbeKind::ViewVersion { .. } | ProbeKind::AnonymousView { .. } => {
            Outcome::View(view(ok, &stdout, error))
        }
        ProbeKind::AccessStatus { package } => Outcome::Access(match ok {
            true => visibility(&stdout, package).unwrap_or_else(|| Access::Failed(error())),
            false => Access::Failed(error()),
        }),
        ProbeKind::ViewVersions { local_version, .. } => Outcome::Versions(match ok {
            true => listed_versions(&stdout, local_version.clone()),
            false => Versions::Failed(error()),
        }),
        ProbeKind::OwnerLs { .. } => Outcome::Owners(match ok {
            true => Owners::Listed(owner_names(&stdout)),
            false => Owners::Failed(error()),
        }),
    };
    (requests, outcome)
}

fn view(ok: bool, stdout: &str, error: impl FnOnce() -> NpmError) -> View {
    match first_line(stdout) {
        Some(version) if ok => View::Found {
            version: unquote(version),
        },
        _ => View::Failed(error()),
    }
}

/// `<pkg>: public` / `<pkg>: private` (access.js `#output`, one line per package).
fn visibility(stdout: &str, package: &str) -> Option<Access> {
    let prefix = format!("{package}:");
    let value = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix(prefix.as_str()))?;
    match value.trim() {
        "public" => Some(Access::Visibility { public: true }),
        "private" => Some(Access::Visibility { public: false }),
        _ => None,
    }
}

fn whoami(ok: bool, stdout: &str, error: NpmError, requests: &[HttpLine]) -> Whoami {
    match (ok, first_line(stdout)) {
        (true, Some(name)) => return Whoami::Ok(name.to_string()),
        (true, None) => return Whoami::Other(error),
        _ => {}
    }
    match error.code.as_deref() {
        Some("ENEEDAUTH") => Whoami::NeedAuth {
            request_sent: requests.iter().any(|r| r.url.contains("/-/whoami")),
        },
        Some("E401" | "EOTP" | "EAUTHIP" | "E403") => Whoami::Rejected(error),
        _ => Whoami::Other(error),
    }
}

/// `npm view <pkg> versions dist-tags --json` prints `{"versions": [...], "dist-tags": {...}}`;
/// with one field asked (older probes, tests) just the array, or a bare string for a single value.
fn listed_versions(stdout: &str, local_version: Option<String>) -> Versions {
    use serde_json::Value;
    let answer = serde_json::from_str::<Value>(stdout.trim()).unwrap_or(Value::Null);
    let (versions, tags) = match &answer {
        Value::Object(fields) => (
            fields.get("versions").cloned().unwrap_or(Value::Null),
            fields.get("dist-tags").cloned().unwrap_or(Value::Null),
        ),
        other => (other.clone(), Value::Null),
    };
    let versions: Vec<String> = match versions {
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        Value::String(one) => vec![one],
        _ => Vec::new(),
    };
    let dist_tags = match tags {
        Value::Object(tags) => tags
            .into_iter()
            .filter_map(|(tag, v)| Some((tag, v.as_str()?.to_owned())))
            .collect(),
        _ => Vec::new(),
    };
    let local_published = local_version.as_ref().map(|v| versions.contains(v));
    Versions::Listed {
        versions,
        local_version,
        local_published,
        dist_tags,
    }
}

/// `name <email>` lines; `no admin found` means none.
fn owner_names(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "no admin found")
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect()
}

/// Every `<heading> http fetch <METHOD> <status> <url>` line.
pub(crate) fn http_lines(stderr: &str) -> Vec<HttpLine> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"(?m)^\S+ http fetch (\w+) (\d{3}) (\S+)").unwrap());
    re.captures_iter(stderr)
        .map(|c| HttpLine {
            method: c[1].to_string(),
            status: c[2].parse().unwrap_or(0),
            url: c[3].to_string(),
        })
        .collect()
}

/// npm's error from its `<heading> error ...` lines, completed from the HTTP lines.
pub(crate) fn npm_error(stderr: &str, requests: &[HttpLine]) -> NpmError {
    let lines = error_lines(stderr);
    let mut error = NpmError::default();
    for line in &lines {
        if let Some(code) = line.strip_prefix("code ") {
            error.code.get_or_insert_with(|| code.trim().to_string());
        } else if let Some(http) = http_message(line) {
            if error.status.is_none() {
                error = NpmError {
                    code: error.code.take(),
                    ..http
                };
            }
        } else if error.message.is_none() && !is_boilerplate(line) {
            error.message = Some(line.strip_prefix("need auth ").unwrap_or(line).to_string());
        }
    }
    complete_from_requests(&mut error, requests);
    error
}

fn complete_from_requests(error: &mut NpmError, requests: &[HttpLine]) {
    if let Some(last) = requests.iter().rev().find(|r| r.status >= 400) {
        error.status.get_or_insert(last.status);
        error.method.get_or_insert_with(|| last.method.clone());
        error.url.get_or_insert_with(|| last.url.clone());
    }
    if error.status.is_none() {
        let code = error.code.as_deref().unwrap_or("");
        error.status = code
            .strip_prefix('E')
            .and_then(|s| s.parse().ok())
            .filter(|s| (400..600).contains(s));
    }
}

/// The text of each `<heading> error <text>` line.
fn error_lines(stderr: &str) -> Vec<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"^\S+ error (.*)$").unwrap());
    stderr
        .lines()
        .filter_map(|l| re.captures(l.trim_end()).map(|c| c[1].trim().to_string()))
        .filter(|t| !t.is_empty())
        .collect()
}

/// npm's HttpErrorGeneral message: `[title ]<status> <text> - <METHOD> <url>[ - <server msg>]`.
fn http_message(line: &str) -> Option<NpmError> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^(?:\d{3} )*(\d{3}) [A-Za-z][A-Za-z ]*? - ([A-Z]+) (\S+)(?: - (.*))?$")
            .unwrap()
    });
    let c = re.captures(line)?;
    Some(NpmError {
        code: None,
        status: c[1].parse().ok(),
        method: Some(c[2].to_string()),
        url: Some(c[3].to_string()),
        message: c.get(4).map(|m| m.as_str().trim().to_string()),
    })
}

/// npm's trailing lines that say nothing about the failure.
fn is_boilerplate(line: &str) -> bool {
    line.chars().all(|c| c.is_ascii_digit())
        || line.starts_with("Log files were not written")
        || line.starts_with("A complete log of this run")
        || line.starts_with("You can rerun the command")
}

fn first_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| !l.is_empty())
}

fn unquote(text: &str) -> String {
    text.trim_matches('"').to_string()
}

fn strip_ansi(text: &str) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]").unwrap());
    re.replace_all(text, "").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(kind: ProbeKind, exit: i32, stdout: &str, stderr: &str) -> (Vec<HttpLine>, Outcome) {
        parse(
            &kind,
            Captured {
                exit_code: Some(exit),
                stdout,
                stderr,
            },
        )
    }

    const E403: &str = "npm http fetch GET 403 http://127.0.0.1:4873/@team%2fsecret 90ms (cache skip)\n\
        npm error code E403\n\
        npm error 403 403 Forbidden - GET http://127.0.0.1:4873/@team%2fsecret - user alice is not allowed to access package @team/secret\n\
        npm error 403 In most cases, you or one of your dependencies are requesting a package version that is forbidden\n\
        npm error Log files were not written due to the config logs-max=0\n";

    #[test]
    fn view_403_gives_status_url_and_server_message() {
        let (requests, outcome) = run(
            ProbeKind::ViewVersion {
                package: "@team/secret".into(),
            },
            1,
            "",
            E403,
        );
        assert_eq!(requests.len(), 1);
        let Outcome::View(View::Failed(e)) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(e.code.as_deref(), Some("E403"));
        assert_eq!(e.status, Some(403));
        assert_eq!(e.method.as_deref(), Some("GET"));
        assert_eq!(
            e.url.as_deref(),
            Some("http://127.0.0.1:4873/@team%2fsecret")
        );
        assert_eq!(
            e.message.as_deref(),
            Some("user alice is not allowed to access package @team/secret")
        );
    }

    #[test]
    fn e401_with_bearer_takes_the_url_from_the_http_line() {
        let stderr = "\x1b[1mnpm\x1b[22m http fetch GET 401 http://h/@priv%2flib 3ms (cache skip)\n\
            npm error code E401\nnpm error Unable to authenticate, your authentication token seems to be invalid.\n";
        let (_, outcome) = run(
            ProbeKind::ViewVersion {
                package: "@priv/lib".into(),
            },
            1,
            "",
            stderr,
        );
        let Outcome::View(View::Failed(e)) = outcome else {
            panic!()
        };
        assert_eq!(
            (e.status, e.url.as_deref()),
            (Some(401), Some("http://h/@priv%2flib"))
        );
        assert_eq!(
            e.message.as_deref(),
            Some("Unable to authenticate, your authentication token seems to be invalid.")
        );
    }

    #[test]
    fn whoami_variants() {
        let ok = run(
            ProbeKind::Whoami,
            0,
            "alice\n",
            "npm http fetch GET 200 http://h/-/whoami 5ms\n",
        )
        .1;
        assert_eq!(ok, Outcome::Whoami(Whoami::Ok("alice".into())));
        let need = "npm error code ENEEDAUTH\nnpm error need auth This command requires you to be logged in.\n";
        assert_eq!(
            run(ProbeKind::Whoami, 1, "", need).1,
            Outcome::Whoami(Whoami::NeedAuth {
                request_sent: false
            })
        );
        let empty = format!("npm http fetch GET 200 http://h/-/whoami 5ms (cache miss)\n{need}");
        assert_eq!(
            run(ProbeKind::Whoami, 1, "", &empty).1,
            Outcome::Whoami(Whoami::NeedAuth { request_sent: true })
        );
        let bad = "npm http fetch GET 401 http://h/-/whoami 1ms\nnpm error code E401\n\
            npm error 401 Unauthorized - GET http://h/-/whoami - bad token\n";
        let Outcome::Whoami(Whoami::Rejected(e)) = run(ProbeKind::Whoami, 1, "", bad).1 else {
            panic!()
        };
        assert_eq!(
            (e.status, e.message.as_deref()),
            (Some(401), Some("bad token"))
        );
        let refused = "npm error code ECONNREFUSED\nnpm error errno ECONNREFUSED\n";
        assert!(matches!(
            run(ProbeKind::Whoami, 1, "", refused).1,
            Outcome::Whoami(Whoami::Other(_))
        ));
    }

    #[test]
    fn versions_and_owners() {
        let kind = ProbeKind::ViewVersions {
            package: "p".into(),
            local_version: Some("1.0.0".into()),
        };
        let (_, outcome) = run(kind, 0, "[\n  \"0.9.0\",\n  \"1.0.0\"\n]\n", "");
        assert_eq!(
            outcome,
            Outcome::Versions(Versions::Listed {
                versions: vec!["0.9.0".into(), "1.0.0".into()],
                local_version: Some("1.0.0".into()),
                local_published: Some(true),
                dist_tags: Vec::new(),
            })
        );
        let both = "{\n  \"versions\": [\"1.0.0\", \"2.0.0\"],\n  \"dist-tags\": {\"latest\": \"2.0.0\", \"next\": \"3.0.0-rc.1\"}\n}\n";
        let kind = ProbeKind::ViewVersions {
            package: "p".into(),
            local_version: Some("1.0.1".into()),
        };
        assert_eq!(
            run(kind, 0, both, "").1,
            Outcome::Versions(Versions::Listed {
                versions: vec!["1.0.0".into(), "2.0.0".into()],
                local_version: Some("1.0.1".into()),
                local_published: Some(false),
                dist_tags: vec![
                    ("latest".into(), "2.0.0".into()),
                    ("next".into(), "3.0.0-rc.1".into())
                ],
            })
        );
        let kind = ProbeKind::ViewVersions {
            package: "p".into(),
            local_version: None,
        };
        let Outcome::Versions(Versions::Listed { versions, .. }) =
            run(kind, 0, "\"2.0.0\"\n", "").1
        else {
            panic!()
        };
        assert_eq!(versions, ["2.0.0"]);
        let (_, owners) = run(
            ProbeKind::OwnerLs {
                package: "p".into(),
            },
            0,
            "alice <a@x>\nbob <b@x>\n",
            "",
        );
        assert_eq!(
            owners,
            Outcome::Owners(Owners::Listed(vec!["alice".into(), "bob".into()]))
        );
    }

    #[test]
    fn access_status_and_anonymous_view() {
        let access = |exit, stdout: &str, stderr: &str| {
            let kind = ProbeKind::AccessStatus {
                package: "@octo/lib".into(),
            };
            run(kind, exit, stdout, stderr).1
        };
        assert_eq!(
            access(0, "@octo/lib: private\n", ""),
            Outcome::Access(Access::Visibility { public: false })
        );
        assert_eq!(
            access(0, "@octo/lib: public\n", ""),
            Outcome::Access(Access::Visibility { public: true })
        );
        let absent = "npm http fetch GET 404 http://h/-/package/@octo%2flib/visibility 3ms\n\
            npm error code E404\nnpm error 404 Not Found - GET http://h/-/package/@octo%2flib/visibility - Not found\n";
        let Outcome::Access(Access::Failed(e)) = access(1, "", absent) else {
            panic!()
        };
        assert_eq!(e.status, Some(404));
        // an answer for another package, or an unknown word, proves nothing
        assert!(matches!(
            access(0, "other: public\n", ""),
            Outcome::Access(Access::Failed(_))
        ));
        let anonymous = ProbeKind::AnonymousView {
            package: "octo-public".into(),
        };
        assert_eq!(
            run(anonymous, 0, "1.0.0\n", "").1,
            Outcome::View(View::Found {
                version: "1.0.0".into()
            })
        );
    }
}
