/* li2: the Li2 theory of grokking as a C library.  Umbrella header: every
 * public header.  Installed as <li2/li2.h>; compile and link with
 *   cc prog.c $(pkg-config --cflags --libs li2)
 * (the headers include each other with quotes, so li2's error.h, io.h,
 * json.h, args.h never shadow system headers of the same name).  Usable
 * from C++: extern "C" throughout, li2_complex is std::complex<double>.
 * tests/install.test fails when an installed header is missing here. */
#ifndef LI2_H
#define LI2_H

#include "error.h"
#include "args.h"
#include "io.h"
#include "table.h"
#include "json.h"
#include "group.h"
#include "characters.h"
#include "fourier.h"
#include "dataset.h"
#include "model.h"
#include "optim.h"
#include "checkpoint.h"
#include "train.h"
#include "gradient.h"
#include "lazy.h"
#include "stages.h"
#include "node.h"
#include "verify.h"
#include "compare.h"
#include "measures.h"
#include "plot.h"
#include "figures.h"
#include "report.h"
#include "sweep.h"
#include "phase.h"
#include "energy.h"
#include "maxima.h"
#include "problem.h"
#include "flow.h"
#include "memorise.h"
#include "represent.h"
#include "stage1.h"
#include "depth.h"
#include "repulsion.h"
#include "solutions.h"
#include "muon_model.h"
#include "stats.h"
#include "process.h"
#include "transformer.h"
#include "provenance.h"
#include "runconfig.h"
#include "runfiles.h"
#include "export.h"
#include "ffi.h"
#include "html.h"

#endif
