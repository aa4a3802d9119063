//! The CI job a publish ran in, from the CI's own variables (names and plain identities only,
//! never a secret): what a trusted publisher on the registry must match, and whether the job
//! could request an OIDC ID token at all.

/// A CI job's identity as the registry's trusted-publisher check sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiJob {
    pub(crate) system: CiSystem,
    /// GitHub `GITHUB_REPOSITORY` (`owner/repo`), GitLab `CI_PROJECT_PATH`.
    pub(crate) repository: Option<String>,
    /// The workflow file the registry compares: GitHub's file name from `GITHUB_WORKFLOW_REF`
    /// (`owner/repo/.github/workflows/<file>@<ref>`), GitLab's `CI_CONFIG_PATH`.
    pub(crate) workflow_file: Option<String>,
    /// GitHub `GITHUB_JOB`, GitLab `CI_JOB_NAME`.
    pub(crate) job: Option<String>,
    /// GitLab `CI_ENVIRONMENT_NAME` (GitHub exposes a job's environment to no variable).
    pub(crate) environment: Option<String>,
    /// GitHub sets `ACTIONS_ID_TOKEN_REQUEST_URL` and `_TOKEN` only for `id-token: write`;
    /// GitLab/CircleCI pass `NPM_ID_TOKEN` (npm's oidc.js). None: not known (a log from elsewhere).
    pub(crate) id_token_available: Option<bool>,
    /// Token variables set for the step (names only): `NODE_AUTH_TOKEN`, `NPM_TOKEN`.
    pub(crate) token_variables: Vec<String>,
}

/// The CI systems npm 11's oidc.js supports (ci-info's GITHUB_ACTIONS, GITLAB, CIRCLE).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum CiSystem {
    #[default]
    GithubActions,
    Gitlab,
    Circle,
}

impl CiJob {
    /// The job described by `get` (an environment lookup), when it is a CI npm's OIDC supports.
    pub(crate) fn from_env(get: impl Fn(&str) -> Option<String>) -> Option<CiJob> {
        let set = |name: &str| get(name).filter(|v| !v.is_empty());
        let system = if set("GITHUB_ACTIONS").is_some() {
            CiSystem::GithubActions
        } else if set("GITLAB_CI").is_some() {
            CiSystem::Gitlab
        } else if set("CIRCLECI").is_some() {
            CiSystem::Circle
        } else {
            return None;
        };
        let npm_id_token = set("NPM_ID_TOKEN").is_some();
        let mut job = match system {
            CiSystem::GithubActions => CiJob {
                repository: set("GITHUB_REPOSITORY"),
                workflow_file: set("GITHUB_WORKFLOW_REF").and_then(|r| workflow_file(&r)),
                job: set("GITHUB_JOB"),
                environment: None,
                id_token_available: Some(
                    npm_id_token
                        || set("ACTIONS_ID_TOKEN_REQUEST_URL").is_some()
                            && set("ACTIONS_ID_TOKEN_REQUEST_TOKEN").is_some(),
                ),
                ..CiJob::default()
            },
            CiSystem::Gitlab => CiJob {
                repository: set("CI_PROJECT_PATH"),
                workflow_file: set("CI_CONFIG_PATH"),
                job: set("CI_JOB_NAME"),
                environment: set("CI_ENVIRONMENT_NAME"),
                id_token_available: Some(npm_id_token),
                ..CiJob::default()
            },
            CiSystem::Circle => CiJob {
                repository: set("CIRCLE_PROJECT_REPONAME"),
                job: set("CIRCLE_JOB"),
                id_token_available: Some(npm_id_token),
                ..CiJob::default()
            },
        };
        job.system = system;
        job.token_variables = ["NODE_AUTH_TOKEN", "NPM_TOKEN"]
            .into_iter()
            .filter(|n| set(n).is_some())
            .map(str::to_owned)
            .collect();
        Some(job)
    }
}

/// `.github/workflows/release.yml` of `owner/repo/.github/workflows/release.yml@refs/heads/main`:
/// the file name is what npm's trusted publisher form asks for.
fn workflow_file(workflow_ref: &str) -> Option<String> {
    let path = workflow_ref.split('@').next()?;
    let file = path.rsplit('/').next()?;
    (!file.is_empty()).then(|| file.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(vars: &[(&str, &str)]) -> Option<CiJob> {
        CiJob::from_env(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn a_github_job_with_and_without_id_token_write() {
        let base = [
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "Octo-Org/octo-repo"),
            (
                "GITHUB_WORKFLOW_REF",
                "Octo-Org/octo-repo/.github/workflows/release.yaml@refs/tags/v1.0.0",
            ),
            ("GITHUB_JOB", "publish"),
            ("NODE_AUTH_TOKEN", "XXXXX-XXXXX-XXXXX-XXXXX"),
        ];
        let without = job(&base).unwrap();
        assert_eq!(without.repository.as_deref(), Some("Octo-Org/octo-repo"));
        assert_eq!(without.workflow_file.as_deref(), Some("release.yaml"));
        assert_eq!(without.job.as_deref(), Some("publish"));
        assert_eq!(without.id_token_available, Some(false));
        assert_eq!(without.token_variables, ["NODE_AUTH_TOKEN"]);
        let mut vars = base.to_vec();
        vars.push(("ACTIONS_ID_TOKEN_REQUEST_URL", "https://example.invalid/x"));
        vars.push(("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "CANARY"));
        assert_eq!(job(&vars).unwrap().id_token_available, Some(true));
    }

    #[test]
    fn gitlab_and_no_ci() {
        let gitlab = job(&[
            ("GITLAB_CI", "true"),
            ("CI_PROJECT_PATH", "group/proj"),
            ("CI_CONFIG_PATH", ".gitlab-ci.yml"),
            ("CI_ENVIRONMENT_NAME", "npm"),
        ])
        .unwrap();
        assert_eq!(gitlab.system, CiSystem::Gitlab);
        assert_eq!(gitlab.environment.as_deref(), Some("npm"));
        assert_eq!(gitlab.id_token_available, Some(false));
        assert_eq!(job(&[("CI", "true")]), None);
    }
}
