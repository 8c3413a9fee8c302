# Reference values for bioparity's relative potency core (issue #19), computed with base R only
# (stats::nls, stats::lm, stats::anova). Run from this folder:  Rscript make_reference.R
# Writes the simulated data sets (data_*.csv) and the results (ref_*.csv) with a provenance header
# comment in provenance.txt. bioparity tests read these CSVs; R is never called at test time.
options(digits = 17)
fmt <- function(x) formatC(x, digits = 17, format = "g")
wr <- function(df, file) write.csv(df, file, row.names = FALSE, quote = FALSE)
out <- list()
put <- function(case, name, value) out[[length(out) + 1]] <<- data.frame(case = case, name = name, value = fmt(value))

ll4 <- function(x, b, c, d, m) c + (d - c) / (1 + exp(b * (x - m)))
ll5 <- function(x, b, c, d, f, m) c + (d - c) / (1 + exp(b * (x - m)))^f

## ---- 4PL parallel model: 2 preparations x 8 doses x 3 replicates ------------------------------
set.seed(19)
dose <- rep(2^(0:7), each = 3)
d4 <- rbind(
  data.frame(sample = "standard", dose = dose, replicate = rep(1:3, 8),
             response = ll4(log(dose), -1.3, 0.15, 2.1, log(12)) + rnorm(24, 0, 0.04)),
  data.frame(sample = "test", dose = dose, replicate = rep(1:3, 8),
             response = ll4(log(dose), -1.3, 0.15, 2.1, log(12 / 1.6)) + rnorm(24, 0, 0.04)))
d4$assay <- "A1"
wr(d4[, c("assay", "sample", "dose", "replicate", "response")], "data_4pl.csv")
d4$g <- ifelse(d4$sample == "standard", 1L, 2L)
d4$x <- log(d4$dose)
ctl <- nls.control(maxiter = 500, tol = 1e-7, minFactor = 1e-12)
# nls stops at relative offset 1e-7; 20 further plain Gauss-Newton steps (the model object's own
# increment) polish the optimum so that parameters are determined well below 1e-6 relative.
polish <- function(fit) { for (i in 1:20) fit$m$setPars(fit$m$getPars() + fit$m$incr()); fit }
# A parallel logistic fit's parameters, residual SS and df, and the relative potency exp(m1 - m2) with its
# 95% t interval from the covariance of m1 and m2 (the 4PL and 5PL cases alike).
put_parallel <- function(case, fit) {
  cf <- coef(fit); V <- vcov(fit)
  for (n in names(cf)) put(case, n, cf[[n]])
  lrp <- cf[["m1"]] - cf[["m2"]]
  se <- sqrt(V["m1", "m1"] + V["m2", "m2"] - 2 * V["m1", "m2"])
  dfr <- df.residual(fit)
  put(case, "rss", deviance(fit)); put(case, "df", dfr)
  put(case, "relative_potency", exp(lrp))
  put(case, "ci_lower", exp(lrp - qt(0.975, dfr) * se)); put(case, "ci_upper", exp(lrp + qt(0.975, dfr) * se))
}
par4 <- nls(response ~ c + (d - c) / (1 + exp(b * (x - m[g]))), data = d4,
            start = list(b = -1, c = 0.1, d = 2, m = c(2.5, 2)), control = ctl)
par4 <- polish(par4)
sep4 <- nls(response ~ c[g] + (d[g] - c[g]) / (1 + exp(b[g] * (x - m[g]))), data = d4,
            start = list(b = rep(coef(par4)[["b"]], 2), c = rep(coef(par4)[["c"]], 2),
                          d = rep(coef(par4)[["d"]], 2), m = coef(par4)[c("m1", "m2")]), control = ctl)
sep4 <- polish(sep4)
put_parallel("4pl", par4)
a <- anova(par4, sep4)
put("4pl", "nonparallel_F", a[2, "F value"]); put("4pl", "nonparallel_p", a[2, "Pr(>F)"])
cs <- coef(sep4)
for (n in names(cs)) put("4pl_sep", n, cs[[n]])

## ---- 5PL parallel model: 2 preparations x 12 doses x 3 replicates -----------------------------
set.seed(5)
dose5 <- rep(2^seq(-3, 8), each = 3)
d5 <- rbind(
  data.frame(sample = "standard", dose = dose5, replicate = rep(1:3, 12),
             response = ll5(log(dose5), -1.1, 0.2, 3.0, 0.45, log(8)) + rnorm(36, 0, 0.03)),
  data.frame(sample = "test", dose = dose5, replicate = rep(1:3, 12),
             response = ll5(log(dose5), -1.1, 0.2, 3.0, 0.45, log(8 / 0.7)) + rnorm(36, 0, 0.03)))
d5$assay <- "B1"
wr(d5[, c("assay", "sample", "dose", "replicate", "response")], "data_5pl.csv")
d5$g <- ifelse(d5$sample == "standard", 1L, 2L)
d5$x <- log(d5$dose)
source("parallel_5pl.R")  # fn5: the parallel 5PL with its analytic gradient
par5 <- nls(response ~ fn5(x, g, b, c, d, f, m1, m2), data = d5,
            start = list(b = -1, c = 0.2, d = 3, f = 0.5, m1 = 2, m2 = 2.4), control = ctl)
par5 <- polish(par5)
put_parallel("5pl", par5)

## ---- Fieller interval of a ratio (Finney 1978, section 2.5) -----------------------------------
fieller <- function(num, den, vn, vd, cv, t) {
  m <- num / den; g <- t^2 * vd / den^2
  half <- t / abs(den) * sqrt(vn - 2 * m * cv + m^2 * vd - g * (vn - cv^2 / vd))
  c(m, (m - g * cv / vd - half) / (1 - g), (m - g * cv / vd + half) / (1 - g))
}
# The sequential SS and df of every term of a full model's ANOVA table ``an``.
put_anova <- function(case, an) {
  for (src in rownames(an)) { put(case, paste0("ss_", src), an[src, "Sum Sq"]); put(case, paste0("df_", src), an[src, "Df"]) }
}
# Fieller's ratio coef[num] / coef[den] of the reduced model ``reg`` and its 95% limits, with the residual
# mean square and df of the full model's ANOVA table ``an`` (the linear designs alike).
fieller_lm <- function(an, reg, num, den) {
  s2 <- an["Residuals", "Mean Sq"]; dfe <- an["Residuals", "Df"]
  V <- vcov(reg) / summary(reg)$sigma^2 * s2
  fieller(coef(reg)[[num]], coef(reg)[[den]], V[num, num], V[den, den], V[num, den], qt(0.975, dfe))
}

## ---- parallel-line, randomised block design: 4 doses x 2 preps, 4 blocks ----------------------
set.seed(3)
pl <- expand.grid(block = paste0("B", 1:4), dose = c(1, 2, 4, 8), sample = c("standard", "test"),
                  stringsAsFactors = FALSE)
beff <- c(B1 = 0.0, B2 = 0.8, B3 = -0.5, B4 = 0.3)
pl$response <- 10 + 6 * log(pl$dose * ifelse(pl$sample == "test", 0.8, 1)) + beff[pl$block] +
  rnorm(nrow(pl), 0, 0.6)
pl$assay <- "P1"; pl$replicate <- as.integer(factor(pl$block))
wr(pl[, c("assay", "sample", "dose", "replicate", "block", "response")], "data_parallel_line_rb.csv")
pl$t <- as.numeric(pl$sample == "test"); pl$x <- log(pl$dose); pl$tx <- pl$t * pl$x
pl$cell <- factor(paste(pl$sample, pl$dose))
full <- lm(response ~ factor(block) + t + x + tx + cell, data = pl)
an <- anova(full)
put_anova("pl_rb", an)
put("pl_rb", "p_tx", an["tx", "Pr(>F)"]); put("pl_rb", "p_cell", an["cell", "Pr(>F)"])
fi <- fieller_lm(an, lm(response ~ factor(block) + t + x, data = pl), "t", "x")
put("pl_rb", "relative_potency", exp(fi[1])); put("pl_rb", "ci_lower", exp(fi[2])); put("pl_rb", "ci_upper", exp(fi[3]))

## ---- parallel-line, 3-dose Latin square (6 x 6) -----------------------------------------------
set.seed(11)
trt <- expand.grid(dose = c(1, 2, 4), sample = c("standard", "test"), stringsAsFactors = FALSE)
ls <- do.call(rbind, lapply(1:6, function(r) do.call(rbind, lapply(1:6, function(cc) {
  k <- ((r + cc) %% 6) + 1
  data.frame(row = paste0("R", r), column = paste0("C", cc), dose = trt$dose[k], sample = trt$sample[k])
}))))
ls$response <- 20 + 5 * log(ls$dose * ifelse(ls$sample == "test", 1.25, 1)) +
  0.4 * as.integer(factor(ls$row)) - 0.3 * as.integer(factor(ls$column)) + rnorm(36, 0, 0.5)
ls$assay <- "L1"
ls$replicate <- ave(seq_len(36), ls$sample, ls$dose, FUN = seq_along)
wr(ls[, c("assay", "sample", "dose", "replicate", "row", "column", "response")], "data_parallel_line_latin.csv")
ls$t <- as.numeric(ls$sample == "test"); ls$x <- log(ls$dose); ls$tx <- ls$t * ls$x; ls$cell <- factor(paste(ls$sample, ls$dose))
full <- lm(response ~ factor(row) + factor(column) + t + x + tx + cell, data = ls)
an <- anova(full)
put_anova("pl_ls", an)
fi <- fieller_lm(an, lm(response ~ factor(row) + factor(column) + t + x, data = ls), "t", "x")
put("pl_ls", "relative_potency", exp(fi[1])); put("pl_ls", "ci_lower", exp(fi[2])); put("pl_ls", "ci_upper", exp(fi[3]))

## ---- slope-ratio (hd+1) design: blank + 4 doses x 2 preps, 4 replicates ------------------------
set.seed(7)
sr <- rbind(expand.grid(sample = "standard", dose = c(0, 1, 2, 3, 4), replicate = 1:4, stringsAsFactors = FALSE),
            expand.grid(sample = "test", dose = c(1, 2, 3, 4), replicate = 1:4, stringsAsFactors = FALSE))
sr$response <- 2 + 1.5 * sr$dose * ifelse(sr$sample == "test", 0.9, 1) + rnorm(nrow(sr), 0, 0.25)
sr$assay <- "S1"
wr(sr[, c("assay", "sample", "dose", "replicate", "response")], "data_slope_ratio.csv")
sr$blank <- as.numeric(sr$dose == 0)
sr$zs <- sr$dose * (sr$sample == "standard"); sr$zt <- sr$dose * (sr$sample == "test")
sr$tind <- as.numeric(sr$sample == "test" & sr$dose > 0)
sr$cell <- factor(paste(sr$sample, sr$dose))
full <- lm(response ~ zs + zt + blank + tind + cell, data = sr)
an <- anova(full)
put_anova("sr", an)
put("sr", "p_tind", an["tind", "Pr(>F)"])
fi <- fieller_lm(an, lm(response ~ zs + zt, data = sr), "zt", "zs")
put("sr", "relative_potency", fi[1]); put("sr", "ci_lower", fi[2]); put("sr", "ci_upper", fi[3])

## ---- combination of independent assays (Ph. Eur. 5.3 section 6 formulas) ----------------------
combine <- function(case, rp, lo, hi, df) {
  M <- log(rp); t <- qt(0.975, df); w <- 4 * t^2 / (log(hi) - log(lo))^2
  Mw <- sum(w * M) / sum(w); chi <- sum(w * (M - Mw)^2); n <- length(M)
  put(case, "chi_square", chi); put(case, "chi_square_p", pchisq(chi, n - 1, lower.tail = FALSE))
  h <- qt(0.975, sum(df)) / sqrt(sum(w))
  put(case, "weighted", exp(Mw)); put(case, "weighted_lower", exp(Mw - h)); put(case, "weighted_upper", exp(Mw + h))
  Mu <- mean(M); vb <- var(M); sb <- max(vb - sum(1 / w) / n, 0); ws <- 1 / (1 / w + sb)
  Ms <- sum(ws * M) / sum(ws); h <- qt(0.975, n - 1) / sqrt(sum(ws))
  put(case, "semi_weighted", exp(Ms)); put(case, "semi_weighted_lower", exp(Ms - h)); put(case, "semi_weighted_upper", exp(Ms + h))
  h <- qt(0.975, n - 1) * sqrt(vb / n)
  put(case, "unweighted", exp(Mu)); put(case, "unweighted_lower", exp(Mu - h)); put(case, "unweighted_upper", exp(Mu + h))
}
comb_h <- data.frame(rp = c(1.02, 0.97, 1.05, 0.99, 1.01), lo = c(0.93, 0.88, 0.95, 0.91, 0.90),
                     hi = c(1.12, 1.07, 1.16, 1.08, 1.13), df = c(20, 18, 22, 20, 16))
comb_x <- data.frame(rp = c(1.20, 0.85, 1.05, 0.92), lo = c(1.12, 0.80, 0.99, 0.86),
                     hi = c(1.29, 0.90, 1.11, 0.98), df = c(30, 30, 28, 25))
wr(comb_h, "data_combine_homogeneous.csv"); wr(comb_x, "data_combine_heterogeneous.csv")
combine("combine_h", comb_h$rp, comb_h$lo, comb_h$hi, comb_h$df)
combine("combine_x", comb_x$rp, comb_x$lo, comb_x$hi, comb_x$df)

res <- do.call(rbind, out)
wr(res, "ref_results.csv")
writeLines(c(paste("generated:", format(Sys.time(), tz = "UTC", usetz = TRUE)),
             paste("R:", R.version.string),
             paste("stats package:", packageVersion("stats")),
             "script: make_reference.R (this folder); data_*.csv simulated by it (set.seed per case)",
             "optimiser: stats::nls Gauss-Newton, tol 1e-7 (relative offset), then 20 Gauss-Newton polishing steps; lm/anova sequential sums of squares"),
           "provenance.txt")
