# Independent values (R simulation, its own RNG) of the FDA 2017 draft tier-1 equivalence test's pass
# probability when test and reference lots come from one normal distribution: Welch 90% CI of
# mean_T - mean_R inside +-1.5 s_R; and the chance that at least one of 5 independent such tests fails.
# Usage (from this folder): Rscript caa_equivalence_pass_equal_sim.R > caa_equivalence_pass_equal_sim.csv
set.seed(20251207)
nsim <- 1e6
sim <- function(nt, nr) {
  T <- matrix(rnorm(nt * nsim), nsim); R <- matrix(rnorm(nr * nsim), nsim)
  mT <- rowMeans(T); mR <- rowMeans(R)
  vT <- rowSums((T - mT)^2) / (nt - 1); vR <- rowSums((R - mR)^2) / (nr - 1)
  se <- sqrt(vT / nt + vR / nr)
  df <- (vT / nt + vR / nr)^2 / ((vT / nt)^2 / (nt - 1) + (vR / nr)^2 / (nr - 1))
  d <- mT - mR; q <- qt(0.95, df); margin <- 1.5 * sqrt(vR)
  mean(d - q * se > -margin & d + q * se < margin)
}
out <- do.call(rbind, lapply(list(c(15, 25), c(10, 10)), function(n) {
  p <- sim(n[1], n[2])
  data.frame(n_test = n[1], n_reference = n[2], pass_equal = p, mc_se = sqrt(p * (1 - p) / nsim),
             familywise_5 = 1 - p^5, n_sim = nsim)
}))
cat(sprintf("# R %s; caa_equivalence_pass_equal_sim.R (set.seed(20251207), 1e6 simulated tests)\n", getRversion()))
write.csv(out, stdout(), row.names = FALSE)
