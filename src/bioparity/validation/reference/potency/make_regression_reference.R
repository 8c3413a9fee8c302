# Reference values for the regression test of bioparity's 4PL/5PL parallel model (Ph. Eur. 5.3, section 3.4:
# the regression of a valid assay is significant), computed with base R only (stats::nls, stats::anova).
# Run from this folder:  Rscript make_regression_reference.R   (writes ref_regression.csv)
# The test: the parallel curves (shared b, c, d [, f], one m per preparation) against flat curves (one level
# per preparation: the preparations model, as the regression line of the parallel-line ANOVA of section
# 3.2.3 follows the preparations), extra-sum-of-squares F on (k_par - 2, N - k_par) df: anova(flat, parallel).
# Data: data_4pl.csv and data_5pl.csv (make_reference.R), data_4pl_weak.csv (a weak dose-response: 4PL of
# amplitude 0.06 with N(0, 0.1) noise, NumPy default_rng(37), rounded to 3 decimals).
options(digits = 17)
fmt <- function(x) formatC(x, digits = 17, format = "g")
out <- list()
put <- function(case, name, value) out[[length(out) + 1]] <<- data.frame(case = case, name = name, value = fmt(value))
ctl <- nls.control(maxiter = 500, tol = 1e-7, minFactor = 1e-12)
polish <- function(fit) { for (i in 1:20) fit$m$setPars(fit$m$getPars() + fit$m$incr()); fit }
prep <- function(file) {
  d <- read.csv(file); d$g <- ifelse(d$sample == "standard", 1L, 2L); d$x <- log(d$dose); d
}
source("parallel_5pl.R")  # fn5: the parallel 5PL with its analytic gradient
regression <- function(case, d, par) {
  flat <- nls(response ~ a[g], data = d, start = list(a = c(mean(d$response), mean(d$response))))
  a <- anova(flat, par)
  put(case, "rss_parallel", deviance(par)); put(case, "rss_flat", deviance(flat))
  put(case, "regression_df", a[2, "Df"]); put(case, "residual_df", df.residual(par))
  put(case, "regression_F", a[2, "F value"]); put(case, "regression_p", a[2, "Pr(>F)"])
  cf <- coef(par); for (n in names(cf)) put(case, n, cf[[n]])
}
d4 <- prep("data_4pl.csv")
par4 <- polish(nls(response ~ c + (d - c) / (1 + exp(b * (x - m[g]))), data = d4,
                   start = list(b = -1, c = 0.1, d = 2, m = c(2.5, 2)), control = ctl))
regression("4pl", d4, par4)
dw <- prep("data_4pl_weak.csv")
# a weak response has a flat optimum, where nls's default Gauss-Newton stalls: the PORT trust-region
# algorithm (nl2sol), from a start that only reads the data's range
parw <- nls(response ~ c + (d - c) / (1 + exp(b * (x - m[g]))), data = dw,
            start = list(b = -1, c = min(dw$response), d = max(dw$response), m = c(1.5, 1.2)),
            algorithm = "port", control = nls.control(maxiter = 1000, tol = 1e-10))
# (no Gauss-Newton polishing here: its plain steps overshoot on this flat optimum)
regression("4pl_weak", dw, parw)
d5 <- prep("data_5pl.csv")
par5 <- polish(nls(response ~ fn5(x, g, b, c, d, f, m1, m2), data = d5,
                   start = list(b = -1, c = 0.2, d = 3, f = 0.5, m1 = 2, m2 = 2.4), control = ctl))
regression("5pl", d5, par5)
res <- do.call(rbind, out)
con <- file("ref_regression.csv", "w")
writeLines(paste0("# ", R.version.string, "; stats ", packageVersion("stats"), "; make_regression_reference.R"), con)
write.csv(res, con, row.names = FALSE, quote = FALSE)
close(con)
print(res)
