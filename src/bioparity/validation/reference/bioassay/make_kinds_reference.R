# Reference values for the analysis kinds ada-sensitivity, ada-drug-tolerance and isr, base R stats only.
# Run `Rscript make_kinds_reference.R` in this folder: writes kinds_reference.csv (case, name, value;
# 17 significant digits). The data are the kinds' example files (bioparity.analyses.<kind>.example_data),
# copied here unchanged: kinds_sensitivity.csv, kinds_drug_tolerance.csv, kinds_isr.csv.
# - ada-sensitivity (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, section 3.3 and Appendix 2; FDA 2019
#   ADA guidance section IV.C): per run, replicate wells averaged, the concentration whose signal equals the
#   cut point 1.25, by linear interpolation of the signal on log10(concentration) between the bracketing
#   dilutions (approx) or from a 4PL s = d + (a - d) / (1 + (c / c50)^b) fitted by nls (c50 = exp(lc50)) and inverted
#   (Findlay & Dillard 2007, AAPS J 9:E260); sensitivity = mean + qt(0.95, n - 1) sd of the runs.
# - ada-drug-tolerance (FDA 2019 ADA guidance section IV.D): mean signal per (ADA level, drug level) at or
#   above the cut point 1.25 is detected; tolerance = highest drug level with it and every lower level detected.
# - isr (ICH M10, 2022, section 7): % difference = 100 (repeat - original) / mean; within 30%
#   (ligand-binding) or 20% (chromatographic); passed when at least two thirds are within.
options(digits = 17)
out <- list()
put <- function(case, name, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, name = name, value = format(value, digits = 17))
}
cp <- 1.25

# ada-sensitivity
d <- read.csv("kinds_sensitivity.csv", colClasses = c(run = "character"))
curves <- aggregate(signal ~ run + concentration, data = d, FUN = mean)
runs <- sort(unique(curves$run))
for (method in c("linear", "4pl")) {
  at <- numeric(0)
  for (r in runs) {
    g <- curves[curves$run == r, ]
    g <- g[order(g$concentration), ]
    if (method == "linear") {
      i <- which(g$signal[-nrow(g)] < cp & g$signal[-1] >= cp)[1]
      x <- approx(g$signal[c(i, i + 1)], log10(g$concentration[c(i, i + 1)]), xout = cp)$y
      value <- 10^x
    } else {
      # c50 = exp(lc50) keeps the power defined while nls iterates; same least-squares fit
      start <- list(a = min(g$signal), b = 1, lc50 = mean(log(g$concentration)), d = max(g$signal))
      fit <- nls(signal ~ d + (a - d) / (1 + exp(b * (log(concentration) - lc50))), data = g, start = start,
                 algorithm = "port", control = nls.control(maxiter = 1000, tol = 1e-10))
      p <- coef(fit)
      value <- exp(p[["lc50"]]) * ((p[["a"]] - p[["d"]]) / (cp - p[["d"]]) - 1)^(1 / p[["b"]])
    }
    at <- c(at, value)
    put(paste0("sensitivity ", method), paste0("concentration_at_cut_point_", r), value)
  }
  put(paste0("sensitivity ", method), "mean", mean(at))
  put(paste0("sensitivity ", method), "sd", sd(at))
  put(paste0("sensitivity ", method), "sensitivity_95", mean(at) + qt(0.95, length(at) - 1) * sd(at))
}

# ada-drug-tolerance
d <- read.csv("kinds_drug_tolerance.csv")
m <- aggregate(signal ~ ada_level + drug_level, data = d, FUN = mean)
for (a in sort(unique(m$ada_level))) {
  g <- m[m$ada_level == a, ]
  g <- g[order(g$drug_level), ]
  det <- g$signal >= cp
  tol <- if (!det[1]) NA else if (all(det)) max(g$drug_level) else g$drug_level[which(!det)[1] - 1]
  put("drug tolerance", paste0("drug_tolerance_", format(a)), tol)
  put("drug tolerance", paste0("detected_at_all_levels_", format(a)), all(det))
}

# isr
d <- read.csv("kinds_isr.csv")
pct <- 100 * (d$`repeat` - d$original) / ((d$`repeat` + d$original) / 2)
for (i in seq_len(nrow(d))) put("isr", paste0("percent_difference_", d$sample[i]), pct[i])
for (assay in c("ligand-binding", "chromatographic")) {
  limit <- if (assay == "ligand-binding") 30 else 20
  within <- abs(pct) <= limit
  put(paste("isr", assay), "n_within", sum(within))
  put(paste("isr", assay), "share_within", mean(within))
  put(paste("isr", assay), "passed", mean(within) >= 2 / 3)
}
write.csv(do.call(rbind, out), "kinds_reference.csv", row.names = FALSE)
