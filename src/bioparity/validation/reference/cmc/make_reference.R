# Reference values for bioparity.stability (issue #23), base R only (stats: lm, anova, predict, qt, uniroot).
# Run `Rscript make_reference.R` in this folder: writes data_stability_*.csv (generated with fixed seeds) and
# ref_stability.csv (case, name, value; 17 significant digits), and provenance.txt.
options(digits = 17)
out <- list()
put <- function(case, name, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, name = name, value = format(value, digits = 17))
}

gen <- function(seed, lots, times, a, b, sd, reps = 1, product = NULL) {
  set.seed(seed)
  rows <- list()
  for (i in seq_along(lots)) {
    tt <- rep(times, each = reps)
    y <- a[i] + b[i] * tt + rnorm(length(tt), 0, sd)
    rows[[i]] <- data.frame(lot = lots[i], time = tt, value = round(y, 4),
                            product = if (is.null(product)) "p" else product[i])
  }
  do.call(rbind, rows)
}

# three data sets that land on cics, dics and dids, and one on a log scale (first-order loss)
sets <- list(
  cics = gen(2311, c("L1", "L2", "L3", "L4"), c(0, 3, 6, 9, 12, 18, 24), rep(100, 4), rep(-0.2, 4), 0.6, 2),
  dics = gen(2302, c("A", "B", "C"), c(0, 3, 6, 9, 12, 18), c(101, 103.5, 99.5), rep(-0.25, 3), 0.5, 2),
  dids = gen(2303, c("X1", "X2", "X3"), c(0, 1, 3, 6, 9, 12, 18, 24), c(100, 100.5, 99.8), c(-0.1, -0.3, -0.5), 0.4),
  logm = gen(2304, c("G1", "G2", "G3"), c(0, 3, 6, 9, 12, 18, 24), c(1, 1.02, 0.98), c(0.03, 0.031, 0.029), 0.02, 2)
)
sets$logm$value <- round(exp(sets$logm$value), 5)  # first-order growth of an impurity, %: ln(value) is linear
spec <- list(cics = c(95, NA), dics = c(95, NA), dids = c(95, NA), logm = c(NA, 5))
models <- c(cics = "linear", dics = "linear", dids = "linear", logm = "log")

conf <- 0.95
for (case in names(sets)) {
  d <- sets[[case]]
  write.csv(d[, c("lot", "time", "value")], sprintf("data_stability_%s.csv", case), row.names = FALSE)
  d$lot <- factor(d$lot, levels = unique(d$lot))
  d$y <- if (models[[case]] == "log") log(d$value) else d$value
  full <- lm(y ~ 0 + lot + lot:time, data = d)
  dics <- lm(y ~ 0 + lot + time, data = d)
  cics <- lm(y ~ time, data = d)
  av <- anova(full, dics, cics)
  put(case, "f_slope", av[2, "F"]); put(case, "p_slope", av[2, "Pr(>F)"])
  put(case, "f_intercept", av[3, "F"]); put(case, "p_intercept", av[3, "Pr(>F)"])
  put(case, "rss_dids", deviance(full)); put(case, "rss_dics", deviance(dics)); put(case, "rss_cics", deviance(cics))
  # the same F tests as the sequential ANCOVA y ~ time + lot + time:lot
  seqa <- anova(lm(y ~ time + lot + time:lot, data = d))
  put(case, "seq_f_lot", seqa["lot", "F value"]); put(case, "seq_f_time_lot", seqa["time:lot", "F value"])
  lv <- levels(d$lot)
  for (i in seq_along(lv)) {
    fi <- lm(y ~ time, data = d[d$lot == lv[i], ])
    put(case, sprintf("intercept_%s", lv[i]), coef(fi)[[1]])
    put(case, sprintf("slope_%s", lv[i]), coef(fi)[[2]])
    put(case, sprintf("slope_se_%s", lv[i]), summary(fi)$coefficients[2, 2])
  }
  put(case, "common_slope_dics", coef(dics)[["time"]])
  put(case, "cics_intercept", coef(cics)[[1]]); put(case, "cics_slope", coef(cics)[[2]])
  # p values decide the model at 0.25 (ICH Q1E Appendix B)
  chosen <- if (av[2, "Pr(>F)"] < 0.25) "dids" else if (av[3, "Pr(>F)"] < 0.25) "dics" else "cics"
  put(case, "pooling", chosen)
  # one-sided 95% confidence bounds of the mean from predict(interval = "confidence", level = 0.90)
  side <- if (is.na(spec[[case]][1])) "upper" else "lower"
  lim <- if (side == "lower") spec[[case]][1] else spec[[case]][2]
  if (models[[case]] == "log") lim <- log(lim)
  bound <- function(fit, tt, lot) {
    nd <- data.frame(time = tt, lot = factor(lot, levels = lv))
    p <- predict(fit, nd, interval = "confidence", level = 1 - 2 * (1 - conf))
    if (side == "lower") p[, "lwr"] else p[, "upr"]
  }
  for (m in c("cics", "dics", "dids", "dids_sep")) {
    for (i in seq_along(lv)) {
      fit <- switch(m, cics = cics, dics = dics, dids = full,
                    dids_sep = lm(y ~ time, data = d[d$lot == lv[i], ]))
      b12 <- bound(fit, 12, lv[i])
      put(case, sprintf("bound12_%s_%s", m, lv[i]), b12)
      g <- function(tt) bound(fit, tt, lv[i]) - lim
      cross <- if (g(0) * g(500) < 0) uniroot(g, c(0, 500), tol = 1e-13)$root else NA
      put(case, sprintf("crossing_%s_%s", m, lv[i]), cross)
    }
  }
}

# slope-difference between products (full model, pooled MSE): two products x 3 lots, and identical products
d <- gen(2305, c("T1", "T2", "T3", "R1", "R2", "R3"), c(0, 3, 6, 9, 12), c(100, 100.4, 99.7, 100.2, 99.9, 100.1),
         c(-0.30, -0.28, -0.33, -0.25, -0.27, -0.24), 0.5, 2, c("test", "test", "test", "reference", "reference", "reference"))
write.csv(d[, c("product", "lot", "time", "value")], "data_slope_difference.csv", row.names = FALSE)
d$lot <- factor(d$lot, levels = unique(d$lot))
full <- lm(value ~ 0 + lot + lot:time, data = d)
cf <- coef(full); V <- vcov(full)
nm <- names(cf)
cvec <- rep(0, length(cf))
cvec[nm %in% sprintf("lot%s:time", c("T1", "T2", "T3"))] <- 1 / 3
cvec[nm %in% sprintf("lot%s:time", c("R1", "R2", "R3"))] <- -1 / 3
est <- sum(cvec * cf); se <- sqrt(drop(t(cvec) %*% V %*% cvec)); dfr <- df.residual(full)
put("slopediff", "difference", est); put("slopediff", "se", se); put("slopediff", "df", dfr)
put("slopediff", "ci_lower", est - qt(0.95, dfr) * se); put("slopediff", "ci_upper", est + qt(0.95, dfr) * se)

res <- do.call(rbind, out)
write.csv(res, "ref_stability.csv", row.names = FALSE)
writeLines(c(R.version.string, paste("date:", format(Sys.time(), "%Y-%m-%d %H:%M %Z")),
             "script: make_reference.R (base R stats only)"), "provenance.txt")

# ---- profile similarity (issue #23): clr, Aitchison distances, leave-one-out reference distances ----------
set.seed(2320)
species <- c("G0F", "G1F", "G1F_prime", "G2F", "Man5", "G0")
base <- c(40, 25, 12, 8, 3, 12)
mk <- function(n, shift) {
  m <- t(replicate(n, base * exp(rnorm(length(base), 0, 0.05)) * shift))
  round(m / rowSums(m) * 100, 3)
}
ref <- mk(8, rep(1, 6)); tst <- mk(5, c(1.08, 1, 1, 0.9, 1, 1))
prof <- rbind(data.frame(source = "reference", lot = sprintf("R%02d", 1:8), ref),
              data.frame(source = "test", lot = sprintf("T%02d", 1:5), tst))
names(prof)[3:8] <- species
long <- do.call(rbind, lapply(seq_len(nrow(prof)), function(i)
  data.frame(source = prof$source[i], lot = prof$lot[i], species = species, value = unlist(prof[i, species]))))
write.csv(long, "data_profile.csv", row.names = FALSE)
X <- as.matrix(prof[, species])
clrm <- log(X) - rowMeans(log(X))
isr <- prof$source == "reference"
centre <- colMeans(clrm[isr, ])
for (i in seq_len(nrow(prof))) {
  if (isr[i]) {
    others <- colMeans(clrm[isr & seq_len(nrow(prof)) != i, ])
    d <- sqrt(sum((clrm[i, ] - others)^2))
  } else {
    d <- sqrt(sum((clrm[i, ] - centre)^2))
  }
  put("profile", sprintf("distance_%s", prof$lot[i]), d)
}
for (j in seq_along(species)) {
  put("profile", sprintf("ref_mean_%s", species[j]), mean(X[isr, j]))
  put("profile", sprintf("ref_sd_%s", species[j]), sd(X[isr, j]))
}
res <- do.call(rbind, out)
write.csv(res, "ref_stability.csv", row.names = FALSE)
