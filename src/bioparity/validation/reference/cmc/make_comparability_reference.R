# Reference values for the comparability kind (ICH Q5E, 2004, sections 2.2 and 2.4) on comparability.csv (the
# kind's example file, copied unchanged from bioparity.analyses.comparability.example_data), base R only.
# Run `Rscript make_comparability_reference.R` in this folder: writes comparability_reference.csv (case,
# name, value; 17 significant digits).
# - Release attributes (rows without time): post-change lots against the quality range of the pre-change
#   lots, mean_pre +/- k sd_pre, k = 2.5 for tier 1 and 3 for tier 2 (the qr-2025 plan of bioparity.caa:
#   FDA draft guidance Development of Therapeutic Protein Biosimilars: Comparative Analytical Assessment and
#   Other Quality-Related Considerations, 2019, section V.B); the share of post-change lots inside it.
# - Stability rows (ICH Q1E, 2003, Appendix B): per attribute and condition, each lot's own line (lm) and
#   the difference of the mean slopes post - pre from the full model value ~ 0 + lot + lot:time (pooled
#   MSE), its SE from vcov, residual df and the 90% t interval (as make_reference.R's slopediff).
options(digits = 17)
out <- list()
put <- function(case, name, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, name = name, value = format(value, digits = 17))
}
d <- read.csv("comparability.csv")
release <- d[is.na(d$time), ]
for (a in unique(release$attribute)) {
  g <- release[release$attribute == a, ]
  pre <- g$value[g$source == "pre-change"]; post <- g$value[g$source == "post-change"]
  k <- if (g$tier[1] == 1) 2.5 else 3
  lo <- mean(pre) - k * sd(pre); hi <- mean(pre) + k * sd(pre)
  case <- paste("release", a)
  put(case, "mean_test", mean(post)); put(case, "sd_test", sd(post))
  put(case, "mean_reference", mean(pre)); put(case, "sd_reference", sd(pre))
  put(case, "lower_limit", lo); put(case, "upper_limit", hi)
  put(case, "fraction_inside", mean(post >= lo & post <= hi))
}
stab <- d[!is.na(d$time), ]
for (a in unique(stab$attribute)) for (cond in unique(stab$condition[stab$attribute == a])) {
  g <- stab[stab$attribute == a & stab$condition == cond, ]
  g$lot <- factor(g$lot, levels = unique(g$lot))
  case <- paste("stability", a, cond)
  for (l in levels(g$lot)) {
    fi <- lm(value ~ time, data = g[g$lot == l, ])
    put(case, paste0("intercept_", l), coef(fi)[[1]]); put(case, paste0("slope_", l), coef(fi)[[2]])
    put(case, paste0("slope_se_", l), summary(fi)$coefficients[2, 2])
  }
  full <- lm(value ~ 0 + lot + lot:time, data = g)
  cf <- coef(full); V <- vcov(full); nm <- names(cf)
  post <- unique(as.character(g$lot[g$source == "post-change"]))
  pre <- unique(as.character(g$lot[g$source == "pre-change"]))
  cvec <- rep(0, length(cf))
  cvec[nm %in% sprintf("lot%s:time", post)] <- 1 / length(post)
  cvec[nm %in% sprintf("lot%s:time", pre)] <- -1 / length(pre)
  est <- sum(cvec * cf); se <- sqrt(drop(t(cvec) %*% V %*% cvec)); dfr <- df.residual(full)
  put(case, "difference", est); put(case, "se", se); put(case, "df", dfr)
  put(case, "ci_lower", est - qt(0.95, dfr) * se); put(case, "ci_upper", est + qt(0.95, dfr) * se)
}
write.csv(do.call(rbind, out), "comparability_reference.csv", row.names = FALSE)
