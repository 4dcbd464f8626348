//! The numbers behind sampled designs: the standard normal distribution function and its
//! inverse, the quantile of a normal truncated to a range, and the one rule that turns a
//! number into a whole value. Everything is computed with the portable `libm`, so a plan
//! gives the same design points on every machine.

use std::f64::consts::SQRT_2;

/// The standard normal distribution function Φ(z) = P(Z ≤ z), as `erfc(-z/√2)/2` (full
/// relative precision in the lower tail).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / SQRT_2)
}

/// The inverse of the standard normal distribution function: the z with Φ(z) = p, by
/// Wichura's algorithm AS241 (PPND16; Applied Statistics 37(3), 1988, 477-484), whose
/// rational approximations are accurate to about 1e-16 relative over the whole of (0, 1).
/// `p <= 0` gives -∞, `p >= 1` gives +∞, NaN gives NaN.
pub fn inverse_normal_cdf(p: f64) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * poly(&A, r) / poly(&B, r);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let r = libm::sqrt(-libm::log(tail));
    let x = if r <= 5.0 { poly(&C, r - 1.6) / poly(&D, r - 1.6) } else { poly(&E, r - 5.0) / poly(&F, r - 5.0) };
    if q < 0.0 { -x } else { x }
}

/// A polynomial with coefficients lowest order first, by Horner's rule.
fn poly(c: &[f64; 8], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, k| acc * x + k)
}

// The published coefficients, digit for digit (more digits than an f64 holds).
#[allow(clippy::excessive_precision)]
mod coefficients {
    /// AS241 coefficients, numerator, central region |q| <= 0.425, in r = 0.180625 - q^2 (times q); lowest order first.
    pub(super) const A: [f64; 8] = [
        3.3871328727963666080e+0,
        1.3314166789178437745e+2,
        1.9715909503065514427e+3,
        1.3731693765509461125e+4,
        4.5921953931549871457e+4,
        6.7265770927008700853e+4,
        3.3430575583588128105e+4,
        2.5090809287301226727e+3,
    ];
    /// AS241 coefficients, denominator, central region; lowest order first.
    pub(super) const B: [f64; 8] = [
        1.0,
        4.2313330701600911252e+1,
        6.8718700749205790830e+2,
        5.3941960214247511077e+3,
        2.1213794301586595867e+4,
        3.9307895800092710610e+4,
        2.8729085735721942674e+4,
        5.2264952788528545610e+3,
    ];
    /// AS241 coefficients, numerator, tails with r = sqrt(-ln p) - 1.6 <= 3.4; lowest order first.
    pub(super) const C: [f64; 8] = [
        1.42343711074968357734e+0,
        4.63033784615654529590e+0,
        5.76949722146069140550e+0,
        3.64784832476320460504e+0,
        1.27045825245236838258e+0,
        2.41780725177450611770e-1,
        2.27238449892691845833e-2,
        7.74545014278341407640e-4,
    ];
    /// AS241 coefficients, denominator, near tails; lowest order first.
    pub(super) const D: [f64; 8] = [
        1.0,
        2.05319162663775882187e+0,
        1.67638483018380384940e+0,
        6.89767334985100004550e-1,
        1.48103976427480074590e-1,
        1.51986665636164571966e-2,
        5.47593808499534494600e-4,
        1.05075007164441684324e-9,
    ];
    /// AS241 coefficients, numerator, far tails with r = sqrt(-ln p) - 5; lowest order first.
    pub(super) const E: [f64; 8] = [
        6.65790464350110377720e+0,
        5.46378491116411436990e+0,
        1.78482653991729133580e+0,
        2.96560571828504891230e-1,
        2.65321895265761230930e-2,
        1.24266094738807843860e-3,
        2.71155556874348757815e-5,
        2.01033439929228813265e-7,
    ];
    /// AS241 coefficients, denominator, far tails; lowest order first.
    pub(super) const F: [f64; 8] = [
        1.0,
        5.99832206555887937690e-1,
        1.36929880922735805310e-1,
        1.48753612908506148525e-2,
        7.86869131145613259100e-4,
        1.84631831751005468180e-5,
        1.42151175831644588870e-7,
        2.04426310338993978564e-15,
    ];
}
use coefficients::{A, B, C, D, E, F};

/// The probability a normal(mu, sigma) puts in [lo, hi] (computed on the side of the mean
/// where the range lies, so a range far in a tail keeps its precision).
pub fn normal_mass(mu: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
    let (a, b) = ((lo - mu) / sigma, (hi - mu) / sigma);
    if a > 0.0 { normal_cdf(-a) - normal_cdf(-b) } else { normal_cdf(b) - normal_cdf(a) }
}

/// The `p`-quantile (p in [0, 1]) of a normal(mu, sigma) truncated to [lo, hi]: the
/// distribution of a normal draw redrawn until it falls in the range, computed by inverting its
/// distribution function, `Φ⁻¹(Φ(a) + p (Φ(b) - Φ(a)))` with a, b the standardised bounds. The
/// result is in [lo, hi]; a range on the upper side of the mean is computed by symmetry.
/// The caller checks that the range holds some probability ([`normal_mass`]).
pub fn truncated_normal_quantile(p: f64, mu: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
    let (a, b) = ((lo - mu) / sigma, (hi - mu) / sigma);
    let z = if a > 0.0 { -standard_truncated_quantile(1.0 - p, -b, -a) } else { standard_truncated_quantile(p, a, b) };
    (mu + sigma * z).clamp(lo, hi)
}

/// The `p`-quantile of a standard normal truncated to [a, b], with a <= 0.
fn standard_truncated_quantile(p: f64, a: f64, b: f64) -> f64 {
    let (pa, pb) = (normal_cdf(a), normal_cdf(b));
    let target = (pa + p.clamp(0.0, 1.0) * (pb - pa)).clamp(pa, pb).max(f64::MIN_POSITIVE);
    inverse_normal_cdf(target).clamp(a, b)
}

/// The whole value a number stands for: the nearest whole number, halves rounded up
/// (`floor(x + 1/2)`), kept within [lo, hi] (whole bounds). Every design maps numbers to an
/// integer parameter's values through this one function: grid steps are rounded to the
/// nearest value, and a draw over [lo - 1/2, hi + 1/2] gives each value the draws within 1/2 of
/// it, so a uniform draw gives every whole value in [lo, hi] the same probability.
pub fn whole(x: f64, lo: f64, hi: f64) -> f64 {
    libm::floor(x + 0.5).clamp(lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Φ⁻¹ at reference points, computed to 20 digits with mpmath (solving ln Φ(z) = ln p with its
    /// erfc and root finder at 60 digits), rounded to the nearest f64; each for
    /// the f64 nearest the p written (0.999_999_046_325_683_6 is 1 - 2^-20 exactly).
    pub(crate) const REFERENCE: &[(f64, f64)] = &[
        (0.5, 0.0),
        (0.975, 1.959_963_984_540_053_9),
        (0.95, 1.644_853_626_951_472_3),
        (0.9, 1.281_551_565_544_600_6),
        (0.75, 0.674_489_750_196_081_7),
        (0.25, -0.674_489_750_196_081_7),
        (0.99, 2.326_347_874_040_840_8),
        (0.999, 3.090_232_306_167_813),
        (0.02425, -1.972_961_051_311_884_8),
        (1e-5, -4.264_890_793_922_825),
        (1e-10, -6.361_340_902_404_056),
        (1e-20, -9.262_340_089_798_408),
        (1e-50, -14.933_337_534_788_489),
        (1e-100, -21.273_453_560_965_324),
        (1e-200, -30.205_594_179_579_64),
        (1e-300, -37.047_096_299_361_2),
        (0.999_999_046_325_683_6, 4.763_001_034_267_814),
    ];

    #[test]
    fn the_inverse_normal_cdf_matches_reference_values() {
        for &(p, z) in REFERENCE {
            let got = inverse_normal_cdf(p);
            assert!((got - z).abs() <= 1e-14 * z.abs().max(1.0), "Φ⁻¹({p}) = {got}, expected {z}");
        }
        assert_eq!(inverse_normal_cdf(0.0), f64::NEG_INFINITY);
        assert_eq!(inverse_normal_cdf(1.0), f64::INFINITY);
        assert!(inverse_normal_cdf(f64::NAN).is_nan());
    }

    #[test]
    fn the_inverse_undoes_the_distribution_function() {
        for i in 1..1000 {
            let p = f64::from(i) / 1000.0;
            let back = normal_cdf(inverse_normal_cdf(p));
            assert!((back - p).abs() <= 1e-15 * 4.0, "Φ(Φ⁻¹({p})) = {back}");
        }
        for e in 1..300 {
            let p = libm::pow(10.0, -f64::from(e));
            let back = normal_cdf(inverse_normal_cdf(p));
            assert!((back - p).abs() <= 1e-12 * p, "Φ(Φ⁻¹({p})) = {back}");
        }
    }

    #[test]
    fn a_truncated_normal_stays_in_its_range_and_splits_it_by_probability() {
        let (mu, sigma, lo, hi) = (0.9, 0.2, 0.0, 1.0);
        assert!(truncated_normal_quantile(0.0, mu, sigma, lo, hi) - lo < 1e-12);
        assert!(hi - truncated_normal_quantile(1.0, mu, sigma, lo, hi) < 1e-12);
        for i in 0..=100 {
            let x = truncated_normal_quantile(f64::from(i) / 100.0, mu, sigma, lo, hi);
            assert!((lo..=hi).contains(&x), "{x}");
        }
        let median = truncated_normal_quantile(0.5, mu, sigma, lo, hi);
        let below = normal_mass(mu, sigma, lo, median) / normal_mass(mu, sigma, lo, hi);
        assert!((below - 0.5).abs() < 1e-12, "{median} {below}");
        // A range far above the mean keeps its precision (computed by symmetry).
        let x = truncated_normal_quantile(0.5, 0.0, 1.0, 8.0, 9.0);
        assert!(x > 8.0 && x < 8.2, "{x}");
        assert!(normal_mass(0.0, 1.0, 8.0, 9.0) > 6e-16);
    }

    #[test]
    fn whole_rounds_to_the_nearest_value_within_bounds() {
        assert_eq!([0.49, 0.5, 1.2, 2.5, -0.6, 11.0].map(|x| whole(x, 0.0, 10.0)), [0.0, 1.0, 1.0, 3.0, 0.0, 10.0]);
    }
}
