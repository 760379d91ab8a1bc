/* Where a result came from: the provenance block of every summary JSON li2
 * writes (run.json, manifest.json, point.json, verify.json, compare.json,
 * the report's run.json and phase-fit.json).
 *
 * One object, built here and nowhere else:
 *   li2_version   the package version
 *   revision      `git describe --always --dirty` of the source tree at
 *                 build time ("unknown" when built outside git)
 *   compiler      the compiler's version string, cc and cflags: the
 *                 command and flags make used
 *   blas          "OpenBLAS" with its corename and config string, or
 *                 "GSL CBLAS"
 *   kernel        uname: sysname release version machine
 *   cpu           the model name of /proc/cpuinfo ("unknown" elsewhere)
 *   threads       OpenMP threads the process uses now (1 without OpenMP)
 *   date          now, UTC, ISO 8601 (2026-12-07T16:30:47Z)
 *   host          gethostname
 *   command       the process's command line as one shell-quoted string,
 *                 and argv as an array (from /proc/self/cmdline) */
#ifndef LI2_PROVENANCE_H
#define LI2_PROVENANCE_H

#include <stddef.h>
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Write the provenance object as the next value of W (after a key). */
void li2_provenance_write(li2_json_writer *w);

/* The revision baked in at build time ("unknown" outside git). */
const char *li2_provenance_revision(void);

/* The process's command line as one shell-quoted string: every word that
 * holds anything but [A-Za-z0-9_./:=,+@%-] is put in single quotes.  NULL
 * when /proc/self/cmdline cannot be read or on no memory; caller frees. */
char *li2_provenance_command(void);

#ifdef __cplusplus
}
#endif

#endif
