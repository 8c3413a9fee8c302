# 2x2 crossover ABE on replicateBE's rds01 (packaged), periods 1-2 only (sequence RT or TR from the first two letters).
# Run from this folder: Rscript abe_rds01_periods12.R   (writes abe_rds01_periods12.csv)
d <- read.csv("../../../src/bioparity/validation/reference/replicate_be/rds01.csv")
d <- d[d$period %in% c(1, 2) & !is.na(d$PK), ]
d$sequence <- factor(substr(d$sequence, 1, 2)); d$subject <- factor(d$subject)
d$period <- factor(d$period); d$treatment <- factor(d$treatment, levels = c("R", "T"))
keep <- names(which(table(d$subject) == 2)); d <- droplevels(d[d$subject %in% keep, ])
fit <- lm(log(PK) ~ sequence + subject + period + treatment, data = d)
ci <- confint(fit, "treatmentT", level = 0.90)
mse <- sum(residuals(fit)^2) / df.residual(fit)
out <- data.frame(n = nlevels(d$subject),
  pe = sprintf("%.12g", 100 * exp(coef(fit)[["treatmentT"]])),
  ci_lower = sprintf("%.12g", 100 * exp(ci[1])), ci_upper = sprintf("%.12g", 100 * exp(ci[2])),
  df = df.residual(fit), cvw = sprintf("%.12g", 100 * sqrt(exp(mse) - 1)))
write.csv(out, "abe_rds01_periods12.csv", row.names = FALSE, quote = FALSE)
cat(R.version.string, "\n")
