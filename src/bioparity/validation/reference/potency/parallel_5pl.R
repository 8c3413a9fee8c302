# The parallel 5PL model of two preparations (g = 1 standard, 2 test) with its analytic gradient, for nls:
# the 5PL optimum is flat in c and f, where numerical derivatives jitter at 1e-6. Sourced by
# make_reference.R and make_regression_reference.R.
fn5 <- function(x, g, b, c, d, f, m1, m2) {
  m <- ifelse(g == 1L, m1, m2); u <- exp(b * (x - m)); h <- 1 + u; hf <- h^(-f)
  dh <- -(d - c) * f * hf / h
  grad <- cbind(b = dh * u * (x - m), c = 1 - hf, d = hf, f = -(d - c) * hf * log(h),
                m1 = ifelse(g == 1L, -dh * u * b, 0), m2 = ifelse(g == 2L, -dh * u * b, 0))
  structure(c + (d - c) * hf, gradient = grad)
}
