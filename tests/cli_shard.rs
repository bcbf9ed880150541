//! `--shard I/M` and `overparam merge` (issue 17 §3; docs/scaling.md): M shards run as separate
//! processes and merged print exactly the bytes of the single run, in every format; incomplete,
//! duplicated, mixed or corrupted parts are refused with exit status 2 naming the file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> String {
    std::env::var("OVERPARAM_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_overparam").into())
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("overparam-cli-shard-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("run overparam")
}

fn words(command: &str) -> Vec<&str> {
    command.split(' ').collect()
}

/// Run `command` as `m` shards (separate processes), write the parts into `dir`, return their
/// paths.
fn shards(dir: &Path, command: &str, m: usize) -> Vec<String> {
    (1..=m)
        .map(|i| {
            let mut args = words(command);
            let shard = format!("{i}/{m}");
            args.extend(["--shard", &shard]);
            let out = run(&args);
            assert!(
                out.status.success(),
                "{command} --shard {shard}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let path = dir.join(format!("part.{i}"));
            std::fs::write(&path, &out.stdout).expect("write part");
            path.to_string_lossy().into_owned()
        })
        .collect()
}

fn merge(parts: &[String]) -> Output {
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    run(&args)
}

/// The merged parts print the single run's bytes, for several subcommands and all formats.
#[test]
fn merged_shards_print_the_single_run_byte_for_byte() {
    let cases: &[(&str, usize)] = &[
        (
            "rf --psi1 2 --psi2 3 --lambda 1e-3 --simulate --d 30 --trials 6 --format json",
            4,
        ),
        // A sweep, the table format, and more shards than trials (empty parts).
        (
            "rf --psi1 1:3:3 --psi2 3 --lambda 1e-3 --noise-sd 0.5 --simulate --d 20 --trials 3",
            5,
        ),
        (
            "ridge --gamma 0.5:2:3 --lambda 0.1 --snr 1 --simulate --n 40 --trials 5 --format csv",
            3,
        ),
        (
            "ridge --spectrum powerlaw:1.5:1 --gamma 0.5 --lambda 0.1 --snr 1 --simulate --n 40 --trials 4 --format json",
            3,
        ),
        (
            "adversarial --psi1 2 --psi2 1.5 --eps 0.3 --simulate --d 16 --trials 4",
            2,
        ),
        (
            "adversarial --linear --delta 2 --eps 0.2 --simulate --d 30 --trials 4 --format csv",
            3,
        ),
        // Membership: the advantage and AUC pool the trials (not plain means over trials).
        (
            "membership --gamma 0.5 --lambda 0.1 --simulate --n 30 --trials 6 --format json",
            4,
        ),
        (
            "membership --gamma 0.5 --lambda 0.1 --attack loss --simulate --n 30 --trials 6 --format csv",
            4,
        ),
        (
            "dynamics --gamma 0.5 --snr 1 --time 1:10:3 --simulate --n 40 --trials 4 --format json",
            2,
        ),
        ("hessian --gd --d 4 --runs 6 --format json", 3),
    ];
    for (k, (command, m)) in cases.iter().enumerate() {
        let single = run(&words(command));
        assert!(
            single.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&single.stderr)
        );
        assert!(!single.stdout.is_empty(), "{command}: no output");
        let dir = scratch(&format!("case{k}"));
        let mut parts = shards(&dir, command, *m);
        // Any order of the parts.
        parts.reverse();
        let merged = merge(&parts);
        assert!(
            merged.status.success(),
            "merge of {command}: {}",
            String::from_utf8_lossy(&merged.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&merged.stdout),
            String::from_utf8_lossy(&single.stdout),
            "{command}: merged output differs from the single run"
        );
        assert_eq!(merged.stdout, single.stdout, "{command}: bytes differ");
        // A part is not the single run's output.
        let part = std::fs::read(&parts[0]).expect("part");
        assert!(part.starts_with(b"overparam-partial 1\n"), "{command}");
        assert_ne!(part, single.stdout);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A single point whose run fails in the single run fails the same way after the merge (the
/// status and the message are those of the replayed command), and a part can come from stdin.
#[test]
fn a_part_can_come_from_standard_input() {
    let command =
        "ridge --gamma 0.5 --lambda 0.1 --snr 1 --simulate --n 30 --trials 4 --format json";
    let dir = scratch("stdin");
    let parts = shards(&dir, command, 2);
    let part1 = std::fs::read(&parts[0]).expect("part");
    let mut child = Command::new(bin())
        .args(["merge", "-", &parts[1]])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(&part1).expect("write stdin");
    }
    let merged = child.wait_with_output().expect("merge");
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    assert_eq!(merged.stdout, run(&words(command)).stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

fn assert_refused(out: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "`{n}` not in: {stderr}");
    }
}

/// Missing, duplicated, mixed and corrupted parts: exit 2, one line naming the file and the
/// problem, nothing on stdout.
#[test]
fn incomplete_mixed_or_corrupted_parts_are_refused() {
    let dir = scratch("refused");
    let a = "rf --psi1 2 --psi2 3 --lambda 1e-3 --simulate --d 20 --trials 4 --format json";
    let parts = shards(&dir, a, 3);
    // A shard missing.
    assert_refused(&merge(&parts[..2]), &["shard 3/3 is missing", "part.1"]);
    // A shard given twice.
    let twice = [parts[0].clone(), parts[1].clone(), parts[1].clone()];
    assert_refused(&merge(&twice), &["part.2", "given twice"]);
    // Parts of another command (another seed).
    let other_dir = dir.join("other");
    std::fs::create_dir_all(&other_dir).expect("dir");
    let other = shards(&other_dir, &format!("{a} --seed 2"), 3);
    let mixed = [parts[0].clone(), parts[1].clone(), other[2].clone()];
    assert_refused(&merge(&mixed), &["other/part.3", "another command"]);
    // Parts of another number of shards.
    let four_dir = dir.join("four");
    std::fs::create_dir_all(&four_dir).expect("dir");
    let four = shards(&four_dir, a, 4);
    let counts = [parts[0].clone(), parts[1].clone(), four[2].clone()];
    assert_refused(&merge(&counts), &["four/part.3", "shard 3 of 4"]);
    // A corrupted value: the per-field sums no longer match.
    let text = std::fs::read_to_string(&parts[1]).expect("part");
    let line = text
        .lines()
        .find(|l| l.starts_with("trial "))
        .expect("a trial line")
        .to_string();
    let mut fields: Vec<String> = line.split(' ').map(String::from).collect();
    fields[3] = "1.25e0".into();
    let corrupted = dir.join("corrupted");
    std::fs::write(&corrupted, text.replace(&line, &fields.join(" "))).expect("write");
    let bad = [
        parts[0].clone(),
        corrupted.to_string_lossy().into_owned(),
        parts[2].clone(),
    ];
    assert_refused(&merge(&bad), &["corrupted", "do not match"]);
    // A garbled line.
    let garbled = dir.join("garbled");
    std::fs::write(&garbled, text.replace(&line, "trial x ok")).expect("write");
    let bad = [
        parts[0].clone(),
        garbled.to_string_lossy().into_owned(),
        parts[2].clone(),
    ];
    assert_refused(&merge(&bad), &["garbled, line", "malformed trial line"]);
    // A truncated part (its shard was killed).
    let truncated = dir.join("truncated");
    let cut = text.rfind("end ").expect("end line");
    std::fs::write(&truncated, &text[..cut]).expect("write");
    let bad = [
        parts[0].clone(),
        truncated.to_string_lossy().into_owned(),
        parts[2].clone(),
    ];
    assert_refused(&merge(&bad), &["truncated", "no `end` line"]);
    // Not a partial result at all, another format version, a missing file.
    let single = dir.join("single.json");
    std::fs::write(&single, run(&words(a)).stdout).expect("write");
    assert_refused(
        &merge(&[single.to_string_lossy().into_owned()]),
        &["single.json, line 1", "not a partial result"],
    );
    let v2 = dir.join("v2");
    std::fs::write(
        &v2,
        text.replacen("overparam-partial 1", "overparam-partial 2", 1),
    )
    .expect("write");
    assert_refused(
        &merge(&[v2.to_string_lossy().into_owned()]),
        &["v2, line 1", "format version 2"],
    );
    assert_refused(
        &merge(&[dir.join("nowhere").to_string_lossy().into_owned()]),
        &["nowhere", "cannot read"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--shard` needs `--simulate` (or `--gd`), a valid I/M, and no `--plot`.
#[test]
fn shard_flag_errors() {
    let base = "rf --psi1 2 --psi2 3 --lambda 1e-3";
    assert_refused(
        &run(&words(&format!("{base} --shard 1/2"))),
        &["--shard", "--simulate"],
    );
    for bad in ["0/4", "5/4", "1/0", "x", "1/2/3", "-1/2"] {
        let out = run(&words(&format!("{base} --simulate --d 20 --shard {bad}")));
        assert_eq!(out.status.code(), Some(2), "--shard {bad}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--shard"), "{bad}: {stderr}");
    }
    assert_refused(
        &run(&words(&format!(
            "{base} --simulate --d 20 --shard 1/2 --plot /tmp/x.svg"
        ))),
        &["--plot", "--shard"],
    );
    // An error before any simulation is the command's own, as without --shard.
    let over = "rf --psi1 2 --psi2 3 --lambda 1e-3 --simulate --d 20 --memory-budget 1kB";
    let out = run(&words(&format!("{over} --shard 1/2")));
    let single = run(&words(over));
    assert_eq!(single.status.code(), Some(2));
    assert_eq!(out.status.code(), single.status.code());
    assert_eq!(out.stderr, single.stderr);
    // A single point that fails after its simulation (the limit diverges at the realised
    // sizes): the shards record their trials, and the merge fails exactly as the single run.
    let diverges = "rf --psi1 2 --psi2 2 --lambda 0 --simulate --d 20";
    let single = run(&words(diverges));
    assert_eq!(single.status.code(), Some(2));
    let dir = scratch("diverges");
    let merged = merge(&shards(&dir, diverges, 2));
    assert_eq!(merged.status.code(), single.status.code());
    assert_eq!(merged.stdout, single.stdout);
    assert_eq!(merged.stderr, single.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The GNU parallel recipe of docs/scaling.md: four shards as parallel processes, merged, equal
/// to the single run. Skipped with a notice only when `parallel` is absent outside CI (`.ci/run`
/// installs it; with `CI` set the test fails without it).
#[test]
fn gnu_parallel_recipe_merges_to_the_single_run() {
    let have = Command::new("parallel")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        assert!(
            std::env::var_os("CI").is_none(),
            "GNU parallel is required in CI (.ci/run installs it)"
        );
        eprintln!("NOTICE: GNU parallel not installed: the recipe test is skipped");
        return;
    }
    let dir = scratch("parallel");
    let command = "rf --psi1 2 --psi2 3 --lambda 1e-3 --simulate --d 30 --trials 8 --format csv";
    let line = format!(
        "parallel --will-cite {} {command} --shard {{}}/4 '>' part.{{}} ::: $(seq 4) && {} merge part.* > merged.csv",
        bin(),
        bin()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&line)
        .current_dir(&dir)
        .output()
        .expect("sh");
    assert!(
        out.status.success(),
        "{line}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged = std::fs::read(dir.join("merged.csv")).expect("merged");
    let single = run(&words(command));
    assert!(single.status.success());
    assert_eq!(merged, single.stdout, "GNU parallel merge differs");
    let _ = std::fs::remove_dir_all(&dir);
}
