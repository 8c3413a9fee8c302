# Independent values of the CAA spread check's false-failure probability (bioparity.caa.operating):
# with test and reference lots from one normal distribution, s_T^2/s_R^2 ~ F(n_T - 1, n_R - 1), so
# P(s_T/s_R > m) = P(F(n_T - 1, n_R - 1) > m^2) = pf(m^2, n_T - 1, n_R - 1, lower.tail = FALSE);
# over N attributes with independent lots, P(at least one fails) = 1 - pf(m^2, ., .)^N.
# Usage (from this folder): Rscript spread_false_failure_pf.R > spread_false_failure_pf.csv
cases <- expand.grid(margin = c(1.25, 1.5, 2), n_test = c(2, 3, 6, 10, 20), n_reference = c(3, 10, 30))
cases$per_attribute <- pf(cases$margin^2, cases$n_test - 1, cases$n_reference - 1, lower.tail = FALSE)
for (n in c(5, 20, 60)) {
  cases[[paste0("familywise_", n)]] <- 1 - pf(cases$margin^2, cases$n_test - 1, cases$n_reference - 1)^n
}
cat(sprintf("# R %s; spread_false_failure_pf.R (stats::pf)\n", getRversion()))
write.csv(cases, stdout(), row.names = FALSE)
