# Reference values for bioparity.bioassay.linearity (ICH Q2(R2) 2023 section 3.2.1), base R stats only:
# lm, summary.lm, confint, cor, anova of the straight line against the one-way (pure error) model.
# Run `Rscript make_linearity_reference.R` in this folder: writes linearity_unreplicated.csv (generated,
# fixed seed) and linearity_reference.csv (case, name, value; 17 significant digits).
# Data: linearity_example.csv (bioparity's linearity example, 5 levels in triplicate), linearity_curved.csv
# (saturating calibration, 6 levels in duplicate; tests/analyses/test_kind_linearity.py), and a generated
# unreplicated 7-level line (no pure error: lack of fit not testable).
options(digits = 17)
set.seed(20261207)
lev <- c(80, 90, 95, 100, 105, 110, 120)
write.csv(data.frame(level = lev, response = round(0.5 + 1.02 * lev + rnorm(length(lev), 0, 0.8), 3)),
          "linearity_unreplicated.csv", row.names = FALSE, quote = FALSE)
cases <- list(
  example = list(file = "linearity_example.csv", conf = 0.95, target = 100),
  curved = list(file = "linearity_curved.csv", conf = 0.90, target = 16),
  unreplicated = list(file = "linearity_unreplicated.csv", conf = 0.99, target = 100)
)
out <- list()
put <- function(case, name, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, name = name, value = format(value, digits = 17))
}
for (case in names(cases)) {
  k <- cases[[case]]
  d <- read.csv(k$file)
  m <- lm(response ~ level, data = d)
  s <- summary(m)
  ci <- confint(m, level = k$conf)
  put(case, "n", nrow(d)); put(case, "n_levels", length(unique(d$level))); put(case, "df", df.residual(m))
  put(case, "intercept", coef(m)[[1]]); put(case, "slope", coef(m)[[2]])
  put(case, "intercept_se", s$coefficients[1, 2]); put(case, "slope_se", s$coefficients[2, 2])
  put(case, "intercept_ci_lower", ci[1, 1]); put(case, "intercept_ci_upper", ci[1, 2])
  put(case, "slope_ci_lower", ci[2, 1]); put(case, "slope_ci_upper", ci[2, 2])
  put(case, "r", cor(d$level, d$response)); put(case, "r_squared", s$r.squared)
  put(case, "residual_sd", s$sigma); put(case, "rss", deviance(m))
  put(case, "intercept_percent", 100 * coef(m)[[1]] / (coef(m)[[1]] + coef(m)[[2]] * k$target))
  if (anyDuplicated(d$level)) {
    a <- anova(m, lm(response ~ factor(level), data = d))
    put(case, "lof_f", a$F[2]); put(case, "lof_df1", a$Df[2]); put(case, "lof_df2", a$Res.Df[2])
    put(case, "lof_p", a[["Pr(>F)"]][2])
  } else {
    put(case, "lof_f", NA); put(case, "lof_df1", 0); put(case, "lof_df2", 0); put(case, "lof_p", NA)
  }
  r <- resid(m)
  for (i in seq_along(r)) put(case, sprintf("residual_%02d", i), r[[i]])
}
write.csv(do.call(rbind, out), "linearity_reference.csv", row.names = FALSE, quote = FALSE)
writeLines(c(R.version.string, paste("date:", format(Sys.time(), "%Y-%m-%d %H:%M %Z", tz = "UTC")),
             "script: make_linearity_reference.R (base R stats only)"), "linearity_provenance.txt")
