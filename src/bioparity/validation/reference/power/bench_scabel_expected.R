# PowerTOST 1.5-7 values of the four scenarios bench/scabel.py reports (1e6 simulated studies each).
# Usage (from this folder): Rscript bench_scabel_expected.R > bench_scabel_expected.csv
suppressMessages(library(PowerTOST))
v <- c(power.scABEL(CV = 0.45, n = 39, design = "2x3x3", nsims = 1e6),
       power.scABEL(CV = 0.45, n = 28, design = "2x2x4", nsims = 1e6),
       power.scABEL(CV = 0.45, n = 42, design = "2x2x3", nsims = 1e6),
       power.RSABE(CV = c(0.40, 0.50), n = 20, design = "2x2x4", nsims = 1e6))
cat(sprintf("# PowerTOST %s (commit bc54622a2d04183a2a0090fc887f42fe36a29278), R %s; bench_scabel_expected.R\n",
            packageVersion("PowerTOST"), getRversion()))
write.csv(data.frame(label = c("power_scabel 2x3x3 CV 0.45 n 39", "power_scabel 2x2x4 CV 0.45 n 28",
                               "power_scabel 2x2x3 CV 0.45 n 42", "power_rsabe 2x2x4 CV 0.40/0.50 n 20"),
                     nsims = 1e6, power = v), stdout(), row.names = FALSE, quote = FALSE)
