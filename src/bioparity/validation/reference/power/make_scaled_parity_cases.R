# Fresh seeded scaled-ABE power cases for HC and FDA (evaluation by intra-subject contrasts), for the
# low-CV branch of the ANOVA path (true CVwR <= 0.2) and its type I error at theta0 = 1.25, computed by
# PowerTOST::power.scABEL (1e6 simulated studies, PowerTOST's fixed seed). The scenarios themselves are
# drawn with set.seed(20261205), a seed not used anywhere else in bioparity.
# Usage: Rscript make_scaled_parity_cases.R > scaled_parity_cases.csv
suppressMessages(library(PowerTOST))
set.seed(20261205)
designs <- c("2x3x3", "2x2x4", "2x2x3")
seqs <- c("2x3x3" = 3, "2x2x4" = 2, "2x2x3" = 2)
rows <- list()
# power.scABEL calls set.seed(123456) itself, so all scenarios are drawn first, then evaluated
draw <- function(kind, regulator, cvlo, cvhi, theta0 = NULL) {
  design <- sample(designs, 1)
  k <- seqs[[design]]
  cvwr <- round(runif(1, cvlo, cvhi), 4)
  cvwt <- round(cvwr * runif(1, 0.7, 1.3), 4)
  if (design == "2x3x3") cvwt <- cvwr  # PowerTOST warns for heteroscedastic 2x3x3 (key statistics inexact)
  n <- sample(4:20, k, replace = TRUE)
  if (is.null(theta0)) theta0 <- round(runif(1, 0.85, 1.15), 4)
  data.frame(kind = kind, regulator = regulator, design = design, cvwt = cvwt, cvwr = cvwr,
             n = paste(n, collapse = "|"), theta0 = theta0, nsims = 1e6)
}
for (i in 1:12) rows[[length(rows) + 1]] <- draw("HC", "HC", 0.15, 0.80)
for (i in 1:12) rows[[length(rows) + 1]] <- draw("FDA", "FDA", 0.15, 0.80)
for (i in 1:10) rows[[length(rows) + 1]] <- draw("low-CV", "EMA", 0.08, 0.20)
for (i in 1:4) rows[[length(rows) + 1]] <- draw("low-CV TIE", "EMA", 0.08, 0.20, theta0 = 1.25)
out <- do.call(rbind, rows)
out$power <- NA_real_
for (i in seq_len(nrow(out))) {
  n <- as.integer(strsplit(out$n[i], "|", fixed = TRUE)[[1]])
  out$power[i] <- suppressWarnings(suppressMessages(power.scABEL(
    CV = c(out$cvwt[i], out$cvwr[i]), n = n, design = out$design[i], regulator = out$regulator[i],
    theta0 = out$theta0[i], nsims = 1e6)))
}
cat(sprintf("# PowerTOST %s (%s), R %s; script tests/data/reference/power/make_scaled_parity_cases.R\n",
            packageVersion("PowerTOST"), "github Detlew/PowerTOST bc54622a2d04183a2a0090fc887f42fe36a29278",
            getRversion()))
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)
