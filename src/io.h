/* Files written atomically, whole-file reads, and terminal progress.
 *
 * Atomic writes: li2_io_open_atomic opens PATH.tmp.<pid>; li2_io_commit
 * flushes, fsyncs and renames it over PATH, so a reader (or a resumed run)
 * sees either the old file or the complete new one, never a torn one. */
#ifndef LI2_IO_H
#define LI2_IO_H

#include <stddef.h>
#include <stdio.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct li2_io_file {
  FILE *fp;
  char *path;  /* final path */
  char *tmp;   /* temporary path */
} li2_io_file;

int li2_io_open_atomic(li2_io_file *f, const char *path, li2_error *err);
/* li2_io_open_atomic on DIR/NAME (li2_io_path). */
int li2_io_open_atomic_in(li2_io_file *f, const char *dir, const char *name, li2_error *err);
/* Flush, fsync and rename into place; closes F in every case. */
int li2_io_commit(li2_io_file *f, li2_error *err);
/* Abandon the temporary file. */
void li2_io_abort(li2_io_file *f);

/* Largest file li2 reads: far above any checkpoint, split or table it writes
 * (a 1e6-parameter checkpoint is 8 MB), far below what exhausts memory. */
#define LI2_IO_READ_MAX (1ull << 30)

/* Read a whole regular file of at most LI2_IO_READ_MAX bytes into a
 * NUL-terminated buffer (caller frees).  FIFOs, devices (/dev/zero) and links
 * to them are refused with one line naming PATH, never read. */
int li2_io_read_file(const char *path, char **data, size_t *len, li2_error *err);

/* Open PATH for writing (APPEND: at its end, else truncated), creating it:
 * never through a symbolic link (O_NOFOLLOW) and only a regular file (a
 * FIFO or device is refused without blocking).  NULL with one line naming
 * PATH on failure. */
FILE *li2_io_open_write(const char *path, int append, li2_error *err);
/* Flush FP and report an earlier or current write error (ENOSPC, EFBIG)
 * naming PATH. */
int li2_io_flush(FILE *fp, const char *path, li2_error *err);
/* li2_io_flush and fclose; FP is closed in every case. */
int li2_io_close(FILE *fp, const char *path, li2_error *err);

/* One writer per directory: an advisory fcntl lock on DIR/.li2-lock,
 * held until li2_io_unlock or the process ends (also by kill -9).  When
 * another process holds it: LI2_EIO, "DIR: in use by another li2 (pid N
 * holds DIR/.li2-lock)".  SHARED: a read lock, which excludes only the
 * exclusive holders (shards of one sweep share its directory).  Locks are
 * not inherited by children. */
#define LI2_IO_LOCK_NAME ".li2-lock"
int li2_io_lock(const char *dir, int shared, int *fd, li2_error *err);
void li2_io_unlock(int fd);
/* Remove DIR's temporary files NAME.tmp.PID left by a killed writer; call
 * only while holding DIR's lock (then no live writer owns one).  Returns
 * how many were removed. */
int li2_io_remove_stale(const char *dir);

/* 1 when PATH (after links) is a regular file, else 0. */
int li2_io_is_file(const char *path);
/* 1 when PATH is a directory (stat, following links), else 0. */
int li2_io_is_dir(const char *path);

/* mkdir -p. */
int li2_io_mkdir(const char *path, li2_error *err);

/* A command's output built aside, so that an error leaves OUT as it was
 * (issue 15, defect 11: no partial output).  li2_io_stage_begin creates OUT
 * (mkdir -p) and a fresh OUT/.li2-partial.PID.XXXXXX (DIR), where the command
 * writes everything; li2_io_stage_commit moves each entry of DIR into OUT,
 * replacing an entry of the same name (a directory as a whole), and
 * removes DIR; li2_io_stage_abort removes DIR with everything in it, and
 * OUT when li2_io_stage_begin created it and it is empty.  Entries of OUT
 * that the command did not write are kept.  Both release the stage.
 * li2_io_stage_begin first removes the stage directories in OUT of
 * processes that no longer exist (killed with -9: their PID is gone). */
#define LI2_IO_STAGE_PREFIX ".li2-partial."
typedef struct li2_io_stage {
  char *out;    /* the final directory */
  char *dir;    /* where the command writes */
  int created;  /* OUT did not exist before */
  int lock;     /* li2_io_stage_lock's descriptor, -1 without */
} li2_io_stage;
int li2_io_stage_begin(li2_io_stage *s, const char *out, li2_error *err);
/* One writer of OUT: the exclusive li2_io_lock on OUT, held until the
 * commit or abort (refused in one line naming the holder).  Not for an OUT
 * this process already holds a lock on: fcntl locks are the process's, and
 * releasing this one would release that one too. */
int li2_io_stage_lock(li2_io_stage *s, li2_error *err);
int li2_io_stage_commit(li2_io_stage *s, li2_error *err);
void li2_io_stage_abort(li2_io_stage *s);
/* MSG (a buffer of CAP bytes) with every DIR of S replaced by its OUT: a
 * message names the file where it ends up (or would have). */
void li2_io_stage_msg(const li2_io_stage *s, char *msg, size_t cap);

/* rm -r PATH (never following a link); 0 or -1 with errno. */
int li2_io_remove_tree(const char *path);

/* Join DIR and NAME into a new string (caller frees); NULL on no memory. */
char *li2_io_path(const char *dir, const char *name);

/* Progress on stderr.  On a terminal: a one-line bar redrawn at most ~10
 * times a second (not under CI).  Elsewhere (a Slurm log, a file): one
 * plain line every INTERVAL seconds (default 30; 0: none), e.g.
 *   li2 train: 1200/3000 (40%) train 1.000 test 0.412 loss 0.0131; 31 s, ETA 46 s */
#define LI2_PROGRESS_INTERVAL_DEFAULT 30.0
typedef struct li2_progress {
  int enabled;     /* 0 quiet, 1 terminal bar, 2 lines */
  long total;
  double start, last;
  double interval; /* seconds between lines (enabled == 2) */
  char label[32];
} li2_progress;

void li2_progress_init(li2_progress *p, const char *label, long total);
/* Seconds between lines when stderr is not a terminal (0: none). */
void li2_progress_set_interval(li2_progress *p, double seconds);
/* Start counting again from 0 of TOTAL (the ETA from now), keeping the
 * label, the mode and the interval: the next stage of one piece of work. */
void li2_progress_restart(li2_progress *p, long total);
/* STATUS is a short free text shown after the counter, e.g. accuracies. */
void li2_progress_update(li2_progress *p, long done, const char *status);
void li2_progress_finish(li2_progress *p);

/* Wall-clock seconds (monotonic). */
double li2_io_seconds(void);

#ifdef __cplusplus
}
#endif

#endif
