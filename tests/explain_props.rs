//! Property tests: any input explains without panicking, and canary secrets placed anywhere a
//! secret can appear never reach any output (human, JSON, GitHub annotation).

use proptest::prelude::*;
use regauth::detect::{from_reader, from_text};
use regauth::diagnose::{diagnose, Facts};
use regauth::render::{github, human, json};

/// Secret-shaped values as they appear in real transcripts, each carrying a canary.
const SECRET_SHAPES: &[&str] = &[
    "//registry.npmjs.org/:_authToken=npm_CANARYcanaryCANARYcanaryCANARY0001",
    "//npm.pkg.github.com/:_authToken=ghp_CANARYcanaryCANARYcanaryCANARY0002",
    "An authorization header was used: Bearer npm_CANARYcanaryCANARYcanaryCANARY0003",
    "authorization: Bearer CANARYcanaryCANARYcanary0004",
    "_auth=Q0FOQVJZY2FuYXJ5Q0FOQVJZOmNhbmFyeQ==",
    "_password=CANARYcanaryCANARY0005",
    "GET https://alice:CANARYsecret0006@registry.example.com/pkg",
    "$ NPM_TOKEN=CANARYcanaryCANARYcanary0007 npm publish",
    "npm error 401 Unauthorized - GET https://r.example.com/npm_CANARYcanaryCANARYcanaryCANARY0008 - bad token npm_CANARYcanaryCANARYcanaryCANARY0008",
    "1 info using npm@1npm_CANARYcanaryCANARYcanaryCANARY0009",
    "Error: Failed to replace env in config: ${npm_CANARYcanaryCANARYcanaryCANARY0010}",
];

/// Lines of the kinds the scanner looks for, so generated inputs reach deep into it.
const FRAGMENTS: &[&str] = &[
    "npm error code E401",
    "npm ERR! code E403",
    "npm error 403 403 Forbidden - PUT https://registry.npmjs.org/@a%2fb - You do not have permission to publish",
    "npm error Unable to authenticate, need: Basic realm=\"Artifactory Realm\"",
    "12 http fetch GET 401 https://npm.pkg.github.com/download/@a/b/1.0.0/abc 5ms",
    "13 verbose pkgid yaml@https://pkgs.dev.azure.com/o/p/_packaging/f/npm/registry/yaml/-/yaml-1.10.0.tgz",
    "npm warn registry No auth for URI, but auth present for scoped registry.",
    "npm warn registry URI: http://localhost:4873/x.tgz",
    " ERR_PNPM_FETCH_401  GET https://npm.pkg.github.com/@a%2Fb: Unauthorized - 401",
    "These authorization settings were found:",
    "error An unexpected error occurred: \"https://registry.yarnpkg.com/x: Request failed \\\"401 Unauthorized\\\"\".",
    "YN0041: x@npm:1.0.0: Invalid authentication (as an anonymous user)",
    "npm notice Access token expired or revoked. Please try logging in again.",
    "2025-08-14T17:32:21.8215801Z ##[error]npm error code EOTP",
    "\u{1b}[31mnpm\u{1b}[39m \u{1b}[31merror\u{1b}[39m code E404",
    "      unauthenticated: User cannot be authenticated with the token provided.",
];

fn line_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(FRAGMENTS).prop_map(str::to_owned),
        2 => proptest::sample::select(SECRET_SHAPES).prop_map(str::to_owned),
        2 => "\\PC{0,80}",
        1 => proptest::collection::vec(any::<u8>(), 0..60).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

fn all_outputs(text: &str) -> String {
    let d = diagnose(&Facts::from_failure(from_text(text)));
    let mut out = human::render(&d, &human::Style::plain());
    out.push_str(&human::render(
        &d,
        &human::Style {
            color: true,
            width: 80,
            verbose: true,
        },
    ));
    out.push_str(&json::render(&d.report));
    out.push_str(&github::annotation(&d));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_input_never_panics_and_never_leaks_a_canary(lines in proptest::collection::vec(line_strategy(), 0..25)) {
        let text = lines.join("\n");
        let out = all_outputs(&text);
        prop_assert!(!out.contains("CANARY"), "leak:\n{}", out);
        prop_assert!(!out.contains("Q0FOQVJZ"), "leak:\n{}", out);
    }

    #[test]
    fn streaming_and_whole_text_extraction_agree(lines in proptest::collection::vec(line_strategy(), 0..25)) {
        let text = lines.join("\n");
        let streamed = from_reader(std::io::Cursor::new(text.as_bytes())).unwrap();
        prop_assert_eq!(streamed, from_text(&text));
    }
}

#[test]
fn every_secret_shape_alone_is_hidden() {
    for shape in SECRET_SHAPES {
        let text = format!("npm error code E401\n{shape}");
        let out = all_outputs(&text);
        assert!(
            !out.contains("CANARY") && !out.contains("Q0FOQVJZ"),
            "{shape}\n{out}"
        );
    }
}
