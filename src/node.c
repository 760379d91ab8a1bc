/* A hidden node's summary (see node.h). */
#include "node.h"

int li2_node_dominant(size_t ncomp, const double *power, double *purity)
{
  double total = 0, best = -1;
  int dom = -1;
  for (size_t c = 1; c < ncomp; c++) {
    total += power[c];
    if (power[c] > best) {
      best = power[c];
      dom = (int)c;
    }
  }
  if (!(total > 0)) {
    *purity = 0;
    return -1;
  }
  *purity = best / total;
  return dom;
}

int li2_node_active(double norm, double maxnorm, double ratio)
{
  return maxnorm > 0 && norm > 0 && norm >= ratio * maxnorm;
}
