//! Sharded runs that merge exactly: trial $k$ of a run belongs to shard $I$ of $M$ when
//! $k \equiv I - 1 \pmod M$.
//!
//! Every trial draws from its own stream [`crate::sim::rng::trial_rng`]`(seed, k)`, so the
//! trials of a run can be computed anywhere, in any order. A sharded run exploits this at the
//! level of the trial loop every simulation uses (`sim::run_trials`):
//!
//! 1. **Capture.** [`capture`]`(shard, f)` runs `f` (any code that runs simulations, e.g. a
//!    whole command) with every trial loop computing only the trials of `shard`. Each loop
//!    records the *outcome* of each of its trials (the structure a trial returns, as a list of
//!    `f64`, [`TrialOutcome`]) in a [`PartialCall`], and then fails with
//!    [`Error::Sharded`] instead of aggregating (an aggregate over a part of the trials is not
//!    the run's). The calls, with the command and the shard, form a [`PartialRun`], which has a
//!    lossless text form ([`PartialRun::to_text`], [`PartialRun::parse`]; the format is below).
//! 2. **Merge.** [`MergedRun::from_parts`] validates the parts (same format version, same crate
//!    version, same command, same $M$, each $I$ exactly once, the same trial loops with the same
//!    seeds and trial counts, every trial present exactly once in the shard it belongs to, the
//!    per-field sums consistent with the values) and puts the trials of each loop back in
//!    trial order.
//! 3. **Replay.** [`replay`]`(&merged, f)` runs `f` again with every trial loop *decoding* its
//!    trials from the merged parts instead of computing them (a trial that failed in its shard
//!    is computed again, so that its error is the real one). The aggregation (means, standard
//!    errors, pooled statistics such as membership's split-threshold advantage, the joins) then
//!    runs on exactly the values, in exactly the order, of a single run: the merged result is
//!    the single run's **bit for bit**, whatever the model and whatever it derives from its
//!    trials.
//!
//! The command line exposes this as `--shard I/M` on every subcommand that simulates and
//! `overparam merge PARTS...` (docs/scaling.md).
//!
//! # The partial format (version 1)
//!
//! UTF-8 text, one item a line, fields separated by one space; text fields (arguments, labels,
//! messages) escape `\` as `\\`, a newline as `\n`, a carriage return as `\r`, a tab as `\t`
//! and a space as `\s`. Numbers are decimal in the shortest form that reads back to the same
//! `f64` (Rust's `{:e}`; any correctly rounding parser, e.g. Python's `float`, reads them
//! exactly).
//!
//! ```text
//! overparam-partial 1                 format name and version (FORMAT_VERSION)
//! crate 0.1.0                         the crate version that wrote it
//! shard 2/4                           I/M
//! arg rf                              the command, one argument a line (argv without the
//! arg --psi1                          program name and without --shard)
//! arg 2
//! call 8 1 random\sfeatures           a trial loop: its trials m, seed, label
//! stat test_error 2 3.1e-1 4.9e-2     per named field: count, sum, sum of squares (in trial
//!                                     order) over this shard's trials: the mean and SE of the
//!                                     shard without reading the values
//! trial 1 ok 1.5e-1 ...               trial k's outcome (TrialOutcome::encode)
//! trial 5 err message                 trial k failed with this message
//! end 1                               the number of calls: a truncated part is detected
//! ```
//!
//! ```
//! use overparam::experiment::RunOptions;
//! use overparam::sim::ridge::LinearRidgeSimulation;
//! use overparam::sim::shard::{MergedRun, PartialRun, Shard, capture, replay};
//! let sim = LinearRidgeSimulation { n: 60, ..Default::default() }.check()?;
//! let run = RunOptions { seed: 3, trials: 5, progress: false };
//! let single = sim.run(&run)?;
//! // Three shards, e.g. three processes or machines; each writes its part as text.
//! let parts = (1..=3)
//!     .map(|i| {
//!         let shard = Shard::new(i, 3)?;
//!         let (result, calls) = capture(shard, || sim.run(&run));
//!         assert!(result.is_err()); // a shard alone does not aggregate
//!         let part = PartialRun::new(shard, vec!["my-study".into()], calls);
//!         Ok((format!("part.{i}"), PartialRun::parse(&part.to_text(), "part")?))
//!     })
//!     .collect::<overparam::Result<Vec<_>>>()?;
//! let merged = MergedRun::from_parts(&parts)?;
//! let again = replay(&merged, || sim.run(&run))??;
//! assert_eq!(again, single); // bit for bit
//! # Ok::<(), overparam::Error>(())
//! ```

use std::cell::RefCell;
use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// The version of the partial format written by [`PartialRun::to_text`].
pub const FORMAT_VERSION: u32 = 1;

/// The first word of a partial file.
pub const FORMAT_NAME: &str = "overparam-partial";

/// The largest number of shards: a million (more shards than trials only adds empty parts).
pub const MAX_SHARDS: usize = 1_000_000;

/// Shard $I$ of $M$ ($1 \le I \le M$): the trials $k \equiv I - 1 \pmod M$ of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    index: usize,
    count: usize,
}

impl Shard {
    /// Shard `index` of `count`.
    ///
    /// Domain: $1 \le M \le$ [`MAX_SHARDS`], $1 \le I \le M$. Errors:
    /// [`Error::InvalidParameter`] naming `shard` outside it.
    pub fn new(index: usize, count: usize) -> Result<Self> {
        if count == 0 || count > MAX_SHARDS {
            return Err(Error::InvalidParameter {
                name: "shard",
                value: count as f64,
                expected: "I/M with M an integer in [1, 1000000]",
            });
        }
        if index == 0 || index > count {
            return Err(Error::InvalidParameter {
                name: "shard",
                value: index as f64,
                expected: "I/M with I an integer in [1, M]",
            });
        }
        Ok(Self { index, count })
    }

    /// The whole run as one shard (1/1).
    pub fn whole() -> Self {
        Self { index: 1, count: 1 }
    }

    /// $I$ (1-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// $M$.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Whether trial $k$ (0-based) belongs to this shard: $k \equiv I - 1 \pmod M$.
    pub fn contains(&self, trial: u64) -> bool {
        trial % self.count as u64 == (self.index - 1) as u64
    }

    /// The trials of a run of `trials` trials that belong to this shard, increasing.
    pub fn trials(&self, trials: usize) -> impl Iterator<Item = u64> + use<> {
        ((self.index - 1) as u64..trials as u64).step_by(self.count)
    }
}

impl fmt::Display for Shard {
    /// `I/M`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = Error;

    /// `I/M`, two decimal integers. Errors: [`Error::InvalidParameter`] naming `shard`.
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::InvalidParameter {
            name: "shard",
            value: f64::NAN,
            expected: "I/M with integers 1 <= I <= M <= 1000000 (e.g. 2/4)",
        };
        let (i, m) = s.trim().split_once('/').ok_or_else(bad)?;
        let parse = |t: &str| -> Result<usize> {
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            t.parse::<usize>().map_err(|_| bad())
        };
        let (i, m) = (parse(i)?, parse(m)?);
        if m == 0 || m > MAX_SHARDS || i == 0 || i > m {
            return Err(bad());
        }
        Self::new(i, m)
    }
}

/// Reads the values of an encoded trial outcome ([`TrialOutcome::decode`]).
pub struct Values<'a> {
    values: &'a [f64],
    at: usize,
}

impl<'a> Values<'a> {
    /// Read from `values`.
    pub fn new(values: &'a [f64]) -> Self {
        Self { values, at: 0 }
    }

    /// The next value. Errors: [`Error::DimensionMismatch`] when there is none.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<f64> {
        let v = self
            .values
            .get(self.at)
            .copied()
            .ok_or(Error::DimensionMismatch {
                what: "values of a trial outcome",
                expected: self.at + 1,
                found: self.values.len(),
            })?;
        self.at += 1;
        Ok(v)
    }

    /// The next value as a count (a whole number in $[0, 2^{53}]$). Errors: as [`Self::next`];
    /// [`Error::InvalidParameter`] naming `count` for anything else.
    pub fn count(&mut self) -> Result<usize> {
        let v = self.next()?;
        if !((0.0..=9_007_199_254_740_992.0).contains(&v) && v.fract() == 0.0) {
            return Err(Error::InvalidParameter {
                name: "count",
                value: v,
                expected: "a whole number in [0, 2^53] in a trial outcome",
            });
        }
        Ok(v as usize)
    }

    /// Whether every value was read.
    pub fn is_done(&self) -> bool {
        self.at == self.values.len()
    }
}

/// What one trial of a simulation returns, written losslessly as a list of `f64` so that a
/// shard can hand it to the merge ([`capture`], [`replay`]).
///
/// `decode(encode(t)) == t` exactly for every value `t` (an `f64` is kept bit for bit through
/// the text form, except the payload of a `NaN`). Implemented for `f64`, `usize`, `bool`,
/// `Option<T>`, `Vec<T>`, pairs, and the trial types of every simulation of the crate; a new
/// simulation whose trial loop returns a new type implements it.
pub trait TrialOutcome: Sized {
    /// The names of the values of a fixed-size outcome, in [`TrialOutcome::encode`]'s order
    /// (a partial result then carries their per-shard count, sum and sum of squares); empty
    /// (the default) for a variable-size outcome.
    fn fields() -> &'static [&'static str] {
        &[]
    }
    /// Append the values of `self` to `out`.
    fn encode(&self, out: &mut Vec<f64>);
    /// Read a value written by [`TrialOutcome::encode`].
    ///
    /// Errors: those of [`Values`] when the values are too few or malformed.
    fn decode(values: &mut Values<'_>) -> Result<Self>;
}

impl TrialOutcome for f64 {
    fn encode(&self, out: &mut Vec<f64>) {
        out.push(*self);
    }
    fn decode(values: &mut Values<'_>) -> Result<Self> {
        values.next()
    }
}

impl TrialOutcome for usize {
    fn encode(&self, out: &mut Vec<f64>) {
        out.push(*self as f64);
    }
    fn decode(values: &mut Values<'_>) -> Result<Self> {
        values.count()
    }
}

impl TrialOutcome for bool {
    fn encode(&self, out: &mut Vec<f64>) {
        out.push(if *self { 1.0 } else { 0.0 });
    }
    fn decode(values: &mut Values<'_>) -> Result<Self> {
        match values.count()? {
            0 => Ok(false),
            1 => Ok(true),
            n => Err(Error::InvalidParameter {
                name: "count",
                value: n as f64,
                expected: "0 or 1 for a boolean in a trial outcome",
            }),
        }
    }
}

impl<T: TrialOutcome> TrialOutcome for Option<T> {
    fn encode(&self, out: &mut Vec<f64>) {
        match self {
            None => out.push(0.0),
            Some(t) => {
                out.push(1.0);
                t.encode(out);
            }
        }
    }
    fn decode(values: &mut Values<'_>) -> Result<Self> {
        Ok(match bool::decode(values)? {
            false => None,
            true => Some(T::decode(values)?),
        })
    }
}

impl<T: TrialOutcome> TrialOutcome for Vec<T> {
    fn encode(&self, out: &mut Vec<f64>) {
        out.push(self.len() as f64);
        for t in self {
            t.encode(out);
        }
    }
    fn decode(values: &mut Values<'_>) -> Result<Self> {
        let n = values.count()?;
        // Every element takes at least one value: a corrupted length cannot allocate.
        let mut v = Vec::with_capacity(n.min(values.values.len()));
        for _ in 0..n {
            v.push(T::decode(values)?);
        }
        Ok(v)
    }
}

impl<A: TrialOutcome, B: TrialOutcome> TrialOutcome for (A, B) {
    fn encode(&self, out: &mut Vec<f64>) {
        self.0.encode(out);
        self.1.encode(out);
    }
    fn decode(values: &mut Values<'_>) -> Result<Self> {
        Ok((A::decode(values)?, B::decode(values)?))
    }
}

/// Implement [`TrialOutcome`] for a struct of `f64` fields (fixed size: per-field sums).
macro_rules! scalar_outcome {
    ($ty:ty { $($field:ident),+ $(,)? }) => {
        impl TrialOutcome for $ty {
            fn fields() -> &'static [&'static str] {
                &[$(stringify!($field)),+]
            }
            fn encode(&self, out: &mut Vec<f64>) {
                $(out.push(self.$field);)+
            }
            fn decode(values: &mut Values<'_>) -> Result<Self> {
                Ok(Self { $($field: values.next()?),+ })
            }
        }
    };
}

scalar_outcome!(crate::sim::random_features::RfTrial {
    test_error,
    bias,
    variance,
    train_error
});
scalar_outcome!(crate::sim::ridge::RidgeTrial {
    test_error,
    bias,
    variance,
    train_error
});
scalar_outcome!(crate::sim::dynamics::DynamicsTrial {
    test_error,
    bias,
    variance,
    train_error
});
scalar_outcome!(crate::sim::rf_dynamics::RfDynamicsTrial {
    test_error,
    bias,
    variance,
    train_error
});

impl TrialOutcome for crate::sim::adversarial::AdversarialTrial {
    fn fields() -> &'static [&'static str] {
        &[
            "test_risk",
            "robust_test_risk",
            "train_loss",
            "zero_residual_fraction",
            "adversarial_norm",
            "newton_steps",
        ]
    }
    fn encode(&self, out: &mut Vec<f64>) {
        out.extend([
            self.test_risk,
            self.robust_test_risk,
            self.train_loss,
            self.zero_residual_fraction,
            self.adversarial_norm,
            self.newton_steps as f64,
        ]);
    }
    fn decode(values: &mut Values<'_>) -> Result<Self> {
        Ok(Self {
            test_risk: values.next()?,
            robust_test_risk: values.next()?,
            train_loss: values.next()?,
            zero_residual_fraction: values.next()?,
            adversarial_norm: values.next()?,
            newton_steps: values.count()?,
        })
    }
}

impl TrialOutcome for crate::sim::two_layer_census::CensusEntry {
    fn encode(&self, out: &mut Vec<f64>) {
        self.sizes.encode(out);
        self.flipped.encode(out);
        self.params.encode(out);
        out.extend([
            self.loss,
            self.count as f64,
            self.min_eigenvalue,
            self.morse_index,
        ]);
    }
    fn decode(values: &mut Values<'_>) -> Result<Self> {
        Ok(Self {
            sizes: Vec::decode(values)?,
            flipped: Vec::decode(values)?,
            params: Vec::decode(values)?,
            loss: values.next()?,
            count: values.count()?,
            min_eigenvalue: values.next()?,
            morse_index: values.next()?,
        })
    }
}

/// Per-shard count, sum and sum of squares of one named field of a fixed-size outcome
/// ([`TrialOutcome::fields`]), summed in trial order.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldStats {
    /// The field's name.
    pub name: String,
    /// Number of trials summed.
    pub count: usize,
    /// $\sum_k v_k$.
    pub sum: f64,
    /// $\sum_k v_k^2$.
    pub sum_sq: f64,
}

/// One trial of a shard: its index and its encoded outcome, or the message of its error.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialRecord {
    /// The trial $k$ (0-based).
    pub trial: u64,
    /// [`TrialOutcome::encode`] of what it returned, or its error's message.
    pub outcome: std::result::Result<Vec<f64>, String>,
}

/// One trial loop of a shard: what the loop was asked for, and the shard's trials.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialCall {
    /// The loop's label (the simulation's name).
    pub label: String,
    /// The run's seed.
    pub seed: u64,
    /// The run's number of trials (all shards together).
    pub trials: usize,
    /// Per-field sums of this shard's successful trials (fixed-size outcomes only).
    pub stats: Vec<FieldStats>,
    /// This shard's trials, increasing.
    pub trials_done: Vec<TrialRecord>,
}

impl PartialCall {
    /// The sums of `stats` recomputed from the trials (in trial order; failed trials skipped).
    fn recomputed_stats(&self, names: &[String]) -> Vec<FieldStats> {
        names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let (mut count, mut sum, mut sum_sq) = (0usize, 0.0f64, 0.0f64);
                for t in &self.trials_done {
                    if let Ok(v) = &t.outcome
                        && let Some(&x) = v.get(i)
                    {
                        count += 1;
                        sum += x;
                        sum_sq += x * x;
                    }
                }
                FieldStats {
                    name: name.clone(),
                    count,
                    sum,
                    sum_sq,
                }
            })
            .collect()
    }
}

/// The partial result of one shard: every trial loop the shard ran, with the command it came
/// from. See the [module docs](self) for the text format.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialRun {
    /// Which shard.
    pub shard: Shard,
    /// The command it came from (for the CLI: the arguments without the program name and
    /// without `--shard`); the merge requires it to be the same in every part.
    pub command: Vec<String>,
    /// The crate version that wrote it (the merge requires the same in every part).
    pub crate_version: String,
    /// The trial loops, in the order they ran.
    pub calls: Vec<PartialCall>,
}

/// Escape a text field of the partial format.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' ' => out.push_str("\\s"),
            c => out.push(c),
        }
    }
    out
}

/// Undo [`escape`]; `None` for an unknown or unfinished escape.
fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '\\' => '\\',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            's' => ' ',
            _ => return None,
        });
    }
    Some(out)
}

/// The shortest decimal that reads back to `x` exactly.
fn number(x: f64) -> String {
    format!("{x:e}")
}

impl PartialRun {
    /// A partial run of `shard` for `command` with the crate's version.
    pub fn new(shard: Shard, command: Vec<String>, calls: Vec<PartialCall>) -> Self {
        Self {
            shard,
            command,
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
            calls,
        }
    }

    /// The text form ([module docs](self)): lossless, [`PartialRun::parse`] reads it back.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(s, "{FORMAT_NAME} {FORMAT_VERSION}");
        let _ = writeln!(s, "crate {}", escape(&self.crate_version));
        let _ = writeln!(s, "shard {}", self.shard);
        for a in &self.command {
            let _ = writeln!(s, "arg {}", escape(a));
        }
        for c in &self.calls {
            let _ = writeln!(s, "call {} {} {}", c.trials, c.seed, escape(&c.label));
            for st in &c.stats {
                let _ = writeln!(
                    s,
                    "stat {} {} {} {}",
                    escape(&st.name),
                    st.count,
                    number(st.sum),
                    number(st.sum_sq)
                );
            }
            for t in &c.trials_done {
                match &t.outcome {
                    Ok(v) => {
                        let _ = write!(s, "trial {} ok", t.trial);
                        for x in v {
                            let _ = write!(s, " {}", number(*x));
                        }
                        s.push('\n');
                    }
                    Err(m) => {
                        let _ = writeln!(s, "trial {} err {}", t.trial, escape(m));
                    }
                }
            }
        }
        let _ = writeln!(s, "end {}", self.calls.len());
        s
    }

    /// Read the text form. `origin` names the input in errors (a file name).
    ///
    /// Errors: [`Error::InvalidData`] with the 1-based line of the first problem (another
    /// format or version, a malformed or unknown line, a trial that does not belong to the
    /// shard or is out of order or out of range, sums that do not match the values, a
    /// missing `end` line: a truncated part).
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let bad = |line: usize, problem: String| Error::InvalidData {
            origin: origin.to_string(),
            line,
            problem,
        };
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        let Some((_, first)) = lines.next() else {
            return Err(bad(0, "empty: not a partial result".into()));
        };
        let mut head = first.split(' ');
        if head.next() != Some(FORMAT_NAME) {
            return Err(bad(
                1,
                format!("not a partial result (expected `{FORMAT_NAME} {FORMAT_VERSION}`)"),
            ));
        }
        match head.next().map(str::parse::<u32>) {
            Some(Ok(FORMAT_VERSION)) if head.next().is_none() => {}
            Some(Ok(v)) => {
                return Err(bad(
                    1,
                    format!("format version {v}; this build reads version {FORMAT_VERSION}"),
                ));
            }
            _ => return Err(bad(1, "malformed format line".into())),
        }
        let mut crate_version = None;
        let mut shard = None;
        let mut command = Vec::new();
        let mut calls: Vec<PartialCall> = Vec::new();
        let mut ended = false;
        for (no, line) in lines {
            if ended {
                return Err(bad(no, "text after the `end` line".into()));
            }
            let (key, rest) = line.split_once(' ').unwrap_or((line, ""));
            let text = |r: &str| unescape(r).ok_or_else(|| bad(no, format!("bad escape in `{r}`")));
            match key {
                "crate" if crate_version.is_none() && calls.is_empty() => {
                    crate_version = Some(text(rest)?);
                }
                "shard" if shard.is_none() && calls.is_empty() => {
                    shard = Some(
                        rest.parse::<Shard>()
                            .map_err(|_| bad(no, format!("bad shard `{rest}` (expected I/M)")))?,
                    );
                }
                "arg" if calls.is_empty() => command.push(text(rest)?),
                "call" => {
                    let mut f = rest.splitn(3, ' ');
                    let trials = f.next().and_then(|t| t.parse::<usize>().ok());
                    let seed = f.next().and_then(|t| t.parse::<u64>().ok());
                    let (Some(trials), Some(seed), Some(label)) = (trials, seed, f.next()) else {
                        return Err(bad(no, "malformed call line".into()));
                    };
                    calls.push(PartialCall {
                        label: text(label)?,
                        seed,
                        trials,
                        stats: Vec::new(),
                        trials_done: Vec::new(),
                    });
                }
                "stat" => {
                    let call = calls
                        .last_mut()
                        .filter(|c| c.trials_done.is_empty())
                        .ok_or_else(|| bad(no, "a stat line outside a call's head".into()))?;
                    let f: Vec<&str> = rest.split(' ').collect();
                    let parsed = match f.as_slice() {
                        [name, count, sum, sum_sq] => unescape(name).zip(
                            count
                                .parse::<usize>()
                                .ok()
                                .zip(sum.parse::<f64>().ok().zip(sum_sq.parse::<f64>().ok())),
                        ),
                        _ => None,
                    };
                    let Some((name, (count, (sum, sum_sq)))) = parsed else {
                        return Err(bad(no, "malformed stat line".into()));
                    };
                    call.stats.push(FieldStats {
                        name,
                        count,
                        sum,
                        sum_sq,
                    });
                }
                "trial" => {
                    let shard =
                        shard.ok_or_else(|| bad(no, "a trial before the shard line".into()))?;
                    let call = calls
                        .last_mut()
                        .ok_or_else(|| bad(no, "a trial outside a call".into()))?;
                    let mut f = rest.splitn(3, ' ');
                    let k = f.next().and_then(|t| t.parse::<u64>().ok());
                    let (Some(k), Some(kind)) = (k, f.next()) else {
                        return Err(bad(no, "malformed trial line".into()));
                    };
                    if !shard.contains(k) || k >= call.trials as u64 {
                        return Err(bad(
                            no,
                            format!(
                                "trial {k} does not belong to shard {shard} of a {}-trial run",
                                call.trials
                            ),
                        ));
                    }
                    if call.trials_done.last().is_some_and(|t| t.trial >= k) {
                        return Err(bad(no, format!("trial {k} repeated or out of order")));
                    }
                    let outcome = match kind {
                        "ok" => {
                            let values = f.next().unwrap_or("");
                            let mut v = Vec::new();
                            for w in values.split(' ').filter(|w| !w.is_empty()) {
                                v.push(
                                    w.parse::<f64>()
                                        .map_err(|_| bad(no, format!("`{w}` is not a number")))?,
                                );
                            }
                            Ok(v)
                        }
                        "err" => Err(text(f.next().unwrap_or(""))?),
                        other => {
                            return Err(bad(no, format!("unknown trial kind `{other}`")));
                        }
                    };
                    call.trials_done.push(TrialRecord { trial: k, outcome });
                }
                "end" => {
                    if rest.parse::<usize>().ok() != Some(calls.len()) {
                        return Err(bad(
                            no,
                            format!("`end {rest}` but the part holds {} calls", calls.len()),
                        ));
                    }
                    ended = true;
                }
                _ => return Err(bad(no, format!("unexpected line `{line}`"))),
            }
        }
        if !ended {
            return Err(bad(
                0,
                "no `end` line: the part is truncated (did its shard finish?)".into(),
            ));
        }
        let shard = shard.ok_or_else(|| bad(0, "no shard line".into()))?;
        for (i, call) in calls.iter().enumerate() {
            let want = shard.trials(call.trials).count();
            if call.trials_done.len() != want {
                return Err(bad(
                    0,
                    format!(
                        "call {}: {} trials, shard {shard} of a {}-trial run has {want}",
                        i + 1,
                        call.trials_done.len(),
                        call.trials
                    ),
                ));
            }
            let names: Vec<String> = call.stats.iter().map(|s| s.name.clone()).collect();
            let same = call
                .recomputed_stats(&names)
                .iter()
                .zip(&call.stats)
                .all(|(a, b)| {
                    a.count == b.count
                        && a.sum.to_bits() == b.sum.to_bits()
                        && a.sum_sq.to_bits() == b.sum_sq.to_bits()
                });
            if !same {
                return Err(bad(
                    0,
                    format!(
                        "call {}: the stat lines do not match the trial values (corrupted)",
                        i + 1
                    ),
                ));
            }
        }
        Ok(Self {
            shard,
            command,
            crate_version: crate_version.ok_or_else(|| bad(0, "no crate line".into()))?,
            calls,
        })
    }
}

/// One trial loop of a merged run: every trial, in trial order.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedCall {
    /// The loop's label.
    pub label: String,
    /// The seed.
    pub seed: u64,
    /// Trial $k$ at index $k$: its encoded outcome or its error's message.
    pub outcomes: Vec<std::result::Result<Vec<f64>, String>>,
}

/// The parts of a sharded run, validated and put back in trial order ([`MergedRun::from_parts`]),
/// ready to [`replay`].
#[derive(Debug, Clone, PartialEq)]
pub struct MergedRun {
    /// The command every part came from.
    pub command: Vec<String>,
    /// The trial loops, in the order they ran.
    pub calls: Vec<MergedCall>,
}

impl MergedRun {
    /// Validate and merge the parts, each with the name of where it came from (a file).
    ///
    /// Errors: [`Error::InvalidData`] naming the part (its origin) and the problem: no parts;
    /// a crate version, command or shard count $M$ different from the first part's; a shard
    /// index given twice (both parts named) or missing; trial loops that differ from the first
    /// part's (number, label, seed, trials).
    pub fn from_parts(parts: &[(String, PartialRun)]) -> Result<Self> {
        let bad = |origin: &str, problem: String| Error::InvalidData {
            origin: origin.to_string(),
            line: 0,
            problem,
        };
        let Some((first_origin, first)) = parts.first() else {
            return Err(bad("merge", "no parts given".into()));
        };
        let m = first.shard.count();
        let mut seen: Vec<Option<&str>> = vec![None; m];
        for (origin, p) in parts {
            if p.crate_version != first.crate_version {
                return Err(bad(
                    origin,
                    format!(
                        "written by overparam {}, but {first_origin} by {}",
                        p.crate_version, first.crate_version
                    ),
                ));
            }
            if p.command != first.command {
                return Err(bad(
                    origin,
                    format!(
                        "another command than {first_origin}: `{}` vs `{}`",
                        p.command.join(" "),
                        first.command.join(" ")
                    ),
                ));
            }
            if p.shard.count() != m {
                return Err(bad(
                    origin,
                    format!(
                        "shard {} of {} but {first_origin} is shard {} of {m}",
                        p.shard.index(),
                        p.shard.count(),
                        first.shard.index()
                    ),
                ));
            }
            let slot = &mut seen[p.shard.index() - 1];
            if let Some(other) = slot {
                return Err(bad(
                    origin,
                    format!("shard {} given twice (also in {other})", p.shard),
                ));
            }
            *slot = Some(origin);
            if p.calls.len() != first.calls.len() {
                return Err(bad(
                    origin,
                    format!(
                        "{} trial loops but {first_origin} has {}",
                        p.calls.len(),
                        first.calls.len()
                    ),
                ));
            }
            for (i, (a, b)) in p.calls.iter().zip(&first.calls).enumerate() {
                if (a.label.as_str(), a.seed, a.trials) != (b.label.as_str(), b.seed, b.trials) {
                    return Err(bad(
                        origin,
                        format!(
                            "trial loop {} is `{}` (seed {}, {} trials) but in {first_origin} `{}` (seed {}, {} trials)",
                            i + 1,
                            a.label,
                            a.seed,
                            a.trials,
                            b.label,
                            b.seed,
                            b.trials
                        ),
                    ));
                }
            }
        }
        if let Some(missing) = seen.iter().position(Option::is_none) {
            let given: Vec<&str> = parts.iter().map(|(o, _)| o.as_str()).collect();
            return Err(bad(
                "merge",
                format!(
                    "shard {}/{m} is missing (parts given: {})",
                    missing + 1,
                    given.join(", ")
                ),
            ));
        }
        let calls = first
            .calls
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut outcomes: Vec<Option<std::result::Result<Vec<f64>, String>>> =
                    vec![None; c.trials];
                for (_, p) in parts {
                    for t in &p.calls[i].trials_done {
                        // `parse` checked the trial is in range and in its shard.
                        if let Some(slot) = outcomes.get_mut(t.trial as usize) {
                            *slot = Some(t.outcome.clone());
                        }
                    }
                }
                let outcomes = outcomes
                    .into_iter()
                    .enumerate()
                    .map(|(k, o)| {
                        o.ok_or_else(|| {
                            bad("merge", format!("trial loop {}: trial {k} missing", i + 1))
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(MergedCall {
                    label: c.label.clone(),
                    seed: c.seed,
                    outcomes,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            command: first.command.clone(),
            calls,
        })
    }
}

/// What the trial loops of this thread do.
enum Mode {
    /// Compute only the trials of the shard and record them.
    Capture {
        shard: Shard,
        calls: Vec<PartialCall>,
    },
    /// Decode the trials of the merged calls, in order.
    Replay {
        calls: Vec<MergedCall>,
        next: usize,
        failure: Option<Error>,
    },
}

thread_local! {
    static MODE: RefCell<Option<Mode>> = const { RefCell::new(None) };
}

/// Restores the previous mode when a [`capture`] or [`replay`] ends (also on a panic).
struct Restore(Option<Option<Mode>>);

impl Drop for Restore {
    fn drop(&mut self) {
        if let Some(previous) = self.0.take() {
            MODE.with(|m| *m.borrow_mut() = previous);
        }
    }
}

/// Run `f` with every trial loop of this thread (the simulations' `run`) computing only the
/// trials of `shard`: returns what `f` returned (the simulations fail with
/// [`Error::Sharded`] instead of aggregating) and the recorded trial loops, in order, for a
/// [`PartialRun`].
///
/// The trial loops must be started from this thread (every simulation of the crate starts its
/// loop from the thread that calls its `run`; the trials themselves run in parallel).
pub fn capture<R>(shard: Shard, f: impl FnOnce() -> R) -> (R, Vec<PartialCall>) {
    let previous = MODE.with(|m| {
        m.borrow_mut().replace(Mode::Capture {
            shard,
            calls: Vec::new(),
        })
    });
    let restore = Restore(Some(previous));
    let r = f();
    let mode = MODE.with(|m| m.borrow_mut().take());
    drop(restore);
    let calls = match mode {
        Some(Mode::Capture { calls, .. }) => calls,
        _ => Vec::new(),
    };
    (r, calls)
}

/// Run `f` with every trial loop of this thread decoding its trials from `merged`, in order,
/// instead of computing them (a trial that failed in its shard is computed again). `f` must run
/// the same simulations as the captured runs (the same command).
///
/// Errors: [`Error::InvalidData`] (origin `merge`) when the trial loops `f` runs are not those
/// of the parts (another label, seed or number of trials, more or fewer loops, an outcome that
/// does not decode); `f`'s own result is then discarded.
pub fn replay<R>(merged: &MergedRun, f: impl FnOnce() -> R) -> Result<R> {
    let previous = MODE.with(|m| {
        m.borrow_mut().replace(Mode::Replay {
            calls: merged.calls.clone(),
            next: 0,
            failure: None,
        })
    });
    let restore = Restore(Some(previous));
    let r = f();
    let mode = MODE.with(|m| m.borrow_mut().take());
    drop(restore);
    match mode {
        Some(Mode::Replay {
            failure: Some(e), ..
        }) => Err(e),
        Some(Mode::Replay { calls, next, .. }) if next != calls.len() => Err(Error::InvalidData {
            origin: "merge".into(),
            line: 0,
            problem: format!(
                "the parts hold {} trial loops, the command ran {next}",
                calls.len()
            ),
        }),
        _ => Ok(r),
    }
}

/// What `run_trials` should do on this thread.
pub(crate) enum Plan {
    /// Compute every trial.
    All,
    /// Compute the shard's trials and record them.
    Capture(Shard),
    /// Use these outcomes (trial order).
    Replay(MergedCall),
    /// Replay failed: return this error.
    Fail(Error),
}

/// The plan of the next trial loop (`label`, `run`) on this thread.
pub(crate) fn plan(label: &str, run: &crate::experiment::RunOptions) -> Plan {
    MODE.with(|m| {
        let mut m = m.borrow_mut();
        match m.as_mut() {
            None => Plan::All,
            Some(Mode::Capture { shard, .. }) => Plan::Capture(*shard),
            Some(Mode::Replay {
                calls,
                next,
                failure,
            }) => {
                if let Some(e) = failure {
                    return Plan::Fail(e.clone());
                }
                let i = *next;
                *next += 1;
                let e = match calls.get_mut(i) {
                    Some(c)
                        if c.label == label && c.seed == run.seed && c.outcomes.len() == run.trials =>
                    {
                        // Each call is replayed once: move its outcomes out.
                        return Plan::Replay(MergedCall {
                            label: c.label.clone(),
                            seed: c.seed,
                            outcomes: std::mem::take(&mut c.outcomes),
                        });
                    }
                    Some(c) => Error::InvalidData {
                        origin: "merge".into(),
                        line: 0,
                        problem: format!(
                            "trial loop {} of the parts is `{}` (seed {}, {} trials), the command ran `{label}` (seed {}, {} trials)",
                            i + 1,
                            c.label,
                            c.seed,
                            c.outcomes.len(),
                            run.seed,
                            run.trials
                        ),
                    },
                    None => Error::InvalidData {
                        origin: "merge".into(),
                        line: 0,
                        problem: format!(
                            "the command ran more trial loops than the parts hold ({})",
                            calls.len()
                        ),
                    },
                };
                *failure = Some(e.clone());
                Plan::Fail(e)
            }
        }
    })
}

/// Record a captured trial loop.
pub(crate) fn record(call: PartialCall) {
    MODE.with(|m| {
        if let Some(Mode::Capture { calls, .. }) = m.borrow_mut().as_mut() {
            calls.push(call);
        }
    });
}

/// Record a replay failure (an outcome that does not decode).
pub(crate) fn fail(e: Error) -> Error {
    MODE.with(|m| {
        if let Some(Mode::Replay { failure, .. }) = m.borrow_mut().as_mut()
            && failure.is_none()
        {
            *failure = Some(e.clone());
        }
    });
    e
}

/// The recorded form of a shard's trials of one loop.
pub(crate) fn partial_call<T: TrialOutcome>(
    label: &str,
    run: &crate::experiment::RunOptions,
    results: Vec<(u64, Result<T>)>,
) -> PartialCall {
    let trials_done: Vec<TrialRecord> = results
        .into_iter()
        .map(|(trial, r)| TrialRecord {
            trial,
            outcome: r
                .map(|t| {
                    let mut v = Vec::new();
                    t.encode(&mut v);
                    v
                })
                .map_err(|e| e.to_string()),
        })
        .collect();
    let mut call = PartialCall {
        label: label.to_string(),
        seed: run.seed,
        trials: run.trials,
        stats: Vec::new(),
        trials_done,
    };
    let names: Vec<String> = T::fields().iter().map(|s| s.to_string()).collect();
    call.stats = call.recomputed_stats(&names);
    call
}
