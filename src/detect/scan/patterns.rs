//! The scanner's patterns: one regex per kind of line or phrase, the prefilter that selects
//! candidate lines in bulk, and the boilerplate npm prints around every error.

use std::sync::LazyLock;

use regex::bytes::Regex as BytesRegex;
use regex::Regex;

use crate::detect::gated::{AnyCase, Gated};

pub(super) fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap()
}

/// Cheap test for lines worth a full look; everything else in a big CI log is skipped.
pub(super) static INTERESTING: LazyLock<BytesRegex> = LazyLock::new(|| {
    // literals only, so the regex engine scans with its fast multi-literal prefilter
    BytesRegex::new(concat!(
        // npm's log prefix, other headings, debug log levels, command lines
        r"npm |npx |pnpm |yarn |lerna | ERR!| error | warn | notice | http | verbose | silly |",
        // pnpm, yarn 1, yarn berry
        r"ERR_PNPM|YN0|Request failed|finished with status code|unexpected error|Invalid auth|Usage Error|Ignored |Lockfile is up to date|",
        r#"Couldn't publish|nvironment variable not found|child "otp" fails|"#,
        r"Failed to replace env|uthoriz|",
        r#"Failed to fetch|Failed to publish|No token found|Request URL|Request Method|"error"|📦|Yarn Package Manager|"#,
        // HTTP failures and registry/proxy words in bare lines
        r" - GET | - PUT | - POST | - DELETE | - HEAD | - PATCH |Forbidden|Unauthorized|Not found|",
        r"is not in the npm registry|is not in this registry|could not be found|Unable to authenticate|roxy|",
        r"network administrator|web site|one-time|One-time password|OTP|verify your email|Payment|paid account|Login first|logged in|",
        r"anonymous|unregistered|token|Error:|code E|URI:|Scoped Registry Key|ermission|quarantin|",
        r"Received a 401|E400|E401|E402|E403|E404|E407|E409|EAUTHIP|ENEEDAUTH|EPUBLISHCONFLICT|two-factor|Two-factor|2FA|Publishing|407|",
        // CI context (commands in `Run` lines carry their tool's name, matched above)
        r"argv |/home/runner/|GITHUB_ACTIONS|XXXXX-XXXXX|",
        // who published (detect/publisher.rs): release tools, script environments
        r"🦋|semantic-release|npm: |pnpm: |npm_config_|npm_lifecycle_event|hostedtoolcache/node/|OIDC is available"
    ))
    .unwrap()
});

/// Interesting-looking lines that never matter: deprecation warnings, successful requests.
pub(super) static BORING: LazyLock<BytesRegex> = LazyLock::new(|| {
    BytesRegex::new(
        r"(?:npm|pnpm|yarn) (?:warn|WARN) deprecated |http fetch [A-Z]+ [23]\d\d |http cache ",
    )
    .unwrap()
});

pub(super) static CODE_LINE: Gated = Gated::new("code", r"^code\s+([A-Z][A-Z0-9_]+)");
pub(super) static CODE_AT_START: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(E\d{3}|EOTP|ENEEDAUTH|EAUTHIP|EPUBLISHCONFLICT|ERR_INVALID_AUTH)\b"));
pub(super) static PNPM_CODE: Gated = Gated::new(
    "ERR_PNPM_",
    r"\[?(ERR_PNPM_[A-Z0-9_]+)\]?(?:\s+(?:(GET|PUT|POST|DELETE|HEAD|PATCH)\s+(\S+?):?(?:\s+(.*))?|.*))?$",
);
pub(super) static BERRY_CODE: Gated = Gated::new("YN", r"\bYN(\d{4})\b");
pub(super) static HTTP_MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        // `E404 Not Found - PUT <url>` too, as CI logs and threads quote it
        r"(?:^|\s)E?([1-5]\d\d)\s+([^\n]*?)\s*-\s*(GET|PUT|POST|DELETE|HEAD|PATCH)\s+(\S+)(?:\s+-\s+(.*))?$",
    )
});
pub(super) static FETCH_LINE: Gated = Gated::new(
    "fetch",
    r"^(?:http\s+)?fetch\s+(GET|PUT|POST|DELETE|HEAD|PATCH)\s+(\d{3})\s+(\S+)",
);
pub(super) static PUBLISH_FAILED: Gated = Gated::new(
    "publish Failed ",
    r"publish Failed (GET|PUT|POST|DELETE) (\d{3})",
);
pub(super) static URL_LINE: Gated = Gated::new("URL: ", r"^URL: (GET|PUT|POST|DELETE|HEAD) (\S+)");
pub(super) static NEED_WWW_AUTH: Gated = Gated::new(
    "Unable to authenticate, need: ",
    r"Unable to authenticate, need: (.+)$",
);
pub(super) static STACK: Gated =
    Gated::new("stack ", r"^stack ([A-Za-z]+(?:Error)?[A-Za-z]*)(?::|$)");
pub(super) static STATUS_CODE: Gated = Gated::new("statusCode ", r"^statusCode (\d{3})");
pub(super) static PKGID: Gated = Gated::new("pkgid ", r"^pkgid (\S+)");
pub(super) static CONFIG_FILE: Gated = Gated::new("config load:file:", r"^config load:file:(\S+)");
pub(super) static VERBOSE_CLI: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:cli|title) (.+)$"));
pub(super) static ARGV: Gated = Gated::new("argv ", r#"^argv ((?:"[^"]*"\s*)+)$"#);
pub(super) static VERSION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:using npm@(\d[\w.-]*)|^npm\s+v(\d[\w.-]*)$|^(?:yarn|pnpm) [a-z]+ v(\d[\w.-]*)$)")
});
/// npm/cli lib/utils/exit-handler.js (9+, one line) and npm <= 8 (the path on the next line).
pub(super) static COMPLETE_LOG: Gated = Gated::new(
    "A complete log of this run can be found in:",
    r"A complete log of this run can be found in:\s*(\S.*?)?\s*$",
);
/// yarn 1 src/util/request-manager.js: a 401 from GitHub (`unauthorizedResponse` in
/// src/reporters/lang/en.js: "Received a 401 from $0. $1").
pub(super) static YARN1_RECEIVED_401: Gated =
    Gated::new("Received a 401 from ", r"Received a 401 from (\S+?)\.\s");
pub(super) static PUBLISHING_TO: Gated = Gated::new("Publishing to ", r"Publishing to (\S+)");
pub(super) static NO_AUTH_URI: Gated = Gated::new("URI: ", r"^(?:registry\s+)?URI: (\S+)");
pub(super) static SCOPED_KEY: Gated = Gated::new(
    "Scoped Registry Key: ",
    r"^(?:registry\s+)?Scoped Registry Key: (\S+)",
);
pub(super) static INVALID_AUTH: Gated = Gated::new(
    "Invalid auth configuration found: ",
    r"Invalid auth configuration found: (.+)$",
);
pub(super) static NEED_AUTH: Gated = Gated::new(
    "requires you to be logged in",
    r"requires you to be logged in(?: to (\S+?))?\.?$",
);
pub(super) static OTP: AnyCase = AnyCase::new(
    &[
        "one-time pass",
        "otp",
        "two-factor authentication",
        "one-time password:",
        "child \"otp\" fails",
        "couldn't publish package:",
        "two factor authentication enabled",
    ],
    || super::lexicon::OTP.regex(),
);
pub(super) static VERSION_EXISTS: AnyCase = AnyCase::new(
    &[
        "cannot publish over",
        "previously published",
        "epublishconflict",
        "this package is already present",
    ],
    || super::lexicon::VERSION_EXISTS.regex(),
);
pub(super) static IP_NOT_ALLOWED: AnyCase =
    AnyCase::new(&["not allowed from your ip", "eauthip"], || {
        super::lexicon::IP_NOT_ALLOWED.regex()
    });
pub(super) static ANONYMOUS: AnyCase = AnyCase::new(
    &[
        "authentication token not provided",
        "no authorization header was set",
        "authorization required to",
        "as an anonymous user",
        "unregistered users",
        "must be logged in",
        "forbidden for user: 'anonymous'",
        "no credentials provided",
    ],
    || super::lexicon::ANONYMOUS.regex(),
);
pub(super) static REJECTED: AnyCase = AnyCase::new(
    &[
        "with the token provided",
        "authorization header was used",
        "token ",
        "bad username/password",
    ],
    || super::lexicon::REJECTED.regex(),
);
pub(super) static INVALID_AUTHENTICATION_AS: Gated = Gated::new(
    "Invalid authentication (",
    r"Invalid authentication \((?:as|attempted as) ([^)]+)\)",
);
pub(super) static ENV_UNRESOLVED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:Failed to replace env in config: \$\{([^}?]+)\??\}|Environment variable not found \(([^)]+)\))",
    )
});
pub(super) static PNPM_IGNORED: Gated = Gated::new(
    r#"auth setting ""#,
    r#"Ignored (?:project-level )?auth setting "([^"]+)""#,
);
pub(super) static PNPM_SETTING: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^\s*(@[^:\s]+:registry=\S+|//\S+:(?:_authToken|_auth|username|_password)=\S*)\s*$")
});
/// pnpm 11 `pnpm config set` refusing a key in config.yaml or pnpm-workspace.yaml (pnpm 11
/// dist/pnpm.mjs ConfigSetUnsupportedYamlConfigKeyError / ConfigSetNotAProjectSettingError:
/// `The key ${JSON.stringify(key)} isn't supported by the global config.yaml file`).
pub(super) static PNPM_REFUSED_KEY: Gated = Gated::new(
    "CONFIG_SET_",
    r#"CONFIG_SET_(?:UNSUPPORTED_YAML_CONFIG_KEY|NOT_A_PROJECT_SETTING)\]?\s+The key "([^"]+)""#,
);
/// An auth setting's name, in npm's ini spelling or pnpm/yarn's camelCase (`_authToken`,
/// `npmAuthToken`, `//host/:_password`, `username`).
pub(super) static AUTH_KEY: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)auth|_password|^username$|:username$"));
pub(super) static YARN1_REQUEST_FAILED: Gated = Gated::new(
    ": Request failed ",
    r#"(https?://[^"\s]+?): Request failed \\?"(\d{3})\s*([^"\\]*)"#,
);
/// yarn 1 src/util/request-manager.js: `verboseRequestFinish` ("Request $0 finished with status
/// code $1.", src/reporters/lang/en.js), printed with `--verbose` for every request.
pub(super) static YARN1_REQUEST_FINISHED: Gated = Gated::new(
    " finished with status code ",
    r#"Request "?(https?://[^"\s]+?)"? finished with status code (\d{3})"#,
);
/// yarn 1's `requestFailed` ("Request failed $0", en.js) quoted without its URL, or cut off
/// before its status (an issue title): `Request failed "401 Unauthorized"`, `<url>: Request
/// failed \`.
pub(super) static YARN1_REQUEST_FAILED_BARE: Gated =
    Gated::new("Request failed ", r#"Request failed \\?"(\d{3})"#);
pub(super) static YARN1_REQUEST_FAILED_CUT: Gated = Gated::new(
    ": Request failed",
    r#"(https?://[^"\s]+?): Request failed\s*\\?"?\s*$"#,
);
pub(super) static YARN1_UNEXPECTED: Gated =
    Gated::new("://", r#""(https?://[^"\s]+?): ([^"]+?)"?\.?$"#);
pub(super) static BERRY_RESPONSE_CODE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)Response Code:? (\d{3})"));
pub(super) static PROXY: AnyCase = AnyCase::new(
    &[
        "proxy authentication required",
        "e407",
        "407 proxy",
        "statuscode=407",
        "proxy",
    ],
    || super::lexicon::PROXY.regex(),
);
pub(super) static PROXY_407: AnyCase = AnyCase::new(
    &[
        "e407",
        "statuscode=407",
        "proxy",
        "proxy authentication required",
    ],
    || super::lexicon::PROXY_407.regex(),
);
pub(super) static PAYMENT: AnyCase = AnyCase::new(
    &[
        "payment required",
        "paid account",
        "sign up for private packages",
        "e402",
    ],
    || super::lexicon::PAYMENT.regex(),
);
pub(super) static ACCOUNT: AnyCase =
    AnyCase::new(&["verify your email"], || super::lexicon::ACCOUNT.regex());
pub(super) static NOT_IN_REGISTRY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:'|‘)((?:@[^'\s/@]+/)?[^'\s@]+)(?:@[^']*)?(?:'|’) (?:is not in (?:the npm|this) registry|could not be)|requested resource '((?:@[^'\s/@]+/)?[^'\s@]+)(?:@[^']*)?' could not",
    )
});
pub(super) static PERMISSION_PACKAGE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)(?:permission to publish|not allowed to (?:access|publish) package) "?((?:@[^"\s/]+/)?[^"\s.]+)"#,
    )
});
pub(super) static TITLE_STATUS: LazyLock<Regex> = LazyLock::new(|| re(r"^([45]\d\d)\s+(\S.*)$"));
pub(super) static COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[$#%>❯➜»]\s+|^Run\s+(?:[^&]*&&\s*)?|^\S*[$#%>]\s*)((?:[A-Z_][A-Z0-9_]*=\S*\s+)*)(npm|npx|pnpm|yarn|lerna)\s+([a-z][^|;&]*)$",
    )
});
pub(super) static ENV_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| re(r"([A-Z_][A-Z0-9_]*)="));

/// npm's own fixed sentences: never the server's words.
pub(super) const BOILERPLATE: &[&str] = &[
    "In most cases",
    "a package version that is forbidden",
    "on a server you do not have access to",
    "It was specified as a dependency",
    "You should bug the author",
    "Note that you can also install",
    "tarball, folder, http url",
    "is not in the npm registry",
    "is not in this registry",
    "could not be found or you do not have permission",
    "A complete log of this run",
    "You can provide a one-time password",
    "If you already provided",
    "it, or it timed out",
    "To correct this please",
    "npm login",
    "If you were trying to login",
    "authentication token or enable two-factor",
    "that means you likely typed",
    "Please try again, or recover",
    "https://www.npmjs.com/forgot",
    "If you were doing some other operation",
    "probably out of date",
    "need auth You need to authorize",
];

pub(super) fn is_boilerplate(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || BOILERPLATE.iter().any(|b| t.contains(b))
}

#[cfg(test)]
mod tests {
    use super::super::lexicon::{self, Lexicon};
    use super::*;

    fn examples(lexicon: &Lexicon) -> Vec<&'static str> {
        lexicon.phrases.iter().map(|p| p.example).collect()
    }

    #[test]
    fn each_lexicon_gate_has_one_needle_per_phrase_found_in_its_example() {
        let gates: [(&AnyCase, &Lexicon); 9] = [
            (&OTP, &lexicon::OTP),
            (&VERSION_EXISTS, &lexicon::VERSION_EXISTS),
            (&IP_NOT_ALLOWED, &lexicon::IP_NOT_ALLOWED),
            (&ANONYMOUS, &lexicon::ANONYMOUS),
            (&REJECTED, &lexicon::REJECTED),
            (&PROXY, &lexicon::PROXY),
            (&PROXY_407, &lexicon::PROXY_407),
            (&PAYMENT, &lexicon::PAYMENT),
            (&ACCOUNT, &lexicon::ACCOUNT),
        ];
        for (gate, lexicon) in gates {
            gate.assert_fits(&examples(lexicon));
        }
    }
}
