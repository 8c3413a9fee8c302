# The demo's PK-101 study (bioparity demo --load): every pairwise Welch comparison of the stored PP values.
# Run from this folder: Rscript demo_pk101_welch.R   (writes demo_pk101_welch.csv)
d <- read.csv("demo_pk101_pp.csv")
arms <- list(c("test", "eu-ref"), c("test", "us-ref"), c("eu-ref", "us-ref"))
gcv <- function(v) 100 * sqrt(exp(var(v)) - 1)  # geometric CV (%) of one arm, from the log values
out <- NULL
for (m in c("AUCIFO", "AUCLST", "CMAX")) for (p in arms) {
  x <- log(d[[m]][d$arm == p[1]]); y <- log(d[[m]][d$arm == p[2]])
  t <- t.test(x, y, var.equal = FALSE, conf.level = 0.90)
  out <- rbind(out, data.frame(
    metric = m, test_arm = p[1], reference_arm = p[2], n_test = length(x), n_reference = length(y),
    gmr = sprintf("%.12g", 100 * exp(unname(t$estimate[1] - t$estimate[2]))),
    ci_lower = sprintf("%.12g", 100 * exp(t$conf.int[1])), ci_upper = sprintf("%.12g", 100 * exp(t$conf.int[2])),
    df = sprintf("%.12g", unname(t$parameter)), cv_test = sprintf("%.12g", gcv(x)), cv_reference = sprintf("%.12g", gcv(y))))
}
write.csv(out, "demo_pk101_welch.csv", row.names = FALSE, quote = FALSE)
cat(R.version.string, "\n")
