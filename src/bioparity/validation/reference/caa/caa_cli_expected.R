# Independent values for `bioparity caa caa_cli_input.csv` (three attributes of the synthetic IgG1 mAb
# example, test vs ref-eu): lot means of the replicates; equivalence = Welch 90% CI of the difference of
# lot means (stats::t.test) against +/- 1.5 SD_R; quality range = mean_R +/- 3 SD_R; tolerance interval =
# mean_R +/- k SD_R with k = tolerance::K.factor(n_R, f = n_R - 1, alpha = 0.05, P = 0.99, side = 2,
# method = "EXACT") (R/Kfactor.R sourced from github cran/tolerance 9f55d6351e2bc2e8813510cf968dc0953058b385).
# Usage (from this folder): Rscript caa_cli_expected.R /path/to/tolerance/R/Kfactor.R > caa_cli_expected.csv
args <- commandArgs(trailingOnly = TRUE)
source(args[1])
d <- read.csv("caa_cli_input.csv")
lots <- aggregate(value ~ attribute + source + lot, data = d, FUN = mean)
get <- function(a, s) lots$value[lots$attribute == a & lots$source == s]
out <- list()
x <- get("relative_potency_cdc", "test"); y <- get("relative_potency_cdc", "ref-eu")
tt <- t.test(x, y, var.equal = FALSE, conf.level = 0.90)
out[[1]] <- data.frame(attribute = "relative_potency_cdc", quantity = c("estimate", "ci_lower", "ci_upper", "lower_limit", "upper_limit", "mean_test", "sd_test", "mean_reference", "sd_reference"),
  expected = c(mean(x) - mean(y), tt$conf.int[1], tt$conf.int[2], -1.5 * sd(y), 1.5 * sd(y), mean(x), sd(x), mean(y), sd(y)))
x <- get("monomer_sec", "test"); y <- get("monomer_sec", "ref-eu")
lo <- mean(y) - 3 * sd(y); hi <- mean(y) + 3 * sd(y)
out[[2]] <- data.frame(attribute = "monomer_sec", quantity = c("lower_limit", "upper_limit", "n_inside"),
  expected = c(lo, hi, sum(x >= lo & x <= hi)))
x <- get("hmw_species_sec", "test"); y <- get("hmw_species_sec", "ref-eu")
k <- K.factor(n = length(y), f = length(y) - 1, alpha = 0.05, P = 0.99, side = 2, method = "EXACT", m = 200)
out[[3]] <- data.frame(attribute = "hmw_species_sec", quantity = c("factor", "lower_limit", "upper_limit", "n_inside"),
  expected = c(k, mean(y) - k * sd(y), mean(y) + k * sd(y), sum(x >= mean(y) - k * sd(y) & x <= mean(y) + k * sd(y))))
cat(sprintf("# R %s; caa_cli_expected.R (stats::t.test, tolerance 3.0.0 K.factor EXACT m = 200)\n", getRversion()))
write.csv(do.call(rbind, out), stdout(), row.names = FALSE)
