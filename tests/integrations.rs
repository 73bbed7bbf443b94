//! CI-native output and command-line conventions: `--format github`, SARIF validated against
//! the official 2.1.0 schema (vendored from npm `@microsoft/sarif-multitool-linux` 5.7.0,
//! `tests/data/sarif-2.1.0.json`), `--output-file`, `--quiet`, `--color`, `--config`,
//! completions, the man page and the JSON Schema of `.moment/sync.json`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("moment-sync").expect("binary builds");
    cmd.env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    cmd
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn stdout(cmd: &mut Command) -> (String, String, i32) {
    let out = cmd.output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

/// The drifted fixture copied into `<tmp>/<repo>/<sub>` with a `.git` folder at `<repo>`.
fn drifted_in_repository(repo: &str, sub: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo_root = dir.path().join(repo);
    std::fs::create_dir_all(repo_root.join(".git")).unwrap();
    let root = if sub.is_empty() {
        repo_root.clone()
    } else {
        repo_root.join(sub)
    };
    copy_dir(&fixture("drifted"), &root);
    (dir, repo_root, root)
}

// --- --format github ---------------------------------------------------------------------------

#[test]
fn github_annotations_name_repository_paths_and_levels_by_category() {
    let (_dir, _repo, root) = drifted_in_repository("repo", "packages/api");
    let (text, _, code) = stdout(bin().args(["check", "--format", "github"]).arg(&root));
    assert_eq!(code, 1, "drift fails the build by default");
    let lines: Vec<&str> = text.lines().collect();
    let json: Value = serde_json::from_slice(
        &bin()
            .args(["check", "--format", "json"])
            .arg(&root)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let points = json["driftPoints"].as_array().unwrap();
    assert_eq!(
        lines.len(),
        points.len(),
        "one annotation per point:\n{text}"
    );
    for (line, p) in lines.iter().zip(points) {
        let level = match p["category"].as_u64().unwrap() {
            3 => "error",
            2 => "warning",
            _ => "notice",
        };
        assert!(line.starts_with(&format!("::{level} ")), "{line}");
        let loc = p["implementation"]
            .as_object()
            .or(p["spec"].as_object())
            .unwrap();
        let expected = format!(
            "file=packages/api/{},line={},col={},",
            loc["path"].as_str().unwrap(),
            loc["line"],
            loc["column"]
        );
        assert!(line.contains(&expected), "{line} lacks {expected}");
        let (props, message) = line.split_once("::").unwrap().1.split_once("::").unwrap();
        assert!(props.contains("title=moment-sync "), "{props}");
        assert!(
            message.ends_with(&format!("[{}]", p["id"].as_str().unwrap())),
            "{message}"
        );
        // Nothing in a property may end it early.
        for value in props.split(',').map(|kv| kv.split_once('=').unwrap().1) {
            assert!(!value.contains(':'), "unescaped `:` in {props}");
        }
    }
}

#[test]
fn github_annotations_at_the_repository_root_and_when_in_sync() {
    let (_dir, _repo, root) = drifted_in_repository("repo", "");
    let (text, _, _) = stdout(bin().args(["check", "--format", "github"]).arg(&root));
    assert!(text.contains("file=src/domain/"), "{text}");
    let (text, _, code) = stdout(
        bin()
            .args(["check", "--format", "github"])
            .arg(fixture("in-sync")),
    );
    assert_eq!((text.as_str(), code), ("", 0));
}

// --- SARIF ---------------------------------------------------------------------------------------

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("data/sarif-2.1.0.json")).expect("schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn sarif_of(root: &Path) -> Value {
    let out = bin()
        .args(["check", "--format", "sarif"])
        .arg(root)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn assert_valid(validator: &jsonschema::Validator, sarif: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn sarif_validates_against_the_official_schema_with_spaces_and_non_ascii_roots() {
    let validator = sarif_validator();
    for (repo, sub) in [
        ("plain", ""),
        ("with space", ""),
        ("ünïcödé räpo", "sub folder/日本"),
        ("100% #1?", ""),
    ] {
        let (_dir, repo_root, root) = drifted_in_repository(repo, sub);
        let sarif = sarif_of(&root);
        assert_valid(&validator, &sarif, repo);
        let run = &sarif["runs"][0];
        let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap();
        let expected = url::Url::from_directory_path(&repo_root).unwrap();
        assert_eq!(base, expected.as_str(), "root URI of {repo}");
        // The base plus the relative reference names a real file.
        let uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        let file = expected.join(uri).unwrap().to_file_path().unwrap();
        assert!(
            file.is_file(),
            "{uri} does not resolve to a file ({file:?})"
        );
        assert!(
            file.starts_with(&root),
            "{file:?} is under the moment-sync root"
        );
    }
}

#[test]
fn the_sarif_schema_check_can_fail() {
    let validator = sarif_validator();
    let mut sarif = sarif_of(&fixture("drifted"));
    assert_valid(&validator, &sarif, "drifted");
    // What the old `format!("file://{}/")` produced for a root with a space.
    sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] =
        Value::String("file:///tmp/with space/".into());
    assert!(!validator.is_valid(&sarif), "format checks are on");
}

#[test]
fn sarif_rules_carry_markdown_help_and_a_default_configuration() {
    let sarif = sarif_of(&fixture("drifted"));
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), 12);
    for r in rules {
        let md = r["help"]["markdown"].as_str().unwrap();
        assert!(md.contains(r["id"].as_str().unwrap()), "{md}");
        assert!(md.contains("](https://"), "links the docs: {md}");
        assert_eq!(r["defaultConfiguration"]["level"], "warning");
    }
}

// --- --output-file, --quiet, --color -----------------------------------------------------------

#[test]
fn output_file_receives_the_report_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("reports/moment sync.sarif");
    let (text, _, code) = stdout(
        bin()
            .args(["check", "--format", "sarif", "--output-file"])
            .arg(&target)
            .arg(fixture("drifted")),
    );
    assert_eq!((text.as_str(), code), ("", 1));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(written["version"], "2.1.0");
    // No temp file is left next to it.
    let names: Vec<_> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // A file gets no colours, unless they are forced (`--color always` or FORCE_COLOR).
    let human = dir.path().join("human.txt");
    let write_human = |cmd: &mut Command| {
        cmd.args(["check", "--output-file"])
            .arg(&human)
            .arg(fixture("drifted"))
            .output()
            .unwrap();
        std::fs::read_to_string(&human).unwrap()
    };
    let plain = write_human(&mut bin());
    assert!(plain.contains("changed-signature") && !plain.contains('\u{1b}'));
    assert!(write_human(bin().args(["--color", "always"])).contains('\u{1b}'));
    assert!(write_human(bin().env("FORCE_COLOR", "1")).contains('\u{1b}'));
}

#[test]
fn output_file_that_cannot_be_written_is_a_clear_error_and_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "keep me").unwrap();
    let (_, err, code) = stdout(
        bin()
            .args(["check", "--output-file"])
            .arg(blocker.join("report.txt"))
            .arg(fixture("drifted")),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("cannot write") && err.contains("report.txt"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "keep me");
}

#[test]
fn quiet_prints_only_the_drift_points() {
    let (text, err, code) = stdout(bin().args(["check", "--quiet"]).arg(fixture("drifted")));
    assert_eq!(code, 1);
    assert!(text.contains("changed-signature"), "{text}");
    assert!(!text.contains("drift points in"), "no summary: {text}");
    assert!(
        !text.contains("note:") && !text.contains("warning:"),
        "{text}"
    );
    assert_eq!(err, "");
    let (text, _, code) = stdout(bin().args(["check", "-q"]).arg(fixture("in-sync")));
    assert_eq!((text.as_str(), code), ("", 0));
}

#[test]
fn color_follows_the_flag_then_force_color_then_no_color() {
    let colored = |cmd: &mut Command| {
        stdout(cmd.arg("check").arg(fixture("drifted")))
            .0
            .contains('\u{1b}')
    };
    // stdout is a pipe here: auto means no colour…
    assert!(!colored(&mut bin()));
    // …unless forced by the flag or FORCE_COLOR.
    assert!(colored(bin().args(["--color", "always"])));
    assert!(colored(bin().arg("--color=always").env("NO_COLOR", "1")));
    assert!(colored(bin().env("FORCE_COLOR", "1")));
    assert!(!colored(bin().env("FORCE_COLOR", "0")));
    assert!(colored(bin().env("FORCE_COLOR", "1").env("NO_COLOR", "1")));
    assert!(!colored(
        bin().args(["--color", "never"]).env("FORCE_COLOR", "1")
    ));
    // The flag is global: it may follow the subcommand.
    let out = stdout(
        bin()
            .args(["check", "--color", "always"])
            .arg(fixture("drifted")),
    );
    assert!(out.0.contains('\u{1b}'));
}

// --- --config and the config schema ------------------------------------------------------------

#[test]
fn config_flag_reads_another_file() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("drifted"), dir.path());
    std::fs::rename(
        dir.path().join("src/domain"),
        dir.path().join("src/handwritten"),
    )
    .unwrap();
    let config = dir.path().join("ci config.json");
    std::fs::write(
        &config,
        r#"{"$schema": "../docs/schema/sync.schema.json", "implementationDir": "src/handwritten"}"#,
    )
    .unwrap();
    let (text, err, code) = stdout(bin().arg("check").arg(dir.path()));
    assert_eq!(
        code, 2,
        "without the config the side is missing: {text}{err}"
    );
    let (text, err, code) = stdout(
        bin()
            .args(["check", "--config"])
            .arg(&config)
            .arg(dir.path()),
    );
    assert_eq!(code, 1, "{err}");
    assert!(text.contains("src/handwritten/"), "{text}");
    // A named file must exist; a bad one is named with its line.
    let (_, err, code) = stdout(
        bin()
            .args(["check", "--config"])
            .arg(dir.path().join("nope.json"))
            .arg(dir.path()),
    );
    assert_eq!(code, 2);
    assert!(err.contains("nope.json"), "{err}");
    std::fs::write(&config, "{\n  \"colour\": 1\n}").unwrap();
    let (_, err, code) = stdout(
        bin()
            .args(["check", "--config"])
            .arg(&config)
            .arg(dir.path()),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("ci config.json:2") && err.contains("colour"),
        "{err}"
    );
}

#[test]
fn the_shipped_config_schema_is_the_generated_one_and_validates_configs() {
    let (text, _, code) = stdout(bin().arg("schema"));
    assert_eq!(code, 0);
    let generated: Value = serde_json::from_str(&text).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for shipped in [
        "docs/schema/sync.schema.json",
        "editors/vscode/schemas/sync.schema.json",
    ] {
        let file: Value =
            serde_json::from_str(&std::fs::read_to_string(root.join(shipped)).unwrap()).unwrap();
        assert_eq!(
            file, generated,
            "{shipped} is stale: run `cargo run -q -- schema > {shipped}`"
        );
    }
    let validator = jsonschema::validator_for(&generated).unwrap();
    let good = serde_json::json!({
        "$schema": "https://example.test/sync.schema.json",
        "generatedDir": "gen",
        "severity": {"1": "hint", "3": "error"},
        "debounceMs": 10,
        "reconcileExitCodes": {"BREAKING": 3}
    });
    assert!(validator.is_valid(&good));
    for bad in [
        serde_json::json!({"colour": 1}),
        serde_json::json!({"debounceMs": "fast"}),
        serde_json::json!({"severity": {"1": "loud"}}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad} accepted");
    }
    let package: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("editors/vscode/package.json")).unwrap(),
    )
    .unwrap();
    let validation = &package["contributes"]["jsonValidation"][0];
    assert_eq!(validation["fileMatch"], ".moment/sync.json");
    assert_eq!(validation["url"], "./schemas/sync.schema.json");
}

// --- completions and man page ------------------------------------------------------------------

#[test]
fn completions_for_every_shell_name_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (text, err, code) = stdout(bin().args(["completions", shell]));
        assert_eq!(code, 0, "{shell}: {err}");
        for word in ["check", "reconcile", "format", "github", "output-file"] {
            assert!(text.contains(word), "{shell} completion lacks {word}");
        }
    }
    let (_, err, code) = stdout(bin().args(["completions", "tcsh"]));
    assert_eq!(code, 2);
    assert!(err.contains("tcsh"), "{err}");
    // The bash script is valid bash.
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("moment-sync.bash");
    std::fs::write(&script, stdout(bin().args(["completions", "bash"])).0).unwrap();
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn man_pages_render() {
    let (text, _, code) = stdout(bin().arg("man"));
    assert_eq!(code, 0);
    assert!(text.contains(".TH moment-sync 1"), "{text}");
    assert!(text.contains("reconcile"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let (_, err, code) = stdout(bin().args(["man", "--dir"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let page = std::fs::read_to_string(dir.path().join("moment-sync-check.1")).unwrap();
    assert!(page.contains("output\\-file"), "{page}");
}

// --- the published crate ------------------------------------------------------------------------

#[test]
fn the_crate_ships_only_what_a_crate_user_needs() {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = String::from_utf8(out.stdout).unwrap();
    let files: Vec<&str> = list.lines().collect();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "LICENSE",
        "README.md",
        "server/src/main.rs",
        "server/src/lib.rs",
        "server/src/mcp/mod.rs",
        "docs/INTEGRATIONS.md",
        "docs/schema/sync.schema.json",
    ] {
        assert!(files.contains(&needed), "{needed} missing:\n{list}");
    }
    for f in &files {
        let allowed = f.starts_with("server/src/")
            || (f.starts_with("docs/") && (f.ends_with(".md") || f.ends_with(".json")))
            || [
                "Cargo.toml",
                "Cargo.toml.orig",
                "Cargo.lock",
                "LICENSE",
                "README.md",
                ".cargo_vcs_info.json",
            ]
            .contains(f);
        assert!(allowed, "{f} is shipped in the crate");
    }
}
