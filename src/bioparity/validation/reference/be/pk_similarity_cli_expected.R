# Independent values for `bioparity pk-similarity` on a seeded three-arm parallel PK table: geometric mean
# ratios and 90% CIs of every pair of arms, (a) pooled: one lm(log(y) ~ arm) over the three arms, pairwise
# contrasts with its residual variance and df; (b) welch: stats::t.test(var.equal = FALSE) of the two arms'
# logs. Writes pk_similarity_cli_input.csv and (stdout) the expected values.
# Usage (from this folder): Rscript pk_similarity_cli_expected.R > pk_similarity_cli_expected.csv
set.seed(20261205)
arms <- c("test", "eu-ref", "us-ref")
n <- c(20, 22, 19)
d <- data.frame(subject = sprintf("S%03d", seq_len(sum(n))), arm = rep(arms, n))
shift <- c(test = 0.02, "eu-ref" = 0, "us-ref" = -0.05)
d$CMAX <- round(exp(log(120) + shift[d$arm] + rnorm(nrow(d), 0, 0.25)), 3)
d$AUCIFO <- round(exp(log(2400) + shift[d$arm] + rnorm(nrow(d), 0, 0.30)), 2)
write.csv(d, "pk_similarity_cli_input.csv", row.names = FALSE)
pairs <- list(c("test", "eu-ref"), c("test", "us-ref"), c("eu-ref", "us-ref"))
out <- list()
for (m in c("CMAX", "AUCIFO")) {
  y <- log(d[[m]]); a <- factor(d$arm, levels = arms)
  fit <- lm(y ~ a - 1); s2 <- sum(resid(fit)^2) / fit$df.residual; df <- fit$df.residual
  for (p in pairs) {
    x1 <- y[d$arm == p[1]]; x2 <- y[d$arm == p[2]]
    diff <- mean(x1) - mean(x2)
    se <- sqrt(s2 * (1 / length(x1) + 1 / length(x2)))
    t <- qt(0.95, df)
    out[[length(out) + 1]] <- data.frame(metric = m, test = p[1], reference = p[2], variance = "pooled",
      ratio = 100 * exp(diff), ci_lower = 100 * exp(diff - t * se), ci_upper = 100 * exp(diff + t * se), df = df)
    w <- t.test(x1, x2, var.equal = FALSE, conf.level = 0.90)
    out[[length(out) + 1]] <- data.frame(metric = m, test = p[1], reference = p[2], variance = "welch",
      ratio = 100 * exp(diff), ci_lower = 100 * exp(w$conf.int[1]), ci_upper = 100 * exp(w$conf.int[2]),
      df = unname(w$parameter))
  }
}
cat(sprintf("# R %s; pk_similarity_cli_expected.R (lm, t.test), percent\n", getRversion()))
write.csv(do.call(rbind, out), stdout(), row.names = FALSE)
