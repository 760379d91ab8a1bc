/* li2: the Li2 theory of grokking as a C library.  Umbrella header. */
#ifndef LI2_H
#define LI2_H

#include "error.h"
#include "args.h"
#include "io.h"
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
#include "verify.h"
#include "compare.h"
#include "measures.h"
#include "plot.h"
#include "figures.h"
#include "report.h"
#include "sweep.h"
#include "phase.h"

#endif
