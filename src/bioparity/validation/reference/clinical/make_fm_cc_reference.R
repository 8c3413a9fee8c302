# Independent reference values for Newcombe's (1998) method 11 and the Farrington-Manning (1990) sample
# size, base R 4.2.2 only, formulas written from the papers (no bioparity code). Writes:
#   newcombe_cc_r.csv: 95% and 90% limits of p1 - p2 by Newcombe's (1998, Stat Med 17:873) method 11:
#     square-and-add of the continuity-corrected Wilson limits of each proportion, taken from
#     prop.test(correct = TRUE) (Yates' 0.5 kept: p0 chosen with |x - n p0| >= 0.5).
#   fm_sample_size_r.csv: smallest n2 (n1 = ceiling(ratio n2)) with Farrington-Manning power >= target,
#     by a linear scan; restricted MLE under p1 - p2 = margin by optimize() on the expected binomial
#     log-likelihood (not the cubic); plus FM's closed form n2 for the non-inferiority rows (margin_upper 1).
# Run: Rscript make_fm_cc_reference.R  (in this directory)

wilson_cc <- function(x, n, conf) {
  p0 <- if (abs(x - n / 2) < 0.5) 0.9 else 0.5
  suppressWarnings(prop.test(x, n, p = p0, conf.level = conf, correct = TRUE)$conf.int)
}
tables <- list(c(56, 70, 48, 80), c(9, 10, 3, 10), c(6, 7, 2, 7), c(5, 56, 0, 29), c(0, 10, 0, 20),
               c(0, 10, 0, 10), c(10, 10, 0, 20), c(10, 10, 0, 10), c(84, 101, 89, 105), c(1, 1, 0, 1),
               c(0, 1, 0, 1), c(1, 40, 0, 120), c(134, 135, 84, 191), c(15, 16, 15, 16))
rows <- NULL
for (t in tables) for (conf in c(0.95, 0.90)) {
  a <- wilson_cc(t[1], t[2], conf); b <- wilson_cc(t[3], t[4], conf)
  p1 <- t[1] / t[2]; p2 <- t[3] / t[4]; d <- p1 - p2
  lower <- d - sqrt((p1 - a[1])^2 + (b[2] - p2)^2)
  upper <- d + sqrt((a[2] - p1)^2 + (p2 - b[1])^2)
  rows <- rbind(rows, data.frame(x1 = t[1], n1 = t[2], x2 = t[3], n2 = t[4], conf = conf,
                                 lower = sprintf("%.15f", lower), upper = sprintf("%.15f", upper)))
}
write.csv(rows, "newcombe_cc_r.csv", row.names = FALSE, quote = FALSE)

restricted <- function(p1, p2, n1, n2, delta) {
  xlogy <- function(x, y) if (x == 0) 0 else x * log(y)
  ll <- function(a) n1 * (xlogy(p1, a) + xlogy(1 - p1, 1 - a)) +
    n2 * (xlogy(p2, a - delta) + xlogy(1 - p2, 1 - a + delta))
  lo <- max(0, delta); hi <- min(1, 1 + delta)
  if (hi - lo < 1e-15) return(c(lo, lo - delta))  # margin +/-1: a single point
  a <- optimize(ll, c(lo, hi), maximum = TRUE, tol = 1e-13)$maximum
  # the maximum may sit on a boundary of the interval: keep the better of it and the ends
  cand <- c(a, lo, hi); vals <- sapply(cand, ll); vals[is.nan(vals)] <- -Inf
  a <- cand[which.max(vals)]
  c(a, a - delta)
}
fm_power <- function(p1, p2, n1, n2, lo, hi, alpha) {
  z <- qnorm(1 - alpha); d <- p1 - p2
  s1 <- sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
  side <- function(m, distance) {
    r <- restricted(p1, p2, n1, n2, m)
    pnorm((distance - z * sqrt(r[1] * (1 - r[1]) / n1 + r[2] * (1 - r[2]) / n2)) / s1)
  }
  max(side(lo, d - lo) + side(hi, hi - d) - 1, 0)
}
scen <- read.csv(text = "p1,p2,margin_lower,margin_upper,alpha,target_power,ratio
0.6,0.6,-0.15,0.15,0.05,0.8,1
0.85,0.8,-0.1,0.1,0.025,0.9,1
0.3,0.35,-0.12,0.15,0.05,0.8,2
0.95,0.95,-0.05,0.05,0.025,0.8,1
0.7,0.7,-0.1,1,0.025,0.8,1
0.8,0.75,-0.15,1,0.05,0.9,1
0.2,0.15,-0.1,0.2,0.05,0.85,0.5
0.5,0.5,-0.2,0.2,0.05,0.8,1.5
0.99,0.98,-0.05,0.05,0.05,0.8,1
0.05,0.02,-0.02,0.08,0.025,0.8,3")
out <- NULL
for (i in seq_len(nrow(scen))) {
  s <- scen[i, ]
  n2 <- 1
  repeat {
    n1 <- ceiling(s$ratio * n2)
    pw <- fm_power(s$p1, s$p2, n1, n2, s$margin_lower, s$margin_upper, s$alpha)
    if (pw >= s$target_power) break
    n2 <- n2 + 1
  }
  closed <- NA
  if (s$margin_upper == 1) {  # FM (1990) non-inferiority: n2 = (z_a s0 + z_b s1)^2 / (d - lo)^2, per unit n2
    k <- s$ratio
    r <- restricted(s$p1, s$p2, k, 1, s$margin_lower)
    s0 <- sqrt(r[1] * (1 - r[1]) / k + r[2] * (1 - r[2]))
    s1 <- sqrt(s$p1 * (1 - s$p1) / k + s$p2 * (1 - s$p2))
    closed <- ceiling((qnorm(1 - s$alpha) * s0 + qnorm(s$target_power) * s1)^2 /
                        (s$p1 - s$p2 - s$margin_lower)^2)
  }
  out <- rbind(out, cbind(s, n1 = n1, n2 = n2, power = sprintf("%.12f", pw), n2_closed_form = closed))
}
write.csv(out, "fm_sample_size_r.csv", row.names = FALSE, quote = FALSE, na = "")
