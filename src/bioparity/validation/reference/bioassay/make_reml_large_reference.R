# Reference values for bioparity.bioassay.reml_fit on a cut-point experiment of realistic size
# (tests/bioassay/test_reml_large.py). Run from this folder:  Rscript make_reml_large_reference.R
# Writes designs_large.csv (150 donors x 4 runs x 3 plates, 150 values dropped at random: 1,650 rows) and
# reml_large_reference.csv (lme4::lmer REML variance components and REML log-likelihood of log(signal)
# for donor and run crossed, and with plate nested in run). Never run at test time.
suppressPackageStartupMessages(library(lme4))
set.seed(20261207)
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-13, maxfun = 1e6),
                    check.conv.singular = "ignore")
n_donor <- 150; n_run <- 4; n_plate <- 3
d <- expand.grid(donor = sprintf("D%03d", 1:n_donor), run = sprintf("R%d", 1:n_run),
                 plate = sprintf("P%d", 1:n_plate), stringsAsFactors = FALSE)
ue <- rnorm(n_donor, 0, 0.3); re <- rnorm(n_run, 0, 0.15); pe <- rnorm(n_run * n_plate, 0, 0.05)
di <- match(d$donor, sprintf("D%03d", 1:n_donor)); ri <- match(d$run, sprintf("R%d", 1:n_run))
pi <- (ri - 1) * n_plate + match(d$plate, sprintf("P%d", 1:n_plate))
d$y <- 0.2 + ue[di] + re[ri] + pe[pi] + rnorm(nrow(d), 0, 0.1)
d <- d[-sample(nrow(d), 150), ]
d$signal <- sprintf("%.17g", exp(d$y))
write.csv(d[, c("donor", "run", "plate", "signal")], "designs_large.csv", row.names = FALSE, quote = FALSE)
d$y <- log(as.numeric(d$signal))  # exactly the values written
d$runplate <- paste(d$run, d$plate, sep = ":")
out <- list()
add <- function(model, fit) {
  vc <- as.data.frame(VarCorr(fit))
  comp <- ifelse(vc$grp == "Residual", "residual", vc$grp)
  out[[length(out) + 1]] <<- data.frame(model = model, component = c(comp, "loglik"),
                                        value = sprintf("%.17g", c(vc$vcov, as.numeric(logLik(fit)))))
}
add("crossed", lmer(y ~ 1 + (1 | donor) + (1 | run), data = d, REML = TRUE, control = ctrl))
add("nested_plate", lmer(y ~ 1 + (1 | donor) + (1 | run) + (1 | runplate), data = d, REML = TRUE,
                         control = ctrl))
write.csv(do.call(rbind, out), "reml_large_reference.csv", row.names = FALSE, quote = FALSE)
