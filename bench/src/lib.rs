//! The benchmarks' shared harness (see `benches/` and `load.sh`): same-run ratios that hold
//! on a noisy machine. The two sides of a comparison are timed in alternating batches
//! (A B, B A, A B, …: the order flips every pair), one ratio per pair; the median and the
//! quartiles of the pair ratios are reported, so drift hits both sides alike.

use std::time::Instant;

/// The per-pair figures of one comparison.
#[derive(Debug, Default)]
pub struct Pairs {
    /// B / A, per pair.
    pub ratios: Vec<f64>,
    /// Nanoseconds per operation of side A, per pair.
    pub a_ns: Vec<f64>,
    /// Nanoseconds per operation of side B, per pair.
    pub b_ns: Vec<f64>,
}

/// Times `b` against `a` in `pairs` alternating batches; each side's closure runs one
/// batch of the given number of operations ([`each`] turns a one-operation closure into
/// that). With `warm_up`, one batch of each side runs first, untimed.
pub fn interleave(
    pairs: usize,
    batch: usize,
    warm_up: bool,
    a: &mut dyn FnMut(usize),
    b: &mut dyn FnMut(usize),
) -> Pairs {
    let time = |op: &mut dyn FnMut(usize)| {
        let start = Instant::now();
        op(batch);
        start.elapsed().as_nanos() as f64 / batch as f64
    };
    if warm_up {
        time(a);
        time(b);
    }
    let mut out = Pairs::default();
    for pair in 0..pairs {
        let (ta, tb) = if pair % 2 == 0 {
            let ta = time(a);
            (ta, time(b))
        } else {
            let tb = time(b);
            (time(a), tb)
        };
        out.ratios.push(tb / ta);
        out.a_ns.push(ta);
        out.b_ns.push(tb);
    }
    out
}

/// A batch closure for [`interleave`] that runs `op` once per operation.
pub fn each<'a>(mut op: impl FnMut() + 'a) -> impl FnMut(usize) + 'a {
    move |n| {
        for _ in 0..n {
            op();
        }
    }
}

impl Pairs {
    /// The Markdown cells `A per op | B per op | B / A median | p25 – p75 | B − A median`.
    pub fn cells(&self) -> String {
        let diffs: Vec<f64> = self
            .a_ns
            .iter()
            .zip(&self.b_ns)
            .map(|(a, b)| b - a)
            .collect();
        format!(
            "{} | {} | {:.3}× | {:.3}× – {:.3}× | {}",
            ns(quantile(&self.a_ns, 0.5)),
            ns(quantile(&self.b_ns, 0.5)),
            quantile(&self.ratios, 0.5),
            quantile(&self.ratios, 0.25),
            quantile(&self.ratios, 0.75),
            ns(quantile(&diffs, 0.5)),
        )
    }
}

/// The `q` quantile (0 to 1) of `values`, nearest rank; 0 for no values.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let i = ((sorted.len().saturating_sub(1)) as f64 * q).round() as usize;
    sorted.get(i).copied().unwrap_or(0.0)
}

/// Nanoseconds as `123 ns` or `1.23 µs`.
pub fn ns(value: f64) -> String {
    if value >= 1000.0 {
        format!("{:.2} µs", value / 1000.0)
    } else {
        format!("{value:.0} ns")
    }
}
