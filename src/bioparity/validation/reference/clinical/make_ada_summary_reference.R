# Reference values for the ada-summary kind on ada_listing.csv (the kind's example listing, copied unchanged
# from bioparity.analyses.ada_summary.example_data), base R only. Run `Rscript make_ada_summary_reference.R`
# in this folder: writes ada_summary_reference.csv (case, name, value; 17 significant digits).
# - Status per sample (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, sections 3.1-3.2; FDA 2019 ADA
#   guidance, sections IV.A-B): screening positive when SIGNAL >= 1.2, confirmed when the % inhibition
#   100 (1 - SIGNAL_DRUG / SIGNAL) >= 20; a sample is POS when both.
# - Incidence per arm and visit: positive / evaluable with the Wilson score interval (Wilson 1927;
#   prop.test(correct = FALSE)), 95%.
# - Treatment-emergent ADA (FDA 2019 Immunogenicity Assessment for Therapeutic Protein Products, section
#   VII; Shankar et al. 2014, AAPS J 16:658): baseline negative and positive at any later visit (induced);
#   baseline-positive subjects (none here) could only be boosted. Wilson interval as above.
# - Difference of incidences test - reference: Newcombe (1998, Stat Med 17:873) method 10 from the Wilson
#   limits, 95%.
options(digits = 17)
out <- list()
put <- function(case, name, value) {
  out[[length(out) + 1]] <<- data.frame(case = case, name = name, value = format(value, digits = 17))
}
wilson <- function(x, n) as.numeric(prop.test(x, n, conf.level = 0.95, correct = FALSE)$conf.int)
newcombe <- function(x1, n1, x2, n2) {
  p1 <- x1 / n1; p2 <- x2 / n2; a <- wilson(x1, n1); b <- wilson(x2, n2)
  c(p1 - p2 - sqrt((p1 - a[1])^2 + (b[2] - p2)^2), p1 - p2 + sqrt((a[2] - p1)^2 + (p2 - b[1])^2))
}
d <- read.csv("ada_listing.csv")
d$POS <- d$SIGNAL >= 1.2 & 100 * (1 - d$SIGNAL_DRUG / d$SIGNAL) >= 20
counts <- list()
for (arm in c("test", "reference")) for (visit in unique(d$VISIT)) {
  g <- d[d$ARM == arm & d$VISIT == visit, ]
  x <- sum(g$POS); n <- nrow(g); ci <- wilson(x, n)
  case <- paste("incidence", arm, visit)
  put(case, "n_evaluable", n); put(case, "n_positive", x); put(case, "incidence", x / n)
  put(case, "lower", ci[1]); put(case, "upper", ci[2])
  counts[[paste(arm, visit)]] <- c(x, n)
}
te <- list()
for (arm in c("test", "reference")) {
  g <- d[d$ARM == arm, ]
  base <- tapply(g$POS[g$VISIT == "BASELINE"], g$USUBJID[g$VISIT == "BASELINE"], any)
  post <- tapply(g$POS[g$VISIT != "BASELINE"], g$USUBJID[g$VISIT != "BASELINE"], any)
  subjects <- intersect(names(base), names(post))
  induced <- sum(!base[subjects] & post[subjects])
  n <- length(subjects); ci <- wilson(induced, n)
  case <- paste("treatment-emergent", arm)
  put(case, "n_subjects", n); put(case, "n_induced", induced); put(case, "n_baseline_positive", sum(base))
  put(case, "incidence", induced / n); put(case, "lower", ci[1]); put(case, "upper", ci[2])
  te[[arm]] <- c(induced, n)
}
for (visit in unique(d$VISIT)) {
  a <- counts[[paste("test", visit)]]; b <- counts[[paste("reference", visit)]]
  ci <- newcombe(a[1], a[2], b[1], b[2])
  case <- paste("difference test - reference", visit)
  put(case, "diff", a[1] / a[2] - b[1] / b[2]); put(case, "lower", ci[1]); put(case, "upper", ci[2])
}
ci <- newcombe(te$test[1], te$test[2], te$reference[1], te$reference[2])
case <- "difference test - reference TREATMENT-EMERGENT"
put(case, "diff", te$test[1] / te$test[2] - te$reference[1] / te$reference[2])
put(case, "lower", ci[1]); put(case, "upper", ci[2])
write.csv(do.call(rbind, out), "ada_summary_reference.csv", row.names = FALSE)
