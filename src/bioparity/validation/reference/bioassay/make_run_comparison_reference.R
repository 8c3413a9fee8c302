# Reference values for the run comparison of bioparity's ADA cut points (fixed or floating cut point;
# Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1 section 3). Run from this folder:
#   Rscript make_run_comparison_reference.R
# Writes run_comparison_reference.csv: on log(signal) of designs_{balanced,unbalanced,nested}.csv (replicate
# plates of a donor in a run averaged, as bioparity does), the Wald F test of equal run means of
# nlme::lme(y ~ run, random = ~ 1 | donor, method = "REML") (anova: containment denominator df), the same F
# of the two-way ANOVA lm(y ~ donor + run) (equal to it for the balanced design), and Levene's (1960)
# mean-centred test of equal run variances, anova(lm(|y - run mean| ~ run)). Never run at test time.
suppressPackageStartupMessages(library(nlme))
lctrl <- lmeControl(maxIter = 1000, msMaxIter = 1000, tolerance = 1e-14, msTol = 1e-14, niterEM = 0,
                    opt = "optim", optimMethod = "BFGS")
out <- list()
for (name in c("balanced", "unbalanced", "nested")) {
  d <- read.csv(sprintf("designs_%s.csv", name), colClasses = c(signal = "numeric"))
  d <- aggregate(signal ~ donor + run, data = d, FUN = mean)
  d$y <- log(d$signal); d$run <- factor(d$run); d$donor <- factor(d$donor)
  a <- anova(lme(y ~ run, random = ~ 1 | donor, data = d, method = "REML", control = lctrl))
  cl <- anova(lm(y ~ donor + run, data = d))
  lev <- anova(lm(abs(d$y - ave(d$y, d$run)) ~ d$run))
  out[[name]] <- data.frame(design = name, n = nrow(d), lme_F = a["run", "F-value"],
                            lme_numDF = a["run", "numDF"], lme_denDF = a["run", "denDF"],
                            lme_p = a["run", "p-value"], anova_F = cl["run", "F value"],
                            anova_p = cl["run", "Pr(>F)"], levene_p = lev[1, "Pr(>F)"])
}
res <- do.call(rbind, out)
num <- vapply(res, is.numeric, logical(1))
res[num] <- lapply(res[num], function(v) sprintf("%.17g", v))
write.csv(res, "run_comparison_reference.csv", row.names = FALSE, quote = FALSE)
cat(R.version.string, "nlme", as.character(packageVersion("nlme")), format(Sys.time(), tz = "UTC"), "\n")
