//! The npm package (scripts/npm-pack.sh): published to a real Verdaccio on 127.0.0.1, installed
//! with `npm install -g regauth --prefix`, run, shimmed through `regauth init bash`, uninstalled;
//! and the one-line error where no platform package matches.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::npm_pack::{install_global, shared_registry, tarballs, text, VERSION};
use support::NpmEnv;

/// package/package.json of a tarball, parsed.
fn manifest_of(tarball: &Path) -> serde_json::Value {
    let output = Command::new("tar")
        .arg("-xzOf")
        .arg(tarball)
        .arg("package/package.json")
        .output()
        .expect("run tar");
    assert!(output.status.success(), "tar: {}", text(&output));
    serde_json::from_slice(&output.stdout).expect("package.json is JSON")
}

fn run(command: &mut Command) -> (i32, String, String) {
    let output = command.output().expect("run command");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every path under `dir` whose name mentions regauth.
fn regauth_paths(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_name().to_string_lossy().contains("regauth") {
                found.push(path.clone());
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                todo.push(path);
            }
        }
    }
    found
}

#[test]
fn the_packages_declare_every_platform_and_run_no_install_script() {
    let packed = tarballs();
    let main = manifest_of(&packed.main);
    assert_eq!(main["name"], "regauth");
    assert_eq!(main["version"], VERSION);
    assert_eq!(main["bin"]["regauth"], "bin/regauth.js");
    assert!(main.get("scripts").is_none(), "install scripts in {main}");
    let optional = main["optionalDependencies"]
        .as_object()
        .expect("optionalDependencies");
    for name in [
        "linux-x64-gnu",
        "linux-arm64-gnu",
        "linux-x64-musl",
        "linux-arm64-musl",
        "darwin-x64",
        "darwin-arm64",
        "win32-x64",
    ] {
        assert_eq!(
            optional[&format!("@regauth/{name}")],
            VERSION,
            "{name} in {main}"
        );
    }
    let platform = manifest_of(&packed.platform);
    assert_eq!(platform["name"], "@regauth/linux-x64-gnu");
    assert_eq!(platform["os"], serde_json::json!(["linux"]));
    assert_eq!(platform["cpu"], serde_json::json!(["x64"]));
    assert_eq!(platform["libc"], serde_json::json!(["glibc"]));
    assert!(platform.get("scripts").is_none() && platform.get("bin").is_none());
}

#[test]
fn install_run_shim_and_uninstall_from_a_registry() {
    let verdaccio = shared_registry();
    let env = NpmEnv::new();
    let tool = env.root().join("tool");
    let installed = install_global(&env, &tool, &verdaccio.url(), &[]);
    assert!(installed.status.success(), "{}", text(&installed));
    let launcher = tool.join("bin/regauth");

    let (code, stdout, stderr) = run(env.command(&launcher).arg("--version"));
    assert_eq!(
        (code, stdout.trim()),
        (0, format!("regauth {VERSION}").as_str()),
        "{stderr}"
    );

    // The shell snippet names the native binary, never the Node launcher.
    let (code, snippet, stderr) = run(env.command(&launcher).args(["init", "bash"]));
    assert_eq!(code, 0, "{stderr}");
    let native =
        tool.join("lib/node_modules/regauth/node_modules/@regauth/linux-x64-gnu/bin/regauth");
    assert!(
        snippet.contains(&format!("alias npm='{} npm'", native.display())),
        "{snippet}"
    );
    let head = fs::read(&native).expect("read the native binary");
    assert_eq!(
        &head[..4],
        b"\x7fELF",
        "{} is not the native binary",
        native.display()
    );

    // A private package without a token: npm's E401, then regauth's explanation under it.
    env.write_userconfig(&format!("registry={}\n", verdaccio.url()));
    let script = format!(
        "shopt -s expand_aliases\neval \"$('{}' init bash)\"\ntype npm\nnpm install @priv/lib --no-audit --no-fund\n",
        launcher.display()
    );
    let (code, stdout, stderr) = run(env.command("bash").arg("-c").arg(script));
    assert_ne!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("npm is aliased to `{} npm'", native.display())),
        "{stdout}"
    );
    assert!(stderr.contains("npm error code E401"), "{stderr}");
    let explanation = stderr.split("npm error code E401").nth(1).unwrap_or("");
    assert!(
        explanation.contains("regauth: GET ") && explanation.contains("= cause: "),
        "{stderr}"
    );

    // A platform regauth has no package for gets one line naming it.
    let preload = env.root().join("freebsd.js");
    fs::write(
        &preload,
        "Object.defineProperty(process, 'platform', { value: 'freebsd' });\n",
    )
    .unwrap();
    let (code, _, stderr) = run(env
        .command("node")
        .arg("--require")
        .arg(&preload)
        .arg(&launcher)
        .arg("--version"));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("regauth: no prebuilt binary for freebsd-x64 "),
        "{stderr}"
    );

    let removed = env
        .npm()
        .args(["uninstall", "-g", "regauth", "--prefix"])
        .arg(&tool)
        .output()
        .expect("run npm uninstall");
    assert!(removed.status.success(), "{}", text(&removed));
    assert_eq!(regauth_paths(&tool), Vec::<PathBuf>::new());
}

#[test]
fn no_installed_platform_package_is_a_one_line_error_naming_the_platform() {
    let verdaccio = shared_registry();
    let env = NpmEnv::new();
    let tool = env.root().join("tool");
    // npm installs the optional dependency for the platform it is told, which is not this one.
    let installed = install_global(&env, &tool, &verdaccio.url(), &["--cpu=arm64"]);
    assert!(installed.status.success(), "{}", text(&installed));
    let nested = tool.join("lib/node_modules/regauth/node_modules/@regauth");
    assert!(
        !nested.join("linux-x64-gnu").exists(),
        "npm installed the x64 package anyway"
    );

    let (code, stdout, stderr) = run(env.command(tool.join("bin/regauth")).arg("--version"));
    assert_eq!((code, stdout.as_str()), (1, ""), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("regauth: no prebuilt binary for linux-x64 (glibc): @regauth/linux-x64-gnu is not installed"),
        "{stderr}"
    );
}
