# Independent reference values for tests/clinical/test_r_reference.py, in base R only (no package), from the
# formulas of the papers; nothing here is bioparity code. Run from this folder:
#   Rscript make_clinical_reference.R
# (R 4.2.2, Debian bookworm r-base-core). Writes score_intervals_r.csv, stratified_r.csv,
# means_sample_size_r.csv and proportions_exact_power_r.csv, each with a '#' header.
#
# * Score intervals for p1 - p2 (Miettinen & Nurminen 1985 "mn", with N/(N-1); Farrington & Manning 1990 /
#   Mee 1984 "fm", without) and for p1 / p2 (Koopman 1984 "koopman"; MN "mn"): restricted MLE by direct
#   maximisation of the binomial likelihood (optimize), limits {Z = +/- z} by uniroot. Newcombe (1998)
#   method 10 from the Wilson limits.
# * Stratified: Mantel-Haenszel difference with Sato (1989) variance; Yan & Su (2010) stratified Newcombe
#   (stratified Wilson limits by uniroot); stratified Miettinen-Nurminen score interval with CMH weights
#   (restricted MLE per stratum by optimize, limits by uniroot).
# * Means: exact TOST power of the pooled-t equivalence test by integration over the distribution of the
#   sample SD (not Owen's Q), smallest n2 with n1 = ceiling(ratio n2) by a scan from n2 = 2.
# * Proportions: exact power of the equivalence test by enumeration of all (n1 + 1)(n2 + 1) outcomes with the
#   Newcombe or Wald interval at 1 - 2 alpha.
# Independent brute-force score intervals (difference: MN/FM; ratio: Koopman/MN) in base R.
rmle_diff <- function(x1,n1,x2,n2,delta){
  lo <- max(0,-delta); hi <- min(1,1-delta)
  ll <- function(p2){ p1 <- p2+delta; dbinom(x1,n1,min(max(p1,0),1),log=TRUE)+dbinom(x2,n2,min(max(p2,0),1),log=TRUE)}
  if (hi-lo < 1e-14) return(lo)
  o <- optimize(ll, c(lo,hi), maximum=TRUE, tol=1e-13)
  cand <- c(o$maximum, lo, hi); v <- sapply(cand, ll); cand[which.max(v)]
}
zdiff <- function(delta,x1,n1,x2,n2,corr){
  p2 <- rmle_diff(x1,n1,x2,n2,delta); p1 <- p2+delta
  v <- p1*(1-p1)/n1 + p2*(1-p2)/n2
  if (corr) v <- v*(n1+n2)/(n1+n2-1)
  d <- x1/n1-x2/n2
  if (v<=0) return(if (d>delta) Inf else if (d<delta) -Inf else 0)
  (d-delta)/sqrt(v)
}
score_diff <- function(x1,n1,x2,n2,conf,corr){
  z <- qnorm(0.5+conf/2); d <- x1/n1-x2/n2; e <- 1e-12
  f <- function(t) zdiff(t,x1,n1,x2,n2,corr)
  lo <- if (d <= -1+e || f(-1+e) < z) -1 else uniroot(function(t) f(t)-z, c(-1+e,d), tol=1e-13)$root
  hi <- if (d >= 1-e || f(1-e) > -z) 1 else uniroot(function(t) f(t)+z, c(d,1-e), tol=1e-13)$root
  c(lo,hi)
}
wilson <- function(x,n,z){ p<-x/n; c0<-(p+z^2/(2*n)); h<-z*sqrt(p*(1-p)/n+z^2/(4*n^2)); c((c0-h)/(1+z^2/n),(c0+h)/(1+z^2/n)) }
newcombe <- function(x1,n1,x2,n2,conf){ z<-qnorm(0.5+conf/2); p1<-x1/n1;p2<-x2/n2; a<-wilson(x1,n1,z); b<-wilson(x2,n2,z)
  c(p1-p2-sqrt((p1-a[1])^2+(b[2]-p2)^2), p1-p2+sqrt((a[2]-p1)^2+(p2-b[1])^2)) }
# ratio
rmle_ratio <- function(x1,n1,x2,n2,phi){
  hi <- min(1,1/phi)
  ll <- function(p2) dbinom(x1,n1,min(phi*p2,1),log=TRUE)+dbinom(x2,n2,p2,log=TRUE)
  o <- optimize(ll, c(0,hi), maximum=TRUE, tol=1e-14)
  cand <- c(o$maximum, hi); v <- sapply(cand, ll); cand[which.max(v)]
}
zratio <- function(lphi,x1,n1,x2,n2,corr){
  phi<-exp(lphi); p2<-rmle_ratio(x1,n1,x2,n2,phi); p1<-phi*p2
  v <- p1*(1-p1)/n1 + phi^2*p2*(1-p2)/n2
  if (corr) v <- v*(n1+n2)/(n1+n2-1)
  num <- x1/n1 - phi*x2/n2
  if (!(v>0)) return(if (num>0) Inf else if (num<0) -Inf else 0)
  num/sqrt(v)
}
score_ratio <- function(x1,n1,x2,n2,conf,corr){
  z <- qnorm(0.5+conf/2); f <- function(t) zratio(t,x1,n1,x2,n2,corr)
  ctr <- if (x1>0 && x2>0) log(x1/n1)-log(x2/n2) else if (x1==0) -15 else 15
  lo <- if (x1==0) 0 else exp(uniroot(function(t) f(t)-z, c(-30,ctr), tol=1e-13)$root)
  hi <- if (x2==0) Inf else exp(uniroot(function(t) f(t)+z, c(ctr,30), tol=1e-13)$root)
  c(lo,hi)
}
# Exact TOST power for a difference of means (pooled t), by integration over the sample SD (not Owen's Q).
tost_power <- function(diff, sd, n1, n2, lo, hi, alpha){
  df <- n1+n2-2; k <- sqrt(1/n1+1/n2); t <- qt(1-alpha, df)
  f <- function(u){ # u = s/sd, density of s/sd: chi_df/sqrt(df)
    s <- u*sd; w <- pmax(hi - lo - 2*t*s*k, 0)
    inner <- ifelse(w>0, pnorm((hi - t*s*k - diff)/(sd*k)) - pnorm((lo + t*s*k - diff)/(sd*k)), 0)
    dens <- dchisq(df*u^2, df)*2*df*u
    inner*dens }
  integrate(f, 0, Inf, rel.tol=1e-12, abs.tol=1e-14, subdivisions=2000L)$value
}
ss_means <- function(diff, sd, lo, hi, alpha, target, ratio){
  n2 <- 2; repeat { n1 <- max(ceiling(ratio*n2-1e-9),2); p <- tost_power(diff,sd,n1,n2,lo,hi,alpha); if (p>=target) return(c(n1,n2,p)); n2 <- n2+1 } }


# Exact power of the proportions equivalence test by enumeration (Newcombe hybrid score / Wald CI at 1 - 2 alpha).
wilson <- function(x,n,z){ p<-x/n; c0<-(p+z^2/(2*n)); h<-z*sqrt(p*(1-p)/n+z^2/(4*n^2)); cbind((c0-h)/(1+z^2/n),(c0+h)/(1+z^2/n)) }
exact_prop <- function(p1,p2,n1,n2,lo,hi,alpha,m){
  z <- qnorm(1-alpha); g <- expand.grid(x1=0:n1, x2=0:n2); a<-g$x1/n1; b<-g$x2/n2
  if (m=="newcombe") { w1<-wilson(g$x1,n1,z); w2<-wilson(g$x2,n2,z)
    L <- a-b-sqrt((a-w1[,1])^2+(w2[,2]-b)^2); U <- a-b+sqrt((w1[,2]-a)^2+(b-w2[,1])^2)
  } else { h <- z*sqrt(a*(1-a)/n1+b*(1-b)/n2); L <- pmax(a-b-h,-1); U <- pmin(a-b+h,1) }
  sum(dbinom(g$x1,n1,p1)*dbinom(g$x2,n2,p2)*(L>lo & U<hi)) }
strat <- function(x1,n1,x2,n2,conf){
  z <- qnorm(0.5+conf/2); N <- n1+n2; W <- n1*n2/N; w <- W/sum(W)
  d <- sum(w*(x1/n1-x2/n2))
  P <- sum((n1^2*x2 - n2^2*x1 + n1*n2*(n2-n1)/2)/N^2); Q <- sum((x1*(n2-x2)+x2*(n1-x1))/(2*N))
  se <- sqrt((d*P+Q)/sum(W)^2)
  sw <- function(x,n){ p <- sum(w*x/n); v <- sum(w^2/n)
    f <- function(q) (p-q)^2 - z^2*q*(1-q)*v
    # p = 0 or 1 is itself a root: search beside it for the other one
    lo <- if (p<=0) 0 else uniroot(f,c(0,p-1e-12*(p>=1)),tol=1e-14)$root
    hi <- if (p>=1) 1 else uniroot(f,c(p+1e-12*(p<=0),1),tol=1e-14)$root; c(p,lo,hi) }
  a <- sw(x1,n1); b <- sw(x2,n2)
  c(d, d-z*se, d+z*se, d-sqrt((a[1]-a[2])^2+(b[3]-b[1])^2), d+sqrt((a[3]-a[1])^2+(b[1]-b[2])^2))
}

tabs <- rbind(c(56,70,48,80),c(9,10,3,10),c(6,7,2,7),c(5,56,0,29),c(0,10,0,20),c(0,10,0,10),c(10,10,0,20),
  c(10,10,0,10),c(1,1,0,1),c(0,1,1,1),c(1,1,1,1),c(0,1,0,1),c(3,3,5,5),c(0,5,0,7),c(0,16,15,72),
  c(134,135,84,191),c(20,20,19,20),c(1,40,0,120),c(59,60,118,120))
out <- NULL
for (conf in c(0.95, 0.90)) for (i in 1:nrow(tabs)) { t <- tabs[i,]
  for (m in c("mn","fm")) { r <- score_diff(t[1],t[2],t[3],t[4],conf,m=="mn")
    out <- rbind(out, data.frame(measure="difference",x1=t[1],n1=t[2],x2=t[3],n2=t[4],method=m,conf=conf,lower=r[1],upper=r[2])) }
  r <- newcombe(t[1],t[2],t[3],t[4],conf)
  out <- rbind(out, data.frame(measure="difference",x1=t[1],n1=t[2],x2=t[3],n2=t[4],method="newcombe",conf=conf,lower=r[1],upper=r[2]))
  if (!(t[1]==0 && t[3]==0)) for (m in c("koopman","mn")) { r <- score_ratio(t[1],t[2],t[3],t[4],conf,m=="mn")
    out <- rbind(out, data.frame(measure="ratio",x1=t[1],n1=t[2],x2=t[3],n2=t[4],method=m,conf=conf,lower=r[1],upper=r[2])) }
}

con <- file("score_intervals_r.csv", "w"); writeLines(c("# Score (mn, fm; ratio koopman, mn) and Newcombe method 10 intervals, base R brute force (make_clinical_reference.R).", "# Tolerance: 1e-6 absolute (difference), 1e-6 on the log scale (ratio); Inf = no upper limit (x2 = 0)."), con)
write.csv(out, con, row.names = FALSE, quote = FALSE); close(con)

smn <- function(x1,n1,x2,n2,conf){ # stratified Miettinen-Nurminen score interval, CMH weights
  z <- qnorm(0.5+conf/2); w <- n1*n2/(n1+n2); w <- w/sum(w); d <- sum(w*(x1/n1-x2/n2))
  Z <- function(delta){ num <- 0; den <- 0
    for (h in seq_along(x1)) { p2 <- rmle_diff(x1[h],n1[h],x2[h],n2[h],delta); p1 <- p2+delta
      v <- (p1*(1-p1)/n1[h]+p2*(1-p2)/n2[h])*(n1[h]+n2[h])/(n1[h]+n2[h]-1)
      num <- num + w[h]*(x1[h]/n1[h]-x2[h]/n2[h]-delta); den <- den + w[h]^2*v }
    if (den<=0) return(if (num>0) Inf else if (num<0) -Inf else 0); num/sqrt(den) }
  e <- 1e-12
  lo <- if (Z(-1+e) < z) -1 else uniroot(function(t) Z(t)-z, c(-1+e, d), tol=1e-13)$root
  hi <- if (Z(1-e) > -z) 1 else uniroot(function(t) Z(t)+z, c(d, 1-e), tol=1e-13)$root
  c(lo,hi) }
st <- list(list(c(12,20,8),c(40,50,30),c(10,15,9),c(40,50,30),0.95), list(c(20,5,7),c(30,5,20),c(20,1,9),c(40,5,18),0.90),
  list(c(0,3,10),c(12,9,10),c(1,0,10),c(15,7,11),0.95), list(c(0,0),c(10,20),c(0,0),c(10,20),0.95),
  list(c(5,1),c(5,1),c(5,0),c(5,1),0.90), list(c(1,2,0),c(1,3,2),c(0,2,2),c(1,4,2),0.95),
  list(c(30,0),c(40,5),c(10,5),c(40,5),0.90))
out <- NULL
for (s in st) { r <- c(strat(s[[1]],s[[2]],s[[3]],s[[4]],s[[5]]), smn(s[[1]],s[[2]],s[[3]],s[[4]],s[[5]]))
  out <- rbind(out, data.frame(x1=paste(s[[1]],collapse=" "),n1=paste(s[[2]],collapse=" "),x2=paste(s[[3]],collapse=" "),
    n2=paste(s[[4]],collapse=" "),conf=s[[5]],diff=r[1],mh_lower=r[2],mh_upper=r[3],newcombe_lower=r[4],newcombe_upper=r[5],mn_lower=r[6],mn_upper=r[7])) }
con <- file("stratified_r.csv", "w"); writeLines(c("# Stratified risk difference (strata space-separated): Mantel-Haenszel with Sato variance (mh), Yan & Su stratified Newcombe, stratified MN score (zero cells, n = 1).", "# base R (make_clinical_reference.R); tolerance 1e-9 absolute (mh, newcombe), 1e-6 (mn, brute-force restricted MLE)."), con)
write.csv(out, con, row.names = FALSE, quote = FALSE); close(con)

sc <- rbind(
 c(0, 1, -0.5, 0.5, 0.05, 0.8, 1), c(0.1, 1, -0.5, 0.5, 0.05, 0.8, 1), c(0.1,1,-0.4,0.6,0.025,0.9,1),
 c(0, 1, -0.5, 0.5, 0.025, 0.9, 2), c(-0.05, 0.8, -0.3, 0.45, 0.05, 0.8, 1.5), c(0.2, 2, -0.6, 0.6, 0.025, 0.8, 0.5),
 c(0, 10, -15, 15, 0.05, 0.9, 3), c(0.3, 1, -0.2, 1.0, 0.05, 0.8, 1))
out <- NULL
for (i in 1:nrow(sc)) { s <- sc[i,]; r <- ss_means(s[1],s[2],s[3],s[4],s[5],s[6],s[7])
  out <- rbind(out, data.frame(diff=s[1],sd=s[2],margin_lower=s[3],margin_upper=s[4],alpha=s[5],target_power=s[6],ratio=s[7],n1=r[1],n2=r[2],power=r[3])) }
con <- file("means_sample_size_r.csv", "w"); writeLines(c("# Exact (pooled t) equivalence sample size for two means: unequal allocation, asymmetric margins, alpha 0.05/0.025.", "# base R integration over the SD (make_clinical_reference.R); n identical, power 1e-9 absolute."), con)
write.csv(out, con, row.names = FALSE, quote = FALSE); close(con)

pc <- rbind(c(0.6,0.6,40,50,-0.2,0.2,0.05), c(0.7,0.65,60,30,-0.15,0.2,0.025), c(0.9,0.92,80,80,-0.12,0.1,0.05),
  c(0.5,0.5,1,1,-0.9,0.9,0.05), c(0.05,0.02,100,100,-0.1,0.1,0.025), c(0.99,0.99,30,45,-0.1,0.1,0.05))
out <- NULL
for (i in 1:nrow(pc)) for (m in c("newcombe","wald")) { s <- pc[i,]
  out <- rbind(out, data.frame(p1=s[1],p2=s[2],n1=s[3],n2=s[4],margin_lower=s[5],margin_upper=s[6],alpha=s[7],ci_method=m,
    power=exact_prop(s[1],s[2],s[3],s[4],s[5],s[6],s[7],m))) }
con <- file("proportions_exact_power_r.csv", "w"); writeLines(c("# Exact power of the equivalence test for two proportions (CI at 1 - 2 alpha inside the margins) by enumeration.", "# base R (make_clinical_reference.R); tolerance 1e-12 absolute."), con)
write.csv(out, con, row.names = FALSE, quote = FALSE); close(con)
