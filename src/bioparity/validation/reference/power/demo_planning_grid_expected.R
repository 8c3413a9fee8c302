# PowerTOST 1.5-7 power.TOST (method "exact") for every row of the demo's planning grid
# (`bioparity demo --out DIR` writes DIR/planning-grid.csv; a copy of its rows is the input here).
# Usage (from this folder): Rscript demo_planning_grid_expected.R planning-grid.csv > demo_planning_grid_expected.csv
suppressMessages(library(PowerTOST))
g <- read.csv(commandArgs(trailingOnly = TRUE)[1])
g$power <- mapply(function(d, cv, t0, n, m) power.TOST(CV = cv, theta0 = t0, n = n, design = d, method = m),
                  g$design, g$cv, g$theta0, g$n, g$method)
cat(sprintf("# PowerTOST %s (commit bc54622a2d04183a2a0090fc887f42fe36a29278), R %s; demo_planning_grid_expected.R\n",
            packageVersion("PowerTOST"), getRversion()))
g$power <- sprintf("%.15g", g$power)
write.csv(g, stdout(), row.names = FALSE, quote = FALSE)
# and the sample size of every CV of the grid for 80% and 90% power (sampleN.TOST, exact), written to
# demo_planning_grid_samplesize.csv
s <- expand.grid(cv = sort(unique(g$cv)), target_power = c(0.8, 0.9))
s$design <- "parallel"; s$theta0 <- 0.95
r <- mapply(function(cv, tp) unlist(sampleN.TOST(CV = cv, theta0 = 0.95, targetpower = tp, design = "parallel",
                                                  print = FALSE, details = FALSE)[c("Sample size", "Achieved power")]),
            s$cv, s$target_power)
s$n <- r[1, ]; s$power <- sprintf("%.15g", r[2, ])
con <- file("demo_planning_grid_samplesize.csv", "w")
writeLines(sprintf("# PowerTOST %s sampleN.TOST(method = \"exact\"), R %s; demo_planning_grid_expected.R", packageVersion("PowerTOST"), getRversion()), con)
write.csv(s[, c("design", "cv", "theta0", "target_power", "n", "power")], con, row.names = FALSE, quote = FALSE)
close(con)
