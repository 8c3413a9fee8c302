# ANCOVA of log Cmax on body weight from the concentrations of mab_weight_conc.csv, independently of
# bioparity's NCA (Cmax = the largest concentration of each subject): pooled variance (lm) and one
# residual variance per arm (nlme gls varIdent, REML). Writes mab_weight_cmax_ancova.csv.
library(nlme)
d <- read.csv("mab_weight_conc.csv")
s <- aggregate(cbind(cmax = conc) ~ subject + arm + weight, data = d, FUN = max)
out <- NULL
for (p in list(c("test", "eu-ref"), c("test", "us-ref"), c("eu-ref", "us-ref"))) {
  s$a <- relevel(factor(s$arm), ref = p[2])
  nm <- paste0("a", p[1])
  m <- lm(log(cmax) ~ a + weight, data = s)
  ci <- confint(m, level = 0.9)[nm, ]
  g <- gls(log(cmax) ~ a + weight, data = s, weights = varIdent(form = ~ 1 | arm), method = "REML")
  out <- rbind(out,
    data.frame(model = "lm", test = p[1], reference = p[2], estimate = sprintf("%.15g", coef(m)[nm]),
               se = sprintf("%.15g", sqrt(vcov(m)[nm, nm])), lower = sprintf("%.15g", 100 * exp(ci[1])),
               upper = sprintf("%.15g", 100 * exp(ci[2])), df = m$df.residual),
    data.frame(model = "gls", test = p[1], reference = p[2], estimate = sprintf("%.15g", coef(g)[nm]),
               se = sprintf("%.15g", sqrt(vcov(g)[nm, nm])), lower = "", upper = "", df = ""))
}
write.csv(out, "mab_weight_cmax_ancova.csv", row.names = FALSE, quote = FALSE)
cat(R.version.string, "nlme", as.character(packageVersion("nlme")), "\n")
