set.seed(42)
arms <- c("test","eu-ref","us-ref")
times <- c(0, 1, 6, 24, 48, 96, 168, 336, 504, 672, 1008, 1344, 2016)
rows <- list(); k <- 0
for (a in seq_along(arms)) for (i in 1:10) {
  k <- k + 1
  id <- sprintf("S%03d", k)
  wt <- round(rnorm(1, 75, 10), 1)
  cl <- 0.012 * exp(rnorm(1, 0, 0.3)); v <- 6 * exp(rnorm(1, 0, 0.2)); ka <- 0.02 * exp(rnorm(1,0,0.2))
  dose <- 40
  ke <- cl / v
  c <- dose*1000 * ka / (v * (ka - ke)) * (exp(-ke*times) - exp(-ka*times))
  c <- signif(c * exp(rnorm(length(times), 0, 0.08)), 5)
  c[1] <- 0
  rows[[k]] <- data.frame(subject=id, time=times, conc=c, dose=dose, arm=arms[a], weight=wt)
}
d <- do.call(rbind, rows)
write.csv(d, "mab_weight_conc.csv", row.names=FALSE, quote=FALSE)
