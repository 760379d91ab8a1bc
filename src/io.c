#define _POSIX_C_SOURCE 200809L
#include "io.h"
#include "args.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int li2_io_open_atomic(li2_io_file *f, const char *path, li2_error *err)
{
  size_t n = strlen(path) + 32;
  f->fp = NULL;
  f->path = strdup(path);
  f->tmp = malloc(n);
  if (!f->path || !f->tmp) {
    free(f->path);
    free(f->tmp);
    f->path = f->tmp = NULL;
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  snprintf(f->tmp, n, "%s.tmp.%ld", path, (long)getpid());
  /* A new file, never through a link: O_EXCL refuses a name planted in the
   * directory (a symlink to a file outside it); a stale one of a killed
   * process with our pid is unlinked (the link, not its target) once. */
  {
    int fd = -1;
    for (int tries = 0; tries < 2 && fd < 0; tries++) {
      fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
      if (fd < 0 && (errno != EEXIST || tries || unlink(f->tmp) != 0))
        break;
    }
    f->fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (fd >= 0 && !f->fp)
      close(fd);
  }
  if (!f->fp) {
    int e = errno;
    free(f->path);
    free(f->tmp);
    f->path = f->tmp = NULL;
    return li2_error_set(err, LI2_EIO, "%s: cannot write: %s", path, strerror(e));
  }
  return LI2_SUCCESS;
}

int li2_io_open_atomic_in(li2_io_file *f, const char *dir, const char *name, li2_error *err)
{
  char *path = li2_io_path(dir, name);
  int rc;
  if (!path)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  rc = li2_io_open_atomic(f, path, err);
  free(path);
  return rc;
}

static void release(li2_io_file *f)
{
  free(f->path);
  free(f->tmp);
  f->path = f->tmp = NULL;
  f->fp = NULL;
}

int li2_io_commit(li2_io_file *f, li2_error *err)
{
  int bad = ferror(f->fp) || fflush(f->fp) != 0 || fsync(fileno(f->fp)) != 0;
  int e = errno;
  bad |= fclose(f->fp) != 0;
  if (bad || rename(f->tmp, f->path) != 0) {
    int rc;
    if (!bad)
      e = errno;
    rc = li2_error_set(err, LI2_EIO, "%s: cannot write: %s", f->path, strerror(e));
    remove(f->tmp);
    release(f);
    return rc;
  }
  release(f);
  return LI2_SUCCESS;
}

void li2_io_abort(li2_io_file *f)
{
  if (f->fp) {
    fclose(f->fp);
    remove(f->tmp);
  }
  release(f);
}

int li2_io_read_file(const char *path, char **data, size_t *len, li2_error *err)
{
  /* O_NONBLOCK so that opening a FIFO cannot block; fstat on the opened
   * descriptor (not the name) so a link to /dev/zero or a FIFO is judged by
   * what was actually opened. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat st;
  size_t size, n = 0;
  char *buf;
  *data = NULL;
  if (fd < 0)
    return li2_error_set(err, LI2_EIO, "%s: cannot open: %s", path, strerror(errno));
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return li2_error_set(err, LI2_EIO, "%s: cannot stat: %s", path, strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return li2_error_set(err, LI2_EIO, "%s: not a regular file", path);
  }
  if (st.st_size < 0 || (unsigned long long)st.st_size > LI2_IO_READ_MAX) {
    close(fd);
    return li2_error_set(err, LI2_EIO, "%s: larger than %llu bytes", path,
                         (unsigned long long)LI2_IO_READ_MAX);
  }
  size = (size_t)st.st_size;
  /* One byte more than fstat said, to notice a file that grows meanwhile. */
  buf = malloc(size + 2);
  if (!buf) {
    close(fd);
    return li2_error_set(err, LI2_ENOMEM, "%s: out of memory", path);
  }
  while (n < size + 1) {
    ssize_t got = read(fd, buf + n, size + 1 - n);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      int e = errno;
      free(buf);
      close(fd);
      return li2_error_set(err, LI2_EIO, "%s: read error: %s", path, strerror(e));
    }
    if (got == 0)
      break;
    n += (size_t)got;
  }
  close(fd);
  if (n > size) {
    free(buf);
    return li2_error_set(err, LI2_EIO, "%s: changed while being read", path);
  }
  buf[n] = '\0';
  *data = buf;
  if (len)
    *len = n;
  return LI2_SUCCESS;
}

FILE *li2_io_open_write(const char *path, int append, li2_error *err)
{
  /* O_NOFOLLOW: a symlink planted at PATH is refused, not written through;
   * O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of blocking */
  int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
                          (append ? O_APPEND : O_TRUNC), 0666);
  struct stat st;
  FILE *fp;
  if (fd < 0) {
    int e = errno;
    return li2_error_set(err, LI2_EIO, "%s: cannot write: %s", path,
                         e == ELOOP ? "a symbolic link (refused)" : strerror(e)),
           NULL;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return li2_error_set(err, LI2_EIO, "%s: cannot write: not a regular file", path), NULL;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  if (!(fp = fdopen(fd, append ? "a" : "w"))) {
    int e = errno;
    close(fd);
    return li2_error_set(err, LI2_EIO, "%s: cannot write: %s", path, strerror(e)), NULL;
  }
  return fp;
}

int li2_io_flush(FILE *fp, const char *path, li2_error *err)
{
  if (ferror(fp) || fflush(fp) != 0) {
    int e = errno;
    return li2_error_set(err, LI2_EIO, "%s: cannot write: %s", path,
                         e ? strerror(e) : "write error");
  }
  return LI2_SUCCESS;
}

int li2_io_close(FILE *fp, const char *path, li2_error *err)
{
  int bad = ferror(fp) != 0, e = 0;
  if (fflush(fp) != 0)
    bad = 1, e = errno;
  if (fclose(fp) != 0 && !e)
    bad = 1, e = errno;
  if (bad)
    return li2_error_set(err, LI2_EIO, "%s: cannot write: %s", path,
                         e ? strerror(e) : "write error");
  return LI2_SUCCESS;
}

int li2_io_lock(const char *dir, int shared, int *fd, li2_error *err)
{
  char *path = li2_io_path(dir, LI2_IO_LOCK_NAME);
  struct flock fl;
  *fd = -1;
  if (!path)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  int f = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
  if (f < 0) {
    int rc = li2_error_set(err, LI2_EIO, "%s: cannot open the lock file: %s", path,
                           strerror(errno));
    free(path);
    return rc;
  }
  memset(&fl, 0, sizeof fl);
  fl.l_type = shared ? F_RDLCK : F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (fcntl(f, F_SETLK, &fl) != 0) {
    int e = errno, rc;
    struct flock who = fl;
    if ((e == EACCES || e == EAGAIN) && fcntl(f, F_GETLK, &who) == 0 && who.l_type != F_UNLCK)
      rc = li2_error_set(err, LI2_EIO, "%s: in use by another li2 (pid %ld holds %s)", dir,
                         (long)who.l_pid, path);
    else
      rc = li2_error_set(err, LI2_EIO, "%s: cannot lock %s: %s", dir, path, strerror(e));
    close(f);
    free(path);
    return rc;
  }
  /* the holder's pid in the file, for people; the lock itself is fcntl's */
  if (!shared && ftruncate(f, 0) == 0) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (write(f, buf, (size_t)n) != n) {
      /* informative only */
    }
  }
  free(path);
  *fd = f;
  return LI2_SUCCESS;
}

int li2_io_remove_stale(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *de;
  int n = 0;
  if (!d)
    return 0;
  while ((de = readdir(d))) {
    const char *t = strstr(de->d_name, ".tmp.");
    char *path;
    /* NAME.tmp.PID, as li2_io_open_atomic names them */
    if (!t || t == de->d_name || !t[5] || !li2_args_whole(t + 5, NULL))
      continue;
    if ((path = li2_io_path(dir, de->d_name)) && unlink(path) == 0)
      n++;
    free(path);
  }
  closedir(d);
  return n;
}

void li2_io_unlock(int fd)
{
  if (fd >= 0)
    close(fd);
}

int li2_io_is_file(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int li2_io_is_dir(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int li2_io_mkdir(const char *path, li2_error *err)
{
  char *p = strdup(path);
  if (!p)
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  for (char *s = p + 1;; s++) {
    int end = (*s == '\0');
    if (*s == '/' || end) {
      char c = *s;
      *s = '\0';
      if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        int rc = li2_error_set(err, LI2_EIO, "%s: cannot create directory: %s", p,
                               strerror(errno));
        free(p);
        return rc;
      }
      *s = c;
    }
    if (end)
      break;
  }
  free(p);
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
    return li2_error_set(err, LI2_EIO, "%s: not a directory", path);
  return LI2_SUCCESS;
}

int li2_io_remove_tree(const char *path)
{
  struct stat st;
  DIR *d;
  struct dirent *de;
  int rc = 0;
  if (lstat(path, &st) != 0)
    return -1;
  if (!S_ISDIR(st.st_mode))
    return unlink(path);
  if (!(d = opendir(path)))
    return -1;
  while ((de = readdir(d))) {
    char *p;
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    if (!(p = li2_io_path(path, de->d_name))) {
      errno = ENOMEM;
      rc = -1;
      break;
    }
    if (li2_io_remove_tree(p) != 0)
      rc = -1;
    free(p);
  }
  closedir(d);
  return rmdir(path) != 0 ? -1 : rc;
}

static void stage_release(li2_io_stage *s)
{
  li2_io_unlock(s->lock);
  s->lock = -1;
  free(s->out);
  free(s->dir);
  s->out = s->dir = NULL;
}

/* OUT/.li2-partial.PID.XXXXXX of a process that is gone (kill -9 leaves
 * it): nobody writes there any more.  A live PID's, or a name of another
 * form, is left alone. */
static void stage_remove_stale(const char *out)
{
  DIR *d = opendir(out);
  struct dirent *de;
  const size_t lp = strlen(LI2_IO_STAGE_PREFIX);
  if (!d)
    return;
  while ((de = readdir(d))) {
    char *end, *path;
    if (strncmp(de->d_name, LI2_IO_STAGE_PREFIX, lp) || !isdigit((unsigned char)de->d_name[lp]))
      continue;
    errno = 0;
    long pid = strtol(de->d_name + lp, &end, 10);
    if (errno || *end != '.' || pid <= 0 || (pid_t)pid != pid || pid == (long)getpid() ||
        kill((pid_t)pid, 0) == 0 || errno != ESRCH)
      continue;
    if ((path = li2_io_path(out, de->d_name)))
      li2_io_remove_tree(path);
    free(path);
  }
  closedir(d);
}

int li2_io_stage_begin(li2_io_stage *s, const char *out, li2_error *err)
{
  int rc;
  char name[64];
  snprintf(name, sizeof name, "%s%ld.XXXXXX", LI2_IO_STAGE_PREFIX, (long)getpid());
  s->created = !li2_io_is_dir(out);
  s->lock = -1;
  s->out = strdup(out);
  s->dir = li2_io_path(out, name);
  if (!s->out || !s->dir) {
    stage_release(s);
    return li2_error_set(err, LI2_ENOMEM, "out of memory");
  }
  if ((rc = li2_io_mkdir(out, err))) {
    stage_release(s);
    return rc;
  }
  stage_remove_stale(out);
  if (!mkdtemp(s->dir)) {
    rc = li2_error_set(err, LI2_EIO, "%s: cannot create a directory in it: %s", out,
                       strerror(errno));
    if (s->created)
      rmdir(out);
    stage_release(s);
    return rc;
  }
  return LI2_SUCCESS;
}

void li2_io_stage_msg(const li2_io_stage *s, char *msg, size_t cap)
{
  size_t ld;
  char *p, *buf;
  if (!s->dir || !s->out || !cap || !(p = strstr(msg, s->dir)))
    return;
  ld = strlen(s->dir);
  if (!(buf = malloc(cap)))
    return;
  buf[0] = 0;
  for (const char *q = msg; q;) {
    size_t l = strlen(buf);
    if (p) {
      snprintf(buf + l, cap - l, "%.*s%s", (int)(p - q), q, s->out);
      q = p + ld;
      p = strstr(q, s->dir);
    } else {
      snprintf(buf + l, cap - l, "%s", q);
      q = NULL;
    }
  }
  snprintf(msg, cap, "%s", buf);
  free(buf);
}

int li2_io_stage_lock(li2_io_stage *s, li2_error *err)
{
  if (s->lock >= 0)
    return LI2_SUCCESS;
  return li2_io_lock(s->out, 0, &s->lock, err);
}

void li2_io_stage_abort(li2_io_stage *s)
{
  if (s->dir)
    li2_io_remove_tree(s->dir);
  if (s->out && s->created) {
    if (s->lock >= 0) {
      char *lp = li2_io_path(s->out, LI2_IO_LOCK_NAME);
      if (lp)
        unlink(lp);
      free(lp);
    }
    rmdir(s->out); /* only when empty */
  }
  stage_release(s);
}

int li2_io_stage_commit(li2_io_stage *s, li2_error *err)
{
  DIR *d = opendir(s->dir);
  struct dirent *de;
  char **names = NULL;
  size_t n = 0, cap = 0;
  int rc = LI2_SUCCESS;
  if (!d) {
    rc = li2_error_set(err, LI2_EIO, "%s: %s", s->dir, strerror(errno));
    li2_io_stage_abort(s);
    return rc;
  }
  /* the names first: replaced directories are parked inside DIR */
  while ((de = readdir(d)) && !rc) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    if (n == cap) {
      char **t = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof *names);
      if (!t) {
        rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
        break;
      }
      names = t;
    }
    if (!(names[n] = strdup(de->d_name)))
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    else
      n++;
  }
  closedir(d);
  for (size_t i = 0; i < n && !rc; i++) {
    char *from = li2_io_path(s->dir, names[i]), *to = li2_io_path(s->out, names[i]), *old = NULL;
    struct stat st;
    size_t l = strlen(names[i]) + 8;
    char *park = malloc(l);
    if (!from || !to || !park) {
      rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
    } else {
      snprintf(park, l, ".old-%s", names[i]);
      /* rename() does not replace a non-empty directory: move it aside */
      if (lstat(to, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (!(old = li2_io_path(s->dir, park)))
          rc = li2_error_set(err, LI2_ENOMEM, "out of memory");
        else if (rename(to, old) != 0)
          rc = li2_error_set(err, LI2_EIO, "%s: cannot replace: %s", to, strerror(errno));
      }
      if (!rc && rename(from, to) != 0) {
        rc = li2_error_set(err, LI2_EIO, "%s: cannot move into place: %s", to, strerror(errno));
        if (old)
          rename(old, to); /* the previous one back */
      }
    }
    free(from);
    free(to);
    free(old);
    free(park);
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  if (rc) {
    li2_io_stage_abort(s);
    return rc;
  }
  li2_io_remove_tree(s->dir);
  stage_release(s);
  return LI2_SUCCESS;
}

char *li2_io_path(const char *dir, const char *name)
{
  size_t n = strlen(dir) + strlen(name) + 2;
  char *s = malloc(n);
  if (s)
    snprintf(s, n, "%s/%s", dir, name);
  return s;
}

double li2_io_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void li2_progress_init(li2_progress *p, const char *label, long total)
{
  int tty = isatty(STDERR_FILENO);
  p->enabled = tty ? !getenv("CI") : 2;
  p->total = total;
  p->start = li2_io_seconds();
  p->last = tty ? 0 : p->start;  /* lines: the first after one interval */
  p->interval = LI2_PROGRESS_INTERVAL_DEFAULT;
  snprintf(p->label, sizeof p->label, "%s", label);
}

void li2_progress_set_interval(li2_progress *p, double seconds)
{
  p->interval = seconds;
  if (p->enabled == 2 && !(seconds > 0))
    p->enabled = 0;
  else if (!p->enabled && seconds > 0 && !isatty(STDERR_FILENO))
    p->enabled = 2;
}

void li2_progress_restart(li2_progress *p, long total)
{
  p->total = total;
  p->start = li2_io_seconds();
  if (p->enabled == 2)
    p->last = p->start;
}

void li2_progress_update(li2_progress *p, long done, const char *status)
{
  if (!p->enabled)
    return;
  double now = li2_io_seconds();
  double frac = p->total > 0 ? (double)done / (double)p->total : 0;
  double eta = frac > 0 ? (now - p->start) * (1 - frac) / frac : 0;
  if (p->enabled == 2) {
    /* a plain line, no escape sequences: a log file reads it */
    if (now - p->last < p->interval)
      return;
    p->last = now;
    fprintf(stderr, "li2 %s: %ld/%ld (%.0f%%)%s%s; %.0f s, ETA %.0f s\n", p->label, done,
            p->total, 100 * frac, status && *status ? " " : "", status ? status : "",
            now - p->start, eta);
    fflush(stderr);
    return;
  }
  if (now - p->last < 0.1 && done < p->total)
    return;
  p->last = now;
  char bar[21];
  int fill = (int)(20 * frac);
  for (int i = 0; i < 20; i++)
    bar[i] = i < fill ? '#' : '.';
  bar[20] = '\0';
  fprintf(stderr, "\r%s [%s] %ld/%ld %s ETA %.0fs\033[K", p->label, bar, done,
          p->total, status ? status : "", eta);
  fflush(stderr);
}

void li2_progress_finish(li2_progress *p)
{
  if (p->enabled == 1) {
    fputc('\r', stderr);
    fputs("\033[K", stderr);
    fflush(stderr);
  }
}
