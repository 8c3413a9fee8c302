# Reference values for bioparity's ADA cut-point core (tests/bioassay/). Run from this folder:
#   Rscript make_bioassay_reference.R
# Writes designs_*.csv (generated validation designs), reml_reference.csv (lme4::lmer and nlme::lme REML
# variance components) and cutpoint_reference.csv (quantile types 1-9, mad, mean + z sd, median + z mad,
# noncentral-t LCL factors, Shapiro-Wilk p). Never run at test time.
suppressPackageStartupMessages({library(lme4); library(nlme)})
set.seed(20261205)
out <- list()
add <- function(design, software, model, component, value) {
  out[[length(out) + 1]] <<- data.frame(design = design, software = software, model = model,
                                        component = component, value = sprintf("%.17g", value))
}
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-13, maxfun = 1e6),
                    check.conv.singular = "ignore")
lctrl <- lmeControl(maxIter = 1000, msMaxIter = 1000, tolerance = 1e-14, msTol = 1e-14, niterEM = 0,
                    opt = "optim", optimMethod = "BFGS")
make <- function(name, n_donor, n_run, n_plate, drop = 0, run_sd = 0.15, donor_sd = 0.3, plate_sd = 0.05,
                 err_sd = 0.1) {
  d <- expand.grid(donor = sprintf("D%02d", 1:n_donor), run = sprintf("R%d", 1:n_run),
                   plate = sprintf("P%d", 1:n_plate), stringsAsFactors = FALSE)
  ue <- rnorm(n_donor, 0, donor_sd); re <- rnorm(n_run, 0, run_sd)
  pe <- rnorm(n_run * n_plate, 0, plate_sd)
  di <- match(d$donor, sprintf("D%02d", 1:n_donor)); ri <- match(d$run, sprintf("R%d", 1:n_run))
  pi <- (ri - 1) * n_plate + match(d$plate, sprintf("P%d", 1:n_plate))
  d$y <- 0.2 + ue[di] + re[ri] + pe[pi] + rnorm(nrow(d), 0, err_sd)
  if (drop > 0) d <- d[-sample(nrow(d), drop), ]
  d$signal <- sprintf("%.17g", exp(d$y))
  write.csv(d[, c("donor", "run", "plate", "signal")], sprintf("designs_%s.csv", name), row.names = FALSE,
            quote = FALSE)
  d$y <- log(as.numeric(d$signal))  # exactly the values written
  d
}
designs <- list(
  balanced = make("balanced", 20, 4, 1),
  unbalanced = make("unbalanced", 15, 3, 1, drop = 7),
  nested = make("nested", 12, 3, 2, drop = 5),
  singular = make("singular", 10, 3, 1, donor_sd = 0, err_sd = 0.2)  # true donor variance 0 (estimate small)
)
for (name in names(designs)) {
  d <- designs[[name]]
  # run fixed, donor random (the run-comparison model of the cut-point core)
  f1 <- lmer(y ~ factor(run) + (1 | donor), data = d, REML = TRUE, control = ctrl)
  vc <- as.data.frame(VarCorr(f1))
  add(name, "lme4", "run_fixed", "donor", vc$vcov[vc$grp == "donor"])
  add(name, "lme4", "run_fixed", "residual", vc$vcov[vc$grp == "Residual"])
  if (name != "singular") {  # nlme 3.1-162 stops with a convergence error on this design
    l1 <- lme(y ~ factor(run), random = ~ 1 | donor, data = d, method = "REML", control = lctrl)
    s2 <- l1$sigma^2  # full precision (VarCorr() prints rounded text)
    add(name, "nlme", "run_fixed", "donor", pdMatrix(l1$modelStruct$reStruct)[[1]][1, 1] * s2)
    add(name, "nlme", "run_fixed", "residual", s2)
  }
  # donor and run crossed random
  f2 <- lmer(y ~ 1 + (1 | donor) + (1 | run), data = d, REML = TRUE, control = ctrl)
  vc <- as.data.frame(VarCorr(f2))
  for (g in c("donor", "run")) add(name, "lme4", "crossed", g, vc$vcov[vc$grp == g])
  add(name, "lme4", "crossed", "residual", vc$vcov[vc$grp == "Residual"])
  if (name == "nested") {
    d$runplate <- paste(d$run, d$plate, sep = ":")
    f3 <- lmer(y ~ 1 + (1 | donor) + (1 | run) + (1 | runplate), data = d, REML = TRUE, control = ctrl)
    vc <- as.data.frame(VarCorr(f3))
    for (g in c("donor", "run", "runplate")) add(name, "lme4", "nested_plate", g, vc$vcov[vc$grp == g])
    add(name, "lme4", "nested_plate", "residual", vc$vcov[vc$grp == "Residual"])
  }
}
write.csv(do.call(rbind, out), "reml_reference.csv", row.names = FALSE, quote = FALSE)

# cut-point statistics on the log signals of the balanced design (no outlier removal)
cp <- list()
addc <- function(design, statistic, p, qtype, value) {
  cp[[length(cp) + 1]] <<- data.frame(design = design, statistic = statistic, p = p, qtype = qtype,
                                      value = sprintf("%.17g", value))
}
for (name in names(designs)) {
  y <- designs[[name]]$y
  for (p in c(0.95, 0.99, 0.999)) {
    for (t in 1:9) addc(name, "quantile", p, t, quantile(y, p, type = t, names = FALSE))
    addc(name, "parametric", p, NA, mean(y) + qnorm(p) * sd(y))
    addc(name, "robust", p, NA, median(y) + qnorm(p) * mad(y))
  }
  addc(name, "mad", NA, NA, mad(y))
  addc(name, "shapiro_p", NA, NA, shapiro.test(y)$p.value)
}
for (n in c(5, 10, 20, 50)) for (conf in c(0.8, 0.9, 0.95)) for (p in c(0.95, 0.99))
  addc(sprintf("lcl_n%d_conf%g", n, conf), "lcl_factor", p, NA, qt(1 - conf, n - 1, ncp = sqrt(n) * qnorm(p)) / sqrt(n))
write.csv(do.call(rbind, cp), "cutpoint_reference.csv", row.names = FALSE, quote = FALSE)
writeLines(c(sprintf("R %s", getRversion()), sprintf("lme4 %s", packageVersion("lme4")),
             sprintf("nlme %s", packageVersion("nlme")), sprintf("date %s", format(Sys.time(), tz = "UTC", usetz = TRUE))),
           "versions.txt")
