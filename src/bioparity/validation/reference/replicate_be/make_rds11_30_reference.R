# Reference values (issue 24):
#  * EMA ABEL Method A and Method B of rds11-rds30 by replicateBE (method.A / method.B, details = TRUE,
#    defaults; rds01-rds10 are in ../expected/replicate_be_methods_ab.csv), and
#  * for rds01-rds30:
#  * FDA RSABE by an independent implementation of the FDA progesterone-guidance SAS steps written here
#    (intra-subject contrasts ilat = mean(T) - mean(R) for subjects with every planned observation of a
#    sequence containing T and R, dlat = R1 - R2 for subjects with both R; lm(~ sequence) for each, point
#    estimate = unweighted mean of sequence means (PROC MIXED ESTIMATE/LSMEANS), s2wR = MSE(dlat) / 2,
#    Howe's 95% upper bound with theta_s = log(1.25)/0.25).
# Usage (from this folder): Rscript make_rds11_30_reference.R
suppressMessages(library(replicateBE))
sets <- sprintf("rds%02d", 1:30)
ab <- list(); fda <- list()
for (s in sets) {
  d <- get(s, envir = asNamespace("replicateBE"))
  for (m in if (s %in% sprintf("rds%02d", 11:30)) c("A", "B") else character(0)) {
    f <- if (m == "A") method.A else method.B
    r <- tryCatch(suppressWarnings(suppressMessages(
      f(data = d, details = TRUE, print = FALSE, verbose = FALSE))), error = function(e) NULL)
    if (is.null(r)) next
    r <- as.data.frame(r)
    g <- function(k) if (k %in% names(r) && !is.null(r[[k]])) r[[k]][1] else NA
    lo <- g("L(%)"); hi <- g("U(%)")
    if (is.na(lo)) { lo <- g("BE.lo(%)"); hi <- g("BE.hi(%)") }
    ab[[length(ab) + 1]] <- data.frame(dataset = s, method = m, design = g("Design"), n = g("n"),
      df = g("DF"), cvwr = g("CVwR(%)"), cvwt = g("CVwT(%)"), lower_limit = lo, upper_limit = hi,
      ci_lower = g("CL.lo(%)"), ci_upper = g("CL.hi(%)"), pe = g("PE(%)"), BE = g("BE"))
  }
  # FDA steps
  d <- d[!is.na(d$PK), , drop = FALSE]
  d$logPK <- log(d$PK)
  d <- d[order(d$subject, as.integer(as.character(d$period))), ]
  seqs <- as.character(d$sequence)
  il <- c(); ilseq <- c(); dl <- c(); dlseq <- c()
  for (subj in unique(d$subject)) {
    x <- d[d$subject == subj, ]
    sq <- as.character(x$sequence[1])
    planned <- nchar(sq)
    letters <- strsplit(sq, "")[[1]]
    trt <- as.character(x$treatment)
    if (any(letters == "T") && any(letters == "R") && nrow(x) == planned) {
      il <- c(il, mean(x$logPK[trt == "T"]) - mean(x$logPK[trt == "R"])); ilseq <- c(ilseq, sq)
    }
    if (sum(letters == "R") == 2 && sum(trt == "R") == 2) {
      rr <- x$logPK[trt == "R"]; dl <- c(dl, rr[1] - rr[2]); dlseq <- c(dlseq, sq)
    }
  }
  fi <- if (length(unique(ilseq)) > 1) lm(il ~ factor(ilseq)) else lm(il ~ 1)
  fd <- if (length(unique(dlseq)) > 1) lm(dl ~ factor(dlseq)) else lm(dl ~ 1)
  S <- length(unique(ilseq)); nsq <- table(ilseq)
  pe <- mean(tapply(il, ilseq, mean))
  df <- fi$df.residual
  se <- sqrt(sum(resid(fi)^2) / df * sum(1 / nsq) / S^2)
  dfrr <- fd$df.residual
  s2wr <- sum(resid(fd)^2) / dfrr / 2
  theta <- log(1.25) / 0.25
  t <- qt(0.95, df)
  em <- pe^2 - se^2; es <- theta^2 * s2wr
  cm <- (abs(pe) + t * se)^2; cs <- es * dfrr / qchisq(0.95, dfrr)
  fda[[length(fda) + 1]] <- data.frame(dataset = s, n_ilat = length(il), df = df, n_dlat = length(dl),
    df_rr = dfrr, pe = 100 * exp(pe), se = se, swr = sqrt(s2wr),
    ci_lower = 100 * exp(pe - t * se), ci_upper = 100 * exp(pe + t * se),
    howe_bound = em - es + sqrt((cm - em)^2 + (cs - es)^2))
}
hdr <- sprintf("# replicateBE %s (github Helmut01/replicateBE 08d523145bb6a4c44b7e3f0890cf5f6fd4cd2567), PowerTOST %s, R %s; make_rds11_30_reference.R",
               packageVersion("replicateBE"), packageVersion("PowerTOST"), getRversion())
out <- file("expected_methods_ab_rds11_30.csv", "w"); writeLines(hdr, out)
write.csv(do.call(rbind, ab), out, row.names = FALSE); close(out)
out <- file("expected_fda_rsabe_rds01_30.csv", "w"); writeLines(sub("make_", "FDA SAS steps (independent R code in) make_", hdr), out)
write.csv(do.call(rbind, fda), out, row.names = FALSE); close(out)
