suppressMessages(library(PKNCA))
PKNCA.options(default = TRUE)
out <- list()
run <- function(case, conc, time, dose_times, route, intervals, duration = 0, tau = NULL) {
  d <- data.frame(id = 1, time = time, conc = conc)
  cobj <- PKNCAconc(d, conc ~ time | id)
  dd <- data.frame(id = 1, time = dose_times, dose = 100, duration = duration)
  dobj <- PKNCAdose(dd, dose ~ time | id, route = route, duration = "duration")
  res <- suppressWarnings(suppressMessages(pk.nca(PKNCAdata(cobj, dobj, intervals = intervals))))
  r <- as.data.frame(res)
  data.frame(case = case, start = r$start, end = r$end, PPTESTCD = r$PPTESTCD, PPORRES = r$PPORRES,
             exclude = ifelse(is.na(r$exclude), "", r$exclude))
}
t <- c(0, 1, 2, 4, 8)
out[[1]] <- run("all-blq", c(0, 0, 0, 0, 0), t, 0, "extravascular",
  data.frame(start = 0, end = Inf, cmax = TRUE, tmax = TRUE, tlast = TRUE, auclast = TRUE, aucinf.obs = TRUE))
out[[2]] <- run("iv-bolus-no-time0", c(8, 6, 4, 2, 0.5), c(0.5, 1, 2, 4, 8), 0, "intravascular",
  data.frame(start = 0, end = Inf, c0 = TRUE, auclast = TRUE, aucinf.obs = TRUE))
out[[3]] <- run("partial-blq-after-tlast", c(0, 10, 8, 4, 0, 0), c(0, 1, 2, 4, 6, 8), 0, "extravascular",
  data.frame(start = c(0, 1, 2), end = c(7, 5, 7), aucint.last = TRUE, aucint.all = TRUE, aucint.inf.obs = TRUE))
out[[4]] <- run("partial-bounds-after-tlast", c(0, 10, 8, 4, 1), t, 0, "extravascular",
  data.frame(start = c(0, 1, 5), end = c(10, 3, 10), aucint.last = TRUE, aucint.all = TRUE, aucint.inf.obs = TRUE))
out[[5]] <- run("partial-start-before-first-sample", c(10, 8, 4, 1), c(1, 2, 4, 8), 0, "extravascular",
  data.frame(start = 0, end = 4, auclast = TRUE, aucint.last = TRUE))
tm <- c(0, 1, 2, 4, 8, 12, 13, 14, 16, 20, 24)
out[[6]] <- run("ctrough-second-interval", c(0, 10, 8, 4, 2, 1, 11, 9, 5, 2.5, 1.2), tm, c(0, 12), "extravascular",
  data.frame(start = c(0, 12), end = c(12, 24), ctrough = TRUE, cmin = TRUE, cmax = TRUE, auclast = TRUE, swing = TRUE))
out[[7]] <- run("swing-cmin-0", c(0, 10, 8, 4, 2, 1, 11, 9, 5, 2.5, 1.2), tm, c(0, 12), "extravascular",
  data.frame(start = 0, end = 12, cmin = TRUE, cmax = TRUE, swing = TRUE))
tmiss <- c(0, 1, 2, 4, 8, 13, 14, 16, 20, 24)
out[[8]] <- run("missing-sample-at-dose", c(0, 10, 8, 4, 2, 11, 9, 5, 2.5, 1.2), tmiss, c(0, 12), "extravascular",
  data.frame(start = c(0, 12), end = c(12, 24), ctrough = TRUE, cmin = TRUE, cmax = TRUE, auclast = TRUE))
res <- do.call(rbind, out)
cat(sprintf("# PKNCA %s (github billdenney/pknca 1e1285fb12e14dd013b5738856c23088065dc595), R %s, PKNCA.options(default = TRUE); nca/pknca_conventions.R (Rscript pknca_conventions.R > pknca_conventions.csv)\n",
            packageVersion("PKNCA"), getRversion()))
keep <- c("auclast", "aucinf.obs", "aucint.last", "aucint.inf.obs", "c0", "cmax", "cmin", "tmax", "tlast", "ctrough", "swing")
write.csv(res[res$PPTESTCD %in% keep, ], stdout(), row.names = FALSE)
