# Reference values for the normalisation factor of a floating ADA screening cut point
# (bioparity.bioassay.cutpoint, step 6; Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1
# section 5): the cut-point estimate computed on the values normalised by their run's negative control NC,
# additive on the raw scale (signal - NC; plate cut point NC + NF), multiplicative on the raw scale
# (signal / NC; NC x NF) and additive on the log scale (log(signal) - log(NC); NC x exp(NF)). Run from this
# folder:
#   Rscript make_normalisation_reference.R
# Writes designs_floating_nc.csv (a generated floating design: 20 donors x 3 runs, run shifts additive, one NC
# per run) and normalisation_reference.csv. Every value is computed here, independently of bioparity:
# parametric mean + qnorm(0.95) sd and nonparametric quantile(type = 7) at 0.95 of each normalised set, the
# cut point of the signals themselves, and each run's plate cut point. No value of this design lies outside
# the boxplot fences (checked below), so the outlier steps remove none. Never run at test time.
set.seed(20261210)
donors <- sprintf("D%02d", 1:20)
runs <- c("R1", "R2", "R3")
shift <- c(R1 = 0, R2 = 0.12, R3 = 0.25)
level <- setNames(rnorm(20, 1.0, 0.12), donors)
nc <- setNames(round(0.55 + shift + rnorm(3, 0, 0.01), 4), runs)
d <- expand.grid(run = runs, donor = donors, stringsAsFactors = FALSE)[, c("donor", "run")]
d$signal <- round(level[d$donor] + shift[d$run] + rnorm(nrow(d), 0, 0.03), 4)
d$nc <- nc[d$run]
fences_out <- function(x) {
  if (length(x) < 4) return(rep(FALSE, length(x)))
  q <- quantile(x, c(0.25, 0.75), type = 7, names = FALSE)
  x < q[1] - 1.5 * (q[2] - q[1]) | x > q[2] + 1.5 * (q[2] - q[1])
}
for (scale in c("raw", "log")) {
  y <- if (scale == "log") log(d$signal) else d$signal
  stopifnot(!any(unlist(tapply(y, d$donor, fences_out))))
  stopifnot(!any(fences_out(as.numeric(tapply(y, d$donor, mean)))))
}
write.csv(d, "designs_floating_nc.csv", row.names = FALSE, quote = FALSE)
z <- qnorm(0.95)
est <- function(v, method) if (method == "parametric") mean(v) + z * sd(v) else quantile(v, 0.95, type = 7, names = FALSE)
rules <- list(
  list(transform = "none", normalisation = "additive", stored = "additive",
       normed = d$signal - d$nc, plate = function(nf, nc) nc + nf, back = identity, y = d$signal),
  list(transform = "none", normalisation = "multiplicative", stored = "multiplicative",
       normed = d$signal / d$nc, plate = function(nf, nc) nc * nf, back = identity, y = d$signal),
  list(transform = "log", normalisation = "auto", stored = "additive on log scale",
       normed = log(d$signal) - log(d$nc), plate = function(nf, nc) nc * exp(nf), back = exp, y = log(d$signal))
)
out <- list()
for (r in rules) for (method in c("parametric", "nonparametric")) {
  nf <- est(r$normed, method)
  out[[length(out) + 1]] <- data.frame(
    transform = r$transform, normalisation = r$normalisation, method = method, normalization = r$stored,
    cut_point = sprintf("%.17g", r$back(est(r$y, method))), normalization_factor = sprintf("%.17g", nf),
    plate_R1 = sprintf("%.17g", r$plate(nf, nc[["R1"]])), plate_R2 = sprintf("%.17g", r$plate(nf, nc[["R2"]])),
    plate_R3 = sprintf("%.17g", r$plate(nf, nc[["R3"]])))
}
write.csv(do.call(rbind, out), "normalisation_reference.csv", row.names = FALSE, quote = FALSE)
