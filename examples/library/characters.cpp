// Using libli2 from C++: the headers are extern "C" and li2_complex is
// std::complex<double> (layout-compatible with C's double complex).  The
// real components of a group with their real dimension d_R and the
// predicted maximal energy M/(2 d_R) (the li2 mathematics document), and the
// Fourier power of a random vector summing to its squared norm.
//
//   c++ characters.cpp $(pkg-config --cflags --libs li2) -o characters-cxx
#include <li2/li2.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct group_deleter { void operator()(li2_group *g) const { li2_group_free(g); } };
struct characters_deleter { void operator()(li2_characters *c) const { li2_characters_free(c); } };
struct fourier_deleter { void operator()(li2_fourier *f) const { li2_fourier_free(f); } };

template <class T> T *check(T *p, const li2_error &err)
{
  if (!p) throw std::runtime_error(err.msg);
  return p;
}

void components(const std::string &name)
{
  li2_error err;
  std::unique_ptr<li2_group, group_deleter> g(check(li2_group_alloc_name(name.c_str(), &err), err));
  std::unique_ptr<li2_characters, characters_deleter> ct(check(li2_characters_alloc(g.get(), &err), err));
  const std::size_t M = g->order, n = ct->nirreps;
  std::printf("%s: order %zu, %zu real components\n", g->name, M, ct->ncomponents);
  for (std::size_t c = 1; c < ct->ncomponents; c++) {
    int irrep = ct->component_irrep[c];
    // chi at the identity class (class 0) is the degree
    std::complex<double> chi_e = ct->chi[static_cast<std::size_t>(irrep) * n + 0];
    if (std::abs(chi_e - static_cast<double>(ct->degree[irrep])) > 1e-9)
      throw std::runtime_error(name + ": chi(e) differs from the degree");
    std::printf("  component %zu: degree %d, indicator %+d, d_R = %d, M/(2 d_R) = %g\n", c,
                ct->degree[irrep], ct->indicator[irrep], ct->component_real_dim[c],
                li2_characters_predicted_energy(ct.get(), M, c));
  }
  // Parseval: the powers per real component sum to |u|^2.
  std::unique_ptr<li2_fourier, fourier_deleter> f(
      check(li2_fourier_alloc(g.get(), ct.get(), LI2_FOURIER_AUTO, &err), err));
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  std::vector<double> u(M), power(ct->ncomponents);
  double norm2 = 0;
  for (double &x : u) { x = normal(rng); norm2 += x * x; }
  if (li2_fourier_power(f.get(), u.data(), power.data()) != LI2_SUCCESS)
    throw std::runtime_error(name + ": li2_fourier_power failed");
  double sum = 0;
  for (double p : power) sum += p;
  std::printf("  sum of powers %.12g, |u|^2 %.12g\n", sum, norm2);
  if (std::fabs(sum - norm2) > 1e-9 * norm2)
    throw std::runtime_error(name + ": powers do not sum to |u|^2");
}

}  // namespace

int main()
{
  try {
    components("S4");
    components("Z12");
  } catch (const std::exception &e) {
    std::fprintf(stderr, "characters-cxx: %s\n", e.what());
    return 1;
  }
  std::printf("ok\n");
  return 0;
}
