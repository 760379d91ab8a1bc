/* A hidden node's summary (src/node.h): dominant component, purity and
 * the active rule, on power spectra and norms of known shape. */
#include <math.h>

#include "node.h"
#include "tap.h"

int main(void)
{
  double purity = -1;
  {
    /* the trivial component (index 0) is no feature, however large */
    const double p[5] = {100, 1, 6, 2, 1};
    int d = li2_node_dominant(5, p, &purity);
    ok(d == 2, "dominant: the largest non-trivial component (got %d)", d);
    ok_close(purity, 0.6, 1e-15, "purity: its share of the non-trivial power 6/10");
  }
  {
    const double p[4] = {0, 3, 3, 0};
    int d = li2_node_dominant(4, p, &purity);
    ok(d == 1 && fabs(purity - 0.5) < 1e-15, "ties: the first component, purity 1/2 (%d)", d);
  }
  {
    const double p[3] = {7, 0, 0};
    int d = li2_node_dominant(3, p, &purity);
    ok(d == -1 && purity == 0, "no non-trivial power: -1, purity 0 (%d, %g)", d, purity);
    d = li2_node_dominant(1, p, &purity);
    ok(d == -1 && purity == 0, "only the trivial component: -1, purity 0");
  }
  {
    /* purity is scale-free: the same spectrum times 1e-300 and 1e300 */
    const double a[3] = {0, 1e-300, 3e-300}, b[3] = {0, 1e300, 3e300};
    double pa, pb;
    int da = li2_node_dominant(3, a, &pa), db = li2_node_dominant(3, b, &pb);
    ok(da == 2 && db == 2 && fabs(pa - 0.75) < 1e-15 && fabs(pb - 0.75) < 1e-15,
       "purity does not depend on the scale (%.17g, %.17g)", pa, pb);
  }
  ok(li2_node_active(1.0, 10.0, 0.1), "active: |w| = ratio max |w| is active");
  ok(!li2_node_active(0.99, 10.0, 0.1), "below ratio max |w|: not active");
  ok(li2_node_active(10.0, 10.0, 1.0), "ratio 1: only the largest nodes");
  ok(!li2_node_active(0.0, 10.0, 0.0), "a zero node is never active, even at ratio 0");
  ok(!li2_node_active(0.0, 0.0, 0.1), "all nodes zero: none active");
  ok(li2_node_active(1e-300, 1.0, 0.0), "ratio 0: every non-zero node");
  return tap_done();
}
