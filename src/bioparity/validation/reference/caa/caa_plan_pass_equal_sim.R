# Independent values (R simulation, its own RNG) of the default plan's pass probability when the test and
# reference lots come from one normal distribution: quality range mean_R +/- k s_R with >= 90% of the
# test lots inside, the spread check s_T/s_R <= 1.5, and both together (the whole criterion of qr-2025).
# Usage (from this folder): Rscript caa_plan_pass_equal_sim.R > caa_plan_pass_equal_sim.csv
set.seed(20251207)
nsim <- 1e6; nt <- 10; nr <- 10
R <- matrix(rnorm(nsim * nr), nsim); T <- matrix(rnorm(nsim * nt), nsim)
mR <- rowMeans(R); sR <- sqrt(rowSums((R - mR)^2) / (nr - 1))
mT <- rowMeans(T); sT <- sqrt(rowSums((T - mT)^2) / (nt - 1))
spread_ok <- sT / sR <= 1.5
out <- do.call(rbind, lapply(c(2.5, 3), function(k) {
  qr_ok <- rowSums(abs(T - mR) <= k * sR) / nt >= 0.9 - 1e-12
  p <- c(mean(qr_ok), mean(spread_ok), mean(qr_ok & spread_ok))
  data.frame(k = k, n_test = nt, n_reference = nr, criterion = c("quality_range", "spread", "both"),
             probability = p, mc_se = sqrt(p * (1 - p) / nsim), n_sim = nsim)
}))
cat(sprintf("# R %s; caa_plan_pass_equal_sim.R (set.seed(20251207), 1e6 simulated assessments)\n", getRversion()))
write.csv(out, stdout(), row.names = FALSE)
