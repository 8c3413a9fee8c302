# Reference values for the confirmatory and titration tiers of a floating ADA cut point with a negative
# control (bioparity.bioassay.cutpoint, tests/bioassay/test_cut_point_tiers_normalisation.py). Run from this
# folder with R 4.2.2 (base stats and nlme):
#   Rscript make_tiers_reference.R
# Reads the floating design of the validation pack (20 donors x 3 runs, one NC per run, additive run
# shifts), adds a signal with excess drug whose % inhibition rises by 3 points from run to run, and writes
# floating_confirm.csv and tiers_reference.csv. Every value is computed here by hand, independently of
# bioparity, with the outlier steps off (remove_outliers = FALSE in the test):
# - titration (FPR 0.001) on the screening signals: the cut point, and the normalisation factor NF as the
#   same estimate on the normalised values, for additive (signal - NC) and multiplicative (signal / NC) on
#   the raw scale and additive on the log scale (log(signal) - log(NC)); parametric mean + qnorm(0.999) sd,
#   nonparametric quantile(0.999, type = 7);
# - confirmatory (FPR 0.01): % inhibition 100 (1 - signal_drug / signal), untransformed; the cut point
#   (mean + qnorm(0.99) sd, quantile(0.99, type = 7)); the run means compared by the F test of nlme::lme
#   (REML, run fixed, donor random) and the run variances by Levene's test (mean-centred: one-way ANOVA
#   of |value - run mean|). Never run at test time.
library(nlme)
d <- read.csv("../reference/bioassay/designs_floating_nc.csv", stringsAsFactors = FALSE)
set.seed(20261207)
donors <- unique(d$donor)
lev <- setNames(rnorm(length(donors), 20, 4), donors)
shift <- c(R1 = 0, R2 = 3, R3 = 6)
inh_true <- lev[d$donor] + shift[d$run] + rnorm(nrow(d), 0, 1)
d$signal_drug <- round(d$signal * (1 - inh_true / 100), 4)
write.csv(d, "floating_confirm.csv", row.names = FALSE, quote = FALSE)
est <- function(v, method, p) {
  if (method == "parametric") mean(v) + qnorm(p) * sd(v) else quantile(v, p, type = 7, names = FALSE)
}
out <- list()
add <- function(tier, transform, normalisation, method, name, value) {
  out[[length(out) + 1]] <<- data.frame(tier = tier, transform = transform, normalisation = normalisation,
                                        method = method, name = name, value = sprintf("%.17g", value))
}
rules <- list(
  list(transform = "none", normalisation = "additive", y = d$signal, normed = d$signal - d$nc, back = identity),
  list(transform = "none", normalisation = "multiplicative", y = d$signal, normed = d$signal / d$nc, back = identity),
  list(transform = "log", normalisation = "auto", y = log(d$signal), normed = log(d$signal) - log(d$nc), back = exp)
)
for (r in rules) for (method in c("parametric", "nonparametric")) {
  add("titration", r$transform, r$normalisation, method, "cut_point", r$back(est(r$y, method, 0.999)))
  add("titration", r$transform, r$normalisation, method, "normalization_factor", est(r$normed, method, 0.999))
}
inh <- 100 * (1 - d$signal_drug / d$signal)
fit <- lme(inh ~ factor(run), random = ~ 1 | donor, data = data.frame(d, inh = inh), method = "REML")
p_means <- anova(fit)["factor(run)", "p-value"]
dev <- abs(inh - ave(inh, d$run))
p_vars <- anova(lm(dev ~ factor(d$run)))[1, "Pr(>F)"]
for (method in c("parametric", "nonparametric")) {
  add("confirmatory", "none", "auto", method, "cut_point", est(inh, method, 0.99))
  add("confirmatory", "none", "auto", method, "run_means_p", p_means)
  add("confirmatory", "none", "auto", method, "run_variances_p", p_vars)
}
write.csv(do.call(rbind, out), "tiers_reference.csv", row.names = FALSE, quote = FALSE)
