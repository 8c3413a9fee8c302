suppressMessages({library(nlme); library(emmeans)})
d <- read.csv("unequal_variances.csv")
d$la <- log(d$AUCIFO)
fit <- gls(la ~ arm + WT, data = d, weights = varIdent(form = ~ 1 | arm), method = "REML")
em <- emmeans(fit, ~ arm, mode = "satterthwaite")
s <- summary(pairs(em, adjust = "none"), infer = TRUE, level = 0.90)
sig <- sigma(fit) * coef(fit$modelStruct$varStruct, unconstrained = FALSE, allCoef = TRUE)
out <- data.frame(covariates = "WT", contrast = as.character(s$contrast), estimate = sprintf("%.12g", s$estimate),
           se = sprintf("%.12g", s$SE), df = sprintf("%.10g", s$df),
           lower = sprintf("%.12g", s$lower.CL), upper = sprintf("%.12g", s$upper.CL))
write.csv(out, "gls_varident_emmeans.csv", row.names = FALSE, quote = FALSE)
print(sig^2)
cat(R.version.string, "nlme", as.character(packageVersion("nlme")), "emmeans", as.character(packageVersion("emmeans")), "\n")
