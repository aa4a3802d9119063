//! The Dev Container Feature (devcontainer/regauth) and the documented Dockerfile route
//! (`install.sh --prefix /usr/local`), run against a scratch root instead of a container: the
//! image's own /usr/local/bin/npm stays byte-for-byte as it was, the feature's PATH puts the shims
//! before it, and `npm` there runs the image's npm exactly once through regauth.

mod install_common;
mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use install_common::*;
use support::Verdaccio;

fn feature_dir() -> PathBuf {
    checkout().join("devcontainer/regauth")
}

fn feature_json() -> serde_json::Value {
    let text = fs::read_to_string(feature_dir().join("devcontainer-feature.json")).unwrap();
    serde_json::from_str(&text).expect("devcontainer-feature.json is JSON")
}

/// A scratch root that looks like a node image: /usr/local/bin/npm is the image's npm (here a
/// counting wrapper around the machine's real npm).
struct Image {
    h: Home,
    root: PathBuf,
    count_file: PathBuf,
}

impl Image {
    fn new() -> Image {
        let h = Home::new();
        let root = h.scratch().join("root");
        let count_file = h.scratch().join("image-npm-runs");
        write_counting_npm(&root.join("usr/local/bin/npm"), &count_file);
        Image {
            h,
            root,
            count_file,
        }
    }

    fn image_npm(&self) -> PathBuf {
        self.root.join("usr/local/bin/npm")
    }

    /// The container's PATH: containerEnv's PATH with `${PATH}` = the image's PATH and every
    /// absolute directory moved under the scratch root.
    fn container_path(&self) -> String {
        let json = feature_json();
        let template = json["containerEnv"]["PATH"]
            .as_str()
            .expect("containerEnv.PATH");
        let image_path = format!("{}/usr/local/bin:/usr/bin:/bin", self.root.display());
        template
            .split(':')
            .map(|dir| match dir {
                "${PATH}" => image_path.clone(),
                _ => format!("{}{dir}", self.root.display()),
            })
            .collect::<Vec<_>>()
            .join(":")
    }

    fn in_container(&self, script: &str) -> Output {
        self.h
            .bare("sh")
            .env("PATH", self.container_path())
            .env("npm_config_update_notifier", "false")
            .arg("-c")
            .arg(script)
            .output()
            .unwrap()
    }

    fn run_feature(&self, binary: &Path) -> Output {
        self.h
            .bare("sh")
            .env("REGAUTH_FEATURE_ROOT", &self.root)
            .env("BINARY", binary)
            .arg(feature_dir().join("install.sh"))
            .output()
            .unwrap()
    }
}

#[test]
fn feature_json_declares_the_shims_dir_before_the_image_path() {
    let json = feature_json();
    assert_eq!(json["id"], "regauth");
    assert!(json["version"].as_str().unwrap().split('.').count() == 3);
    assert_eq!(json["options"]["binary"]["type"], "string");
    assert_eq!(
        json["containerEnv"]["PATH"],
        "/usr/local/lib/regauth/shims:${PATH}"
    );
}

#[test]
fn feature_ships_the_same_shims_as_the_checkout() {
    for tool in ["npm", "npx", "pnpm", "pnpx", "yarn", "yarnpkg"] {
        assert_eq!(
            fs::read(feature_dir().join("shims").join(tool)).unwrap(),
            fs::read(checkout().join("shims").join(tool)).unwrap(),
            "devcontainer/regauth/shims/{tool} drifted from shims/{tool}: copy it again"
        );
    }
}

#[test]
fn feature_install_yields_a_working_shim_in_front_of_the_images_npm() {
    let image = Image::new();
    let npm_before = fs::read(image.image_npm()).unwrap();
    let out = image.run_feature(&regauth_bin());
    assert_success(&out, "feature install.sh");

    let root = &image.root;
    assert_eq!(
        fs::read(root.join("usr/local/bin/regauth")).unwrap(),
        fs::read(regauth_bin()).unwrap()
    );
    let shim = root.join("usr/local/lib/regauth/shims/npm");
    assert!(fs::read_to_string(&shim)
        .unwrap()
        .contains(regauth::SHIM_MARKER));
    assert_eq!(
        fs::read(image.image_npm()).unwrap(),
        npm_before,
        "/usr/local/bin/npm was touched"
    );

    let out = image.in_container("command -v npm; command -v npx; npm --version");
    assert_success(&out, "npm in the container");
    let npx_shim = root.join("usr/local/lib/regauth/shims/npx");
    assert_eq!(
        stdout(&out),
        format!(
            "{}\n{}\n{}\n",
            shim.display(),
            npx_shim.display(),
            real_npm_version()
        )
    );
    assert_eq!(
        count_runs(&image.count_file),
        1,
        "the image's npm must run exactly once"
    );

    let registry = Verdaccio::shared().url();
    let out = image.in_container(&format!(
        "npm view @priv/lib --registry {registry} --fetch-retries=0"
    ));
    assert_eq!(out.status.code(), Some(1));
    let line = format!("regauth: GET {registry}@priv%2flib answered 401");
    assert!(stderr(&out).contains(&line), "{}", stderr(&out));
    assert_eq!(count_runs(&image.count_file), 2);
}

#[test]
fn feature_install_without_a_binary_fails_in_one_line_and_installs_nothing() {
    let image = Image::new();
    let out = image.run_feature(Path::new("/nonexistent/regauth"));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("regauth feature: error: no regauth binary at /nonexistent/regauth"),
        "{err}"
    );
    assert!(!image.root.join("usr/local/lib").exists());
    assert!(!image.root.join("usr/local/bin/regauth").exists());
}

/// The Dockerfile route: `sh install.sh --prefix /usr/local --binary ./regauth` plus
/// `ENV PATH=/usr/local/lib/regauth/shims:$PATH` gives the same layout as the feature.
#[test]
fn dockerfile_route_matches_the_feature_layout() {
    let image = Image::new();
    let npm_before = fs::read(image.image_npm()).unwrap();
    let prefix = image.root.join("usr/local");
    let out = image
        .h
        .bare("sh")
        .env("PATH", format!("{}/bin:{BARE_PATH}", prefix.display()))
        .arg(install_sh())
        .args(["--prefix", prefix.to_str().unwrap(), "--binary"])
        .arg(regauth_bin())
        .output()
        .unwrap();
    assert_success(&out, "install.sh --prefix");
    assert_eq!(fs::read(image.image_npm()).unwrap(), npm_before);
    assert!(
        snapshot(&image.h.home()).is_empty(),
        "a --prefix install without --path/--alias wrote into HOME"
    );

    let out = image.in_container("command -v npm; npm --version");
    assert_success(&out, "npm after the Dockerfile route");
    assert_eq!(
        stdout(&out),
        format!(
            "{}/lib/regauth/shims/npm\n{}\n",
            prefix.display(),
            real_npm_version()
        )
    );
    assert_eq!(count_runs(&image.count_file), 1);
}
