# Reference values for the method = auto rule of bioparity's ADA cut points (bioparity.bioassay.cutpoint,
# step 5): Shapiro-Wilk (Shapiro and Wilk 1965; p by Royston 1995, AS R94) on the donor means across runs,
# one per donor, after the transform and the outlier steps; parametric when p >= 0.05, else nonparametric
# (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1 section 4). Run from this folder:
#   Rscript make_normality_reference.R
# Writes normality_reference.csv. Every step is done here, independently of bioparity:
#   1. a donor's replicate values in a run averaged (the plates of designs_nested.csv);
#   2. transform (screening default "auto"): log when the adjusted Fisher-Pearson skewness G1 of the raw
#      values is > 0 and |G1| of the logs is smaller (Devanarayan et al. 2017, AAPS J 19:1487, "Data
#      transformation"); the confirmatory tier analyses % inhibition 100 (1 - signal_drug / signal)
#      untransformed (Shankar 2008, section 3.2);
#   3. analytical outliers: within each donor, values across runs outside Q1 - 1.5 IQR, Q3 + 1.5 IQR
#      (quantile type 7; no flag among fewer than 4 values), removed;
#   4. biological outliers: donor means (of the values kept) outside the same fences, donor removed;
#   5. shapiro.test on the donor means of the values kept.
# The outliers are written (sorted codes, "none" when none) so that the test also checks the same ones were removed.
# Never run at test time.
fences_out <- function(x) {
  if (length(x) < 4) return(rep(FALSE, length(x)))
  q <- quantile(x, c(0.25, 0.75), type = 7, names = FALSE)
  iqr <- q[2] - q[1]
  x < q[1] - 1.5 * iqr | x > q[2] + 1.5 * iqr
}
g1 <- function(x) {
  n <- length(x); m <- mean(x)
  m2 <- mean((x - m)^2); m3 <- mean((x - m)^3)
  m3 / m2^1.5 * sqrt(n * (n - 1)) / (n - 2)
}
normality <- function(case, file, tier, d) {
  d <- aggregate(value ~ donor + run, data = d, FUN = mean)
  d <- d[order(d$donor, d$run), ]
  if (tier == "screening") {
    use_log <- g1(d$value) > 0 && abs(g1(log(d$value))) < abs(g1(d$value))
    transform <- if (use_log) "log" else "none"
  } else {
    transform <- "none"
  }
  d$y <- if (transform == "log") log(d$value) else d$value
  codes <- character(0)
  keep <- rep(TRUE, nrow(d))
  for (donor in sort(unique(d$donor))) {
    i <- which(d$donor == donor)
    f <- fences_out(d$y[i])
    codes <- c(codes, sprintf("analytical:%s/%s", d$donor[i][f], d$run[i][f]))
    keep[i[f]] <- FALSE
  }
  d <- d[keep, ]
  means <- tapply(d$y, d$donor, mean)
  bio <- names(means)[fences_out(as.numeric(means))]
  codes <- c(codes, sprintf("biological:%s", bio))
  means <- means[!names(means) %in% bio]
  sw <- shapiro.test(as.numeric(means))
  data.frame(case = case, file = file, tier = tier, transform = transform,
             outliers = if (length(codes)) paste(sort(codes, method = "radix"), collapse = "; ") else "none",
             shapiro_n = length(means), shapiro_w = sprintf("%.17g", sw$statistic),
             shapiro_p = sprintf("%.17g", sw$p.value),
             method = if (sw$p.value >= 0.05) "parametric" else "nonparametric")
}
out <- list()
for (name in c("balanced", "unbalanced", "nested", "singular")) {
  file <- sprintf("designs_%s.csv", name)
  d <- read.csv(file, colClasses = c(signal = "numeric", donor = "character", run = "character"))
  out[[name]] <- normality(name, file, "screening", data.frame(donor = d$donor, run = d$run, value = d$signal))
}
file <- "ada_cutpoint_example.csv"
e <- read.csv(file, colClasses = c(donor = "character", run = "character"))
out$example_screening <- normality("example", file, "screening",
                                   data.frame(donor = e$donor, run = e$run, value = e$signal))
out$example_confirmatory <- normality("example", file, "confirmatory",
                                      data.frame(donor = e$donor, run = e$run,
                                                 value = 100 * (1 - e$signal_drug / e$signal)))
write.csv(do.call(rbind, out), "normality_reference.csv", row.names = FALSE, quote = FALSE)
cat(R.version.string, format(Sys.time(), tz = "UTC"), "\n")
